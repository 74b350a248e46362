"""The files the evaluate stage writes for `skunkworks report` (src/.../contract.py).

The toolkit renders them and computes nothing: these tests check that the pipeline writes
what contract 1 asks for, with numbers that agree with metrics/metrics.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import open_dict

from {{ cookiecutter.package_name }} import contract, evaluate, pipeline, task
from {{ cookiecutter.package_name }}.data import feature_columns
from {{ cookiecutter.package_name }}.errors import PipelineError
from {{ cookiecutter.package_name }}.models import fit
from {{ cookiecutter.package_name }}.prepare import split

SUBGROUP = "site"


def _compose(overrides: list[str]):
    from hydra import compose, initialize_config_dir

    from {{ cookiecutter.package_name }}.paths import project_root

    with initialize_config_dir(str(project_root() / "conf"), version_base="1.3"):
        return compose("config", overrides)


@pytest.fixture(scope="module")
def project(tmp_path_factory, fake_frame):
    """The contract files of one evaluation on fake data with a subgroup column."""
    root = tmp_path_factory.mktemp("contract")
    frame = fake_frame.copy()
    frame.insert(0, SUBGROUP, (["north", "south", "east"] * len(frame))[: len(frame)])
    frame.loc[frame.index[:3], SUBGROUP] = "tiny"  # too few cases to score
    (root / "dvc.yaml").write_text("stages: {}\n", encoding="utf-8")
    data_file = root / "groups.csv"
    frame.to_csv(data_file, index=False)
    cfg = _compose(["data=fake", "train.cv_folds=0", "evaluate.importance.repeats=2"])
    with open_dict(cfg):
        cfg.data.name, cfg.data.source, cfg.data.path = "groups", "file", str(data_file)
        # One subgroup column is enough here (each costs a figure): the fake data's own are
        # dropped by their role.
        cfg.data.roles = {name: "drop" for name in cfg.data.subgroups}
        cfg.data.subgroups = [SUBGROUP]
        cfg.data.columns = {SUBGROUP: "category", **cfg.data.columns}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        train, test = split(cfg)
        model = fit(cfg, train)
        evaluation = task.evaluate(model, test, cfg)
        evaluate.write_metrics(evaluation.metrics, root / pipeline.METRICS)
        task.write_figures(evaluation, root / pipeline.FIGURES_DIR)
        drawn = pipeline.write_report_files(cfg, model, test, evaluation, {})
    return root, cfg, evaluation, drawn


def _read(root: Path, name: str) -> dict:
    return json.loads((root / name).read_text(encoding="utf-8"))


def test_the_manifest_declares_what_the_documents_show(project):
    root, cfg, _, drawn = project
    manifest = _read(root, pipeline.REPORT_MANIFEST)
    metrics = _read(root, pipeline.METRICS)
    assert manifest["contract"] == 1
    assert manifest["primary_metric"] == {
        "name": cfg.evaluate.primary_metric,
        "higher_is_better": cfg.evaluate.higher_is_better,
    }
    assert manifest["primary_metric"]["name"] in metrics
    assert manifest["metric_files"] == [pipeline.METRICS]
    assert {metric["name"] for metric in manifest["metrics"]} <= set(metrics)
    assert all(metric["label"] for metric in manifest["metrics"])
    assert manifest["model"]["name"] == cfg.model.name
    assert manifest["facts"][0] == {"label": "Test cases", "value": metrics["n_test"]}
    figures = [item["file"] for item in manifest["figures"]]
    figures.append(manifest["feature_importance"]["figure"]["file"])
    figures += [section["figure"]["file"] for section in manifest["subgroups"]["sections"]]
    for file in figures:
        assert (root / file).read_bytes().startswith(b"\x89PNG"), file
    own = len(task.FIGURES)
    assert sorted(map(str, drawn)) == sorted(str(root / file) for file in figures[own:])
    names = [Path(file).name for file in figures]
    assert len(set(names)) == len(names), "the toolkit copies figures into one folder"


def test_subgroups_cover_the_test_set_and_small_groups_are_not_scored(project):
    root = project[0]
    manifest = _read(root, pipeline.REPORT_MANIFEST)
    sections = manifest["subgroups"]["sections"]
    assert [section["title"] for section in sections] == [
        f"Performance by {column}" for column in project[1].data.subgroups
    ]
    section = sections[0]
    assert section["columns"][:3] == ["Group", "Cases", task.group_count_label(project[1].data)]
    rows = {row[0]: row for row in section["rows"]}
    assert sum(row[1] for row in rows.values()) == _read(root, pipeline.METRICS)["n_test"]
    small = [row for row in rows.values() if row[1] < 10]
    assert all(value is None for row in small for value in row[3:])
    assert all(row[3] is not None for row in rows.values() if row[1] >= 10)


def test_feature_importance_is_declared_with_its_method(project):
    root, cfg = project[0], project[1]
    importance = _read(root, pipeline.REPORT_MANIFEST)["feature_importance"]
    features = [row[0] for row in importance["rows"]]
    assert SUBGROUP not in features and cfg.data.target not in features
    assert len(features) == min(cfg.evaluate.importance.top, len(feature_columns(cfg.data)))
    means = [row[1] for row in importance["rows"]]
    assert means == sorted(means, reverse=True)
    assert "Permutation importance" in importance["text"] and "2 repeats" in importance["text"]


def test_the_data_profile_describes_the_schema(project):
    root, cfg = project[0], project[1]
    profile = _read(root, pipeline.DATA_PROFILE)
    assert profile["contract"] == 1
    columns = {column["name"]: column for column in profile["columns"]}
    assert list(columns) == list(cfg.data.columns)
    assert columns[cfg.data.target]["selected"] is False
    assert columns[cfg.data.target]["role"].startswith("outcome")
    assert columns[SUBGROUP]["role"] == "subgroup analysis only"
    assert columns[feature_columns(cfg.data)[0]]["selected"] is True
    # The fake-data generator knows nothing of the added column: no statistics, and why.
    assert profile["statistics"]["source"] == "fake" and profile["statistics"]["rows"] == 0
    assert "does not produce this schema" in profile["statistics"]["text"]


def test_the_default_data_profile_has_statistics_of_fake_data_only(tmp_path):
    cfg = _compose([])
    profile = contract.data_profile(cfg, tmp_path)
    assert profile["statistics"]["source"] == "fake"
    assert profile["statistics"]["rows"] == cfg.evaluate.data_profile.fake_rows
    # Numbers have a range, categories a count; free text has no statistics at all.
    described = [column for column in profile["columns"] if "example" in column]
    assert described, profile["columns"]
    for column in described:
        if "min" in column:
            assert column["min"] <= column["example"] <= column["max"]
        else:
            assert column["distinct"] >= 1
    with open_dict(cfg):
        cfg.evaluate.data_profile.statistics_from = "guess"
    with pytest.raises(PipelineError, match="statistics_from is 'guess': use fake or real"):
        contract.data_profile(cfg, tmp_path)


def test_importance_samples_a_large_test_split():
    cfg = _compose(["train.cv_folds=0"])
    train, test = split(cfg)
    model = fit(cfg, train)
    settings = {"max_rows": 40, "repeats": 1, "n_jobs": 1, "top": 3}
    rows, used = evaluate.permutation_importance(model, test, cfg.data, settings, seed=0)
    assert used == 40 < len(test) and len(rows) == min(3, len(feature_columns(cfg.data)))


def test_unknown_subgroup_metrics_are_named():
    import pandas as pd

    predictions = pd.DataFrame({"actual": [1, 0], "predicted": [1, 0], "score": [0.9, 0.1]})
    predictions[SUBGROUP] = ["a", "b"]
    with pytest.raises(PipelineError, match=r"evaluate\.subgroups\.metrics: recall unknown"):
        evaluate.subgroup_results(predictions, [SUBGROUP], ["recall"], 1)


def test_figures_draw_names_from_data_as_they_are(tmp_path):
    """A `$` in a column name or group would start matplotlib's mathtext."""
    name = "$\\nope{<script>}$"
    importance = evaluate.importance_figure(
        [evaluate.Importance(name, 0.1, 0.01)], tmp_path / "a.png"
    )
    metric = task.SUBGROUP_METRICS[0]
    group = evaluate.GroupResult(name, name, 20, 10, {metric: 0.5})
    subgroup = evaluate.subgroup_figure(name, [group], [metric], tmp_path / "b.png")
    assert importance.read_bytes().startswith(b"\x89PNG")
    assert subgroup.read_bytes().startswith(b"\x89PNG")


def test_the_toolkit_accepts_the_files_and_shows_their_numbers(project):
    """`skunkworks report` (the toolkit, a dev dependency) on these files: no breach of the
    contract, and the results table holds the numbers of metrics/metrics.json."""
    import shutil
    import subprocess
    import sys

    from {{ cookiecutter.package_name }}.paths import project_root

    root = project[0]
    shutil.copytree(project_root() / "docs", root / "docs", dirs_exist_ok=True)
    shutil.copytree(project_root() / "conf", root / "conf", dirs_exist_ok=True)
    shutil.copyfile(project_root() / "pyproject.toml", root / "pyproject.toml")
    result = subprocess.run(
        [sys.executable, "-m", "skunkworks_poc", "report", "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "MLFLOW_TRACKING_URI": f"sqlite:///{(root / 'none.db').as_posix()}"},
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr and "Traceback" not in result.stderr
    report = (root / "docs" / "technical-report.md").read_text(encoding="utf-8")
    primary = project[1].evaluate.primary_metric
    value = _read(root, pipeline.METRICS)[primary]
    # The toolkit escapes the label (brackets too): compare its first word.
    shown = [line for line in report.splitlines() if line.endswith(f" | {value:.3f} |")]
    assert any(line.startswith(f"| {task.METRIC_LABELS[primary].split()[0]}") for line in shown)
    first_figure = next(iter(task.FIGURES))
    assert (
        "figures/subgroup_site.png" in report and (root / "docs/figures" / first_figure).is_file()
    )
