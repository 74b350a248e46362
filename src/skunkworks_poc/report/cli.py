"""`skunkworks report [--pdf] [--settings FILE] [--project DIR]`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from skunkworks_poc._commands import CommandParser, UsageError

PROG = "skunkworks report"


def find_project(start: Path) -> Path:
    """The nearest folder from `start` up that holds the report's settings; else `start`."""
    from skunkworks_poc.report.engine import SETTINGS_FILE

    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return start


def _parser() -> CommandParser:
    parser = CommandParser(
        prog=PROG,
        description=(
            "Fill the generated blocks of the project's documents from the files its pipeline "
            "writes (the contract: metrics/report.json, metrics/metrics.json, "
            "metrics/data_profile.json, metrics/mlflow_run.json) and its MLflow runs."
        ),
    )
    parser.add_argument(
        "--settings", type=Path, help="report settings (default: conf/report/default.yaml)"
    )
    parser.add_argument(
        "--project",
        type=Path,
        help="the project's folder (default: the nearest one up from here with the settings)",
    )
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="only print the built site's report page to site/technical-report.pdf (Chromium)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    from skunkworks_poc.contract import ContractError
    from skunkworks_poc.report import ReportError

    root = args.project.resolve() if args.project else find_project(Path.cwd())
    try:
        if args.pdf:
            from skunkworks_poc.report.pdf import print_pdf

            print(f"{PROG}: wrote {print_pdf(root)}", file=sys.stderr)
            return 0
        from skunkworks_poc.report.engine import NO_RUN_YET, build

        outcome = build(root, args.settings)
    except (ReportError, ContractError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    for note in outcome.notes:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    if not outcome.has_results:
        print(NO_RUN_YET, file=sys.stderr)
    updated = outcome.changed_documents + [f"figures/{name}" for name in outcome.changed_figures]
    print(
        f"{PROG}: {', '.join(updated) if updated else 'nothing changed'}; "
        f"{outcome.to_complete} places marked [TO COMPLETE: ...] left",
        file=sys.stderr,
    )
    return 0
