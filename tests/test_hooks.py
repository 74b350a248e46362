"""The hooks, imported as plain modules (their Jinja sits only under `__main__`)."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

import skunkworks_template_jinja as extensions
from harness import REPO

GOOD = {
    "project_name": "Sepsis Early Warning",
    "project_slug": "sepsis-early-warning",
    "package_name": "sepsis_early_warning",
    "author_email": "ada@example.org",
}


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pre_gen():
    return _load("pre_gen_project")


@pytest.fixture(scope="module")
def post_gen():
    return _load("post_gen_project")


def test_pre_gen_accepts_good_answers(pre_gen):
    assert pre_gen.main(GOOD, extensions.validator_path()) is None


def test_pre_gen_returns_one_line_for_a_bad_answer(pre_gen):
    message = pre_gen.main({**GOOD, "project_slug": "../escape"}, extensions.validator_path())
    assert message == (
        "ERROR: Invalid project_slug: must not contain a path separator or '..' (got '../escape')"
    )


def test_validator_is_found_in_the_source_checkout():
    assert Path(extensions.validator_path()) == REPO / "src" / "skunkworks_poc" / "validate.py"


def _git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def test_post_gen_makes_a_repository_with_everything_staged(post_gen, tmp_path):
    (tmp_path / "README.md").write_text("hello\n", encoding="utf-8")
    post_gen.main(True, tmp_path)
    assert _git(tmp_path, "branch", "--show-current").strip() == "main"
    assert _git(tmp_path, "status", "--porcelain").splitlines() == ["A  README.md"]
    assert _git(tmp_path, "rev-list", "--all") == "", "nothing is committed for the user"


def test_post_gen_is_idempotent(post_gen, tmp_path):
    (tmp_path / "a.txt").write_text("a\n", encoding="utf-8")
    post_gen.main(True, tmp_path)
    (tmp_path / "b.txt").write_text("b\n", encoding="utf-8")
    post_gen.main(True, tmp_path)
    assert _git(tmp_path, "status", "--porcelain").splitlines() == ["A  a.txt", "A  b.txt"]


def test_post_gen_without_git_init_leaves_no_repository(post_gen, tmp_path):
    post_gen.main(False, tmp_path)
    assert not (tmp_path / ".git").exists()


def test_post_gen_drops_only_the_empty_config_groups(post_gen, tmp_path):
    (tmp_path / "conf" / "model").mkdir(parents=True)
    (tmp_path / "conf" / "data").mkdir()
    (tmp_path / "conf" / "data" / "fake.yaml").write_text("name: fake\n")
    (tmp_path / "notebooks").mkdir()
    post_gen.main(False, tmp_path)
    post_gen.main(False, tmp_path)  # cruft runs hooks again
    assert sorted(p.name for p in (tmp_path / "conf").iterdir()) == ["data"]
    assert (tmp_path / "notebooks").is_dir()  # only conf/ groups are the flavour's to drop


def test_post_gen_warns_when_git_is_missing(post_gen, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(post_gen.shutil, "which", lambda name: None)
    post_gen.main(True, tmp_path)
    assert "git was not found" in capsys.readouterr().err
    assert not (tmp_path / ".git").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('St Mary\'s & Zoë "QA" PoC — Sepsis', "st-marys-zoe-qa-poc-sepsis"),
        ("Renal Health (AKI) Prediction", "renal-health-aki-prediction"),
        ("Guy\u2019s Bed Allocation", "guys-bed-allocation"),
    ],
)
def test_slug_filter(name, expected):
    assert extensions.slug(name) == expected


def test_slug_of_a_long_name_is_cut_at_a_word_boundary_within_the_limit():
    from skunkworks_poc.validate import MAX_NAME, validate

    name = "Renal Health Acute Kidney Injury Early Warning For Adult Inpatients " * 3
    slug = extensions.slug(name)
    assert len(slug) <= MAX_NAME
    assert slug == "renal-health-acute-kidney-injury-early-warning-for-adult"
    assert extensions.slug("x" * 100) == "x" * MAX_NAME, "one long word is cut where it must"
    validate({"project_slug": slug, "package_name": slug.replace("-", "_")})


@pytest.mark.parametrize("value", ["plain", 'Zoë "QA" & O\'Brien — \\ end', "tab\tnewline\n"])
def test_quoted_filter_parses_as_toml_yaml_and_python(value):
    import tomllib

    import yaml

    text = extensions.quoted(value)
    assert tomllib.loads(f"v = {text}")["v"] == value
    assert yaml.safe_load(f"v: {text}")["v"] == value
    assert eval(text) == value
    assert "ë" not in value or "ë" in text, "accents stay readable"


def test_licence_table_has_one_row_per_choice():
    from harness import TEMPLATE_ANSWERS

    assert list(extensions.CODE_LICENCES) == TEMPLATE_ANSWERS["code_licence"]
    assert extensions.spdx("GPL-3.0") == "GPL-3.0-or-later"
    assert extensions.licence_name("Apache-2.0") == "Apache License 2.0"


def test_task_table_has_one_row_per_choice_and_the_same_keys():
    from harness import TEMPLATE_ANSWERS
    from skunkworks_poc.validate import TASKS

    assert list(extensions.TASKS) == TEMPLATE_ANSWERS["task"] == list(TASKS)
    assert TEMPLATE_ANSWERS["task"][0] == "tabular-classification", "the default flavour"
    keys = {frozenset(row) for row in extensions.TASKS.values()}
    assert len(keys) == 1, "every flavour answers every key"


@pytest.mark.parametrize(
    "value",
    [
        "Sepsis Early Warning",
        'St Mary\'s & Zoë "QA" PoC — Sepsis: Flags "early" & \'often\' \\',
        'Only "double" quotes',
        "Only 'single' quotes",
        "Equal ' and \" counts",
        "Ends with a backslash \\",
    ],
)
def test_python_string_is_what_ruff_format_writes(tmp_path, value):
    import sys

    source = tmp_path / "module.py"
    source.write_text(extensions.python_string(value) + "\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "--no-cache",
            "--isolated",
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert eval(extensions.python_string(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "Ångström & O'Brien <Data> Ltd",
        'St Mary\'s & Zoë "QA" PoC — Sepsis',
        "A *starred* _under_ `code` [link] name | with pipe \\ and backslash",
    ],
)
def test_md_filter_renders_as_typed_on_github_and_mkdocs(value):
    import html
    import re

    import markdown
    from markdown_it import MarkdownIt

    text = f"Supplier: {extensions.md(value)}"
    for rendered in (MarkdownIt("commonmark").render(text), markdown.markdown(text)):
        visible = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
        assert visible == f"Supplier: {value}", rendered
