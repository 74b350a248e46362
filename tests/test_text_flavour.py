"""The text-classification flavour end to end, as a supplier runs it: a baked and installed
project runs `make pipeline-fake` (fake notes, `dvc repro`), a sweep over the TF-IDF baseline,
`make report` and a strict `make docs`; the published site shows the top terms of each class.

(Its own tests run in test_matrix.py, with every other combination.)
"""

from __future__ import annotations

import json

import pytest
from test_report import parse

from flavours import publish, sweep

pytestmark = pytest.mark.slow

TEXT = {"task": "text-classification"}


def test_text_project_runs_sweeps_and_publishes_its_top_terms(own_install, tmp_path):
    env, package = own_install(**TEXT)
    project = env.project

    env.run("make", "RUN=", "pipeline-fake", timeout=900)
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert 0.85 < metrics["roc_auc"] <= 1 and "log_loss" in metrics, metrics
    assert (project / "metrics" / "figures" / "top_terms.png").is_file()
    manifest = json.loads((project / "metrics" / "report.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "text multiclass classification (4 classes)"
    terms = next(t for t in manifest["tables"] if t["title"].startswith("Top terms"))
    assert terms["columns"] == ["Rank", "emergency", "urgent", "routine", "self_care"]

    # A sweep over the vectoriser and the regularisation: one parent, four nested runs.
    done = sweep(
        env,
        f"{package}.train",
        "hparams_search=tfidf_grid",
        "data=fake",
        "train.cv_folds=0",
        "tracking.log_model=false",
        sweep_dir=tmp_path / "sweep",
        finished=4,
    )
    children = done.children
    assert {r["params"]["model.vectoriser.ngram_range"] for r in children} == {"[1, 1]", "[1, 2]"}
    assert all(r["metrics"]["roc_auc"] > 0.8 for r in children)

    page = parse(publish(env))
    header = ["Rank", "emergency", "urgent", "routine", "self_care"]
    table = page.table(header)
    assert table["1"] and all(cell for cell in table["1"]), table
    assert any(image.endswith("top_terms.png") for image in page.images), page.images
