"""The generated project's self-filling documents and their site, for real.

One copy of the default bake is installed, runs `make pipeline-fake` (fake data, `dvc repro`),
`make report` twice and `make docs` (`mkdocs build --strict`). The built HTML must show the
numbers of metrics/metrics.json and the figures; headless Chromium must draw the report page.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from harness import install_project

# One xdist worker runs the whole module: otherwise each worker that picks up one of its
# tests builds its module fixtures (a pipeline, reports and a docs build) again.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

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
    # Every column the fake schema declares: the default 31 and four subgroup columns.
    assert len(rows) == 35
    assert rows["ethnicity"][0].startswith("no (subgroup")
    assert rows["mean_radius"][:2] == ["yes", "float"]
    assert rows["malignant"][0].startswith("no (outcome")


def test_api_reference_documents_the_package(site):
    page = (site["project"] / "site" / "reference.html").read_text(encoding="utf-8")
    # The report engine lives in the toolkit now: the reference shows the PoC's own code.
    assert 'id="sepsis_early_warning.report"' not in page
    for module in ("contract", "evaluate", "pipeline", "data.fake"):
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


def headless(profile: Path, *arguments: str, timeout: float = 120):
    """Run the installed Chromium headless with its own profile, quiet and offline-minded:
    no first-run pages, background fetches or component updates."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_report_page_renders_in_headless_chromium(site, tmp_path):
    screenshot = tmp_path / "report.png"
    page = (site["project"] / "site" / "technical-report.html").as_uri()
    result = headless(
        tmp_path / "profile",
        "--hide-scrollbars",
        f"--screenshot={screenshot}",
        "--window-size=1280,1600",
        page,
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


# --- Links, wide tables ----------------------------------------------------------------------

LOOPBACK = re.compile(r"//(127\.|localhost|\[::1\]|0\.0\.0\.0)", re.IGNORECASE)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value or "" for name, value in attrs if name in {"href", "src"}]


def test_published_report_links_to_no_local_server(site):
    """A run id linked to http://127.0.0.1:5000 is dead for every reader of the published site:
    without a public MLflow UI configured, run ids are text, with where to find them."""
    project = site["project"]
    run_id = json.loads((project / "metrics" / "mlflow_run.json").read_text())["run_id"]
    for page in ("technical-report.html", "model-card.html", "atrs.html"):
        html = (project / "site" / page).read_text(encoding="utf-8")
        links = Links()
        links.feed(html)
        assert not [href for href in links.hrefs if LOOPBACK.search(href)], page
        assert run_id in html, page
    report = (project / "site" / "technical-report.html").read_text(encoding="utf-8")
    assert "Training runs" in report  # where the run id is found in the MLflow UI


MEASURE_TABLES = """
<script>
window.addEventListener("load", function () { setTimeout(function () {
  var content = document.querySelector(".md-content").getBoundingClientRect();
  var tables = [];
  document.querySelectorAll("table").forEach(function (table) {
    var hidden = 0;
    // The table and the theme's wrappers around it (scrolling boxes the reader may not see).
    for (var box = table; box && !box.classList.contains("md-content__inner");
         box = box.parentElement) {
      hidden = Math.max(hidden, box.scrollWidth - box.clientWidth);
    }
    tables.push({
      header: table.rows[0].innerText.slice(0, 60),
      overflow: table.scrollWidth - table.clientWidth,
      hidden: hidden,
      past_content: table.getBoundingClientRect().right - content.right
    });
  });
  var out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({width: window.innerWidth, tables: tables});
  document.body.appendChild(out);
}, 300); });
</script>
"""


def test_wide_tables_fit_the_page_at_1280_px(site, tmp_path):
    """The comparison of runs (ten columns) must not run past the page at 1280 px: every table
    fits inside the content column, with nothing scrolled out of sight."""
    chromium()  # fails at once, with what to install, before the slower set-up
    pages = site["project"] / "site"
    measured_page = pages / "measure-tables.html"
    html = (pages / "technical-report.html").read_text(encoding="utf-8")
    measured_page.write_text(html.replace("</body>", MEASURE_TABLES + "</body>"), "utf-8")
    try:
        result = headless(
            tmp_path / "profile",
            "--window-size=1280,1600",
            "--virtual-time-budget=5000",
            "--dump-dom",
            measured_page.as_uri(),
        )
    finally:
        measured_page.unlink()
    found = re.search(r'<pre id="measured">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found, f"no measurement (exit {result.returncode}):\n{result.stderr[-3000:]}"
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert measured["width"] == 1280
    headers = [table["header"] for table in measured["tables"]]
    assert any(header.startswith("Rank") for header in headers), headers  # the comparison
    for table in measured["tables"]:
        assert table["overflow"] <= 1, table
        assert table["hidden"] <= 1, table
        assert table["past_content"] <= 1, table


# --- Untrusted text: runs, data, answers -----------------------------------------------------

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "link": '<a href="javascript:alert(2)">x</a>',
    "image": "<img src=x onerror=alert(3)>",
    "markdown": '[click](javascript:alert(4)) | `tick` *star* {: onclick="alert(5)" }\nline',
}
HOSTILE_COLUMN = "<img src=x onerror=alert(6)>"
HOSTILE_DESCRIPTION = "<script>alert(7)</script> | [x](javascript:alert(8))"
LOG_HOSTILE_RUN = """
import json, sys
from pathlib import Path
from mlflow import MlflowClient

root, hostile = Path(sys.argv[1]), json.loads(sys.argv[2])
metrics = json.loads((root / "metrics/metrics.json").read_text())
metrics.update(json.loads((root / "metrics/cv.json").read_text()))  # logged with a run too
uri = f"sqlite:///{(root / 'mlflow.db').as_posix()}"
client = MlflowClient(uri)
experiment = client.create_experiment(hostile["script"] + " " + hostile["markdown"])
run = client.create_run(
    experiment,
    run_name=hostile["image"] + " " + hostile["link"],
    tags={"dvc.experiment": hostile["markdown"], "git.commit": hostile["script"]},
)
for key, value in metrics.items():
    client.log_metric(run.info.run_id, key, value)
client.log_param(run.info.run_id, "model.name", hostile["script"])
client.log_param(run.info.run_id, "model.estimator._target_", hostile["link"])
client.log_param(run.info.run_id, "data.name", hostile["image"])
client.log_param(run.info.run_id, "model.estimator.hostile: key", hostile["markdown"])
client.set_terminated(run.info.run_id)
# This run becomes the workspace's model: its name, tags and params fill every block.
info = json.loads((root / "metrics/mlflow_run.json").read_text())
info.update(run_id=run.info.run_id, experiment_id=experiment, tracking_uri=uri)
(root / "metrics/mlflow_run.json").write_text(json.dumps(info))
"""


@pytest.fixture(scope="module")
def attacked(bake_shared, stack, tmp_path_factory):
    """A copy of the default bake after a pipeline run, then: params.yaml recomposed for
    another model without a rerun, and `make report` (item 12); then a run with hostile names,
    params, tags and experiment logged to the real MLflow store as the workspace's model, a
    hostile column in the data profile, `make report` and a strict `make docs` (item 15)."""
    base = tmp_path_factory.mktemp("attacked")
    project = base / "project"
    shutil.copytree(bake_shared(), project, symlinks=True)
    env = install_project(project, stack, base / "venv")
    env.run("make", "RUN=", "pipeline-fake")
    env.run("make", "RUN=", "params", "ARGS=data=fake model=random_forest")
    recomposed = env.run("make", "RUN=", "report")
    after_params = (project / "docs" / "technical-report.md").read_text(encoding="utf-8")

    env.python_run("-c", LOG_HOSTILE_RUN, project, json.dumps(HOSTILE))
    # A data set with a hostile column name, as the evaluate stage would profile it.
    profile_file = project / "metrics/data_profile.json"
    profile = json.loads(profile_file.read_text(encoding="utf-8"))
    hostile_column = {"name": HOSTILE_COLUMN, "dtype": "category", "selected": True}
    profile["columns"].insert(0, {**hostile_column, "example": HOSTILE["script"], "distinct": 2})
    profile_file.write_text(json.dumps(profile), encoding="utf-8")
    settings_file = project / "conf/report/default.yaml"
    settings = yaml.safe_load(settings_file.read_text())
    settings["data_card"]["columns"][HOSTILE_COLUMN] = {"description": HOSTILE_DESCRIPTION}
    settings_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    report = env.run("make", "RUN=", "report")
    docs = env.run("make", "RUN=", "docs")
    return {
        "project": project,
        "recomposed": recomposed,
        "after_params": after_params,
        "report": report,
        "docs": docs,
    }


def _block(text: str, name: str) -> str:
    start, end = f"<!-- generated:{name} start -->", f"<!-- generated:{name} end -->"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_report_describes_the_run_not_a_recomposed_params_yaml(attacked):
    """`make params ARGS="data=fake model=random_forest"` without a rerun: the workspace still
    holds the logistic-regression run, so that is what the report describes, with a warning."""
    current = _block(attacked["after_params"], "current-model")
    assert "logistic_regression" in current and "random_forest" not in current, current
    assert "LogisticRegression" in current, current
    assert "no longer matches" in current and "model.name" in current, current
    hyperparameters = _block(attacked["after_params"], "hyperparameters")
    assert "model.estimator.C" in hyperparameters, hyperparameters
    assert "n_estimators" not in hyperparameters, hyperparameters
    stderr = attacked["recomposed"].stderr
    assert "warning: params.yaml no longer matches dvc.lock" in stderr, stderr


class ScriptFinder(HTMLParser):
    """Everything in a page that could run script, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.dangers: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and re.match(
                r"\s*(javascript|data|vbscript):", value or "", re.IGNORECASE
            ):
                self.dangers.append(f"<{tag} {name}={value!r}>")
        self._script = tag == "script"

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert" in data:
            self.dangers.append(f"<script>{data[:80]}")
        if not self._script:
            self.text.append(data)


def test_hostile_runs_and_data_show_as_text_and_never_run(attacked):
    assert "WARNING -" not in attacked["docs"].stdout + attacked["docs"].stderr
    pages = {
        name: (attacked["project"] / "site" / name).read_text(encoding="utf-8")
        for name in ("technical-report.html", "model-card.html", "data-card.html", "atrs.html")
    }
    for name, html in pages.items():
        finder = ScriptFinder()
        finder.feed(html)
        assert finder.dangers == [], name
    report, data_card = ScriptFinder(), ScriptFinder()
    report.feed(pages["technical-report.html"])
    data_card.feed(pages["data-card.html"])
    shown = " ".join(" ".join(report.text).split())
    for value in (*HOSTILE.values(), HOSTILE["script"] + " " + HOSTILE["markdown"]):
        assert " ".join(value.split()) in shown, value
    card = " ".join(" ".join(data_card.text).split())
    assert HOSTILE_COLUMN in card and HOSTILE_DESCRIPTION in card


def test_quotes_in_answers_stay_inside_html_attributes(bake, install, tmp_path):
    """A `"` in the project's name or description must not end the attribute the theme writes
    it into (`<meta name="description" content="...">`), nor show escaped twice."""
    name = 'Sepsis "Quoted" Warning & Co'
    description = 'a" onmouseover="alert(9)'
    project = bake(project_name=name, description=description)
    env = install(project)  # the toolkit's MkDocs plugin comes with the project's install
    result = env.run(
        "mkdocs",
        "build",
        "--strict",
        env={**env.env, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]

    class Head(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.meta: dict[str, dict[str, str]] = {}
            self.logo_titles: list[str] = []
            self.title: list[str] = []
            self._in_title = False

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "meta" and "name" in attributes:
                self.meta[attributes["name"]] = attributes
            if tag == "a" and "md-logo" in (attributes.get("class") or ""):
                self.logo_titles.append(attributes.get("title"))
            self._in_title = tag == "title"

        def handle_endtag(self, tag):
            self._in_title = False

        def handle_data(self, data):
            if self._in_title:
                self.title.append(data)

    for page in ("index.html", "technical-report.html"):
        head = Head()
        head.feed((project / "site" / page).read_text(encoding="utf-8"))
        assert head.meta["description"] == {"name": "description", "content": description}, page
        assert head.logo_titles and set(head.logo_titles) == {name}, page
        assert "".join(head.title).endswith(name), page


# --- MLflow's UI and DVC's plots ---------------------------------------------------------------

RUNS_VIEW = "http://127.0.0.1:5000/#/experiments/1/runs"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_documented_mlflow_url_shows_the_run(site, tmp_path):
    """MLflow 3 opens an experiment on a GenAI overview that does not list training runs: the
    README, `make mlflow-ui` and the report give the runs view, which must show the run."""
    chromium()  # fails at once, with what to install, before the slower set-up
    project, env = site["project"], site["env"]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert RUNS_VIEW in readme
    assert "#/experiments/N/runs" in env.run("make", "-n", "mlflow-ui").stdout
    run_info = json.loads((project / "metrics" / "mlflow_run.json").read_text())
    assert run_info["experiment_id"] == "1"  # the README's "first experiment"
    report = (project / "docs" / "technical-report.md").read_text(encoding="utf-8")
    assert RUNS_VIEW in report
    port = _free_port()
    mlflow = [env.stack / "bin" / "mlflow", "ui", "--backend-store-uri", "sqlite:///mlflow.db"]
    server = subprocess.Popen(
        [*mlflow, "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=env.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import urllib.request

        for _ in range(240):  # the server answers after about 20 s here
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        result = headless(
            tmp_path / "profile",
            "--window-size=1400,1000",
            "--virtual-time-budget=20000",
            "--dump-dom",
            RUNS_VIEW.replace(":5000", f":{port}"),
            timeout=180,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert "Training runs" in result.stdout, result.stderr[-2000:]
    assert run_info["run_id"][:8] in result.stdout or "dvc logistic_regression" in result.stdout


def test_interactive_plots_render_offline(site, tmp_path):
    """`make plots`: DVC's plots page with vega inlined, so it draws with no network at all."""
    chromium()  # fails at once, with what to install, before the slower set-up
    project = site["project"]
    site["env"].run("make", "RUN=", "plots", timeout=300)
    page = project / "dvc_plots" / "index.html"
    html = page.read_text(encoding="utf-8")
    resources = PageParser()
    resources.feed(html)
    assert resources.external == []
    assert "cdn." not in html
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.IGNORECASE)
    result = headless(
        tmp_path / "profile",
        # No network: any request the page makes fails.
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1280,1600",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
        timeout=180,
    )
    charts = re.findall(r'<(?:svg|canvas)[^>]*class="marks"', result.stdout)
    vega_plots = 4  # roc, precision-recall, confusion, calibration (dvc.yaml)
    assert len(charts) == vega_plots, result.stderr[-2000:]
