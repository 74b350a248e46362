"""Every rule an answer to the template's prompts must follow.

This module is the single source of truth for those rules. It is imported by the
companion CLI (to refuse bad answers before cookiecutter creates anything) and loaded by
file path from ``hooks/pre_gen_project.py`` (so plain ``cookiecutter`` and ``cruft``
enforce the same rules without the companion package installed). It must therefore use
the standard library only and have no side effects at import.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
CODE_LICENCES = ("MIT", "Apache-2.0", "GPL-3.0")
# The task flavours a project can be baked as (docs/design.md, "Task flavours"): only the
# flavours that are built and tested are offered.
TASKS = (
    "tabular-classification",
    "tabular-regression",
    "text-classification",
    "image-classification",
    "data-discovery",
    "experiment",
    "forecasting",
)

# Package names that would shadow a module the generated project or its stack imports.
# A package lives in `src/<name>/`, on `sys.path` when the project is installed, so a
# package called `email` or `yaml` is found instead of the real module by every library
# that imports it (`No module named 'email.train'`, or a broken `mlflow`).
#
# 1. The standard library, as the running Python lists it, plus modules that newer
#    Pythons the project may run on have and older generators' Pythons do not.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"tomllib"}

# 2. Every top-level import name installed with the generated project (its dependencies,
#    their dependencies and its dev tools), lower-cased because Windows and macOS file
#    systems ignore case (`pil` shadows `PIL`). Generated from the test stack, which is
#    built from a baked `pyproject.toml`: `tests/test_validate.py::
#    test_stack_modules_cover_every_module_the_generated_project_installs` fails and prints
#    the missing names when the stack changes. Extra names may stay: refusing one more
#    name costs nothing.
STACK_MODULES = frozenset(
    {
        "adagio",
        "adagio_version",
        "aiohappyeyeballs",
        "aiohttp",
        "aiohttp_retry",
        "aiosignal",
        "alembic",
        "amqp",
        "annotated_doc",
        "annotated_types",
        "antlr4",
        "anyio",
        "appdirs",
        "arrow",
        "ast_serialize",
        "asyncssh",
        "attr",
        "attrs",
        "autopage",
        "babel",
        "backrefs",
        "billiard",
        "binaryornot",
        "blinker",
        "cachetools",
        "celery",
        "certifi",
        "cffi",
        "cfgv",
        "charset_normalizer",
        "check_jsonschema",
        "click",
        "click_didyoumean",
        "click_plugins",
        "click_repl",
        "cliff",
        "cloudpickle",
        "cmaes",
        "cmd2",
        "codespell_lib",
        "colorama",
        "colorlog",
        "configobj",
        "contourpy",
        "cookiecutter",
        "coreforecast",
        "cryptography",
        "cycler",
        "databricks",
        "dateutil",
        "detect_secrets",
        "dictdiffer",
        "diskcache",
        "distlib",
        "distro",
        "docker",
        "dotenv",
        "dpath",
        "dulwich",
        "dvc",
        "dvc_data",
        "dvc_http",
        "dvc_objects",
        "dvc_render",
        "dvc_studio_client",
        "dvc_task",
        "editables",
        "entrypoints",
        "fastapi",
        "fastjsonschema",
        "filelock",
        "flask",
        "flask_cors",
        "flatten_dict",
        "flufl",
        "fonttools",
        "formulaic",
        "frozenlist",
        "fsspec",
        "fugue",
        "fugue_contrib",
        "fugue_dask",
        "fugue_duckdb",
        "fugue_ibis",
        "fugue_notebook",
        "fugue_polars",
        "fugue_ray",
        "fugue_spark",
        "fugue_sql",
        "fugue_test",
        "funcy",
        "ghp_import",
        "git",
        "gitdb",
        "google",
        "grandalf",
        "graphene",
        "graphql",
        "graphql_relay",
        "griffe",
        "gto",
        "gunicorn",
        "h11",
        "hatchling",
        "huey",
        "hydra",
        "hydra_plugins",
        "identify",
        "idna",
        "importlib_metadata",
        "iniconfig",
        "interface_meta",
        "iterative_telemetry",
        "itsdangerous",
        "jinja2",
        "joblib",
        "jsonschema",
        "jsonschema_specifications",
        "jupyter",
        "jupyter_core",
        "kiwisolver",
        "kombu",
        "librt",
        "mako",
        "markdown",
        "markdown_it",
        "markupsafe",
        "material",
        "materialx",
        "matplotlib",
        "mdurl",
        "mergedeep",
        "mkdocs",
        "mkdocs_autorefs",
        "mkdocs_get_deps",
        "mkdocstrings",
        "mkdocstrings_handlers",
        "mlflow",
        "mpl_toolkits",
        "multidict",
        "mypy",
        "mypy_extensions",
        "mypyc",
        "narwhals",
        "nbformat",
        "nbstripout",
        "networkx",
        "nhs_number",
        "nodeenv",
        "numpy",
        "omegaconf",
        "opentelemetry",
        "optuna",
        "orjson",
        "packaging",
        "paginate",
        "pandas",
        "pathspec",
        "patsy",
        "pil",
        "pip",
        "platformdirs",
        "pluggy",
        "pre_commit",
        "pre_commit_hooks",
        "prettytable",
        "prompt_toolkit",
        "propcache",
        "psutil",
        "public",
        "py",
        "pyarrow",
        "pyasn1",
        "pyasn1_modules",
        "pycparser",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pydevd_plugins",
        "pydot",
        "pygit2",
        "pygments",
        "pygtrie",
        "pylab",
        "pymdownx",
        "pyparsing",
        "pyperclip",
        "pytest",
        "python_discovery",
        "pytz",
        "referencing",
        "regress",
        "repo_review",
        "requests",
        "rich",
        "rich_argparse",
        "rpds",
        "ruamel",
        "ruff",
        "scipy",
        "scmrepo",
        "semver",
        "setuptools",
        "shortuuid",
        "shtab",
        "six",
        "sklearn",
        "skops",
        "skunkworks_poc",
        "slugify",
        "smmap",
        "sqlalchemy",
        "sqlparse",
        "sqltrie",
        "starlette",
        "statsforecast",
        "statsmodels",
        "stevedore",
        "tabulate",
        "tests",
        "text_unidecode",
        "threadpoolctl",
        "tomli",
        "tomlkit",
        "tqdm",
        "traitlets",
        "triad",
        "trove_classifiers",
        "typing_extensions",
        "typing_inspection",
        "tzdata",
        "tzlocal",
        "urllib3",
        "utilsforecast",
        "uvicorn",
        "validate",
        "vine",
        "virtualenv",
        "vl_convert",
        "voluptuous",
        "watchdog",
        "wcwidth",
        "werkzeug",
        "yaml",
        "yaml_env_tag",
        "yarl",
        "zc",
        "zipp",
    }
) | frozenset(
    # ... and with the optional `team` extra (dvc-s3, dvc-azure, hydra-submitit-launcher),
    # listed from a stack built with it (tests/test_team.py's).
    {
        "adlfs",
        "aiobotocore",
        "aioitertools",
        "argcomplete",
        "azure",
        "botocore",
        "dvc_azure",
        "dvc_s3",
        "images",
        "isodate",
        "jmespath",
        "jwt",
        "knack",
        "msal",
        "msal_extensions",
        "s3fs",
        "submitit",
        "wrapt",
    }
) | frozenset(
    # ... and in the image-classification flavour (its own lock: PyTorch and what it brings),
    # listed from a stack built from it (tests/test_image_flavour.py's).
    {
        "cuda",
        "functorch",
        "isympy",
        "mpmath",
        "nvidia",
        "sympy",
        "torch",
        "torchgen",
        "triton",
    }
)

# 3. Folders at the top of a generated project (and those its tools create). Python puts
#    the working directory first on `sys.path`, so `python -m data.train` run from the
#    project imports the folder `data/` instead of a package called `data`. A test keeps
#    this in step with the template's folders.
PROJECT_FOLDERS = frozenset(
    {
        "conf",
        "data",
        "docs",
        "notebooks",
        "src",
        "tests",
        "test",
        "site",
        "build",
        "dist",
        "outputs",
        "multirun",
        "mlruns",
        "mlartifacts",
    }
)

RESERVED_PACKAGE_NAMES = STDLIB_MODULES | STACK_MODULES | PROJECT_FOLDERS

# Names Windows refuses as a file or folder name, with any extension and in any case:
# a project or package called `con` cannot be cloned there.
WINDOWS_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in "0123456789\u00b9\u00b2\u00b3"}
    | {f"lpt{n}" for n in "0123456789\u00b9\u00b2\u00b3"}
)

# Slug and package name become folder names: `<slug>/src/<package>/...`, and tools add
# suffixes (`<package>-0.1.0.dist-info`, `__editable__.<package>-0.1.0.pth`). 64 characters
# keeps every name well inside the 255-byte file-name limit and the paths inside a clone
# under Windows' default 260-character path limit. A long project name still works: the
# derived slug is cut at a word boundary.
MAX_NAME = 64

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
# Deliberately simple: one @, no spaces, a dot in the domain. Catches typos without
# rejecting real addresses (RFC 5322 allows far more than any supplier will use).
_EMAIL = re.compile(r"[^@\s<>\"{}]+@[^@\s<>\"{}]+\.[A-Za-z0-9-]{2,}")
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_MAX_TEXT = 200
_JINJA_MARKERS = ("{{", "{%", "{#")
TEMPLATE_SYNTAX = "must not contain template syntax ({{, {% or {#)"

# Characters that are invisible, reorder the text around them or are not characters at
# all: control (Cc), format (Cf: bidi overrides such as U+202E, zero-width spaces and
# joiners, the byte-order mark), surrogates, private use, unassigned, line and paragraph
# separators. A U+202E in a name is copied into Python source, TOML and Markdown, where it
# makes the text read differently from what it is ("Trojan Source").
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters that render as nothing (Hangul fillers), used to make names look alike.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


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


def _character_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def check_any_text(value: str) -> str | None:
    """The rules every free-text answer follows, whatever the field."""
    for ch in value:
        if ch in "\t\n\r\v\f" or unicodedata.category(ch) == "Cc":
            return "must be a single line without tabs or control characters"
    for ch in value:
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES or ch in _BLANK_LETTERS:
            return (
                "must not contain invisible or direction-changing characters "
                f"(found {_character_name(ch)})"
            )
        if ch.isspace() and ch != " ":
            return f"must use plain spaces only (found {_character_name(ch)})"
    if any(marker in value for marker in _JINJA_MARKERS):
        return TEMPLATE_SYNTAX
    return None


def _text(value: str, *, required: bool = True) -> str | None:
    if required and not value.strip():
        return "must not be empty"
    if len(value) > _MAX_TEXT:
        return f"must be at most {_MAX_TEXT} characters (got {len(value)})"
    return None


def check_project_name(value: str) -> str | None:
    return _text(value)


def _too_long(value: str) -> str | None:
    if len(value) > MAX_NAME:
        return (
            f"must be at most {MAX_NAME} characters (got {len(value)}): it becomes a folder "
            "name, and longer names break file-name and Windows path-length limits"
        )
    return None


def _windows_reserved(value: str) -> str | None:
    if value.split(".")[0].rstrip(" ").lower() in WINDOWS_RESERVED_NAMES:
        return (
            f"must not be a name Windows reserves for a device (got {value!r}): "
            "the project could not be cloned there"
        )
    return None


def check_project_slug(value: str) -> str | None:
    if not value:
        return "must not be empty"
    if "/" in value or "\\" in value or ".." in value:
        return f"must not contain a path separator or '..' (got {value!r})"
    if too_long := _too_long(value):
        return too_long
    if not _SLUG.fullmatch(value):
        return (
            "must be lowercase letters and digits separated by single hyphens, "
            f"e.g. 'sepsis-early-warning' (got {value!r})"
        )
    return _windows_reserved(value)


def check_package_name(value: str) -> str | None:
    if too_long := _too_long(value):
        return too_long
    if not _IDENTIFIER.fullmatch(value):
        return (
            "must be a lowercase Python identifier: letters, digits and underscores, "
            f"not starting with a digit or an underscore (got {value!r})"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"must not be a Python keyword (got {value!r})"
    if value in STDLIB_MODULES:
        return (
            f"must not shadow the module {value!r} of Python's standard library; "
            "choose a project-specific name"
        )
    if value in STACK_MODULES:
        return (
            f"must not shadow the module {value!r} that the project's dependencies "
            "install; choose a project-specific name"
        )
    if value in PROJECT_FOLDERS:
        return (
            f"must not shadow the module {value!r}: the project has a folder of that name, "
            "which Python would import instead; choose a project-specific name"
        )
    return _windows_reserved(value)


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
    Rule("task", _one_of(TASKS)),
    Rule("organisation", _text),
    Rule("copyright_holder", _text),
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
        if rule.field == "git_init":
            broken = rule.check(value)
        else:
            broken = check_any_text(str(value)) or rule.check(str(value))
        if broken:
            found.append(InvalidAnswer(rule.field, broken))
    return found


def validate(answers: Mapping[str, object]) -> None:
    """Raise the first broken rule, in prompt order."""
    found = problems(answers)
    if found:
        raise found[0]


def check_given_answers(answers: Mapping[str, object], defaults: Mapping[str, object]) -> None:
    """Refuse template syntax in answers given before cookiecutter renders them.

    cookiecutter renders answers given as extra context (`--no-input`, `key=value`, a
    user config's `default_context`) with Jinja before any hook runs: `{{ 7*7 }}` becomes
    `49`, `{{ lipsum.__globals__ ... }}` runs code, a stray `{{` crashes. Only the
    template's own defaults (`defaults`, from its cookiecutter.json) may contain template
    syntax, to derive one answer from others.
    """
    for field, value in answers.items():
        if field.startswith("_") and not field.startswith("__"):
            continue  # cookiecutter's private variables are neither asked nor rendered
        if not isinstance(value, str) or value == defaults.get(field):
            continue
        if any(marker in value for marker in _JINJA_MARKERS):
            raise InvalidAnswer(field, TEMPLATE_SYNTAX)


def check_output_dir(path: str | os.PathLike[str]) -> str | None:
    """None if the project can be created inside `path`, else why not (one line)."""
    text = os.fspath(path)
    if any(marker in text for marker in _JINJA_MARKERS):
        # cookiecutter renders the output path with Jinja when it creates folders.
        return f"{text!r} {TEMPLATE_SYNTAX}"
    target = os.path.abspath(text)
    existing = target
    while not os.path.lexists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        if existing == target:
            return f"{target} is a file, not a folder"
        return f"{existing} is a file, so the folder {target} cannot be created"
    # Try rather than ask: os.access says yes to root and on some read-only mounts.
    try:
        probe = tempfile.mkdtemp(prefix=".skunkworks-write-test-", dir=existing)
    except OSError as error:
        return f"cannot create anything in {existing} ({error.strerror})"
    os.rmdir(probe)
    return None
