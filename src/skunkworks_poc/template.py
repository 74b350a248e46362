"""Where the bundled template lives, and baking it through cookiecutter's API.

cookiecutter is imported inside the functions so that `skunkworks --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from skunkworks_poc.validate import InvalidAnswer, check_output_dir, validate


class BakeError(RuntimeError):
    """The bake could not happen; ``str()`` is a one-line message for the user."""


def template_dir() -> Path:
    """The template folder: bundled in the wheel, or the repository root in a checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "template", package_dir.parents[1]):
        if (candidate / "cookiecutter.json").is_file():
            return candidate
    raise BakeError(f"the template is missing from {package_dir}; reinstall skunkworks-poc")


def parse_answers(pairs: list[str]) -> dict[str, str]:
    """Turn ``key=value`` arguments into answers, refusing unknown keys."""
    import json

    known = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    answers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise BakeError(f"expected key=value, got {pair!r}")
        if key not in known or key.startswith("_"):
            prompts = ", ".join(k for k in known if not k.startswith("_"))
            raise BakeError(f"unknown answer {key!r}; the prompts are: {prompts}")
        answers[key] = value
    return answers


def resolved_answers(answers: Mapping[str, str]) -> dict[str, object]:
    """The full answer set cookiecutter would use with --no-input, derived values included."""
    from cookiecutter.generate import generate_context
    from cookiecutter.main import _patch_import_path_for_repo
    from cookiecutter.prompt import prompt_for_config

    root = template_dir()
    with _patch_import_path_for_repo(str(root)):
        context = generate_context(
            context_file=str(root / "cookiecutter.json"), extra_context=dict(answers)
        )
        return dict(prompt_for_config(context, no_input=True))


@dataclass
class Baked:
    """What a bake did: the project folder, and for a bake into an existing folder the
    files it added and the existing files it kept although the template differs."""

    project: Path
    merged: bool = False
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def bake(
    answers: Mapping[str, str],
    output_dir: Path,
    *,
    no_input: bool = False,
    overwrite: bool = False,
) -> Baked:
    """Bake a project; nothing is written if an answer or the output folder is invalid.

    The template is baked into a temporary folder first (hooks included), then moved into
    place, so a failed bake leaves nothing behind. Into an existing folder (`overwrite`)
    only missing files are added: a file that exists is never replaced.
    """
    try:
        validate(answers)
        if no_input:
            resolved = resolved_answers(answers)
            validate(resolved)
    except InvalidAnswer as error:
        raise BakeError(str(error)) from None
    problem = check_output_dir(output_dir)
    if problem:
        raise BakeError(f"Invalid output folder: {problem}")
    if no_input:
        # Refuse an existing folder before baking anything (prompted answers are only
        # known after the bake, and are checked then).
        _check_target(Path(output_dir) / str(resolved["project_slug"]), overwrite)
    with tempfile.TemporaryDirectory(prefix="skunkworks-new-") as scratch:
        baked = _bake_in(Path(scratch), answers, no_input=no_input)
        target = Path(output_dir) / baked.name
        if _check_target(target, overwrite):
            return _merge(baked, target)
        _move_into_place(baked, target)
        return Baked(target)


def _check_target(target: Path, overwrite: bool) -> bool:
    """True if `target` exists and may be added to; raises if it may not be used."""
    if not os.path.lexists(target):
        return False
    if not target.is_dir() or target.is_symlink():
        raise BakeError(f"{target} exists and is not a folder; choose another output folder")
    if not overwrite:
        raise BakeError(
            f"{target} already exists; choose another folder, or pass --overwrite to add "
            "the template's missing files to it (existing files are kept)"
        )
    return True


def _bake_in(scratch: Path, answers: Mapping[str, str], *, no_input: bool) -> Path:
    from cookiecutter import exceptions
    from cookiecutter.main import cookiecutter

    try:
        return Path(
            cookiecutter(
                str(template_dir()),
                no_input=no_input,
                extra_context=dict(answers),
                output_dir=str(scratch),
            )
        )
    except exceptions.FailedHookException as error:
        message = str(error)
        if message.startswith("ERROR: "):  # a prompt rule, checked by the template
            raise BakeError(message.removeprefix("ERROR: ")) from None
        # The hook has already printed its one-line reason on stderr.
        raise BakeError("the bake was stopped; nothing was written") from None
    except exceptions.CookiecutterException as error:
        raise BakeError(str(error)) from None


def _move_into_place(baked: Path, target: Path) -> None:
    """Copy the bake next to `target`, then rename it: all of it appears, or nothing."""
    parent = target.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    staging = parent / f".{target.name}.partial-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(baked, staging, symlinks=True)
        os.rename(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise BakeError(f"could not write {target}: {error.strerror or error}") from None


def _merge(baked: Path, target: Path) -> Baked:
    """Add the template's missing files to `target`; keep every file that exists."""
    result = Baked(target, merged=True)
    try:
        for source in sorted(baked.rglob("*")):
            relative = source.relative_to(baked)
            if relative.parts[0] == ".git" or source.is_dir():
                continue
            destination = target / relative
            if not os.path.lexists(destination) and _parents_are_folders(target, relative):
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination, follow_symlinks=False)
                result.added.append(relative.as_posix())
            elif not (
                destination.is_file()
                and not destination.is_symlink()
                and destination.read_bytes() == source.read_bytes()
            ):
                result.kept.append(relative.as_posix())
    except OSError as error:
        raise BakeError(f"could not write {target}: {error.strerror or error}") from None
    if (baked / ".git").is_dir() and not (target / ".git").exists():
        # The user asked for a repository: make it as a fresh bake would (post-gen hook).
        warning = _post_gen_hook().git_init(target)
        if warning:
            print(f"WARNING: {warning}", file=sys.stderr)
    return result


def _parents_are_folders(root: Path, relative: Path) -> bool:
    folder = root
    for part in relative.parts[:-1]:
        folder = folder / part
        if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
            return False
    return True


def _post_gen_hook():
    import importlib.util

    path = template_dir() / "hooks" / "post_gen_project.py"
    spec = importlib.util.spec_from_file_location("skunkworks_post_gen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
