"""End to end: `dvc repro` on small fake data in a copy of the project, read back from MLflow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from {{ cookiecutter.package_name }} import pipeline, tracking
from {{ cookiecutter.package_name }}.data.fake import generate
from {{ cookiecutter.package_name }}.paths import project_root

ROOT = project_root()

PROJECT_FILES = ["conf", "src", "dvc.yaml", "params.yaml", ".dvcignore", "pyproject.toml"]


def copy_project(destination: Path) -> Path:
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "local")
            )
        else:
            shutil.copyfile(source, destination / name)
    (destination / ".dvc").mkdir()
    shutil.copyfile(ROOT / ".dvc" / "config", destination / ".dvc" / "config")
    # The copy is no git repository: tell DVC so (config.local is DVC's machine-only file).
    (destination / ".dvc" / "config.local").write_text("[core]\n    no_scm = true\n")
    (destination / "data" / "raw").mkdir(parents=True)
    return destination


def run(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DVC_", "PYTEST_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_dvc_repro_on_fake_data_is_tracked_in_mlflow(tmp_path, mlflow_uri, monkeypatch):
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient

    project = copy_project(tmp_path / "project")
    generate(rows=150, seed=5).to_csv(project / "data" / "raw" / "fake.csv", index=False)
    monkeypatch.chdir(project)
    pipeline.compose(["data=fake", "train.cv_folds=2"])
    first = run(project, "-m", "dvc", "repro")
    assert "Running stage 'evaluate'" in first.stdout

    metrics = json.loads((project / pipeline.METRICS).read_text())
    assert 0.8 < metrics["roc_auc"] <= 1
    for name in ("roc.csv", "precision_recall.csv", "confusion.csv"):
        assert (project / pipeline.PLOTS_DIR / name).stat().st_size > 0
    assert len(list((project / pipeline.FIGURES_DIR).glob("*.png"))) == 3

    run_id = json.loads((project / pipeline.RUN_INFO).read_text())["run_id"]
    record = MlflowClient(mlflow_uri).get_run(run_id)
    assert record.data.params["data.name"] == "fake"
    assert record.data.params["train.cv_folds"] == "2"
    assert record.data.metrics["roc_auc"] == metrics["roc_auc"]
    assert record.data.metrics["cv_folds"] == 2
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    hashes = {out["path"]: out["md5"] for out in lock["stages"]["prepare"]["outs"]}
    tags = record.data.tags
    assert tags[tracking.TAG_TRAIN_MD5] == hashes[pipeline.TRAIN_DATA]
    assert tags[tracking.TAG_TEST_MD5] == hashes[pipeline.TEST_DATA]
    assert tags[tracking.TAG_ENTRY_POINT] == "dvc"
    assert tags[tracking.TAG_GIT_COMMIT] == "none"

    (logged,) = mlflow.search_logged_models(
        experiment_ids=[record.info.experiment_id], output_format="list"
    )
    model = mlflow.sklearn.load_model(logged.model_uri)
    test = pd.read_parquet(project / pipeline.TEST_DATA)
    predictions = pd.read_csv(project / pipeline.PREDICTIONS)
    scores = model.predict_proba(test.drop(columns="malignant"))[:, 1]
    assert abs(scores.round(6) - predictions["score"]).max() < 1e-6


def test_a_stage_given_too_little_data_stops_with_one_line(tmp_path, monkeypatch):
    # A 6-row file used to train, split 2 test rows and report ROC AUC 1.0.
    import pandas as pd

    project = copy_project(tmp_path / "project")
    rows = generate(rows=200, seed=5)
    six = pd.concat([rows[rows.malignant == 1].head(3), rows[rows.malignant == 0].head(3)])
    six.to_csv(project / "data" / "raw" / "fake.csv", index=False)
    monkeypatch.chdir(project)
    pipeline.compose(["data=fake"])
    result = run(project, "-m", f"{pipeline.__package__}.pipeline", "prepare", check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "data/raw/fake.csv has 6 rows" in line
    assert not (project / pipeline.TRAIN_DATA).exists()
