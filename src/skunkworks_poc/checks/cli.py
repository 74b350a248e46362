"""`skunkworks check data-files|nhs-numbers|env-credentials [--allow ...] FILES...`

The pre-commit hooks of a generated project (`repo: local`, `language: unsupported`): each takes
the files pre-commit passes, prints one line per problem on stderr and exits 1 when there is
any, 0 when there is none. A wrong command line is one line on stderr and exit 1 too, so
pre-commit fails rather than passes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from skunkworks_poc._commands import CommandParser, UsageError
from skunkworks_poc.checks import Problem


def _data_files(files: Sequence[str], allow: Sequence[str]) -> list[Problem]:
    from skunkworks_poc.checks.data_files import DEFAULT_ALLOWED, data_file_findings

    return data_file_findings(files, [*DEFAULT_ALLOWED, *allow])


def _nhs_numbers(files: Sequence[str], allow: Sequence[str]) -> list[Problem]:
    from skunkworks_poc.checks.nhs_numbers import nhs_number_findings

    return nhs_number_findings(files, allow)


def _env_credentials(files: Sequence[str], allow: Sequence[str]) -> list[Problem]:
    from skunkworks_poc.checks.env_files import env_credential_findings

    kept = [path for path in files if not any(PurePosixPath(path).match(p) for p in allow)]
    return env_credential_findings(kept)


# name -> (run, what it refuses, --allow metavar, --allow help)
CHECKS: dict[str, tuple[Callable[[Sequence[str], Sequence[str]], list[Problem]], str, str, str]] = {
    "data-files": (
        _data_files,
        "data and model files (DVC tracks them; git tracks their .dvc pointers)",
        "GLOB",
        "also allow paths matching GLOB (tests/fixtures/* is always allowed)",
    ),
    "nhs-numbers": (
        _nhs_numbers,
        "NHS numbers in files, file names and commit messages",
        "NUMBER",
        "allow this documented fake NHS number, written with any separators (repeatable)",
    ),
    "env-credentials": (
        _env_credentials,
        "a machine's own .env files, and credentials with real values in .env examples",
        "GLOB",
        "skip environment files matching GLOB (repeatable)",
    ),
}


def _parser() -> CommandParser:
    parser = CommandParser(
        prog="skunkworks check",
        description="Refuse patient data, data files and credentials (pre-commit hooks).",
    )
    checks = parser.add_subparsers(dest="check", metavar="CHECK")
    for name, (_, summary, metavar, allow_help) in CHECKS.items():
        check = checks.add_parser(name, help=f"refuse {summary}", description=f"Refuse {summary}.")
        check.add_argument("files", nargs="*", metavar="FILE")
        check.add_argument("--allow", action="append", default=[], metavar=metavar, help=allow_help)
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
        if args.check is None:
            raise UsageError(f"name a check: {', '.join(CHECKS)}")
    except UsageError as error:
        print(f"skunkworks check: {error}", file=sys.stderr)
        return 1
    problems = CHECKS[args.check][0](args.files, args.allow)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
