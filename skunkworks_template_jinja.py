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

It also enforces the prompt rules at the earliest moment cookiecutter offers: whenever
cookiecutter creates a Jinja environment for this template. The first one is created
before any answer is rendered, so template syntax in a given answer is refused before
Jinja evaluates it; the one for writing files is created before the project folder, so a
bad (rendered or typed) answer or an unusable output folder stops the bake with one line
and nothing written. The pre-gen hook checks again, for tools that call the hooks only.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Mapping
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


def _python_tuple(items: list[str]) -> str:
    """`items` as the Python tuple of strings the generated conftest.py holds, one a line with
    a trailing comma, as ruff formats a tuple that does not fit on one line."""
    return "(\n" + "".join(f'        "{item}",\n' for item in items) + "    )"


# What the generated suite's one real pipeline run overrides: its stages are checked, not its
# scores, so the fewest folds and importance repeats that still exercise each step.
PIPELINE_TEST_OVERRIDES = [
    "data=fake",
    "train.cv_folds=2",
    "train.n_jobs=1",
    "evaluate.importance.repeats=2",
]


# One row per `code_licence` choice in cookiecutter.json (a test keeps the two in step).
CODE_LICENCES = {
    "MIT": {"spdx": "MIT", "name": "MIT licence"},
    "Apache-2.0": {"spdx": "Apache-2.0", "name": "Apache License 2.0"},
    "GPL-3.0": {"spdx": "GPL-3.0-or-later", "name": "GNU General Public License v3.0 or later"},
}


# One row per `task` choice in cookiecutter.json (a test keeps the two in step): the options a
# flavour's project starts with. Everything else about a flavour lives in the generated
# package's `task.py`, chosen by its file name. `pipeline` names the set of stage modules the
# flavour runs: `estimator` (the shared fit/predict modules: `prepare.py`, `models.py`,
# `train.py`, `evaluate.py`, ... and their conf groups and tests, whose file names test it) or
# the flavour's own. `lock` names the shipped `uv.lock` the flavour installs: flavours with the
# same dependencies share one (`tasks.py lock` writes one per lock and minimum Python), so a
# flavour-only dependency never reaches another flavour.
TASKS = {
    "tabular-classification": {
        "data": "breast_cancer",
        "model": "logistic_regression",
        "primary_metric": "roc_auc",
        "higher_is_better": "true",
        "subgroup_metrics": "[sensitivity, specificity, roc_auc]",
        "test_overrides": _python_tuple(PIPELINE_TEST_OVERRIDES),
        "pipeline": "estimator",
        "lock": "common",
    },
    "tabular-regression": {
        "data": "diabetes",
        "model": "ridge",
        "primary_metric": "mae",
        "higher_is_better": "false",
        "subgroup_metrics": "[mae, rmse, mean_error]",
        "test_overrides": _python_tuple(PIPELINE_TEST_OVERRIDES),
        "pipeline": "estimator",
        "lock": "common",
    },
    "text-classification": {
        "data": "triage_notes",
        "model": "logistic_regression",
        "primary_metric": "roc_auc",
        "higher_is_better": "true",
        "subgroup_metrics": "[sensitivity, specificity, roc_auc]",
        "test_overrides": _python_tuple(PIPELINE_TEST_OVERRIDES),
        "pipeline": "estimator",
        "lock": "common",
    },
    # PyTorch: its own lock, so that no other flavour installs it (docs/design.md).
    "image-classification": {
        "data": "digits",
        "model": "tiny_cnn",
        "primary_metric": "roc_auc",
        "higher_is_better": "true",
        "subgroup_metrics": "[sensitivity, specificity, roc_auc]",
        # Five epochs: the generated suite's pipeline checks the stages, not the accuracy.
        "test_overrides": _python_tuple([*PIPELINE_TEST_OVERRIDES, "model.estimator.epochs=5"]),
        "pipeline": "estimator",
        "lock": "image",
    },
    # No model: the discovery's checks take the place of training (docs/design.md).
    "data-discovery": {
        "data": "referrals",
        "model": "none",
        "primary_metric": "suitability",
        "higher_is_better": "true",
        "subgroup_metrics": "[]",
        "test_overrides": '("data=fake",)',
        "pipeline": "discovery",
        "lock": "common",
    },
    # No model either: a simulation scored by pluggable scorers (docs/design.md); numpy only.
    "experiment": {
        "data": "ed_attendances",
        "model": "none",
        "primary_metric": "objective",
        "higher_is_better": "false",
        "subgroup_metrics": "[mean_wait, p95_wait]",
        "test_overrides": '("data=fake", "simulation.days=7")',
        "pipeline": "experiment",
        "lock": "common",
    },
    # Series, not rows: a rolling-origin backtest against a seasonal-naive baseline takes the
    # place of the split and cross-validation (docs/design.md). Its own lock: statsforecast.
    "forecasting": {
        "data": "ae_attendances",
        "model": "ets",
        "primary_metric": "mase",
        "higher_is_better": "false",
        "subgroup_metrics": "[mase, smape, mae]",
        "test_overrides": '("data=fake", "train.origins=2")',
        "pipeline": "forecasting",
        "lock": "forecasting",
    },
}


def task_option(task: str, key: str) -> str:
    """What the flavour `task` starts with for `key` (its default data, model, metric...)."""
    return TASKS[task][key]


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
    full = slugify(without_apostrophes)
    # A long project name gives a slug cut after a whole word, within the rules' limit
    # (slugify's own `word_boundary` skips a long word and carries on with shorter ones).
    limit = _validator().MAX_NAME
    if len(full) <= limit:
        return full
    cut = full[: limit + 1].rfind("-")
    return full[:cut] if cut > 0 else full[:limit]


def validator_path() -> str:
    for candidate in _VALIDATOR_CANDIDATES:
        if candidate.is_file():
            return str(candidate)
    searched = ", ".join(str(path) for path in _VALIDATOR_CANDIDATES)
    raise FileNotFoundError(f"template is incomplete: validate.py not found in {searched}")


_loaded_validator = None


def _validator():
    """The rules module, loaded by path once (the companion need not be installed)."""
    global _loaded_validator
    if _loaded_validator is None:
        spec = importlib.util.spec_from_file_location(
            "skunkworks_template_validate", validator_path()
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
        _loaded_validator = module
    return _loaded_validator


def _template_defaults() -> dict:
    return json.loads((_HERE / "cookiecutter.json").read_text(encoding="utf-8"))


def _creating_context(environment) -> Mapping | None:
    """The context cookiecutter is creating `environment` with, if it can be found.

    cookiecutter passes it to its environment's constructor and not on to extensions,
    so look for that constructor's frame: the one whose `self` is this environment.
    """
    frame = sys._getframe(1)
    for _ in range(20):
        if frame is None:
            return None
        local = frame.f_locals
        if local.get("self") is environment and isinstance(local.get("context"), Mapping):
            return local["context"]
        frame = frame.f_back
    return None


def _stop(message: str):
    # A FailedHookException: cookiecutter's command prints it as one line and exits 1,
    # its API raises it to the caller (pytest-cookies, cruft, `skunkworks new`).
    from cookiecutter.exceptions import FailedHookException

    class BadAnswer(FailedHookException):
        pass

    return BadAnswer(f"ERROR: {message}")


def check_context(context: Mapping) -> None:
    """Raise if the answers in a cookiecutter context break a rule (see the module doc)."""
    answers = context.get("cookiecutter")
    if not isinstance(answers, Mapping):
        return
    rules = _validator()
    try:
        rules.check_given_answers(answers, _template_defaults())
        rendered = not any(
            isinstance(value, str) and any(m in value for m in ("{{", "{%", "{#"))
            for key, value in answers.items()
            if not (key.startswith("_") and not key.startswith("__"))
        )
        if rendered:
            rules.validate(answers)
    except rules.InvalidAnswer as error:
        raise _stop(str(error)) from None
    output_dir = answers.get("_output_dir")
    if isinstance(output_dir, str):
        problem = rules.check_output_dir(output_dir)
        if problem:
            raise _stop(f"Invalid output folder: {problem}")


class TemplateHelpers(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        context = _creating_context(environment)
        if context is not None:
            check_context(context)
        environment.filters["quoted"] = quoted
        environment.filters["slug"] = slug
        environment.filters["md"] = md
        environment.filters["python_string"] = python_string
        environment.filters["spdx"] = spdx
        environment.filters["task_option"] = task_option
        environment.filters["licence_name"] = licence_name
        environment.globals["validator_path"] = validator_path
        # As a function too: a file name cannot hold the filter's `|` (Windows refuses it).
        environment.globals["task_option"] = task_option
        # cruft update renders the project's old template, then the new one from the same
        # folder, in one process: forget this module so that the next environment imports
        # the extension (and its rules) of the template it renders, not this version. Templates
        # from before that rule never forget theirs, which is why this module has a name of
        # its own (it was skunkworks_template_extensions): their stale module cannot stand in.
        sys.modules.pop(__name__, None)
