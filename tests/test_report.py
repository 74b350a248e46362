"""The generated project's self-filling documents and their site, for real.

One copy of the default bake is installed, runs `make pipeline-fake` (fake data, `dvc repro`),
`make report` twice and `make docs` (`mkdocs build --strict`). The built HTML must show the
numbers of metrics/metrics.json and the figures; headless Chromium must draw the report page.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness import install_project

pytestmark = pytest.mark.slow

DOCUMENTS = ("technical-report.md", "model-card.md", "data-card.md", "atrs.md")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PIXEL_COUNT = """
import sys
import numpy as np
from matplotlib.image import imread
image = imread(sys.argv[1])[:, :, :3]
colours = np.unique((image * 255).astype("uint8").reshape(-1, 3), axis=0)
non_white = float((image < 0.95).any(axis=2).mean())
print(len(colours), non_white)
"""


class PageParser(HTMLParser):
    """Text of the table cells (by table, by row), images and external resources of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "img":
            self.images.append(attributes.get("src", ""))
        source = attributes.get("src") or (attributes.get("href") if tag == "link" else None)
        if source and source.startswith(("http:", "https:", "//")):
            self.external.append(f"<{tag}> {source}")

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def table(self, header: list[str]) -> dict[str, list[str]]:
        """The first table whose header row is `header`, as {first cell: other cells}."""
        for rows in self.tables:
            if rows and rows[0] == header:
                return {row[0]: row[1:] for row in rows[1:] if row}
        raise AssertionError(f"no table with the header {header}")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(page: Path) -> PageParser:
    parser = PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def site(bake_shared, stack, tmp_path_factory):
    """A copy of the default bake after fresh-site build, pipeline, two reports and docs."""
    base = tmp_path_factory.mktemp("report")
    project = base / "project"
    shutil.copytree(bake_shared(), project, symlinks=True)
    env = install_project(project, stack, base / "venv")
    timings, outputs = {}, {}

    def step(name: str, *args: str, **kwargs):
        started = time.monotonic()
        result = env.run(*args, **kwargs)
        timings[name] = round(time.monotonic() - started, 1)
        outputs[name] = f"exit {result.returncode}\n{result.stdout}{result.stderr}"
        return result

    step("fresh docs", "make", "RUN=", "docs", check=False)
    fresh_site = digest(project / "site") if (project / "site").is_dir() else {}
    step("pipeline", "make", "RUN=", "pipeline-fake")
    step("report", "make", "RUN=", "report")
    after_first = digest(project / "docs")
    step("report again", "make", "RUN=", "report")
    after_second = digest(project / "docs")
    step("docs", "make", "RUN=", "docs")
    print("timings (s):", timings)
    return {
        "env": env,
        "project": project,
        "outputs": outputs,
        "fresh_site": fresh_site,
        "docs": (after_first, after_second),
    }


def test_a_fresh_bake_builds_a_strict_site(site):
    output = site["outputs"]["fresh docs"]
    assert output.startswith("exit 0\n") and "Documentation built" in output, output
    assert "WARNING -" not in output, output
    assert {"index.html", "technical-report.html", "reference.html"} <= set(site["fresh_site"])


def test_report_fills_the_documents_then_changes_nothing(site):
    first, second = site["docs"]
    assert first == second
    assert "nothing changed" in site["outputs"]["report again"]
    assert "figures/roc_curve.png" in first and "figures/feature_importance.png" in first
    for name in DOCUMENTS:
        text = (site["project"] / "docs" / name).read_text(encoding="utf-8")
        assert "Written by `make report`." not in text, name
        assert "No results yet" not in text, name


def test_built_pages_show_the_metrics_of_metrics_json(site):
    project = site["project"]
    metrics = json.loads((project / "metrics" / "metrics.json").read_text())
    assert "WARNING -" not in site["outputs"]["docs"], site["outputs"]["docs"]
    for page in ("technical-report.html", "model-card.html"):
        parsed = parse(project / "site" / page)
        rows = parsed.table(["Metric", "Value"])
        assert rows["ROC AUC"] == [f"{metrics['roc_auc']:.3f}"], page
        assert rows["Sensitivity (recall)"] == [f"{metrics['sensitivity']:.3f}"], page
        assert rows["Specificity"] == [f"{metrics['specificity']:.3f}"], page
        assert rows["Brier score (lower is better)"] == [f"{metrics['brier_score']:.3f}"], page
        assert parsed.table(["", "Predicted positive", "Predicted negative"])[
            "Actually positive"
        ] == [
            str(metrics["true_positive"]),
            str(metrics["false_negative"]),
        ], page


def test_built_data_card_has_the_skunkworks_data_dictionary(site):
    parsed = parse(site["project"] / "site" / "data-card.html")
    header = [
        "Field",
        "Selected for modelling",
        "Datatype",
        "Description",
        "Example",
        "Min",
        "Max",
        "NHS Data Dictionary",
    ]
    rows = parsed.table(header)
    assert len(rows) == 31  # every column the default schema declares
    assert rows["mean_radius"][:2] == ["yes", "float"]
    assert rows["malignant"][0].startswith("no (outcome")


def test_api_reference_documents_the_package(site):
    page = (site["project"] / "site" / "reference.html").read_text(encoding="utf-8")
    for module in ("report", "report_blocks", "pipeline", "data.fake"):
        assert f'id="sepsis_early_warning.{module}"' in page, module


def test_built_report_shows_the_figures(site):
    project = site["project"]
    images = parse(project / "site" / "technical-report.html").images
    expected = {
        "figures/roc_curve.png",
        "figures/precision_recall_curve.png",
        "figures/confusion_matrix.png",
        "figures/feature_importance.png",
    }
    assert expected <= set(images)
    for source in expected:
        assert (project / "site" / source).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_site_loads_nothing_from_other_hosts(site):
    for page in sorted((site["project"] / "site").glob("*.html")):
        assert parse(page).external == [], page.name


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is needed for the screenshot test and was not found: install it "
        "(`apt-get install -y chromium` on Debian/Ubuntu)",
        pytrace=False,
    )


def test_report_page_renders_in_headless_chromium(site, tmp_path):
    browser = chromium()
    screenshot = tmp_path / "report.png"
    page = (site["project"] / "site" / "technical-report.html").as_uri()
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            "--window-size=1280,1600",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert screenshot.is_file(), f"no screenshot (exit {result.returncode}):\n{result.stderr}"
    counted = site["env"].python_run("-c", PIXEL_COUNT, screenshot).stdout.split()
    colours, non_white = int(counted[0]), float(counted[1])
    # A blank or error page has a handful of colours; text, tables and the header have many.
    assert colours > 100, colours
    assert non_white > 0.05, non_white


def test_report_pdf_is_printed_by_the_installed_chromium(site):
    chromium()
    site["env"].run("make", "RUN=", "report-pdf", timeout=300)
    pdf = site["project"] / "site" / "technical-report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.stat().st_size > 50_000  # text, tables and four figures
