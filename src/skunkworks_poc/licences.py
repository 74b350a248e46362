"""`skunkworks licences`: the inventory of third-party licences of the project it runs in.

Published Skunkworks reports list each third-party package with its licence in an annex.
This writes that list to `docs/third-party-licences.md` from the packages actually installed,
walking the project's requirements (and any extras asked for) down through their own
requirements. The project is the one whose `pyproject.toml` is in the working directory (or
above); its package is never imported, only its installed metadata read. `dependencies()` is
the API the report's licences block calls.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from skunkworks_poc._commands import (
    CommandParser,
    ProjectError,
    UsageError,
    project_name,
    project_root,
)
from skunkworks_poc.report import escape

DEFAULT_OUTPUT = Path("docs") / "third-party-licences.md"
UNDECLARED = "not declared: read the package's own licence file"
_LONGEST_LICENCE_FIELD = 80
_HOME_LABELS = {"homepage", "home", "source", "repository", "source code"}


@dataclass(frozen=True)
class Package:
    """An installed distribution as its own metadata declares it (third-party text)."""

    name: str
    version: str
    licence: str
    home_page: str = ""


def licence_of(distribution: metadata.Distribution) -> str:
    """The licence a distribution declares: its SPDX expression, else its short licence
    field, else its trove classifiers (some packages put the whole text in the field)."""
    meta: Any = distribution.metadata  # an email Message: the stubs omit its get()
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    field = (meta.get("License") or "").strip()
    is_short = "\n" not in field and len(field) <= _LONGEST_LICENCE_FIELD
    if field and is_short and field.upper() != "UNKNOWN":
        return field
    classifiers = [
        classifier.split(" :: ")[-1]
        for classifier in meta.get_all("Classifier") or []
        if classifier.startswith("License ::")
    ]
    if classifiers:
        return "; ".join(classifiers)
    return UNDECLARED


def home_page(distribution: metadata.Distribution) -> str:
    meta: Any = distribution.metadata  # an email Message: the stubs omit its get()
    if meta.get("Home-page"):
        return meta["Home-page"].strip()
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in _HOME_LABELS:
            return url.strip()
    return ""


def _requirements(distribution: metadata.Distribution) -> Iterable[Any]:
    from packaging.requirements import InvalidRequirement, Requirement

    for line in distribution.requires or []:
        try:
            yield Requirement(line)
        except InvalidRequirement:
            continue


def dependencies(project_name: str, extras: Iterable[str] = ()) -> list[Package]:
    """The installed distributions `project_name` needs with `extras`, itself excluded, by
    name. A requirement that is not installed (another platform's, another Python's) is
    skipped; so is everything when the project itself is not installed."""
    from packaging.utils import canonicalize_name

    root = canonicalize_name(project_name)
    found: dict[str, Package] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    queue = [(root, frozenset(extras))]
    while queue:
        name, wanted_extras = queue.pop()
        if (name, wanted_extras) in seen:
            continue
        seen.add((name, wanted_extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if name != root:
            found[name] = Package(
                distribution.metadata["Name"] or name,
                distribution.version,
                licence_of(distribution),
                home_page(distribution),
            )
        environments = [{"extra": extra} for extra in wanted_extras] or [{"extra": ""}]
        for requirement in _requirements(distribution):
            if requirement.marker is None or any(
                requirement.marker.evaluate(environment) for environment in environments
            ):
                queue.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return sorted(found.values(), key=lambda package: canonicalize_name(package.name))


def cell(text: str) -> str:
    """Third-party text as the plain content of one Markdown table cell: the toolkit's one
    escaping of untrusted text (a `|` cannot split the cell, markup shows as text)."""
    return escape.text(" ".join(str(text).split()))


def _link(package: Package) -> str:
    url = package.home_page
    # Only web links, and only those whose characters cannot end the Markdown link early.
    if re.fullmatch(r"https?://[^\s()<>\[\]\"'`\\]+", url):
        return f"[{cell(package.name)}]({url})"
    return cell(package.name)


def render(project: str, packages: Sequence[Package], extras: Sequence[str] = ()) -> str:
    scope = f"with the extras {', '.join(extras)}" if extras else "at run time"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = [
        "# Third-party licences",
        "",
        f"The packages `{project.replace('`', '')}` installs {scope}, with the version and",
        f"licence each declares (Python {python}). Generated by `skunkworks licences`",
        "(`make licences`): do not edit by hand. A licence shown as not declared must be read",
        "from the package itself before publication.",
        "",
        "| Package | Version | Licence |",
        "|---|---|---|",
    ]
    for package in packages:
        lines.append(f"| {_link(package)} | {cell(package.version)} | {cell(package.licence)} |")
    return "\n".join(lines) + "\n"


def _parser() -> CommandParser:
    parser = CommandParser(
        prog="skunkworks licences",
        description=(
            "List the installed third-party packages of the project in the working directory, "
            f"with their licences, in {DEFAULT_OUTPUT}."
        ),
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the inventory (default: {DEFAULT_OUTPUT} in the project)",
    )
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        help="also list the packages of this extra of the project, e.g. dev (repeatable)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _parser().parse_args(list(argv))
        root = project_root()
        project = project_name(root)
        try:
            metadata.distribution(project)
        except metadata.PackageNotFoundError:
            raise ProjectError(
                f"{project} (pyproject.toml) is not installed in this environment: "
                "run `make setup` first"
            ) from None
        packages = dependencies(project, args.extra)
        output = args.output or root / DEFAULT_OUTPUT
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render(project, packages, args.extra), encoding="utf-8")
        except OSError as error:
            raise ProjectError(f"{output}: cannot be written ({error.strerror})") from None
    except (UsageError, ProjectError) as error:
        print(f"skunkworks licences: {error}", file=sys.stderr)
        return 1
    print(f"{output}: {len(packages)} packages")
    return 0
