"""The self-filling documents (`make report`): blocks, figures and numbers from real runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }} import pipeline, report, report_blocks
from {{ cookiecutter.package_name }} import report_escape as esc
from {{ cookiecutter.package_name }}.data.fake import generate
from {{ cookiecutter.package_name }}.errors import PipelineError
from {{ cookiecutter.package_name }}.paths import project_root

ROOT = project_root()
PROJECT_FILES = ["conf", "src", "docs", "dvc.yaml", "pyproject.toml", "README.md", "mkdocs.yml"]
REPORT = "docs/technical-report.md"
MODEL_CARD = "docs/model-card.md"
DATA_CARD = "docs/data-card.md"
SUBGROUP = "site"  # a subgroup column added to the fake data for these tests


def copy_project(destination: Path) -> Path:
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "local", "figures")
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copyfile(source, destination / name)
    return destination


# --- The block engine ------------------------------------------------------------------------

DOCUMENT = """# Title

Hand-written introduction.

<!-- generated:results start -->

old results

<!-- generated:results end -->

Text between blocks, with a trailing detail.

<!-- generated:figures start -->
<!-- generated:figures end -->

Closing words.
"""


def test_replacing_blocks_keeps_every_hand_written_character():
    text, unknown = report_blocks.replace_blocks(
        DOCUMENT, {"results": "| a | b |\n|---|---|\n| 1 | 2 |", "figures": "![x](x.png)"}
    )
    assert unknown == []
    assert "old results" not in text
    assert "| 1 | 2 |" in text and "![x](x.png)" in text
    emptied = {"results": "", "figures": ""}
    assert (
        report_blocks.replace_blocks(text, emptied)[0]
        == report_blocks.replace_blocks(DOCUMENT, emptied)[0]
    )


def test_replacing_blocks_twice_changes_nothing():
    contents = {"results": "new\n\n\n", "figures": "  spaced  \nlines  "}
    once, _ = report_blocks.replace_blocks(DOCUMENT, contents)
    twice, _ = report_blocks.replace_blocks(once, contents)
    assert once == twice
    assert all(line == line.rstrip() for line in once.splitlines())


def test_blocks_without_content_are_reported_and_left_alone():
    text, unknown = report_blocks.replace_blocks(DOCUMENT, {"results": "x"})
    assert unknown == ["figures"]
    assert text.endswith(
        "<!-- generated:figures start -->\n<!-- generated:figures end -->\n\nClosing words.\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- generated:a start -->\n", "never closed"),
        ("<!-- generated:a end -->\n", "no matching"),
        ("<!-- generated:a start -->\n<!-- generated:b start -->\n", "starts inside"),
        ("<!-- generated:a start -->\n<!-- generated:b end -->\n", "no matching"),
    ],
)
def test_broken_markers_are_named_with_their_line(text, message):
    with pytest.raises(PipelineError, match=message) as error:
        report_blocks.find_blocks(text, "doc.md")
    assert "doc.md:" in str(error.value)


def test_the_one_marker_of_unfinished_writing_is_counted():
    assert report_blocks.count_to_complete("[TO COMPLETE: a] and [TO COMPLETE: b]") == 2
    shipped = (ROOT / REPORT).read_text(encoding="utf-8")
    assert report_blocks.count_to_complete(shipped) > 10


def test_every_block_in_the_documents_is_known_to_the_report():
    settings = report.load_settings(ROOT)
    for document in settings.documents:
        text = (ROOT / document).read_text(encoding="utf-8")
        names = {block.name for block in report_blocks.find_blocks(text, document)}
        assert names, document
        assert names <= set(report.BLOCKS), document


def test_small_subgroups_are_listed_but_not_scored():
    import pandas as pd

    from {{ cookiecutter.package_name }}.report_figures import subgroup_results

    predictions = pd.DataFrame(
        {
            "actual": [1, 0] * 10 + [1, 0],
            "predicted": [1, 0] * 9 + [0, 0] + [1, 1],
            "score": [0.9, 0.1] * 9 + [0.4, 0.2] + [0.8, 0.7],
            "sex": ["F"] * 20 + ["M"] * 2,
        }
    )
    female, male = subgroup_results(predictions, ["sex"], ["sensitivity", "specificity"], 10)
    assert (female.group, female.cases, female.positives) == ("F", 20, 10)
    assert female.metrics == {"sensitivity": 0.9, "specificity": 1.0}
    assert (male.cases, male.metrics) == (2, {"sensitivity": None, "specificity": None})


# --- Untrusted text: runs, data, settings ----------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(2)">x</a>',
    "<img src=x onerror=alert(3)>",
    "[click](javascript:alert(4))",
    'cell | split `tick` *star* _under_ {: onclick="alert(5)" }',
    "&lt;script&gt; &amp; \\| ![i](x.png) <http://example.org>",
    "two\nlines\r\nand # heading ~~struck~~ $x$",
]


class _Rendered(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag in {"td", "li"}:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in {"td", "li"} and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.mark.parametrize("value", HOSTILE)
def test_untrusted_text_shows_literally_in_tables_and_lists(value):
    """What MkDocs makes of escaped text (the site's Markdown extensions): the characters
    themselves, no element or attribute of their own, one cell per value."""
    import markdown

    source = (
        "| A | B |\n|---|---|\n"
        f"| {report.cell(esc.text(value))} | {report.cell(esc.code(value))} |\n\n"
        f"- Model: {esc.text(value)}\n"
    )
    html = markdown.markdown(source, extensions=["tables", "attr_list", "admonition", "toc"])
    rendered = _Rendered()
    rendered.feed(html)
    expected = " ".join(value.split())
    assert [" ".join(cell.split()) for cell in rendered.cells] == [
        expected,
        expected,
        f"Model: {expected}",
    ], html
    allowed = {"table", "thead", "tbody", "tr", "th", "td", "code", "ul", "li"}
    assert {tag for tag, _ in rendered.tags} <= allowed, html
    assert all(attrs == [] for _, attrs in rendered.tags), html


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        (None, False),
        ("http://127.0.0.1:5000", False),
        ("http://localhost:5000", False),
        ("http://10.1.2.3:5000", False),
        ("http://192.168.0.7", False),
        ("http://[::1]:5000", False),
        ("http://mlflow", False),
        ("https://mlflow.trust.local", False),
        ("https://user:secret@mlflow.example.org", False),  # pragma: allowlist secret
        ("javascript:alert(1)", False),
        ("https://mlflow.example.org/", True),
    ],
)
def test_run_ids_link_only_to_a_public_mlflow_ui(url, linked):
    from omegaconf import OmegaConf

    settings = OmegaConf.create({"comparison": {"mlflow_ui_url": url}})
    sources = report.Sources(root=ROOT, settings=settings)
    run = report.Run("a" * 32, "3", "e", "name", 0, {}, {}, {})
    shown = report.run_link(sources, run)
    assert "aaaaaaaa" in shown
    assert ("](https://mlflow.example.org/#/experiments/3/runs/" in shown) is linked
    assert "127.0.0.1" not in shown and "javascript" not in shown


def test_a_params_yaml_recomposed_after_the_run_is_not_reported(tmp_path):
    """The workspace's model was made with what dvc.lock records; params.yaml may have been
    recomposed since (`make params`) without a rerun."""
    params = {
        "model": {"name": "random_forest", "estimator": {"n_estimators": 100}},
        "train": {"seed": 1},
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    lock = {
        "schema": "2.0",
        "stages": {
            "train": {
                "cmd": "x",
                "params": {
                    "params.yaml": {
                        "model": {"name": "logistic_regression", "estimator": {"C": 1.0}},
                        "train.seed": 1,
                    }
                },
            }
        },
    }
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")
    used, changed = report.run_params(tmp_path)
    assert used["model"] == {"name": "logistic_regression", "estimator": {"C": 1.0}}
    assert used["train"] == {"seed": 1}
    assert changed == ["model.name", "model.estimator.C", "model.estimator.n_estimators"]
    (tmp_path / "dvc.lock").unlink()
    assert report.run_params(tmp_path) == (params, [])


def test_figures_draw_names_from_data_as_they_are():
    """A `$` in a column name or group would start matplotlib's mathtext; `\\nope` in it
    stopped the report."""
    from {{ cookiecutter.package_name }} import report_figures as figures

    name = "$\\nope{<script>}$"
    importance = figures.importance_figure([figures.Importance(name, 0.1, 0.01)])
    group = figures.GroupResult(name, name, 20, 10, {"sensitivity": 0.5})
    subgroup = figures.subgroup_figure(name, [group], ["sensitivity"])
    assert importance.startswith(b"\x89PNG") and subgroup.startswith(b"\x89PNG")


# --- On a project without runs --------------------------------------------------------------


def test_without_runs_the_documents_say_which_command_makes_them(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{(tmp_path / 'none.db').as_posix()}")
    outcome = report.build(project)
    assert not outcome.has_results
    text = (project / REPORT).read_text(encoding="utf-8")
    assert report_blocks.read_block(text, "results") == report.NO_RUN_YET
    assert "No MLflow runs yet" in report_blocks.read_block(text, "comparison")
    assert not (tmp_path / "none.db").exists(), "reading must not create a tracking store"
    # The data dictionary needs no run: it comes from the schema and fake data.
    dictionary = report_blocks.read_block((project / DATA_CARD).read_text(), "data-dictionary")
    assert "| <code>mean_radius</code> | yes | float |" in dictionary
    assert "fake data" in dictionary


def test_the_command_without_runs_prints_one_line_of_advice(tmp_path):
    project = copy_project(tmp_path / "project")
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{(tmp_path / 'none.db').as_posix()}"}
    result = subprocess.run(
        [sys.executable, "-c", "from {{ cookiecutter.package_name }}.report import main; main()"],
        cwd=project,
        env={**_clean_env(), **env, "DVC_ROOT": str(project)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert report.NO_RUN_YET in result.stderr.splitlines()


def test_bad_settings_are_one_clear_line(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    settings = project / "conf" / "report" / "default.yaml"
    settings.write_text(settings.read_text() + "\n  broken: [\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="does not parse"):
        report.build(project)
    settings.write_text("documents: []\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"lacks figures_dir, comparison\.metric"):
        report.build(project)


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("DVC_", "PYTEST_", "MLFLOW_"))}


# --- On a project with a real run -----------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, _empty_mlflow_store):
    """A copy of the project after a real pipeline run on fake data with a subgroup column,
    tracked in its own MLflow store, then `make report`. Stages run in this process."""
    from omegaconf import OmegaConf

    project = copy_project(tmp_path_factory.mktemp("report") / "project")
    frame = generate(rows=200, seed=3)
    frame.insert(0, SUBGROUP, ["north", "south", "east", "west"] * 50)
    (project / "data" / "raw").mkdir(parents=True)
    frame.to_csv(project / "data" / "raw" / "groups.csv", index=False)
    fake = OmegaConf.load(project / "conf" / "data" / "breast_cancer.yaml")
    fake.name, fake.source, fake.path = "groups", "file", "data/raw/groups.csv"
    fake.subgroups = [SUBGROUP]
    fake.columns = {SUBGROUP: "category", **fake.columns}
    OmegaConf.save(fake, project / "conf" / "data" / "groups.yaml")
    store = project / "mlflow.db"
    shutil.copyfile(_empty_mlflow_store, store)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        patch.setenv("DVC_ROOT", str(project))
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store.as_posix()}")
        pipeline.compose(["data=groups", "train.cv_folds=2", "tracking.log_model=false"])
        for stage in ("prepare", "train", "evaluate"):
            pipeline.STAGES[stage]()
        first = report.build(project)
        documents = {path: (project / path).read_text(encoding="utf-8") for path in ALL_DOCS}
        second = report.build(project)
    return project, first, second, documents


ALL_DOCS = (REPORT, MODEL_CARD, DATA_CARD, "docs/atrs.md")


def metrics_table(text: str) -> dict[str, str]:
    rows = {}
    for line in (text or "").splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in {"Metric", "---"}:
            rows[cells[0]] = cells[1]
    return rows


def test_a_second_report_changes_nothing(workspace):
    project, first, second, documents = workspace
    assert set(first.changed_documents) == set(ALL_DOCS)
    assert second.changed_documents == [] and second.changed_figures == []
    for path, text in documents.items():
        assert (project / path).read_text(encoding="utf-8") == text


def test_numbers_in_the_report_equal_metrics_json_and_the_mlflow_run(workspace):
    from mlflow import MlflowClient

    project = workspace[0]
    metrics = json.loads((project / pipeline.METRICS).read_text())
    run_info = json.loads((project / pipeline.RUN_INFO).read_text())
    logged = MlflowClient(run_info["tracking_uri"]).get_run(run_info["run_id"]).data.metrics
    settings = report.load_settings(project)
    for document in (REPORT, MODEL_CARD):
        text = (project / document).read_text(encoding="utf-8")
        shown = metrics_table(report_blocks.read_block(text, "results"))
        for name in settings.metrics:
            assert shown[report.METRIC_LABELS[name]] == report.number(metrics[name]), name
            assert shown[report.METRIC_LABELS[name]] == report.number(logged[name]), name
        assert run_info["run_id"] in report_blocks.read_block(text, "results")
    comparison = report_blocks.read_block((project / REPORT).read_text(), "comparison")
    assert "(current model)" in comparison
    assert f"| {report.number(metrics[settings.comparison.metric])} |" in comparison


def test_hyperparameters_come_from_the_run(workspace):
    project = workspace[0]
    params = yaml.safe_load((project / pipeline.PARAMS_FILE).read_text())
    block = report_blocks.read_block((project / MODEL_CARD).read_text(), "hyperparameters")
    C = params["model"]["estimator"]["C"]
    assert f"| <code>model.estimator.C</code> | <code>{C}</code> |" in block
    assert "| <code>train.cv_folds</code> | <code>2</code> |" in block


def test_figures_are_written_and_linked(workspace):
    project = workspace[0]
    figures = project / "docs" / "figures"
    expected = {
        *report.PIPELINE_FIGURES,
        report.FEATURE_IMPORTANCE_FIGURE,
        f"subgroup_{SUBGROUP}.png",
    }
    assert {path.name for path in figures.glob("*.png")} == expected
    text = (project / REPORT).read_text(encoding="utf-8")
    for name in expected:
        assert f"](figures/{name})" in text
        assert (figures / name).read_bytes().startswith(b"\x89PNG")


def test_subgroups_declared_by_the_data_are_scored(workspace):
    project = workspace[0]
    block = report_blocks.read_block((project / REPORT).read_text(), "subgroups")
    n_test = json.loads((project / pipeline.METRICS).read_text())["n_test"]
    rows = {
        line.split("|")[1].strip(): int(line.split("|")[2])
        for line in block.splitlines()
        if line.startswith(("| north ", "| south ", "| east ", "| west "))
    }
    assert set(rows) == {"north", "south", "east", "west"}
    assert sum(rows.values()) == n_test
    assert "Performance by site" in block


def test_the_data_dictionary_marks_outcome_subgroup_and_missing_descriptions(workspace):
    project = workspace[0]
    block = report_blocks.read_block((project / DATA_CARD).read_text(), "data-dictionary")
    assert "| <code>malignant</code> | no (outcome; positive: <code>1</code>) | int |" in block
    assert f"| <code>{SUBGROUP}</code> | no (subgroup analysis only) | category |" in block
    assert f"[TO COMPLETE: description of <code>{SUBGROUP}</code>]" in block


def test_hand_written_text_survives_regeneration(workspace, tmp_path):
    project = copy_project(tmp_path / "edited")
    for folder in ("metrics", "models", "data"):
        shutil.copytree(workspace[0] / folder, project / folder)
    shutil.copyfile(workspace[0] / "params.yaml", project / "params.yaml")
    path = project / REPORT
    written = path.read_text(encoding="utf-8").replace(
        "[TO COMPLETE: executive summary.]", "Our summary, written by hand."
    )
    written = written.replace(
        "<!-- generated:results start -->", "Before the table.\n<!-- generated:results start -->"
    )
    path.write_text(written, encoding="utf-8")
    report.build(project)
    text = path.read_text(encoding="utf-8")
    assert "Our summary, written by hand." in text
    assert "Before the table.\n<!-- generated:results start -->" in text
    emptied = dict.fromkeys(report.BLOCKS, "")
    assert (
        report_blocks.replace_blocks(text, emptied)[0]
        == report_blocks.replace_blocks(written, emptied)[0]
    )


def test_real_data_statistics_need_opting_in_and_warn(workspace, tmp_path, capsys):
    project = copy_project(tmp_path / "real")
    shutil.copytree(workspace[0] / "data", project / "data")
    shutil.copyfile(workspace[0] / "conf/data/groups.yaml", project / "conf/data/groups.yaml")
    settings = project / "conf" / "report" / "default.yaml"
    text = settings.read_text(encoding="utf-8").replace(
        "statistics_from: fake", "statistics_from: real"
    )
    settings.write_text(text.replace("  data: null", "  data: groups", 1), encoding="utf-8")
    report.build(project)
    assert "warning: the data card shows minimum, maximum and example values of the REAL" in (
        capsys.readouterr().err
    )
    block = report_blocks.read_block((project / DATA_CARD).read_text(), "data-dictionary")
    assert "real data" in block and "(200 rows)" in block
