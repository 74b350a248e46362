"""The prompt rules, one by one (fast: no baking)."""

from __future__ import annotations

import pytest

from harness import TEMPLATE_ANSWERS
from skunkworks_poc.validate import (
    CODE_LICENCES,
    MAX_NAME,
    PROJECT_FOLDERS,
    RULES,
    STACK_MODULES,
    SUPPORTED_PYTHONS,
    TEMPLATE_SYNTAX,
    InvalidAnswer,
    check_given_answers,
    check_output_dir,
    problems,
    validate,
)

GOOD = {
    "project_name": 'St Mary\'s & Zoë "QA" PoC — Sepsis',
    "project_slug": "st-marys-zoe-qa-poc-sepsis",
    "package_name": "st_marys_zoe_qa_poc_sepsis",
    "description": "Predicts sepsis — early.",
    "organisation": "NHS England",
    "copyright_holder": "Crown copyright (c) 2026 NHS England",
    "supplier_name": "O'Brien & Partners",
    "author_name": "Zoë O'Brien",
    "author_email": "zoe.obrien@nhs.net",
    "github_owner": "nhsengland",
    "task": "tabular-regression",
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
    assert prompts == ruled, "every prompt has a rule (free text included)"


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
    (
        "task",
        "survival-analysis",
        "one of tabular-classification, tabular-regression, text-classification",
    ),
    ("min_python", "3.9", "one of 3.10, 3.11, 3.12, 3.13"),
    ("min_python", "3.14", "one of 3.10"),
    ("git_init", "maybe", "yes or no"),
    # Template syntax: cookiecutter would evaluate it (issue 11, item 7).
    ("copyright_holder", "{{ lipsum.__globals__['os'].getcwd() }}", "template syntax"),
    ("copyright_holder", "{{", "template syntax"),
    ("copyright_holder", "", "must not be empty"),
    ("copyright_holder", "c" * 201, "at most 200 characters"),
    ("description", "{# comment #}", "template syntax"),
    ("project_slug", "{{ x }}", "template syntax"),
    ("package_name", "{{ x }}", "template syntax"),
    ("author_email", "{{x}}@example.org", "template syntax"),
    ("github_owner", "{%raw%}", "template syntax"),
    # Invisible, direction-changing and non-plain space characters (item 8).
    ("project_name", "Sepsis \u202eSWE", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("project_name", "Sepsis\u2066 EWS", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("project_name", "Sep\u200bsis", "U+200B ZERO WIDTH SPACE"),
    ("project_name", "\ufeffSepsis", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("project_name", "Sep\u00adsis", "U+00AD SOFT HYPHEN"),
    ("project_name", "Sepsis\u3164", "U+3164 HANGUL FILLER"),
    ("project_name", "Sepsis\ue000", "U+E000"),
    ("project_name", "two\u2028lines", "invisible or direction-changing"),
    ("project_name", "no\u00a0break", "plain spaces only (found U+00A0 NO-BREAK SPACE)"),
    ("project_name", "bell\x07", "control characters"),
    ("description", "\u202e", "invisible or direction-changing"),
    ("organisation", "NHS\u200dEngland", "invisible or direction-changing"),
    ("copyright_holder", "(c) 2026 \u202eNHS", "invisible or direction-changing"),
    ("supplier_name", "Supplier\u2067", "invisible or direction-changing"),
    ("author_name", "Ada\u202e", "invisible or direction-changing"),
    ("author_email", "ada\u202e@example.org", "invisible or direction-changing"),
    ("github_owner", "nhs\u202eengland", "invisible or direction-changing"),
    # Module names the project or its stack imports (item 8).
    ("package_name", "email", "shadow the module 'email' of Python's standard library"),
    ("package_name", "csv", "shadow the module 'csv' of Python's standard library"),
    ("package_name", "tomllib", "shadow the module 'tomllib'"),
    ("package_name", "yaml", "shadow the module 'yaml' that the project's dependencies"),
    ("package_name", "skops", "shadow the module 'skops' that the project's dependencies"),
    ("package_name", "packaging", "shadow the module 'packaging' that the project's"),
    ("package_name", "click", "shadow the module 'click' that the project's dependencies"),
    ("package_name", "pil", "shadow the module 'pil'"),
    ("package_name", "data", "the project has a folder of that name"),
    ("package_name", "notebooks", "the project has a folder of that name"),
    ("package_name", "__main__", "not starting with a digit or an underscore"),
    ("package_name", "_private", "not starting with a digit or an underscore"),
    # Windows device names (item 8).
    ("project_slug", "con", "Windows reserves for a device"),
    ("project_slug", "nul", "Windows reserves for a device"),
    ("project_slug", "com1", "Windows reserves for a device"),
    ("project_slug", "lpt9", "Windows reserves for a device"),
    ("package_name", "aux", "Windows reserves for a device"),
    ("package_name", "prn", "Windows reserves for a device"),
    ("package_name", "com0", "Windows reserves for a device"),
    ("package_name", "lpt1", "Windows reserves for a device"),
    # Lengths that break file systems (item 8).
    ("package_name", "p" * 300, f"at most {MAX_NAME} characters (got 300)"),
    ("package_name", "p" * (MAX_NAME + 1), "Windows path-length limits"),
    ("project_slug", "s" * 300, f"at most {MAX_NAME} characters (got 300)"),
    ("project_slug", "s" * (MAX_NAME + 1), "file-name"),
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


@pytest.mark.parametrize(
    "field",
    [
        "project_name",
        "project_slug",
        "package_name",
        "description",
        "organisation",
        "copyright_holder",
        "supplier_name",
        "author_name",
        "author_email",
        "github_owner",
    ],
)
@pytest.mark.parametrize("syntax", ["{{ 7 * 7 }}", "x {% if 1 %}", "{# x #}", "{{"])
def test_every_free_text_answer_refuses_template_syntax(field, syntax):
    with pytest.raises(InvalidAnswer) as caught:
        validate({**GOOD, field: syntax})
    assert str(caught.value) == f"Invalid {field}: {TEMPLATE_SYNTAX}"


@pytest.mark.parametrize(
    "name", ["Con", "CON", "con.txt", "NUL.tar.gz", "Com1.py", "lpt\u00b9", "aux "]
)
def test_windows_device_names_are_refused_in_any_case_and_with_extensions(name):
    from skunkworks_poc.validate import _windows_reserved

    assert "Windows reserves" in _windows_reserved(name)


@pytest.mark.parametrize("name", ["console", "nullable", "com10", "lpt", "auxiliary"])
def test_names_that_merely_start_like_device_names_are_fine(name):
    validate({**GOOD, "project_slug": name, "package_name": name})


def test_names_up_to_the_length_limit_are_fine():
    validate({**GOOD, "project_slug": "s" * MAX_NAME, "package_name": "p" * MAX_NAME})


def test_every_standard_library_module_is_refused():
    import sys

    for name in sys.stdlib_module_names:
        if name.isidentifier() and name == name.lower() and not name.startswith("_"):
            assert problems({"package_name": name}), name


def test_given_answers_keep_derived_defaults_and_refuse_syntax_elsewhere():
    defaults = {key: value for key, value in TEMPLATE_ANSWERS.items()}
    # The template's own defaults derive answers with Jinja: they must keep working.
    check_given_answers(defaults, defaults)
    assert "{{ cookiecutter.__year }}" in defaults["copyright_holder"]
    check_given_answers({**defaults, "copyright_holder": "(c) 2026 NHS"}, defaults)
    for field in ("copyright_holder", "project_slug", "__year", "organisation"):
        with pytest.raises(InvalidAnswer, match=f"^Invalid {field}: must not contain template"):
            check_given_answers({**defaults, field: "{{ 7 * 7 }}"}, defaults)
    # Private variables (`_extensions`, `_output_dir`...) are cookiecutter's, not answers.
    check_given_answers({**defaults, "_template": "{{ odd path }}"}, defaults)


def test_output_dir_that_can_be_created_is_fine_and_the_check_writes_nothing(tmp_path):
    assert check_output_dir(tmp_path) is None
    assert check_output_dir(tmp_path / "new" / "deeper") is None
    assert list(tmp_path.iterdir()) == []


def test_output_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    assert check_output_dir(tmp_path / "file") == f"{tmp_path / 'file'} is a file, not a folder"
    assert check_output_dir(tmp_path / "file" / "sub") == (
        f"{tmp_path / 'file'} is a file, so the folder {tmp_path / 'file' / 'sub'} "
        "cannot be created"
    )


def test_output_dir_with_template_syntax_is_refused(tmp_path):
    assert "template syntax" in check_output_dir(tmp_path / "{{ x }}")


def test_project_folders_cover_the_template_folders():
    """A package named like a top-level folder of the project would be shadowed by it."""
    from harness import REPO

    template = REPO / "{{cookiecutter.project_slug}}"
    folders = {p.name for p in template.iterdir() if p.is_dir() and p.name.isidentifier()}
    assert folders, "the template has top-level folders"
    assert folders <= PROJECT_FOLDERS, folders - PROJECT_FOLDERS


def _one_flavour_per_lock() -> list[str]:
    """A task flavour installing each shipped lock (flavours sharing a lock share a stack)."""
    from skunkworks_template_jinja import TASKS

    firsts: dict[str, str] = {}
    for task in TEMPLATE_ANSWERS["task"]:
        firsts.setdefault(TASKS[task]["lock"], task)
    return list(firsts.values())


@pytest.mark.slow
@pytest.mark.parametrize("task", _one_flavour_per_lock())
def test_stack_modules_cover_every_module_the_generated_project_installs(
    bake_shared, stack_for, task
):
    """Every top-level import name in the environment built from a baked project's
    dependencies (and dev tools), whichever lock its flavour installs, is refused as a package
    name. When a stack changes, this fails with the names to add to `STACK_MODULES` in
    validate.py."""
    import json

    stack = stack_for(bake_shared(task=task))
    import re
    import subprocess

    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps(sorted(m.packages_distributions())))"
    )
    result = subprocess.run(
        [str(stack / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    installed = {
        name.lower()
        for name in json.loads(result.stdout)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)
    }
    assert {"mlflow", "yaml", "skops", "packaging", "sklearn", "hydra"} <= installed
    missing = sorted(installed - STACK_MODULES)
    assert not missing, f"add to STACK_MODULES in src/skunkworks_poc/validate.py: {missing}"
