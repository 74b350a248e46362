"""Benchmark the generated pipeline's stages as the data grow: 1e3 and 1e5 rows (1e6 with --large).

    .venv/bin/python bench/bench_scale.py [--large] [--forest] [--rows 1000,100000] [--repeat N]

Each figure is the wall time of the stage's own command in a default bake, installed as the
template's tests install one. Every change made for speed is measured against what it replaced,
in the same run, on the same data, so that the ratio holds whatever the machine's load:
- fake data: `python -m <package>.data.fake` writing CSV (before) and Parquet (now);
- prepare (read, validate, split) from that CSV file and from that Parquet file;
- train (5-fold cross-validation, then the final fit), logistic regression: folds one at a
  time on every row (before: `train.n_jobs=1 train.cv_max_rows=null`) and the defaults (folds
  in parallel threads, at most `train.cv_max_rows` rows);
- evaluate (metrics, figures, one MLflow run with the model; the store already exists);
- `skunkworks report` (what `make report` runs) on the files evaluate wrote.
With --forest, also a random forest (200 trees) at 1e5 rows, before and now: about 10 minutes
before this change on 2 cores.
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

from harness import build_stack, install_project, stack_requirements  # noqa: E402

BIN = Path(sys.executable).parent
PACKAGE = "sepsis_early_warning"
BEFORE_CV = ["train.n_jobs=1", "train.cv_max_rows=null"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,100000", help="comma-separated row counts")
    parser.add_argument("--large", action="store_true", help="add 1e6 rows (minutes)")
    parser.add_argument("--forest", action="store_true", help="a random forest at 1e5 rows")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median)")
    args = parser.parse_args()
    sizes = [int(float(n)) for n in args.rows.split(",")] + ([1_000_000] if args.large else [])
    description = machine()
    rows_of_figures: list[tuple[int, str, float, float | None]] = []

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run([BIN / "cookiecutter", "--no-input", "-f", ROOT, "-o", tmp])
        project = tmp / "sepsis-early-warning"
        shutil.rmtree(project / ".git", ignore_errors=True)
        installed = install_project(project, build_stack(stack_requirements(project)), tmp / "venv")
        env = {**installed.env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'bench.db'}"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        python = str(installed.python)

        def timed(*command: str, repeat: int = args.repeat) -> float:
            return median([python, *command], repeat, cwd=project, env=env)

        def compose(*overrides: str) -> None:
            run([python, "-m", f"{PACKAGE}.pipeline", "compose", *overrides], cwd=project, env=env)

        # The store's creation (migrations, seconds, once per project) is no part of evaluate.
        run([python, "-c", "import mlflow; mlflow.MlflowClient().search_experiments()"], env=env)
        fake = [python, "-m", f"{PACKAGE}.data.fake", "--seed", "0", "--rows"]
        for rows in sizes:
            csv_write = timed(*fake[1:], str(rows), "--output", "data/raw/fake.csv")
            parquet_write = timed(*fake[1:], str(rows), "--output", "data/raw/fake.parquet")
            rows_of_figures.append((rows, "fake data: CSV -> Parquet", csv_write, parquet_write))

            compose("data=fake", "data.path=data/raw/fake.csv")
            csv_prepare = timed("-m", f"{PACKAGE}.pipeline", "prepare")
            compose("data=fake")
            parquet_prepare = timed("-m", f"{PACKAGE}.pipeline", "prepare")
            rows_of_figures.append((rows, "prepare: CSV -> Parquet", csv_prepare, parquet_prepare))

            compose("data=fake", *BEFORE_CV)
            before = timed("-m", f"{PACKAGE}.pipeline", "train")
            compose("data=fake")
            now = timed("-m", f"{PACKAGE}.pipeline", "train")
            rows_of_figures.append((rows, "train (logistic regression, 5-fold CV)", before, now))

            evaluate = timed("-m", f"{PACKAGE}.pipeline", "evaluate")
            rows_of_figures.append((rows, "evaluate (incl. MLflow run and model)", evaluate, None))
            # What `make report` runs: it reads the files evaluate wrote (importance included).
            report = timed("-m", "skunkworks_poc", "report")
            rows_of_figures.append((rows, "skunkworks report (make report)", report, None))

            if args.forest and rows == 100_000:
                forest = ["data=fake", "model=random_forest"]
                compose(*forest, *BEFORE_CV)
                before = timed("-m", f"{PACKAGE}.pipeline", "train", repeat=1)
                compose(*forest)
                now = timed("-m", f"{PACKAGE}.pipeline", "train", repeat=1)
                rows_of_figures.append((rows, "train (random forest, 5-fold CV)", before, now))
        import_mlflow = timed("-c", "import mlflow", repeat=max(3, args.repeat))

    print(f"machine: {description}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"`python -c 'import mlflow'` in the same environment: {import_mlflow:.2f} s")
    print("| rows | figure | before (s) | now (s) | before / now |\n|---|---|---|---|---|")
    for rows, name, before, now in rows_of_figures:
        if now is None:
            print(f"| {rows:.0e} | {name} | | {before:.2f} | |")
        else:
            print(f"| {rows:.0e} | {name} | {before:.2f} | {now:.2f} | {before / now:.2f}x |")


if __name__ == "__main__":
    main()
