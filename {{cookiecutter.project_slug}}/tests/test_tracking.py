"""Where runs are tracked, what ties them to their inputs, and sweep parent runs."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

from {{ cookiecutter.package_name }} import task, tracking, train
from {{ cookiecutter.package_name }}.errors import PipelineError
from {{ cookiecutter.package_name }}.paths import project_root

ROOT = project_root()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_tracking_uri_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    assert tracking.tracking_uri({"uri": None}) == f"sqlite:///{(ROOT / 'mlflow.db').as_posix()}"
    # Under `dvc exp run --temp` the stage runs in a copy: the store stays in the real project.
    monkeypatch.setenv("DVC_ROOT", str(tmp_path))
    assert (
        tracking.tracking_uri({"uri": None})
        == f"sqlite:///{tmp_path.resolve().as_posix()}/mlflow.db"
    )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert tracking.tracking_uri({"uri": None}) == "http://127.0.0.1:5000"
    assert tracking.tracking_uri({"uri": "sqlite:///x.db"}) == "sqlite:///x.db"


def test_unreachable_server_fails_fast_naming_the_uri():
    uri = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(PipelineError) as raised:
        tracking.check_reachable(uri)
    assert time.monotonic() - started < 5
    assert f"tracking server at {uri} is unreachable" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_passwords_stay_out_of_error_messages():
    uri = f"http://user:secret@127.0.0.1:{closed_port()}"  # pragma: allowlist secret
    with pytest.raises(PipelineError) as raised:
        tracking.check_reachable(uri)
    assert "secret" not in str(raised.value) and "http://***@127.0.0.1" in str(raised.value)


@pytest.fixture
def health_server():
    """A real HTTP server on the loopback interface that answers /health as MLflow does;
    yields its port and the request paths it saw."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    # shutdown() waits for the server's next poll: 0.5 s by default, on every test using it.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_uri_with_credentials_is_probed_at_its_host(health_server, monkeypatch):
    # urllib took `user:secret@127.0.0.1` for a host name: "Name or service not known".
    port, seen = health_server
    tracking.check_reachable(f"http://user:secret@127.0.0.1:{port}")  # pragma: allowlist secret
    tracking.check_reachable(f"http://user:secret@127.0.0.1:{port}/")  # pragma: allowlist secret
    assert seen == ["/health", "/health"]
    # MLflow gets the credentials apart, so that it never prints them in its run links.
    import mlflow

    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)  # restored after the test, as MLflow's URI
    previous = mlflow.get_tracking_uri()
    try:
        uri = tracking.connect({"uri": f"http://us%40er:p%3Ass@127.0.0.1:{port}"})
        assert uri == f"http://127.0.0.1:{port}" == mlflow.get_tracking_uri()
        assert tracking.os.environ["MLFLOW_TRACKING_USERNAME"] == "us@er"
        assert tracking.os.environ["MLFLOW_TRACKING_PASSWORD"] == "p:ss"  # pragma: allowlist secret
    finally:
        mlflow.set_tracking_uri(previous)


def test_tracking_settings_and_secrets_stay_out_of_run_names_tags_and_params():
    overrides = [
        "model=random_forest",
        "tracking.uri=http://user:secret@example.org",  # pragma: allowlist secret
        "+tracking.experiment_name=x",
        "tracking=default",
        "+data.api_key=abc",
        "+model.auth_token=abc",
        "model.tokenizer=words",
        "data.path=https://user:secret@example.org/x.csv",  # pragma: allowlist secret
    ]
    assert tracking.public_overrides(overrides) == [
        "model=random_forest",
        "model.tokenizer=words",
        "data.path=https://example.org/x.csv",
    ]
    params = tracking.public_params(
        {"tracking": {"uri": "http://u:p@h"}, "model": {"name": "m", "token": "t"}}
    )
    assert params == {"model.name": "m"}


def test_flatten_config():
    flat = tracking.flatten({"model": {"estimator": {"C": 1.0, "x": None}}, "data": {"s": [1]}})
    assert flat == {"model.estimator.C": "1.0", "model.estimator.x": "null", "data.s": "[1]"}


def test_code_tags_record_commit_and_dirty_flag(tmp_path, monkeypatch):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "dvc.yaml").write_text("stages: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert tracking.code_tags()[tracking.TAG_GIT_COMMIT] == "none"
    git("add", "dvc.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "first")
    tags = tracking.code_tags()
    assert len(tags[tracking.TAG_GIT_COMMIT]) == 40
    assert tags[tracking.TAG_GIT_DIRTY] == "false"
    (tmp_path / "dvc.yaml").write_text("stages: {a: {cmd: x}}\n", encoding="utf-8")
    assert tracking.code_tags()[tracking.TAG_GIT_DIRTY] == "true"


def test_dvc_experiment_tags(monkeypatch):
    monkeypatch.setenv("DVC_EXP_NAME", "fuzzy-owl")
    monkeypatch.setenv("DVC_EXP_BASELINE_REV", "abc123")
    assert tracking.dvc_tags() == {
        tracking.TAG_DVC_EXPERIMENT: "fuzzy-owl",
        tracking.TAG_DVC_BASELINE: "abc123",
    }


def test_a_run_is_logged_with_params_metrics_tags_and_figures(
    compose, mlflow_uri, tmp_path, fake_frame
):
    # The Hydra entry point (`python -m <package>.train`). Logging the model is read back in
    # test_pipeline_e2e.py (the DVC entry point, the same `tracking.log_run`); here it is off,
    # which must log no model.
    import mlflow
    from mlflow import MlflowClient

    data_file = tmp_path / "fake.csv"  # a supplier's CSV file
    fake_frame.to_csv(data_file, index=False)
    overrides = ["data=fake", "model=random_forest", "model.estimator.n_estimators=20"]
    cfg = compose(
        [*overrides, "train.cv_folds=2", "tracking.log_model=false", f"tracking.uri={mlflow_uri}"]
    )
    cfg.data.path = str(data_file)
    # The tracking URI (which may hold credentials) is no part of the run's name, tags, params.
    metrics = train.run(cfg, tmp_path / "out", overrides=[*overrides, f"tracking.uri={mlflow_uri}"])
    client = MlflowClient(mlflow_uri)
    experiment = client.get_experiment_by_name(tracking.DEFAULT_EXPERIMENT)
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.params["model.name"] == "random_forest"
    assert run.info.run_name == " ".join(overrides)
    assert not [key for key in run.data.params if key.startswith("tracking.")]
    assert run.data.params["train.cv_folds"] == "2"
    primary = cfg.evaluate.primary_metric
    assert run.data.metrics[primary] == metrics[primary]
    assert run.data.metrics["cv_rows"] == metrics["cv_rows"] == 120
    assert f"cv_{task.SCORE_NAME}_mean" in run.data.metrics
    tags = run.data.tags
    assert tags[tracking.TAG_ENTRY_POINT] == "hydra"
    assert json.loads(tags[tracking.TAG_OVERRIDES]) == overrides
    assert tags[tracking.TAG_DATA_SOURCE] == "fake"
    assert len(tags[tracking.TAG_TRAIN_MD5]) == 32
    assert {tracking.TAG_GIT_COMMIT, tracking.TAG_GIT_DIRTY} <= set(tags)
    figures = {a.path for a in client.list_artifacts(run.info.run_id, "figures")}
    assert figures == {f"figures/{name}" for name in task.FIGURES}
    assert "metrics.json" in {a.path for a in client.list_artifacts(run.info.run_id)}
    # Artifacts sit next to the store, not in the working directory.
    assert experiment.artifact_location.startswith((tmp_path / "mlruns").as_uri())
    assert mlflow.search_logged_models(experiment_ids=[experiment.experiment_id]).empty


def test_sweep_parent_run_is_created_and_jobs_need_it(compose, mlflow_uri, monkeypatch):
    from mlflow import MlflowClient

    monkeypatch.delenv(tracking.PARENT_RUN_ENV, raising=False)
    with pytest.raises(PipelineError, match="parent MLflow run was not created"):
        tracking.require_parent_in_sweep(True)
    tracking.require_parent_in_sweep(False)

    # The tracking URI (credentials, possibly) stays out of the parent run's name and tags.
    config = compose(["model=random_forest", f"tracking.uri={mlflow_uri}"], True)
    callback = tracking.SweepParentRun()
    callback.on_multirun_start(config)
    parent = callback.run_id
    assert parent and tracking.os.environ[tracking.PARENT_RUN_ENV] == parent
    tracking.require_parent_in_sweep(True)
    callback.on_multirun_end(config)
    run = MlflowClient(mlflow_uri).get_run(parent)
    assert run.info.status == "FINISHED"
    assert run.data.tags[tracking.TAG_SWEEP_PARENT] == "true"
    assert run.info.run_name == "sweep model=random_forest"
    assert json.loads(run.data.tags[tracking.TAG_OVERRIDES]) == ["model=random_forest"]
    assert tracking.PARENT_RUN_ENV not in tracking.os.environ


def test_a_missing_parent_run_is_a_clear_error(compose, mlflow_uri, monkeypatch):
    monkeypatch.setenv(tracking.PARENT_RUN_ENV, "0" * 32)
    run = tracking.tracked_run(compose(), "x", {})
    with pytest.raises(PipelineError, match=r"parent run 0+ is not in"), run:
        pass


@pytest.mark.parametrize(
    "content",
    [b"", b"runs were here\n" * 40, b"SQLite format 3\x00" + b"\x07" * 4000],
    ids=["empty", "not-a-database", "damaged-database"],
)
def test_a_store_file_that_is_empty_or_no_database_is_refused_and_left_alone(
    compose, tmp_path, monkeypatch, content
):
    # An empty mlflow.db used to be re-created silently (the run history gone); another file
    # gave a sqlalchemy traceback.
    store = tmp_path / "mlflow.db"
    store.write_bytes(content)
    uri = f"sqlite:///{store.as_posix()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    with pytest.raises(PipelineError) as raised, tracking.tracked_run(compose(), "x", {}):
        pass
    message = str(raised.value)
    assert f"the MLflow store {store} " in message and "\n" not in message
    expected = {0: "is empty (0 bytes)", 600: "is not an SQLite database"}
    assert expected.get(len(content), "cannot be opened") in message
    assert "move it aside" in message
    assert store.read_bytes() == content
    if len(content) in expected:
        with pytest.raises(PipelineError, match="the MLflow store"):
            tracking.check_reachable(uri)  # what the report checks before reading runs
        assert store.read_bytes() == content


def test_column_names_that_mlflow_refuses_still_log_as_params(mlflow_uri):
    # `data.columns.90+` used to stop a run: "Invalid value ... for parameter".
    import mlflow
    from mlflow import MlflowClient

    columns = {
        "90+": "int",
        "90_": "int",
        "wait (mins)": "float",
        "wait mins": "float",
        "a/b:c": "float",
        "x" * 300: "int",
    }
    params = tracking.public_params({"data": {"columns": columns}, "model": {"name": "m"}})
    assert len(params) == len(columns) + 1, "two columns never share a parameter name"
    assert params["data.columns.wait mins"] == "float"  # valid names stay as they are
    assert params["model.name"] == "m"
    with mlflow.start_run() as run:
        mlflow.log_params(params)
    logged = MlflowClient(mlflow_uri).get_run(run.info.run_id).data.params
    assert logged == params
    assert any(key.startswith("data.columns.90___") for key in logged)
    assert all(len(key) <= tracking.MAX_PARAM_KEY for key in logged)
