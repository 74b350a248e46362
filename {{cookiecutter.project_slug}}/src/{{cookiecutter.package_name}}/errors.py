"""Errors a user can fix, reported as one line without a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class PipelineError(Exception):
    """A problem with the data, the configuration or the tracking server that the user can fix.

    The message says what is wrong and what to do about it, in one line.
    """


@contextmanager
def reported(exit_code: int = 2) -> Iterator[None]:
    """Turn a `PipelineError` into `error: <message>` on stderr and a non-zero exit."""
    try:
        yield
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(exit_code) from None
