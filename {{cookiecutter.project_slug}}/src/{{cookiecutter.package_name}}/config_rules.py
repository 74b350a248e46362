"""How `config.py` checks the configuration: typed, ranged fields, each broken one refused in one
line naming the key, the value, what to use instead and where to set it.

Every flavour's `config.py` builds its schemas from `rule` and the sections here that all
flavours share (`Evaluate`, `DataProfile`, `Tracking`), then calls `check_sections` and its own
checks across keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from {{ cookiecutter.package_name }}.errors import PipelineError

MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's random_state range

# Where a value comes from, for the advice at the end of a message.
HYDRA = "set it in conf/ or on the command line"
PARAMS = "params.yaml holds it: fix conf/ or the override and run `make params` (or `dvc exp run -S ...`)"


def rule(kind: type, allowed: Callable[[Any], bool] | None, expect: str, nullable: bool = False):
    """A typed, ranged field of a schema (a flavour's own single keys are `task.SETTINGS`)."""
    return field(
        metadata={"kind": kind, "allowed": allowed, "expect": expect, "nullable": nullable}
    )


@dataclass(frozen=True)
class Evaluate:
    # The flavour's own keys (a classifier's threshold) are `task.SETTINGS`.
    primary_metric: str = rule(str, lambda v: v.strip() != "", "the name of a metric")
    higher_is_better: bool = rule(bool, None, "true or false")


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


def has_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):  # bool is an int in Python; never a number here
        return kind is bool
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, kind)


def shown(value: Any) -> str:
    """A value from the command line or a file, as a quoted repr short enough for one line."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def check_sections(
    cfg: Any,
    sections: Mapping[str, type],
    where: str,
    settings: Mapping[str, tuple[Any, ...]] | None = None,
) -> None:
    """Refuse the first key of `cfg` whose value has the wrong type or range: each field of
    each schema in `sections` (section -> schema), then each of `settings` ("section.key" ->
    kind, allowed, expect). `where` says how the user changes the value (HYDRA or PARAMS)."""
    checks: list[tuple[str, str, Mapping[str, Any]]] = [
        (section, spec.name, spec.metadata)
        for section, schema in sections.items()
        for spec in fields(schema)
    ]
    for key, (kind, allowed, expect) in (settings or {}).items():
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
        if not has_kind(value, meta["kind"]) or (
            meta["allowed"] is not None and not meta["allowed"](value)
        ):
            raise PipelineError(f"{key}={shown(value)} is not valid: use {meta['expect']}; {where}")


def check_primary(
    cfg: Any, labels: Collection[str], project: str, where: str, noun: str = "metric"
) -> None:
    """Refuse an `evaluate.primary_metric` that is not one of `labels` (the flavour's metrics,
    or scores for a flavour with no model)."""
    primary = cfg["evaluate"]["primary_metric"]
    if primary not in labels:
        raise PipelineError(
            f"evaluate.primary_metric={shown(primary)} is not a {noun} of this {project} "
            f"project: use one of {', '.join(labels)}; {where}"
        )
