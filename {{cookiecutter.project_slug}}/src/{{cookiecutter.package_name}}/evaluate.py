"""Evaluate a fitted model on the test set: metrics, curves, confusion matrix, figures,
feature importance and performance by subgroup.

The curves are written as CSV for `dvc plots` and drawn as PNG figures for reports and MLflow.
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

from {{ cookiecutter.package_name }}.data import feature_columns, subgroups
from {{ cookiecutter.package_name }}.errors import PipelineError
from {{ cookiecutter.package_name }}.models import labels

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

FIGURE_NAMES = ("roc_curve.png", "precision_recall_curve.png", "confusion_matrix.png")
FIGURE_CAPTIONS = ("ROC curve", "Precision-recall curve", "Confusion matrix")
# Without this matplotlib writes its version into every PNG: same inputs, same bytes.
STABLE_PNG = {"Software": None}
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
}
SUBGROUP_METRICS = ("sensitivity", "specificity", "roc_auc", "precision", "accuracy")


@dataclass
class Evaluation:
    metrics: dict[str, float]
    roc: pd.DataFrame  # fpr, tpr, threshold
    precision_recall: pd.DataFrame  # recall, precision, threshold
    predictions: pd.DataFrame  # actual, predicted, score, then the subgroup columns


def evaluate(
    model: Pipeline, test: pd.DataFrame, data_cfg: Mapping[str, Any], threshold: float
) -> Evaluation:
    """Metrics at `threshold` and the threshold-free curves, on the test set."""
    import numpy as np
    import pandas as pd
    from sklearn import metrics

    actual = labels(test, data_cfg).to_numpy()
    score = model.predict_proba(test[feature_columns(data_cfg)])[:, 1]
    predicted = (score >= threshold).astype("int64")
    true_negative, false_positive, false_negative, true_positive = metrics.confusion_matrix(
        actual, predicted, labels=[0, 1]
    ).ravel()
    values = {
        "roc_auc": metrics.roc_auc_score(actual, score),
        "average_precision": metrics.average_precision_score(actual, score),
        "accuracy": metrics.accuracy_score(actual, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(actual, predicted),
        "sensitivity": metrics.recall_score(actual, predicted, zero_division=0),
        "specificity": true_negative / max(true_negative + false_positive, 1),
        "precision": metrics.precision_score(actual, predicted, zero_division=0),
        "f1": metrics.f1_score(actual, predicted, zero_division=0),
        "brier_score": metrics.brier_score_loss(actual, score),
        "threshold": threshold,
        "n_test": len(actual),
        "n_test_positive": int(actual.sum()),
        "true_positive": int(true_positive),
        "false_positive": int(false_positive),
        "true_negative": int(true_negative),
        "false_negative": int(false_negative),
    }
    fpr, tpr, roc_thresholds = metrics.roc_curve(actual, score)
    precision, recall, pr_thresholds = metrics.precision_recall_curve(actual, score)
    roc = pd.DataFrame(
        {"fpr": fpr, "tpr": tpr, "threshold": np.minimum(roc_thresholds, 1.0)}
    ).round(6)
    precision_recall = pd.DataFrame(
        {
            "recall": recall[:-1],
            "precision": precision[:-1],
            "threshold": pr_thresholds,
        }
    ).round(6)
    predictions = pd.DataFrame({"actual": actual, "predicted": predicted, "score": score.round(6)})
    for column in subgroups(data_cfg):
        predictions[column] = test[column].to_numpy()
    rounded = {
        key: round(float(value), 6) if isinstance(value, float) else int(value)
        for key, value in values.items()
    }
    return Evaluation(rounded, roc, precision_recall, predictions)


def write_metrics(values: Mapping[str, float], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(values), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def write_plots_data(evaluation: Evaluation, folder: Path) -> list[Path]:
    """roc.csv, precision_recall.csv and confusion.csv (one row per test case) for DVC plots."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "roc.csv": evaluation.roc,
        "precision_recall.csv": evaluation.precision_recall,
        "confusion.csv": evaluation.predictions[["actual", "predicted"]],
    }
    for name, table in tables.items():
        table.to_csv(folder / name, index=False)
    return [folder / name for name in tables]


def write_figures(evaluation: Evaluation, folder: Path) -> list[Path]:
    """The ROC curve, precision-recall curve and confusion matrix as PNG files."""
    from sklearn.metrics import ConfusionMatrixDisplay

    plt = _pyplot()

    folder.mkdir(parents=True, exist_ok=True)
    values = evaluation.metrics
    paths = [folder / name for name in FIGURE_NAMES]

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    axes.plot(evaluation.roc["fpr"], evaluation.roc["tpr"], label=f"AUC {values['roc_auc']:.3f}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    axes.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC curve")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(paths[0], dpi=100, metadata=STABLE_PNG)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    curve = evaluation.precision_recall
    axes.plot(curve["recall"], curve["precision"], label=f"AP {values['average_precision']:.3f}")
    axes.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curve", ylim=(0, 1.02))
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(paths[1], dpi=100, metadata=STABLE_PNG)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    ConfusionMatrixDisplay.from_predictions(
        evaluation.predictions["actual"],
        evaluation.predictions["predicted"],
        labels=[0, 1],
        ax=axes,
        colorbar=False,
    )
    axes.set_title(f"Confusion matrix (threshold {values['threshold']})")
    figure.tight_layout()
    figure.savefig(paths[2], dpi=100, metadata=STABLE_PNG)
    plt.close(figure)
    return paths


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Column names and group values come from data: a `$` must not start mathtext.
    plt.rcParams["text.parse_math"] = False
    return plt


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100, metadata=STABLE_PNG)
    _pyplot().close(figure)
    return path


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
    """Drop in test ROC AUC when each feature is shuffled, largest first, and the number of
    test rows used: at most `max_rows`, a seeded stratified sample, so that a million-row
    test split costs seconds rather than minutes."""
    from sklearn.inspection import permutation_importance as sklearn_importance
    from sklearn.model_selection import train_test_split

    features, actual = test[feature_columns(data_cfg)], labels(test, data_cfg)
    max_rows = int(settings["max_rows"])
    if len(test) > max_rows:
        features, _, actual, _ = train_test_split(
            features, actual, train_size=max_rows, random_state=seed, stratify=actual
        )
    result = sklearn_importance(
        model,
        features,
        actual,
        scoring="roc_auc",
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
    plt = _pyplot()
    shown = list(reversed(importances))
    figure, axes = plt.subplots(figsize=(6.5, 0.32 * len(shown) + 1.4))
    axes.barh(
        [item.feature for item in shown],
        [item.mean for item in shown],
        xerr=[item.std for item in shown],
        color="#005eb8",
    )
    axes.set(
        xlabel="Drop in ROC AUC when the feature is shuffled",
        title="Permutation feature importance (test set)",
    )
    axes.axvline(0, color="grey", linewidth=0.8)
    figure.tight_layout()
    return _save(figure, path)


def _group_metrics(actual: Any, predicted: Any, score: Any, names: Sequence[str]) -> dict:
    from sklearn import metrics

    positives = int(actual.sum())
    negatives = len(actual) - positives
    values: dict[str, float | None] = {}
    for name in names:
        value: float | None
        if name == "sensitivity":
            value = float((predicted[actual == 1] == 1).mean()) if positives else None
        elif name == "specificity":
            value = float((predicted[actual == 0] == 0).mean()) if negatives else None
        elif name == "roc_auc":
            value = metrics.roc_auc_score(actual, score) if positives and negatives else None
        elif name == "precision":
            flagged = predicted == 1
            value = float((actual[flagged] == 1).mean()) if flagged.any() else None
        else:  # accuracy
            value = float((actual == predicted).mean())
        values[name] = None if value is None else round(float(value), 6)
    return values


@dataclass(frozen=True)
class GroupResult:
    column: str
    group: str
    cases: int
    positives: int
    metrics: Mapping[str, float | None]  # None: too few cases, or not computable


def subgroup_results(
    predictions: pd.DataFrame, columns: Sequence[str], names: Sequence[str], min_cases: int
) -> list[GroupResult]:
    """Each metric of `names` for each value of each subgroup column (as text); groups with
    fewer than `min_cases` cases are listed without metrics."""
    unknown = [name for name in names if name not in SUBGROUP_METRICS]
    if unknown:
        raise PipelineError(
            f"evaluate.subgroups.metrics: {', '.join(unknown)} unknown; choose from "
            f"{', '.join(SUBGROUP_METRICS)}"
        )
    results = []
    for column in columns:
        groups = predictions[column].astype("string").fillna("(missing)")
        for group in sorted(groups.unique()):
            rows = predictions[groups == group]
            actual = rows["actual"].to_numpy()
            values = (
                _group_metrics(
                    actual, rows["predicted"].to_numpy(), rows["score"].to_numpy(), names
                )
                if len(rows) >= min_cases
                else dict.fromkeys(names)
            )
            results.append(GroupResult(column, str(group), len(rows), int(actual.sum()), values))
    return results


def subgroup_figure(
    column: str, results: Sequence[GroupResult], names: Sequence[str], path: Path
) -> Path:
    import numpy as np

    plt = _pyplot()
    groups = [result for result in results if result.column == column]
    positions = np.arange(len(groups))
    width = 0.8 / max(len(names), 1)
    figure, axes = plt.subplots(figsize=(max(4.5, 1.1 * len(groups) + 2), 4.0))
    for index, name in enumerate(names):
        heights = [np.nan if r.metrics[name] is None else r.metrics[name] for r in groups]
        axes.bar(positions + index * width, heights, width, label=METRIC_LABELS[name])
    centres = positions + width * (len(names) - 1) / 2
    for centre, result in zip(centres, groups, strict=True):
        if all(value is None for value in result.metrics.values()):
            axes.text(centre, 0.02, "too few\ncases", ha="center", va="bottom", fontsize="small")
    axes.set_xticks(centres)
    axes.set_xticklabels([f"{result.group}\n(n={result.cases})" for result in groups])
    axes.set(ylim=(0, 1.05), ylabel="Value", title=f"Performance by {column}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(names), frameon=False)
    figure.tight_layout()
    return _save(figure, path)


def safe_name(text: str) -> str:
    """`text` fit for a file name: letters, digits, underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "column"
