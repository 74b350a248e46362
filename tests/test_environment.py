"""A supplier's first day with a real environment: `make setup` (`uv sync --locked` from the
shipped lock), a first commit, a first tracked run.

The rest of the suite installs baked projects on top of shared stacks (tests/harness.py);
this file makes the project's own `.venv` the way its README does, once, on the Python the
project declares.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from harness import (
    MissingInterpreter,
    declared_python,
    find_python,
    tool_env,
    toolkit_wheel,
    uv,
)
from tasks import use_local_toolkit

READ_TAGS = """
import json, sys
from mlflow import MlflowClient
run = MlflowClient(sys.argv[1]).get_run(sys.argv[2])
print(json.dumps(run.data.tags))
"""


def supplier_env(project: Path) -> dict[str, str]:
    """A shell as a supplier has it: uv on PATH, the project's `.venv/bin` too (as `uv run`
    does), PYTHONDONTWRITEBYTECODE set as in many containers and CI images, and no uv
    setting inherited from whoever runs the template's tests."""
    env = {
        key: value
        for key, value in tool_env([project / ".venv" / "bin", Path(uv()).parent]).items()
        if not key.startswith("UV_")
    }
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        UV_PYTHON=str(find_python(declared_python(project))),
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


def run(project: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        list(args),
        cwd=project,
        env=supplier_env(project),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-4000:]}\n"
        f"{result.stderr[-4000:]}"
    )
    return result


def test_setup_ci_and_dependabot_keep_to_the_lock(bake_shared):
    project = bake_shared()
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    # Where uv is installed (as in CI), `make setup` installs with `$(INSTALL)`, which is:
    uv_branch = makefile.split("\nelse ifneq ($(shell command -v uv", 1)[1].split("\nelse\n", 1)[0]
    assert "\nINSTALL ?= uv sync --locked --compile-bytecode\n" in uv_branch + "\n"
    setup = makefile.split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    assert "\t$(INSTALL)\n" in setup + "\n"
    for workflow in ("ci.yml", "docs.yml"):
        jobs = yaml.safe_load((project / ".github" / "workflows" / workflow).read_text("utf-8"))
        runs = [s.get("run") for job in jobs["jobs"].values() for s in job.get("steps", [])]
        assert "make setup" in runs  # the one install step, `uv sync --locked`
        assert not any("uv sync" in (r or "") and "--locked" not in r for r in runs)
    dependabot = yaml.safe_load((project / ".github" / "dependabot.yml").read_text("utf-8"))
    ecosystems = {update["package-ecosystem"] for update in dependabot["updates"]}
    assert ecosystems == {"uv", "github-actions"}  # `pip` would leave uv.lock behind


def test_a_missing_interpreter_is_named_not_skipped():
    with pytest.raises(MissingInterpreter, match=r"Python 3\.99 .*Install Python 3\.99"):
        find_python("3.99")


def run_tags(project: Path) -> dict[str, str]:
    """The tags of the MLflow run the pipeline's evaluate stage just logged."""
    info = json.loads((project / "metrics" / "mlflow_run.json").read_text(encoding="utf-8"))
    store = f"sqlite:///{project / 'mlflow.db'}"
    return json.loads(
        run(project, ".venv/bin/python", "-c", READ_TAGS, store, info["run_id"]).stdout
    )


@pytest.mark.slow
def test_first_day_setup_commit_and_run_is_clean(cookies_session, stack):
    """Bake, `make setup`, commit, `make pipeline-fake`: the run is tied to the commit and not
    dirty. `stack` first: its build fills uv's cache with the same locked wheels."""
    from conftest import _bake

    project = _bake(cookies_session, {})
    # The shipped lock names the toolkit's release on PyPI; this checkout's toolkit is not
    # released yet, so its wheel stands in (staged, as the bake staged the shipped lock).
    use_local_toolkit(project, toolkit_wheel())
    run(project, "git", "add", "uv.lock")
    run(project, "make", "setup")

    # `uv sync --locked` accepted the shipped lock and left it as it was: nothing to commit
    # but what the bake staged.
    status = run(project, "git", "status", "--porcelain", "--untracked-files=all").stdout
    assert all(line.startswith("A  ") for line in status.splitlines()), status
    assert "uv.lock" in status
    # Installed on the Python the project declares.
    version = run(project, ".venv/bin/python", "-c", "import sys; print(sys.version_info[:2])")
    assert version.stdout.strip() == str(tuple(map(int, declared_python(project).split("."))))
    # Bytecode compiled at set-up (`--compile-bytecode`), although PYTHONDONTWRITEBYTECODE is
    # set and no UV_COMPILE_BYTECODE is.
    site = next((project / ".venv" / "lib").glob("python3.*/site-packages"))
    for package in ("mlflow", "dvc", "sklearn", "hydra"):
        cached = list((site / package / "__pycache__").glob("__init__.*.pyc"))
        assert cached, f"no bytecode for {package} after `make setup`"
    sources = sum(1 for _ in site.rglob("*.py"))
    compiled = sum(1 for _ in site.rglob("*.pyc"))
    assert compiled >= 0.95 * sources, f"{compiled} .pyc for {sources} .py files"
    # ... once: `uv run` (every make target) does not compile the environment again.
    again = run(project, "uv", "run", "python", "-c", "pass")
    assert "Bytecode compiled" not in again.stderr, again.stderr

    # The supplier's first commit, through the hooks `make setup` installed.
    run(project, "git", "commit", "--quiet", "-m", "Start from the Skunkworks template")
    head = run(project, "git", "rev-parse", "HEAD").stdout.strip()
    # The README's first run: fake data, then the pipeline (which composes params.yaml anew).
    run(project, "make", "pipeline-fake")
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    assert params["data"]["name"] == "fake"
    tags = run_tags(project)
    assert tags["git.commit"] == head
    assert tags["git.dirty"] == "false", run(project, "git", "status", "--porcelain").stdout

    # Only what the pipeline writes is ignored: a changed source file still counts.
    source = project / "src" / project.name.replace("-", "_") / "evaluate.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# a local change\n", "utf-8")
    run(project, "make", "pipeline-fake")
    assert run_tags(project)["git.dirty"] == "true"
