"""The Skunkworks standard as repo-review checks: licensing, governance, data safety,
reproducibility, CI and report.

Each check is a class: its docstring is the one-line title, `evaluate`'s docstring says how to
fix a failure, `url` points at its section of docs/review.md, and `evaluate(repo)` returns an
`Outcome` (pass, fail or skip with a reason, and the evidence: file, line, size). repo-review
calls `check(skunkworks_repo)`; `skunkworks review` reads the outcomes the checks leave on the
`Repo` fixture, so the evidence survives repo-review's plain string messages.

Registered by entry points (`repo_review.checks`, `.fixtures`, `.families`) in the toolkit's
pyproject.toml: they run under plain `repo-review` too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any, ClassVar

from skunkworks_poc.review.repo import MAX_TEXT_BYTES, Outcome, Repo, evidence

DOCS_URL = "https://github.com/nhsengland/skunkworks-poc/blob/main/docs/review.md"

FAMILIES: dict[str, dict[str, Any]] = {
    "licensing": {"name": "Licensing", "order": 101, "letter": "L"},
    "governance": {"name": "Governance", "order": 102, "letter": "G"},
    "data-safety": {"name": "Data safety", "order": 103, "letter": "D"},
    "reproducibility": {"name": "Reproducibility", "order": 104, "letter": "R"},
    "ci": {"name": "Continuous integration", "order": 105, "letter": "C"},
    "report": {"name": "Report", "order": 106, "letter": "P"},
}

PASS = Outcome(True)


def fail(message: str, items: Iterable[dict[str, Any]] = ()) -> Outcome:
    return Outcome(False, message, list(items))


def passed(message: str = "", items: Iterable[dict[str, Any]] = ()) -> Outcome:
    return Outcome(True, message, list(items))


def skip(reason: str) -> Outcome:
    return Outcome(None, reason)


class Check:
    """Base class: subclasses set `family` and define `evaluate`."""

    family: ClassVar[str]
    # A failure of a check that is not required is reported but does not fail the review.
    required: ClassVar[bool] = True
    requires: ClassVar[frozenset[str]] = frozenset()

    @property
    def id(self) -> str:
        return type(self).__name__

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}"

    @property
    def title(self) -> str:
        return (type(self).__doc__ or "").strip().splitlines()[0]

    @property
    def fix(self) -> str:
        import inspect

        return " ".join((inspect.getdoc(self.evaluate) or "").split())

    def evaluate(self, repo: Repo) -> Outcome:  # pragma: no cover - every check overrides it
        raise NotImplementedError

    def check(self, skunkworks_repo: Repo) -> bool | str | None:
        from skunkworks_poc.report.escape import text

        outcome = self.evaluate(skunkworks_repo)
        skunkworks_repo.outcomes[self.id] = outcome
        if outcome.result is None:
            return None
        if outcome.result:
            return True
        # repo-review renders this as Markdown (and HTML): repo text goes in escaped.
        found = "; ".join(text(describe_evidence(item)) for item in outcome.evidence[:10])
        more = f" (and {len(outcome.evidence) - 10} more)" if len(outcome.evidence) > 10 else ""
        parts = [text(outcome.message)]
        if found:
            parts.append(f"Found: {found}{more}.")
        parts.append(f"Fix: {self.fix}")
        return "\n\n".join(parts)


def describe_evidence(item: dict[str, Any]) -> str:
    where = item.get("file", "")
    if "line" in item:
        where += f":{item['line']}"
    if "size" in item:
        where += f" ({human_size(item['size'])})"
    if item.get("note"):
        where = f"{where}: {item['note']}" if where else item["note"]
    return where


def human_size(size: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Shared readings

LICENCE_NAMES = ("licence", "license", "copying")
LICENCE_SUFFIXES = ("", ".md", ".txt", ".rst")


def code_licence_files(repo: Repo) -> list[str]:
    """Root files named as a licence (any spelling), the code licence first."""
    names = {stem + suffix for stem in LICENCE_NAMES for suffix in LICENCE_SUFFIXES}
    root = [path for path in repo.files if "/" not in path]
    exact = [path for path in root if path.lower() in names]
    variants = [
        path
        for path in root
        if path not in exact and re.match(r"(licen[cs]e|copying)[-_.]", path.lower())
    ]
    return exact + variants


def identified_licences(repo: Repo) -> dict[str, str | None]:
    from skunkworks_poc.review.licences import identify

    return {path: identify(repo.text(path) or "") for path in code_licence_files(repo)}


def readme(repo: Repo) -> str | None:
    for path in repo.files:
        if "/" not in path and re.fullmatch(r"readme(\.(md|rst|txt|markdown))?", path.lower()):
            return path
    return None


def headings(text: str) -> list[tuple[int, str]]:
    """(line, heading text) for Markdown (`#` and underlined) and reStructuredText headings."""
    found = []
    lines = text.splitlines()
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            found.append((index + 1, match.group(1)))
        elif (
            index + 1 < len(lines)
            and line.strip()
            and re.fullmatch(r"\s*(=+|-+|~+|\^+)\s*", lines[index + 1])
            and not line.lstrip().startswith(("-", "|", "<"))
        ):
            found.append((index + 1, line.strip()))
        elif re.match(r"^\s*<h[1-6][^>]*>(.*?)</h[1-6]>", line, re.IGNORECASE):
            inner = re.sub(r"<[^>]+>", "", line)
            found.append((index + 1, inner.strip()))
    return found


def _heading_matches(heading: str, patterns: Iterable[str]) -> bool:
    flat = re.sub(r"[^a-z0-9 ]+", " ", heading.lower())
    return any(re.search(rf"\b{pattern}", flat) for pattern in patterns)


def missing_sections(text: str, sections: dict[str, tuple[str, ...]]) -> list[str]:
    found = [heading for _, heading in headings(text)]
    return [
        name
        for name, patterns in sections.items()
        if not any(_heading_matches(heading, patterns) for heading in found)
    ]


TEXT_SUFFIXES = frozenset(
    {".md", ".rst", ".txt", ".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".json"}
    | {".r", ".rmd", ".qmd", ".sql", ".sh", ".cff", ".html", ".csv", ".tsv", ".in", ".dvc"}
)


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement_name(line: str) -> str | None:
    match = _NAME.match(line.split("#", 1)[0])
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def _strings(value: Any) -> list[str]:
    """Every string in a TOML/YAML value (lists, tables of lists)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for element in value for item in _strings(element)]
    if isinstance(value, dict):
        return [item for element in value.values() for item in _strings(element)]
    return []


def declared_dependencies(repo: Repo) -> dict[str, str]:
    """Normalised name -> the file declaring it: pyproject.toml (`[project]` dependencies and
    extras, dependency groups, Poetry), requirements files, conda environment files."""
    from skunkworks_poc.review.repo import load_yaml

    found: dict[str, str] = {}
    pyproject = repo.pyproject or {}
    project = pyproject.get("project") if isinstance(pyproject.get("project"), dict) else {}
    poetry = (
        pyproject.get("tool", {}).get("poetry", {})
        if isinstance(pyproject.get("tool"), dict)
        else {}
    )
    lines = _strings(project.get("dependencies")) + _strings(project.get("optional-dependencies"))
    lines += _strings(pyproject.get("dependency-groups"))
    if isinstance(poetry, dict):
        lines += [
            str(name)
            for key in ("dependencies", "dev-dependencies")
            if isinstance(poetry.get(key), dict)
            for name in poetry[key]
        ]
    for line in lines:
        name = _requirement_name(line)
        if name:
            found.setdefault(name, "pyproject.toml")
    for path in repo.glob("*requirements*.txt", "requirements/*.txt", "*requirements*.in"):
        for line in (repo.text(path) or "").splitlines():
            name = None if line.lstrip().startswith("-") else _requirement_name(line)
            if name:
                found.setdefault(name, path)
    for path in repo.glob("environment.yml", "environment.yaml"):
        data = load_yaml(repo.text(path) or "")
        for line in _strings(data.get("dependencies") if isinstance(data, dict) else None):
            name = _requirement_name(re.split(r"[=<>~! ]", line, maxsplit=1)[0])
            if name:
                found.setdefault(name, path)
    return found


def code_files(repo: Repo) -> list[str]:
    return [path for path in repo.files if path.lower().endswith((".py", ".ipynb", ".r", ".rmd"))]


# --------------------------------------------------------------------------------------------
# Licensing


class L101(Check):
    """A code licence file at the root, with a recognised licence"""

    family = "licensing"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add a `LICENCE` file at the root with the full text of the code licence (MIT by
        default under the NHS Open Source Policy; Apache-2.0 or GPL-3.0), copied unchanged."""
        found = identified_licences(repo)
        code = {path: spdx for path, spdx in found.items() if spdx and spdx != "OGL-UK-3.0"}
        if code:
            path, spdx = next(iter(code.items()))
            return passed(f"{path} is {spdx}", [evidence(path, size=repo.size(path), note=spdx)])
        if not found:
            return fail("no licence file at the root (LICENCE, LICENSE, COPYING)")
        return fail(
            "the licence file's text is not a licence we recognise",
            [
                evidence(path, size=repo.size(path), note=spdx or "unrecognised text")
                for path, spdx in found.items()
            ],
        )


class L102(Check):
    """Documentation under the Open Government Licence v3.0"""

    family = "licensing"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add the Open Government Licence v3.0 as its own file (`LICENCE-OGL`) next to the
        code licence, and say in the README's licence section that the documentation is
        Crown copyright (or your organisation's) under it."""
        for path, spdx in identified_licences(repo).items():
            if spdx == "OGL-UK-3.0":
                return passed(f"{path} is the OGL", [evidence(path, size=repo.size(path))])
        for path in repo.files:
            if "/" in path or not re.match(r"(licen[cs]e|copying|readme)", path.lower()):
                continue
            text = repo.text(path) or ""
            match = re.search(r"open government licen[cs]e", text, re.IGNORECASE)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                return passed(f"{path} states the OGL", [evidence(path, line=line)])
        return fail("neither a licence file nor the README puts the documentation under the OGL")


class L103(Check):
    """The licence in pyproject.toml agrees with the licence file"""

    family = "licensing"

    def evaluate(self, repo: Repo) -> Outcome:
        """Make `[project] license` in pyproject.toml the SPDX identifier of the licence file's
        text (e.g. `license = "MIT"`), and list the file in `license-files`."""
        from skunkworks_poc.review.licences import CLASSIFIERS, family

        if repo.pyproject is None:
            return skip("no pyproject.toml: nothing declares a licence")
        project = repo.pyproject.get("project")
        if not isinstance(project, dict):
            return skip("pyproject.toml has no [project] table")
        declared = project.get("license")
        if isinstance(declared, dict):
            declared = declared.get("text") or None
        if not isinstance(declared, str):
            classifiers = [c for c in project.get("classifiers", []) if isinstance(c, str)]
            for classifier in classifiers:
                name = classifier.rsplit("::", 1)[-1].strip()
                if classifier.startswith("License ::") and name in CLASSIFIERS:
                    declared = CLASSIFIERS[name]
        if not isinstance(declared, str):
            return fail("pyproject.toml declares no licence", [evidence("pyproject.toml")])
        files = {
            path: spdx
            for path, spdx in identified_licences(repo).items()
            if spdx and spdx != "OGL-UK-3.0"
        }
        if not files:
            return skip("no recognised code licence file to compare with (see L101)")
        path, spdx = next(iter(files.items()))
        declared_families = {
            family(part) for part in re.split(r"\s+(?:OR|AND)\s+|[()]", declared) if part.strip()
        }
        if family(spdx) in declared_families or (
            spdx.startswith("BSD") and "BSD" in declared_families
        ):
            return passed(f"pyproject.toml says {declared}; {path} is {spdx}")
        return fail(
            f"pyproject.toml says {declared!r} but {path} is {spdx}",
            [evidence("pyproject.toml", note=f"license = {declared}"), evidence(path, note=spdx)],
        )


# --------------------------------------------------------------------------------------------
# Governance

README_SECTIONS = {
    "intended use": ("intended use", "purpose", "scope", "use of this", "intended purpose"),
    "data protection": (
        "data protection",
        "information governance",
        "privacy",
        "gdpr",
        "data privacy",
        "data governance",
    ),
    "background": ("background", "context", "introduction", "about", "motivation", "problem"),
    "model selection": (
        "model selection",
        "models?",
        "methodology",
        "method",
        "approach",
        "modelling",
        "modeling",
    ),
    "known limitations": ("known limitations", "limitations", "caveats", "known issues"),
}
_NOT_CLINICAL = re.compile(
    r"\bnot\b[^.]{0,120}\b(clinical|medical device|patient care|use in care|deploy)",
    re.IGNORECASE | re.DOTALL,
)


class G101(Check):
    """README has the Skunkworks sections and the not-for-clinical-use statement"""

    family = "governance"

    def evaluate(self, repo: Repo) -> Outcome:
        """Give the README sections for intended use (with the statement that the proof of
        concept is not for deployment in a clinical setting), data protection, background,
        model selection and known limitations."""
        path = readme(repo)
        if path is None:
            return fail("no README at the root")
        text = repo.text(path) or ""
        missing = missing_sections(text, README_SECTIONS)
        if not _NOT_CLINICAL.search(text):
            missing.append("the statement that it is not for clinical deployment")
        if missing:
            return fail(
                f"{path} lacks: {', '.join(missing)}",
                [evidence(path, note=f"missing {name}") for name in missing],
            )
        return passed(f"{path} has every section")


def _governance_file(names: Iterable[str], what: str):
    def evaluate(self, repo: Repo) -> Outcome:
        candidates = [f"{name}{suffix}" for name in names for suffix in (".md", ".rst", ".txt", "")]
        path = repo.find(candidates)
        if path is None:
            return fail(f"no {what} in the root, .github/ or docs/")
        return passed(f"{path}", [evidence(path, size=repo.size(path))])

    return evaluate


class G102(Check):
    """A CONTRIBUTING guide"""

    family = "governance"
    _evaluate = _governance_file(("contributing",), "CONTRIBUTING file")

    def evaluate(self, repo: Repo) -> Outcome:
        """Add CONTRIBUTING.md (root, .github/ or docs/): how to set up, test and propose a
        change."""
        return self._evaluate(repo)


class G103(Check):
    """A code of conduct"""

    family = "governance"
    _evaluate = _governance_file(("code_of_conduct", "code-of-conduct"), "CODE_OF_CONDUCT file")

    def evaluate(self, repo: Repo) -> Outcome:
        """Add CODE_OF_CONDUCT.md (root, .github/ or docs/), e.g. the Contributor Covenant,
        with a contact for reports."""
        return self._evaluate(repo)


_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://\S+/security/advisories|"
    r"security/advisories/new|report a vulnerability",
    re.IGNORECASE,
)


class G104(Check):
    """A security policy with a contact"""

    family = "governance"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add SECURITY.md (root, .github/ or docs/) saying how to report a vulnerability or
        published data privately: an email address or GitHub's private reporting."""
        path = repo.find(["security.md", "security.rst", "security.txt", "security"])
        if path is None:
            return fail("no SECURITY file in the root, .github/ or docs/")
        text = repo.text(path) or ""
        match = _CONTACT.search(text)
        if not match:
            return fail(
                f"{path} gives no contact (email address or private reporting link)",
                [evidence(path)],
            )
        line = text.count("\n", 0, match.start()) + 1
        return passed(f"{path} gives a contact", [evidence(path, line=line)])


class G105(Check):
    """A valid CITATION.cff"""

    family = "governance"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add CITATION.cff at the root (Citation File Format 1.2.0) with `cff-version`,
        `message`, `title` and `authors` (each with a name); GitHub then offers "Cite this
        repository"."""
        from skunkworks_poc.review.repo import load_yaml

        path = repo.find(["citation.cff"], places=("",))
        if path is None:
            return fail("no CITATION.cff at the root")
        data = load_yaml(repo.text(path) or "")
        if not isinstance(data, dict):
            return fail(f"{path} is not a YAML mapping", [evidence(path)])
        problems = [
            f"`{key}` is missing"
            for key in ("cff-version", "message", "title", "authors")
            if not data.get(key)
        ]
        authors = data.get("authors")
        if isinstance(authors, list):
            for index, author in enumerate(authors, start=1):
                if not isinstance(author, dict) or not (
                    author.get("family-names") or author.get("name")
                ):
                    problems.append(f"author {index} has no family-names or name")
        elif authors is not None:
            problems.append("`authors` is not a list")
        if data.get("cff-version") and not str(data["cff-version"]).startswith("1."):
            problems.append(f"cff-version {data['cff-version']} is not 1.x")
        if problems:
            return fail(
                f"{path}: {'; '.join(problems)}", [evidence(path, note=p) for p in problems]
            )
        return passed(path, [evidence(path)])


class G106(Check):
    """A changelog"""

    family = "governance"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add CHANGELOG.md (root or docs/) with a section per release (Keep a Changelog and
        semantic versioning)."""
        names = [
            f"{n}{s}"
            for n in ("changelog", "changes", "history", "news")
            for s in (".md", ".rst", ".txt", "")
        ]
        path = repo.find(names)
        if path is None:
            return fail("no CHANGELOG in the root, .github/ or docs/")
        return passed(path, [evidence(path, size=repo.size(path))])


# --------------------------------------------------------------------------------------------
# Data safety

# Small fake-data fixtures for tests are allowed: the guards' own allow-list, and a size cap.
FIXTURE_GLOBS = ("tests/fixtures/*", "tests/data/*", "tests/*/fixtures/*")
MAX_FIXTURE_BYTES = 1_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
MAX_DOCUMENT_IMAGE_BYTES = 1_000_000
DATA_FOLDERS = ("data", "input", "inputs", "raw_data", "dataset", "datasets")


def _in_data_folder(path: str) -> bool:
    return any(part.lower() in DATA_FOLDERS for part in PurePosixPath(path).parts[:-1])


class D101(Check):
    """No data, image or model files tracked, beyond small test fixtures"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Remove data, images of data and model files from git (`git rm --cached FILE`, and
        from the history if they were ever pushed); track them with DVC (`dvc add`) and
        commit only the `.dvc` pointer. Small fake fixtures may live under `tests/fixtures/`."""
        from skunkworks_poc.checks.data_files import data_file_findings, is_allowed

        offenders = []
        on_disk = []
        for path in repo.files:
            size = repo.size(path)
            if is_allowed(path, FIXTURE_GLOBS) and size <= MAX_FIXTURE_BYTES:
                continue
            lower = path.lower()
            if lower.endswith(IMAGE_SUFFIXES) and (
                _in_data_folder(path) or size > MAX_DOCUMENT_IMAGE_BYTES
            ):
                offenders.append(evidence(path, size=size, note="image"))
                continue
            absolute = repo.absolute(path)
            if absolute is not None:
                on_disk.append((absolute, path, size))
        # The guard itself (one implementation): by name and by content.
        names = {absolute: (path, size) for absolute, path, size in on_disk}
        for problem in data_file_findings(list(names), allowed=()):
            path, size = names[problem.path]
            kind = problem.message.split(" — ", 1)[0]
            offenders.append(evidence(path, size=size, note=kind))
        if repo.local is None:
            from skunkworks_poc.checks.data_files import format_by_name

            for path in repo.files:
                kind = format_by_name(PurePosixPath(path).name)
                if kind and not is_allowed(path, FIXTURE_GLOBS):
                    offenders.append(evidence(path, size=repo.size(path), note=kind))
        if offenders:
            offenders.sort(key=lambda item: item["file"])
            total = sum(item["size"] for item in offenders)
            return fail(
                f"{len(offenders)} data, image or model file(s) tracked "
                f"({human_size(total)} in all)",
                offenders,
            )
        return PASS


# Every line where the guard could find a number has ten digits in a row or three groups of
# 3, 3 and 4 digits a few characters apart. Most lines have neither: the guard (one
# implementation, run line by line as it reads) sees only those that do. A lock file full of
# hashes took 1.5 s whole and 0.5 s this way.
_MAY_HOLD_A_NUMBER = re.compile(r"\d{10}|\d{3}\D{1,3}\d{3}\D{1,3}\d{4}")


def _lines_that_may_hold_a_number(text: str):
    from skunkworks_poc.checks.nhs_numbers import INVISIBLE_CHARACTERS

    # The guard ignores zero-width characters inside a number; so must the filter.
    visible = text.translate(INVISIBLE_CHARACTERS)
    if not _MAY_HOLD_A_NUMBER.search(visible):
        return
    for number, line in enumerate(visible.splitlines(), start=1):
        if _MAY_HOLD_A_NUMBER.search(line):
            yield number, line


class D102(Check):
    """No valid NHS numbers in tracked text"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Remove every real NHS number (and the file it came with) from the repository and its
        history; use numbers from the 999 test range in fake data and examples."""
        from skunkworks_poc.checks.nhs_numbers import find_nhs_numbers

        found = []
        for path in repo.files:
            for finding in find_nhs_numbers(path):
                found.append(evidence(path, note=f"file name holds {finding.masked}"))
            text = repo.text(path)
            if text is None:
                continue
            for number, line in _lines_that_may_hold_a_number(text):
                for finding in find_nhs_numbers(line):
                    found.append(evidence(path, line=number, note=finding.masked))
        too_large = [
            evidence(path, size=repo.size(path), note="too large to read")
            for path in repo.files
            if repo.size(path) > MAX_TEXT_BYTES
        ]
        unread = f"; {len(too_large)} file(s) over 20 MB not read" if too_large else ""
        if found:
            files = len({item["file"] for item in found})
            return fail(f"{len(found)} valid NHS number(s) in {files} file(s){unread}", found)
        return passed(f"no NHS numbers{unread}", too_large)


# Paths that must be git-ignored: (probe path, is a folder, what it stands for).
_MUST_IGNORE = (
    ("mlflow.db", False, "the MLflow database (mlflow.db)"),
    ("mlruns/run", False, "MLflow's run folder (mlruns/)"),
)


def _uses_mlflow(repo: Repo) -> bool:
    if any(name.startswith("mlflow") for name in declared_dependencies(repo)):
        return True
    return any("mlflow" in (repo.text(path) or "") for path in code_files(repo))


class D103(Check):
    """Data folders and MLflow's stores are git-ignored"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add to `.gitignore`: the data folders (`/data/**`, keeping `!/data/**/*.dvc`),
        `mlflow.db` and `/mlruns/`, so nothing from a run can be committed by accident."""
        if ".gitignore" not in repo.file_set:
            return fail("no .gitignore at the root")
        ignore = repo.gitignore
        missing = []
        if _uses_mlflow(repo):
            missing += [
                what for probe, folder, what in _MUST_IGNORE if not ignore.ignores(probe, folder)
            ]
        folders = {
            folder
            for folder in repo.folders
            if "/" not in folder and folder.lower() in DATA_FOLDERS
        }
        if repo.local is not None:
            folders |= {
                child.name
                for child in repo.local.iterdir()
                if child.is_dir() and child.name.lower() in DATA_FOLDERS
            }
        for folder in sorted(folders):
            if not ignore.ignores(f"{folder}/records-sample.bin"):
                missing.append(f"the data folder {folder}/")
        if missing:
            return fail(
                f".gitignore does not ignore {', '.join(missing)}",
                [evidence(".gitignore", note=f"not ignored: {m}") for m in missing],
            )
        return PASS


class D104(Check):
    """Notebooks are committed without outputs"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Strip outputs before committing (`nbstripout --install`, or the nbstripout
        pre-commit hook; `jupyter nbconvert --clear-output --inplace NOTEBOOK` once): outputs
        can hold patient data, and they bloat the history."""
        notebooks = [path for path in repo.files if path.lower().endswith(".ipynb")]
        if not notebooks:
            return skip("no notebooks tracked")
        offenders = []
        for path in notebooks:
            try:
                data = json.loads(repo.text(path) or "")
            except (ValueError, RecursionError):
                offenders.append(evidence(path, note="not valid notebook JSON"))
                continue
            cells = data.get("cells", []) if isinstance(data, dict) else []
            with_outputs = sum(
                1
                for cell in cells
                if isinstance(cell, dict) and (cell.get("outputs") or cell.get("execution_count"))
            )
            if with_outputs:
                offenders.append(
                    evidence(
                        path, size=repo.size(path), note=f"{with_outputs} cell(s) with outputs"
                    )
                )
        if offenders:
            return fail(f"{len(offenders)} of {len(notebooks)} notebook(s) keep outputs", offenders)
        return passed(f"{len(notebooks)} notebook(s), no outputs")


_SCANNER_FILES = (
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    ".secrets.baseline",
    ".gitleaks.toml",
    "gitleaks.toml",
)
_SECRET_SCANNERS = re.compile(r"detect-secrets|gitleaks|trufflehog|ggshield|secretlint", re.I)


class D105(Check):
    """Secret scanning is configured"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add a secret scanner to pre-commit and CI: detect-secrets (with a
        `.secrets.baseline`) or gitleaks."""
        candidates = [*_SCANNER_FILES, *repo.workflows]
        for path in candidates:
            if path not in repo.file_set:
                continue
            text = repo.text(path) or ""
            match = _SECRET_SCANNERS.search(text) or (
                re.search(r"\S", text) if path == ".secrets.baseline" else None
            )
            if match:
                line = text.count("\n", 0, match.start()) + 1
                return passed(path, [evidence(path, line=line, note=match.group(0))])
        return fail("no secret scanner in pre-commit or CI (detect-secrets, gitleaks)")


class D106(Check):
    """No environment files with credentials tracked"""

    family = "data-safety"

    def evaluate(self, repo: Repo) -> Outcome:
        """Remove `.env` files from git (`git rm --cached .env`; ignore `.env`) and rotate any
        credential they held; commit a `.env.example` with placeholders only."""
        from skunkworks_poc.checks.env_files import env_credential_findings, is_env_file

        env_files = [path for path in repo.files if is_env_file(path)]
        if not env_files:
            return skip("no environment files tracked")
        if repo.local is None:
            return skip("environment files are read on a local copy only")
        names = {repo.absolute(path): path for path in env_files}
        found = [
            evidence(names[p.path], line=p.line, note=p.message.split(" — ")[0])
            for p in env_credential_findings(list(names))
        ]
        if found:
            return fail(f"{len(found)} credential(s) or machine environment file(s)", found)
        return passed(f"{len(env_files)} example environment file(s) with placeholders only")


# --------------------------------------------------------------------------------------------
# Reproducibility

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pipfile.lock",
    "conda-lock.yml",
    "pixi.lock",
    "requirements.lock",
    "renv.lock",
)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


class R101(Check):
    """Dependencies are pinned or locked"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Commit a lock file (`uv lock` writes uv.lock) or pin every requirement with `==`
        (`pip freeze > requirements.txt`, or pip-tools' `pip-compile`)."""
        locks = [path for path in repo.files if PurePosixPath(path).name.lower() in LOCK_FILES]
        if locks:
            return passed(locks[0], [evidence(p, size=repo.size(p)) for p in locks])
        requirements = repo.glob("*requirements*.txt", "requirements/*.txt")
        project = (repo.pyproject or {}).get("project")
        pinned = _strings(project.get("dependencies")) if isinstance(project, dict) else []
        if not requirements and pinned and all("==" in line for line in pinned):
            return passed("every dependency in pyproject.toml is pinned with ==")
        if not requirements:
            return fail("no lock file and no requirements file")
        unpinned = []
        for path in requirements:
            for number, line in enumerate((repo.text(path) or "").splitlines(), start=1):
                line = line.split("#", 1)[0].strip()
                if not line or line.startswith("-"):
                    continue
                match = _REQUIREMENT.match(line)
                if match and "==" not in match.group(3) and "@" not in match.group(3):
                    unpinned.append(evidence(path, line=number, note=match.group(1)))
        if unpinned:
            return fail(f"{len(unpinned)} requirement(s) not pinned with ==", unpinned)
        return passed("every requirement pinned", [evidence(p) for p in requirements])


class R102(Check):
    """Configuration lives in files"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Move settings out of the code into configuration files: Hydra's `conf/` (the
        template's way), `params.yaml`, or a `config/` folder of YAML, TOML or JSON."""
        config = repo.glob(
            "conf/*.yaml",
            "conf/*.yml",
            "conf/**/*.yaml",
            "config/*",
            "configs/*",
            "config/**/*",
            "configs/**/*",
            "params.yaml",
            "params.yml",
            "config.yaml",
            "config.yml",
            "config.toml",
            "config.json",
            "settings.yaml",
            "*/config.yaml",
        )
        config = [p for p in config if p.lower().endswith((".yaml", ".yml", ".toml", ".json"))]
        if config:
            return passed(f"{len(config)} configuration file(s)", [evidence(config[0])])
        return fail("no configuration files (conf/, config/, params.yaml)")


class R103(Check):
    """A DVC pipeline whose stages declare deps, params, outs and metrics"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Describe the pipeline in `dvc.yaml`: each stage with its `cmd`, `deps` and `outs`,
        and the pipeline's `params` and `metrics` (see the template's prepare, train and
        evaluate stages)."""
        from skunkworks_poc.review.repo import load_yaml

        if "dvc.yaml" not in repo.file_set:
            # A top-level data folder of code (a package's `data/` module) is not data.
            has_data = any(
                path.endswith(".dvc")
                or (
                    PurePosixPath(path).parts[0].lower() in DATA_FOLDERS
                    and "/" in path
                    and not path.lower().endswith((".py", ".md", ".rst", ".txt", ".gitignore"))
                )
                for path in repo.files
            )
            if not has_data:
                return skip("no dvc.yaml and no data folder: a PoC without data needs no pipeline")
            return fail("there is data but no DVC pipeline (dvc.yaml)")
        data = load_yaml(repo.text("dvc.yaml") or "")
        stages = data.get("stages") if isinstance(data, dict) else None
        if not isinstance(stages, dict) or not stages:
            return fail("dvc.yaml declares no stages", [evidence("dvc.yaml")])
        problems = []
        seen: set[str] = set()
        for name, stage in stages.items():
            if not isinstance(stage, dict):
                problems.append(f"stage {name} is not a mapping")
                continue
            seen.update(key for key in ("params", "metrics") if stage.get(key))
            for key in ("cmd", "deps"):
                if not stage.get(key):
                    problems.append(f"stage {name} declares no {key}")
            if not (stage.get("outs") or stage.get("metrics")):
                problems.append(f"stage {name} declares no outs")
        problems += [f"no stage declares {key}" for key in ("params", "metrics") if key not in seen]
        if problems:
            return fail(
                f"dvc.yaml: {'; '.join(problems)}", [evidence("dvc.yaml", note=p) for p in problems]
            )
        return passed(f"{len(stages)} stage(s)", [evidence("dvc.yaml")])


_TRACKER_PACKAGES = frozenset(
    {"mlflow", "mlflow-skinny", "wandb", "neptune", "neptune-client", "comet-ml", "aim"}
    | {"dvclive", "clearml", "tensorboard", "tensorboardx"}
)
_TRACKER_MODULES = ("mlflow", "wandb", "neptune", "comet_ml", "aim", "dvclive", "clearml")
_TRACKER_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(" + "|".join(_TRACKER_MODULES) + r")\b",
    re.MULTILINE,
)


class R104(Check):
    """Experiments are tracked"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Log every training run (parameters, metrics, code version, data version) with an
        experiment tracker: MLflow (the template's), DVCLive or Weights & Biases."""
        declared = declared_dependencies(repo)
        for name, path in declared.items():
            if name in _TRACKER_PACKAGES:
                return passed(f"{path} declares {name}", [evidence(path, note=name)])
        for path in code_files(repo):
            match = _TRACKER_IMPORT.search(repo.text(path) or "")
            if match:
                return passed(f"{path} imports {match.group(1)}", [evidence(path)])
        return fail("no experiment tracker among the dependencies or imports")


def _is_test_file(path: str) -> bool:
    parts = PurePosixPath(path.lower()).parts
    name = parts[-1]
    return (
        any(part in {"tests", "test", "testing"} for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


_FAKE_NAME = re.compile(r"(fake|synthetic|dummy|simulat|mock)[_-]?(data)?", re.IGNORECASE)
_FAKE_CODE = re.compile(
    r"^\s*def\s+\w*(fake|synthetic|dummy|simulate)\w*\s*\(|\bfrom\s+(faker|sdv|synthpop)\b|"
    r"^\s*import\s+(faker|sdv)\b",
    re.IGNORECASE | re.MULTILINE,
)


class R105(Check):
    """A fake-data generator"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add a script or module that writes fake data with the real schema (the template's
        `data/fake.py`), so anyone can run the pipeline and its tests without the real data."""
        # Tests use fake data; they do not make it for anyone else.
        code = [path for path in code_files(repo) if not _is_test_file(path)]
        for path in code:
            if _FAKE_NAME.search(PurePosixPath(path).stem):
                return passed(path, [evidence(path)])
        for path in code:
            text = repo.text(path) or ""
            match = _FAKE_CODE.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                return passed(path, [evidence(path, line=line)])
        return fail("no fake-data generator (a fake/synthetic data module or function)")


_TEST_FUNCTION = re.compile(r"^\s*(async\s+)?def\s+test\w*\s*\(", re.MULTILINE)
_R_TEST = re.compile(r"\btest_that\s*\(")


class R106(Check):
    """Tests exist and contain test functions"""

    family = "reproducibility"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add tests (`tests/test_*.py` with `def test_...` functions run by pytest), at least
        one end-to-end run of the pipeline on fake data."""
        files = [
            path
            for path in repo.files
            if re.fullmatch(r"(test_.*|.*_test)\.(py|r)", PurePosixPath(path).name.lower())
        ]
        count = 0
        with_tests = []
        for path in files:
            text = repo.text(path) or ""
            found = len(_TEST_FUNCTION.findall(text)) + len(_R_TEST.findall(text))
            if found:
                count += found
                with_tests.append(path)
        if count:
            return passed(
                f"{count} test function(s) in {len(with_tests)} file(s)",
                [evidence(path) for path in with_tests[:20]],
            )
        if files:
            return fail("test files hold no test functions", [evidence(p) for p in files])
        return fail("no test files (test_*.py)")


# --------------------------------------------------------------------------------------------
# CI

_CI_FILES = (".gitlab-ci.yml", "azure-pipelines.yml", ".circleci/config.yml", "Jenkinsfile")
_RUNS_TESTS = re.compile(
    r"\bpytest\b|\bpython3?\s+-m\s+(pytest|unittest)\b|\btox\b|\bnox\b|\bhatch\s+test\b|"
    r"testthat|\bR\s+CMD\s+check\b",
)
_RUNS_CHECKS = re.compile(r"\bpre-commit\s+run\b|\bprek\b|pre-commit/action|\bskunkworks\s+check\b")


def _run_steps(workflow: Any) -> list[tuple[str, str]]:
    """(job name, command) for each `run:` and `uses:` step of a parsed workflow."""
    steps = []
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    for name, job in (jobs or {}).items() if isinstance(jobs, dict) else []:
        for step in job.get("steps") or [] if isinstance(job, dict) else []:
            if isinstance(step, dict):
                for key in ("run", "uses"):
                    if isinstance(step.get(key), str):
                        steps.append((str(name), step[key]))
    return steps


def _ci_commands(repo: Repo) -> list[tuple[str, str]]:
    """(file, command with `make` targets expanded) for every CI step we can read."""
    commands = []
    for path, workflow in repo.workflows.items():
        for _, command in _run_steps(workflow):
            commands.append((path, repo.expand_make(command)))
    for path in _CI_FILES:
        if path in repo.file_set:
            commands.append((path, repo.expand_make(repo.text(path) or "")))
    return commands


class C101(Check):
    """A CI workflow runs the tests"""

    family = "ci"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add a GitHub Actions workflow (`.github/workflows/ci.yml`) that installs the project
        and runs its tests (`pytest`, or `make test`) on every push and pull request."""
        for path, command in _ci_commands(repo):
            if _RUNS_TESTS.search(command):
                return passed(path, [evidence(path)])
        if not repo.workflows and not any(p in repo.file_set for p in _CI_FILES):
            return fail("no CI configuration (.github/workflows/)")
        return fail("no CI step runs the tests", [evidence(p) for p in repo.workflows])


class C102(Check):
    """CI runs pre-commit or the same checks"""

    family = "ci"

    def evaluate(self, repo: Repo) -> Outcome:
        """Run the pre-commit hooks in CI too (`pre-commit run --all-files`, or `make lint`), so
        a commit made without them installed is still checked."""
        for path, command in _ci_commands(repo):
            if _RUNS_CHECKS.search(command):
                return passed(path, [evidence(path)])
        return fail("no CI step runs pre-commit or the repository's checks")


_SHA = re.compile(r"@[0-9a-f]{40}$")


class C103(Check):
    """GitHub Actions are pinned to commit SHAs"""

    family = "ci"

    def evaluate(self, repo: Repo) -> Outcome:
        """Pin every `uses:` to a full commit SHA with the version as a comment
        (`uses: actions/checkout@<40 hex digits> # v7.0.1`); Dependabot keeps them current."""
        if not repo.workflows:
            return skip("no GitHub workflows")
        unpinned = []
        for path in repo.workflows:
            for number, line in enumerate((repo.text(path) or "").splitlines(), start=1):
                match = re.match(r"^\s*(?:-\s*)?uses:\s*[\"']?([^\s\"'#]+)", line)
                if not match:
                    continue
                action = match.group(1)
                if action.startswith(("./", "docker://")) or _SHA.search(action):
                    continue
                unpinned.append(evidence(path, line=number, note=action))
        if unpinned:
            return fail(f"{len(unpinned)} action(s) not pinned to a commit", unpinned)
        return PASS


class C104(Check):
    """Workflows grant least-privilege permissions"""

    family = "ci"

    def evaluate(self, repo: Repo) -> Outcome:
        """Set `permissions: {}` (or `contents: read`) at the top of each workflow and grant
        each job only what it needs; never `write-all`."""
        if not repo.workflows:
            return skip("no GitHub workflows")
        problems = []
        for path, workflow in repo.workflows.items():
            if not isinstance(workflow, dict):
                problems.append(evidence(path, note="not valid YAML"))
                continue
            top = workflow.get("permissions")
            jobs = workflow.get("jobs") if isinstance(workflow.get("jobs"), dict) else {}
            if top == "write-all" or any(
                isinstance(job, dict) and job.get("permissions") == "write-all"
                for job in jobs.values()
            ):
                problems.append(evidence(path, note="write-all"))
            elif top is None and not all(
                isinstance(job, dict) and "permissions" in job for job in jobs.values()
            ):
                problems.append(evidence(path, note="no permissions: (the token gets defaults)"))
        if problems:
            return fail(
                f"{len(problems)} workflow(s) without least-privilege permissions", problems
            )
        return PASS


# --------------------------------------------------------------------------------------------
# Report

REPORT_SECTIONS = {
    "executive summary": ("executive summary", "summary"),
    "introduction": ("introduction", "background"),
    "data": ("data",),
    "methodology": ("method", "approach", "model selection"),
    "results": ("results", "evaluation", "findings"),
    "limitations": ("limitations",),
    "conclusions": ("conclusion", "next steps"),
}
_MARKER = re.compile(r"\[TO COMPLETE:[^\]]*\]")


def technical_report(repo: Repo) -> str | None:
    candidates = [
        path
        for path in repo.files
        if "report" in PurePosixPath(path).name.lower()
        and path.lower().endswith((".md", ".rst", ".pdf", ".docx", ".odt", ".html", ".qmd"))
        and not path.startswith((".github/", "tests/"))
    ]
    candidates.sort(key=lambda p: ("technical" not in p.lower(), not p.endswith(".md"), p))
    return candidates[0] if candidates else None


class P101(Check):
    """A technical report with the required sections"""

    family = "report"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add the technical report to the repository (`docs/technical-report.md`) with an
        executive summary, introduction, data, methodology, results, limitations and
        conclusions."""
        path = technical_report(repo)
        if path is None:
            return fail("no technical report in the repository (docs/technical-report.md)")
        if not path.lower().endswith((".md", ".rst", ".qmd")):
            return passed(
                f"{path} (sections not read from this format)",
                [evidence(path, size=repo.size(path))],
            )
        missing = missing_sections(repo.text(path) or "", REPORT_SECTIONS)
        if missing:
            return fail(
                f"{path} lacks: {', '.join(missing)}",
                [evidence(path, note=f"missing {name}") for name in missing],
            )
        return passed(path, [evidence(path)])


class P102(Check):
    """No unfilled [TO COMPLETE: ...] markers remain"""

    family = "report"
    # A freshly baked project has them by design: reported with their count, never fatal.
    required = False

    def evaluate(self, repo: Repo) -> Outcome:
        """Write each `[TO COMPLETE: ...]` place in the README, report, cards and other
        documents; each remaining marker is listed with its file and line."""
        found = []
        for path in repo.files:
            if not path.lower().endswith((".md", ".rst", ".txt", ".qmd", ".yaml", ".yml")):
                continue
            text = repo.text(path) or ""
            if "[TO COMPLETE:" not in text:
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                for _ in _MARKER.finditer(line):
                    found.append(evidence(path, line=number))
        if found:
            files = len({item["file"] for item in found})
            return fail(f"{len(found)} unfilled marker(s) in {files} file(s)", found)
        return PASS


def _card(repo: Repo, words: tuple[str, ...]) -> str | None:
    pattern = re.compile(r"[-_ ]?".join(words), re.IGNORECASE)
    for path in repo.files:
        if pattern.search(PurePosixPath(path).name) and path.lower().endswith(
            (".md", ".rst", ".pdf", ".html", ".yaml", ".yml", ".json", ".docx")
        ):
            return path
    return None


class P103(Check):
    """A model card"""

    family = "report"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add `docs/model-card.md` following NHS England's model card headings
        (specification, intended use, data, methodology, evaluation and caveats)."""
        path = _card(repo, ("model", "card"))
        if path is None:
            return fail("no model card (docs/model-card.md)")
        return passed(path, [evidence(path)])


class P104(Check):
    """A data card"""

    family = "report"

    def evaluate(self, repo: Repo) -> Outcome:
        """Add `docs/data-card.md`: the data's sources, access, exclusions and a data
        dictionary (field, type, description, example, range, NHS Data Dictionary link)."""
        path = (
            _card(repo, ("data", "card"))
            or _card(repo, ("data", "sheet"))
            or _card(repo, ("data", "dictionary"))
        )
        if path is None:
            return fail("no data card or data dictionary (docs/data-card.md)")
        return passed(path, [evidence(path)])


ALL_CHECKS: tuple[type[Check], ...] = (
    L101,
    L102,
    L103,
    G101,
    G102,
    G103,
    G104,
    G105,
    G106,
    D101,
    D102,
    D103,
    D104,
    D105,
    D106,
    R101,
    R102,
    R103,
    R104,
    R105,
    R106,
    C101,
    C102,
    C103,
    C104,
    P101,
    P102,
    P103,
    P104,
)


# --------------------------------------------------------------------------------------------
# repo-review entry points


def skunkworks_repo(root: Any) -> Repo:
    """Fixture: the reviewed repository (its files, git-tracked or on disk)."""
    return Repo(root)


def repo_review_checks() -> dict[str, Check]:
    return {cls.__name__: cls() for cls in ALL_CHECKS}


def repo_review_families() -> dict[str, dict[str, Any]]:
    return {
        key: {
            "name": f"Skunkworks: {value['name']}",
            "order": value["order"],
            "description": f"NHS AI Lab Skunkworks standard ({value['letter']} checks)",
        }
        for key, value in FAMILIES.items()
    }
