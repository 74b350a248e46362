"""The contract between a project and the toolkit: the files a project's pipeline writes.

The toolkit never imports a project's package. Everything it shows about a model or its data
was computed by the project's own pipeline and written to the files below (docs/contract.md
describes each field). This module reads them and refuses a breach with one `ContractError`
whose message names the file and the field, e.g.
`metrics/report.json: figures[2].caption must be text`.

Nothing here knows what kind of model a project has: metric names, labels, figures and
table columns all come from the manifest, so a regression or forecasting project declares
its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Union

CONTRACT_VERSION = 1
SUPPORTED_VERSIONS = (1,)

MANIFEST = "metrics/report.json"
METRICS = "metrics/metrics.json"
PROFILE = "metrics/data_profile.json"
RUN_INFO = "metrics/mlflow_run.json"
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
STATISTICS_SOURCES = ("fake", "real")

# MLflow run tags the report (and later the reviewer) read; a project's tracking code sets them.
TAG_GIT_COMMIT = "git.commit"
TAG_GIT_DIRTY = "git.dirty"
TAG_DVC_EXPERIMENT = "dvc.experiment"
TAG_SWEEP_PARENT = "sweep.parent"
RUN_TAGS = {
    TAG_GIT_COMMIT: "commit of the code the run used (`none` outside git)",
    TAG_GIT_DIRTY: "`true` when tracked files had uncommitted changes",
    TAG_DVC_EXPERIMENT: "the DVC experiment's name, under `dvc exp run`",
    TAG_SWEEP_PARENT: "`true` on the parent run of a sweep (left out of comparisons)",
}

# A table cell: text, a number, true/false or nothing (shown as n/a).
Cell = Union[str, int, float, bool, None]  # noqa: UP007 - runs on Python 3.10 projects


class ContractError(ValueError):
    """A file of the contract is missing, unreadable or has a field of the wrong shape."""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    spread: str | None = None  # name of a metric shown after this one as "± value"


@dataclass(frozen=True)
class Figure:
    file: str  # relative to the project root
    caption: str


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    title: str = ""
    figure: Figure | None = None


@dataclass(frozen=True)
class Section:
    """A titled table with an optional figure: feature importance, one subgroup column."""

    title: str
    text: str
    table: Table
    figure: Figure | None


@dataclass(frozen=True)
class Manifest:
    version: int
    task: str
    project_name: str
    project_version: str
    model_name: str  # "" when the task trains no model (`model: null`)
    estimator: str
    data_name: str
    data_schema: str
    evaluation: str
    primary_metric: str
    higher_is_better: bool
    metrics: list[Metric]
    metric_files: list[str]
    facts: list[tuple[str, Cell]]
    tables: list[Table]
    figures: list[Figure]
    feature_importance: Section | None
    subgroups_note: str
    subgroups: list[Section]

    def all_figures(self) -> list[Figure]:
        """Every figure the project declares, each once, in the order they are shown."""
        found = list(self.figures)
        if self.feature_importance and self.feature_importance.figure:
            found.append(self.feature_importance.figure)
        found += [section.figure for section in self.subgroups if section.figure]
        return found


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    selected: bool
    role: str
    example: Cell
    minimum: Cell
    maximum: Cell
    distinct: int | None


@dataclass(frozen=True)
class Profile:
    version: int
    data_name: str
    data_schema: str
    source: str  # "fake" or "real"
    rows: int
    note: str
    columns: list[Column] = field(default_factory=list)


# --- Reading -----------------------------------------------------------------------------


def read_json(root: Path, relative: str, required: bool = True) -> Any:
    """The parsed JSON file `relative` under `root`; None when absent and not required."""
    path = root / relative
    if not path.is_file():
        if required:
            raise ContractError(f"{relative} not found: run the pipeline (`dvc repro`) first")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        reason = " ".join(str(error).split())
        raise ContractError(
            f"{relative} is not valid JSON ({reason}): run `dvc repro` again"
        ) from None


class _Fields:
    """Typed access to one JSON object; every failure names the file and the dotted field."""

    def __init__(self, file: str, value: Any, where: str = "") -> None:
        self.file, self.where = file, where
        if not isinstance(value, Mapping):
            raise self.error(where or "the file", "must be a JSON object")
        self.value = value

    def error(self, name: str, problem: str) -> ContractError:
        return ContractError(f"{self.file}: {name} {problem}")

    def name(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.where}[{key}]"
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, required: bool = True) -> Any:
        if key not in self.value or self.value[key] is None:
            if required:
                raise self.error(self.name(key), "is missing")
            return None
        return self.value[key]

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self.get(key, required)
        if value is None:
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(self.name(key), "must be text")
        return value

    def boolean(self, key: str, required: bool = True, default: bool = False) -> bool:
        value = self.get(key, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(self.name(key), "must be true or false")
        return value

    def whole(self, key: str, required: bool = True) -> int | None:
        value = self.get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(self.name(key), "must be a whole number")
        return value

    def items(self, key: str, required: bool = True) -> list[Any]:
        value = self.get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(self.name(key), "must be a list")
        return value

    def child(self, key: str, required: bool = True) -> _Fields | None:
        value = self.get(key, required)
        return None if value is None else _Fields(self.file, value, self.name(key))

    def each(self, key: str, required: bool = True) -> list[_Fields]:
        values = self.items(key, required)
        base = self.name(key)
        return [_Fields(self.file, item, f"{base}[{index}]") for index, item in enumerate(values)]

    def cell(self, value: Any, name: str) -> Cell:
        if value is None or isinstance(value, (str, bool, int)):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        raise self.error(name, "must be text, a finite number, true, false or null")


def _check_version(fields: _Fields) -> int:
    version = fields.get("contract", required=False)
    supported = ", ".join(map(str, SUPPORTED_VERSIONS))
    if version is None:
        raise fields.error(
            "contract", f"is missing: say which version of the contract it follows ({supported})"
        )
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise fields.error(
            "contract",
            f"is {json.dumps(version)[:20]}, which this toolkit does not read (it reads "
            f"{supported}): upgrade skunkworks-poc, or write contract {CONTRACT_VERSION}",
        )
    return int(version)


def _relative_file(fields: _Fields, key: str, root: Path) -> str:
    """A project-relative path that stays inside the project and exists."""
    return _inside(fields, fields.text(key), fields.name(key), root)


def _inside(fields: _Fields, value: Any, name: str, root: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fields.error(name, "must be text")
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise fields.error(name, "must be a path inside the project, relative to its root")
    if not (root / path).is_file():
        raise fields.error(name, f"names {value}, which does not exist: run `dvc repro`")
    return value


def _figure(fields: _Fields, root: Path) -> Figure:
    file = _relative_file(fields, "file", root)
    if not file.lower().endswith(FIGURE_SUFFIXES):
        raise fields.error(fields.name("file"), f"must be an image ({', '.join(FIGURE_SUFFIXES)})")
    return Figure(file, fields.text("caption"))


def _table(fields: _Fields) -> Table:
    columns = fields.items("columns")
    for index, column in enumerate(columns):
        if not isinstance(column, str):
            raise fields.error(f"{fields.name('columns')}[{index}]", "must be text")
    if not columns:
        raise fields.error(fields.name("columns"), "must name at least one column")
    rows = []
    for index, row in enumerate(fields.items("rows")):
        where = f"{fields.name('rows')}[{index}]"
        if not isinstance(row, list) or len(row) != len(columns):
            raise fields.error(where, f"must be a list of {len(columns)} cells, one per column")
        rows.append([fields.cell(value, f"{where}[{n}]") for n, value in enumerate(row)])
    return Table(list(columns), rows, fields.text("title", required=False))


def _section(fields: _Fields, root: Path) -> Section:
    figure = fields.child("figure", required=False)
    return Section(
        title=fields.text("title"),
        text=fields.text("text", required=False),
        table=_table(fields),
        figure=_figure(figure, root) if figure else None,
    )


def read_manifest(root: Path) -> Manifest | None:
    """metrics/report.json of the project at `root`; None before the pipeline has run."""
    raw = read_json(root, MANIFEST, required=False)
    if raw is None:
        return None
    fields = _Fields(MANIFEST, raw)
    version = _check_version(fields)
    project = fields.child("project")
    # null for a task that trains no model (a data discovery): nothing then names one.
    model = fields.child("model", required=False)
    data = fields.child("data")
    primary = fields.child("primary_metric")
    assert project and data and primary
    metric_files = [
        _inside(fields, item, f"metric_files[{index}]", root)
        for index, item in enumerate(fields.items("metric_files", required=False) or [METRICS])
    ]
    metrics = [
        Metric(item.text("name"), item.text("label"), item.text("spread", required=False) or None)
        for item in fields.each("metrics")
    ]
    if not metrics:
        raise fields.error("metrics", "must list at least one metric")
    facts = []
    for item in fields.each("facts", required=False):
        facts.append((item.text("label"), item.cell(item.get("value", False), item.name("value"))))
    tables = []
    for item in fields.each("tables", required=False):
        tables.append(_table(item))
    figures = [_figure(item, root) for item in fields.each("figures", required=False)]
    importance = fields.child("feature_importance", required=False)
    subgroups = fields.child("subgroups", required=False)
    manifest = Manifest(
        version=version,
        task=fields.text("task"),
        project_name=project.text("name"),
        project_version=project.text("version"),
        model_name=model.text("name") if model else "",
        estimator=model.text("estimator", required=False) if model else "",
        data_name=data.text("name"),
        data_schema=data.text("schema", required=False),
        evaluation=fields.text("evaluation", required=False),
        primary_metric=primary.text("name"),
        higher_is_better=primary.boolean("higher_is_better"),
        metrics=metrics,
        metric_files=metric_files,
        facts=facts,
        tables=tables,
        figures=figures,
        feature_importance=_section(importance, root) if importance else None,
        subgroups_note=subgroups.text("text", required=False) if subgroups else "",
        subgroups=[_section(item, root) for item in subgroups.each("sections")]
        if subgroups
        else [],
    )
    names = [figure.file.rsplit("/", 1)[-1] for figure in manifest.all_figures()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ContractError(
            f"{MANIFEST}: figure file name {repeated[0]} is declared twice: figures are copied "
            "into one folder, so each needs its own file name"
        )
    return manifest


def read_metric_values(root: Path, manifest: Manifest) -> dict[str, float]:
    """Every number of the manifest's metric files, checked against what it declares."""
    values: dict[str, float] = {}
    for file in manifest.metric_files:
        raw = read_json(root, file)
        if not isinstance(raw, Mapping):
            raise ContractError(f"{file}: must be a JSON object of metric name to number")
        for key, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ContractError(f"{file}: {key} must be a number")
            values[str(key)] = value
    fields = _Fields(MANIFEST, {})
    declared = {"primary_metric.name": manifest.primary_metric}
    for index, metric in enumerate(manifest.metrics):
        declared[f"metrics[{index}].name"] = metric.name
        if metric.spread:
            declared[f"metrics[{index}].spread"] = metric.spread
    for name, metric in declared.items():
        if metric not in values:
            raise fields.error(
                name, f"is {metric}, which is not in {' or '.join(manifest.metric_files)}"
            )
    return values


def read_profile(root: Path) -> Profile | None:
    """metrics/data_profile.json of the project at `root`; None when the pipeline wrote none."""
    raw = read_json(root, PROFILE, required=False)
    if raw is None:
        return None
    fields = _Fields(PROFILE, raw)
    version = _check_version(fields)
    data = fields.child("data")
    statistics = fields.child("statistics")
    assert data and statistics
    source = statistics.text("source")
    if source not in STATISTICS_SOURCES:
        raise statistics.error(
            statistics.name("source"), f"must be {' or '.join(STATISTICS_SOURCES)}"
        )
    columns = []
    for item in fields.each("columns"):
        columns.append(
            Column(
                name=item.text("name"),
                dtype=item.text("dtype"),
                selected=item.boolean("selected"),
                role=item.text("role", required=False),
                example=item.cell(item.get("example", False), item.name("example")),
                minimum=item.cell(item.get("min", False), item.name("min")),
                maximum=item.cell(item.get("max", False), item.name("max")),
                distinct=item.whole("distinct", required=False),
            )
        )
    return Profile(
        version=version,
        data_name=data.text("name"),
        data_schema=data.text("schema", required=False),
        source=source,
        rows=statistics.whole("rows") or 0,
        note=statistics.text("text", required=False),
        columns=columns,
    )


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    experiment_id: str
    tracking_uri: str


def read_run_info(root: Path) -> RunInfo | None:
    raw = read_json(root, RUN_INFO, required=False)
    if raw is None:
        return None
    fields = _Fields(RUN_INFO, raw)
    return RunInfo(
        fields.text("run_id"),
        fields.text("experiment_id", required=False),
        fields.text("tracking_uri", required=False),
    )
