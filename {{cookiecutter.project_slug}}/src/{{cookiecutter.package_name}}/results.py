"""What an evaluation yields, whatever the task flavour, and how its figures are drawn.

`task.evaluate` returns an `Evaluation`; `task.write_figures` and the shared figures of
evaluate.py draw with `pyplot()` and save with `STABLE_PNG`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# Without this matplotlib writes its version into every PNG: same inputs, same bytes.
STABLE_PNG = {"Software": None}


@dataclass
class Evaluation:
    """One model's evaluation on the test set, whatever the flavour (`task.evaluate`)."""

    metrics: dict[str, float]
    plots: dict[str, pd.DataFrame]  # tables for `dvc plots`, by file name (`task.PLOTS`)
    predictions: pd.DataFrame  # actual, predicted (and a score), then the subgroup columns
    # What else the flavour's figures and manifest need (a multiclass confusion matrix, say).
    details: dict[str, Any] = field(default_factory=dict)


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Column names and group values come from data: a `$` must not start mathtext.
    plt.rcParams["text.parse_math"] = False
    return plt


def save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100, metadata=STABLE_PNG)
    pyplot().close(figure)
    return path
