"""The repository under review, as the checks see it: its files, read once, never executed.

When the folder holds a `.git`, the files are the ones git tracks (the index: staged files
count, untracked ones do not); otherwise every file on disk except the usual tool folders. A
GitHub path that repo-review hands us (`gh:org/repo`) is walked through its Traversable.

git is asked only for `ls-files`, with the repository's own configuration unable to run
anything (`core.fsmonitor` off) and without the network.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from skunkworks_poc.checks import decode

# Folders never reviewed when reading from disk: tool caches and environments, not the
# repository's content.
SKIPPED_FOLDERS = frozenset(
    {".git", ".venv", "venv", "env", "__pycache__", "node_modules", ".mypy_cache"}
    | {".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ipynb_checkpoints", ".dvc"}
    | {"site", "build", "dist", ".eggs"}
)
# Files larger than this are judged by name and size only (a check that reads text says how
# many it could not read).
MAX_TEXT_BYTES = 20_000_000


@dataclass
class Outcome:
    """What a check found: its result, the message, the evidence and any skip reason."""

    result: bool | None
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)


def evidence(file: str = "", line: int | None = None, size: int | None = None, note: str = ""):
    """One piece of evidence (a file, a line in it, its size, what was seen there)."""
    item: dict[str, Any] = {}
    if file:
        item["file"] = file
    if line is not None:
        item["line"] = line
    if size is not None:
        item["size"] = size
    if note:
        item["note"] = note
    return item


class Repo:
    """The reviewed repository. Read-only; what is read is cached.

    repo-review deep-copies fixtures around every check and warns when they differ after one:
    this object is shared (a copy is itself) and equal to itself, and the outcomes the checks
    record for `skunkworks review` live on it.
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self.local = Path(root) if isinstance(root, Path) else None
        self.outcomes: dict[str, Outcome] = {}
        self._text: dict[str, str | None] = {}

    def __deepcopy__(self, memo: dict) -> Repo:
        return self

    # Files -----------------------------------------------------------------------------------
    @cached_property
    def source(self) -> str:
        """ "git" (the files git tracks) or "disk" (every file in the folder)."""
        return self._listing[0]

    @cached_property
    def files(self) -> list[str]:
        """Every reviewed file, as a POSIX path relative to the root, sorted."""
        return self._listing[1]

    @cached_property
    def _listing(self) -> tuple[str, list[str]]:
        if self.local is not None:
            if (self.local / ".git").exists():
                tracked = _git_files(self.local)
                if tracked is not None:
                    # A tracked symbolic link is not followed: it may point outside the repository.
                    return "git", sorted(
                        p
                        for p in tracked
                        if (self.local / p).is_file() and not (self.local / p).is_symlink()
                    )
            return "disk", sorted(_disk_files(self.local))
        return "disk", sorted(_traversable_files(self.root))

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def folders(self) -> frozenset[str]:
        """Every folder that holds a reviewed file (POSIX, relative; not the root)."""
        found = set()
        for path in self.files:
            found.update(str(parent) for parent in PurePosixPath(path).parents)
        found.discard(".")
        return frozenset(found)

    def glob(self, *patterns: str) -> list[str]:
        """Reviewed files whose path matches any of `patterns` (case-insensitive fnmatch)."""
        compiled = [re.compile(fnmatch.translate(p), re.IGNORECASE) for p in patterns]
        return [path for path in self.files if any(c.match(path) for c in compiled)]

    def find(self, names: Iterable[str], places: Iterable[str] = ("", ".github", "docs")):
        """The first reviewed file named one of `names` (case-insensitive, any suffix in the
        names given) in one of `places`, or None."""
        wanted = {name.lower() for name in names}
        for place in places:
            for path in self.files:
                parent = str(PurePosixPath(path).parent)
                if (parent if parent != "." else "") == place and (
                    PurePosixPath(path).name.lower() in wanted
                ):
                    return path
        return None

    def size(self, path: str) -> int:
        if self.local is not None:
            try:
                return (self.local / path).stat().st_size
            except OSError:
                return 0
        return len(self.read_bytes(path) or b"")

    def read_bytes(self, path: str, limit: int | None = None) -> bytes | None:
        try:
            if self.local is not None:
                with open(self.local / path, "rb") as file:
                    return file.read(limit) if limit else file.read()
            data = self.root.joinpath(path).read_bytes()
            return data[:limit] if limit else data
        except (OSError, ValueError):
            return None

    def text(self, path: str) -> str | None:
        """The file's text (any Unicode encoding the guards read), or None when binary,
        unreadable or too large."""
        if path not in self._text:
            if self.size(path) > MAX_TEXT_BYTES:
                self._text[path] = None
            else:
                content = self.read_bytes(path)
                self._text[path] = None if content is None else decode(content)
        return self._text[path]

    def absolute(self, path: str) -> str | None:
        """The path on disk, for the guards that open files themselves."""
        return str(self.local / path) if self.local is not None else None

    # Configuration --------------------------------------------------------------------------
    @cached_property
    def pyproject(self) -> dict[str, Any] | None:
        """The parsed pyproject.toml, {} when unparsable, None when missing."""
        if "pyproject.toml" not in self.file_set:
            return None
        return load_toml(self.text("pyproject.toml") or "")

    @cached_property
    def gitignore(self) -> GitIgnore:
        return GitIgnore(self.text(".gitignore") or "" if ".gitignore" in self.file_set else "")

    @cached_property
    def workflows(self) -> dict[str, Any]:
        """GitHub workflows: path -> parsed YAML (None when it does not parse)."""
        return {
            path: load_yaml(self.text(path) or "")
            for path in self.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")
        }

    @cached_property
    def makefile_targets(self) -> dict[str, str]:
        """Makefile target -> its recipe's text (one level: good enough to see what it runs)."""
        text = self.text("Makefile") if "Makefile" in self.file_set else None
        targets: dict[str, str] = {}
        current: list[str] = []
        for line in (text or "").splitlines():
            if line.startswith("\t"):
                for name in current:
                    targets[name] += line.strip() + "\n"
                continue
            match = re.match(r"^([A-Za-z0-9_.\- ]+):(?!=)(.*)$", line)
            if match:
                current = match.group(1).split()
                for name in current:
                    targets.setdefault(name, "")
                    # Prerequisites run too: `pipeline-fake: fake-data`.
                    targets[name] += "make " + match.group(2).split("#")[0].strip() + "\n"
            elif line.strip() and not line.startswith("#"):
                current = []
        return targets

    def expand_make(self, command: str, depth: int = 2) -> str:
        """`command` with each `make TARGET` followed by what the target runs."""
        if depth == 0:
            return command
        extra = []
        for match in re.finditer(r"\bmake\s+((?:[A-Za-z0-9_.-]+\s*)+)", command):
            for target in match.group(1).split():
                recipe = self.makefile_targets.get(target)
                if recipe:
                    extra.append(self.expand_make(recipe, depth - 1))
        return "\n".join([command, *extra])


def load_toml(text: str) -> dict[str, Any]:
    import sys

    if sys.version_info >= (3, 11):  # noqa: UP036 - the toolkit runs on 3.10 too
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def load_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _git_files(root: Path) -> list[str] | None:
    """What git tracks under `root`, or None when git cannot say (no git, not a repository)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")} | {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
    }
    try:
        completed = subprocess.run(
            [
                *("git", "-c", "core.fsmonitor=false", "-c", f"safe.directory={root}"),
                *("-C", str(root), "ls-files", "-z", "--cached", "--full-name"),
            ],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return [name for name in names if name]


def _disk_files(root: Path) -> Iterator[str]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        relative = Path(folder).relative_to(root)
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield (relative / name).as_posix()


def _traversable_files(root: Any, prefix: str = "") -> Iterator[str]:
    try:
        children = list(root.iterdir())
    except (OSError, ValueError):
        return
    for child in children:
        if child.is_dir():
            if child.name not in SKIPPED_FOLDERS:
                yield from _traversable_files(child, f"{prefix}{child.name}/")
        elif child.is_file():
            yield f"{prefix}{child.name}"


class GitIgnore:
    """The root `.gitignore`'s patterns: enough of git's rules to ask whether a path is
    ignored (anchored and unanchored patterns, `**`, folder-only patterns, negation)."""

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[bool, bool, re.Pattern[str]]] = []
        for raw in text.splitlines():
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            folder_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            if not line:
                continue
            regex = _glob_regex(line)
            prefix = "" if anchored else "(?:.*/)?"
            self.rules.append((negate, folder_only, re.compile(f"^{prefix}{regex}$")))

    def ignores(self, path: str, is_folder: bool = False) -> bool:
        """Whether git would ignore `path` (a folder when `is_folder`), judging every parent
        folder first as git does (a file in an ignored folder is ignored)."""
        parts = PurePosixPath(path).parts
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            folder = depth < len(parts) or is_folder
            if self._match(here, folder) and depth < len(parts):
                return True
        return self._match(path, is_folder)

    def _match(self, path: str, is_folder: bool) -> bool:
        ignored = False
        for negate, folder_only, regex in self.rules:
            if folder_only and not is_folder:
                continue
            if regex.match(path):
                ignored = not negate
        return ignored


def _glob_regex(pattern: str) -> str:
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("/**", index) and index + 3 == len(pattern):
            out.append("/.*")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape("["))
                index += 1
            else:
                body = pattern[index + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                index = end + 1
        elif pattern[index] == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return "".join(out)
