"""Every option combination bakes into a project that parses, lints and passes its tests."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml
from harness import combination_id, option_matrix, text_files

MATRIX = option_matrix()
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
