#!/usr/bin/env python3
"""The template's two commands, for a machine with only Python and access to PyPI.

    python3 tasks.py demo    bake a default project into ./demo, run its tests and pipeline
    python3 tasks.py test    run the template's whole test suite (what CI runs)
    python3 tasks.py bench   measure baking, start-up and test times (see bench/)
    python3 tasks.py lock    regenerate the generated projects' uv.lock files from the
                             template's pyproject.toml (`lock --upgrade`: newest versions;
                             `lock --only NAME`: one lock, named in TASKS' `lock` column)
    python3 tasks.py dist    build the toolkit's sdist and wheel into dist/ and check them
                             (`dist --tag v0.2.0`: also check the tag is the version)

Each command first makes `.venv` (uv from PyPI, then this package with its test
dependencies); later runs reuse it. Standard library only: this file runs before
anything is installed.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
DEMO = ROOT / "demo"
DEMO_MARKER = DEMO / ".made-by-tasks-py"
TOOLKIT = "skunkworks-poc"
# Where PyPI serves a file by its name alone (a redirect to its content-addressed URL).
PYPI_FILES = "https://files.pythonhosted.org/packages/py3/s/skunkworks-poc"


def say(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(*args: object, **kwargs) -> None:
    command = [str(a) for a in args]
    result = subprocess.run(command, **kwargs)
    if result.returncode != 0:
        sys.exit(f"tasks.py: `{' '.join(command)}` failed with exit code {result.returncode}")


def offline_env() -> dict[str, str]:
    """No interpreter downloads, no telemetry: only the package index is reached."""
    env = dict(os.environ)
    env.update(
        UV_PYTHON_DOWNLOADS="never",
        UV_COMPILE_BYTECODE="1",
        MLFLOW_DISABLE_TELEMETRY="true",
        DVC_NO_ANALYTICS="1",
        DO_NOT_TRACK="1",
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def bootstrap() -> None:
    """Make (or refresh) .venv with uv, this package and its test dependencies."""
    if sys.version_info < (3, 11):  # noqa: UP036 - runs on whatever python3 the machine has
        sys.exit("tasks.py: the template's own tooling needs Python 3.11 or newer")
    if not PYTHON.exists():
        say(f"Creating {VENV.relative_to(ROOT)}")
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv")
    say("Installing the template's tooling (uv)")
    run(
        BIN / "uv",
        "pip",
        "install",
        "--quiet",
        "--python",
        PYTHON,
        "-e",
        f"{ROOT}[test]",
        env=offline_env(),
    )


def toolkit_version() -> str:
    """Written once, as `__toolkit_version` in cookiecutter.json (see pyproject.toml)."""
    return json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))["__toolkit_version"]


def build_wheel(out_dir: Path) -> Path:
    """The toolkit's wheel (with the template inside), built from this checkout."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run(BIN / "uv", "build", "--quiet", "--wheel", "--out-dir", out_dir, ROOT, env=offline_env())
    wheel = out_dir / f"skunkworks_poc-{toolkit_version()}-py3-none-any.whl"
    if not wheel.is_file():
        sys.exit(f"tasks.py: uv build did not write {wheel}")
    return wheel


_TOOLKIT_ENTRY = re.compile(
    r'(\[\[package\]\]\nname = "skunkworks-poc"\nversion = "(?P<version>[^"]+)"\n)'
    r"source = \{[^}\n]*\}\n(?P<middle>(?:.*\n)*?)wheels = \[\n[^\]]*\]\n"
)


def dist(dist_args: list[str]) -> None:
    """What a release publishes: the sdist and wheel, checked by twine (strict)."""
    bootstrap()
    version = toolkit_version()
    if dist_args[:1] == ["--tag"] and len(dist_args) == 2:
        if dist_args[1] != f"v{version}":
            sys.exit(f"tasks.py: tag {dist_args[1]} is not v{version} (cookiecutter.json)")
    elif dist_args:
        sys.exit("tasks.py: usage: dist [--tag vX.Y.Z]")
    for path in build_distributions(ROOT / "dist"):
        print(f"  {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def build_distributions(out: Path) -> list[Path]:
    """Build the sdist and wheel into `out` (emptied first) and check them with twine."""
    version = toolkit_version()
    shutil.rmtree(out, ignore_errors=True)
    run(BIN / "uv", "build", "--quiet", "--out-dir", out, ROOT, env=offline_env())
    built = sorted(out.glob(f"skunkworks_poc-{version}*"))
    if [p.suffix for p in built] != [".whl", ".gz"]:
        sys.exit(f"tasks.py: expected one sdist and one wheel of {version} in {out}, got {built}")
    run(BIN / "twine", "check", "--strict", *built, stdout=subprocess.DEVNULL)
    return built


def _rewrite_toolkit_entry(lock_text: str, source: str, wheel: str) -> str:
    found = list(_TOOLKIT_ENTRY.finditer(lock_text))
    if len(found) != 1:
        raise ValueError(f"expected one {TOOLKIT} package in the lock, found {len(found)}")
    entry = found[0]
    replacement = (
        f"{entry.group(1)}source = {{ {source} }}\n{entry.group('middle')}"
        f"wheels = [\n    {{ {wheel} }},\n]\n"
    )
    return lock_text[: entry.start()] + replacement + lock_text[entry.end() :]


def lock_with_published_toolkit(lock_text: str) -> str:
    """The toolkit's entry as a supplier's uv resolves it: the release on PyPI.

    It carries no hash: the wheel bundles this very lock, so the lock cannot hold the
    wheel's hash (or PyPI's content-addressed URL) without changing it. uv checks the
    other packages' hashes as usual.
    """
    version = re.search(r'name = "skunkworks-poc"\nversion = "([^"]+)"', lock_text)
    if not version:
        raise ValueError(f"no {TOOLKIT} package in the lock")
    name = f"skunkworks_poc-{version.group(1)}-py3-none-any.whl"
    return _rewrite_toolkit_entry(
        lock_text, 'registry = "https://pypi.org/simple"', f'url = "{PYPI_FILES}/{name}"'
    )


def lock_with_local_toolkit(lock_text: str, wheel: Path) -> str:
    """The toolkit's entry pointing at a wheel built from this checkout, for the demo and
    the tests (the release the shipped lock names is not published yet)."""
    return _rewrite_toolkit_entry(
        lock_text, f'registry = "{wheel.parent.as_posix()}"', f'path = "{wheel.as_posix()}"'
    )


def use_local_toolkit(project: Path, wheel: Path) -> None:
    lock = project / "uv.lock"
    lock.write_text(lock_with_local_toolkit(lock.read_text(encoding="utf-8"), wheel), "utf-8")


def demo() -> None:
    """Bake the default project into ./demo, set it up as a user would, run its tests,
    then train once on fake data through the DVC pipeline, tracked in MLflow."""
    bootstrap()
    if DEMO.exists():
        if not DEMO_MARKER.exists():
            sys.exit(f"tasks.py: {DEMO} exists and was not made by tasks.py; move it away first")
        shutil.rmtree(DEMO)
    DEMO.mkdir()
    DEMO_MARKER.touch()
    say("Baking the default project: skunkworks new --no-input -o demo")
    run(BIN / "skunkworks", "new", "--no-input", "-o", DEMO)
    [project] = [p for p in DEMO.iterdir() if p.is_dir()]
    env = offline_env()
    say("Pointing its lock at the toolkit built from this checkout (unpublished until released)")
    use_local_toolkit(project, build_wheel(DEMO / ".toolkit"))
    say(f"Setting it up as its README says: cd {project.relative_to(ROOT)} && uv sync")
    run(BIN / "uv", "sync", "--quiet", "--locked", cwd=project, env=env)
    say("Running its tests: uv run pytest")
    run(BIN / "uv", "run", "--quiet", "pytest", "-q", cwd=project, env=env)
    package = project.name.replace("-", "_")
    say("Training on fake data through the DVC pipeline (what `make pipeline-fake` runs)")
    for command in (
        ["python", "-m", f"{package}.data.fake"],
        ["python", "-m", f"{package}.pipeline", "compose", "data=fake"],
        ["dvc", "repro"],
    ):
        print(f"  uv run {' '.join(command)}", flush=True)
        run(BIN / "uv", "run", "--quiet", *command, cwd=project, env=env, stdout=subprocess.DEVNULL)
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    shown = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
    print(f"  test metrics: {shown}")
    print("  the run is in MLflow: `uv run mlflow ui --host 127.0.0.1` (or `make mlflow-ui`)")
    say(f"What you got in {project.relative_to(ROOT)}:")
    for path in sorted(project.iterdir()):
        if path.name not in {".git", ".venv", ".pytest_cache"}:
            print(f"  {path.name}{'/' if path.is_dir() else ''}")
    print(
        f"\nNext: cd {project.relative_to(ROOT)} and read README.md (make help lists the commands)."
    )


def test(pytest_args: list[str]) -> None:
    """The whole template suite, two workers (CI machines have two cores)."""
    bootstrap()
    say("Running the template's test suite")
    # loadgroup: the tests of one xdist_group (tests/test_team.py's servers) share a worker.
    args = pytest_args or ["-n", "2", "--dist", "loadgroup"]
    run(PYTHON, "-m", "pytest", *args, cwd=ROOT, env=offline_env())


def lock_template_name(min_python: str, lock: str = "common") -> str:
    """The template's lock file for one minimum Python and one lock (the flavours sharing
    their dependencies, `TASKS[...]["lock"]` in skunkworks_template_jinja.py): Jinja in the
    name picks it."""
    return (
        f"{{% if cookiecutter.min_python == '{min_python}' and "
        f"task_option(cookiecutter.task, 'lock') == '{lock}' %}}uv.lock{{% endif %}}"
    )


def lock_flavours() -> dict[str, str]:
    """Each shipped lock and the first task flavour installing it (the one baked to lock it)."""
    # Read in the tooling's environment: the template's Jinja module imports its packages.
    script = (
        "import json, skunkworks_template_jinja as j; "
        "print(json.dumps({task: row['lock'] for task, row in j.TASKS.items()}))"
    )
    locks = json.loads(subprocess.check_output([PYTHON, "-c", script], cwd=ROOT, text=True))
    flavours: dict[str, str] = {}
    for task, lock in locks.items():
        flavours.setdefault(lock, task)
    return flavours


def lock_template_text(lock_text: str, name_line: str) -> str:
    """The lock as a Jinja template: the project's name templated, the rest raw.

    Jinja would otherwise lex and compile the whole megabyte, the largest cost of a bake.
    """
    before, after = lock_text.split(name_line)
    return (
        "{% raw %}"
        + before
        + '{% endraw %}name = "{{ cookiecutter.project_slug }}"{% raw %}'
        + after
        + "{% endraw %}"
    )


def lock(lock_args: list[str]) -> None:
    """For each lock and minimum Python: bake a project of a flavour installing that lock,
    `uv lock` it (starting from the template's current lock, so only what pyproject changed
    moves, unless --upgrade), and write the lock back into the template with the project's
    name templated. `lock --only NAME` relocks one lock (a flavour's new dependency)."""
    bootstrap()
    sys.path.insert(0, str(ROOT / "tests"))
    from harness import find_python  # the template tests' interpreter search

    answers = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    template = ROOT / "{{cookiecutter.project_slug}}"
    env = offline_env()

    with tempfile.TemporaryDirectory() as tmp:
        wheels = build_wheel(Path(tmp) / "toolkit").parent
        flavours = lock_flavours()
        if lock_args[:1] == ["--only"]:
            if len(lock_args) < 2 or lock_args[1] not in flavours:
                sys.exit(f"tasks.py: lock --only takes one of {', '.join(flavours)}")
            flavours = {lock_args[1]: flavours[lock_args[1]]}
            lock_args = lock_args[2:]
        for (group, task), min_python in itertools.product(
            flavours.items(), answers["min_python"]
        ):
            out = Path(tmp) / group / min_python
            run(
                BIN / "cookiecutter",
                "--no-input",
                "--output-dir",
                out,
                ROOT,
                f"min_python={min_python}",
                f"task={task}",
                "git_init=no",
                env=env,
                stdout=subprocess.DEVNULL,
            )
            [project] = [p for p in out.iterdir() if p.is_dir()]
            say(f"Locking {group} ({task}) for Python >= {min_python}")
            python = find_python(min_python)
            # The shipped lock names the toolkit's release on PyPI (lock_with_published_toolkit):
            # point it at the local wheel first, so that uv can read it.
            shipped = project / "uv.lock"
            if shipped.is_file() and f'name = "{TOOLKIT}"' in shipped.read_text(encoding="utf-8"):
                use_local_toolkit(project, next(wheels.glob("*.whl")))
            run(
                BIN / "uv",
                "lock",
                "--python",
                python,
                "--find-links",
                wheels,
                # The toolkit's version may stay while its dependencies change: re-read them.
                "--upgrade-package",
                TOOLKIT,
                *lock_args,
                cwd=project,
                env=env,
            )
            text = lock_with_published_toolkit((project / "uv.lock").read_text(encoding="utf-8"))
            for jinja in ("{{", "{%", "{#"):
                if jinja in text:
                    sys.exit(f"tasks.py: the lock for {min_python} holds {jinja!r}; escape it")
            name = f'name = "{project.name}"'
            if text.count(name) != 1:
                sys.exit(f"tasks.py: expected `{name}` once in the lock for {min_python}")
            text = lock_template_text(text, name)
            target = template / lock_template_name(min_python, group)
            target.write_text(text, encoding="utf-8")
            print(f"  wrote {target.relative_to(ROOT)} ({len(text.encode()) // 1024} KiB)")


def bench(bench_args: list[str]) -> None:
    bootstrap()
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        say(f"Benchmark {script.name}")
        run(PYTHON, script, *bench_args, cwd=ROOT, env=offline_env())


def main(argv: list[str]) -> None:
    commands = {
        "demo": lambda rest: demo(),
        "test": test,
        "bench": bench,
        "lock": lock,
        "dist": dist,
    }
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    commands[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
