"""The files `skunkworks report` reads (contract 1 of the skunkworks-poc toolkit).

The evaluate stage writes them: `metrics/report.json` says what to show (metrics and their
labels, the primary metric and its direction, tables, figures with captions, feature
importance, results by subgroup) and `metrics/data_profile.json` describes the data for the
data card. The toolkit renders what is declared here and computes nothing itself: to show
another metric, table or figure, add it here. See the toolkit's docs/contract.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.columns import feature_columns, roles, subgroups
from {{ cookiecutter.package_name }}.evaluate import Evaluation, GroupResult, Importance

CONTRACT = 1
MANIFEST = "metrics/report.json"
PROFILE = "metrics/data_profile.json"


def write_json(value: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _section(title: str, text: str, figure: str | None, columns: list, rows: list) -> dict:
    shown = {"file": figure, "caption": title} if figure else None
    return {"title": title, "text": text, "figure": shown, "columns": columns, "rows": rows}


def report_manifest(
    cfg: Mapping[str, Any],
    evaluation: Evaluation,
    cv_metrics: Mapping[str, Any],
    figures_dir: str,
    importance: tuple[list[Importance], int, str | None] | None,
    groups: tuple[list[GroupResult], dict[str, str]] | None,
    version: str,
) -> dict[str, Any]:
    """metrics/report.json: what the documents show of this model, declared."""
    data_cfg = cfg["data"]
    settings = cfg["evaluate"]
    labels = task.METRIC_LABELS
    metrics = [{"name": name, "label": labels[name]} for name in task.shown_metrics(data_cfg)]
    metric_files = ["metrics/metrics.json"]
    cv_mean = f"cv_{task.SCORE_NAME}_mean"
    if cv_mean in cv_metrics:
        metric_files.append("metrics/cv.json")
        metrics.append(
            {
                "name": cv_mean,
                "label": f"Cross-validated {task.SCORING_LABEL} ({cv_metrics['cv_folds']} folds "
                "of the training split, mean ± sd)",
                "spread": f"cv_{task.SCORE_NAME}_std",
            }
        )
    own = task.manifest(evaluation, cfg)
    manifest: dict[str, Any] = {
        "contract": CONTRACT,
        "task": task.describe(data_cfg),
        "project": {"name": {{ cookiecutter.project_slug | quoted }}, "version": version},
        "model": {
            "name": str(cfg["model"]["name"]),
            "estimator": str(cfg["model"]["estimator"]["_target_"]),
        },
        "data": {"name": str(data_cfg["name"]), "schema": f"conf/data/{data_cfg['name']}.yaml"},
        "evaluation": own["evaluation"],
        "primary_metric": {
            "name": str(settings["primary_metric"]),
            "higher_is_better": bool(settings["higher_is_better"]),
        },
        "metric_files": metric_files,
        "metrics": metrics,
        "facts": own["facts"],
        "tables": own["tables"],
        "figures": [
            {"file": f"{figures_dir}/{name}", "caption": caption}
            for name, caption in task.FIGURES.items()
        ],
        "feature_importance": None,
        "subgroups": None,
    }
    if importance is not None:
        rows, used, figure = importance
        repeats = settings["importance"]["repeats"]
        manifest["feature_importance"] = _section(
            "Feature importance",
            f"Permutation importance on {used} test cases: how much the {task.SCORING_LABEL} "
            f"worsens when one feature's values are shuffled ({repeats} repeats). It shows what "
            "the model relies on, not what causes the outcome.",
            figure,
            [
                "Feature",
                f"Mean {task.IMPORTANCE_LABEL[0].lower()}{task.IMPORTANCE_LABEL[1:]}",
                "Standard deviation",
            ],
            [[item.feature, item.mean, item.std] for item in rows],
        )
    if groups is not None:
        results, figures = groups
        names = list(settings["subgroups"]["metrics"])
        count = task.group_count_label(data_cfg)
        columns = ["Group", "Cases", count] + [labels[name] for name in names]
        manifest["subgroups"] = {
            "text": f"{own['subgroups_text']}; groups with fewer than "
            f"{settings['subgroups']['min_cases']} cases are not scored.",
            "sections": [
                _section(
                    f"Performance by {column}",
                    "",
                    figures.get(column),
                    columns,
                    [
                        [result.group, result.cases, result.count]
                        + [result.metrics[name] for name in names]
                        for result in results
                        if result.column == column
                    ],
                )
                for column in subgroups(data_cfg)
            ],
        }
    return manifest


def _statistics(frame: Any, name: str, kind: str) -> dict[str, Any]:
    """Example, min and max of one column (none where they mean nothing)."""
    if frame is None or name not in frame.columns or frame[name].dropna().empty:
        return {}
    column = frame[name].dropna()
    if kind in {"float", "int"}:
        cast = float if kind == "float" else int
        return {
            "example": cast(column.iloc[0]),
            "min": cast(column.min()),
            "max": cast(column.max()),
        }
    if kind == "bool":
        return {"example": bool(column.iloc[0]), "min": False, "max": True}
    if kind == "category":
        return {"example": str(column.mode().iloc[0]), "distinct": int(column.nunique())}
    return {}  # free text: even an example could identify someone


def data_profile(cfg: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """metrics/data_profile.json: the declared schema with summary statistics for the data
    card, from generated fake data unless `evaluate.data_profile.statistics_from` is `real`
    (then minimum, maximum and example values of the real data are published)."""
    from {{ cookiecutter.package_name }}.data import load_dataset, validate
    from {{ cookiecutter.package_name }}.errors import PipelineError

    data_cfg, settings = cfg["data"], cfg["evaluate"]["data_profile"]
    origin = settings["statistics_from"]
    if origin == "real":
        located = dict(data_cfg)
        if located.get("path") and not Path(located["path"]).is_absolute():
            located["path"] = str(root / located["path"])
        frame, note = load_dataset(located), ""
    elif origin == "fake":
        from {{ cookiecutter.package_name }}.data.fake import generate, reference_for

        rows, seed = int(settings["fake_rows"]), int(settings["fake_seed"])
        note = f"Generated by python -m {{ cookiecutter.package_name }}.data.fake, seed {seed}."
        try:
            generated = generate(rows, seed, reference_for(data_cfg))
            # The generator may add columns (subgroups) a schema leaves out: not statistics
            # anyone reads. A declared column it does not make is a mismatch, named below.
            kept = [name for name in generated.columns if name in data_cfg["columns"]]
            frame = validate(generated[kept], data_cfg, "the fake data of data/fake.py")
        except PipelineError as error:
            frame = None
            note = (
                "No summary statistics: the fake-data generator does not produce this schema "
                f"({error}). Adapt generate() in data/fake.py to your columns."
            )
    else:
        raise PipelineError(
            f"evaluate.data_profile.statistics_from is {origin!r}: use fake or real"
        )
    if frame is not None and data_cfg["target"] in frame.columns:
        note += f" {task.profile_note(frame, data_cfg)}"
    selected = set(feature_columns(data_cfg))
    grouped, declared_roles = set(subgroups(data_cfg)), roles(data_cfg)
    columns = []
    for name, kind in data_cfg["columns"].items():
        if name == data_cfg["target"]:
            role = task.target_role(data_cfg)
        elif name in grouped:
            role = "subgroup analysis only"
        elif name in declared_roles:
            role = declared_roles[name].replace("_", " ")
        elif kind == "datetime":
            role = "date or time"
        else:
            role = "feature"
        columns.append(
            {
                "name": name,
                "dtype": kind,
                "selected": name in selected,
                "role": role,
                **_statistics(frame, name, kind),
            }
        )
    return {
        "contract": CONTRACT,
        "data": {"name": str(data_cfg["name"]), "schema": f"conf/data/{data_cfg['name']}.yaml"},
        "statistics": {
            "source": origin,
            "rows": 0 if frame is None else len(frame),
            "text": note.strip(),
        },
        "columns": columns,
    }


def subgroup_figure_names(columns: Sequence[str]) -> dict[str, str]:
    from {{ cookiecutter.package_name }}.evaluate import safe_name

    return {column: f"subgroup_{safe_name(column)}.png" for column in columns}
