"""The generated pipeline for real: Hydra config, DVC stages and MLflow tracking, end to end.

Every option combination runs `make pipeline-fake` (fake data, `dvc repro`) in a copy of its
baked project and finds its run in MLflow with the tags that tie it to code and data. The
default bake also proves: incremental `dvc repro`, `dvc exp run -S` equal to the Hydra command
line, sweeps with nested runs (basic and joblib launchers), one-line errors, and a run landing
on a real `mlflow server`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from flavours import read_runs, read_runs_from_store, sweep, writable_copy
from harness import CHOICES, MODEL_TASKS, ProjectEnv, combination_id, option_matrix

pytestmark = pytest.mark.slow

MATRIX = option_matrix()
PACKAGE = "sepsis_early_warning"  # the default answers' package name


def head(env: ProjectEnv) -> str:
    return env.run("git", "rev-parse", "HEAD").stdout.strip()


def lock_hashes(project: Path) -> dict[str, str]:
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return {out["path"]: out["md5"] for out in lock["stages"]["prepare"]["outs"]}


@pytest.mark.parametrize("task", CHOICES["task"])
def test_shipped_params_yaml_is_what_dvc_composes_from_conf(installed_shared, tmp_path, task):
    # Byte for byte, for every flavour: otherwise the first `make pipeline` or `dvc exp run`
    # of a fresh project would show params.yaml as changed in git.
    env = installed_shared(task=task)
    output = tmp_path / "params.yaml"
    env.python_run(
        "-c",
        f"from {PACKAGE}.stages import compose; import sys; compose([], output=sys.argv[1])",
        output,
    )
    shipped = (env.project / "params.yaml").read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == shipped


def test_make_targets_run_the_documented_commands(installed_shared):
    env = installed_shared()
    dry_run = env.run("make", "-n", "RUN=", "mlflow-ui", "pipeline-fake", "sweep").stdout
    assert "mlflow ui --host 127.0.0.1" in dry_run
    assert f"python -m {PACKAGE}.data.fake" in dry_run
    assert f"python -m {PACKAGE}.pipeline compose data=fake" in dry_run
    assert "dvc repro" in dry_run
    assert f"python -m {PACKAGE}.train hparams_search=random_forest_grid" in dry_run
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    for target in ("fake-data", "train", "sweep", "pipeline", "pipeline-fake", "mlflow-ui"):
        assert f"| `make {target}` |" in readme, target


# Every combination already runs `dvc repro` on fake data and reads the run back from MLflow:
# that is the generated project's own end-to-end test, which test_matrix.py runs for each one.
# This heavier check, through `make pipeline-fake` and git, runs for two combinations that
# differ in every option (options but the task change no pipeline file: see test_matrix's
# file-set test), one per task flavour.
PIPELINE_COMBINATIONS = [
    MATRIX[0],
    {
        "task": "tabular-regression",
        "code_licence": "GPL-3.0",
        "min_python": "3.13",
        "git_init": "no",
    },
]
# What each flavour's evaluate stage shows first (its task.py FIGURES).
FIRST_FIGURE = {
    "tabular-classification": "roc_curve.png",
    "tabular-regression": "predicted_vs_actual.png",
}


@pytest.mark.parametrize("answers", PIPELINE_COMBINATIONS, ids=combination_id)
def test_pipeline_on_fake_data_is_tracked_in_mlflow(
    installed_shared, mlflow_store, tmp_path, answers
):
    env = writable_copy(installed_shared, tmp_path, **answers)
    project = env.project
    mlflow_store(project)  # the default store, at the root
    env.run("make", "RUN=", "pipeline-fake", timeout=600)

    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    primary = params["evaluate"]["primary_metric"]
    if answers.get("task", "tabular-classification") == "tabular-classification":
        assert 0.8 < metrics["roc_auc"] <= 1, metrics
    else:  # better than predicting the mean, and no classification metric anywhere
        assert metrics["r2"] > 0.2 and not {"roc_auc", "threshold"} & set(metrics), metrics
    figures = {"tabular-classification": 4, "tabular-regression": 3}[
        answers.get("task", "tabular-classification")
    ]
    assert len(list((project / "metrics" / "figures").glob("*.png"))) == figures
    (run,) = read_runs_from_store(project / "mlflow.db")
    assert run["status"] == "FINISHED"
    assert run["experiment"] == project.name
    tags = run["tags"]
    assert tags["git.commit"] == head(env)
    # `make pipeline-fake` recomposed params.yaml: a pipeline-written file, whose values the
    # run records as its params, so the committed code and conf/ still describe the run.
    assert tags["git.dirty"] == "false"
    assert tags["run.entry_point"] == "dvc"
    assert tags["data.source"] == "fake"
    hashes = lock_hashes(project)
    assert tags["data.train_md5"] == hashes["data/processed/train.parquet"]
    assert tags["data.test_md5"] == hashes["data/processed/test.parquet"]
    assert run["params"]["data.name"] == "fake"
    assert run["metrics"][primary] == metrics[primary]
    figure = FIRST_FIGURE[answers.get("task", "tabular-classification")]
    assert {f"figures/{figure}", "metrics.json", "params.yaml"} <= set(run["artifacts"])
    assert len(run["models"]) == 1
    # Data, models and metrics never reach git, yet DVC tracks them.
    status = env.run("git", "status", "--porcelain", "--untracked-files=all").stdout
    assert "data/processed" not in status and "models/" not in status
    assert "metrics/" not in status and "fake.parquet" not in status and "mlflow.db" not in status


def test_repro_is_incremental_and_dvc_exp_run_equals_the_hydra_command_line(
    installed_shared, mlflow_store, tmp_path
):
    env = writable_copy(installed_shared, tmp_path)
    project = env.project
    mlflow_store(project)
    env.run("make", "RUN=", "pipeline")  # the default data: the bundled breast cancer set
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n_test"] == 143 and metrics["roc_auc"] > 0.95, metrics
    assert env.run("git", "status", "--porcelain", "params.yaml").stdout == ""

    again = env.python_run("-m", "dvc", "repro").stdout
    assert "Data and pipelines are up to date" in again

    # The default remote is a folder next to the project, outside the repository.
    assert "data/raw/README.md" in env.run("git", "ls-files", "data").stdout
    env.python_run("-m", "dvc", "push")
    remote = project.parent / f"{project.name}-dvc-storage"
    assert len([p for p in remote.rglob("*") if p.is_file()]) >= 5

    env.python_run("-m", f"{PACKAGE}.pipeline", "compose", "evaluate.threshold=0.4")
    threshold_only = env.python_run("-m", "dvc", "repro").stdout
    assert "Stage 'prepare' didn't change" in threshold_only
    assert "Stage 'train' didn't change" in threshold_only
    assert "Running stage 'evaluate'" in threshold_only

    # The same overrides through DVC's Hydra composition and through the Hydra command line.
    # `dvc exp run --temp` runs in a copy under .dvc/tmp: the data must be DVC-tracked to be
    # there, and the run must land in the real project's store, not in the copy.
    env.run("git", "checkout", "--quiet", "--", "params.yaml")
    env.run("make", "RUN=", "fake-data")
    env.python_run("-m", "dvc", "add", "data/raw/fake.parquet")
    env.run("git", "add", "data/raw/fake.parquet.dvc")
    env.run("git", "commit", "--quiet", "--no-verify", "-m", "Track the fake data with DVC")
    overrides = ["model=random_forest", "data=fake", "train.seed=3"]
    env.python_run(
        "-m",
        "dvc",
        "exp",
        "run",
        "--temp",
        "--name",
        "forest-3",
        *[part for override in overrides for part in ("-S", override)],
    )
    env.python_run("-m", f"{PACKAGE}.train", *overrides, f"hydra.run.dir={tmp_path / 'hydra-run'}")
    runs = read_runs(env, f"sqlite:///{project / 'mlflow.db'}")
    by_dvc = next(r for r in runs if r["tags"].get("dvc.experiment") == "forest-3")
    by_hydra = runs[-1]
    assert by_hydra["tags"]["run.entry_point"] == "hydra"
    assert json.loads(by_hydra["tags"]["hydra.overrides"])[:3] == overrides
    assert by_dvc["tags"]["dvc.baseline_rev"] == head(env)
    assert by_dvc["artifact_uri"].startswith((project / "mlartifacts").as_uri())
    assert by_dvc["params"] == by_hydra["params"]
    assert by_dvc["metrics"] == by_hydra["metrics"]
    for tag in ("data.train_md5", "data.test_md5", "data.source_md5", "git.commit"):
        assert by_dvc["tags"][tag] == by_hydra["tags"][tag], tag


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_sweep_makes_one_parent_and_nested_child_runs(
    installed_shared, mlflow_store, tmp_path, launcher
):
    env = installed_shared()
    done = sweep(
        env,
        f"{PACKAGE}.train",
        "--multirun",
        f"launcher={launcher}",
        "model=logistic_regression,random_forest",
        "train.seed=1,2",
        "train.cv_folds=0",
        "tracking.log_model=false",
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
        finished=4,
    )
    children = done.children
    assert len(done.runs) == 1 + 4
    assert {r["tags"]["sweep.job"] for r in children} == {"0", "1", "2", "3"}
    assert {(r["params"]["model.name"], r["params"]["train.seed"]) for r in children} == {
        (model, seed) for model in ("logistic_regression", "random_forest") for seed in "12"
    }


@pytest.mark.parametrize("task", MODEL_TASKS)
def test_optuna_sweep_optimises_the_primary_metric_in_its_direction(
    installed_shared, mlflow_store, tmp_path, task
):
    env = installed_shared(task=task)
    # A forecaster has no cross-validation: fewer backtest origins keep its trials short. Its
    # study optimises one horizon's error (steps 1 to 7), not the error over all 28 steps.
    faster = (
        ("train.origins=2", "evaluate.primary_metric=mase_h7")
        if task == "forecasting"
        else ("train.cv_folds=0",)
    )
    done = sweep(
        env,
        f"{PACKAGE}.train",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=3",
        *faster,
        "tracking.log_model=false",
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
        finished=3,
    )
    children = done.children
    primary, best = {
        "tabular-classification": ("roc_auc", max),
        "tabular-regression": ("mae", min),
        "text-classification": ("roc_auc", max),
        "image-classification": ("roc_auc", max),
        "forecasting": ("mase_h7", min),
    }[task]
    reported = float(re.search(r"Best value: ([-0-9.e]+)", done.output).group(1))
    assert reported == pytest.approx(best(r["metrics"][primary] for r in children))


def test_optuna_study_storage_is_refused_in_one_line_before_hydra_starts(
    installed_shared, tmp_path
):
    """optuna 2.10's database storage fails beside SQLAlchemy 2 (docs/design.md): `train`
    says so instead of a traceback from inside the sweeper."""
    env = installed_shared()
    study = tmp_path / "optuna.db"
    result = env.python_run(
        "-m",
        f"{PACKAGE}.train",
        "hparams_search=optuna",
        f"hydra.sweeper.storage=sqlite:///{study}",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: hydra.sweeper.storage=sqlite:///{study}: Optuna 2.10")
    assert not study.exists() and not (tmp_path / "sweep").exists()


FIRST_RUNS = """
import multiprocessing, sqlite3, sys
from pathlib import Path
import mlflow
from {package} import tracking

def first_run(uri, barrier, results):
    try:
        barrier.wait()
        cfg = {{"tracking": {{"uri": uri, "experiment_name": "race", "log_model": False}}}}
        with tracking.tracked_run(cfg, "first", {{}}):
            mlflow.log_metric("m", 1.0)
        results.put("ok")
    except BaseException as error:
        results.put(f"{{type(error).__name__}}: {{str(error)[:300]}}")

# Forked after the imports: the processes reach the store together, as parallel jobs do.
context = multiprocessing.get_context("fork")
store = Path(sys.argv[1])
uri = f"sqlite:///{{store}}"
barrier, results = context.Barrier(4), context.Queue()
jobs = [context.Process(target=first_run, args=(uri, barrier, results)) for _ in range(4)]
for job in jobs:
    job.start()
for job in jobs:
    job.join(300)
print(sorted(results.get(timeout=10) for _ in jobs))
"""


def test_concurrent_first_runs_create_one_healthy_store(installed_shared, tmp_path):
    # Four processes making the first runs on a new mlflow.db all migrated its schema at once:
    # a job failed in 4 of 4 trials and the store was left broken in 2. Three trials here
    # (each failed before the store was created under a lock).
    env = installed_shared()
    for trial in range(3):
        store = tmp_path / f"trial-{trial}" / "mlflow.db"
        store.parent.mkdir()
        result = env.python_run("-c", FIRST_RUNS.format(package=PACKAGE), store, timeout=300)
        outcomes = result.stdout.strip().splitlines()[-1]
        assert outcomes == str(["ok"] * 4), f"trial {trial}: {outcomes}"
        with closing(sqlite3.connect(store)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
            assert not [name for name in tables if name.startswith("_alembic_tmp")], tables
            assert db.execute("SELECT COUNT(*) FROM alembic_version").fetchone() == (1,)
            finished = db.execute("SELECT COUNT(*) FROM runs WHERE status = 'FINISHED'")
            assert finished.fetchone() == (4,)
    # Healthy for MLflow itself: it reads the four runs back (and upgrades nothing).
    runs = read_runs(env, f"sqlite:///{store}")
    assert len(runs) == 4 and {r["status"] for r in runs} == {"FINISHED"}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_line_error(result, *fragments: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    text = result.stderr
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    return text


def test_user_errors_are_one_actionable_line(installed_shared, tmp_path):
    env = installed_shared()
    run_dir = f"hydra.run.dir={tmp_path / 'run'}"

    def train(*args, **env_extra):
        return env.python_run(
            "-m",
            f"{PACKAGE}.train",
            *args,
            run_dir,
            check=False,
            env={**env.env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'm.db'}", **env_extra},
        )

    one_line_error(
        train("model=no_such_model"), "Could not find 'model/no_such_model'", "random_forest"
    )
    one_line_error(train("train.sed=7"), "Could not override 'train.sed'")

    assert not (env.project / "data" / "raw" / "fake.parquet").exists()
    missing = one_line_error(
        train("data=fake"), "data/raw/fake.parquet not found", "make fake-data"
    )
    assert missing.strip().count("\n") == 0

    bad = tmp_path / "supplier.csv"
    bad.write_text("mean_radius,ward\n1.0,A\n", encoding="utf-8")
    mismatch = one_line_error(
        train("data=fake", f"data.path={bad}"),
        str(bad),
        "conf/data/fake.yaml",
        "missing columns mean_texture",
        "unexpected columns ward",
    )
    assert mismatch.strip().count("\n") == 0

    uri = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    down = env.python_run(
        "-m",
        f"{PACKAGE}.train",
        run_dir,
        check=False,
        env={**env.env, "MLFLOW_TRACKING_URI": uri},
    )
    assert time.monotonic() - started < 15
    assert one_line_error(down, f"tracking server at {uri} is unreachable").strip().count("\n") == 0

    params = (env.project / "params.yaml").read_bytes()
    compose = env.python_run("-m", f"{PACKAGE}.pipeline", "compose", "model=nope", check=False)
    message = one_line_error(compose, "cannot compose conf/", "Could not find 'model/nope'")
    assert message.strip().count("\n") == 0 and "random_forest" in message
    assert (env.project / "params.yaml").read_bytes() == params

    stage = env.python_run("-m", f"{PACKAGE}.pipeline", "train", check=False)
    one_line_error(stage, "data/processed/train.parquet not found", "dvc repro prepare")

    # Values Hydra accepts but nothing can use, through the Hydra entry point: one line each
    # (they used to be tracebacks, or a run with a threshold of 7).
    for override, fragment in [
        ("train.seed=abc", "train.seed='abc' is not valid: use a whole number"),
        ("train.test_size=0", "train.test_size=0 is not valid"),
        ("evaluate.threshold=7", "evaluate.threshold=7 is not valid: use a probability"),
    ]:
        refused = one_line_error(train(override), f"error: {fragment}")
        assert refused.strip().count("\n") == 0, refused
    # ... and through the DVC stages, which read params.yaml.
    params = yaml.safe_load((env.project / "params.yaml").read_text(encoding="utf-8"))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "dvc.yaml").write_text("stages: {}\n", encoding="utf-8")

    def stage(name: str, **changes):
        for key, value in changes.items():
            section, field = key.split("__")
            params[section][field] = value
        (workspace / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
        return env.python_run("-m", f"{PACKAGE}.pipeline", name, check=False, cwd=workspace)

    refused = one_line_error(
        stage("prepare", evaluate__threshold=7), "error: evaluate.threshold=7 is not valid"
    )
    assert "params.yaml" in refused and refused.strip().count("\n") == 0
    params["model"]["estimator"]["C"] = -1
    assert stage("prepare", evaluate__threshold=0.5).returncode == 0
    refused = one_line_error(
        stage("train"), "error: model.estimator.C=-1 is not valid: LogisticRegression needs"
    )
    assert refused.strip().count("\n") == 0, refused

    # An empty mlflow.db is refused and kept, not silently re-created without its runs.
    empty = tmp_path / "empty" / "mlflow.db"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    refused = one_line_error(
        train(MLFLOW_TRACKING_URI=f"sqlite:///{empty}"),
        f"error: the MLflow store {empty} is empty (0 bytes)",
    )
    assert refused.strip().count("\n") == 0 and empty.read_bytes() == b""


def free_port() -> int:
    return closed_port()


def test_a_run_lands_on_a_real_mlflow_server(installed_shared, tmp_path):
    env = installed_shared()
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(env.stack / "bin" / "mlflow"),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'server.db'}",
            "--artifacts-destination",
            str(tmp_path / "server-artifacts"),
        ],
        env=env.env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "mlflow server did not answer /health"
            time.sleep(1)
        # Credentials in the URI (the server has no authentication and ignores them) used to be
        # refused as "Name or service not known", and a `tracking.uri=` override was published
        # in the run's name. Neither the name, tags, params nor anything printed may hold them.
        secret = "s3cr3t-pw"  # pragma: allowlist secret
        with_credentials = f"http://someone:{secret}@127.0.0.1:{port}"
        result = env.python_run(
            "-m",
            f"{PACKAGE}.train",
            "train.cv_folds=0",
            f"tracking.uri={with_credentials}",
            f"hydra.run.dir={tmp_path / 'run'}",
            env={**env.env, "MLFLOW_TRACKING_URI": "sqlite:///nowhere.db"},
        )
        assert secret not in result.stdout + result.stderr
        assert f"at: {uri}/#/experiments/" in result.stdout  # MLflow's link, without them
        (run,) = read_runs(env, uri)
        # The user name is recorded as the run's user, as with MLFLOW_TRACKING_USERNAME.
        assert secret not in json.dumps(run)
        assert run["name"] == "train.cv_folds=0"
        assert json.loads(run["tags"]["hydra.overrides"]) == ["train.cv_folds=0"]
        assert not [key for key in run["params"] if key.startswith("tracking.")]
        assert run["status"] == "FINISHED"
        assert run["tags"]["run.entry_point"] == "hydra"
        assert run["tags"]["data.source"] == "breast_cancer"
        assert "git.commit" in run["tags"] and "data.train_md5" in run["tags"]
        assert 0.9 < run["metrics"]["roc_auc"] <= 1
        assert len(run["models"]) == 1
        assert list((tmp_path / "server-artifacts").rglob("MLmodel")), "model not on the server"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own process group, by its PID
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
