"""Benchmark `skunkworks review`: its --help, a baked project and a generated 1,000-file repo.

    .venv/bin/python bench/bench_review.py [--repeat N] [--files 1000]

Targets (issue 9): `--help` <= 0.3 s; a baked project <= 2 s; a 1,000-file repository <= 10 s,
on 2 cores. Each figure is the median wall time of the command as a user runs it (a new
process). Baselines measured in the same run, on the same folders, so the ratios hold
whatever the machine's load:
- `python -c pass`, against `--help` (what start-up alone costs);
- plain `repo-review PATH --select L,G,D,R,C,P` (the same checks through repo-review's own
  command, with its rich output), against `skunkworks review PATH`;
- `git ls-files` plus reading every tracked file once (the least any review of those files
  costs), against `skunkworks review PATH`.
The 1,000-file repository is a git repository of Python modules, notebooks, Markdown and
YAML of realistic sizes (about 4 kB each), with a few data files among them.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import machine, median  # noqa: E402

BIN = Path(sys.executable).parent
READ_TRACKED = (
    "import subprocess, sys\n"
    "files = subprocess.run(['git', '-C', sys.argv[1], 'ls-files', '-z'], capture_output=True,"
    " check=True).stdout.decode().split('\\0')\n"
    "total = sum(len(open(sys.argv[1] + '/' + f, 'rb').read()) for f in files if f)\n"
)
# repo-review's command exits 3 when a check fails: a finding, not a failure of the run.
PLAIN_REPO_REVIEW = (
    "import sys\n"
    "from repo_review.__main__ import main\n"
    "sys.argv[0] = 'repo-review'\n"
    "try:\n    main()\nexcept SystemExit as exit:\n    sys.exit(0 if exit.code in (0, 3) else 1)\n"
)


def bake(folder: Path) -> Path:
    subprocess.run(
        [BIN / "skunkworks", "new", "--no-input", "-o", folder], check=True, capture_output=True
    )
    [project] = [p for p in folder.iterdir() if p.is_dir()]
    return project


def many_files(folder: Path, count: int) -> Path:
    """A git repository of `count` files, mostly code and documents, a few data files."""
    rng = random.Random(0)
    root = folder / "many"
    words = [
        "patient",
        "ward",
        "admission",
        "model",
        "feature",
        "threshold",
        "cohort",
        "data",
        "plot",
        "score",
    ]
    for index in range(count):
        kind = index % 10
        package = root / f"src/pkg{index % 20}"
        if kind < 5:
            path = package / f"module_{index}.py"
            body = "\n".join(
                f"def f_{index}_{n}(x):\n    return x * {rng.random():.10f}  # {rng.choice(words)}"
                for n in range(60)
            )
        elif kind < 7:
            path = root / f"docs/page_{index}.md"
            body = "\n".join(
                f"## Section {n}\n" + " ".join(rng.choices(words, k=60)) for n in range(8)
            )
        elif kind < 9:
            path = root / f"conf/group{index % 7}/option_{index}.yaml"
            body = "\n".join(f"key_{n}: {rng.random()}" for n in range(150))
        else:
            path = root / f"notebooks/nb_{index}.ipynb"
            cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
            body = json.dumps(
                {"cells": [{**cell, "source": [f"x = {n}\n"]} for n in range(40)], "nbformat": 4}
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body + "\n", encoding="utf-8")
    data = root / "input"
    data.mkdir()
    for index in range(5):
        (data / f"extract_{index}.csv").write_text(
            "\n".join(f"{n},{rng.random()},{rng.choice(words)}" for n in range(300)), "utf-8"
        )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    print(machine())
    skunkworks, python = BIN / "skunkworks", BIN / "python"
    # Exit 1 is a finding, not a failure, for these timings: accept it.
    review = [python, "-c", "import sys; from skunkworks_poc.cli import main; main(sys.argv[1:])"]
    plain = [python, "-c", PLAIN_REPO_REVIEW]

    start_up = median([python, "-c", "pass"], args.repeat)
    help_time = median([skunkworks, "review", "--help"], args.repeat)
    print(f"python -c pass                    {start_up:6.3f} s")
    print(
        f"skunkworks review --help          {help_time:6.3f} s  (target 0.3 s; "
        f"{help_time / start_up:.1f}x bare start-up)"
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        baked = bake(folder / "baked")
        many = many_files(folder, args.files)
        for label, target, repo in (
            ("baked project", 2.0, baked),
            (f"{args.files}-file repository", 10.0, many),
        ):
            ours = median([*review, "review", repo, "-o", folder / "out.txt"], args.repeat)
            through_repo_review = median(
                [*plain, str(repo), "--select", "L,G,D,R,C,P", "--format", "json"],
                args.repeat,
            )
            read_all = median([python, "-c", READ_TRACKED, repo], args.repeat)
            print(
                f"{label:<28} skunkworks review {ours:6.2f} s (target {target:.0f} s) | "
                f"plain repo-review {through_repo_review:6.2f} s "
                f"({ours / through_repo_review:.2f}x) | git ls-files + read every file "
                f"{read_all:5.2f} s ({ours / read_all:.1f}x)"
            )


if __name__ == "__main__":
    main()
