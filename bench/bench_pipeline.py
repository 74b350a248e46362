"""Benchmark the generated pipeline: first tracked run, no-op repro, start-up, tests, sweeps.

    .venv/bin/python bench/bench_pipeline.py [--repeat N]   (or `python3 tasks.py bench`)

Figures, all wall-clock seconds on this machine:
- time to first tracked run from a fresh bake with a warm package cache, for the default task
  flavour and then for every other (`--tasks-only`, `--only a,b` for some): bake (cookiecutter),
  environment (`uv sync --locked --compile-bytecode`, what `make setup` runs; the toolkit from
  the wheel built from this checkout until it is on the package index), `make pipeline-fake`
  (fake data + `dvc repro` ending in an MLflow run);
- the same environment without `--compile-bytecode`, and the first pipeline in it (Python
  compiles what it imports on the way): what bytecode compilation costs and saves;
- a no-op `dvc repro` (median);
- `python -m <package>.train --help` start-up (median; target under 1.5 s);
- the generated project's own test suite (median);
- with the first pipeline and the suite, their CPU seconds (user + system, every process):
  the figure to compare runs taken under different loads by;
- with `--exit`, each flavour's last stage ending as shipped (`stages.exit_now`) and ending
  with the interpreter's own teardown (median of 3, alternated), and their difference;
- a 4-job sweep with the basic launcher versus the joblib launcher, and their ratio, on the
  bundled data (jobs of about 2 s) and on 1e5 rows of fake data (jobs of about 10 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import machine, median, run, run_with_cpu  # noqa: E402

from harness import TEMPLATE_ANSWERS, tool_env, toolkit_wheel, uv  # noqa: E402

TASKS = TEMPLATE_ANSWERS["task"]

BIN = Path(sys.executable).parent
PACKAGE = "sepsis_early_warning"
SWEEP = ["model=logistic_regression,random_forest", "train.seed=1,2"]
# Four longer jobs on 1e5 rows. Under the basic launcher each job's cross-validation uses both
# cores (train.n_jobs=-1); under joblib each worker runs its folds one at a time.
LONG_SWEEP = ["data=fake", "train.seed=1,2,3,4"]


def environment(project: Path, env: dict[str, str], compile_bytecode: bool) -> float:
    """Seconds to make the project's .venv as `make setup` does (uv sync from the lock)."""
    flags = ["--compile-bytecode"] if compile_bytecode else []
    # skunkworks-poc comes from the package index once released; until then from the wheel.
    seconds = run(
        [
            uv(),
            "sync",
            "--locked",
            *flags,
            "--no-install-package",
            "skunkworks-poc",
            "--python",
            sys.executable,
        ],
        cwd=project,
        env=env,
    )
    return seconds + run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            *flags,
            "--python",
            project / ".venv" / "bin" / "python",
            toolkit_wheel(),
        ],
        cwd=project,
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per median figure")
    parser.add_argument(
        "--tasks-only",
        action="store_true",
        help="only the time to first tracked run of each task flavour",
    )
    parser.add_argument(
        "--only",
        default="",
        help="with --tasks-only: these flavours (comma-separated), after the default flavour "
        "as the baseline measured in the same run",
    )
    parser.add_argument(
        "--exit",
        action="store_true",
        help="with --tasks-only: also time each flavour's last stage ending as shipped "
        "(stages.exit_now) against ending with the interpreter's own teardown (median of 3)",
    )
    parser.add_argument(
        "--suite",
        action="store_true",
        help="with --tasks-only: also time each flavour's generated test suite (once)",
    )
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    description = machine()
    figures: dict[str, float] = {}

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base_env = tool_env()
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_env["UV_PYTHON_DOWNLOADS"] = "never"
        runs = [(TASKS[0], False), (TASKS[0], True), *((task, True) for task in TASKS[1:])]
        if args.tasks_only:
            chosen = [name for name in args.only.split(",") if name] or TASKS[1:]
            unknown = sorted(set(chosen) - set(TASKS))
            if unknown:
                parser.error(f"--only: unknown task flavours {', '.join(unknown)}")
            runs = [(task, True) for task in [TASKS[0], *(t for t in chosen if t != TASKS[0])]]
        for task, compiled in runs:
            out = tmp / f"{task}-{'compiled' if compiled else 'plain'}"
            bake = run([BIN / "cookiecutter", "--no-input", "-f", ROOT, "-o", out, f"task={task}"])
            project = out / "sepsis-early-warning"
            env = {**base_env, "UV_PROJECT_ENVIRONMENT": str(project / ".venv")}
            setup = environment(project, env, compiled)
            venv_bin = project / ".venv" / "bin"
            env["PATH"] = os.pathsep.join([str(venv_bin), env["PATH"]])
            env["VIRTUAL_ENV"] = str(project / ".venv")
            first, first_cpu = run_with_cpu(["make", "RUN=", "pipeline-fake"], cwd=project, env=env)
            label = "" if compiled else ", no bytecode compiled at install"
            if task != TASKS[0] or args.tasks_only:
                label += f", {task}"
            figures[f"bake (cookiecutter){label}"] = bake
            figures[f"environment (uv sync, warm cache){label}"] = setup
            figures[f"first pipeline (make pipeline-fake){label}"] = first
            figures[f"first pipeline, CPU seconds{label}"] = first_cpu
            figures[f"time to first tracked run (sum of the three){label}"] = bake + setup + first
            if args.tasks_only and args.suite:
                suite, suite_cpu = run_with_cpu(
                    [venv_bin / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                    cwd=project,
                    env=env,
                )
                figures[f"generated test suite{label}"] = suite
                figures[f"generated test suite, CPU seconds{label}"] = suite_cpu
            if args.tasks_only and args.exit:
                shipped, teardown = last_stage_exits(project, env, venv_bin / "python")
                figures[f"last stage, ending with exit_now (median){label}"] = shipped
                figures[f"last stage, ending with Python's teardown (median){label}"] = teardown
                figures[f"last stage, saved by exit_now{label}"] = teardown - shipped
            if task == TASKS[0] and compiled:
                default_project, default_env = project, dict(env)
        if args.tasks_only:
            print_figures(description, figures)
            return
        project, env = default_project, default_env
        venv_bin = project / ".venv" / "bin"
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
        run(
            [python, "-m", f"{PACKAGE}.data.fake", "--rows", "100000"],
            cwd=project,
            env=sweep_env,
        )
        sweeps = {"": SWEEP, " (1e5 rows)": LONG_SWEEP}
        for index, (label, sweep) in enumerate(sweeps.items()):
            for launcher in ("basic", "joblib"):
                extra = ["train.n_jobs=1"] if launcher == "joblib" and label else []
                figures[f"4-job sweep{label}, {launcher} launcher"] = run(
                    [
                        python,
                        "-m",
                        f"{PACKAGE}.train",
                        "--multirun",
                        f"launcher={launcher}",
                        *sweep,
                        *extra,
                        f"hydra.sweep.dir={tmp / f'sweep-{index}-{launcher}'}",
                    ],
                    cwd=project,
                    env=sweep_env,
                )
        shutil.rmtree(project, ignore_errors=True)

    print_figures(description, figures)
    for label in ("", " (1e5 rows)"):
        basic = figures[f"4-job sweep{label}, basic launcher"]
        joblib = figures[f"4-job sweep{label}, joblib launcher"]
        print(f"| sweep ratio basic / joblib{label} | {basic / joblib:.2f}x |")


def last_stage_exits(project: Path, env: dict[str, str], python: Path) -> tuple[float, float]:
    """Median wall time of the last stage of dvc.yaml (evaluate, or the flavour's name for it)
    run as shipped, its `__main__` block ending with `stages.exit_now`, and the same stage
    with `main` called from `python -c`, which ends with the interpreter's own teardown.
    Alternated, three times each, after the first pipeline wrote its inputs."""
    import yaml

    stage = list(yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"])[-1]
    shipped = [python, "-m", f"{PACKAGE}.pipeline", stage]
    teardown = [python, "-c", f"from {PACKAGE}.pipeline import main; main([{stage!r}])"]
    times: dict[str, list[float]] = {"shipped": [], "teardown": []}
    for _ in range(3):
        times["shipped"].append(run(shipped, cwd=project, env=env))
        times["teardown"].append(run(teardown, cwd=project, env=env))
    return statistics.median(times["shipped"]), statistics.median(times["teardown"])


def print_figures(description: str, figures: dict[str, float]) -> None:
    print(f"machine: {description}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("| figure | seconds |\n|---|---|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
