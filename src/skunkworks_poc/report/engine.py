"""Read a project's contract files and runs once, render every block, copy the figures.

Every number in a block comes from a contract file or an MLflow run: the toolkit computes
nothing about a model or its data. Every piece of text from those files, runs or settings is
escaped (`escape.py`) before it reaches the Markdown.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from skunkworks_poc import contract
from skunkworks_poc.contract import Cell, Manifest, Profile, RunInfo, Section, Table
from skunkworks_poc.report import ReportError, blocks
from skunkworks_poc.report import escape as esc
from skunkworks_poc.report.runs import Run

SETTINGS_FILE = "conf/report/default.yaml"
PARAMS_FILE = "params.yaml"
LOCK_FILE = "dvc.lock"
DEFAULT_STORE = "mlflow.db"
# Figures this command copied last time, so it removes only its own when they go stale.
FIGURES_RECORD = ".generated"
HYPERPARAMETER_PREFIXES = ("model.", "train.", "evaluate.")
NO_RUN_YET = (
    "No results yet: run `make pipeline-fake` (fake data) or `make pipeline`, then `make report`."
)
LOCAL_MLFLOW_UI = "http://127.0.0.1:5000"  # `make mlflow-ui`; named in the text, never linked


def runs_view(experiment_id: str = "N") -> str:
    """Where `make mlflow-ui` lists an experiment's runs: its "Training runs" view (MLflow 3
    opens an experiment on a GenAI overview that does not list them)."""
    return f"{LOCAL_MLFLOW_UI}/#/experiments/{experiment_id}/runs"


# --- Settings --------------------------------------------------------------------------------


# Settings the report engine of projects baked before the toolkit read; they describe
# computation, so they moved to the project's `evaluate` configuration.
MOVED_SETTINGS = (
    "metrics",
    "feature_importance",
    "subgroups",
    "data_card.data",
    "data_card.statistics_from",
    "data_card.fake_rows",
    "data_card.fake_seed",
)


@dataclass
class Settings:
    documents: list[str]
    figures_dir: str
    ranking_metric: str | None = None  # overrides the manifest's primary metric
    higher_is_better: bool | None = None
    max_runs: int = 15
    experiments: list[str] | None = None
    mlflow_ui_url: str | None = None
    hyperparameter_prefixes: tuple[str, ...] = HYPERPARAMETER_PREFIXES
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)  # data card descriptions
    ignored: list[str] = field(default_factory=list)  # keys of the old layout, no longer read


def load_settings(root: Path, path: Path | None = None) -> Settings:
    import yaml

    path = path or root / SETTINGS_FILE
    shown = _shown_path(root, path)
    if not path.is_file():
        raise ReportError(f"{shown} not found: the report's settings live there")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        message = " ".join(str(error).split())
        raise ReportError(f"{shown} does not parse: {message}") from None
    if not isinstance(raw, dict):
        raise ReportError(f"{shown} must be a mapping of settings")

    def setting(dotted: str, kind: type | tuple[type, ...], required: bool = False) -> Any:
        value: Any = raw
        for name in dotted.split("."):
            value = value.get(name) if isinstance(value, dict) else None
        if value is None:
            if required:
                raise ReportError(f"{shown} lacks {dotted}: restore it from the template")
            return None
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise ReportError(f"{shown}: {dotted} has the wrong type ({type(value).__name__})")
        return value

    documents = setting("documents", list, required=True)
    if not all(isinstance(item, str) for item in documents):
        raise ReportError(f"{shown}: documents must be a list of paths")
    experiments = setting("comparison.experiments", list)
    columns = setting("data_card.columns", dict) or {}
    prefixes = setting("hyperparameters.prefixes", list)
    ignored = []
    for dotted in MOVED_SETTINGS:
        parent, _, leaf = dotted.rpartition(".")
        holder = raw.get(parent) if parent else raw
        if isinstance(holder, dict) and leaf in holder:
            ignored.append(dotted)
    return Settings(
        ignored=ignored,
        documents=documents,
        figures_dir=setting("figures_dir", str, required=True),
        ranking_metric=setting("comparison.metric", str),
        higher_is_better=setting("comparison.higher_is_better", bool),
        max_runs=setting("comparison.max_runs", int) or 15,
        experiments=[str(item) for item in experiments] if experiments else None,
        mlflow_ui_url=setting("comparison.mlflow_ui_url", str),
        hyperparameter_prefixes=tuple(map(str, prefixes)) if prefixes else HYPERPARAMETER_PREFIXES,
        columns={str(key): value or {} for key, value in columns.items()},
    )


def _shown_path(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- Sources ---------------------------------------------------------------------------------


@dataclass
class Sources:
    root: Path
    settings: Settings
    manifest: Manifest | None = None
    values: dict[str, float] = field(default_factory=dict)
    profile: Profile | None = None
    run_info: RunInfo | None = None
    params: dict[str, Any] | None = None  # of the run in the workspace (dvc.lock over params)
    changed_params: list[str] = field(default_factory=list)
    tracking_uri: str = ""
    store_found: bool = False
    runs: list[Run] = field(default_factory=list)
    current_run: Run | None = None
    notes: list[str] = field(default_factory=list)  # printed once, after the run

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _load_yaml(root: Path, relative: str) -> Any:
    import yaml

    path = root / relative
    if not path.is_file():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        message = " ".join(str(error).split())
        raise ReportError(f"{relative} does not parse ({message}): run `dvc repro` again") from None


_MISSING = object()


def _get(tree: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if not isinstance(tree, dict) or name not in tree:
            return _MISSING
        tree = tree[name]
    return tree


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for name in parents:
        child = tree.get(name)
        if not isinstance(child, dict):
            child = tree[name] = {}
        tree = child
    tree[leaf] = value


def _differences(recorded: Any, current: Any, prefix: str) -> list[str]:
    if isinstance(recorded, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(recorded) | set(current), key=str):
            found += _differences(
                recorded.get(key, _MISSING), current.get(key, _MISSING), f"{prefix}.{key}"
            )
        return found
    return [] if recorded == current else [prefix]


def run_params(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The parameters of the run in the workspace and the params.yaml keys that differ.

    params.yaml may have been recomposed since the last `dvc repro`: the outputs in the
    workspace were made with what dvc.lock records, so the report describes those.
    """
    current = _load_yaml(root, PARAMS_FILE)
    current = current if isinstance(current, dict) else None
    lock = _load_yaml(root, LOCK_FILE)
    recorded: dict[str, Any] = {}
    stages = lock.get("stages") if isinstance(lock, dict) else None
    for stage in (stages or {}).values():
        params = (stage or {}).get("params") or {}
        recorded.update(params.get(PARAMS_FILE) or {})
    if not recorded:
        return current, []
    params = copy.deepcopy(current) if current else {}
    changed: list[str] = []
    for key, value in recorded.items():
        changed += _differences(value, _get(current or {}, key), key)
        _set(params, key, value)
    # Shallow keys first: `model.name` says more than `model.estimator.max_depth`.
    return params, sorted(changed, key=lambda key: (key.count("."), key))


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """`{"a": {"b": 1}}` as `{"a.b": "1"}`, as MLflow params are logged."""
    import json

    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            flat[name] = json.dumps(list(value))
        else:
            flat[name] = "null" if value is None else str(value)
    return flat


def tracking_uri(root: Path, run_info: RunInfo | None, params: Mapping[str, Any] | None) -> str:
    """Where the runs are: the run's own record, else `tracking.uri`, else
    MLFLOW_TRACKING_URI, else `mlflow.db` at the project root (MLflow's default)."""
    if run_info and run_info.tracking_uri:
        return run_info.tracking_uri
    configured = _get(params or {}, "tracking.uri")
    if isinstance(configured, str) and configured:
        return configured
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    return f"sqlite:///{(root / DEFAULT_STORE).as_posix()}"


def gather(root: Path, settings: Settings) -> Sources:
    """Everything the blocks are made from, read once."""
    from skunkworks_poc.report import runs

    sources = Sources(root=root, settings=settings)
    if settings.ignored:
        sources.note(
            f"{SETTINGS_FILE}: {', '.join(settings.ignored)} no longer read: what the report "
            "shows is computed by the pipeline's evaluate stage now (its `evaluate` settings); "
            "delete them here"
        )
    sources.manifest = contract.read_manifest(root)
    if sources.manifest is not None:
        sources.values = contract.read_metric_values(root, sources.manifest)
    sources.profile = contract.read_profile(root)
    sources.run_info = contract.read_run_info(root)
    sources.params, sources.changed_params = run_params(root)
    if sources.changed_params:
        sources.note(params_changed_message(sources))
    uri = tracking_uri(root, sources.run_info, sources.params)
    sources.tracking_uri = uri
    sources.store_found = runs.store_exists(uri)
    if sources.store_found:
        # Without `comparison.experiments`: the experiment of the current model's run.
        current = sources.run_info.experiment_id if sources.run_info else ""
        sources.runs = runs.read_runs(uri, [current] if current else None, settings.experiments)
    if sources.run_info:
        run_id = sources.run_info.run_id
        sources.current_run = next((run for run in sources.runs if run.run_id == run_id), None)
        if sources.current_run is None and sources.store_found:
            sources.current_run = runs.read_run(uri, run_id)
        if sources.current_run is None:
            sources.note(
                f"the current model's MLflow run {run_id} is not in the tracking store: its "
                f"numbers come from {' and '.join(_metric_files(sources))} alone"
            )
    if sources.manifest is not None and sources.current_run is not None:
        check_agreement(sources)
    return sources


def _metric_files(sources: Sources) -> list[str]:
    return sources.manifest.metric_files if sources.manifest else [contract.METRICS]


def params_changed_message(sources: Sources) -> str:
    keys = sources.changed_params
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return (
        f"{PARAMS_FILE} no longer matches {LOCK_FILE} ({shown}): the report describes the run "
        "in the workspace, made before that change; run `dvc repro`, then `make report`, to "
        "report on the new settings"
    )


def check_agreement(sources: Sources, tolerance: float = 1e-9) -> None:
    """The metric files and the MLflow run they name must hold the same numbers."""
    run = sources.current_run
    assert run is not None
    for key, value in sources.values.items():
        logged = run.metrics.get(key)
        if logged is None or abs(float(logged) - float(value)) > tolerance:
            raise ReportError(
                f"{' and '.join(_metric_files(sources))} and MLflow run {run.run_id} disagree "
                f"on {key} ({value} against {logged}): run `dvc repro` so that both come from "
                "the same run"
            )


# --- Formatting ------------------------------------------------------------------------------


def number(value: Any) -> str:
    """How every value appears in the documents: integers as they are, others to 3 places,
    text escaped."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) >= 2
    ):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.3f}"
    return esc.text(value)


def cell(value: str) -> str:
    """A table cell from Markdown the blocks built (untrusted parts already escaped)."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def contract_table(declared: Table) -> str:
    """A table the project declared: every header and cell is untrusted."""
    rows: list[list[Cell]] = declared.rows
    return table(
        [esc.text(name) for name in declared.columns],
        [[number(value) for value in row] for row in rows],
    )


def mlflow_ui_url(sources: Sources) -> str | None:
    """Where run links point: `comparison.mlflow_ui_url` when it is a public http(s) address.

    The documents are published: a link to a local or private server is dead for every
    reader, so then run ids are shown as text.
    """
    configured = sources.settings.mlflow_ui_url
    if not configured:
        return None
    if not esc.is_public_http_url(configured):
        sources.note(
            f"comparison.mlflow_ui_url in {SETTINGS_FILE} is not a public http(s) address: run "
            "ids are shown without links (a published report cannot link to a local or "
            "private server)"
        )
        return None
    return configured.rstrip("/")


def store_name(sources: Sources) -> str:
    """The tracking store as the documents name it: no absolute path, no host name."""
    from skunkworks_poc.report.runs import sqlite_file

    store = sqlite_file(sources.tracking_uri)
    if store is None:
        return "the tracking server"
    try:
        return esc.code(store.resolve().relative_to(sources.root.resolve()).as_posix())
    except ValueError:
        return esc.code(store.name)


def run_link(sources: Sources, run: Run, short: bool = True) -> str:
    """The run id, linked to the run in the MLflow UI when a public address is configured."""
    label = esc.code(run.run_id[:8] if short else run.run_id)
    base = mlflow_ui_url(sources)
    if base is None or not (esc.safe_id(run.experiment_id) and esc.safe_id(run.run_id)):
        return label
    return esc.link(label, f"{base}/#/experiments/{run.experiment_id}/runs/{run.run_id}")


def run_ids_note(sources: Sources) -> str:
    if mlflow_ui_url(sources) is None:
        return (
            "Run ids are not links (no public MLflow UI in `comparison.mlflow_ui_url`): to see "
            f"the runs, run `make mlflow-ui` and open `{runs_view()}`, N being the experiment's "
            "id (its Training runs)."
        )
    return "Each run id opens the run in the MLflow UI."


def metric_label(sources: Sources, name: str) -> str:
    declared = sources.manifest.metrics if sources.manifest else []
    labels = {metric.name: metric.label for metric in declared}
    return esc.text(labels.get(name) or name.replace("_", " "))


def start_date(run: Run) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(run.start_time / 1000))


def figure_link(sources: Sources, doc_dir: Path, figure: contract.Figure) -> str:
    target = sources.root / sources.settings.figures_dir / Path(figure.file).name
    relative = Path(os.path.relpath(target, doc_dir)).as_posix()
    return f"![{esc.text(figure.caption)}]({quote(relative)})"


def _section(sources: Sources, doc_dir: Path, section: Section, title: bool) -> list[str]:
    parts = [f"**{esc.text(section.title)}**"] if title else []
    if section.text:
        parts.append(esc.text(section.text))
    if section.figure:
        parts.append(figure_link(sources, doc_dir, section.figure))
    parts.append(contract_table(section.table))
    return parts


# --- The blocks ------------------------------------------------------------------------------


def block_current_model(sources: Sources, doc_dir: Path) -> str:
    manifest = sources.manifest
    if manifest is None:
        return NO_RUN_YET
    lines = []
    if sources.changed_params:
        lines += [f"> **Warning:** {esc.text(params_changed_message(sources))}.", ""]
    run = sources.current_run
    # The MLflow run's own parameters name the model when the store has it.
    model = (run.params.get("model.name") if run else None) or manifest.model_name
    estimator = (run.params.get("model.estimator._target_") if run else None) or manifest.estimator
    if model:
        shown_model = f"- Model: {esc.code(model)}"
        if estimator:
            shown_model += f" ({esc.code(estimator)})"
    else:
        shown_model = "- Model: none (this task trains no model)"
    data = f"- Data: {esc.code(manifest.data_name)}"
    if manifest.data_schema:
        data += f" ({esc.code(manifest.data_schema)})"
    lines += [shown_model, data, f"- Task: {esc.text(manifest.task)}"]
    lines += [f"- {esc.text(label)}: {number(value)}" for label, value in manifest.facts]
    lines.append(
        f"- Package version: {esc.code(manifest.project_name)} {esc.text(manifest.project_version)}"
    )
    if run is not None:
        commit = run.tags.get(contract.TAG_GIT_COMMIT, "none")
        dirty = (
            " with uncommitted changes" if run.tags.get(contract.TAG_GIT_DIRTY) == "true" else ""
        )
        where = ""
        if mlflow_ui_url(sources) is None and esc.safe_id(run.experiment_id):
            where = (
                f"; to see it, run `make mlflow-ui` and open `{runs_view(run.experiment_id)}` "
                "(Training runs)"
            )
        lines.append(
            f"- MLflow run: {run_link(sources, run, short=False)} ({esc.text(run.name)}, "
            f"{start_date(run)}){where}"
        )
        lines.append(f"- Code: commit {esc.code(commit[:12])}{dirty}")
        if run.tags.get(contract.TAG_DVC_EXPERIMENT):
            lines.append(f"- DVC experiment: {esc.code(run.tags[contract.TAG_DVC_EXPERIMENT])}")
    return "\n".join(lines)


def block_results(sources: Sources, doc_dir: Path) -> str:
    manifest = sources.manifest
    if manifest is None:
        return NO_RUN_YET
    rows = []
    for metric in manifest.metrics:
        value = number(sources.values[metric.name])
        if metric.spread:
            value += f" ± {number(sources.values[metric.spread])}"
        rows.append([esc.text(metric.label), value])
    parts = [table(["Metric", "Value"], rows)]
    for declared in manifest.tables:
        if declared.title:
            parts.append(f"**{esc.text(declared.title)}**")
        parts.append(contract_table(declared))
    source = ", ".join(f"`{name}`" for name in manifest.metric_files)
    if sources.current_run is not None:
        source += f", MLflow run {run_link(sources, sources.current_run, short=False)}"
    intro = (
        f"{esc.text(manifest.evaluation)}; from {source}."
        if manifest.evaluation
        else (f"From {source}.")
    )
    return intro + "\n\n" + "\n\n".join(parts)


def ranking(sources: Sources) -> tuple[str, bool] | None:
    """The metric runs are ranked by and whether higher is better: the settings' override,
    else the manifest's primary metric."""
    settings, manifest = sources.settings, sources.manifest
    if settings.ranking_metric:
        higher = settings.higher_is_better
        if higher is None:
            higher = (
                manifest.higher_is_better
                if manifest and (manifest.primary_metric == settings.ranking_metric)
                else True
            )
        return settings.ranking_metric, higher
    if manifest is None:
        return None
    return manifest.primary_metric, manifest.higher_is_better


def ranked_runs(sources: Sources) -> list[Run]:
    ranked = ranking(sources)
    if ranked is None:
        return []
    metric, higher = ranked
    scored = [run for run in sources.runs if metric in run.metrics]
    sign = -1 if higher else 1
    scored.sort(key=lambda run: (sign * run.metrics[metric], -run.start_time, run.run_id))
    return scored[: sources.settings.max_runs]


def block_comparison(sources: Sources, doc_dir: Path) -> str:
    if not sources.store_found:
        return (
            f"No MLflow runs yet in {store_name(sources)}: run `make pipeline-fake` or "
            "`make train`, then `make report`."
        )
    ranked = ranking(sources)
    if ranked is None:
        return NO_RUN_YET
    metric, higher = ranked
    runs = ranked_runs(sources)
    if not runs:
        return (
            f"No finished MLflow run has the metric {esc.code(metric)} yet: run `make train`, "
            "then `make report`."
        )
    declared = [item.name for item in sources.manifest.metrics] if sources.manifest else []
    others = [name for name in declared if name != metric][:3]
    # A project with no model (a data discovery, an experiment) logs no `model.name`.
    with_model = any(run.params.get("model.name") for run in runs)
    header = ["Rank", "Run", *(["Model"] if with_model else []), "Data"]
    header.append(metric_label(sources, metric))
    header += [metric_label(sources, name) for name in others] + ["Experiment", "Started"]
    current = sources.current_run.run_id if sources.current_run else None
    rows = []
    for rank, run in enumerate(runs, start=1):
        marker = ""
        if run.run_id == current:
            marker = " (current model)" if with_model else " (current run)"
        experiment = esc.text(run.experiment)
        if run.tags.get(contract.TAG_DVC_EXPERIMENT):
            experiment += f" / DVC {esc.code(run.tags[contract.TAG_DVC_EXPERIMENT])}"
        rows.append(
            [
                rank,
                f"{run_link(sources, run)} {esc.text(run.name)}{marker}",
                *([esc.text(run.params.get("model.name", ""))] if with_model else []),
                esc.text(run.params.get("data.name", "")),
                number(run.metrics[metric]),
                *[number(run.metrics.get(name)) for name in others],
                experiment,
                start_date(run),
            ]
        )
    total = len([run for run in sources.runs if metric in run.metrics])
    direction = "highest" if higher else "lowest"
    return (
        f"The {len(runs)} best of {total} finished MLflow runs, {direction} "
        f"{metric_label(sources, metric)} first. {run_ids_note(sources)}\n\n" + table(header, rows)
    )


def block_figures(sources: Sources, doc_dir: Path) -> str:
    manifest = sources.manifest
    if manifest is None:
        return NO_RUN_YET
    if not manifest.figures:
        return f"The pipeline declares no figures (`figures` in `{contract.MANIFEST}`)."
    return "\n\n".join(figure_link(sources, doc_dir, figure) for figure in manifest.figures)


def block_feature_importance(sources: Sources, doc_dir: Path) -> str:
    manifest = sources.manifest
    if manifest is None:
        return NO_RUN_YET
    if manifest.feature_importance is None:
        return (
            "The pipeline reports no feature importance (`feature_importance` in "
            f"`{contract.MANIFEST}`)."
        )
    return "\n\n".join(_section(sources, doc_dir, manifest.feature_importance, title=False))


def block_subgroups(sources: Sources, doc_dir: Path) -> str:
    manifest = sources.manifest
    if manifest is None:
        return NO_RUN_YET
    parts = [esc.text(manifest.subgroups_note)] if manifest.subgroups_note else []
    for section in manifest.subgroups:
        parts += _section(sources, doc_dir, section, title=True)
    if not manifest.subgroups:
        schema = esc.code(manifest.data_schema or manifest.data_name)
        parts.append(
            f"The data ({schema}) declares no subgroup columns: list them under `subgroups:` "
            "to report performance by subgroup."
        )
    return "\n\n".join(parts)


def block_hyperparameters(sources: Sources, doc_dir: Path) -> str:
    run = sources.current_run
    if run is not None:
        values = run.params
        source = f"MLflow run {run_link(sources, run)}"
    elif sources.params is not None and sources.manifest is not None:
        values = flatten(sources.params)
        source = f"`{PARAMS_FILE}`"
    else:
        return NO_RUN_YET
    rows = [
        [esc.code(key), esc.code(value)]
        for key, value in sorted(values.items())
        if key.startswith(sources.settings.hyperparameter_prefixes) and key != "model.name"
    ]
    return f"From {source}.\n\n" + table(["Parameter", "Value"], rows)


DATA_DICTIONARY_HEADER = [
    "Field",
    "Selected for modelling",
    "Datatype",
    "Description",
    "Example",
    "Min",
    "Max",
    "NHS Data Dictionary",
]


def _statistic(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}"
    return number(value)


def block_data_dictionary(sources: Sources, doc_dir: Path) -> str:
    profile = sources.profile
    if profile is None:
        return (
            f"No data profile yet (`{contract.PROFILE}`): run `make pipeline-fake` or "
            "`make pipeline`, then `make report`."
        )
    rows = []
    for column in profile.columns:
        about = sources.settings.columns.get(column.name) or {}
        if not isinstance(about, dict):
            raise ReportError(f"{SETTINGS_FILE}: data_card.columns.{column.name} must be a mapping")
        description = about.get("description")
        description = (
            esc.text(description)
            if description
            else f"[TO COMPLETE: description of {esc.code(column.name)}]"
        )
        link = about.get("nhs_data_dictionary")
        if link and not esc.is_public_http_url(str(link)):
            raise ReportError(
                f"{SETTINGS_FILE}: data_card.columns.{column.name}.nhs_data_dictionary is not "
                "an http(s) address of a public site"
            )
        example = _statistic(column.example)
        if column.distinct is not None and column.example is not None:
            example = f"{esc.code(column.example)} ({column.distinct} values)"
        rows.append(
            [
                esc.code(column.name),
                "yes" if column.selected else f"no ({esc.text(column.role or 'not a feature')})",
                esc.text(column.dtype),
                description,
                example,
                _statistic(column.minimum),
                _statistic(column.maximum),
                esc.link("entry", str(link)) if link else "—",
            ]
        )
    schema = esc.code(profile.data_schema or profile.data_name)
    summary = f"Schema declared in {schema}: {len(rows)} columns."
    if profile.source == "real":
        sources.note(
            "the data card shows minimum, maximum and example values of the REAL data, as "
            f"{contract.PROFILE} says (statistics.source: real): check with information "
            "governance before publishing it"
        )
        origin = (
            f"Summary statistics from the **real data** ({profile.rows} rows): check before "
            "publishing."
        )
    else:
        origin = (
            f"Summary statistics from {profile.rows} rows of generated fake data: no row "
            "describes a real patient."
        )
    note = f" {esc.text(profile.note)}" if profile.note else ""
    return f"{summary} {origin}{note}\n\n" + table(DATA_DICTIONARY_HEADER, rows)


def block_licences(sources: Sources, doc_dir: Path) -> str:
    from importlib import metadata

    from skunkworks_poc._commands import ProjectError, project_name
    from skunkworks_poc.licences import dependencies

    try:
        name = project_name(sources.root)
    except ProjectError as error:
        raise ReportError(f"{error}: the licences block needs it") from None
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return f"{esc.code(name)} is not installed here: run `make setup`, then `make report`."
    packages = dependencies(name)
    rows = [
        [esc.text(package.name), esc.text(package.version), esc.text(package.licence)]
        for package in packages
    ]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"The {len(packages)} packages {esc.code(name)} installs at run time, with the "
        f"licence each declares (Python {python}; the same list as `make licences`).\n\n"
        + table(["Package", "Version", "Licence"], rows)
    )


BLOCKS: dict[str, Callable[[Sources, Path], str]] = {
    "current-model": block_current_model,
    "results": block_results,
    "comparison": block_comparison,
    "figures": block_figures,
    "feature-importance": block_feature_importance,
    "subgroups": block_subgroups,
    "hyperparameters": block_hyperparameters,
    "data-dictionary": block_data_dictionary,
    "licences": block_licences,
}


# --- Figures ---------------------------------------------------------------------------------


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def write_figures(sources: Sources) -> list[str]:
    """Copy the figures the project declares; the names of the files that changed.

    Figures this command copied before that the project no longer declares (a subgroup
    column since removed) are deleted, so the site never shows a figure of another run;
    any other file in the folder is left alone.
    """
    folder = sources.root / sources.settings.figures_dir
    record = folder / FIGURES_RECORD
    wanted: dict[str, bytes] = {}
    if sources.manifest is not None:
        for figure in sources.manifest.all_figures():
            wanted[Path(figure.file).name] = (sources.root / figure.file).read_bytes()
    changed = [
        name for name, content in wanted.items() if _write_if_changed(folder / name, content)
    ]
    before = record.read_text(encoding="utf-8").split() if record.is_file() else []
    for stale in sorted(set(before) - set(wanted)):
        path = folder / stale
        if "/" not in stale and path.is_file():
            path.unlink()
            changed.append(stale)
    listing = "".join(f"{name}\n" for name in sorted(wanted))
    if listing or record.is_file():
        _write_if_changed(record, listing.encode("utf-8"))
    return changed


# --- The command -----------------------------------------------------------------------------


@dataclass
class Outcome:
    changed_documents: list[str]
    changed_figures: list[str]
    to_complete: int
    has_results: bool
    notes: list[str]


def build(root: Path, settings_file: Path | None = None) -> Outcome:
    """Copy the figures and rewrite every generated block of the configured documents."""
    settings = load_settings(root, settings_file)
    documents = [root / document for document in settings.documents]
    missing = [
        name for name, path in zip(settings.documents, documents, strict=True) if not path.is_file()
    ]
    if missing:
        raise ReportError(
            f"{', '.join(missing)} not found: restore it, or remove it from `documents` in "
            f"{SETTINGS_FILE}"
        )
    sources = gather(root, settings)
    changed_figures = write_figures(sources)
    changed_documents, to_complete = [], 0
    for name, document in zip(settings.documents, documents, strict=True):
        text = document.read_text(encoding="utf-8")
        try:
            found = {block.name for block in blocks.find_blocks(text, name)}
            unknown = sorted(found - set(BLOCKS))
            if unknown:
                raise ReportError(
                    f"{name}: unknown generated block {', '.join(unknown)}; known blocks: "
                    f"{', '.join(BLOCKS)}"
                )
            contents = {block: BLOCKS[block](sources, document.parent) for block in found}
            changed, _ = blocks.update_file(document, contents)
        except blocks.BlockError as error:
            raise ReportError(str(error)) from None
        if changed:
            changed_documents.append(name)
        to_complete += blocks.count_to_complete(document.read_text(encoding="utf-8"))
    return Outcome(
        changed_documents,
        changed_figures,
        to_complete,
        sources.manifest is not None,
        sources.notes,
    )
