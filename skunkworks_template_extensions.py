"""Jinja helpers for this template, loaded by cookiecutter and cruft via `_extensions`.

Both tools put the template folder on `sys.path` while they render, so this module is
found without the companion package being installed. It gives the templates:

- `quoted`: a value as a double-quoted string that TOML, YAML and Python all parse,
  keeping accents readable (Jinja's `tojson` escapes them to `\\u00eb`).
- `python_string`: a value as a Python string literal quoted the way `ruff format` writes it,
  so a generated module is already formatted whatever the answers contain.
- `md`: a value as Markdown text that renders as typed on GitHub and in MkDocs: `<Data>` is
  not an HTML tag, `*` is not emphasis, `|` does not split a table cell.
- `slug`: a name as a repository name, "St Mary's" giving `st-marys`, not `st-mary-s`.
- `spdx` and `licence_name`: the SPDX identifier and the full name of a `code_licence` choice.
- `validator_path`: where the prompt rules live, for `hooks/pre_gen_project.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2.ext import Extension
from slugify import slugify

_HERE = Path(__file__).resolve().parent
# A source checkout keeps the rules in the companion package's source; the installed
# companion bundles this template folder inside the package, next to the rules.
_VALIDATOR_CANDIDATES = (
    _HERE / "src" / "skunkworks_poc" / "validate.py",
    _HERE.parent / "validate.py",
)


# One row per `code_licence` choice in cookiecutter.json (a test keeps the two in step).
CODE_LICENCES = {
    "MIT": {"spdx": "MIT", "name": "MIT licence"},
    "Apache-2.0": {"spdx": "Apache-2.0", "name": "Apache License 2.0"},
    "GPL-3.0": {"spdx": "GPL-3.0-or-later", "name": "GNU General Public License v3.0 or later"},
}


def spdx(code_licence: str) -> str:
    return CODE_LICENCES[code_licence]["spdx"]


def licence_name(code_licence: str) -> str:
    return CODE_LICENCES[code_licence]["name"]


def quoted(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


# Backslash escapes where both CommonMark (GitHub) and Python-Markdown (MkDocs) honour them;
# entities where Python-Markdown has no escape.
_MARKDOWN_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
}


def md(value: object) -> str:
    return "".join(_MARKDOWN_ESCAPES.get(ch, ch) for ch in str(value))


def python_string(value: object) -> str:
    text = str(value)
    # ruff format prefers double quotes unless single quotes need fewer escapes.
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def slug(name: object) -> str:
    without_apostrophes = str(name).replace("'", "").replace("\u2019", "")
    return slugify(without_apostrophes)


def validator_path() -> str:
    for candidate in _VALIDATOR_CANDIDATES:
        if candidate.is_file():
            return str(candidate)
    searched = ", ".join(str(path) for path in _VALIDATOR_CANDIDATES)
    raise FileNotFoundError(f"template is incomplete: validate.py not found in {searched}")


class TemplateHelpers(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["quoted"] = quoted
        environment.filters["slug"] = slug
        environment.filters["md"] = md
        environment.filters["python_string"] = python_string
        environment.filters["spdx"] = spdx
        environment.filters["licence_name"] = licence_name
        environment.globals["validator_path"] = validator_path
