"""The contract a project's pipeline writes (docs/contract.md): what is accepted, and one
clear line naming the file and the field for everything that is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skunkworks_poc import contract
from skunkworks_poc.contract import ContractError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d6e0e50000000049454e44ae426082"
)


def manifest(**changes) -> dict:
    value = {
        "contract": 1,
        "task": "binary classification",
        "project": {"name": "demo-poc", "version": "0.1.0"},
        "model": {"name": "logistic_regression", "estimator": "sklearn.LogisticRegression"},
        "data": {"name": "demo", "schema": "conf/data/demo.yaml"},
        "evaluation": "On the held-out test set (50 cases)",
        "primary_metric": {"name": "roc_auc", "higher_is_better": True},
        "metrics": [
            {"name": "roc_auc", "label": "ROC AUC"},
            {"name": "brier_score", "label": "Brier score (lower is better)"},
        ],
        "facts": [{"label": "Test cases", "value": 50}],
        "tables": [
            {"title": "Confusion", "columns": ["", "Predicted positive"], "rows": [["a", 3]]}
        ],
        "figures": [{"file": "metrics/figures/roc.png", "caption": "ROC curve"}],
        "feature_importance": None,
        "subgroups": None,
    }
    value.update(changes)
    return value


def write(root: Path, value: dict, metrics: dict | None = None) -> Path:
    (root / "metrics" / "figures").mkdir(parents=True, exist_ok=True)
    (root / "metrics" / "figures" / "roc.png").write_bytes(PNG)
    (root / contract.MANIFEST).write_text(json.dumps(value), encoding="utf-8")
    numbers = {"roc_auc": 0.9, "brier_score": 0.1} if metrics is None else metrics
    (root / contract.METRICS).write_text(json.dumps(numbers), encoding="utf-8")
    return root


def test_a_complete_manifest_is_read(tmp_path):
    read = contract.read_manifest(write(tmp_path, manifest()))
    assert read is not None
    assert (read.primary_metric, read.higher_is_better) == ("roc_auc", True)
    assert [metric.label for metric in read.metrics] == ["ROC AUC", "Brier score (lower is better)"]
    assert read.tables[0].rows == [["a", 3]]
    assert [figure.file for figure in read.all_figures()] == ["metrics/figures/roc.png"]
    assert contract.read_metric_values(tmp_path, read) == {"roc_auc": 0.9, "brier_score": 0.1}


def test_a_task_with_no_model_declares_model_null(tmp_path):
    # A data discovery trains no model (docs/contract.md): nothing then names one.
    read = contract.read_manifest(write(tmp_path, manifest(model=None)))
    assert read is not None and (read.model_name, read.estimator) == ("", "")
    without = manifest()
    del without["model"]
    assert contract.read_manifest(write(tmp_path, without)).model_name == ""


def test_no_manifest_means_no_run_yet(tmp_path):
    assert contract.read_manifest(tmp_path) is None
    assert contract.read_profile(tmp_path) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contract": None}, "metrics/report.json: contract is missing"),
        ({"contract": 2}, "metrics/report.json: contract is 2, which this toolkit does not read"),
        ({"contract": True}, "contract is true, which this toolkit does not read"),
        ({"task": 3}, "metrics/report.json: task must be text"),
        ({"model": {"estimator": "x"}}, "metrics/report.json: model.name is missing"),
        ({"project": {"name": "x"}}, "metrics/report.json: project.version is missing"),
        ({"metrics": "roc_auc"}, "metrics/report.json: metrics must be a list"),
        ({"metrics": []}, "metrics/report.json: metrics must list at least one metric"),
        ({"metrics": [{"name": "roc_auc"}]}, "metrics/report.json: metrics[0].label is missing"),
        (
            {"primary_metric": {"name": "roc_auc", "higher_is_better": "yes"}},
            "metrics/report.json: primary_metric.higher_is_better must be true or false",
        ),
        (
            {"figures": [{"file": "metrics/figures/roc.png", "caption": 7}]},
            "metrics/report.json: figures[0].caption must be text",
        ),
        (
            {"figures": [{"file": "../secret.png", "caption": "x"}]},
            "figures[0].file must be a path inside the project",
        ),
        (
            {"figures": [{"file": "/etc/passwd", "caption": "x"}]},
            "figures[0].file must be a path inside the project",
        ),
        (
            {"figures": [{"file": "metrics/figures/gone.png", "caption": "x"}]},
            "figures[0].file names metrics/figures/gone.png, which does not exist",
        ),
        (
            {"figures": [{"file": "metrics/metrics.json", "caption": "x"}]},
            "figures[0].file must be an image",
        ),
        (
            {"tables": [{"columns": ["a", "b"], "rows": [[1]]}]},
            "metrics/report.json: tables[0].rows[0] must be a list of 2 cells",
        ),
        (
            {"tables": [{"columns": ["a"], "rows": [[{"x": 1}]]}]},
            "metrics/report.json: tables[0].rows[0][0] must be text, a finite number",
        ),
        (
            {"facts": [{"label": "x", "value": float("nan")}]},
            "metrics/report.json: facts[0].value must be text, a finite number",
        ),
        (
            {"subgroups": {"sections": [{"title": "sex", "columns": [], "rows": []}]}},
            "metrics/report.json: subgroups.sections[0].columns must name at least one column",
        ),
        (
            {
                "figures": [
                    {"file": "metrics/figures/roc.png", "caption": "a"},
                    {"file": "metrics/figures/roc.png", "caption": "b"},
                ]
            },
            "figure file name roc.png is declared twice",
        ),
    ],
)
def test_a_breach_is_one_line_naming_the_file_and_the_field(tmp_path, changes, message):
    write(tmp_path, manifest(**changes))
    with pytest.raises(ContractError) as error:
        contract.read_manifest(tmp_path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_declared_metrics_must_be_in_the_metric_files(tmp_path):
    write(tmp_path, manifest(), metrics={"roc_auc": 0.9})
    read = contract.read_manifest(tmp_path)
    with pytest.raises(ContractError, match=r"metrics\[1\]\.name is brier_score, which is not in"):
        contract.read_metric_values(tmp_path, read)
    (tmp_path / contract.METRICS).write_text('{"roc_auc": "high"}', encoding="utf-8")
    with pytest.raises(ContractError, match=r"metrics/metrics\.json: roc_auc must be a number"):
        contract.read_metric_values(tmp_path, read)


def test_broken_json_names_the_file(tmp_path):
    write(tmp_path, manifest())
    (tmp_path / contract.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ContractError, match=r"^metrics/report\.json is not valid JSON"):
        contract.read_manifest(tmp_path)
    (tmp_path / contract.MANIFEST).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ContractError, match=r"^metrics/report\.json: the file must be a JSON"):
        contract.read_manifest(tmp_path)


def profile(**changes) -> dict:
    value = {
        "contract": 1,
        "data": {"name": "demo", "schema": "conf/data/demo.yaml"},
        "statistics": {"source": "fake", "rows": 600, "text": "Positive cases: 37%."},
        "columns": [
            {
                "name": "age",
                "dtype": "int",
                "selected": True,
                "role": "feature",
                "example": 40,
                "min": 18,
                "max": 99,
            },
            {
                "name": "sex",
                "dtype": "category",
                "selected": False,
                "role": "subgroup analysis only",
                "example": "F",
                "distinct": 2,
            },
        ],
    }
    value.update(changes)
    return value


def test_a_data_profile_is_read(tmp_path):
    (tmp_path / "metrics").mkdir()
    (tmp_path / contract.PROFILE).write_text(json.dumps(profile()), encoding="utf-8")
    read = contract.read_profile(tmp_path)
    assert read is not None and read.source == "fake" and read.rows == 600
    assert [(column.name, column.selected, column.distinct) for column in read.columns] == [
        ("age", True, None),
        ("sex", False, 2),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"statistics": {"source": "guess", "rows": 1}},
            "metrics/data_profile.json: statistics.source must be fake or real",
        ),
        (
            {"statistics": {"source": "fake", "rows": -1}},
            "metrics/data_profile.json: statistics.rows must be a whole number",
        ),
        (
            {"columns": [{"name": "a", "dtype": "int", "selected": "yes"}]},
            "metrics/data_profile.json: columns[0].selected must be true or false",
        ),
        ({"contract": "1"}, 'metrics/data_profile.json: contract is "1"'),
    ],
)
def test_a_bad_data_profile_is_one_line(tmp_path, changes, message):
    (tmp_path / "metrics").mkdir()
    (tmp_path / contract.PROFILE).write_text(json.dumps(profile(**changes)), encoding="utf-8")
    with pytest.raises(ContractError) as error:
        contract.read_profile(tmp_path)
    assert message in str(error.value)
