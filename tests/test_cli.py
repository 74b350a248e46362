"""The `skunkworks` command, run as a user runs it."""

from __future__ import annotations

import datetime
import json
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
    expected = json.loads((REPO / "cookiecutter.json").read_text())["__toolkit_version"]
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
    # A derived default that uses Jinja still works (the year is computed at bake time).
    year = datetime.datetime.now(datetime.UTC).year
    assert f"Crown copyright (c) {year} NHS England" in (project / "LICENCE").read_text()


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
    # cookiecutter's command prints the template's refusal as its own errors: on stdout.
    assert "ERROR: Invalid author_email" in bad.stdout + bad.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def test_rebake_with_overwrite_keeps_edited_documents_and_lists_them(tmp_path):
    """Issue 11, item 6: `-f` over a project never replaces a file the user has."""
    assert _skunkworks("new", "--no-input", "-o", str(tmp_path)).returncode == 0
    project = tmp_path / "sepsis-early-warning"
    report = project / "docs" / "technical-report.md"
    edited = report.read_text(encoding="utf-8") + "\nOur findings, written by hand.\n"
    report.write_text(edited, encoding="utf-8")
    (project / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (project / "CHANGELOG.md").unlink()
    before = _files(project)

    refused = _skunkworks("new", "--no-input", "-o", str(tmp_path))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"skunkworks new: {project} already exists; choose another folder, or pass "
        "--overwrite to add the template's missing files to it (existing files are kept)"
    )
    assert _files(project) == before

    result = _skunkworks("new", "--no-input", "-f", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert report.read_text(encoding="utf-8") == edited
    assert (project / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (project / "CHANGELOG.md").is_file(), "a missing file is added back"
    assert result.stdout.splitlines() == [
        f"Updated {project}: 1 file added from the template",
        "  added CHANGELOG.md",
        "Kept your version of 1 file (the template's differs; "
        "delete a file and run again to get the template's version):",
        "  kept docs/technical-report.md",
    ]
    after = _files(project)
    assert {k: v for k, v in after.items() if k != "CHANGELOG.md"} == before


def test_overwrite_into_a_folder_without_git_makes_the_repository_as_a_bake_does(tmp_path):
    project = tmp_path / "sepsis-early-warning"
    project.mkdir()
    (project / "README.md").write_text("my own readme\n", encoding="utf-8")
    result = _skunkworks("new", "--no-input", "--overwrite", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "  kept README.md" in result.stdout.splitlines()
    assert (project / "README.md").read_text(encoding="utf-8") == "my own readme\n"
    assert (project / "pyproject.toml").is_file()
    staged = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "A  README.md" in staged and "A  pyproject.toml" in staged


def test_failed_interactive_answer_writes_nothing(tmp_path):
    """Answers typed at `skunkworks new`'s prompts are checked before anything is written."""
    import pexpect

    from harness import TEMPLATE_ANSWERS

    child = pexpect.spawn(
        str(BIN / "skunkworks"),
        ["new", "-o", str(tmp_path / "out")],
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 250),
    )
    typed = {"copyright_holder": "{{ lipsum.__globals__['os'].getcwd() }}"}
    prompts = TEMPLATE_ANSWERS["__prompts__"]
    for key in (k for k in TEMPLATE_ANSWERS if not k.startswith("_")):
        prompt = prompts[key]["__prompt__"] if isinstance(prompts[key], dict) else prompts[key]
        child.expect_exact(prompt.split("(")[0].strip()[:40])
        child.sendline(typed.get(key, ""))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    errors = [line for line in child.before.splitlines() if "Invalid" in line]
    assert errors == [
        "skunkworks new: Invalid copyright_holder: must not contain template syntax ({{, {% or {#)"
    ]
    assert not (tmp_path / "out").exists()
