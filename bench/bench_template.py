"""Benchmark the template: baking, CLI start-up and the generated test suite.

Every figure is printed with its ratio to a baseline measured in the same run: plain
cookiecutter baking a minimal one-file template. Run with `python3 tasks.py bench` or
`.venv/bin/python bench/bench_template.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import machine, median  # noqa: E402

from harness import build_stack, install_project, stack_requirements  # noqa: E402

BIN = Path(sys.executable).parent


def minimal_template(folder: Path) -> Path:
    template = folder / "minimal"
    (template / "{{cookiecutter.name}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(json.dumps({"name": "minimal"}))
    (template / "{{cookiecutter.name}}" / "README.md").write_text("# {{ cookiecutter.name }}\n")
    return template


def bake_command(template: Path, out: Path) -> list[str]:
    return [str(BIN / "cookiecutter"), "--no-input", "-f", str(template), "-o", str(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        baseline = median(bake_command(minimal_template(tmp), tmp / "a"), args.repeat)
        figures = {
            "bake default project (cookiecutter CLI)": median(
                bake_command(ROOT, tmp / "b"), args.repeat
            ),
            "bake default project (skunkworks new)": median(
                [str(BIN / "skunkworks"), "new", "--no-input", "-f", "-o", str(tmp / "c")],
                args.repeat,
            ),
            "skunkworks --help": median([str(BIN / "skunkworks"), "--help"], args.repeat),
        }
        project = tmp / "b" / "sepsis-early-warning"
        shutil.rmtree(project / ".git")
        stack = build_stack(stack_requirements(project))
        env = install_project(project, stack, tmp / "venv")
        figures["generated test suite (pytest)"] = median(
            [str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            max(3, args.repeat // 2),
            cwd=project,
            env=env.env,
        )

        # `skunkworks report` on a default project after one tracked run (target: 3 s).
        package = project.name.replace("-", "_")
        subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
        for command in (
            ["python", "-m", f"{package}.data.fake"],
            ["python", "-m", f"{package}.pipeline", "compose", "data=fake"],
            ["dvc", "repro", "--quiet"],
        ):
            subprocess.run(command, cwd=project, env=env.env, check=True, capture_output=True)
        figures["skunkworks report (after one run)"] = median(
            [str(env.prefix / "bin" / "skunkworks"), "report"],
            args.repeat,
            cwd=project,
            env=env.env,
        )
        lines = sum(
            len(f.read_text(encoding="utf-8").splitlines()) for f in (project / "src").rglob("*.py")
        )

    print(f"machine: {machine()}")
    print(f"generated package: {lines} lines of Python (target: 1,000)")
    print(f"baseline: plain cookiecutter, minimal one-file template: {baseline:.3f} s")
    print("| figure | median (s) | ratio to baseline |\n|---|---|---|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.3f} | {seconds / baseline:.2f}x |")


if __name__ == "__main__":
    main()
