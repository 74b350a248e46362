"""Every rule an answer to the template's prompts must follow.

This module is the single source of truth for those rules. It is imported by the
companion CLI (to refuse bad answers before cookiecutter creates anything) and loaded by
file path from ``hooks/pre_gen_project.py`` (so plain ``cookiecutter`` and ``cruft``
enforce the same rules without the companion package installed). It must therefore use
the standard library only and have no side effects at import.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
CODE_LICENCES = ("MIT", "Apache-2.0", "GPL-3.0")

# Package names that would shadow a module the generated project imports, or a name
# that tools treat specially (pytest collects `test`/`tests`, `src` is the layout).
RESERVED_PACKAGE_NAMES = frozenset(
    {
        "test",
        "tests",
        "src",
        "conf",
        "data",
        "docs",
        "mlflow",
        "hydra",
        "omegaconf",
        "dvc",
        "sklearn",
        "scikit_learn",
        "numpy",
        "pandas",
        "pyarrow",
        "matplotlib",
        "scipy",
        "joblib",
        "pytest",
        "setuptools",
        "pip",
        "typing",
        "logging",
        "json",
        "random",
        "string",
        "site",
        "os",
        "sys",
        "io",
        "re",
        "time",
        "math",
        "collections",
        "abc",
    }
)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
# Deliberately simple: one @, no spaces, a dot in the domain. Catches typos without
# rejecting real addresses (RFC 5322 allows far more than any supplier will use).
_EMAIL = re.compile(r"[^@\s<>\"{}]+@[^@\s<>\"{}]+\.[A-Za-z0-9-]{2,}")
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_MAX_TEXT = 200
_JINJA_MARKERS = ("{{", "{%", "{#")


class InvalidAnswer(ValueError):
    """An answer breaks a rule; ``str()`` is the one-line message for the user."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"Invalid {field}: {rule}")


@dataclass(frozen=True)
class Rule:
    field: str
    check: Callable[[str], str | None]
    """Returns None when the value is fine, else the rule it breaks (with the value)."""


def _text(value: str, *, required: bool = True) -> str | None:
    if required and not value.strip():
        return "must not be empty"
    if len(value) > _MAX_TEXT:
        return f"must be at most {_MAX_TEXT} characters (got {len(value)})"
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        return "must be a single line without tabs or control characters"
    if any(marker in value for marker in _JINJA_MARKERS):
        return "must not contain template syntax ({{, {% or {#)"
    return None


def check_project_name(value: str) -> str | None:
    return _text(value)


def check_project_slug(value: str) -> str | None:
    if not value:
        return "must not be empty"
    if "/" in value or "\\" in value or ".." in value:
        return f"must not contain a path separator or '..' (got {value!r})"
    if not _SLUG.fullmatch(value):
        return (
            "must be lowercase letters and digits separated by single hyphens, "
            f"e.g. 'sepsis-early-warning' (got {value!r})"
        )
    return None


def check_package_name(value: str) -> str | None:
    if not _IDENTIFIER.fullmatch(value):
        return (
            "must be a lowercase Python identifier: letters, digits and underscores, "
            f"not starting with a digit (got {value!r})"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"must not be a Python keyword (got {value!r})"
    if value in RESERVED_PACKAGE_NAMES:
        return f"must not shadow the module {value!r}; choose a project-specific name"
    return None


def check_email(value: str) -> str | None:
    if not _EMAIL.fullmatch(value):
        return f"must look like name@example.org (got {value!r})"
    return None


def check_github_owner(value: str) -> str | None:
    if not _GITHUB_OWNER.fullmatch(value):
        return (
            "must be a GitHub user or organisation name: letters, digits and single "
            f"hyphens, at most 39 characters (got {value!r})"
        )
    return None


def _one_of(options: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value not in options:
            return f"must be one of {', '.join(options)} (got {value!r})"
        return None

    return check


def check_yes_no(value: object) -> str | None:
    if isinstance(value, bool) or str(value).lower() in {
        "yes",
        "no",
        "true",
        "false",
        "y",
        "n",
        "1",
        "0",
    }:
        return None
    return f"must be yes or no (got {value!r})"


RULES: tuple[Rule, ...] = (
    Rule("project_name", check_project_name),
    Rule("project_slug", check_project_slug),
    Rule("package_name", check_package_name),
    Rule("description", _text),
    Rule("organisation", _text),
    Rule("supplier_name", _text),
    Rule("author_name", _text),
    Rule("author_email", check_email),
    Rule("github_owner", check_github_owner),
    Rule("code_licence", _one_of(CODE_LICENCES)),
    Rule("min_python", _one_of(SUPPORTED_PYTHONS)),
    Rule("git_init", check_yes_no),
)


def problems(answers: Mapping[str, object]) -> list[InvalidAnswer]:
    """All broken rules, in prompt order. Missing fields are not checked."""
    found = []
    for rule in RULES:
        if rule.field not in answers:
            continue
        value = answers[rule.field]
        broken = rule.check(value if rule.field == "git_init" else str(value))
        if broken:
            found.append(InvalidAnswer(rule.field, broken))
    return found


def validate(answers: Mapping[str, object]) -> None:
    """Raise the first broken rule, in prompt order."""
    found = problems(answers)
    if found:
        raise found[0]
