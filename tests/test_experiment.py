"""The experiment flavour for real: a bake runs `make pipeline` on its bundled attendances
(git, DVC, MLflow), `skunkworks report` and a strict `mkdocs build`; sweeps with the basic and
joblib launchers and Optuna nest their runs under one parent; a sweep that meets an
infeasible setting ends its parent FAILED and says why in one line.

The generated project's own tests (run for every Python by test_matrix.py) cover the queue,
the scorers, bad input and the Hydra entry point; this module covers what only a whole
installed project shows: the commands a supplier types, the toolkit reading a manifest with
no model, the built site.
"""

from __future__ import annotations

import json
import re
import signal

import pytest
from test_discovery import Page, check_no_model_card, model_free_report
from test_pipeline import PACKAGE

from flavours import (
    interrupt_sweep,
    model_free_run,
    published_project,
    read_runs_from_store,
    start_sweep,
    sweep,
    sweep_runs,
)

# One xdist worker runs the whole module: otherwise each worker that picks up one of its
# tests builds its module fixtures (a pipeline, reports and a docs build) again.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("experiment")]

TASK = {"task": "experiment"}
QUICK = ("simulation.days=3",)

experiment = published_project("experiment", TASK)


def test_make_targets_run_the_experiment(installed_shared):
    env = installed_shared(**TASK)
    dry_run = env.run("make", "-n", "RUN=", "train", "sweep", "pipeline").stdout
    assert f"python -m {PACKAGE}.experiment" in dry_run
    assert "hparams_search=staffing_grid" in dry_run
    assert ".train" not in dry_run
    project = env.project
    assert not (project / "src" / PACKAGE / "models.py").exists()
    assert not (project / "conf" / "model").exists() and not (project / "conf" / "train").exists()
    assert {p.name for p in (project / "conf" / "hparams_search").glob("*.yaml")} == {
        "optuna.yaml",
        "staffing_grid.yaml",
    }


def test_bundled_attendances_are_simulated_tracked_and_reported(experiment):
    project = experiment.project
    assert "Running stage 'run'" in experiment.pipeline.stdout
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["violations"] == 0 and metrics["objective"] == metrics["p95_wait"] > 0
    assert metrics["staff_hours"] == 56 and 0.6 < metrics["utilisation"] < 0.85
    stages = ["prepare", "run", "evaluate"]
    run = model_free_run(project, stages, "simulation.json", "figures/waits_by_hour.png")
    assert run["metrics"].pop("run_seconds") > 0  # MLflow's alone: it changes on every run
    assert run["metrics"] == pytest.approx(metrics)
    assert run["params"]["simulation.staffing.day"] == "3"

    # (published_project checked that the strict docs build gave no warning.)
    shown = model_free_report(project)
    assert "Waits by deprivation_quintile" in shown and "Staffing by shift" in shown
    assert "simulation.staffing.evening" in shown  # the setting, as the run's parameters
    model_card = Page(project / "site" / "model-card.html")
    check_no_model_card(model_card)
    card = model_card.shown
    assert "No model is trained" in card and "A seeded simulation of the configured" in card
    data_card = Page(project / "site" / "data-card.html").shown
    assert "arrival_hour" in data_card and "simulation input" in data_card


# The staffing grid of `make sweep` (4 settings) with the basic launcher; two settings with
# joblib's worker processes (their start-up, not the grid, is what differs).
SWEEPS = {
    "basic": ("hparams_search=staffing_grid",),
    "joblib": ("--multirun", "simulation.staffing.day=3,4", "simulation.staffing.evening=3"),
}


@pytest.mark.parametrize("launcher", list(SWEEPS))
def test_a_staffing_sweep_nests_one_run_per_setting(
    installed_shared, mlflow_store, tmp_path, launcher
):
    done = sweep(
        installed_shared(**TASK),
        f"{PACKAGE}.experiment",
        *SWEEPS[launcher],
        f"launcher={launcher}",
        *QUICK,
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
        timeout=600,
    )
    assert done.parent["status"] == "FINISHED"
    children = done.children
    settings = {
        (r["params"]["simulation.staffing.day"], r["params"]["simulation.staffing.evening"])
        for r in children
    }
    evenings = "23" if launcher == "basic" else "3"
    assert settings == {(day, evening) for day in "34" for evening in evenings}
    assert len(children) == len(settings) == len(done.runs) - 1
    for run in children:
        assert run["status"] == "FINISHED" and run["models"] == []
        assert {"objective", "violation_staff_budget", "run_seconds"} <= set(run["metrics"])
    # More clinicians in the day: shorter waits, same seed.
    by_setting = {
        (r["params"]["simulation.staffing.day"], r["params"]["simulation.staffing.evening"]): r
        for r in children
    }
    assert (
        by_setting[("4", "3")]["metrics"]["mean_wait"]
        < by_setting[("3", "3")]["metrics"]["mean_wait"]
    )


def test_optuna_sweep_optimises_the_objective_in_its_direction(
    installed_shared, mlflow_store, tmp_path
):
    done = sweep(
        installed_shared(**TASK),
        f"{PACKAGE}.experiment",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=3",
        *QUICK,
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
        finished=3,
        timeout=600,
    )
    assert "Traceback" not in done.output
    reported = float(re.search(r"Best value: ([-0-9.e]+)", done.output).group(1))
    assert reported == pytest.approx(min(r["metrics"]["objective"] for r in done.children))


def test_an_infeasible_trial_fails_alone_and_the_optuna_study_goes_on(
    installed_shared, mlflow_store, tmp_path
):
    # The search space holds a day staffing (1 clinician) that the queue cannot keep up with
    # unless the other shifts make up for it; the seeded sampler draws infeasible and
    # feasible settings among the 4 trials.
    done = sweep(
        installed_shared(**TASK),
        f"{PACKAGE}.experiment",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=4",
        "simulation.staffing.day=choice(1,4)",
        *QUICK,
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
        timeout=600,
    )
    output, children = done.output, done.children
    assert "Traceback" not in output, output
    assert done.parent["status"] == "FINISHED", done.runs
    assert len(children) == 4
    failed = [r for r in children if r["status"] == "FAILED"]
    finished = [r for r in children if r["status"] == "FINISHED"]
    assert failed and finished and len(failed) + len(finished) == 4
    for run in failed:
        assert run["params"]["simulation.staffing.day"] == "1" and run["metrics"] == {}
        assert "the queue never settles" in run["tags"]["run.failure"]
    assert all("run.failure" not in r["tags"] and "objective" in r["metrics"] for r in finished)
    assert output.count("trial failed, the study goes on: the queue never settles") == len(failed)
    reported = float(re.search(r"Best value: ([-0-9.e]+)", output).group(1))
    assert reported == pytest.approx(min(r["metrics"]["objective"] for r in finished))


def test_an_infeasible_setting_in_a_sweep_ends_its_parent_failed(
    installed_shared, mlflow_store, tmp_path
):
    env = installed_shared(**TASK)
    store = mlflow_store(tmp_path)
    result = env.python_run(
        "-m",
        f"{PACKAGE}.experiment",
        "--multirun",
        *QUICK,
        # The second: 40 clinician-hours a day for about 44 hours of work.
        "simulation.staffing.day=3,1",
        f"tracking.uri=sqlite:///{store}",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        check=False,
        timeout=600,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = [text for text in result.stderr.splitlines() if text.startswith("error: ")]
    assert "the queue never settles" in line
    runs = read_runs_from_store(store)
    parent, children = sweep_runs(runs)
    assert parent["status"] == "FAILED", runs
    assert [r["status"] for r in children] == ["FINISHED"]


def test_an_unknown_scorer_is_one_line_and_params_yaml_stays(experiment):
    env, project = experiment.env, experiment.project
    before = (project / "params.yaml").read_bytes()
    result = env.run(
        "make", "RUN=", "params", "ARGS=evaluate.scorers=[mean_wait,luck]", check=False
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "evaluate.scorers: unknown scorer 'luck'" in result.stderr
    assert (project / "params.yaml").read_bytes() == before


def test_a_new_scorer_reruns_evaluate_alone(experiment):
    env, project = experiment.env, experiment.project
    env.run("make", "RUN=", "params", "ARGS=evaluate.scorers=[p95_wait,mean_wait]", timeout=120)
    result = env.python_run("-m", "dvc", "repro", timeout=600)
    assert "Stage 'run' didn't change, skipping" in result.stdout, result.stdout
    assert "Running stage 'evaluate'" in result.stdout
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert "max_wait" not in metrics and {"p95_wait", "mean_wait", "objective"} <= set(metrics)


def test_a_forced_rerun_changes_no_dvc_metric(experiment):
    # The run time is logged to MLflow but kept out of metrics/metrics.json: a rerun of the
    # same setting (same seed) must leave `dvc metrics diff` empty.
    env, project = experiment.env, experiment.project
    env.run("git", "add", "--all")
    env.run("git", "commit", "--quiet", "--no-verify", "--allow-empty", "-m", "First run")
    before = json.loads((project / "metrics" / "mlflow_run.json").read_text(encoding="utf-8"))
    result = env.python_run("-m", "dvc", "repro", "--force", timeout=600)
    assert "Running stage 'run'" in result.stdout and "Running stage 'evaluate'" in result.stdout
    after = json.loads((project / "metrics" / "mlflow_run.json").read_text(encoding="utf-8"))
    assert after["run_id"] != before["run_id"]
    shown = json.loads(env.python_run("-m", "dvc", "metrics", "show", "--json").stdout)
    assert "objective" in json.dumps(shown) and "run_seconds" not in json.dumps(shown)
    diff = env.python_run("-m", "dvc", "metrics", "diff", "--json").stdout
    assert json.loads(diff) == {}
    runs = {run["run_id"]: run for run in read_runs_from_store(project / "mlflow.db")}
    assert runs[after["run_id"]]["metrics"]["run_seconds"] > 0


def test_an_interrupted_sweep_ends_its_parent_failed(installed_shared, mlflow_store, tmp_path):
    # Ctrl+C in the middle of a 40-setting sweep: the settings run so far stay logged, the
    # parent run ends FAILED, and no traceback reaches the terminal.
    env = installed_shared(**TASK)
    store = mlflow_store(tmp_path)
    sweep_dir = tmp_path / "sweep"
    process = start_sweep(
        env,
        f"{PACKAGE}.experiment",
        *QUICK,
        "simulation.seed=" + ",".join(str(seed) for seed in range(40)),
        uri=f"sqlite:///{store}",
        sweep_dir=sweep_dir,
    )
    # Hydra makes a job's folder as it starts it: the basic launcher's first job is done.
    interrupt_sweep(process, (sweep_dir / "1").is_dir, signal.SIGINT)
    runs = read_runs_from_store(store)
    parent, children = sweep_runs(runs)
    assert parent["status"] == "FAILED", runs
    assert children and len(children) < 40, "the sweep was not interrupted"
