"""The `skunkworks` MkDocs plugin: README as home page, licence inventory in the navigation,
free-text settings escaped exactly once. A real `mkdocs build --strict` of a tiny site with the
Material theme a generated project uses, read back as HTML."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from skunkworks_poc import mkdocs_plugin

MKDOCS = Path(sys.executable).parent / "mkdocs"
REPOSITORY = "https://github.com/owner/repo"
NAME = 'Sepsis "Quoted" Warning & Co <b>'
DESCRIPTION = 'a" onmouseover="alert(9)'
README = f"""# {NAME}

[![CI](https://img.shields.io/badge/ci-passing-green)](https://github.com/owner/repo/actions)

Read the [model card](docs/model-card.md#intended-use), the [licence](LICENCE) and
[the standard](https://example.org/standard).
"""


def test_readme_links_point_to_pages_or_to_the_repository():
    pages = {"model-card.md"}
    rewrite = mkdocs_plugin.rewrite_link
    assert rewrite("docs/model-card.md#data", pages, REPOSITORY) == "model-card.md#data"
    assert rewrite("LICENCE", pages, REPOSITORY) == f"{REPOSITORY}/blob/main/LICENCE"
    missing = rewrite("docs/missing.md", pages, REPOSITORY)
    assert missing == f"{REPOSITORY}/blob/main/docs/missing.md"
    for kept in ("#intended-use", "https://example.org/x", "mailto:a@b.c", "/absolute"):
        assert rewrite(kept, pages, REPOSITORY) == kept


def test_home_page_drops_badges_that_load_third_party_images():
    home = mkdocs_plugin.home_page(README, set(), REPOSITORY)
    assert "img.shields.io" not in home
    assert home.splitlines()[0] == README.splitlines()[0]


def test_licence_inventory_joins_the_navigation_once_written(tmp_path):
    config = {"nav": [{"Home": "index.md"}], "docs_dir": str(tmp_path)}
    mkdocs_plugin.add_licences_to_nav(config)
    assert config["nav"] == [{"Home": "index.md"}]
    (tmp_path / mkdocs_plugin.LICENCES).write_text("# Third-party licences\n", encoding="utf-8")
    mkdocs_plugin.add_licences_to_nav(config)
    mkdocs_plugin.add_licences_to_nav(config)
    assert config["nav"] == [{"Home": "index.md"}, {"Third-party licences": mkdocs_plugin.LICENCES}]


def test_free_text_settings_are_escaped_once():
    config = {"site_name": 'A "B" <i>', "site_description": 'a" onmouseover="x', "nav": None}
    mkdocs_plugin.escape_settings(config)
    mkdocs_plugin.escape_settings(config)  # mkdocs serve reloads: never escaped twice
    assert config["site_description"] == "a&#34; onmouseover=&#34;x"
    assert escape(config["site_name"]) == "A &#34;B&#34; &lt;i&gt;"


def site(tmp_path: Path, *, licences: bool = True, index: bool = False, readme: bool = True):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    config = {
        "site_name": NAME,
        "site_description": DESCRIPTION,
        "site_author": 'Supplier "Ltd" <x>',
        "copyright": "© Trust & Co. <OGL>",
        "strict": True,
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False},
        "extra": {"repository": REPOSITORY, "generator": False},
        "plugins": ["search", "skunkworks"],
        "validation": {"absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn"},
        "nav": [{"Home": "index.md"}, {"Model card": "model-card.md"}],
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    if readme:
        (project / "README.md").write_text(README, encoding="utf-8")
    (project / "docs" / "model-card.md").write_text(
        "# Model card\n\n## Intended use\n\nTriage.\n", encoding="utf-8"
    )
    if licences:
        (project / "docs" / "third-party-licences.md").write_text(
            "# Third-party licences\n", encoding="utf-8"
        )
    if index:
        (project / "docs" / "index.md").write_text("# Written by hand\n", encoding="utf-8")
    return project


def build(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MKDOCS), "build", "--strict"],
        cwd=project,
        env={"PATH": f"{MKDOCS.parent}:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, dict[str, str | None]] = {}
        self.logo_titles: list[str | None] = []
        self.links: list[str | None] = []
        self.images: list[str | None] = []
        self.title: list[str] = []
        self.text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "name" in attributes:
            self.meta[str(attributes["name"])] = attributes
        if tag == "a" and "md-logo" in (attributes.get("class") or ""):
            self.logo_titles.append(attributes.get("title"))
        if tag == "a":
            self.links.append(attributes.get("href"))
        if tag == "img":
            self.images.append(attributes.get("src"))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = site(tmp_path_factory.mktemp("site"))
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def test_quotes_in_settings_stay_inside_html_attributes_and_show_once(built):
    """A `"` in the project's name or description must not end the attribute the theme writes
    it into (`<meta name="description" content="...">`), nor show escaped twice."""
    for name in ("index.html", "model-card.html"):
        page = parse(built / "site" / name)
        assert page.meta["description"] == {"name": "description", "content": DESCRIPTION}, name
        assert page.meta["author"]["content"] == 'Supplier "Ltd" <x>', name
        assert page.logo_titles and set(page.logo_titles) == {NAME}, name
        assert "".join(page.title).endswith(NAME), name
        assert "© Trust & Co. <OGL>" in " ".join("".join(page.text).split()), name
        assert "&amp;amp;" not in (built / "site" / name).read_text(encoding="utf-8")


def test_the_readme_is_the_home_page_without_badges(built):
    page = parse(built / "site" / "index.html")
    assert "model-card.html#intended-use" in page.links
    assert f"{REPOSITORY}/blob/main/LICENCE" in page.links
    assert "https://example.org/standard" in page.links
    assert not [src for src in page.images if src and "shields.io" in src]


def test_the_licence_inventory_is_in_the_navigation(built):
    page = parse(built / "site" / "index.html")
    assert "third-party-licences.html" in page.links
    assert "Third-party licences" in "".join(page.text)


def test_a_hand_written_index_wins(tmp_path):
    project = site(tmp_path, index=True, licences=False)
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    page = parse(project / "site" / "index.html")
    assert "Written by hand" in "".join(page.text)
    assert "third-party-licences.html" not in page.links


def test_a_missing_readme_fails_the_build_with_one_clear_line(tmp_path):
    project = site(tmp_path, readme=False)
    result = build(project)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "skunkworks:" in line]
    assert len(errors) == 1 and "README.md cannot be read" in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_skunkworks_help_never_imports_mkdocs():
    probe = (
        "import sys\n"
        "from skunkworks_poc.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(','.join(m for m in ('mkdocs', 'markupsafe', 'nhs_number', 'vl_convert')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stderr == ""  # none of them imported
    assert "check" in result.stdout and "licences" in result.stdout and "plots" in result.stdout
