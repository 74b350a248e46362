"""The roles of a data set's columns, as its schema in `conf/data/*.yaml` declares them.

Every other module asks here which columns a model learns from and which are kept for
subgroup analysis, so that the roles are decided in one place, from the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from {{ cookiecutter.package_name }}.errors import PipelineError

COLUMN_TYPES = ("float", "int", "bool", "category", "string")
NUMERIC_TYPES = ("float", "int", "bool")


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
    for role, names in (("target", [data_cfg.get("target")]), ("subgroups", subgroups(data_cfg))):
        missing = [name for name in names if name not in columns]
        if missing:
            raise PipelineError(f"{where}: {role} {', '.join(map(str, missing))} not in `columns`")


def subgroups(data_cfg: Mapping[str, Any]) -> list[str]:
    """Columns kept for subgroup (fairness) analysis; optional in the schema."""
    return list(data_cfg.get("subgroups") or [])


def feature_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    """The columns a model learns from: all but the target and the subgroup columns."""
    excluded = {data_cfg["target"], *subgroups(data_cfg)}
    return [name for name in data_cfg["columns"] if name not in excluded]


def categorical_columns(data_cfg: Mapping[str, Any]) -> list[str]:
    return [
        name for name in feature_columns(data_cfg) if data_cfg["columns"][name] not in NUMERIC_TYPES
    ]
