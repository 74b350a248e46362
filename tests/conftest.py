from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from harness import REPO, ProjectEnv, build_stack, cache_root, install_project, stack_requirements


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
def stack(bake_shared) -> Path:
    """Prefix of the shared environment holding every baked project's dependencies."""
    requirements = stack_requirements(bake_shared())
    with FileLock(str(cache_root() / "stack.lock")):
        return build_stack(requirements)


@pytest.fixture
def install(stack, tmp_path_factory):
    """Install a baked project into its own venv on top of the stack."""

    def install(project: Path) -> ProjectEnv:
        return install_project(project, stack, tmp_path_factory.mktemp("venv"))

    return install


@pytest.fixture(scope="session")
def installed_shared(bake_shared, stack, tmp_path_factory):
    """Bake and install once per session and answer set: a `ProjectEnv` to share.

    Tests may run commands in it, but must leave it as they would want to find it:
    tests that change tracked files bake their own project with `bake` + `install`.
    """
    installed: dict[tuple, ProjectEnv] = {}

    def get(**answers: str) -> ProjectEnv:
        key = tuple(sorted(answers.items()))
        if key not in installed:
            project = bake_shared(**answers)
            installed[key] = install_project(project, stack, tmp_path_factory.mktemp("venv"))
        return installed[key]

    return get
