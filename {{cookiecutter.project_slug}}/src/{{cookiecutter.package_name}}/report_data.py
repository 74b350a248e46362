"""The data card's data dictionary: the declared schema (conf/data/) with summary statistics.

Statistics come from generated fake data with the same schema, so the data card can be
published without showing anything of a real patient. A supplier may choose the real data
instead (`data_card.statistics_from: real` in conf/report/default.yaml): the report then
warns on every run, because minimum, maximum and example values of real data are published.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from {{ cookiecutter.package_name }} import report_escape as esc
from {{ cookiecutter.package_name }}.errors import PipelineError

if TYPE_CHECKING:
    import pandas as pd

    from {{ cookiecutter.package_name }}.report import Sources

STATISTICS_SOURCES = ("fake", "real")
HEADER = [
    "Field",
    "Selected for modelling",
    "Datatype",
    "Description",
    "Example",
    "Min",
    "Max",
    "NHS Data Dictionary",
]


def compose_data_config(root: Path, data_name: str | None) -> dict[str, Any]:
    """The `data` node of conf/ composed with Hydra (option `data_name`, else the default)."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    overrides = [f"data={data_name}"] if data_name else []
    try:
        with initialize_config_dir(config_dir=str(root / "conf"), version_base="1.3"):
            cfg = compose(config_name="config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as error:
        message = " ".join(str(error).split())
        raise PipelineError(f"cannot compose conf/ with {overrides}: {message}") from None
    return cast("dict[str, Any]", OmegaConf.to_container(cfg.data, resolve=True))


def data_config(sources: Sources) -> dict[str, Any]:
    """The schema to describe: `data_card.data`, else the current model's, else the default."""
    chosen = sources.settings.data_card.get("data")
    if chosen:
        return compose_data_config(sources.root, str(chosen))
    if sources.params and sources.params.get("data"):
        return dict(sources.params["data"])
    return compose_data_config(sources.root, None)


def statistics_frame(sources: Sources, data_cfg: Mapping[str, Any]) -> tuple[Any, str]:
    """The rows the statistics come from and a sentence saying what they are."""
    from {{ cookiecutter.package_name }}.data import load_dataset, validate

    settings = sources.settings.data_card
    origin = settings.get("statistics_from", "fake")
    if origin not in STATISTICS_SOURCES:
        raise PipelineError(
            f"data_card.statistics_from is {origin!r} in conf/report/default.yaml: use "
            f"{' or '.join(STATISTICS_SOURCES)}"
        )
    if origin == "real":
        located = dict(data_cfg)
        if located.get("path") and not Path(located["path"]).is_absolute():
            located["path"] = str(sources.root / located["path"])
        frame = load_dataset(located)
        print(
            "warning: the data card shows minimum, maximum and example values of the REAL data "
            f"({data_cfg.get('path') or data_cfg.get('source')}), because "
            "data_card.statistics_from is `real`: check with information governance before "
            "publishing docs/data-card.md",
            file=sys.stderr,
        )
        return frame, (
            f"Summary statistics from the **real data** ({len(frame)} rows), as chosen by "
            "`data_card.statistics_from: real`: check before publishing."
        )
    from {{ cookiecutter.package_name }}.data.fake import generate

    rows, seed = int(settings.get("fake_rows", 600)), int(settings.get("fake_seed", 0))
    try:
        frame = validate(generate(rows, seed), data_cfg, "the fake data of data/fake.py")
    except PipelineError as error:
        return None, (
            f"No summary statistics: the fake-data generator does not produce this schema "
            f"({esc.text(error)}). Adapt `generate` in `data/fake.py` to your columns."
        )
    return frame, (
        f"Summary statistics from {rows} rows of generated fake data "
        f"(`python -m {{ cookiecutter.package_name }}.data.fake`, seed {seed}): no row describes a real patient."
    )


def _statistic(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return esc.text(value)


def column_statistics(frame: pd.DataFrame | None, name: str, kind: str) -> list[str]:
    """Example, min and max of one column ("—" where they mean nothing)."""
    if frame is None or name not in frame.columns:
        return ["—", "—", "—"]
    column = frame[name].dropna()
    if column.empty:
        return ["—", "—", "—"]
    if kind in {"float", "int"}:
        cast = float if kind == "float" else int
        return [
            _statistic(cast(column.iloc[0])),
            _statistic(cast(column.min())),
            _statistic(cast(column.max())),
        ]
    if kind == "bool":
        return [_statistic(bool(column.iloc[0])), "false", "true"]
    if kind == "category":
        return [f"{esc.code(column.mode().iloc[0])} ({column.nunique()} values)", "—", "—"]
    return ["—", "—", "—"]  # free text: even an example could identify someone


def role(name: str, data_cfg: Mapping[str, Any]) -> str:
    if name == data_cfg.get("target"):
        return f"no (outcome; positive: {esc.code(data_cfg.get('positive_label'))})"
    if name in (data_cfg.get("subgroups") or []):
        return "no (subgroup analysis only)"
    return "yes"


def data_dictionary(sources: Sources) -> str:
    from {{ cookiecutter.package_name }}.report import table

    data_cfg = data_config(sources)
    frame, statistics_note = statistics_frame(sources, data_cfg)
    described = sources.settings.data_card.get("columns") or {}
    rows = []
    for name, kind in data_cfg["columns"].items():
        about = described.get(name) or {}
        description = about.get("description")
        description = (
            esc.text(description)
            if description
            else f"[TO COMPLETE: description of {esc.code(name)}]"
        )
        link = about.get("nhs_data_dictionary")
        if link and not esc.is_public_http_url(str(link)):
            raise PipelineError(
                f"data_card.columns.{name}.nhs_data_dictionary in conf/report/default.yaml is "
                "not an http(s) address of a public site"
            )
        rows.append(
            [
                esc.code(name),
                role(name, data_cfg),
                esc.text(kind),
                description,
                *column_statistics(frame, name, kind),
                esc.link("entry", str(link)) if link else "—",
            ]
        )
    subgroups = ", ".join(esc.code(name) for name in data_cfg.get("subgroups") or []) or "none"
    schema = f"conf/data/{data_cfg.get('name')}.yaml"
    summary = (
        f"Schema declared in {esc.code(schema)}: {len(rows)} columns, "
        f"outcome {esc.code(data_cfg.get('target'))}, subgroup columns {subgroups}."
    )
    if frame is not None and data_cfg.get("target") in frame.columns:
        share = (frame[data_cfg["target"]] == data_cfg.get("positive_label")).mean()
        statistics_note += f" Positive cases: {share:.1%}."
    return f"{summary} {statistics_note}\n\n" + table(HEADER, rows)
