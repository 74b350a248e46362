import subprocess
import sys
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.paths import project_root


def test_version_comes_from_installed_metadata():
    assert {{ cookiecutter.package_name }}.__version__ == "0.1.0"


def test_project_root_is_the_folder_with_pyproject():
    root = project_root()
    assert (root / "pyproject.toml").is_file()
    assert (root / "src" / {{ cookiecutter.package_name | quoted }}).is_dir()


def test_project_root_prefers_dvc_root(monkeypatch, tmp_path):
    monkeypatch.setenv("DVC_ROOT", str(tmp_path))
    assert project_root() == tmp_path.resolve()


def test_project_root_searches_upwards_from_start(monkeypatch, tmp_path):
    monkeypatch.delenv("DVC_ROOT", raising=False)
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert project_root(nested) == tmp_path.resolve()


def test_project_root_outside_a_project_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("DVC_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        project_root(Path(tmp_path.anchor))


def test_params_logged_with_a_run_hide_credentials_and_leave_the_configuration_alone(tmp_path):
    from {{ cookiecutter.package_name }} import stages

    uri = "https://analyst:s3cret@mlflow.example.org"  # pragma: allowlist secret
    cfg = {"tracking": {"uri": uri}, "data": {"name": "fake"}}
    written = stages.public_params_file(cfg, tmp_path).read_text(encoding="utf-8")
    assert "s3cret" not in written and "mlflow.example.org" in written
    # The run itself is then logged with `cfg`: its URI must still be the one configured.
    assert cfg["tracking"]["uri"] == uri


def test_a_finished_command_ends_as_python_would_only_sooner(tmp_path):
    # stages.exit_now: exit handlers, threads still running, output to a pipe (buffered) and a
    # file left open in a reference cycle (which only the collector, frozen by exit_now, would
    # otherwise flush) all end as Python's own exit ends them.
    target = tmp_path / "left-open.txt"
    code = (
        "import atexit, threading, time\n"
        "from {{ cookiecutter.package_name }}.stages import exit_now\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        f"handle = open({str(target)!r}, 'w', encoding='utf-8')\n"
        "handle.write('written before the exit')\n"
        "cycle = [handle]\n"
        "cycle.append(cycle)\n"
        "def late():\n"
        "    time.sleep(0.2)\n"
        "    print('thread finished')\n"
        "threading.Thread(target=late).start()\n"
        "print('work done')\n"
        "exit_now()\n"
        "print('not reached')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["work done", "thread finished", "exit handler ran"]
    assert target.read_text(encoding="utf-8") == "written before the exit"
