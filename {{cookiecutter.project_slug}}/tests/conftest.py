"""Fixtures shared by the tests: composed configurations, small fake data, an MLflow store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.paths import project_root

# The test data are tiny: OpenMP threads (gradient boosting) cost far more than they save,
# seconds per fit on a busy machine. Set before anything starts the OpenMP runtime.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = project_root()
CONF = ROOT / "conf"


def _compose(overrides: Sequence[str] = (), return_hydra_config: bool = False):
    """conf/ composed with `overrides`, as `python -m <package>.train` would see it."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(str(CONF), version_base="1.3", job_name="tests"):
        return compose("config", list(overrides), return_hydra_config=return_hydra_config)


@pytest.fixture
def compose() -> Callable[..., object]:
    return _compose


@pytest.fixture(scope="session")
def fake_frame():
    """A small fake data set with the default schema (the tests run on fake data only)."""
    from {{ cookiecutter.package_name }}.data.fake import generate

    return generate(rows=160, seed=1)


@pytest.fixture(scope="session")
def _empty_mlflow_store(tmp_path_factory) -> Path:
    # Creating a sqlite store runs MLflow's migrations (seconds): once per session, then copied.
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(f"sqlite:///{path.as_posix()}").search_experiments()
    return path


@pytest.fixture
def mlflow_uri(_empty_mlflow_store, tmp_path, monkeypatch) -> str:
    """A fresh, empty MLflow sqlite store for this test, set as MLFLOW_TRACKING_URI."""
    path = tmp_path / "mlruns" / "mlflow.db"
    path.parent.mkdir()
    shutil.copyfile(_empty_mlflow_store, path)
    uri = f"sqlite:///{path.as_posix()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    import mlflow

    # MLflow keeps the last URI set in the process: replace whatever an earlier test left.
    mlflow.set_tracking_uri(uri)
    return uri
