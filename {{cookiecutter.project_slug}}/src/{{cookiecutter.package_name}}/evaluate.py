"""Evaluate a fitted model on the test set: metrics, curves, confusion matrix and figures.

The curves are written as CSV for `dvc plots` and drawn as PNG figures for reports and MLflow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }}.data import feature_columns, subgroups
from {{ cookiecutter.package_name }}.models import labels

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

FIGURE_NAMES = ("roc_curve.png", "precision_recall_curve.png", "confusion_matrix.png")


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    folder.mkdir(parents=True, exist_ok=True)
    values = evaluation.metrics
    paths = [folder / name for name in FIGURE_NAMES]

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    axes.plot(evaluation.roc["fpr"], evaluation.roc["tpr"], label=f"AUC {values['roc_auc']:.3f}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    axes.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC curve")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(paths[0], dpi=100)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    curve = evaluation.precision_recall
    axes.plot(curve["recall"], curve["precision"], label=f"AP {values['average_precision']:.3f}")
    axes.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curve", ylim=(0, 1.02))
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(paths[1], dpi=100)
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
    figure.savefig(paths[2], dpi=100)
    plt.close(figure)
    return paths
