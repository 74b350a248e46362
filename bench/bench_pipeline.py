"""Benchmark the generated pipeline: first tracked run, no-op repro, start-up, tests, sweeps.

    .venv/bin/python bench/bench_pipeline.py [--repeat N]   (or `python3 tasks.py bench`)

Figures, all wall-clock seconds on this machine:
- time to first tracked run from a fresh bake with a warm package cache: bake (cookiecutter),
  environment (`uv sync`, what the README tells a newcomer), `make pipeline-fake` (fake data +
  `dvc repro` ending in an MLflow run);
- a no-op `dvc repro` (median);
- `python -m <package>.train --help` start-up (median; target under 1.5 s);
- the generated project's own test suite (median);
- a 4-job sweep with the basic launcher versus the joblib launcher, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import machine, median, run  # noqa: E402

from harness import tool_env, uv  # noqa: E402

BIN = Path(sys.executable).parent
PACKAGE = "sepsis_early_warning"
SWEEP = ["model=logistic_regression,random_forest", "train.seed=1,2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per median figure")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    description = machine()
    figures: dict[str, float] = {}

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        figures["bake (cookiecutter)"] = run(
            [BIN / "cookiecutter", "--no-input", "-f", ROOT, "-o", tmp]
        )
        project = tmp / "sepsis-early-warning"
        env = tool_env()
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["UV_PYTHON_DOWNLOADS"] = "never"
        env["UV_COMPILE_BYTECODE"] = "1"
        env["UV_PROJECT_ENVIRONMENT"] = str(project / ".venv")
        figures["environment (uv sync, warm cache)"] = run(
            [uv(), "sync", "--python", sys.executable], cwd=project, env=env
        )
        venv_bin = project / ".venv" / "bin"
        env["PATH"] = os.pathsep.join([str(venv_bin), env["PATH"]])
        env["VIRTUAL_ENV"] = str(project / ".venv")
        figures["first pipeline (make pipeline-fake)"] = run(
            ["make", "RUN=", "pipeline-fake"], cwd=project, env=env
        )
        figures["time to first tracked run (sum of the three)"] = sum(figures.values())
        python = venv_bin / "python"

        figures["no-op dvc repro (median)"] = median(
            [python, "-m", "dvc", "repro"], repeat, cwd=project, env=env
        )
        figures["train --help start-up (median)"] = median(
            [python, "-m", f"{PACKAGE}.train", "--help"], repeat, cwd=project, env=env
        )
        figures["generated test suite (median)"] = median(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            max(1, repeat // 2),
            cwd=project,
            env=env,
        )
        sweep_env = {**env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'sweeps.db'}"}
        # The store's creation (migrations, seconds) is not part of either sweep.
        run(
            [python, "-c", "import mlflow; mlflow.MlflowClient().search_experiments()"],
            env=sweep_env,
        )
        for launcher in ("basic", "joblib"):
            figures[f"4-job sweep, {launcher} launcher"] = run(
                [
                    python,
                    "-m",
                    f"{PACKAGE}.train",
                    "--multirun",
                    f"launcher={launcher}",
                    *SWEEP,
                    f"hydra.sweep.dir={tmp / ('sweep-' + launcher)}",
                ],
                cwd=project,
                env=sweep_env,
            )
        shutil.rmtree(project, ignore_errors=True)

    basic = figures["4-job sweep, basic launcher"]
    joblib = figures["4-job sweep, joblib launcher"]
    print(f"machine: {description}")
    print("| figure | seconds |\n|---|---|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.2f} |")
    print(f"| sweep ratio basic / joblib | {basic / joblib:.2f}x |")


if __name__ == "__main__":
    main()
