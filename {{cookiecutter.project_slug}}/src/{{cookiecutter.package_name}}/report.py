"""Fill the generated blocks of the technical report, model card and data card.

    python -m {{ cookiecutter.package_name }}.report        # or: make report

Reads what the pipeline left in the workspace (metrics/, models/, data/processed/, params.yaml),
the MLflow runs of the tracking store, the declared data schema (conf/data/) and the installed
packages, then rewrites only the blocks fenced by `<!-- generated:NAME start -->` and
`<!-- generated:NAME end -->` in the documents listed in conf/report/default.yaml. Text outside
the blocks is never touched, and running it twice changes nothing. Figures go to docs/figures/.
Every number in a block comes from a file or a run: the report writes none of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from {{ cookiecutter.package_name }} import report_blocks
from {{ cookiecutter.package_name }} import report_escape as esc
from {{ cookiecutter.package_name }}.errors import PipelineError, reported
from {{ cookiecutter.package_name }}.paths import project_root
from {{ cookiecutter.package_name }}.pipeline import (
    CV_METRICS,
    FIGURES_DIR,
    METRICS,
    MODEL_FILE,
    PARAMS_FILE,
    PREDICTIONS,
    RUN_INFO,
    TEST_DATA,
)

SETTINGS_FILE = "conf/report/default.yaml"
REQUIRED_SETTINGS = (
    "documents",
    "figures_dir",
    "comparison.metric",
    "metrics",
    "feature_importance",
    "subgroups.metrics",
    "data_card",
)
NO_RUN_YET = (
    "No results yet: run `make pipeline-fake` (fake data) or `make pipeline`, then `make report`."
)
# The pipeline's own figures, copied as they are; the report draws the others.
PIPELINE_FIGURES = {
    "roc_curve.png": "ROC curve",
    "precision_recall_curve.png": "Precision-recall curve",
    "confusion_matrix.png": "Confusion matrix",
}
FEATURE_IMPORTANCE_FIGURE = "feature_importance.png"
SUBGROUP_FIGURE_PREFIX = "subgroup_"
METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "average_precision": "Average precision",
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "sensitivity": "Sensitivity (recall)",
    "specificity": "Specificity",
    "precision": "Precision (positive predictive value)",
    "f1": "F1 score",
    "brier_score": "Brier score (lower is better)",
    "cv_roc_auc_mean": "Cross-validated ROC AUC (training split, mean)",
    "cv_roc_auc_std": "Cross-validated ROC AUC (training split, standard deviation)",
}
SCHEMA_LINK = "conf/data"
LOCK_FILE = "dvc.lock"
LOCAL_MLFLOW_UI = "http://127.0.0.1:5000"  # `make mlflow-ui`; named in the text, never linked


def runs_view(experiment_id: str = "N") -> str:
    """Where `make mlflow-ui` lists an experiment's runs: its "Training runs" view (MLflow 3
    opens an experiment on a GenAI overview that does not list them)."""
    return f"{LOCAL_MLFLOW_UI}/#/experiments/{experiment_id}/runs"


# --- Reading what the pipeline produced ----------------------------------------------------


@dataclass
class Run:
    """One MLflow run, as the report needs it."""

    run_id: str
    experiment_id: str
    experiment: str
    name: str
    start_time: int  # milliseconds since the epoch
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]


@dataclass
class Sources:
    root: Path
    settings: Any
    params: dict[str, Any] | None = None  # of the run in the workspace (dvc.lock), see gather
    changed_params: list[str] = field(default_factory=list)  # params.yaml keys unlike dvc.lock
    metrics: dict[str, Any] | None = None
    cv_metrics: dict[str, Any] = field(default_factory=dict)
    run_info: dict[str, Any] | None = None
    tracking_uri: str = ""
    store_found: bool = False
    runs: list[Run] = field(default_factory=list)
    current_run: Run | None = None
    notes: list[str] = field(default_factory=list)  # printed once, after the run
    importances: list[Any] = field(default_factory=list)  # report_figures.Importance
    subgroups: list[Any] | None = None  # report_figures.GroupResult

    def path(self, relative: str) -> Path:
        return self.root / relative


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PipelineError(f"{path} is not valid JSON ({error}): run `dvc repro` again") from None


def load_settings(root: Path, path: Path | None = None) -> Any:
    import yaml
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    path = path or root / SETTINGS_FILE
    if not path.is_file():
        raise PipelineError(f"{path} not found: the report's settings live there")
    try:
        settings = OmegaConf.load(path)
    except (OmegaConfBaseException, yaml.YAMLError, ValueError) as error:
        message = " ".join(str(error).split())
        raise PipelineError(f"{path} does not parse: {message}") from None
    missing = [key for key in REQUIRED_SETTINGS if OmegaConf.select(settings, key) is None]
    if missing:
        raise PipelineError(f"{path} lacks {', '.join(missing)}: restore them from the template")
    return settings


def _load_params(root: Path) -> dict[str, Any] | None:
    path = root / PARAMS_FILE
    if not path.is_file():
        return None
    from omegaconf import OmegaConf

    return cast("dict[str, Any]", OmegaConf.to_container(OmegaConf.load(path), resolve=True))


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for name in parents:
        child = tree.get(name)
        if not isinstance(child, dict):
            child = tree[name] = {}
        tree = child
    tree[leaf] = value


def _get(tree: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if not isinstance(tree, dict) or name not in tree:
            return _MISSING
        tree = tree[name]
    return tree


_MISSING = object()


def _differences(recorded: Any, current: Any, prefix: str) -> list[str]:
    """The leaf keys where two parameter trees differ, dotted."""
    if isinstance(recorded, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(recorded) | set(current), key=str):
            found += _differences(
                recorded.get(key, _MISSING), current.get(key, _MISSING), f"{prefix}.{key}"
            )
        return found
    return [] if recorded == current else [prefix]


def locked_params(root: Path) -> dict[str, Any] | None:
    """The parameters the pipeline's stages last ran with, as `dvc.lock` records them
    ({dotted key as dvc.yaml lists it: value}); None without a lock file."""
    import yaml

    path = root / LOCK_FILE
    if not path.is_file():
        return None
    try:
        lock = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise PipelineError(f"{path} does not parse ({message}): run `dvc repro` again") from None
    recorded: dict[str, Any] = {}
    stages = lock.get("stages") if isinstance(lock, dict) else None
    for stage in (stages or {}).values():
        params = (stage or {}).get("params") or {}
        recorded.update(params.get(PARAMS_FILE) or {})
    return recorded


def run_params(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The parameters of the run in the workspace and the params.yaml keys that differ.

    `params.yaml` may have been recomposed since the last `dvc repro` (`make params`): the
    model, predictions and metrics in the workspace were made with what `dvc.lock` records,
    so the report describes those. Without a lock file params.yaml is all there is.
    """
    current = _load_params(root)
    recorded = locked_params(root)
    if not recorded:
        return current, []
    import copy

    params = copy.deepcopy(current) if current else {}
    changed: list[str] = []
    for key, value in recorded.items():
        changed += _differences(value, _get(current or {}, key), key)
        _set(params, key, value)
    # Shallow keys first: `model.name` says more than `model.estimator.max_depth`.
    return params, sorted(changed, key=lambda key: (key.count("."), key))


def _sqlite_file(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri.removeprefix("sqlite:///"))


def read_runs(uri: str, experiments: Sequence[str] | None) -> list[Run]:
    """Finished runs of `experiments` (all experiments when None), sweep parents left out."""
    from {{ cookiecutter.package_name }} import tracking

    tracking.check_reachable(uri)
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    client = MlflowClient(uri)
    found: Sequence[Any] = client.search_experiments(view_type=ViewType.ACTIVE_ONLY)
    if experiments:
        found = [experiment for experiment in found if experiment.name in set(experiments)]
    names = {experiment.experiment_id: experiment.name for experiment in found}
    if not names:
        return []
    runs = []
    for run in client.search_runs(list(names), max_results=5000):
        if run.info.status != "FINISHED" or run.data.tags.get(tracking.TAG_SWEEP_PARENT) == "true":
            continue
        runs.append(
            Run(
                run_id=run.info.run_id,
                experiment_id=run.info.experiment_id,
                experiment=names[run.info.experiment_id],
                name=run.info.run_name or run.info.run_id[:8],
                start_time=int(run.info.start_time or 0),
                metrics=dict(run.data.metrics),
                params=dict(run.data.params),
                tags=dict(run.data.tags),
            )
        )
    return runs


def gather(root: Path, settings: Any) -> Sources:
    """Everything the blocks are made from, read once."""
    from {{ cookiecutter.package_name }} import tracking

    sources = Sources(root=root, settings=settings)
    sources.params, sources.changed_params = run_params(root)
    if sources.changed_params:
        sources.notes.append(params_changed_message(sources))
    sources.metrics = _read_json(root / METRICS)
    sources.cv_metrics = _read_json(root / CV_METRICS) or {}
    sources.run_info = _read_json(root / RUN_INFO)
    tracking_cfg = (sources.params or {}).get("tracking") or {}
    uri = (sources.run_info or {}).get("tracking_uri") or tracking.tracking_uri(tracking_cfg)
    sources.tracking_uri = uri
    store = _sqlite_file(uri)
    # Opening a missing sqlite store would create an empty one: there is nothing to read.
    sources.store_found = store is None or store.is_file()
    if sources.store_found:
        experiments = settings.comparison.get("experiments")
        sources.runs = read_runs(uri, list(experiments) if experiments else None)
    run_id = (sources.run_info or {}).get("run_id")
    if run_id:
        sources.current_run = next((run for run in sources.runs if run.run_id == run_id), None)
        if sources.current_run is None and sources.store_found:
            sources.current_run = _read_one_run(uri, run_id)
        if sources.current_run is None:
            sources.notes.append(
                f"the current model's MLflow run {run_id} is not in the tracking store: its numbers come "
                f"from {METRICS} alone"
            )
    if sources.metrics is not None and sources.current_run is not None:
        check_agreement(sources.metrics, sources.current_run)
    return sources


def _read_one_run(uri: str, run_id: str) -> Run | None:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri)
    try:
        run = client.get_run(run_id)
    except MlflowException:
        return None
    experiment = client.get_experiment(run.info.experiment_id)
    return Run(
        run.info.run_id,
        run.info.experiment_id,
        experiment.name if experiment else "",
        run.info.run_name or run_id[:8],
        int(run.info.start_time or 0),
        dict(run.data.metrics),
        dict(run.data.params),
        dict(run.data.tags),
    )


def params_changed_message(sources: Sources) -> str:
    keys = sources.changed_params
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return (
        f"{PARAMS_FILE} no longer matches {LOCK_FILE} ({shown}): the report describes the run "
        f"in the workspace, made before that change; run `dvc repro`, then `make report`, to "
        "report on the new settings"
    )


def check_agreement(metrics: Mapping[str, Any], run: Run, tolerance: float = 1e-9) -> None:
    """metrics.json and the MLflow run it names must hold the same numbers."""
    for key, value in metrics.items():
        logged = run.metrics.get(key)
        if logged is None or abs(float(logged) - float(value)) > tolerance:
            raise PipelineError(
                f"{METRICS} and MLflow run {run.run_id} disagree on {key} ({value} against "
                f"{logged}): run `dvc repro` so that both come from the same run"
            )


# --- Formatting ------------------------------------------------------------------------------


def number(value: Any) -> str:
    """How every number appears in the documents: integers as they are, others to 3 places."""
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


def cell(value: Any) -> str:
    """A table cell from Markdown the blocks built (untrusted parts already escaped)."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def mlflow_ui_url(sources: Sources) -> str | None:
    """Where run links point: `comparison.mlflow_ui_url` when it is a public http(s) address.

    The documents are published: a link to the local UI (`make mlflow-ui`) or to a server on
    a private network is dead for every reader, so then run ids are shown as text.
    """
    configured = sources.settings.comparison.get("mlflow_ui_url")
    if not configured:
        return None
    if not esc.is_public_http_url(str(configured)):
        note = (
            f"comparison.mlflow_ui_url in {SETTINGS_FILE} is not a public http(s) address: run "
            "ids are shown without links (a published report cannot link to a local or "
            "private server)"
        )
        if note not in sources.notes:
            sources.notes.append(note)
        return None
    return str(configured).rstrip("/")


def store_name(sources: Sources) -> str:
    """The tracking store as the documents name it: no absolute path, no host name."""
    store = _sqlite_file(sources.tracking_uri)
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


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name) or esc.text(str(name).replace("_", " "))


def start_date(run: Run) -> str:
    import time

    return time.strftime("%Y-%m-%d", time.gmtime(run.start_time / 1000))


# --- The blocks --------------------------------------------------------------------------


def block_current_model(sources: Sources, doc_dir: Path) -> str:
    if sources.metrics is None or sources.params is None:
        return NO_RUN_YET
    described = describe_model(sources)
    from {{ cookiecutter.package_name }} import __version__

    lines = []
    if sources.changed_params:
        lines += [f"> **Warning:** {esc.text(params_changed_message(sources))}.", ""]
    data_name = described["data.name"]
    lines += [
        f"- Model: {esc.code(described['model.name'])} ({esc.code(described['estimator'])})",
        f"- Data: {esc.code(data_name)} ({esc.code(f'{SCHEMA_LINK}/{data_name}.yaml')}), "
        f"{number(sources.metrics.get('n_test'))} test cases of which "
        f"{number(sources.metrics.get('n_test_positive'))} positive",
        f"- Decision threshold: {number(sources.metrics.get('threshold'))}",
        f"- Package version: {esc.text(__version__)}",
    ]
    run = sources.current_run
    if run is not None:
        commit = run.tags.get("git.commit", "none")
        dirty = " with uncommitted changes" if run.tags.get("git.dirty") == "true" else ""
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
        if run.tags.get("dvc.experiment"):
            lines.append(f"- DVC experiment: {esc.code(run.tags['dvc.experiment'])}")
    return "\n".join(lines)


def describe_model(sources: Sources) -> dict[str, str]:
    """Model, estimator and data of the run whose metrics the report shows.

    From the MLflow run's own parameters when it is in the store, else from the parameters
    the pipeline ran with (dvc.lock), never from a params.yaml recomposed since.
    """
    params = sources.params or {}
    model = params.get("model") or {}
    found = {
        "model.name": model.get("name", ""),
        "estimator": (model.get("estimator") or {}).get("_target_", ""),
        "data.name": (params.get("data") or {}).get("name", ""),
    }
    run = sources.current_run
    if run is not None:
        logged = {
            "model.name": run.params.get("model.name"),
            "estimator": run.params.get("model.estimator._target_"),
            "data.name": run.params.get("data.name"),
        }
        found.update({key: value for key, value in logged.items() if value is not None})
    return found


def block_results(sources: Sources, doc_dir: Path) -> str:
    if sources.metrics is None:
        return NO_RUN_YET
    names = [name for name in sources.settings.metrics if name in sources.metrics]
    rows = [[metric_label(name), number(sources.metrics[name])] for name in names]
    if "cv_roc_auc_mean" in sources.cv_metrics:
        rows.append(
            [
                f"Cross-validated ROC AUC ({number(sources.cv_metrics.get('cv_folds'))} folds "
                "of the training split, mean ± sd)",
                f"{number(sources.cv_metrics['cv_roc_auc_mean'])} ± "
                f"{number(sources.cv_metrics['cv_roc_auc_std'])}",
            ]
        )
    metric_table = table(["Metric", "Value"], rows)
    counts = sources.metrics
    confusion = table(
        ["", "Predicted positive", "Predicted negative"],
        [
            ["Actually positive", counts.get("true_positive"), counts.get("false_negative")],
            ["Actually negative", counts.get("false_positive"), counts.get("true_negative")],
        ],
    )
    source = f"`{METRICS}`"
    if sources.current_run is not None:
        source += f", MLflow run {run_link(sources, sources.current_run, short=False)}"
    return (
        f"On the held-out test set ({number(counts.get('n_test'))} cases, threshold "
        f"{number(counts.get('threshold'))}); from {source}.\n\n"
        f"{metric_table}\n\n{confusion}"
    )


def ranked_runs(sources: Sources) -> list[Run]:
    comparison = sources.settings.comparison
    metric = comparison.metric
    scored = [run for run in sources.runs if metric in run.metrics]
    sign = -1 if comparison.get("higher_is_better", True) else 1
    scored.sort(key=lambda run: (sign * run.metrics[metric], -run.start_time, run.run_id))
    return scored[: int(comparison.get("max_runs", 15))]


def block_comparison(sources: Sources, doc_dir: Path) -> str:
    if not sources.store_found:
        return (
            f"No MLflow runs yet in {store_name(sources)}: run `make pipeline-fake` or "
            "`make train`, then `make report`."
        )
    runs = ranked_runs(sources)
    metric = sources.settings.comparison.metric
    if not runs:
        return (
            f"No finished MLflow run has the metric {esc.code(metric)} yet: run `make train`, "
            "then `make report`."
        )
    others = [name for name in sources.settings.metrics if name != metric][:3]
    header = ["Rank", "Run", "Model", "Data", metric_label(metric)]
    header += [metric_label(name) for name in others] + ["Experiment", "Started"]
    current = sources.current_run.run_id if sources.current_run else None
    rows = []
    for rank, run in enumerate(runs, start=1):
        marker = " (current model)" if run.run_id == current else ""
        experiment = esc.text(run.experiment)
        if run.tags.get("dvc.experiment"):
            experiment += f" / DVC {esc.code(run.tags['dvc.experiment'])}"
        rows.append(
            [
                rank,
                f"{run_link(sources, run)} {esc.text(run.name)}{marker}",
                esc.text(run.params.get("model.name", "")),
                esc.text(run.params.get("data.name", "")),
                number(run.metrics[metric]),
                *[number(run.metrics.get(name)) for name in others],
                experiment,
                start_date(run),
            ]
        )
    total = len([run for run in sources.runs if metric in run.metrics])
    direction = "highest" if sources.settings.comparison.get("higher_is_better", True) else "lowest"
    return (
        f"The {len(runs)} best of {total} finished MLflow runs, {direction} "
        f"{metric_label(metric)} first (`comparison` in `{SETTINGS_FILE}`). "
        f"{run_ids_note(sources)}\n\n" + table(header, rows)
    )


def _figure_link(doc_dir: Path, sources: Sources, name: str, caption: str) -> str:
    target = sources.path(sources.settings.figures_dir) / name
    relative = Path(os.path.relpath(target, doc_dir)).as_posix()
    return f"![{esc.text(caption)}]({quote(relative)})"


def block_figures(sources: Sources, doc_dir: Path) -> str:
    if sources.metrics is None:
        return NO_RUN_YET
    present = [
        name
        for name in PIPELINE_FIGURES
        if (sources.path(sources.settings.figures_dir) / name).is_file()
    ]
    if not present:
        return f"The figures are missing from `{FIGURES_DIR}`: run `dvc repro`, then `make report`."
    return "\n\n".join(
        _figure_link(doc_dir, sources, name, PIPELINE_FIGURES[name]) for name in present
    )


def block_feature_importance(sources: Sources, doc_dir: Path) -> str:
    if sources.metrics is None:
        return NO_RUN_YET
    importances = sources.importances
    if not sources.settings.feature_importance.get("enabled", True):
        return "Feature importance is turned off (`feature_importance.enabled`)."
    if not importances:
        return f"`{MODEL_FILE}` or `{TEST_DATA}` is missing: run `dvc pull` or `dvc repro`."
    rows = [[esc.code(item.feature), number(item.mean), number(item.std)] for item in importances]
    repeats = sources.settings.feature_importance.get("repeats", 5)
    return (
        "Permutation importance on the test set: how much the ROC AUC drops when one feature's "
        f"values are shuffled ({repeats} repeats). It shows what the model relies on, not "
        "what causes the outcome.\n\n"
        + _figure_link(doc_dir, sources, FEATURE_IMPORTANCE_FIGURE, "Feature importance")
        + "\n\n"
        + table(["Feature", "Mean drop in ROC AUC", "Standard deviation"], rows)
    )


def block_subgroups(sources: Sources, doc_dir: Path) -> str:
    if sources.metrics is None or sources.params is None:
        return NO_RUN_YET
    data = sources.params.get("data", {})
    columns = list(data.get("subgroups") or [])
    if not columns:
        schema = f"{SCHEMA_LINK}/{data.get('name', '')}.yaml"
        return (
            f"The data ({esc.code(schema)}) declares no subgroup "
            "columns: list them under `subgroups:` to report performance by subgroup."
        )
    results = sources.subgroups
    if results is None:
        return f"`{PREDICTIONS}` is missing: run `dvc repro`, then `make report`."
    names = list(sources.settings.subgroups.metrics)
    min_cases = sources.settings.subgroups.get("min_cases", 10)
    parts = [
        f"Test-set performance by subgroup (threshold {number(sources.metrics.get('threshold'))}); "
        f"groups with fewer than {min_cases} cases are not scored."
    ]
    for column in columns:
        rows = [
            [esc.text(result.group), result.cases, result.positives]
            + [number(result.metrics[name]) for name in names]
            for result in results
            if result.column == column
        ]
        parts.append(f"**{esc.text(column)}**")
        parts.append(
            _figure_link(
                doc_dir,
                sources,
                subgroup_figure_name(column),
                f"Performance by {column}",
            )
        )
        parts.append(
            table(["Group", "Cases", "Positive"] + [metric_label(name) for name in names], rows)
        )
    return "\n\n".join(parts)


def subgroup_figure_name(column: str) -> str:
    from {{ cookiecutter.package_name }}.report_figures import safe_name

    return f"{SUBGROUP_FIGURE_PREFIX}{safe_name(column)}.png"


def block_hyperparameters(sources: Sources, doc_dir: Path) -> str:
    run = sources.current_run
    if run is not None:
        values = run.params
        source = f"MLflow run {run_link(sources, run)}"
    elif sources.params is not None and sources.metrics is not None:
        from {{ cookiecutter.package_name }}.tracking import flatten

        values = flatten(sources.params)
        source = f"`{PARAMS_FILE}`"
    else:
        return NO_RUN_YET
    wanted = ("model.", "train.", "evaluate.")
    rows = [
        [esc.code(key), esc.code(value)]
        for key, value in sorted(values.items())
        if key.startswith(wanted) and key != "model.name"
    ]
    return f"From {source}.\n\n" + table(["Parameter", "Value"], rows)


def block_data_dictionary(sources: Sources, doc_dir: Path) -> str:
    from {{ cookiecutter.package_name }}.report_data import data_dictionary

    return data_dictionary(sources)


def block_licences(sources: Sources, doc_dir: Path) -> str:
    from importlib import metadata

    from skunkworks_poc.licences import dependencies

    project = {{ cookiecutter.project_slug | quoted }}
    try:
        metadata.distribution(project)
    except metadata.PackageNotFoundError:
        return f"`{project}` is not installed here: run `make setup`, then `make report`."
    packages = dependencies(project)
    rows = [
        [esc.text(package.name), esc.text(package.version), esc.text(package.licence)]
        for package in packages
    ]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"The {len(packages)} packages `{project}` installs at run time, with the "
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


# --- Figures -------------------------------------------------------------------------------


def managed_figure(name: str) -> bool:
    return (
        name in PIPELINE_FIGURES
        or name == FEATURE_IMPORTANCE_FIGURE
        or name.startswith(SUBGROUP_FIGURE_PREFIX)
    )


def write_figures(sources: Sources) -> list[str]:
    """Copy the pipeline's figures, draw the report's own; the names of files that changed.

    Figures of an earlier model that this one does not have (a subgroup column since removed)
    are deleted, so the site never shows a figure from another run.
    """
    from {{ cookiecutter.package_name }} import report_figures

    folder = sources.path(sources.settings.figures_dir)
    wanted: dict[str, bytes] = {}
    if sources.metrics is not None:
        for name in PIPELINE_FIGURES:
            produced = sources.path(FIGURES_DIR) / name
            if produced.is_file():
                wanted[name] = produced.read_bytes()
        wanted.update(_importance_figure(sources))
        wanted.update(_subgroup_figures(sources))
    changed = [
        name
        for name, content in wanted.items()
        if report_figures.write_if_changed(folder / name, content)
    ]
    if folder.is_dir():
        for stale in sorted(folder.glob("*.png")):
            if managed_figure(stale.name) and stale.name not in wanted:
                stale.unlink()
                changed.append(stale.name)
    return changed


def _importance_figure(sources: Sources) -> dict[str, bytes]:
    settings = sources.settings.feature_importance
    model_file, test_file = sources.path(MODEL_FILE), sources.path(TEST_DATA)
    if not settings.get("enabled", True) or not model_file.is_file() or not test_file.is_file():
        return {}
    if sources.params is None:
        return {}
    import joblib

    from {{ cookiecutter.package_name }} import report_figures
    from {{ cookiecutter.package_name }}.data import feature_columns
    from {{ cookiecutter.package_name }}.models import labels
    from {{ cookiecutter.package_name }}.prepare import read_table

    data_cfg = sources.params["data"]
    test = read_table(test_file)
    importances = report_figures.permutation_importance(
        joblib.load(model_file),
        test[feature_columns(data_cfg)],
        labels(test, data_cfg),
        repeats=int(settings.get("repeats", 5)),
        seed=int(sources.params.get("train", {}).get("seed", 0)),
    )[: int(settings.get("top", 15))]
    sources.importances = importances
    return {FEATURE_IMPORTANCE_FIGURE: report_figures.importance_figure(importances)}


def _subgroup_figures(sources: Sources) -> dict[str, bytes]:
    columns = list(((sources.params or {}).get("data") or {}).get("subgroups") or [])
    predictions_file = sources.path(PREDICTIONS)
    if not columns or not predictions_file.is_file():
        return {}
    import pandas as pd

    from {{ cookiecutter.package_name }} import report_figures

    predictions = pd.read_csv(predictions_file)
    missing = [column for column in columns if column not in predictions.columns]
    if missing:
        raise PipelineError(
            f"{PREDICTIONS} has no column {', '.join(missing)} (declared as subgroups): "
            "run `dvc repro` so that the predictions keep them"
        )
    names = [name for name in sources.settings.subgroups.metrics]
    unknown = [name for name in names if name not in report_figures.SUBGROUP_METRICS]
    if unknown:
        raise PipelineError(
            f"{SETTINGS_FILE}: subgroups.metrics {unknown} unknown; choose from "
            f"{', '.join(report_figures.SUBGROUP_METRICS)}"
        )
    results = report_figures.subgroup_results(
        predictions, columns, names, int(sources.settings.subgroups.get("min_cases", 10))
    )
    sources.subgroups = results
    return {
        subgroup_figure_name(column): report_figures.subgroup_figure(column, results, names)
        for column in columns
    }


# --- The command ---------------------------------------------------------------------------


@dataclass
class Outcome:
    changed_documents: list[str]
    changed_figures: list[str]
    to_complete: int
    has_results: bool
    notes: list[str]


def build(root: Path | None = None, settings_file: Path | None = None) -> Outcome:
    """Regenerate figures and every generated block of the configured documents."""
    root = root or project_root()
    settings = load_settings(root, settings_file)
    documents = [root / document for document in settings.documents]
    missing = [str(document) for document in documents if not document.is_file()]
    if missing:
        raise PipelineError(
            f"{', '.join(missing)} not found: restore it, or remove it from `documents` in "
            f"{SETTINGS_FILE}"
        )
    sources = gather(root, settings)
    changed_figures = write_figures(sources)
    changed_documents, to_complete = [], 0
    for document in documents:
        text = document.read_text(encoding="utf-8")
        names = {block.name for block in report_blocks.find_blocks(text, str(document))}
        unknown = sorted(names - set(BLOCKS))
        if unknown:
            raise PipelineError(
                f"{document}: unknown generated block {', '.join(unknown)}; known blocks: "
                f"{', '.join(BLOCKS)}"
            )
        contents = {name: BLOCKS[name](sources, document.parent) for name in names}
        changed, _ = report_blocks.update_file(document, contents)
        if changed:
            changed_documents.append(str(document.relative_to(root)))
        to_complete += report_blocks.count_to_complete(document.read_text(encoding="utf-8"))
    return Outcome(
        changed_documents, changed_figures, to_complete, sources.metrics is not None, sources.notes
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}.report",
        description="Regenerate the generated blocks of the technical report, model card and "
        "data card from the pipeline's outputs and the MLflow runs.",
    )
    parser.add_argument("--settings", type=Path, help=f"report settings (default: {SETTINGS_FILE})")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="only print the built site's report page to site/technical-report.pdf",
    )
    args = parser.parse_args(argv)
    if args.pdf:
        from {{ cookiecutter.package_name }}.report_pdf import print_pdf

        with reported():
            print(f"report: wrote {print_pdf(project_root())}", file=sys.stderr)
        return
    with reported():
        outcome = build(settings_file=args.settings)
    for note in outcome.notes:
        print(f"warning: {note}", file=sys.stderr)
    if not outcome.has_results:
        print(NO_RUN_YET, file=sys.stderr)
    updated = outcome.changed_documents + [f"figures/{name}" for name in outcome.changed_figures]
    print(
        f"report: {', '.join(updated) if updated else 'nothing changed'}; "
        f"{outcome.to_complete} places marked [TO COMPLETE: ...] left",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
