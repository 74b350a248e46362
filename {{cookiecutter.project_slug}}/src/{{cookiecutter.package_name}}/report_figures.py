"""Figures and tables the report adds to the pipeline's own: feature importance and
performance by subgroup. Rendered with matplotlib's Agg backend: no display, no network.

Figures are written byte for byte the same from the same inputs (no version or date in the
PNG metadata), so regenerating the report leaves unchanged figures untouched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

# Without these keys matplotlib writes its version into every PNG it saves.
_STABLE_METADATA = {"Software": None}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Column names and group values come from data: a `$` must not start mathtext (an
    # unknown command in it stops the report), so labels show exactly their characters.
    plt.rcParams["text.parse_math"] = False
    return plt


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write `content` to `path` unless it already holds exactly that; whether it wrote."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata=_STABLE_METADATA)
    _pyplot().close(figure)
    return buffer.getvalue()


def safe_name(text: str) -> str:
    """`text` fit for a file name: letters, digits, underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "column"


@dataclass(frozen=True)
class Importance:
    feature: str
    mean: float
    std: float


def permutation_importance(
    model: Any,
    features: pd.DataFrame,
    labels: pd.Series,
    repeats: int,
    seed: int,
) -> list[Importance]:
    """Drop in test ROC AUC when each feature is shuffled, largest first (any model)."""
    from sklearn.inspection import permutation_importance as sklearn_importance

    result = sklearn_importance(
        model, features, labels, scoring="roc_auc", n_repeats=repeats, random_state=seed, n_jobs=1
    )
    ranked = [
        Importance(str(name), round(float(mean), 6), round(float(std), 6))
        for name, mean, std in zip(
            features.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    return sorted(ranked, key=lambda item: (-item.mean, item.feature))


def importance_figure(importances: Sequence[Importance]) -> bytes:
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
    return png_bytes(figure)


@dataclass(frozen=True)
class GroupResult:
    column: str
    group: str
    cases: int
    positives: int
    metrics: Mapping[str, float | None]  # None: not computable for this group


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
        elif name == "accuracy":
            value = float((actual == predicted).mean())
        else:
            raise ValueError(name)
        values[name] = None if value is None else round(float(value), 6)
    return values


SUBGROUP_METRICS = ("sensitivity", "specificity", "roc_auc", "precision", "accuracy")
_LABELS = {"roc_auc": "ROC AUC"}


def subgroup_results(
    predictions: pd.DataFrame, columns: Sequence[str], names: Sequence[str], min_cases: int
) -> list[GroupResult]:
    """Each metric of `names` for each value of each subgroup column (as text), by group;
    groups with fewer than `min_cases` cases are listed without metrics."""
    results = []
    for column in columns:
        groups = predictions[column].astype("string").fillna("(missing)")
        for group in sorted(groups.unique()):
            rows = predictions[groups == group]
            actual = rows["actual"].to_numpy()
            scored = len(rows) >= min_cases
            values = (
                _group_metrics(
                    actual, rows["predicted"].to_numpy(), rows["score"].to_numpy(), names
                )
                if scored
                else dict.fromkeys(names)
            )
            results.append(GroupResult(column, str(group), len(rows), int(actual.sum()), values))
    return results


def subgroup_figure(column: str, results: Sequence[GroupResult], names: Sequence[str]) -> bytes:
    import numpy as np

    plt = _pyplot()
    groups = [result for result in results if result.column == column]
    positions = np.arange(len(groups))
    width = 0.8 / max(len(names), 1)
    figure, axes = plt.subplots(figsize=(max(4.5, 1.1 * len(groups) + 2), 4.0))
    for index, name in enumerate(names):
        heights = [
            np.nan if result.metrics[name] is None else result.metrics[name] for result in groups
        ]
        axes.bar(positions + index * width, heights, width, label=_LABELS.get(name, name))
    centres = positions + width * (len(names) - 1) / 2
    for centre, result in zip(centres, groups, strict=True):
        if all(value is None for value in result.metrics.values()):
            axes.text(centre, 0.02, "too few\ncases", ha="center", va="bottom", fontsize="small")
    axes.set_xticks(centres)
    axes.set_xticklabels([f"{result.group}\n(n={result.cases})" for result in groups])
    axes.set(ylim=(0, 1.05), ylabel="Value", title=f"Performance by {column}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(names), frameon=False)
    figure.tight_layout()
    return png_bytes(figure)
