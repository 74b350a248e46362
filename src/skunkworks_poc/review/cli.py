"""`skunkworks review PATH [--format text|json|html] [--select ...] [--ignore ...] [--output FILE]`

Exit 0 when every required check passes, 1 when one fails (or the review cannot run: one
line says why), 2 on a usage error. The review itself is imported only when it runs, so
`--help` answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from skunkworks_poc._commands import CommandParser, UsageError

FORMATS = ("text", "json", "html")


def _parser() -> CommandParser:
    parser = CommandParser(
        prog="skunkworks review",
        description=(
            "Check a repository against the NHS AI Lab Skunkworks PoC standard: licensing (L), "
            "governance (G), data safety (D), reproducibility (R), CI (C) and report (P). "
            "Judges the files git tracks when there is a .git, the files on disk otherwise; "
            "never runs the repository's code and never uses the network. Exit 0 when every "
            "required check passes, 1 otherwise, 2 on a usage error."
        ),
        epilog="Each check, and how to fix it: docs/review.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path", nargs="?", default=".", type=Path, help="the repository (default: .)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="IDS",
        help="run only these checks or families, comma-separated (e.g. D,L101); repeatable",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="IDS",
        help="skip these checks or families, comma-separated (e.g. P102); repeatable",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the result to FILE instead of standard output",
    )
    return parser


def _ids(values: Sequence[str]) -> frozenset[str]:
    return frozenset(part.strip() for value in values for part in value.split(",") if part.strip())


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
    except UsageError as error:
        print(f"skunkworks review: {error}", file=sys.stderr)
        return 2
    from skunkworks_poc.review import ReviewError, run_review
    from skunkworks_poc.review import output as render

    try:
        review = run_review(args.path, _ids(args.select), _ids(args.ignore))
    except ReviewError as error:
        print(f"skunkworks review: {error}", file=sys.stderr)
        return 2 if str(error).startswith("unknown check") else 1
    if args.format == "json":
        text = render.to_json(review)
    elif args.format == "html":
        text = render.to_html(review)
    else:
        # Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
        colour = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = render.to_text(review, colour=colour)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            print(
                f"skunkworks review: {args.output}: cannot write ({error.strerror})",
                file=sys.stderr,
            )
            return 1
        # The page holds the details; a log (CI's) still shows what failed.
        for finding in review.findings:
            if finding.result == "fail":
                advisory = "" if finding.required else " (advisory)"
                message = render.plain(finding.message)
                print(f"  FAIL {finding.id} {finding.title}{advisory}: {message}")
        print(f"skunkworks review: {render.summary_line(review)}; wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0 if review.ok else 1
