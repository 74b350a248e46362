"""What the end-to-end tests of baked projects share once a project is installed: a writable
copy of the shared install, its MLflow runs read back, a sweep's parent run and its children,
and the published site (`make report`, then the strict `make docs`).

The flavour modules (test_text_flavour.py, test_image_flavour.py, test_forecast_flavour.py,
test_experiment.py, test_discovery.py) and test_pipeline.py run the same steps on different
projects; the steps live here once, with the assertions every caller made about them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from harness import ProjectEnv

READ_RUNS = """
import json, sys
from mlflow import MlflowClient
client = MlflowClient(sys.argv[1])
experiments = [e.experiment_id for e in client.search_experiments()]
runs = []
for run in client.search_runs(experiments, order_by=["start_time ASC"]):
    query = f"source_run_id = '{run.info.run_id}'"
    models = client.search_logged_models(experiments, filter_string=query)
    runs.append({
        "run_id": run.info.run_id, "name": run.info.run_name, "status": run.info.status,
        "experiment": client.get_experiment(run.info.experiment_id).name,
        "artifact_uri": run.info.artifact_uri,
        "tags": run.data.tags, "params": run.data.params, "metrics": run.data.metrics,
        "artifacts": [a.path for a in client.list_artifacts(run.info.run_id)]
        + [a.path for a in client.list_artifacts(run.info.run_id, "figures")],
        "models": [m.model_uri for m in models],
    })
print(json.dumps(runs))
"""


def read_runs(env: ProjectEnv, uri: str) -> list[dict]:
    """Every run in the store at `uri`, read back with MlflowClient in the project's env."""
    result = env.python_run("-c", READ_RUNS, uri, timeout=120)
    return json.loads(result.stdout.strip().splitlines()[-1])


def read_runs_from_store(store: Path) -> list[dict]:
    """The same records as `read_runs`, read with sqlite3 from MLflow's tables.

    The option matrix uses this: it saves an MLflow import (seconds) per combination. The
    MlflowClient path is exercised on the default bake by test_pipeline.py and by the
    experiment's sweeps.
    """
    with closing(sqlite3.connect(store)) as db:
        runs = []
        query = (
            "SELECT r.run_uuid, r.name, r.status, e.name, r.artifact_uri FROM runs r "
            "JOIN experiments e ON e.experiment_id = r.experiment_id ORDER BY r.start_time"
        )
        for run_id, name, status, experiment, artifact_uri in db.execute(query).fetchall():

            def table(name: str, run_id: str = run_id) -> dict:
                rows = db.execute(f"SELECT key, value FROM {name} WHERE run_uuid = ?", (run_id,))
                return dict(rows.fetchall())

            artifacts = Path(artifact_uri.removeprefix("file://"))
            models = db.execute(
                "SELECT model_id FROM logged_models WHERE source_run_id = ?", (run_id,)
            ).fetchall()
            runs.append(
                {
                    "run_id": run_id,
                    "name": name,
                    "status": status,
                    "experiment": experiment,
                    "tags": table("tags"),
                    "params": table("params"),
                    "metrics": table("latest_metrics"),
                    "artifacts": [
                        str(p.relative_to(artifacts)) for p in artifacts.rglob("*") if p.is_file()
                    ],
                    "models": [f"models:/{model_id}" for (model_id,) in models],
                }
            )
    return runs


def writable_copy(installed_shared, tmp_path: Path, **answers: str) -> ProjectEnv:
    """A copy of the shared bake for these answers, runnable with the shared environment.

    The shared venv imports the package from the shared bake (same answers, same code); every
    path the pipeline writes is anchored to the copy (DVC_ROOT or the folder with dvc.yaml).
    """
    shared = installed_shared(**answers)
    project = tmp_path / shared.project.name
    shutil.copytree(shared.project, project, symlinks=True)
    env = ProjectEnv(project, shared.prefix, shared.stack)
    if not (project / ".git").exists():
        env.run("git", "init", "--quiet", "--initial-branch=main")  # DVC needs git
        env.run("git", "add", "--all")
    env.run("git", "commit", "--quiet", "--no-verify", "-m", "Baked")
    return env


def model_free_run(project: Path, stages: list[str], *artifacts: str) -> dict:
    """The one run `make pipeline` tracked in a flavour that trains no model: FINISHED, from
    DVC, with its metrics, parameters and `artifacts` logged and no model; dvc.lock holds
    `stages`, in order."""
    (run,) = read_runs_from_store(project / "mlflow.db")
    assert run["status"] == "FINISHED" and run["tags"]["run.entry_point"] == "dvc"
    assert {"metrics.json", "params.yaml", *artifacts} <= set(run["artifacts"])
    assert run["models"] == []
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    assert list(lock["stages"]) == stages
    return run


def sweep_runs(runs: list[dict], finished: int | None = None) -> tuple[dict, list[dict]]:
    """A sweep's parent run (there must be exactly one) and the runs nested under it; with
    `finished`, the parent and exactly that many nested runs must have FINISHED."""
    parents = [run for run in runs if run["tags"].get("sweep.parent") == "true"]
    # Hydra turns a callback's exception into a warning: a sweep can end with no parent run.
    assert len(parents) == 1, f"expected one sweep parent run, found {len(parents)}: {runs}"
    [parent] = parents
    children = [run for run in runs if run["tags"].get("mlflow.parentRunId") == parent["run_id"]]
    if finished is not None:
        statuses = [parent["status"], *(run["status"] for run in children)]
        assert len(children) == finished and set(statuses) == {"FINISHED"}, statuses
    return parent, children


@dataclass
class Sweep:
    """A Hydra multirun's process, every run in its store, its parent run and children."""

    result: subprocess.CompletedProcess
    runs: list[dict]
    parent: dict
    children: list[dict]

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


def sweep(
    env: ProjectEnv,
    module: str,
    *overrides: str,
    sweep_dir: Path,
    store: Path | None = None,
    finished: int | None = None,
    timeout: float = 900,
) -> Sweep:
    """Run `python -m module *overrides` (a sweep) in `env`'s project and read its runs back;
    `finished` as in `sweep_runs`.

    With `store`, the runs go to that sqlite store through MLFLOW_TRACKING_URI and are read
    with MlflowClient; without, they go to the project's default store, read with sqlite3.
    """
    variables = env.env
    if store is not None:
        variables = {**variables, "MLFLOW_TRACKING_URI": f"sqlite:///{store}"}
    result = env.python_run(
        "-m",
        module,
        *overrides,
        f"hydra.sweep.dir={sweep_dir}",
        env=variables,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr, result.stderr[-6000:]
    if store is not None:
        runs = read_runs(env, f"sqlite:///{store}")
    else:
        runs = read_runs_from_store(env.project / "mlflow.db")
    return Sweep(result, runs, *sweep_runs(runs, finished))


def publish(env: ProjectEnv) -> Path:
    """`make report`, then the strict `make docs`, which must not warn: the built technical
    report's page."""
    env.run("make", "RUN=", "report", timeout=600)
    docs = env.run("make", "RUN=", "docs", timeout=600)
    output = docs.stdout + docs.stderr
    assert "Documentation built" in output and "WARNING -" not in output, output[-6000:]
    return env.project / "site" / "technical-report.html"


@dataclass
class Published:
    """A project after its pipeline, `make report` and the strict `make docs`."""

    env: ProjectEnv
    pipeline: subprocess.CompletedProcess

    @property
    def project(self) -> Path:
        return self.env.project


def published_project(name: str, answers: dict[str, str], *setup: tuple[str, ...]):
    """A module fixture called `name`: a writable copy of the shared install for `answers`
    after its `setup` commands (each a command line), `make pipeline`, `make report` and the
    strict `make docs`. Its tests share one copy: each leaves it as the next expects."""

    @pytest.fixture(scope="module", name=name)
    def fixture(installed_shared, tmp_path_factory) -> Published:
        env = writable_copy(installed_shared, tmp_path_factory.mktemp(name), **answers)
        for command in setup:
            env.run(*command, timeout=120)
        pipeline = env.run("make", "RUN=", "pipeline", timeout=600)
        publish(env)
        return Published(env, pipeline)

    return fixture


def start_sweep(
    env: ProjectEnv,
    module: str,
    *overrides: str,
    uri: str,
    sweep_dir: Path,
    variables: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A Hydra sweep of `python -m module` in the background (its output piped), tracked at
    `uri`, its jobs' folders under `sweep_dir`: for a test that stops it, or its server."""
    return subprocess.Popen(
        [
            str(env.python),
            "-m",
            module,
            "--multirun",
            *overrides,
            f"tracking.uri={uri}",
            f"hydra.sweep.dir={sweep_dir}",
        ],
        cwd=env.project,
        env=env.env if variables is None else variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def interrupt_sweep(
    process: subprocess.Popen, started: Callable[[], bool], signum: int, timeout: float = 240
) -> str:
    """Send `signum` to a running sweep once `started()` says a job has run (within `timeout`
    seconds), wait for it to end and return its standard error; it must not have succeeded,
    and must have printed no traceback."""
    try:
        deadline = time.monotonic() + timeout
        while not started():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no sweep job finished in time"
            time.sleep(0.2)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    return stderr
