"""Jinja helpers for this template, loaded by cookiecutter and cruft via `_extensions`.

Both tools put the template folder on `sys.path` while they render, so this module is
found without the companion package being installed. It gives the templates:

- `quoted`: a value as a double-quoted string that TOML, YAML and Python all parse,
  keeping accents readable (Jinja's `tojson` escapes them to `\\u00eb`).
- `slug`: a name as a repository name, "St Mary's" giving `st-marys`, not `st-mary-s`.
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


def quoted(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


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
        environment.globals["validator_path"] = validator_path
