"""`skunkworks licences`: the third-party inventory of the project in the working directory.

The project walked here is the toolkit itself (`skunkworks-poc`, installed in this
environment): real distributions, real metadata, nothing mocked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import markdown
import pytest

from skunkworks_poc import licences
from skunkworks_poc.cli import main as skunkworks

PROJECT = "skunkworks-poc"
SKUNKWORKS = Path(sys.executable).parent / "skunkworks"


def fake_distribution(tmp_path, **fields):
    """A real distribution read from a METADATA file, with the fields given."""
    folder = tmp_path / "example-1.0.dist-info"
    folder.mkdir()
    lines = ["Metadata-Version: 2.4", "Name: example", "Version: 1.0"]
    for field, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            lines.append(f"{field.replace('_', '-')}: {value}")
    (folder / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return metadata.PathDistribution(folder)


def project(folder: Path, name: str = PROJECT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return folder


def test_licence_prefers_the_spdx_expression(tmp_path):
    distribution = fake_distribution(
        tmp_path,
        License_Expression="BSD-3-Clause",
        License="BSD",
        Classifier="License :: OSI Approved :: BSD License",
    )
    assert licences.licence_of(distribution) == "BSD-3-Clause"


def test_licence_falls_back_to_classifiers_when_the_field_holds_a_whole_text(tmp_path):
    distribution = fake_distribution(
        tmp_path,
        License="Copyright (c) someone. " + "Permission is hereby granted... " * 5,
        Classifier=["License :: OSI Approved :: MIT License", "Programming Language :: Python"],
    )
    assert licences.licence_of(distribution) == "MIT License"


def test_licence_says_so_when_nothing_is_declared(tmp_path):
    assert licences.licence_of(fake_distribution(tmp_path, License="UNKNOWN")) == (
        licences.UNDECLARED
    )


def test_home_page_falls_back_to_the_project_urls(tmp_path):
    distribution = fake_distribution(
        tmp_path, Project_URL=["Documentation, https://docs.example.org", "Source, https://x.org/r"]
    )
    assert licences.home_page(distribution) == "https://x.org/r"


def test_dependencies_walk_the_installed_requirement_tree():
    packages = {package.name.lower(): package for package in licences.dependencies(PROJECT)}
    assert PROJECT not in packages
    # Direct dependencies and dependencies of dependencies (cookiecutter needs Jinja2).
    for name in ("cookiecutter", "nhs-number", "packaging", "jinja2", "markupsafe"):
        assert name in packages, name
        assert packages[name].version == metadata.version(name)
        assert packages[name].licence
    assert packages["nhs-number"].licence == "MIT"


def test_an_extra_adds_its_packages():
    runtime = {package.name.lower() for package in licences.dependencies(PROJECT)}
    with_test = {package.name.lower() for package in licences.dependencies(PROJECT, ["test"])}
    assert "pytest" not in runtime
    assert {"pytest", "ruff", "mkdocs"} <= with_test
    assert runtime < with_test


def test_a_project_that_is_not_installed_has_no_dependencies():
    assert licences.dependencies("not-a-project-installed-here") == []


def test_the_command_writes_a_markdown_table_from_a_subfolder(tmp_path, monkeypatch, capsys):
    root = project(tmp_path / "project")
    (root / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(root / "src" / "deep")
    assert skunkworks(["licences"]) == 0
    output = root / "docs" / "third-party-licences.md"
    text = output.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(licences.dependencies(PROJECT))
    assert any(row.startswith("| [cookiecutter](https://") for row in rows)
    assert f"`{PROJECT}` installs at run time" in text
    assert capsys.readouterr().out == f"{output}: {len(rows)} packages\n"


def test_the_command_takes_an_output_and_extras(tmp_path, monkeypatch):
    monkeypatch.chdir(project(tmp_path))
    output = tmp_path / "elsewhere" / "inventory.md"
    assert skunkworks(["licences", "--output", str(output), "--extra", "test"]) == 0
    text = output.read_text(encoding="utf-8")
    assert "with the extras test" in text
    assert re.search(r"^\| \[?pytest\]?", text, re.MULTILINE)


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        (None, "no pyproject.toml in"),
        ('[project]\nname = "not-a-project-installed-here"\n', "is not installed in this"),
        ("[project\n", "pyproject.toml: not valid TOML"),
        ("[tool.x]\ny = 1\n", "pyproject.toml: [project] name is missing"),
        ("project = 3\n", "pyproject.toml: [project] name is missing"),
    ],
)
def test_a_project_the_command_cannot_use_is_one_line(tmp_path, pyproject, expected):
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    result = subprocess.run(
        [str(SKUNKWORKS), "licences"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skunkworks licences: "), result.stderr
    assert expected in lines[0]
    assert not (tmp_path / "docs").exists()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_metadata_is_shown_as_text_never_as_markup():
    # A package's metadata is third-party text: it must not add a cell, a link or a script.
    hostile = licences.Package(
        name="evil_pkg<script>alert(1)</script>",
        version="1.0 | extra cell",
        licence="MIT [click](javascript:alert(2)) *bold* <img src=x onerror=alert(3)>",
        home_page="javascript:alert(4)",
    )
    linked = licences.Package("plain", "2.0", "MIT", "https://example.org/p")
    bad_url = licences.Package("paren", "3.0", "MIT", "https://example.org/a)(b")
    page = markdown.markdown(
        licences.render("x", [hostile, linked, bad_url]), extensions=["tables"]
    )
    parsed = Tags()
    parsed.feed(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags and "strong" not in tags and "em" not in tags
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert links == ["https://example.org/p"]
    assert tags.count("tr") == 4  # header and three packages, no cell split off
    assert tags.count("td") == 9
    shown = "".join(parsed.text)
    for value in (hostile.name, hostile.version, hostile.licence):
        assert value in shown
