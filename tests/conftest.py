from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flavours import READ_RUNS
from harness import (
    REPO,
    MissingInterpreter,
    ProjectEnv,
    build_stack,
    cache_root,
    committed_copy,
    declared_python,
    install_project,
    stack_requirements,
)


def _bake(cookies, answers: dict[str, str]) -> Path:
    result = cookies.bake(extra_context=answers, template=str(REPO))
    assert result.exception is None, f"bake failed for {answers}: {result.exception!r}"
    assert result.exit_code == 0
    return Path(result.project_path)


@pytest.fixture
def bake(cookies):
    """Bake a fresh project with these answers (defaults for the rest); its path."""
    return lambda **answers: _bake(cookies, answers)


@pytest.fixture(scope="session")
def bake_shared(cookies_session):
    """Bake once per session and answer set; callers must not modify the project."""
    baked: dict[tuple, Path] = {}

    def bake(**answers: str) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in baked:
            baked[key] = _bake(cookies_session, answers)
        return baked[key]

    return bake


@pytest.fixture(scope="session")
def stack_for():
    """The shared environment for a baked project: its own `uv.lock` installed on the Python
    it declares. A missing interpreter fails the test (CI has every supported Python)."""
    stacks: dict[tuple, Path] = {}

    def get(project: Path) -> Path:
        python = declared_python(project)
        requirements = stack_requirements(project)
        key = (python, *requirements)
        if key not in stacks:
            try:
                stacks[key] = build_stack(requirements, python)
            except MissingInterpreter as error:
                pytest.fail(str(error), pytrace=False)
        return stacks[key]

    return get


@pytest.fixture(scope="session")
def stack(bake_shared, stack_for) -> Path:
    """Prefix of the shared environment of the default bake."""
    return stack_for(bake_shared())


@pytest.fixture
def install(stack_for, tmp_path_factory):
    """Install a baked project into its own venv on top of its stack."""

    def install(project: Path) -> ProjectEnv:
        return install_project(project, stack_for(project), tmp_path_factory.mktemp("venv"))

    return install


@pytest.fixture(scope="session")
def installed_shared(bake_shared, stack_for, tmp_path_factory):
    """Bake and install once per session and answer set: a `ProjectEnv` to share.

    Tests may run commands in it, but must leave it as they would want to find it:
    tests that change tracked files bake their own project with `bake` + `install`. It is a
    copy of the shared bake: what its commands write (an image project's digits, written out
    on first read) must not reach the bake that the file-set tests read.
    """
    installed: dict[tuple, ProjectEnv] = {}

    def get(**answers: str) -> ProjectEnv:
        key = tuple(sorted(answers.items()))
        if key not in installed:
            baked = bake_shared(**answers)
            project = tmp_path_factory.mktemp("installed") / baked.name
            shutil.copytree(baked, project, symlinks=True)
            installed[key] = install_project(
                project, stack_for(project), tmp_path_factory.mktemp("venv")
            )
        return installed[key]

    return get


@pytest.fixture(scope="session")
def empty_store(installed_shared) -> Path:
    """An MLflow sqlite store, copied per test. Its migrations take 10-20 s: it is made once
    per stack (whose MLflow it is) in the test cache, for every worker and session, under a
    lock, and written under another name until it is whole."""
    from filelock import FileLock

    env = installed_shared()
    path = cache_root() / f"mlflow-empty-{env.stack.name}.db"
    with FileLock(str(path.with_suffix(".lock"))):
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            env.python_run("-c", READ_RUNS, f"sqlite:///{partial}", timeout=120)
            partial.rename(path)
    return path


@pytest.fixture
def mlflow_store(empty_store):
    """Copy the empty store to `folder/mlflow.db` (the default store when `folder` is a
    project's root); its path."""

    def copy(folder: Path) -> Path:
        store = folder / "mlflow.db"
        shutil.copyfile(empty_store, store)
        return store

    return copy


@pytest.fixture
def own_install(bake_shared, stack_for, tmp_path):
    """A committed copy of the shared bake for these answers, installed in its own venv: unlike
    `writable_copy`'s, its package is imported from the copy itself. Its environment and its
    package's name."""

    def install(**answers: str) -> tuple[ProjectEnv, str]:
        baked = bake_shared(**answers)
        return committed_copy(baked, stack_for(baked), tmp_path)

    return install
