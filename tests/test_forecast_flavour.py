"""The forecasting flavour end to end, as a supplier runs it: a baked and installed project runs
`make pipeline-fake` (fake series, `dvc repro`), a sweep over its forecasters with the joblib
launcher, `make report` and a strict `make docs`; the published site shows the errors by horizon
against the seasonal-naive baseline. A series with a repeated day, written by hand, stops the
`prepare` stage with one line and leaves its earlier output as it was.

(Its own tests, the backtest, baseline, metrics and bad series among them, run in
test_matrix.py with every other combination; the Optuna sweep in test_pipeline.py.)
"""

from __future__ import annotations

import json

import pytest
from test_report import parse

from flavours import publish, sweep

pytestmark = pytest.mark.slow

FORECASTING = {"task": "forecasting"}


def test_forecasting_project_backtests_sweeps_and_publishes_its_errors(own_install, tmp_path):
    env, package = own_install(**FORECASTING)
    project = env.project

    env.run("make", "RUN=", "pipeline-fake", timeout=900)
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    # Exponential smoothing beats the seasonal-naive baseline on the fake series.
    assert 0 < metrics["mase"] < metrics["baseline_mase"] and metrics["mase_skill"] > 0, metrics
    assert {"mase_h1", "mase_h7", "mase_h28", "smape", "mae"} <= set(metrics)
    assert not {"roc_auc", "r2", "cv_folds"} & set(metrics)
    manifest = json.loads((project / "metrics" / "report.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "forecasting (frequency D, season of 7 steps)"
    assert manifest["model"]["estimator"] == "statsforecast.models.AutoETS"
    horizons = manifest["tables"][0]
    assert [row[0] for row in horizons["rows"]] == ["1 to 1", "1 to 7", "1 to 28"]
    forecasts = (project / "metrics" / "forecasts.csv").read_text(encoding="utf-8").splitlines()
    assert forecasts[0] == "series,step,timestamp,forecast" and len(forecasts) == 1 + 6 * 28

    # Every forecaster in one sweep, jobs in parallel: one parent, three nested runs, and the
    # seasonal-naive model scores exactly as the baseline it is compared with.
    done = sweep(
        env,
        f"{package}.train",
        "hparams_search=model_grid",
        "launcher=joblib",
        "data=fake",
        "train.origins=3",
        sweep_dir=tmp_path / "sweep",
        finished=3,
    )
    by_model = {r["params"]["model.name"]: r for r in done.children}
    assert set(by_model) == {"ets", "auto_theta", "seasonal_naive"}
    naive = by_model["seasonal_naive"]["metrics"]
    assert naive["mase_skill"] == 0 and naive["mase"] == naive["baseline_mase"]

    # A repeated day in the supplier's file: one line naming the series and the day, and the
    # prepared series of the last good run are kept.
    prepared = project / "data" / "processed" / "series.parquet"
    before = prepared.read_bytes()
    env.python_run(
        "-c",
        "import pandas as pd; f = pd.read_parquet('data/raw/fake.parquet');"
        "pd.concat([f, f.iloc[[3]]]).to_parquet('data/raw/fake.parquet', index=False)",
    )
    failed = env.python_run("-m", f"{package}.pipeline", "prepare", check=False)
    assert failed.returncode == 2, failed.stderr
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith("error: ") and "series site_a has 2 rows sharing a date" in line, line
    assert prepared.read_bytes() == before
    env.run("make", "RUN=", "fake-data")

    page = parse(publish(env))
    header = [
        "Steps ahead",
        "MASE",
        "Baseline MASE",
        "Skill",
        "sMAPE, %",
        "Baseline sMAPE, %",
        "MAE",
    ]
    table = page.table(header)
    assert set(table) == {"1 to 1", "1 to 7", "1 to 28"} and all(table.values()), table
    assert any(image.endswith("forecast_vs_actual.png") for image in page.images), page.images
    assert any(image.endswith("subgroup_region.png") for image in page.images), page.images
