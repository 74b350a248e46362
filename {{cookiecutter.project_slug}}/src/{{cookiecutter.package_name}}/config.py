"""The configuration's types and ranges, checked in one place before any work starts.

Hydra and DVC accept any value for any key (`train.seed=abc`, `evaluate.threshold=7`); without
these checks a wrong value surfaces as a library traceback minutes later, or not at all. Each
section below is a typed schema: every field has a type and an allowed range, and `check`
refuses the first value that breaks one with one line naming the key and what to set instead.
The data schema (`conf/data/*.yaml`) is checked on load (`data.check_schema_config`), and the
estimator's own arguments by scikit-learn's parameter checks (`models.build_model`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.errors import PipelineError

MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's random_state range
SPLITS = ("random", "time", "group")  # how prepare.split holds the test set out

# Where a value comes from, for the advice at the end of a message.
HYDRA = "set it in conf/ or on the command line"
PARAMS = "params.yaml holds it: fix conf/ or the override and run `make params` (or `dvc exp run -S ...`)"


def rule(kind: type, allowed: Callable[[Any], bool] | None, expect: str, nullable: bool = False):
    """A typed, ranged field of a schema below (the flavour's own are `task.SETTINGS`)."""
    return field(
        metadata={"kind": kind, "allowed": allowed, "expect": expect, "nullable": nullable}
    )


@dataclass(frozen=True)
class Train:
    test_size: float = rule(
        float, lambda v: 0 < v < 1, "a fraction strictly between 0 and 1, such as 0.25"
    )
    seed: int = rule(int, lambda v: 0 <= v <= MAX_SEED, f"a whole number from 0 to {MAX_SEED}")
    cv_folds: int = rule(
        int, lambda v: v == 0 or v >= 2, "0 (no cross-validation) or a whole number of at least 2"
    )
    n_jobs: int = rule(
        int, lambda v: v == -1 or v >= 1, "-1 (every core) or a number of parallel folds from 1"
    )
    cv_max_rows: int | None = rule(
        int, lambda v: v >= 1000, "a number of rows of at least 1000, or null for all", True
    )
    split: str = rule(str, lambda v: v in SPLITS, f"one of {', '.join(SPLITS)}")
    split_column: str | None = rule(
        str, lambda v: v.strip() != "", "a column of the data, or null for a random split", True
    )


@dataclass(frozen=True)
class Evaluate:
    # The flavour's own keys (a classifier's threshold) are `task.SETTINGS`.
    primary_metric: str = rule(str, lambda v: v.strip() != "", "the name of a metric")
    higher_is_better: bool = rule(bool, None, "true or false")


@dataclass(frozen=True)
class Importance:
    enabled: bool = rule(bool, None, "true or false")
    top: int = rule(int, lambda v: v >= 1, "a whole number of at least 1")
    repeats: int = rule(int, lambda v: v >= 1, "a whole number of at least 1")
    max_rows: int = rule(int, lambda v: v >= 10, "a whole number of at least 10")
    n_jobs: int = rule(int, lambda v: v == -1 or v >= 1, "-1 (every core) or at least 1")


@dataclass(frozen=True)
class Subgroups:
    # MutableSequence: a list, or OmegaConf's ListConfig (which is not a list).
    metrics: Sequence[str] = rule(
        MutableSequence, lambda v: len(v) > 0, "a list such as [sensitivity, roc_auc]"
    )
    min_cases: int = rule(int, lambda v: v >= 1, "a whole number of at least 1")


@dataclass(frozen=True)
class DataProfile:
    statistics_from: str = rule(str, lambda v: v in {"fake", "real"}, "fake or real")
    fake_rows: int = rule(int, lambda v: v >= 10, "a whole number of at least 10")
    fake_seed: int = rule(int, lambda v: 0 <= v <= MAX_SEED, f"0 to {MAX_SEED}")


@dataclass(frozen=True)
class Tracking:
    uri: str | None = rule(str, lambda v: v.strip() != "", "a tracking URI or null", True)
    experiment_name: str | None = rule(
        str, lambda v: v.strip() != "", "a non-empty name, or null for the project's name", True
    )
    log_model: bool = rule(bool, None, "true or false")


@dataclass(frozen=True)
class Model:
    name: str = rule(str, lambda v: v.strip() != "", "the model's name")
    scale_features: bool = rule(bool, None, "true or false")


SECTIONS: dict[str, type] = {
    "train": Train,
    "evaluate": Evaluate,
    "evaluate.importance": Importance,
    "evaluate.subgroups": Subgroups,
    "evaluate.data_profile": DataProfile,
    "tracking": Tracking,
    "model": Model,
}


def _has_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):  # bool is an int in Python; never a number here
        return kind is bool
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, kind)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def check(cfg: Any, where: str = HYDRA) -> None:
    """Refuse the first key of `cfg` whose value has the wrong type or range.

    `where` says how the user changes the value (`HYDRA` or `PARAMS`).
    """
    checks: list[tuple[str, str, Mapping[str, Any]]] = [
        (section, spec.name, spec.metadata)
        for section, schema in SECTIONS.items()
        for spec in fields(schema)
    ]
    for key, (kind, allowed, expect) in task.SETTINGS.items():
        section, name = key.rsplit(".", 1)
        checks.append((section, name, {"kind": kind, "allowed": allowed, "expect": expect}))
    for section, name, meta in checks:
        values: Any = cfg
        for part in section.split("."):
            values = values.get(part) if isinstance(values, Mapping) else None
        if not isinstance(values, Mapping):
            raise PipelineError(f"`{section}` is missing from the configuration: {where}")
        key = f"{section}.{name}"
        if name not in values:
            raise PipelineError(f"{key} is missing: {where}")
        value = values[name]
        if value is None and meta.get("nullable"):
            continue
        if not _has_kind(value, meta["kind"]) or (
            meta["allowed"] is not None and not meta["allowed"](value)
        ):
            # The value comes from the command line or a file: shown as a quoted repr.
            raise PipelineError(
                f"{key}={_shown(value)} is not valid: use {meta['expect']}; {where}"
            )
    primary = cfg["evaluate"]["primary_metric"]
    if primary not in task.METRIC_LABELS:
        raise PipelineError(
            f"evaluate.primary_metric={_shown(primary)} is not a metric of this {task.NAME} "
            f"project: use one of {', '.join(task.METRIC_LABELS)}; {where}"
        )
