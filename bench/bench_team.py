"""Benchmark a team's shared servers (docs/team.md of a generated project), on 127.0.0.1.

    .venv/bin/python bench/bench_team.py [--repeat N]   (or `python3 tasks.py bench`)

The servers are those of tests/test_team.py: S3 (moto's server mode) and `mlflow server
--app-name basic-auth` proxying artifacts to it. A team repository is made from a fresh bake,
its pipeline run and pushed once; then, all wall-clock seconds on this machine:
- a team clone to its first shared run: `git clone`, `uv sync --locked --extra team
  --compile-bytecode` (warm package cache; the toolkit from the wheel built from this checkout
  until it is on the package index), `dvc pull`, a no-op `dvc repro` (what the pull restored is
  what dvc.lock names) and `dvc repro --force` (the newcomer's first run on the server);
- a 4-job sweep logged to the server through the submitit launcher's local executor (a
  process per job, as on a cluster) versus the basic launcher (one process), and their ratio,
  run one after the other in the same run (medians of --repeat runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_team import (  # noqa: E402
    PACKAGE,
    add_users,
    make_team_repository,
    new_secrets,
    start_mlflow_server,
    start_moto,
)
from timing import machine, run  # noqa: E402

from harness import ProjectEnv, tool_env, toolkit_wheel, uv  # noqa: E402

BIN = Path(sys.executable).parent
SWEEP = ["train.seed=1,2,3,4", "train.cv_folds=0"]


def setup(project: Path, env: dict[str, str]) -> float:
    """Seconds to make a clone's .venv with the team extra, as `uv sync --extra team` does."""
    seconds = run(
        [
            uv(),
            "sync",
            "--locked",
            "--extra",
            "team",
            "--compile-bytecode",
            "--no-install-package",
            "skunkworks-poc",
            "--python",
            sys.executable,
        ],
        cwd=project,
        env=env,
    )
    python = project / ".venv" / "bin" / "python"
    return seconds + run(
        [uv(), "pip", "install", "--quiet", "--no-deps", "--python", python, toolkit_wheel()],
        cwd=project,
        env=env,
    )


def venv_env(project: Path, base: dict[str, str]) -> dict[str, str]:
    venv = project / ".venv"
    return {
        **base,
        "VIRTUAL_ENV": str(venv),
        "PATH": os.pathsep.join([str(venv / "bin"), base["PATH"]]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per median sweep figure")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    description = machine()
    figures: dict[str, float] = {}
    secrets_used = new_secrets()
    base = tool_env()
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    base["UV_PYTHON_DOWNLOADS"] = "never"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        moto, s3 = start_moto(tmp, secrets_used)
        servers = [moto]
        try:
            mlflow_server, uri = start_mlflow_server(tmp / "mlflow", s3, secrets_used)
            servers.append(mlflow_server)
            add_users(uri, secrets_used)
            user = {
                "MLFLOW_TRACKING_USERNAME": "alice",
                "MLFLOW_TRACKING_PASSWORD": secrets_used["alice"],
                "AWS_ACCESS_KEY_ID": secrets_used["aws_key_id"],
                "AWS_SECRET_ACCESS_KEY": secrets_used["aws_secret"],
            }

            # The lead's repository: baked, configured, run once and pushed.
            run([BIN / "cookiecutter", "--no-input", ROOT, "-o", tmp / "lead"])
            lead = tmp / "lead" / "sepsis-early-warning"
            lead_env = venv_env(lead, base)
            setup(lead, lead_env)
            venv = lead / ".venv"
            origin = make_team_repository(ProjectEnv(lead, venv, venv), uri, s3)
            run(["dvc", "repro"], cwd=lead, env={**lead_env, **user})
            run(["git", "add", "dvc.lock"], cwd=lead, env=lead_env)
            run(["git", "commit", "-q", "--no-verify", "-m", "Results"], cwd=lead, env=lead_env)
            run(["git", "push", "-q", str(origin), "HEAD:main"], cwd=lead, env=lead_env)
            run(["dvc", "push"], cwd=lead, env={**lead_env, **user})

            # A newcomer's clone to their first run on the server.
            clone = tmp / "newcomer"
            figures["git clone"] = run(["git", "clone", "-q", origin, clone], env=base)
            env = {**venv_env(clone, base), **user}
            figures["uv sync --extra team (warm cache)"] = setup(clone, env)
            figures["dvc pull"] = run(["dvc", "pull"], cwd=clone, env=env)
            figures["dvc repro after the pull (no-op)"] = run(["dvc", "repro"], cwd=clone, env=env)
            figures["dvc repro --force (first run on the server)"] = run(
                ["dvc", "repro", "--force"], cwd=clone, env=env
            )
            figures["clone to first shared run (sum, no-op repro excluded)"] = (
                figures["git clone"]
                + figures["uv sync --extra team (warm cache)"]
                + figures["dvc pull"]
                + figures["dvc repro --force (first run on the server)"]
            )

            python = clone / ".venv" / "bin" / "python"
            for launcher in ("basic", "submitit_local"):
                times = [
                    run(
                        [
                            python,
                            "-m",
                            f"{PACKAGE}.train",
                            "--multirun",
                            f"launcher={launcher}",
                            *SWEEP,
                            f"hydra.sweep.dir={tmp / f'sweep-{launcher}-{index}'}",
                        ],
                        cwd=clone,
                        env=env,
                    )
                    for index in range(repeat)
                ]
                figures[f"4-job sweep to the server, {launcher} launcher (median)"] = (
                    statistics.median(times)
                )
        finally:
            for server in reversed(servers):
                server.stop()

    print(f"machine: {description}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("| figure | seconds |\n|---|---|")
    for name, seconds in figures.items():
        print(f"| {name} | {seconds:.2f} |")
    basic = figures["4-job sweep to the server, basic launcher (median)"]
    submitit = figures["4-job sweep to the server, submitit_local launcher (median)"]
    print(f"| sweep ratio submitit_local / basic | {submitit / basic:.2f}x |")


if __name__ == "__main__":
    main()
