"""The `skunkworks` command, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from harness import REPO, uv

BIN = Path(sys.executable).parent


def _skunkworks(*args: str, cwd: Path | None = None, executable: Path | None = None):
    return subprocess.run(
        [str(executable or BIN / "skunkworks"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_version_matches_the_package_metadata():
    expected = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = _skunkworks("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"skunkworks {expected}"


def test_help_does_not_import_cookiecutter():
    code = (
        "import sys; from skunkworks_poc.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('cookiecutter', 'jinja2', 'yaml') if m in sys.modules]\n"
        "print('heavy:', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "usage: skunkworks" in result.stdout
    assert result.stdout.strip().endswith("heavy: []")


def test_new_bakes_a_project_and_says_what_next(tmp_path):
    result = _skunkworks("new", "--no-input", "project_name=Renal Health", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    project = tmp_path / "renal-health"
    assert f"Created {project}" in result.stdout
    assert "make setup" in result.stdout
    assert (project / "src" / "renal_health" / "__init__.py").is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "renal-health"


def test_new_gives_the_same_files_as_plain_cookiecutter(tmp_path):
    answers = ["project_name=Bed Allocation", "code_licence=Apache-2.0", "git_init=no"]
    assert _skunkworks("new", "--no-input", *answers, "-o", str(tmp_path / "a")).returncode == 0
    subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", str(REPO), *answers, "-o", str(tmp_path / "b")],
        check=True,
        capture_output=True,
    )
    a, b = tmp_path / "a" / "bed-allocation", tmp_path / "b" / "bed-allocation"
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert files_a == files_b


def test_no_command_prints_help():
    result = _skunkworks()
    assert result.returncode == 0
    assert "new" in result.stdout and "bake a new project" in result.stdout


@pytest.mark.slow
def test_installed_wheel_bakes_offline_with_validation(tmp_path):
    """The wheel carries the template, hooks and rules: no checkout, no network."""
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(REPO)],
        check=True,
        capture_output=True,
    )
    [wheel] = (tmp_path / "dist").glob("skunkworks_poc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "skunkworks_poc/template/cookiecutter.json" in names
    assert "skunkworks_poc/template/hooks/pre_gen_project.py" in names
    assert "skunkworks_poc/validate.py" in names
    venv = tmp_path / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        check=True,
    )
    executable = venv / "bin" / "skunkworks"
    out = tmp_path / "out"
    good = _skunkworks("new", "--no-input", "-o", str(out), cwd=tmp_path, executable=executable)
    assert good.returncode == 0, good.stderr
    assert (out / "sepsis-early-warning" / "pyproject.toml").is_file()
    # The bundled hook finds the bundled rules (plain cookiecutter from the same install).
    bad = subprocess.run(
        [
            str(venv / "bin" / "cookiecutter"),
            "--no-input",
            str(
                venv
                / "lib"
                / f"python{sys.version_info.major}.{sys.version_info.minor}"
                / "site-packages"
                / "skunkworks_poc"
                / "template"
            ),
            "author_email=broken",
            "-o",
            str(tmp_path / "out2"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
    assert "ERROR: Invalid author_email" in bad.stderr
