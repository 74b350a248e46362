"""MkDocs hook (mkdocs.yml `hooks:`): the README is the site's home page.

The README stays the one source of the project's front page. This hook hands it to MkDocs as
`index.md` when the site is built, with two changes that only make sense on the site:
links to files outside `docs/` (LICENCE, pyproject.toml, ...) point to the repository on
GitHub, and links into `docs/` become links between pages; the badge lines are left out,
because their images come from a third-party server and the site must work offline. The
licence inventory joins the navigation when `make licences` has written it.
Self-contained on purpose: MkDocs loads it as a file, not from the installed package.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = "README.md"
HOME = "index.md"
LICENCES = "third-party-licences.md"  # written by `make licences`
_LINK = re.compile(r"(?P<open>\]\()(?P<target>[^)\s]+)(?P<close>\))")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Settings the theme writes into HTML, some into attributes (`<meta content="...">`), without
# escaping them: the project's name and description are free text (a `"` would end the
# attribute and start a new one).
PLAIN_TEXT_SETTINGS = ("site_name", "site_description", "site_author", "copyright")


def rewrite_link(target: str, docs_files: set[str], repository: str) -> str:
    """Where a README link should point from the site's home page."""
    if target.startswith(("#", "/")) or _SCHEME.match(target):
        return target
    path, _, anchor = target.partition("#")
    suffix = f"#{anchor}" if anchor else ""
    if path.startswith("docs/") and path.removeprefix("docs/") in docs_files:
        return path.removeprefix("docs/") + suffix
    return f"{repository.rstrip('/')}/blob/main/{path}{suffix}"


def home_page(readme: str, docs_files: set[str], repository: str) -> str:
    """The README as the site's home page (see the module docstring)."""
    lines = [line for line in readme.splitlines() if not line.startswith("[![")]
    text = "\n".join(lines) + "\n"
    return _LINK.sub(
        lambda match: (
            match["open"] + rewrite_link(match["target"], docs_files, repository) + match["close"]
        ),
        text,
    )


def escape_settings(config: Any) -> None:
    """Turn the free-text settings into escaped HTML the theme cannot break out of.

    `markupsafe.Markup` is what Jinja treats as already-safe HTML: where the theme's
    templates print `config.site_name` as it is, the escaped text goes in; where they pass it
    through the `e` filter first, it is not escaped a second time.
    """
    from markupsafe import Markup, escape

    for key in PLAIN_TEXT_SETTINGS:
        value = config.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            config[key] = escape(value)


def on_config(config: Any) -> Any:
    """Escape the free-text settings for HTML; list the licence inventory in the navigation
    once `make licences` has written it."""
    escape_settings(config)
    nav = config.get("nav")
    inventory = Path(config["docs_dir"]) / LICENCES
    listed = any(LICENCES in str(entry) for entry in nav or [])
    if nav is not None and inventory.is_file() and not listed:
        nav.append({"Third-party licences": LICENCES})
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    if files.get_file_from_path(HOME) is not None:
        return files  # a hand-written docs/index.md wins
    readme = Path(config["config_file_path"]).parent / README
    repository = (config.get("extra") or {}).get("repository", "")
    docs_files = {file.src_uri for file in files}
    content = home_page(readme.read_text(encoding="utf-8"), docs_files, repository)
    files.append(File.generated(config, HOME, content=content))
    return files
