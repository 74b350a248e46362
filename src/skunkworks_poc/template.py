"""Where the bundled template lives, and baking it through cookiecutter's API.

cookiecutter is imported inside the functions so that `skunkworks --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from skunkworks_poc.validate import InvalidAnswer, validate


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


def bake(
    answers: Mapping[str, str],
    output_dir: Path,
    *,
    no_input: bool = False,
    overwrite: bool = False,
) -> Path:
    """Bake a project and return its folder; nothing is written if an answer is invalid."""
    from cookiecutter import exceptions
    from cookiecutter.main import cookiecutter

    try:
        validate(answers)
        if no_input:
            validate(resolved_answers(answers))
    except InvalidAnswer as error:
        raise BakeError(str(error)) from None
    try:
        project = cookiecutter(
            str(template_dir()),
            no_input=no_input,
            extra_context=dict(answers),
            output_dir=str(output_dir),
            overwrite_if_exists=overwrite,
        )
    except exceptions.OutputDirExistsException as error:
        raise BakeError(f"{error}; choose another folder or pass --overwrite") from None
    except exceptions.FailedHookException:
        # The hook has already printed its one-line reason on stderr.
        raise BakeError("the bake was stopped; nothing was written") from None
    except exceptions.CookiecutterException as error:
        raise BakeError(str(error)) from None
    return Path(project)
