"""What the toolkit's commands share: a parser whose mistakes are one line, not a usage dump,
and the project they run in (found from the working directory, read through pyproject.toml)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, NoReturn


class UsageError(Exception):
    """The command line is wrong; the message says how."""


class CommandParser(argparse.ArgumentParser):
    """An `argparse` parser that raises `UsageError` instead of printing usage and exiting 2,
    so that each command prints one `skunkworks NAME: ...` line and returns 1 (`--help` still
    prints the help and exits 0)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class ProjectError(Exception):
    """The project the command runs in is missing something; the message names the file."""


PYPROJECT = "pyproject.toml"


def project_root(start: Path | None = None) -> Path:
    """The project a command runs in: the nearest folder up from `start` (default: the working
    directory) that holds `pyproject.toml`. `DVC_ROOT` wins when DVC runs the command."""
    dvc_root = os.environ.get("DVC_ROOT")
    if dvc_root:
        return Path(dvc_root).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PYPROJECT).is_file():
            return folder
    raise ProjectError(f"no {PYPROJECT} in {here} or above: run this in a project's folder")


def read_pyproject(root: Path) -> dict[str, Any]:
    """The parsed `pyproject.toml` of the project at `root` (`tomli` before Python 3.11)."""
    # Ruff targets 3.11 in this repository; the toolkit itself runs on 3.10 too.
    if sys.version_info >= (3, 11):  # noqa: UP036
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    path = root / PYPROJECT
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProjectError(f"{path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProjectError(f"{path}: not valid TOML ({error})") from None


def project_name(root: Path) -> str:
    """`[project] name` of the project at `root`."""
    section = read_pyproject(root).get("project")
    name = section.get("name") if isinstance(section, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(f"{root / PYPROJECT}: [project] name is missing")
    return name
