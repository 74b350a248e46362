"""Every option combination bakes into a project that parses, lints and passes its tests."""

from __future__ import annotations

import itertools
import subprocess
import sys
import tomllib

import pytest

from harness import (
    CHOICES,
    assert_renders_and_parses,
    code_matrix,
    combination_id,
    declared_python,
    find_python,
    option_matrix,
    stack_python,
    tool_env,
    uv,
)

MATRIX = option_matrix()
CODE_MATRIX = code_matrix()
CORE_FILES = {
    ".gitignore",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "uv.lock",
    "src/{package}/__init__.py",
    "tests/test_package.py",
}


def _files(project):
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_bake_renders_every_file_and_each_parses(bake_shared, answers):
    assert assert_renders_and_parses(bake_shared(**answers)) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("answers", CODE_MATRIX, ids=combination_id)
def test_baked_project_installs_and_its_own_tests_pass(installed_shared, answers):
    env = installed_shared(**answers)
    result = env.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout and " failed" not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("answers", CODE_MATRIX, ids=combination_id)
def test_baked_project_is_tested_on_the_python_it_declares(installed_shared, answers):
    env = installed_shared(**answers)
    assert stack_python(env.stack) == answers["min_python"]
    result = env.python_run("-c", "import sys; print('%d.%d' % sys.version_info[:2])")
    assert result.stdout.strip() == answers["min_python"]


@pytest.mark.parametrize(
    ("task", "min_python"), list(itertools.product(CHOICES["task"], CHOICES["min_python"]))
)
def test_shipped_lock_matches_the_baked_pyproject(bake_shared, task, min_python):
    """The uv.lock a project ships is current for its pyproject.toml (offline: a current lock
    needs no index), for every flavour: flavours sharing a lock must share its dependencies.
    If this fails, run `python3 tasks.py lock` and commit the locks."""
    project = bake_shared(task=task, min_python=min_python)
    assert declared_python(project) == min_python
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert f'requires-python = ">={min_python}"' in lock
    assert f'name = "{project.name}"' in lock
    result = subprocess.run(
        [uv(), "lock", "--check", "--offline", "--python", str(find_python(min_python))],
        cwd=project,
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert result.returncode == 0, (
        "the template's uv.lock is stale: run `python3 tasks.py lock`\n" + result.stderr
    )


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_file_set_is_what_the_options_promise(bake_shared, answers):
    project = bake_shared(**answers)
    package = project.name.replace("-", "_")
    files = _files(project)
    assert {name.format(package=package) for name in CORE_FILES} <= files
    # No option but the task flavour adds or removes a file: choices change contents only.
    assert files == _files(bake_shared(task=answers["task"]))
    assert (project / ".git").is_dir() is (answers["git_init"] == "yes")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={answers['min_python']}"
    # Ruff takes its target from requires-python (repo-review RF002: no second place to update).
    assert "target-version" not in pyproject["tool"]["ruff"]


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_baked_python_is_ruff_clean(bake_shared, answers):
    project = bake_shared(**answers)
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
