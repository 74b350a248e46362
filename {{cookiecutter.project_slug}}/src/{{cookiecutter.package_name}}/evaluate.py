"""What every flavour's evaluation shares: writing metrics and plots data, feature importance,
performance by subgroup and their figures. The flavour's own metrics, curves and figures are
`task.evaluate` and `task.write_figures`.

Plots data are written as CSV for `dvc plots` and figures drawn as PNG for reports and MLflow.
Everything the documents show about the model is computed here, by the project, and written
as files (`contract.py`); `skunkworks report` only reads and renders them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.columns import feature_columns
from {{ cookiecutter.package_name }}.errors import PipelineError

# What a flavour's evaluation yields and how figures are drawn (`as`: re-exported).
from {{ cookiecutter.package_name }}.results import STABLE_PNG as STABLE_PNG
from {{ cookiecutter.package_name }}.results import Evaluation
from {{ cookiecutter.package_name }}.results import pyplot as pyplot
from {{ cookiecutter.package_name }}.results import save as _save

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline


def write_metrics(values: Mapping[str, float], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(values), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def write_plots_data(evaluation: Evaluation, folder: Path) -> list[Path]:
    """The flavour's tables for `dvc plots` (`task.PLOTS`), one CSV file each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in evaluation.plots.items():
        table.to_csv(folder / name, index=False)
    return [folder / name for name in evaluation.plots]


@dataclass(frozen=True)
class Importance:
    feature: str
    mean: float
    std: float


def permutation_importance(
    model: Pipeline,
    test: pd.DataFrame,
    data_cfg: Mapping[str, Any],
    settings: Mapping[str, Any],
    seed: int,
) -> tuple[list[Importance], int]:
    """Drop in the test score (`task.scoring`) when each feature is shuffled, largest first,
    and the number of test rows used: at most `max_rows`, a seeded sample (stratified where
    the flavour stratifies), so that a million-row test split costs seconds, not minutes."""
    from sklearn.inspection import permutation_importance as sklearn_importance
    from sklearn.model_selection import train_test_split

    features, actual = test[feature_columns(data_cfg)], task.target(test, data_cfg)
    max_rows = int(settings["max_rows"])
    if len(test) > max_rows:
        features, _, actual, _ = train_test_split(
            features,
            actual,
            train_size=max_rows,
            random_state=seed,
            stratify=task.stratify(test, data_cfg),
        )
    result = sklearn_importance(
        model,
        features,
        actual,
        scoring=task.scoring(data_cfg),
        n_repeats=int(settings["repeats"]),
        random_state=seed,
        n_jobs=int(settings["n_jobs"]),
    )
    ranked = [
        Importance(str(name), round(float(mean), 6), round(float(std), 6))
        for name, mean, std in zip(
            features.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    ranked.sort(key=lambda item: (-item.mean, item.feature))
    return ranked[: int(settings["top"])], len(features)


def importance_figure(importances: Sequence[Importance], path: Path) -> Path:

    plt = pyplot()
    shown = list(reversed(importances))
    figure, axes = plt.subplots(figsize=(6.5, 0.32 * len(shown) + 1.4))
    axes.barh(
        [item.feature for item in shown],
        [item.mean for item in shown],
        xerr=[item.std for item in shown],
        color="#005eb8",
    )
    axes.set(
        xlabel=f"{task.IMPORTANCE_LABEL} when the feature is shuffled",
        title="Permutation feature importance (test set)",
    )
    axes.axvline(0, color="grey", linewidth=0.8)
    figure.tight_layout()
    return _save(figure, path)


@dataclass(frozen=True)
class GroupResult:
    column: str
    group: str
    cases: int
    count: float  # what `task.group_count_label` names (positive cases, say)
    metrics: Mapping[str, float | None]  # None: too few cases, or not computable


def subgroup_results(
    predictions: pd.DataFrame, columns: Sequence[str], names: Sequence[str], min_cases: int
) -> list[GroupResult]:
    """Each metric of `names` for each value of each subgroup column (as text); groups with
    fewer than `min_cases` cases are listed without metrics."""

    unknown = [name for name in names if name not in task.SUBGROUP_METRICS]
    if unknown:
        raise PipelineError(
            f"evaluate.subgroups.metrics: {', '.join(unknown)} unknown; choose from "
            f"{', '.join(task.SUBGROUP_METRICS)}"
        )
    results = []
    for column in columns:
        groups = predictions[column].astype("string").fillna("(missing)")
        for group in sorted(groups.unique()):
            rows = predictions[groups == group]
            values = (
                task.group_metrics(rows, names) if len(rows) >= min_cases else dict.fromkeys(names)
            )
            results.append(
                GroupResult(column, str(group), len(rows), task.group_count(rows), values)
            )
    return results


def subgroup_figure(
    column: str, results: Sequence[GroupResult], names: Sequence[str], path: Path
) -> Path:
    import numpy as np

    plt = pyplot()
    groups = [result for result in results if result.column == column]
    positions = np.arange(len(groups))
    width = 0.8 / max(len(names), 1)
    figure, axes = plt.subplots(figsize=(max(4.5, 1.1 * len(groups) + 2), 4.0))
    for index, name in enumerate(names):
        heights = [np.nan if r.metrics[name] is None else r.metrics[name] for r in groups]
        axes.bar(positions + index * width, heights, width, label=task.METRIC_LABELS[name])
    centres = positions + width * (len(names) - 1) / 2
    for centre, result in zip(centres, groups, strict=True):
        if all(value is None for value in result.metrics.values()):
            axes.text(centre, 0.02, "too few\ncases", ha="center", va="bottom", fontsize="small")
    axes.set_xticks(centres)
    axes.set_xticklabels([f"{result.group}\n(n={result.cases})" for result in groups])
    scored = [v for r in groups for v in r.metrics.values() if v is not None]
    if all(0 <= value <= 1 for value in scored):  # rates and areas: the whole scale
        axes.set_ylim(0, 1.05)
    axes.set(ylabel="Value", title=f"Performance by {column}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(names), frameon=False)
    figure.tight_layout()
    return _save(figure, path)


def safe_name(text: str) -> str:
    """`text` fit for a file name: letters, digits, underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "column"
