"""The machinery the template's tests share: option matrix, baking, environments.

Installing the generated project's stack (MLflow, DVC, Hydra, scikit-learn...) takes
minutes with pip and seconds with uv from a warm cache, but even seconds add up over
the whole option matrix. So the stack is installed once, into a shared "stack"
environment keyed by the exact requirement list read from a baked `pyproject.toml`.
Each baked project then gets its own small virtual environment that sees the stack
through a `.pth` file and holds only the project itself, installed editable by pip.
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
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_ANSWERS = json.loads((REPO / "cookiecutter.json").read_text(encoding="utf-8"))
CHOICES = {
    key: value
    for key, value in TEMPLATE_ANSWERS.items()
    if isinstance(value, list) and not key.startswith("_")
}
BOOLEANS = [key for key, value in TEMPLATE_ANSWERS.items() if isinstance(value, bool)]


def option_matrix() -> list[dict[str, str]]:
    """Every combination of the template's options (choices and yes/no questions)."""
    axes = {**CHOICES, **{key: ["yes", "no"] for key in BOOLEANS}}
    keys = list(axes)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*axes.values())]


def combination_id(answers: dict[str, str]) -> str:
    return "-".join(f"{key}={value}" for key, value in answers.items())


def cache_root() -> Path:
    root = (
        os.environ.get("SKUNKWORKS_TEST_CACHE") or Path.home() / ".cache" / "skunkworks-poc-tests"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stack_requirements(project: Path) -> list[str]:
    """Everything a baked project installs: its dependencies, its dev extra, and the
    build backend pip needs to install it editable without build isolation."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    build = pyproject["build-system"]["requires"]
    extras = pyproject["project"].get("optional-dependencies", {})
    return sorted(
        {*pyproject["project"]["dependencies"], *extras.get("dev", []), *build, "editables", "pip"}
    )


def uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError("uv is needed to build the test stack: python -m pip install uv")
    return found


def site_packages(python_prefix: Path) -> Path:
    relative = Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
    return python_prefix / relative


def build_stack(requirements: list[str]) -> Path:
    """Create (once) the shared environment holding `requirements`; return its prefix."""
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:16]
    prefix = cache_root() / f"stack-{key}"
    done = prefix / ".complete"
    if done.exists():
        return prefix
    shutil.rmtree(prefix, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(prefix)], check=True)
    # Bytecode is compiled at install: without it (PYTHONDONTWRITEBYTECODE is common in CI)
    # every `import mlflow` in a test costs seconds more.
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--python",
            str(prefix / "bin" / "python"),
            *requirements,
        ],
        check=True,
    )
    done.write_text("\n".join(requirements), encoding="utf-8")
    return prefix


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
    """A venv at `prefix` that sees `stack`'s packages and holds `project` editable."""
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(prefix)], check=True)
    (site_packages(prefix) / "_stack.pth").write_text(
        str(site_packages(stack)) + "\n", encoding="utf-8"
    )
    env = ProjectEnv(project, prefix, stack)
    # pip rather than uv: `--ignore-requires-python` lets a project that asks for a newer
    # Python than this interpreter still be installed and tested here.
    env.python_run(
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--ignore-requires-python",
        "--no-index",
        "--editable",
        project,
    )
    return env


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
