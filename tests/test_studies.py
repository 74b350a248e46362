"""Optuna studies in a model flavour, for real: a baked default project's `train` runs a study
whose search space holds a value the estimator refuses (a random forest's `max_depth=0`).

Each such trial fails alone: Optuna records it FAILED, its MLflow run ends FAILED with the
reason in its `run.failure` tag, the study goes on and the parent run finishes, with the basic
launcher and with joblib's worker processes. A study whose every trial fails ends with one
line naming the error and a FAILED parent, not Optuna's traceback. The experiment's
infeasible settings (test_experiment.py) go through the same code (`stages.run_trial`).
"""

from __future__ import annotations

import re

import pytest
import yaml
from test_pipeline import PACKAGE

from flavours import read_runs_from_store, sweep, sweep_runs
from harness import CHOICES

# Small trials: no cross-validation, no model logged, a small forest.
QUICK = ("train.cv_folds=0", "tracking.log_model=false", "model.estimator.n_estimators=10")
# The project's own line for a value scikit-learn refuses (models.py), one per trial.
REFUSED = "is not valid: RandomForestClassifier needs an int in the range [1, inf) or None"


def test_every_optuna_preset_lets_a_failed_trial_fail_alone(bake_shared):
    # The sweeper compares each batch's failures against `max_failure_rate`: with one trial a
    # batch, any rate below 1 stops the study at its first failed trial.
    presets = {}
    for task in CHOICES["task"]:
        preset = bake_shared(task=task) / "conf" / "hparams_search" / "optuna.yaml"
        if preset.is_file():
            presets[task] = yaml.safe_load(preset.read_text(encoding="utf-8"))["hydra"]["sweeper"]
    assert set(presets) == set(CHOICES["task"]) - {"data-discovery"}
    for task, sweeper in presets.items():
        assert (sweeper["max_failure_rate"], sweeper["n_jobs"]) == (1.0, 1), task


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_a_trial_the_estimator_refuses_fails_alone_and_the_study_goes_on(
    installed_shared, mlflow_store, tmp_path, launcher
):
    done = sweep(
        installed_shared(),
        f"{PACKAGE}.train",
        "hparams_search=optuna",
        f"launcher={launcher}",
        "hydra.sweeper.n_trials=4",
        # The seeded sampler draws both values among the 4 trials.
        "model.estimator.max_depth=choice(0,3)",
        *QUICK,
        sweep_dir=tmp_path / "sweep",
        store=mlflow_store(tmp_path),
    )
    output, children = done.output, done.children
    assert done.parent["status"] == "FINISHED", done.runs
    assert len(children) == 4, done.runs
    failed = [r for r in children if r["status"] == "FAILED"]
    finished = [r for r in children if r["status"] == "FINISHED"]
    assert failed and finished and len(failed) + len(finished) == 4, done.runs
    for run in failed:
        assert run["params"]["model.estimator.max_depth"] == "0" and run["metrics"] == {}
        assert f"model.estimator.max_depth=0 {REFUSED}" in run["tags"]["run.failure"]
    for run in finished:
        assert run["params"]["model.estimator.max_depth"] == "3"
        assert "run.failure" not in run["tags"] and "roc_auc" in run["metrics"]
    line = f"trial failed, the study goes on: model.estimator.max_depth=0 {REFUSED}"
    assert output.count(line) == len(failed)
    reported = float(re.search(r"Best value: ([-0-9.e]+)", output).group(1))
    assert reported == pytest.approx(max(r["metrics"]["roc_auc"] for r in finished))


@pytest.mark.slow
def test_a_study_whose_every_trial_fails_ends_in_one_line_and_a_failed_parent(
    installed_shared, mlflow_store, tmp_path
):
    env = installed_shared()
    store = mlflow_store(tmp_path)
    result = env.python_run(
        "-m",
        f"{PACKAGE}.train",
        "hparams_search=optuna",
        "hydra.sweeper.n_trials=2",
        "model.estimator.max_depth=choice(0,-1)",
        *QUICK,
        f"tracking.uri=sqlite:///{store}",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        check=False,
        timeout=600,
    )
    assert result.returncode == 2, result.stderr[-4000:]
    assert "Traceback" not in result.stderr and "No trials are completed" not in result.stderr
    (line,) = [text for text in result.stderr.splitlines() if text.startswith("error: ")]
    last = re.escape("error: every trial of the Optuna study failed; the last: ")
    assert re.match(f"{last}model.estimator.max_depth=(0|-1) {re.escape(REFUSED)}", line), line
    runs = read_runs_from_store(store)
    parent, children = sweep_runs(runs)
    assert parent["status"] == "FAILED", runs
    assert [r["status"] for r in children] == ["FAILED", "FAILED"], runs
    assert all(REFUSED in r["tags"]["run.failure"] for r in children)
