"""Pre-commit hooks that keep patient data and data files out of git.

Each hook is a console script declared in `pyproject.toml` and run by the `repo: local`
hooks of `.pre-commit-config.yaml`, so it works offline from the project's own environment.
"""

from __future__ import annotations

import argparse
import codecs
import sys
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


# Byte order marks, longest first: UTF-32's begin with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How much of a file without a byte order mark is looked at to tell UTF-16 from binary.
_SNIFF_BYTES = 8192


def decode(content: bytes) -> str | None:
    """The text of `content`, or None for binary content.

    UTF-8, UTF-16 and UTF-32 with a byte order mark; UTF-16 without one (recognised by the
    zero byte beside every ASCII character); otherwise UTF-8, falling back to Latin-1.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    head = content[:_SNIFF_BYTES]
    if b"\0" in head:
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return content.decode("utf-16-le", errors="replace")
        if even and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return content.decode("utf-16-be", errors="replace")
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def report(messages: Sequence[str]) -> int:
    """Print a hook's findings on stderr; its exit code (1 when there are any)."""
    for message in messages:
        print(message, file=sys.stderr)
    return 1 if messages else 0
