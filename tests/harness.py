"""The machinery the template's tests share: option matrix, baking, environments.

Installing the generated project's stack (MLflow, DVC, Hydra, scikit-learn...) takes
minutes with pip and seconds with uv from a warm cache, but even seconds add up over
the whole option matrix. So the stack is installed once per Python, into a shared "stack"
environment keyed by that Python and the pinned requirements exported from a baked project's
own `uv.lock`: the lock a supplier installs is the one tested, on the Python it declares.
Each baked project then gets its own small virtual environment that sees the stack
through a `.pth` file and holds only the project itself, installed editable by pip, and the
toolkit (`skunkworks-poc`) from a wheel built from this checkout: the shipped lock names the
toolkit's release on PyPI, which the checkout under test may not be yet.
"""

from __future__ import annotations

import configparser
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_ANSWERS = json.loads((REPO / "cookiecutter.json").read_text(encoding="utf-8"))
# The flavours that train a model (a data discovery and an experiment train none; an
# experiment's Optuna sweep is tested in test_experiment.py, over its own entry point).
MODEL_TASKS = [
    task for task in TEMPLATE_ANSWERS["task"] if task not in ("data-discovery", "experiment")
]
CHOICES = {
    key: value
    for key, value in TEMPLATE_ANSWERS.items()
    if isinstance(value, list) and not key.startswith("_")
}
BOOLEANS = [key for key, value in TEMPLATE_ANSWERS.items() if isinstance(value, bool)]


# Options that change the generated code (its Python, its dependencies): crossed with every
# task flavour. The others change text or the repository only, and are crossed with each other
# for the default flavour (whose code is the same whatever they are).
CODE_OPTIONS = ("min_python",)


def option_matrix() -> list[dict[str, str]]:
    """Every combination of the template's options (choices and yes/no questions) for the
    default task flavour, then each other flavour with every value of `CODE_OPTIONS`."""
    axes = {**CHOICES, **{key: ["yes", "no"] for key in BOOLEANS}}
    keys = list(axes)
    tasks = axes.pop("task")
    defaults = {key: values[0] for key, values in axes.items()}
    matrix = [
        {"task": tasks[0], **dict(zip(axes, values, strict=True))}
        for values in itertools.product(*axes.values())
    ]
    for task in tasks[1:]:
        for values in itertools.product(*(axes[key] for key in CODE_OPTIONS)):
            matrix.append(
                {**defaults, "task": task, **dict(zip(CODE_OPTIONS, values, strict=True))}
            )
    return [{key: answers[key] for key in keys} for answers in matrix]


# Which Pythons each flavour is installed and run on (its own suite, pre-commit): the default
# flavour on every Python a project may declare; the others, whose code is the default's shared
# modules plus their own, on the oldest and the newest (their bake, lint and offline lock checks
# still cover every Python). The image flavour's stack is PyTorch from PyPI: 5 GB and, per
# Python, a torch wheel of about 540 MB to download and compile (136 s for a second Python's
# stack here, on top of the first's 78 s), then a generated suite of 40-90 s: one Python, the
# template's own, keeps it within CI's budget.
INSTALLED_PYTHONS = {"image-classification": ("3.11",)}


def installed_pythons(task: str) -> tuple[str, ...]:
    """The Pythons a flavour's projects are installed and run on in the template's tests."""
    pythons = tuple(CHOICES["min_python"])
    if task == CHOICES["task"][0]:
        return pythons
    return INSTALLED_PYTHONS.get(task, (pythons[0], pythons[-1]))


def is_installed(answers: dict[str, str]) -> bool:
    return answers["min_python"] in installed_pythons(answers["task"])


def code_matrix() -> list[dict[str, str]]:
    """The combinations that differ in code, installed and run: each task flavour on its
    `installed_pythons`, the other options at their defaults, plus the default project without
    a git repository (its suite then runs where git has nothing to say). Installing a project
    and running its own suite once per licence would test the same code again."""
    defaults = {key: values[0] for key, values in CHOICES.items()}
    defaults.update({key: "yes" for key in BOOLEANS})
    other = [key for key in defaults if key != "task" and key not in CODE_OPTIONS]
    matrix = option_matrix()
    chosen = [
        answers
        for answers in matrix
        if all(answers[k] == defaults[k] for k in other) and is_installed(answers)
    ]
    without_git = {**defaults, **{key: "no" for key in BOOLEANS}}
    return chosen + [answers for answers in matrix if answers == without_git]


def combination_id(answers: dict[str, str]) -> str:
    return "-".join(f"{key}={value}" for key, value in answers.items())


def cache_root() -> Path:
    root = (
        os.environ.get("SKUNKWORKS_TEST_CACHE") or Path.home() / ".cache" / "skunkworks-poc-tests"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


TOOLKIT = "skunkworks-poc"
# What the toolkit's wheel is built from: a change to any of these is a new wheel.
TOOLKIT_SOURCES = (
    "pyproject.toml",
    "README.md",
    "LICENCE",
    "cookiecutter.json",
    "skunkworks_template_jinja.py",
    "hooks",
    "src",
    "{{cookiecutter.project_slug}}",
)


def _source_digest() -> str:
    digest = hashlib.sha256()
    for name in TOOLKIT_SOURCES:
        top = REPO / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


_WHEEL: Path | None = None


def toolkit_wheel() -> Path:
    """The toolkit's wheel built from this checkout, once per source state (shared by
    processes and sessions through the cache; built under a file lock)."""
    global _WHEEL
    if _WHEEL is not None and _WHEEL.is_file():
        return _WHEEL
    from filelock import FileLock

    folder = cache_root() / f"toolkit-{_source_digest()}"
    with FileLock(str(cache_root() / "toolkit.lock")):
        wheels = list(folder.glob("skunkworks_poc-*.whl"))
        if not wheels:
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run(
                [uv(), "build", "--quiet", "--wheel", "--out-dir", str(folder), str(REPO)],
                check=True,
                env=tool_env(),
            )
            wheels = list(folder.glob("skunkworks_poc-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one toolkit wheel in {folder}, found {wheels}")
    _WHEEL = wheels[0]
    return _WHEEL


class MissingInterpreter(RuntimeError):
    """A Python that a combination declares is not on this machine."""


_PYTHONS: dict[str, Path] = {}


_PROBE = (
    "import sys; base = sys.prefix != sys.base_prefix; "
    "print('%d.%d' % sys.version_info[:2]); print(sys._base_executable if base else sys.executable)"
)


def _interpreter(candidate: Path | str, version: str) -> Path | None:
    """The real interpreter behind `candidate` when it runs and is Python `version` (a pyenv
    shim of a version that is not active exits non-zero, so PATH entries are tried, not
    trusted). A virtual environment's python gives its base interpreter: uv recreates a
    project's .venv when asked for a python that belongs to another environment."""
    try:
        result = subprocess.run(
            [str(candidate), "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2 or lines[0] != version:
        return None
    return Path(lines[1])


def find_python(version: str) -> Path:
    """The interpreter for Python `version` ("3.10"): `python3.10` on PATH, else under
    `pyenv root`/versions. Raises `MissingInterpreter` naming where it looked."""
    if version in _PYTHONS:
        return _PYTHONS[version]
    candidates: list[Path | str] = []
    if sys.version_info[:2] == tuple(map(int, version.split("."))):
        candidates.append(sys.executable)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidates.append(Path(folder or ".") / f"python{version}")
    pyenv_root = os.environ.get("PYENV_ROOT")
    if not pyenv_root and shutil.which("pyenv"):
        found = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        pyenv_root = found.stdout.strip() if found.returncode == 0 else None
    if not pyenv_root and (Path.home() / ".pyenv" / "versions").is_dir():
        pyenv_root = str(Path.home() / ".pyenv")  # pyenv's default root, pyenv not on PATH
    if pyenv_root:
        versions = sorted(
            (Path(pyenv_root) / "versions").glob(f"{version}.*"),
            key=lambda p: [int(n) if n.isdigit() else -1 for n in p.name.split(".")],
            reverse=True,
        )
        candidates += [v / "bin" / f"python{version}" for v in versions]
    for candidate in candidates:
        if isinstance(candidate, str) or candidate.is_file():
            found = _interpreter(candidate, version)
            if found:
                _PYTHONS[version] = found
                return found
    raise MissingInterpreter(
        f"Python {version} is needed to test the combinations that declare it, and none was "
        f"found: no working python{version} on PATH"
        + (f" nor under {pyenv_root}/versions" if pyenv_root else " and no pyenv")
        + f". Install Python {version} (e.g. `pyenv install {version}`) or put it on PATH."
    )


def declared_python(project: Path) -> str:
    """The minimum Python a baked project declares ("3.10" from `>=3.10`)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    declared = pyproject["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(3\.\d+)", declared)
    if not match:
        raise ValueError(f"{project}/pyproject.toml: unexpected requires-python {declared!r}")
    return match.group(1)


def stack_requirements(project: Path, extras: tuple[str, ...] = ()) -> list[str]:
    """Everything a baked project installs, pinned by its own `uv.lock` (dependencies and
    the dev group, as `uv sync --locked` installs them, plus any `extras`, as `uv sync
    --extra NAME` adds them), plus the build backend pip needs to install the project
    editable without build isolation."""
    exported = subprocess.run(
        [
            uv(),
            "export",
            "--frozen",
            "--no-emit-project",
            # The toolkit comes from this checkout (toolkit_wheel); its dependencies stay.
            "--no-emit-package",
            TOOLKIT,
            "--no-hashes",
            "--no-header",
            "--no-annotate",
            "--format",
            "requirements-txt",
            *(f"--extra={extra}" for extra in extras),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
    )
    if exported.returncode != 0:
        raise RuntimeError(f"uv export failed in {project}:\n{exported.stderr}")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    build = pyproject["build-system"]["requires"]
    pinned = [line.strip() for line in exported.stdout.splitlines() if line.strip()]
    return [*pinned, *sorted({*build, "editables", "pip"})]


def uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError("uv is needed to build the test stack: python -m pip install uv")
    return found


def site_packages(prefix: Path) -> Path:
    """The site-packages folder of the virtual environment at `prefix`, whatever its Python."""
    found = [*prefix.glob("lib/python3.*/site-packages"), *prefix.glob("Lib/site-packages")]
    if len(found) != 1:
        raise RuntimeError(f"expected one site-packages folder in {prefix}, found {found}")
    return found[0]


def build_stack(requirements: list[str], python: str = "") -> Path:
    """Create (once) the shared environment holding `requirements` on Python `python`
    ("3.10"; the running one when empty); return its prefix. Test workers, benchmarks and
    other sessions share the cache: one builds a stack at a time, or one's clean-up of a
    half-built stack deletes what another is installing."""
    from filelock import FileLock

    python = python or "{}.{}".format(*sys.version_info[:2])
    with FileLock(str(cache_root() / f"stack-py{python}.lock")):
        return _build_stack(requirements, python)


def _build_stack(requirements: list[str], python: str) -> Path:
    interpreter = find_python(python)
    key = hashlib.sha256("\n".join([python, *requirements]).encode()).hexdigest()[:16]
    prefix = cache_root() / f"stack-py{python}-{key}"
    done = prefix / ".complete"
    if done.exists():
        return prefix
    shutil.rmtree(prefix, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--python", str(interpreter), str(prefix)], check=True)
    listed = prefix / "requirements.txt"
    listed.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    # Bytecode is compiled at install: without it (PYTHONDONTWRITEBYTECODE is common in CI)
    # every `import mlflow` in a test costs seconds more. Files are hard-linked from uv's
    # cache, so one stack per Python costs seconds once the cache is warm.
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--python",
            str(prefix / "bin" / "python"),
            "-r",
            str(listed),
        ],
        check=True,
        env={**tool_env(), "UV_PYTHON_DOWNLOADS": "never"},
    )
    done.write_text(python, encoding="utf-8")
    return prefix


def stack_python(stack: Path) -> str:
    """The Python version ("3.10") a stack was built for."""
    return (stack / ".complete").read_text(encoding="utf-8").strip()


def tool_env(extra_path: list[Path] = ()) -> dict[str, str]:
    """Environment for running a baked project's commands: offline, quiet, no telemetry."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "PYTEST_", "MLFLOW_", "DVC_", "HYDRA_"))
    }
    env["PATH"] = os.pathsep.join([*(str(p) for p in extra_path), env.get("PATH", "")])
    env.update(
        {
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DVC_NO_ANALYTICS": "1",
            "DO_NOT_TRACK": "1",
            "GIT_AUTHOR_NAME": "Template Tests",
            "GIT_AUTHOR_EMAIL": "tests@example.org",
            "GIT_COMMITTER_NAME": "Template Tests",
            "GIT_COMMITTER_EMAIL": "tests@example.org",
        }
    )
    return env


@dataclass
class ProjectEnv:
    """A baked project installed (editable) into its own venv on top of the stack."""

    project: Path
    prefix: Path
    stack: Path

    @property
    def python(self) -> Path:
        return self.prefix / "bin" / "python"

    @property
    def env(self) -> dict[str, str]:
        env = tool_env([self.prefix / "bin", self.stack / "bin"])
        env["VIRTUAL_ENV"] = str(self.prefix)
        return env

    def run(self, *args: str | Path, check: bool = True, timeout: float = 600, **kwargs):
        """Run a command in the project folder; on failure the output is in the error."""
        kwargs.setdefault("cwd", self.project)
        result = subprocess.run(
            [str(a) for a in args],
            env=kwargs.pop("env", self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kwargs,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(map(str, args))} exited {result.returncode}\n"
                f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
            )
        return result

    def python_run(self, *args: str | Path, **kwargs):
        return self.run(self.python, *args, **kwargs)


def install_project(project: Path, stack: Path, prefix: Path) -> ProjectEnv:
    """A venv at `prefix` that sees `stack`'s packages and holds `project` editable, on the
    stack's Python (which must be the one the project declares: pip checks)."""
    interpreter = find_python(stack_python(stack))
    subprocess.run([uv(), "venv", "--quiet", "--python", str(interpreter), str(prefix)], check=True)
    (site_packages(prefix) / "_stack.pth").write_text(
        str(site_packages(stack)) + "\n", encoding="utf-8"
    )
    env = ProjectEnv(project, prefix, stack)
    # pip, from the stack, without an index: the project and the toolkit alone, their
    # dependencies already there.
    env.python_run(
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        toolkit_wheel(),
        "--editable",
        project,
    )
    _rebind_stack_scripts(stack, prefix)
    return env


def committed_copy(baked: Path, stack: Path, folder: Path) -> tuple[ProjectEnv, str]:
    """A writable copy of a baked project in `folder/project`, installed on `stack` and
    committed as a supplier's first commit: its environment and its package's name."""
    project = folder / "project"
    shutil.copytree(baked, project, symlinks=True)
    env = install_project(project, stack, folder / "venv")
    if not (project / ".git").exists():
        env.run("git", "init", "--quiet", "--initial-branch=main")
        env.run("git", "add", "--all")
    env.run("git", "commit", "--quiet", "--no-verify", "-m", "Baked")
    [package] = (project / "src").iterdir()
    return env, package.name


def _rebind_stack_scripts(stack: Path, prefix: Path) -> None:
    """The stack's Python console scripts (mkdocs, pytest, dvc, pre-commit...), run by the
    project venv's Python, as in a real install: it also sees the project and the toolkit,
    so `mkdocs` finds the toolkit's plugin and `pytest` the project's package."""
    shebang = f"#!{stack / 'bin' / 'python'}\n".encode()
    for script in (stack / "bin").iterdir():
        target = prefix / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        with script.open("rb") as file:
            if file.read(len(shebang)) != shebang:
                continue  # native executables (ruff, uv) and activation scripts
            rest = file.read()
        target.write_bytes(f"#!{prefix / 'bin' / 'python'}\n".encode() + rest)
        target.chmod(0o755)


def text_files(project: Path):
    """Every file in a baked project except git's own, as (path, text)."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            yield path, path.read_text(encoding="utf-8")


# `${{ ... }}` is GitHub Actions syntax that belongs in the baked workflows.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter\.")
JSON_FILES = {".json", ".ipynb", ".baseline"}
YAML_FILES = {".yaml", ".yml", ".cff"}
INI_FILES = {".cfg", ".ini"}


def assert_renders_and_parses(project: Path) -> int:
    """No Jinja left in any file; each structured file loads with a real parser.

    Returns how many files were parsed, so callers can tell the check did something.
    """
    import yaml

    parsed = 0
    for path, text in text_files(project):
        assert not UNRENDERED.search(text), f"unrendered Jinja in {path}"
        name = path.relative_to(project).as_posix()
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in YAML_FILES:
            list(yaml.safe_load_all(text))
        elif path.suffix in JSON_FILES:
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix in INI_FILES or name == ".dvc/config":
            configparser.ConfigParser().read_string(text)
        elif path.suffix == ".md" and text.startswith("---\n"):
            yaml.safe_load(text.split("---\n", 2)[1])
        else:
            continue
        parsed += 1
    return parsed
