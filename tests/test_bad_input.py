"""Bad answers stop the bake with one line naming the field and rule, and write nothing.

Each case goes through both front doors: plain `cookiecutter` (the pre-gen hook) and
`skunkworks new` (validated before cookiecutter is called).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness import CHOICES, REPO

BIN = Path(sys.executable).parent

CASES = [
    ("project_name", "", "must not be empty"),
    ("project_slug", "../escape", "path separator or '..'"),
    ("project_slug", "Not A Slug", "lowercase letters and digits"),
    ("package_name", "2fast", "not starting with a digit"),
    ("package_name", "import", "Python keyword"),
    ("package_name", "mlflow", "shadow the module 'mlflow'"),
    ("package_name", "test", "shadow the module 'test'"),
    ("author_email", "ada-at-example.org", "name@example.org"),
    ("min_python", "3.9", "must be one of 3.10, 3.11, 3.12, 3.13"),
    ("code_licence", "WTFPL", "must be one of MIT, Apache-2.0, GPL-3.0"),
    # Template syntax in any given answer, refused before Jinja evaluates it (item 7).
    ("copyright_holder", "{{ lipsum.__globals__['os'].getcwd() }}", "template syntax"),
    ("copyright_holder", "{{", "template syntax"),
    ("description", "{% if true %}x{% endif %}", "template syntax"),
    ("supplier_name", "{# hidden #}", "template syntax"),
    ("project_slug", "{{ '../escape' }}", "template syntax"),
    # Invisible and direction-changing characters (item 8).
    ("project_name", "Sepsis \u202eSWE", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("author_name", "Ada\u200b Lovelace", "U+200B ZERO WIDTH SPACE"),
    # Package names that shadow what the project imports (item 8).
    ("package_name", "email", "shadow the module 'email'"),
    ("package_name", "csv", "shadow the module 'csv'"),
    ("package_name", "yaml", "shadow the module 'yaml'"),
    ("package_name", "skops", "shadow the module 'skops'"),
    ("package_name", "packaging", "shadow the module 'packaging'"),
    ("package_name", "__main__", "not starting with a digit or an underscore"),
    # Windows device names (item 8).
    ("project_slug", "con", "Windows reserves for a device"),
    ("package_name", "nul", "Windows reserves for a device"),
    ("package_name", "com1", "Windows reserves for a device"),
    ("package_name", "lpt1", "Windows reserves for a device"),
    # Names too long for file systems (item 8).
    ("package_name", "p" * 300, "at most 64 characters (got 300)"),
    ("project_slug", "s" * 300, "at most 64 characters (got 300)"),
]
IDS = [f"{field}={value!r}" for field, value, _ in CASES]


def _error_lines(result) -> list[str]:
    """Lines naming a broken rule, wherever the front door prints them."""
    output = result.stdout + result.stderr
    return [line for line in output.splitlines() if "Invalid " in line]


def _cookiecutter(out: Path, *args: str, overwrite: bool = False):
    command = [str(BIN / "cookiecutter"), "--no-input", str(REPO), "-o", str(out), *args]
    if overwrite:
        command.insert(1, "--overwrite-if-exists")
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _skunkworks(out: Path, *args: str, overwrite: bool = False):
    command = [str(BIN / "skunkworks"), "new", "--no-input", "-o", str(out), *args]
    if overwrite:
        command.append("--overwrite")
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _tree(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("field", "value", "rule"), CASES, ids=IDS)
def test_cookiecutter_rejects_before_writing(tmp_path, field, value, rule):
    out = tmp_path / "out"
    result = _cookiecutter(out, f"{field}={value}")
    assert result.returncode != 0
    if field in CHOICES:
        # cookiecutter refuses an unknown choice itself, before our hook can run.
        last_line = result.stderr.strip().splitlines()[-1]
        assert f"choice variable {field}" in last_line and "but the choices are" in last_line
    else:
        [line] = _error_lines(result)
        assert line.startswith(f"ERROR: Invalid {field}: ") and rule in line
        assert "Traceback" not in result.stdout + result.stderr
        assert str(Path.cwd()) not in result.stdout + result.stderr, "answer never ran"
    assert _tree(tmp_path) == {}
    assert not (tmp_path / "escape").exists()
    assert list(out.iterdir()) == [] if out.exists() else True


@pytest.mark.parametrize(("field", "value", "rule"), CASES, ids=IDS)
def test_skunkworks_new_rejects_before_writing(tmp_path, field, value, rule):
    out = tmp_path / "out"
    result = _skunkworks(out, f"{field}={value}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"skunkworks new: Invalid {field}: {result.stderr.split(': ', 2)[2].strip()}"
    ]
    assert rule in result.stderr
    assert result.stdout == ""
    assert not out.exists(), "nothing, not even the output folder, is created"
    assert not (tmp_path / "escape").exists()


def test_derived_package_name_is_checked_too(tmp_path):
    """A project name whose derived package name is invalid is refused by name."""
    result = _skunkworks(tmp_path / "out", "project_name=2020 Audit")
    assert result.returncode == 2
    assert "Invalid package_name" in result.stderr and "'2020_audit'" in result.stderr


FRONT_DOORS = pytest.mark.parametrize(
    "front_door", [_cookiecutter, _skunkworks], ids=["cookiecutter", "skunkworks"]
)


@FRONT_DOORS
@pytest.mark.parametrize(
    "answer",
    [
        "author_email=nope",
        "copyright_holder={{ lipsum.__globals__['os'].getcwd() }}",
        "project_name=Sepsis Early Warning\u202e",
        "package_name=email",
        "package_name=" + "p" * 300,
    ],
    ids=["email", "jinja", "bidi", "shadow", "long"],
)
def test_existing_folder_is_left_untouched(tmp_path, front_door, answer):
    project = tmp_path / "sepsis-early-warning"
    project.mkdir()
    (project / "README.md").write_text("my own work\n", encoding="utf-8")
    (project / "notes.txt").write_text("keep me\n", encoding="utf-8")
    before = _tree(project)
    extra = ["project_slug=sepsis-early-warning"] if "project_name" in answer else []
    result = front_door(tmp_path, answer, *extra, overwrite=True)
    assert result.returncode != 0
    assert len(_error_lines(result)) == 1
    assert _tree(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sepsis-early-warning"]


def test_existing_folder_without_overwrite_is_refused(tmp_path):
    (tmp_path / "sepsis-early-warning").mkdir()
    result = _skunkworks(tmp_path)
    assert result.returncode == 2
    assert "already exists" in result.stderr and "--overwrite" in result.stderr
    assert list((tmp_path / "sepsis-early-warning").iterdir()) == []


def test_unknown_answer_key_is_refused(tmp_path):
    result = _skunkworks(tmp_path / "out", "project_nmae=Typo")
    assert result.returncode == 2
    assert "unknown answer 'project_nmae'" in result.stderr and "project_name" in result.stderr
    assert not (tmp_path / "out").exists()


def test_answer_without_equals_is_refused(tmp_path):
    result = _skunkworks(tmp_path / "out", "project_name")
    assert result.returncode == 2
    assert "expected key=value" in result.stderr


@FRONT_DOORS
def test_output_folder_that_is_a_file_is_refused(tmp_path, front_door):
    (tmp_path / "out").write_text("a file\n", encoding="utf-8")
    result = front_door(tmp_path / "out")
    assert result.returncode != 0
    [line] = _error_lines(result)
    assert f"Invalid output folder: {tmp_path / 'out'} is a file, not a folder" in line
    assert "Traceback" not in result.stdout + result.stderr
    assert _tree(tmp_path) == {"out": b"a file\n"}


@FRONT_DOORS
def test_output_folder_inside_a_file_is_refused(tmp_path, front_door):
    (tmp_path / "out").write_text("a file\n", encoding="utf-8")
    result = front_door(tmp_path / "out" / "sub")
    assert result.returncode != 0
    [line] = _error_lines(result)
    assert f"{tmp_path / 'out'} is a file, so the folder" in line
    assert "Traceback" not in result.stdout + result.stderr
    assert _tree(tmp_path) == {"out": b"a file\n"}


@FRONT_DOORS
def test_output_folder_that_is_not_writable_is_refused(front_door):
    """A read-only folder, as an ordinary user meets it (root ignores permissions, so when the
    tests run as root the command runs without the capabilities that let it: still root, so
    it can reach a checkout in a private folder, but bound by the folder's mode)."""
    wrapper: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot drop permission overrides")
        wrapper = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    base = Path(tempfile.mkdtemp(prefix="skunkworks-readonly-"))
    try:
        base.chmod(0o755)
        home = base / "home"
        home.mkdir(mode=0o777)
        home.chmod(0o777)
        readonly = base / "readonly"
        readonly.mkdir()
        readonly.chmod(0o555)
        out = readonly / "out"
        if front_door is _cookiecutter:
            command = [str(BIN / "cookiecutter"), "--no-input", str(REPO), "-o", str(out)]
        else:
            command = [str(BIN / "skunkworks"), "new", "--no-input", "-o", str(out)]
        env = {**os.environ, "HOME": str(home)}
        result = subprocess.run(
            [*wrapper, *command], capture_output=True, text=True, timeout=120, env=env
        )
        assert result.returncode != 0
        [line] = _error_lines(result)
        assert f"Invalid output folder: cannot create anything in {readonly}" in line
        assert "Permission denied" in line
        assert "Traceback" not in result.stdout + result.stderr
        assert list(readonly.iterdir()) == []
    finally:
        (base / "readonly").chmod(0o755)
        shutil.rmtree(base)
