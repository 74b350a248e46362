"""The data-discovery flavour for real: a bake runs `make pipeline` on its bundled referrals
extract (git, DVC, MLflow), `skunkworks report` and a strict `mkdocs build`; then a table with
hostile column names and values goes through the same commands and shows as text.

The generated project's own tests (run for every Python by test_matrix.py) cover the checks
one by one, bad input and the Hydra entry point; this module covers what only a whole
installed project shows: the commands a supplier types, the toolkit reading a manifest with
no model, the built site.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from test_pipeline import PACKAGE
from test_report import ScriptFinder

from flavours import (
    model_free_run,
    publish,
    published_project,
    read_runs_from_store,
    sweep_runs,
)

# One xdist worker runs the whole module: otherwise each worker that picks up one of its
# tests builds its module fixtures (a pipeline, reports and a docs build) again.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("discovery")]

TASK = {"task": "data-discovery"}
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "a|b",
    "*bold* _it_",
    "[x](javascript:alert(2))",
    "`tick`",
    "ü 90+ (mins)",
]
HOSTILE_VALUE = "<img src=x onerror=alert(3)>|*"


class Page(ScriptFinder):
    """A built page's visible text and anything in it that could run script."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.headings: list[str] = []  # h2 and h3, in order: "## Method", "### Settings"
        self._heading: list[str] | None = None
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if tag in {"h2", "h3"}:
            self._heading = ["#" * int(tag[1]) + " "]

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if tag in {"h2", "h3"} and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).replace("¶", "").split()))
            self._heading = None

    def handle_data(self, data):
        super().handle_data(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def shown(self) -> str:
        return " ".join(" ".join(self.text).split())


# The model card of a flavour that trains no model: NHS England's sections, with headings that
# describe what is run and judged (the model flavours' card has Justification, Features,
# Hyperparameters and Human safety).
NO_MODEL_CARD = [
    "## Specification",
    "## Intended use",
    "### Background",
    "### Scope and intended users",
    "### Out-of-scope uses",
    "## Data",
    "### Overview",
    "### Sensitive data",
    "### Pre-processing and split",
    "## Method",
    "### What is run",
    "### Why this method",
    "### Settings",
    "### Alternatives",
    "## Evaluation and findings",
    "### Results",
    "### Subgroups",
    "### Limits of the method",
    "### Caveats and recommendations",
]


def check_no_model_card(page: Page) -> None:
    """The card's headings are those of a no-model card, in order (the report's blocks may
    add their own between them), and none of a model's."""
    shown = iter(page.headings)
    missing = [heading for heading in NO_MODEL_CARD if heading not in shown]
    assert missing == [], (missing, page.headings)
    model_shaped = {
        "## Methodology and training",
        "### Justification",
        "### Features",
        "### Hyperparameters",
        "### Human safety",
    }
    assert not model_shaped & set(page.headings), page.headings


def model_free_report(project: Path) -> str:
    """The visible text of a built technical report that names no model and runs no script."""
    report = Page(project / "site" / "technical-report.html")
    assert report.dangers == []
    assert "Model: none (this task trains no model)" in report.shown
    return report.shown


discovery = published_project(
    "discovery", TASK, ("make", "RUN=", "params", "ARGS=checks.as_of=2026-11-27")
)


def test_make_targets_run_the_discovery(installed_shared):
    env = installed_shared(**TASK)
    dry_run = env.run("make", "-n", "RUN=", "train", "sweep", "pipeline").stdout
    assert f"python -m {PACKAGE}.discover" in dry_run
    assert "--multirun checks.small_cell_threshold=5,10" in dry_run
    assert ".train" not in dry_run and "hparams_search" not in dry_run
    project = env.project
    assert not (project / "src" / PACKAGE / "models.py").exists()
    assert not list((project / "conf").glob("model/*.yaml"))


def test_bundled_extract_is_discovered_tracked_and_reported(discovery):
    project = discovery.project
    assert "Running stage 'profile'" in discovery.pipeline.stdout
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["suitability"] == pytest.approx(3 / 7, abs=1e-6), metrics
    assert metrics["duplicate_rows"] == 1 and metrics["nhs_number_columns"] == 1
    stages = ["prepare", "profile", "evaluate"]
    run = model_free_run(project, stages, "findings.json", "figures/completeness.png")
    assert run["metrics"]["suitability"] == metrics["suitability"]
    assert run["params"]["checks.small_cell_threshold"] == "10"

    # (published_project checked that the strict docs build gave no warning.)
    shown = model_free_report(project)
    assert "letter_sent predicts the outcome alone" in shown, shown[:2000]
    assert "Representation by ethnicity" in shown
    # Small-number suppression reaches the published page.
    assert "<10" in shown and "suppressed" in shown
    assert "Tropical medicine" not in shown  # 3 referrals: never named with its count
    model_card = Page(project / "site" / "model-card.html")
    assert model_card.dangers == []
    check_no_model_card(model_card)
    assert "The quality checks `checks.run` lists" not in model_card.shown  # Markdown rendered
    assert "The quality checks checks.run lists" in model_card.shown
    card = Page(project / "site" / "data-card.html").shown
    assert "nhs_number" in card and "identifier" in card


def test_a_sweep_nests_one_run_per_setting_under_its_parent(discovery):
    env, project = discovery.env, discovery.project
    env.run("make", "RUN=", "fake-data", timeout=120)
    env.run("make", "RUN=", "sweep", "ARGS=data=fake checks.as_of=2026-11-27", timeout=600)
    _, children = sweep_runs(read_runs_from_store(project / "mlflow.db"), finished=2)
    assert {run["params"]["checks.small_cell_threshold"] for run in children} == {"5", "10"}
    assert all(run["models"] == [] for run in children)
    assert all("suitability" in run["metrics"] for run in children)


def test_hostile_columns_and_values_reach_the_site_as_text(discovery, tmp_path):
    import pandas as pd

    env, project = discovery.env, discovery.project
    rows = 60
    frame = pd.DataFrame({name: [HOSTILE_VALUE, "plain"] * (rows // 2) for name in HOSTILE_NAMES})
    frame["when"] = pd.date_range("2025-01-01", periods=rows, freq="D").strftime("%Y-%m-%d")
    frame["outcome"] = [True, False, False] * (rows // 3)
    frame.to_csv(project / "data" / "raw" / "hostile.csv", index=False)
    schema = {
        "name": "hostile",
        "source": "file",
        "path": "data/raw/hostile.csv",
        "produced_by": None,
        "target": "outcome",
        "subgroups": [HOSTILE_NAMES[0]],
        "columns": {
            **dict.fromkeys(HOSTILE_NAMES, "category"),
            "when": "datetime",
            "outcome": "bool",
        },
    }
    (project / "conf" / "data" / "hostile.yaml").write_text(
        yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8"
    )
    env.run("make", "RUN=", "params", "ARGS=data=hostile checks.as_of=2026-11-27", timeout=120)
    env.python_run("-m", "dvc", "repro", timeout=600)
    publish(env)
    for name in ("technical-report.html", "data-card.html", "model-card.html"):
        page = Page(project / "site" / name)
        assert page.dangers == [], (name, page.dangers)
    shown = Page(project / "site" / "technical-report.html").shown
    for name in HOSTILE_NAMES:
        assert " ".join(name.split()) in shown, name
    assert f"Representation by {HOSTILE_NAMES[0]}" in shown
    (run,) = [
        r
        for r in read_runs_from_store(project / "mlflow.db")
        if r["tags"].get("data.source") == "hostile"
    ]
    assert run["status"] == "FINISHED"
    assert all(re.fullmatch(r"[A-Za-z0-9_\-. /]+", key) for key in run["params"]), run["params"]
    shutil.rmtree(project / "site")
