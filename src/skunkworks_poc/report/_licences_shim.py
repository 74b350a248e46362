"""Stand-in for `skunkworks_poc.licences` until that module lands (helper "guards" owns it):
the same `dependencies(project_name)` answer, nothing more. Delete at merge time."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str


def _licence(distribution: metadata.Distribution) -> str:
    meta: Any = distribution.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and len(field) <= 80 and field.upper() != "UNKNOWN":
        return field
    classifiers = [
        item.split(" :: ")[-1]
        for item in meta.get_all("Classifier") or []
        if item.startswith("License ::")
    ]
    return "; ".join(classifiers) or "not declared: read the package's own licence file"


def dependencies(project_name: str) -> list[Package]:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    root = canonicalize_name(project_name)
    found: dict[str, Package] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    queue = [(root, frozenset[str]())]
    while queue:
        name, extras = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if name != root:
            found[name] = Package(
                distribution.metadata["Name"], distribution.version, _licence(distribution)
            )
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        for line in distribution.requires or []:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.marker is None or any(
                requirement.marker.evaluate(environment) for environment in environments
            ):
                queue.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return sorted(found.values(), key=lambda package: canonicalize_name(package.name))
