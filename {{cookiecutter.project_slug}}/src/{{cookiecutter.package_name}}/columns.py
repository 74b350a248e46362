"""The roles of a data set's columns, as its schema in `conf/data/*.yaml` declares them.

Every other module asks here which columns a model learns from and which are kept for
subgroup analysis, so that the roles are decided in one place, from the configuration:
- `target`: the outcome;
- `subgroups`: kept with the predictions for subgroup (fairness) analysis;
- `roles`: `identifier` (a row or patient id), `drop` (ignored), `text` (free text),
  `image_path` (a file name): read and checked, never features of a tabular model; a flavour
  that learns from text or images makes those roles model inputs (`FEATURE_ROLES`);
- a column of type `datetime`: a date or time, used to order a time split, never a feature;
- every other column is a feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from {{ cookiecutter.package_name }}.errors import PipelineError

COLUMN_TYPES = ("float", "int", "bool", "category", "string", "datetime")
NUMERIC_TYPES = ("float", "int", "bool")
ROLES = ("identifier", "drop", "text", "image_path")
# The roles this project's flavour learns from ({{ cookiecutter.task }}), set when it was baked:
# this module depends on nothing (not even task.py), so that every other module can use it.
FEATURE_ROLES: tuple[str, ...] = {{ {"text-classification": '("text",)', "image-classification": '("image_path",)'}.get(cookiecutter.task, "()") }}
# The subgroup columns synthetic data are given (data/fake.py) and the shares their values are
# drawn with. Made up: no relation to the outcome, so every group should score alike; a real
# data set is where differences show.
SUBGROUPS = {
    "sex": {"female": 0.5, "male": 0.5},
    "age_band": {"18-39": 0.25, "40-59": 0.3, "60-79": 0.3, "80+": 0.15},
    "ethnicity": {"Asian": 0.1, "Black": 0.05, "Mixed": 0.03, "Other": 0.02, "White": 0.8},
    "deprivation_quintile": {"1": 0.2, "2": 0.2, "3": 0.2, "4": 0.2, "5": 0.2},
}


def config_file(data_cfg: Mapping[str, Any]) -> str:
    return f"conf/data/{data_cfg.get('name', '<name>')}.yaml"


def check_schema_config(data_cfg: Mapping[str, Any]) -> None:
    """The schema itself is consistent: known types, target and subgroups among the columns."""
    where = config_file(data_cfg)
    columns = data_cfg.get("columns") or {}
    if not columns:
        raise PipelineError(f"{where} declares no `columns`: list every column as `name: type`")
    unknown = {name: kind for name, kind in columns.items() if kind not in COLUMN_TYPES}
    if unknown:
        raise PipelineError(
            f"{where}: unknown column types {unknown}; use one of {', '.join(COLUMN_TYPES)}"
        )
    named = (
        ("target", [data_cfg.get("target")]),
        ("subgroups", subgroups(data_cfg)),
        ("roles", list(roles(data_cfg))),
        ("filter", list(data_cfg.get("filter") or {})),
    )
    for role, names in named:
        missing = [name for name in names if name not in columns]
        if missing:
            raise PipelineError(f"{where}: {role} {', '.join(map(str, missing))} not in `columns`")
    wrong = {name: role for name, role in roles(data_cfg).items() if role not in ROLES}
    if wrong:
        hint = " (subgroup columns go in `subgroups`)" if "group" in wrong.values() else ""
        raise PipelineError(f"{where}: unknown roles {wrong}; use one of {', '.join(ROLES)}{hint}")
    if data_cfg.get("target") in roles(data_cfg):
        raise PipelineError(f"{where}: the target {data_cfg['target']} cannot have a role too")
    not_text = [name for name in text_columns(data_cfg) if columns[name] != "string"]
    if not_text:
        raise PipelineError(
            f"{where}: {', '.join(not_text)} has the role text: declare it `string`, not "
            f"{', '.join(str(columns[name]) for name in not_text)}"
        )


def roles(data_cfg: Mapping[str, Any]) -> dict[str, str]:
    """Columns with a role that keeps them out of the features (`ROLES`); optional."""
    return dict(data_cfg.get("roles") or {})


def datetime_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    return [name for name, kind in data_cfg["columns"].items() if kind == "datetime"]


def subgroups(data_cfg: Mapping[str, Any]) -> list[str]:
    """Columns kept for subgroup (fairness) analysis; optional in the schema."""
    return list(data_cfg.get("subgroups") or [])


def feature_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    """The columns a model learns from: all but the target, the subgroup columns, the
    columns with a role (but those the flavour learns from, `FEATURE_ROLES`) and the
    datetime columns."""
    excluded = {
        data_cfg["target"],
        *subgroups(data_cfg),
        *(name for name, role in roles(data_cfg).items() if role not in FEATURE_ROLES),
        *datetime_columns(data_cfg),
    }
    return [name for name in data_cfg["columns"] if name not in excluded]


def text_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    """Columns with the role `text` (free text)."""
    return [name for name, role in roles(data_cfg).items() if role == "text"]


def image_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    """Columns with the role `image_path` (the file name of an image)."""
    return [name for name, role in roles(data_cfg).items() if role == "image_path"]


def categorical_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    """Feature columns one-hot encoded: neither numbers nor free text (a vectoriser's) nor
    image files (an image reader's)."""
    text = {*text_columns(data_cfg), *image_columns(data_cfg)}
    return [
        name
        for name in feature_columns(data_cfg)
        if data_cfg["columns"][name] not in NUMERIC_TYPES and name not in text
    ]
