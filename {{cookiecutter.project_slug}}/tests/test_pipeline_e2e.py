"""End to end: `make pipeline-fake` (fake data, `dvc repro`) in a copy of the project, read back
from MLflow. The run itself starts when the tests are collected (`PipelineRun` in conftest.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from {{ cookiecutter.package_name }} import pipeline, task, tracking
from {{ cookiecutter.package_name }}.data import feature_columns
from {{ cookiecutter.package_name }}.data.fake import TARGET, generate
from {{ cookiecutter.package_name }}.prepare import file_md5


def test_dvc_repro_on_fake_data_is_tracked_in_mlflow(pipeline_run, monkeypatch):
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient

    project = pipeline_run.project
    assert "Running stage 'evaluate'" in pipeline_run.repro_output
    metrics = json.loads((project / pipeline.METRICS).read_text())
    params = yaml.safe_load((project / pipeline.PARAMS_FILE).read_text())
    primary = params["evaluate"]["primary_metric"]
    assert primary in metrics
    for name in task.PLOTS:
        assert (project / pipeline.PLOTS_DIR / name).stat().st_size > 0
    figures = {path.name for path in (project / pipeline.FIGURES_DIR).glob("*.png")}
    assert figures == set(task.FIGURES)

    # No tracking URI was set: the run went to the default store at the project's root.
    uri = f"sqlite:///{(project / 'mlflow.db').as_posix()}"
    run_info = json.loads((project / pipeline.RUN_INFO).read_text())
    assert run_info["tracking_uri"] == uri
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    record = MlflowClient(uri).get_run(run_info["run_id"])
    assert record.data.params["data.name"] == "fake"
    assert record.data.params["train.cv_folds"] == "2"
    assert record.data.metrics[primary] == metrics[primary]
    assert record.data.metrics["cv_folds"] == 2
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    hashes = {out["path"]: out["md5"] for out in lock["stages"]["prepare"]["outs"]}
    tags = record.data.tags
    assert tags[tracking.TAG_TRAIN_MD5] == hashes[pipeline.TRAIN_DATA]
    assert tags[tracking.TAG_TEST_MD5] == hashes[pipeline.TEST_DATA]
    assert tags[tracking.TAG_DATA_SOURCE_MD5] == file_md5(project / "data" / "raw" / "fake.parquet")
    assert tags[tracking.TAG_ENTRY_POINT] == "dvc"
    assert tags[tracking.TAG_GIT_COMMIT] == "none"

    # The model, logged with its signature and an input example, predicts what the stage wrote.
    (logged,) = mlflow.search_logged_models(
        experiment_ids=[record.info.experiment_id], output_format="list"
    )
    assert logged.source_run_id == record.info.run_id
    info = mlflow.models.get_model_info(logged.model_uri)
    features = feature_columns(params["data"])
    assert info.signature is not None and info.signature.inputs.input_names() == features
    assert info.saved_input_example_info is not None
    model = mlflow.sklearn.load_model(logged.model_uri)
    test = pd.read_parquet(project / pipeline.TEST_DATA)
    predictions = pd.read_csv(project / pipeline.PREDICTIONS)
    output = task.predict(model, test[features])
    # A binary classifier's `score` is the probability of the positive class, a multiclass
    # one's that of the most probable class; a regressor's, the value.
    scores, written = (
        (output[:, 1] if output.shape[1] == 2 else output.max(axis=1), predictions["score"])
        if output.ndim == 2
        else (output, predictions["predicted"])
    )
    assert abs(scores.round(6) - written).max() < 1e-6


def test_a_stage_given_too_little_data_stops_with_one_line(project_copy, monkeypatch, capsys):
    # A 6-row file used to train, split 2 test rows and report ROC AUC 1.0. The stage runs in
    # this process through the function `python -m <package>.pipeline` calls.
    import pandas as pd

    # The three lowest and three highest targets: both classes of a classifier's data.
    rows = generate(rows=200, seed=5).sort_values(TARGET)
    six = pd.concat([rows.head(3), rows.tail(3)])
    six.to_parquet(project_copy / "data" / "raw" / "fake.parquet", index=False)
    monkeypatch.chdir(project_copy)
    pipeline.compose(["data=fake"])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        pipeline.main(["prepare"])
    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and "data/raw/fake.parquet has 6 rows" in line
    assert not (project_copy / pipeline.TRAIN_DATA).exists()
