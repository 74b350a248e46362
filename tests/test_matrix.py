"""Every option combination bakes into a project that parses, lints and passes its tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import pytest
import yaml

from harness import combination_id, option_matrix, text_files

MATRIX = option_matrix()
CORE_FILES = {
    ".gitignore",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "src/{package}/__init__.py",
    "tests/test_package.py",
}


def _files(project):
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


UNRENDERED = re.compile(r"\{\{|\{%|\{#|cookiecutter\.")


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_bake_renders_every_file_and_each_parses(bake, answers):
    project = bake(**answers)
    for path, text in text_files(project):
        assert not UNRENDERED.search(text), f"unrendered Jinja in {path}"
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yaml", ".yml", ".cff"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, str(path), "exec")


@pytest.mark.slow
@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_baked_project_installs_and_its_own_tests_pass(installed_shared, answers):
    env = installed_shared(**answers)
    result = env.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout and " failed" not in result.stdout


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_file_set_is_what_the_options_promise(bake, bake_shared, answers):
    project = bake(**answers)
    package = project.name.replace("-", "_")
    files = _files(project)
    assert {name.format(package=package) for name in CORE_FILES} <= files
    # No option adds or removes a file: choices change contents only.
    assert files == _files(bake_shared())
    assert (project / ".git").is_dir() is (answers["git_init"] == "yes")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={answers['min_python']}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + answers["min_python"].replace(
        ".", ""
    )


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_baked_python_is_ruff_clean(bake, answers):
    project = bake(**answers)
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
