"""The prompt rules, one by one (fast: no baking)."""

from __future__ import annotations

import pytest

from harness import TEMPLATE_ANSWERS
from skunkworks_poc.validate import (
    CODE_LICENCES,
    RULES,
    SUPPORTED_PYTHONS,
    InvalidAnswer,
    problems,
    validate,
)

GOOD = {
    "project_name": 'St Mary\'s & Zoë "QA" PoC — Sepsis',
    "project_slug": "st-marys-zoe-qa-poc-sepsis",
    "package_name": "st_marys_zoe_qa_poc_sepsis",
    "description": "Predicts sepsis — early.",
    "organisation": "NHS England",
    "supplier_name": "O'Brien & Partners",
    "author_name": "Zoë O'Brien",
    "author_email": "zoe.obrien@nhs.net",
    "github_owner": "nhsengland",
    "code_licence": "MIT",
    "min_python": "3.11",
    "git_init": True,
}


def test_good_answers_pass():
    assert problems(GOOD) == []
    validate(GOOD)


def test_rules_cover_every_prompt_of_the_template():
    prompts = {key for key in TEMPLATE_ANSWERS if not key.startswith("_")}
    ruled = {rule.field for rule in RULES}
    assert prompts - ruled == {"copyright_holder"} or prompts - ruled == set()
    assert ruled <= prompts


def test_option_lists_match_the_template():
    assert tuple(TEMPLATE_ANSWERS["code_licence"]) == CODE_LICENCES
    assert sorted(TEMPLATE_ANSWERS["min_python"]) == list(SUPPORTED_PYTHONS)
    assert TEMPLATE_ANSWERS["min_python"][0] == "3.11", "default minimum Python is 3.11"


BAD = [
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "x" * 201, "at most 200 characters"),
    ("project_name", "two\nlines", "single line"),
    ("project_name", "tab\there", "single line"),
    ("project_name", "{{ 7 * 7 }}", "template syntax"),
    ("project_name", "{% if %}", "template syntax"),
    ("project_slug", "", "must not be empty"),
    ("project_slug", "../escape", "path separator or '..'"),
    ("project_slug", "a/b", "path separator"),
    ("project_slug", "a\\b", "path separator"),
    ("project_slug", "..", "'..'"),
    ("project_slug", "Sepsis", "lowercase letters and digits"),
    ("project_slug", "sepsis_ews", "lowercase letters and digits"),
    ("project_slug", "-sepsis", "single hyphens"),
    ("project_slug", "sepsis--ews", "single hyphens"),
    ("project_slug", "sepsis ews", "lowercase letters and digits"),
    ("package_name", "1sepsis", "not starting with a digit"),
    ("package_name", "sepsis-ews", "Python identifier"),
    ("package_name", "Sepsis", "lowercase Python identifier"),
    ("package_name", "class", "Python keyword"),
    ("package_name", "match", "Python keyword"),
    ("package_name", "test", "shadow the module 'test'"),
    ("package_name", "mlflow", "shadow the module 'mlflow'"),
    ("package_name", "hydra", "shadow"),
    ("package_name", "dvc", "shadow"),
    ("package_name", "sklearn", "shadow"),
    ("author_email", "not-an-email", "name@example.org"),
    ("author_email", "a@b", "name@example.org"),
    ("author_email", "a b@example.org", "name@example.org"),
    ("author_email", "", "name@example.org"),
    ("github_owner", "nhs england", "GitHub user or organisation"),
    ("github_owner", "-nhs", "GitHub user or organisation"),
    ("github_owner", "x" * 40, "at most 39"),
    ("code_licence", "BSD-3-Clause", "one of MIT, Apache-2.0, GPL-3.0"),
    ("min_python", "3.9", "one of 3.10, 3.11, 3.12, 3.13"),
    ("min_python", "3.14", "one of 3.10"),
    ("git_init", "maybe", "yes or no"),
]


@pytest.mark.parametrize(("field", "value", "rule"), BAD, ids=lambda v: repr(v)[:30])
def test_each_bad_answer_names_its_field_and_rule(field, value, rule):
    with pytest.raises(InvalidAnswer) as caught:
        validate({**GOOD, field: value})
    message = str(caught.value)
    assert message.startswith(f"Invalid {field}: ")
    assert rule in message
    assert "\n" not in message


def test_problems_lists_every_broken_rule_in_prompt_order():
    found = problems({**GOOD, "author_email": "x", "project_slug": "X"})
    assert [p.field for p in found] == ["project_slug", "author_email"]


@pytest.mark.parametrize("value", [True, False, "yes", "no", "y", "n", "true", "false"])
def test_git_init_accepts_yes_no_spellings(value):
    validate({**GOOD, "git_init": value})
