"""`skunkworks report`: fill the generated blocks of a project's documents from its contract
files (docs/contract.md) and its MLflow runs. Never imports the project's package."""

from __future__ import annotations


class ReportError(Exception):
    """A problem the user can fix; the message is one line naming the file or setting."""
