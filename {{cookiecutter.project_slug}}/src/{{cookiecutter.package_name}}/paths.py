"""Where the project lives, wherever a command is started from.

Paths are anchored to the project root, never to the working directory: Hydra, DVC
(`dvc exp run --temp` runs in a copy under `.dvc/tmp`) and notebooks all start
commands from different folders.
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKER = "pyproject.toml"


def project_root(start: Path | None = None) -> Path:
    """The project root: `DVC_ROOT` when DVC runs a stage, else the nearest folder up
    from `start` (default: this file) that holds `pyproject.toml`."""
    dvc_root = os.environ.get("DVC_ROOT")
    if dvc_root:
        return Path(dvc_root).resolve()
    here = (start or Path(__file__)).resolve()
    for folder in (here, *here.parents):
        if (folder / _MARKER).is_file():
            return folder
    raise FileNotFoundError(
        f"no {_MARKER} found above {here}: run this from inside the project, "
        "or install the project with `pip install -e .`"
    )


def workspace_root() -> Path:
    """The folder relative paths in the configuration are read from.

    DVC runs stages in the project (or, for `dvc exp run --temp`, in a copy of it): the nearest
    folder up from the working directory that holds `dvc.yaml`; else the project root.
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dvc.yaml").is_file():
            return folder
    return project_root()


def resolve(path: str | os.PathLike[str]) -> Path:
    """`path` as given if absolute, else relative to `workspace_root()`."""
    path = Path(path)
    return path if path.is_absolute() else workspace_root() / path
