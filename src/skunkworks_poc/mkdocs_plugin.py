"""The `skunkworks` MkDocs plugin (`plugins: [search, skunkworks]` in a project's mkdocs.yml).

Registered by entry point (`mkdocs.plugins`), so a project carries no hook file:

- the README is the site's home page. It stays the one source of the project's front page
  and is handed to MkDocs as `index.md` when the site is built, with two changes that only
  make sense on the site: links to files outside `docs/` (LICENCE, pyproject.toml, ...) point
  to the repository on GitHub (`extra.repository`), links into `docs/` become links between
  pages; the badge lines are left out, because their images come from a third-party server
  and the site must work offline. A hand-written `docs/index.md` wins.
- the licence inventory (`skunkworks licences`) joins the navigation once it is written.
- the free-text settings (`site_name`, `site_description`, `site_author`, `copyright`) are
  escaped for HTML exactly once: the theme writes some of them into attributes
  (`<meta content="...">`) as they are, and a project's name and description are answers
  typed by a person (a `"` would end the attribute and start a new one).

Only MkDocs imports this module: `skunkworks --help` never does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

README = "README.md"
HOME = "index.md"
LICENCES = "third-party-licences.md"  # written by `skunkworks licences`
PLAIN_TEXT_SETTINGS = ("site_name", "site_description", "site_author", "copyright")
_LINK = re.compile(r"(?P<open>\]\()(?P<target>[^)\s]+)(?P<close>\))")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def rewrite_link(target: str, docs_files: set[str], repository: str) -> str:
    """Where a README link should point from the site's home page."""
    if target.startswith(("#", "/")) or _SCHEME.match(target):
        return target
    path, _, anchor = target.partition("#")
    suffix = f"#{anchor}" if anchor else ""
    if path.startswith("docs/") and path[len("docs/") :] in docs_files:
        return path[len("docs/") :] + suffix
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
    through the `e` filter first, it is not escaped a second time. A value that is already
    `Markup` (`mkdocs serve` hands the same config to a rebuild) is left alone.
    """
    for key in PLAIN_TEXT_SETTINGS:
        value = config.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            config[key] = escape(value)


def add_licences_to_nav(config: Any) -> None:
    """List the licence inventory in an explicit navigation once it exists, once."""
    nav = config.get("nav")
    inventory = Path(config["docs_dir"]) / LICENCES
    listed = any(LICENCES in str(entry) for entry in nav or [])
    if nav is not None and inventory.is_file() and not listed:
        nav.append({"Third-party licences": LICENCES})


class _Options(Config):
    # The README to publish as the home page, relative to mkdocs.yml.
    readme = config_options.Type(str, default=README)


class SkunkworksPlugin(BasePlugin[_Options]):
    """The README as home page, the licence inventory in the navigation, escaped settings."""

    def on_config(self, config: Any) -> Any:
        escape_settings(config)
        add_licences_to_nav(config)
        return config

    def on_files(self, files: Files, /, *, config: Any) -> Files:
        if files.get_file_from_path(HOME) is not None:
            return files  # a hand-written docs/index.md wins
        readme = Path(config["config_file_path"]).parent / self.config.readme
        try:
            text = readme.read_text(encoding="utf-8")
        except OSError as error:
            from mkdocs.exceptions import PluginError

            raise PluginError(
                f"skunkworks: {readme} cannot be read ({error.strerror}); it is the site's home "
                "page (write docs/index.md instead, or set `readme:` under the plugin)"
            ) from None
        repository = (config.get("extra") or {}).get("repository", "")
        docs_files = {file.src_uri for file in files}
        files.append(File.generated(config, HOME, content=home_page(text, docs_files, repository)))
        return files
