"""Pre-commit hooks that keep patient data and data files out of git.

Each hook is a console script declared in `pyproject.toml` and run by the `repo: local`
hooks of `.pre-commit-config.yaml`, so it works offline from the project's own environment.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def hook_arguments(
    argv: Sequence[str] | None, description: str, allow_metavar: str, allow_help: str
) -> argparse.Namespace:
    """The command line every hook here takes: the files pre-commit passes, plus `--allow`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("filenames", nargs="*")
    parser.add_argument(
        "--allow", action="append", default=[], metavar=allow_metavar, help=allow_help
    )
    return parser.parse_args(argv)
