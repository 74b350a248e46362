"""Names with accents, apostrophes, quotes, ampersands and dashes bake into files that parse.

Answers reach the template two ways, and cookiecutter treats them differently: values
given as extra context (`--no-input`, `skunkworks new key=value`) are rendered by Jinja,
values typed at a prompt are not. Both paths are exercised.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pexpect
import pytest

from harness import REPO, TEMPLATE_ANSWERS, assert_renders_and_parses

TRICKY = {
    "project_name": 'St Mary\'s & Zoë "QA" PoC — Sepsis',
    "description": (
        "Flags patients at risk of sepsis — \"early\" & 'often'; ends with a backslash \\"
    ),
    "organisation": "Guy's & St Thomas' NHS Foundation Trust",
    "copyright_holder": "Crown copyright (c) 2026 Guy's & St Thomas' — \"GSTT\"",
    "supplier_name": "Ångström & O'Brien <Data> Ltd",
    "author_name": 'Zoë O\'Brien-Ngọc "Zed"',
    "author_email": "zoe.o'brien@example.org",
}
LONG_NAME = "A Very Long Proof Of Concept Name " * 5


def _assert_every_file_parses(project: Path) -> None:
    assert assert_renders_and_parses(project) >= 5


def _assert_values_round_trip(project: Path, answers: dict[str, str]) -> None:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == answers["description"]
    [author] = pyproject["project"]["authors"]
    assert author == {"name": answers["author_name"], "email": answers["author_email"]}
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"# NHS AI Lab Skunkworks project: {answers['project_name']}" in readme


def test_tricky_values_given_as_context_parse_everywhere(bake):
    project = bake(**TRICKY)
    assert project.name == "st-marys-zoe-qa-poc-sepsis"
    assert (project / "src" / "st_marys_zoe_qa_poc_sepsis").is_dir()
    _assert_every_file_parses(project)
    _assert_values_round_trip(project, TRICKY)


def test_long_name_derives_a_valid_slug_and_parses(bake):
    project = bake(project_name=LONG_NAME.strip())
    assert project.name.startswith("a-very-long-proof-of-concept-name")
    _assert_every_file_parses(project)


@pytest.mark.slow
def test_tricky_project_lints_and_passes_its_tests(bake, install):
    project = bake(**TRICKY)
    env = install(project)
    env.run("ruff", "check", ".")
    env.run("ruff", "format", "--check", ".")
    result = env.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout and " failed" not in result.stdout


def _spawn_cookiecutter(out: Path) -> pexpect.spawn:
    """Plain cookiecutter at its interactive prompts, in a terminal wide enough for them."""
    return pexpect.spawn(
        str(Path(sys.executable).parent / "cookiecutter"),
        [str(REPO), "-o", str(out)],
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 250),
    )


def _answer_prompts(child: pexpect.spawn, answers: dict[str, str]) -> None:
    """Answer cookiecutter's prompts in order; Enter keeps a default."""
    prompts = TEMPLATE_ANSWERS["__prompts__"]
    for key in (k for k in TEMPLATE_ANSWERS if not k.startswith("_")):
        prompt = prompts[key]["__prompt__"] if isinstance(prompts[key], dict) else prompts[key]
        child.expect_exact(prompt.split("(")[0].strip()[:40])
        child.sendline(answers.get(key, ""))


def test_typed_values_are_not_rendered_and_parse_everywhere(tmp_path):
    typed = {**TRICKY, "description": "Uses {braces} and 50% of $HOME"}
    child = _spawn_cookiecutter(tmp_path)
    _answer_prompts(child, typed)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    project = tmp_path / "st-marys-zoe-qa-poc-sepsis"
    _assert_every_file_parses(project)
    _assert_values_round_trip(project, typed)


@pytest.mark.parametrize(
    ("field", "typed", "rule"),
    [
        ("description", "{{ 7 * 7 }}", "must not contain template syntax"),
        (
            "copyright_holder",
            "{{ lipsum.__globals__['os'].getcwd() }}",
            "must not contain template syntax",
        ),
        ("copyright_holder", "{{", "must not contain template syntax"),
        ("project_name", "Sepsis \u202eSWE", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("package_name", "email", "shadow the module 'email'"),
    ],
    ids=["description", "copyright-lipsum", "copyright-stray", "bidi", "shadow"],
)
def test_typed_bad_answers_are_refused_before_writing(tmp_path, field, typed, rule):
    """Typed answers are not rendered by cookiecutter; the template refuses them itself
    before the project folder is created."""
    child = _spawn_cookiecutter(tmp_path)
    _answer_prompts(child, {field: typed})
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    errors = [line for line in child.before.splitlines() if "Invalid" in line]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR: Invalid {field}: ")
    assert rule in errors[0]
    assert "Traceback" not in child.before
    assert list(tmp_path.iterdir()) == []
