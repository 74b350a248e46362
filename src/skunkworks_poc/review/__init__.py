"""`skunkworks review PATH`: check any repository against the Skunkworks PoC standard.

The checks (`review/checks.py`) are a repo-review plugin: the toolkit's entry points register
them, so they run under plain `repo-review` too. `run_review(path)` runs only ours, through
repo-review's own processing (ordering, `requires`, `--select`/`--ignore`), and returns a
`Review`: each result with its evidence and fix. `review/output.py` writes text, JSON
(docs/review-schema.json) and HTML; `review/cli.py` is the command.

Nothing in the reviewed repository is executed, and nothing goes to the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Finding:
    """One check's result in a review."""

    id: str
    family: str
    title: str
    result: str  # "pass", "fail" or "skip"
    required: bool
    message: str
    fix: str
    url: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    path: str
    source: str  # "git" or "disk"
    file_count: int
    findings: list[Finding]

    @property
    def name(self) -> str:
        """The repository's folder name (the path may be `.`)."""
        return Path(self.path).resolve().name or self.path

    @property
    def ok(self) -> bool:
        """Every required check passed (or was skipped)."""
        return not any(f.result == "fail" and f.required for f in self.findings)

    def summary(self) -> dict[str, dict[str, int]]:
        """family -> {"pass": n, "fail": n, "skip": n}, in the families' order."""
        from skunkworks_poc.review.checks import FAMILIES

        counts = {key: {"pass": 0, "fail": 0, "skip": 0} for key in FAMILIES}
        for finding in self.findings:
            counts[finding.family][finding.result] += 1
        return {key: value for key, value in counts.items() if sum(value.values())}


class ReviewError(Exception):
    """The review cannot run; the message is one line for the user."""


def run_review(
    path: Path, select: frozenset[str] = frozenset(), ignore: frozenset[str] = frozenset()
) -> Review:
    """Review the repository at `path` with the Skunkworks checks only."""
    from repo_review.fixtures import compute_fixtures
    from repo_review.processor import CollectionReturn, process

    from skunkworks_poc.review.checks import (
        repo_review_checks,
        repo_review_families,
        skunkworks_repo,
    )

    root = path.resolve()
    if not root.is_dir():
        raise ReviewError(f"{path}: not a folder")
    checks = repo_review_checks()
    # What repo-review's selection understands: a check id or its family letter.
    known = set(checks) | {name.rstrip("0123456789") for name in checks}
    unknown = sorted(select - known - {"*"} | ignore - known)
    if unknown:
        raise ReviewError(f"unknown check or prefix: {', '.join(unknown)}")
    fixtures = compute_fixtures(root, root, {"skunkworks_repo": skunkworks_repo})
    # The reviewer decides what is checked, not the reviewed repository: its own
    # `[tool.repo-review]` selection (read from the `pyproject` fixture) is not applied here.
    fixtures["pyproject"] = {}
    _families, results = process(
        root,
        select=select,
        ignore=ignore,
        collected=CollectionReturn(fixtures, checks, repo_review_families()),
    )
    repo = fixtures["skunkworks_repo"]
    findings = []
    for result in results:
        check = checks[result.name]
        outcome = repo.outcomes.get(result.name)
        if outcome is None:  # not run: a check it `requires` failed
            status, message, items = "skip", "a check it depends on did not pass", []
        else:
            status = {True: "pass", False: "fail", None: "skip"}[outcome.result]
            message, items = outcome.message, outcome.evidence
        findings.append(
            Finding(
                id=result.name,
                family=result.family,
                title=check.title,
                result=status,
                required=check.required,
                message=message,
                fix=check.fix,
                url=check.url,
                evidence=items,
            )
        )
    return Review(str(path), repo.source, len(repo.files), findings)
