"""Fixtures shared by the tests: composed configurations, small fake data, an MLflow store,
and one real run of the DVC pipeline shared by the tests that read it."""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hydra.core.override_parser.types import Override

from {{ cookiecutter.package_name }}.paths import project_root

# The test data are tiny: OpenMP threads (gradient boosting) cost far more than they save,
# seconds per fit on a busy machine. Set before anything starts the OpenMP runtime.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = project_root()
CONF = ROOT / "conf"


@functools.cache
def _composed(overrides: tuple[str, ...], return_hydra_config: bool):
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(str(CONF), version_base="1.3", job_name="tests"):
        return compose("config", list(overrides), return_hydra_config=return_hydra_config)


def _value_overrides(overrides: Sequence[str]) -> tuple[list[str], list[Override]] | None:
    """`overrides` split into those that choose configs (kept as text) and those that set a
    value of an existing key (parsed by Hydra's own parser); None if any is of another kind
    (adds, deletions, sweeps, Hydra's own settings), which only a real composition applies."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    choices, values = [], []
    for override in OverridesParser.create().parse_overrides(list(overrides)):
        key = override.key_or_group
        if override.is_sweep_override() or override.package is not None:
            return None
        if override.is_delete() or override.is_add() or override.is_force_add():
            return None
        if key == "hydra" or key.startswith("hydra."):
            return None
        if (CONF / key.replace(".", "/")).is_dir():
            choices.append(str(override.input_line))
        else:
            values.append(override)
    return choices, values


def _compose(overrides: Sequence[str] = (), return_hydra_config: bool = False):
    """conf/ composed with `overrides`, as `python -m <package>.train` would see it.

    A composition takes Hydra about 0.1 s, and the tests ask for some 80 of them (a third of
    the suite's time). Each composition of config choices is made once; a value override is
    then applied to a copy as Hydra applies it after composing (`OmegaConf.update` of the
    value its parser reads, `merge=True`, on the struct-mode config). Whatever that cannot
    apply, or refuses, is composed by Hydra itself, so a refusal is Hydra's own.
    """
    from omegaconf import OmegaConf

    split = None if return_hydra_config else _value_overrides(overrides)
    if split is None:
        return copy.deepcopy(_composed(tuple(overrides), return_hydra_config))
    choices, values = split
    cfg = copy.deepcopy(_composed(tuple(choices), False))
    try:
        for override in values:
            OmegaConf.update(cfg, override.key_or_group, override.value(), merge=True)
    except Exception:  # Hydra composes it and raises its own error
        return copy.deepcopy(_composed(tuple(overrides), False))
    return cfg


@pytest.fixture
def compose() -> Callable[..., object]:
    return _compose


def _leaves(tree: dict, prefix: str = "") -> dict[str, object]:
    """A configuration as dotted key -> value; a table's `columns` is one value."""
    leaves: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value and key != "columns":
            leaves.update(_leaves(value, f"{prefix}{key}."))
        else:
            leaves[f"{prefix}{key}"] = value
    return leaves


@pytest.fixture(scope="session")
def stale_params() -> Callable[[dict, dict], list[str]]:
    """`stale_params(params, composed)`: the dotted keys whose values differ between params.yaml
    (read back) and what conf/ composes for the same options, missing keys included."""

    def stale(params: dict, composed: dict) -> list[str]:
        shipped, expected = _leaves(params), _leaves(composed)
        missing = object()
        keys = shipped.keys() | expected.keys()
        return sorted(k for k in keys if shipped.get(k, missing) != expected.get(k, missing))

    return stale


@pytest.fixture(scope="session")
def fake_frame():
    """A small fake data set with the default schema (the tests run on fake data only)."""
    from {{ cookiecutter.package_name }}.data.fake import generate

    # Enough rows for at least 5 test cases of each class (the digits have 10 classes).
    return generate(rows={{ 400 if cookiecutter.task == "image-classification" else 160 }}, seed=1)


def _skip_disk_waits(connection: object, _record: object) -> None:
    """Have a sqlite database opened by this process skip its waits for the disk.

    The tests' stores are thrown away, so they need no durability; each of MLflow's schema
    migrations and each logged value is a transaction that otherwise waits for the disk (a
    new store took 9.4 s instead of 1.4 s on a busy machine). Runs in other processes (`dvc
    repro`, the sweeps) write as a supplier's do.
    """
    if isinstance(connection, sqlite3.Connection):
        # A damaged file is left to fail where MLflow reads it (MLflow retries a failed
        # connection for a minute and more), as a tested refusal expects.
        with contextlib.suppress(sqlite3.DatabaseError):
            connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def model_overrides() -> list[str]:
    """The model settings of the tests' pipeline run (`PipelineRun.OVERRIDES`: a network's
    fewer epochs, say), for the other tests that fit the default model: they check what is
    done with a model, not how well it learns."""
    return [override for override in PipelineRun.OVERRIDES if override.startswith("model.")]


@pytest.fixture(scope="session")
def _empty_mlflow_store(tmp_path_factory) -> Path:
    # Creating a sqlite store runs MLflow's migrations (seconds): once per session, then copied.
    from mlflow import MlflowClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _skip_disk_waits):
        event.listen(Engine, "connect", _skip_disk_waits)
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


PROJECT_FILES = ["conf", "src", "dvc.yaml", "params.yaml", ".dvcignore", "pyproject.toml"]


def copy_project(destination: Path) -> Path:
    """The files the pipeline needs, copied to `destination` (DVC without git, no data)."""
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


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


# The tests that read the real pipeline run ask for this fixture.
PIPELINE_FIXTURE = "pipeline_run"


class PipelineRun:
    """What `make pipeline-fake` does, in a copy of the project: fake data, `pipeline compose`,
    then `dvc repro` of the three stages, which ends in an MLflow run in the copy's own default
    store (`mlflow.db`, created by the run as on a first run).

    `dvc repro` takes most of the suite's time, in processes of its own: it starts as soon as
    the tests are collected, from a thread that waits on it while the other tests run; the
    tests that read it run last. The fake data and params.yaml are written here first, by the
    functions the two commands before it call (a process each would only add start-up time).
    """

    # One fold at a time: worker threads would only compete with the tests running meanwhile.
    OVERRIDES = {{ cookiecutter.task | task_option('test_overrides') }}

    def __init__(self) -> None:
        from {{ cookiecutter.package_name }} import stages
        from {{ cookiecutter.package_name }}.data.fake import write_fake

        self.folder = Path(tempfile.mkdtemp(prefix="pipeline-run-"))
        self.project = copy_project(self.folder / "project")
        rows = {{ 400 if cookiecutter.task == "image-classification" else 150 }}  # 5 test cases of each class
        write_fake(rows=rows, seed=5, output=self.project / "data" / "raw" / "fake.parquet")
        here = Path.cwd()
        os.chdir(self.project)  # compose writes the params.yaml of the project it runs in
        try:
            stages.compose(list(self.OVERRIDES))
        finally:
            os.chdir(here)
        self.result: subprocess.CompletedProcess | None = None
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, name="pipeline-run", daemon=True)

    def start(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DVC_", "PYTEST_")) and key != "MLFLOW_TRACKING_URI"
        }
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        self._process = subprocess.Popen(
            [sys.executable, "-m", "dvc", "repro"],
            cwd=self.project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._thread.start()

    def _run(self) -> None:
        assert self._process is not None
        stdout, stderr = self._process.communicate()
        self.result = subprocess.CompletedProcess(
            self._process.args, self._process.returncode, stdout, stderr
        )

    def wait(self, timeout: float = 600) -> PipelineRun:
        """The finished run; fails the test with DVC's output if it failed."""
        self._thread.join(timeout)
        if self.result is None:
            self.stop()
            pytest.fail(f"dvc repro in {self.project} did not finish in {timeout} s")
        assert self.result.returncode == 0, (
            f"dvc repro failed in {self.project}:\n{self.result.stdout}\n{self.result.stderr}"
        )
        return self

    @property
    def repro_output(self) -> str:
        assert self.result is not None
        return self.result.stdout

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        self._thread.join(30)


_pipeline: PipelineRun | None = None


def pytest_collection_modifyitems(config, items) -> None:
    # Stable: the tests that wait for the pipeline go last, everything else keeps its order.
    items.sort(key=lambda item: PIPELINE_FIXTURE in getattr(item, "fixturenames", ()))


def pytest_collection_finish(session) -> None:
    global _pipeline
    # Under pytest-xdist every worker collects every test: the run starts in the fixture there,
    # on the worker that runs the tests reading it.
    if session.config.option.collectonly or hasattr(session.config, "workerinput"):
        return
    if any(PIPELINE_FIXTURE in getattr(item, "fixturenames", ()) for item in session.items):
        _pipeline = PipelineRun()
        _pipeline.start()


def pytest_sessionfinish(session, exitstatus) -> None:
    if _pipeline is not None:
        _pipeline.stop()
        # Kept after a failure, for a look at what the stages wrote (its path is in the message).
        if exitstatus == 0:
            shutil.rmtree(_pipeline.folder, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    # The run is over. Python's exit would now run its cycle collector over every object of
    # PyTorch, MLflow, scikit-learn, Hydra and DVC again and again as it frees them (2.2 s of
    # the image flavour's suite); frozen out of its reach, the exit takes 0.3 s. The same as
    # `stages.exit_now` does for the project's commands.
    import gc

    gc.freeze()


@pytest.fixture(scope="session")
def pipeline_run() -> PipelineRun:
    """The finished pipeline run on fake data (see `PipelineRun`)."""
    global _pipeline
    if _pipeline is None:
        _pipeline = PipelineRun()
        _pipeline.start()
    return _pipeline.wait()
