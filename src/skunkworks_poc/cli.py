"""The `skunkworks` command. Heavy imports happen inside the subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path


class _Version(argparse.Action):
    """`--version`, reading the package metadata only when asked."""

    def __init__(self, option_strings, dest, **kwargs):
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        import skunkworks_poc

        print(f"{parser.prog} {skunkworks_poc.__version__}")
        parser.exit()


# The toolkit's commands: name -> (module whose `main(argv) -> int` runs it, one-line help).
# Each module is imported only when its command runs, so `skunkworks --help` stays fast.
TOOLKIT_COMMANDS: dict[str, tuple[str, str]] = {
    "report": (
        "skunkworks_poc.report.cli",
        "fill the project's documents from its pipeline's outputs and MLflow runs",
    ),
    "check": (
        "skunkworks_poc.checks.cli",
        "refuse data files, NHS numbers and credentials (pre-commit hooks)",
    ),
    "review": (
        "skunkworks_poc.review.cli",
        "check a repository against the Skunkworks PoC standard (text, JSON or HTML)",
    ),
    "licences": (
        "skunkworks_poc.licences",
        "list the installed dependencies with their licences in docs/third-party-licences.md",
    ),
    "plots": (
        "skunkworks_poc.plots",
        "the pipeline's interactive DVC plots in dvc_plots/index.html, working offline",
    ),
    "install-hooks": (
        "skunkworks_poc.git_hooks",
        "install the pre-commit git hooks with this environment first on their PATH",
    ),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skunkworks",
        description="Bake the standard repository for an NHS AI Lab Skunkworks proof of concept.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in TOOLKIT_COMMANDS.items():
        # Listed here for --help; their own parsers live in their modules (imported lazily).
        commands.add_parser(name, help=summary, add_help=False)

    new = commands.add_parser(
        "new",
        help="bake a new project from the bundled template",
        description=(
            "Bake a new project. Answers given as key=value replace the defaults "
            "(and are used as they are with --no-input)."
        ),
    )
    new.add_argument(
        "answers",
        nargs="*",
        metavar="key=value",
        help="answer to a prompt, e.g. project_name='Sepsis Early Warning'",
    )
    new.add_argument(
        "--no-input", action="store_true", help="use defaults for every prompt not answered"
    )
    new.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=Path("."),
        help="folder to create the project in (default: .)",
    )
    new.add_argument(
        "-f",
        "--overwrite",
        action="store_true",
        help=(
            "bake into an existing project folder: add the template's missing files; "
            "a file that exists is never replaced (delete it to get the template's version)"
        ),
    )
    return parser


def _new(args: argparse.Namespace) -> int:
    from skunkworks_poc.template import BakeError, bake, parse_answers

    try:
        baked = bake(
            parse_answers(args.answers),
            args.output_dir,
            no_input=args.no_input,
            overwrite=args.overwrite,
        )
    except BakeError as error:
        print(f"skunkworks new: {error}", file=sys.stderr)
        return 2
    project = baked.project
    if baked.merged:
        print(f"Updated {project}: {_files(baked.added)} added from the template")
        for name in baked.added:
            print(f"  added {name}")
        if baked.kept:
            print(
                f"Kept your version of {_files(baked.kept)} (the template's differs; "
                "delete a file and run again to get the template's version):"
            )
            for name in baked.kept:
                print(f"  kept {name}")
        return 0
    print(f"Created {project}")
    print(
        f"Next: cd {project} && make setup && make test   (see its README for the plain commands)"
    )
    return 0


def _files(names: list[str]) -> str:
    return f"{len(names)} file" if len(names) == 1 else f"{len(names)} files"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in TOOLKIT_COMMANDS:
        module = importlib.import_module(TOOLKIT_COMMANDS[argv[0]][0])
        return int(module.main(argv[1:]) or 0)
    args = _parser().parse_args(argv)
    if args.command == "new":
        return _new(args)
    _parser().print_help()
    return 0
