"""Every model in conf/model/ builds and learns; evaluation gives sound metrics and files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import evaluate, models
from {{ cookiecutter.package_name }}.data import feature_columns
from {{ cookiecutter.package_name }}.errors import PipelineError
from {{ cookiecutter.package_name }}.paths import project_root

ROOT = project_root()
CONF = ROOT / "conf"

MODELS = sorted(path.stem for path in (CONF / "model").glob("*.yaml"))


@pytest.fixture(scope="module")
def split(fake_frame):
    from sklearn.model_selection import train_test_split

    return train_test_split(
        fake_frame, test_size=0.3, random_state=0, stratify=fake_frame["malignant"]
    )


def test_there_are_models_to_choose_from():
    assert {"logistic_regression", "random_forest", "gradient_boosting"} <= set(MODELS)


# Fewer trees and boosting rounds than the shipped configs: 160 rows need no more to learn.
SMALLER = {
    "random_forest": ["model.estimator.n_estimators=25"],
    "gradient_boosting": ["model.estimator.max_iter=25"],
}


@pytest.mark.parametrize("name", MODELS)
def test_each_model_config_builds_a_model_that_learns(compose, split, name):
    cfg = compose([f"model={name}", "data=fake", "train.cv_folds=2", *SMALLER.get(name, [])])
    train, test = split
    model = models.fit(cfg, train)
    scores = model.predict_proba(test[feature_columns(cfg.data)])[:, 1]
    assert scores.shape == (len(test),)
    result = evaluate.evaluate(model, test, cfg.data, threshold=0.5)
    assert result.metrics["roc_auc"] > 0.8, f"{name} did not learn the fake data"
    cv = models.cross_validate(cfg, train)
    assert cv["cv_folds"] == 2 and 0.5 < cv["cv_roc_auc_mean"] <= 1


def test_a_bad_target_is_a_clear_error(compose):
    cfg = compose(["model.estimator._target_=sklearn.linear_model.NoSuchModel"])
    with pytest.raises(PipelineError, match=r"conf/model/logistic_regression\.yaml: cannot build"):
        models.build_model(cfg.model, cfg.data)


def test_categorical_features_are_one_hot_encoded(compose):
    import pandas as pd

    cfg = compose(["data=supplier_example", "model=logistic_regression"])
    rng = np.random.default_rng(0)
    rows = 60
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 95, rows),
            "sex": rng.choice(["F", "M"], rows),
            "age_band": rng.choice(["18-64", "65+"], rows),
            "length_of_stay_days": rng.gamma(2, 2, rows),
            "previous_admissions": rng.integers(0, 5, rows),
            "emergency_admission": rng.choice([True, False], rows),
            "readmitted_30d": np.tile([0, 1], rows // 2),
        }
    )
    model = models.fit(cfg, frame)
    assert model.predict_proba(frame[feature_columns(cfg.data)]).shape == (rows, 2)


class PerfectModel:
    """Scores that rank every positive case first."""

    def __init__(self, frame):
        self.frame = frame

    def predict_proba(self, features):
        positive = self.frame.loc[features.index, "malignant"].to_numpy() * 0.8 + 0.1
        return np.column_stack([1 - positive, positive])


def test_metrics_curves_and_files(compose, split, tmp_path):
    cfg = compose(["data=fake"])
    _, test = split
    result = evaluate.evaluate(PerfectModel(test), test, cfg.data, threshold=0.5)
    values = result.metrics
    assert values["roc_auc"] == values["average_precision"] == values["accuracy"] == 1.0
    assert values["false_positive"] == values["false_negative"] == 0
    assert values["true_positive"] + values["true_negative"] == values["n_test"] == len(test)
    assert list(result.roc.columns) == ["fpr", "tpr", "threshold"]
    assert result.roc["threshold"].max() <= 1.0

    metrics_file = evaluate.write_metrics(values, tmp_path / "metrics.json")
    assert json.loads(metrics_file.read_text()) == values
    plots = evaluate.write_plots_data(result, tmp_path / "plots")
    assert [p.name for p in plots] == ["roc.csv", "precision_recall.csv", "confusion.csv"]
    assert sum(1 for _ in plots[2].open()) == len(test) + 1
    figures = evaluate.write_figures(result, tmp_path / "figures")
    for figure in figures:
        assert figure.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["model.estimator.C=-1"], "model.estimator.C=-1 is not valid: LogisticRegression needs"),
        (["model.estimator.C=abc"], "model.estimator.C='abc' is not valid"),
        (
            ["model=random_forest", "model.estimator.n_estimators=0"],
            "model.estimator.n_estimators=0 is not valid: RandomForestClassifier needs",
        ),
        (
            ["model=gradient_boosting", "model.estimator.learning_rate=-0.1"],
            "model.estimator.learning_rate=-0.1 is not valid",
        ),
    ],
)
def test_out_of_range_estimator_arguments_are_one_line(compose, overrides, message):
    cfg = compose(overrides)
    with pytest.raises(PipelineError) as raised:
        models.build_model(cfg.model, cfg.data)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert f"conf/model/{cfg.model.name}.yaml" in str(raised.value)


def test_more_folds_than_cases_of_a_class_is_refused_with_the_numbers(compose, split):
    train, _ = split
    positive = int(train["malignant"].sum())
    cfg = compose(["data=fake", f"train.cv_folds={positive + 1}"])
    with pytest.raises(PipelineError) as raised:
        models.cross_validate(cfg, train)
    message = str(raised.value)
    assert f"the training split has {positive} positive and {len(train) - positive} negative" in (
        message
    )
    assert f"train.cv_folds={positive + 1} needs at least {positive + 1} of each class" in message
    with pytest.raises(PipelineError, match="fitting needs at least 5 of each class"):
        models.fit(compose(["data=fake", "train.cv_folds=0"]), train.head(6))


def test_cross_validation_is_capped_and_parallel_without_changing_the_scores(compose):
    from {{ cookiecutter.package_name }}.data.fake import generate

    train = generate(rows=1200, seed=4)
    base = ["data=fake", "train.cv_folds=2"]
    one_at_a_time = models.cross_validate(compose([*base, "train.n_jobs=1"]), train)
    in_parallel = models.cross_validate(compose([*base, "train.n_jobs=-1"]), train)
    assert one_at_a_time == in_parallel
    assert in_parallel["cv_rows"] == 1200
    # Above the cap the folds see a stratified sample; the final model still sees every row.
    capped = models.cross_validate(compose([*base, "train.cv_max_rows=1000"]), train)
    assert capped["cv_rows"] == 1000 and capped != in_parallel
    positive_share = train["malignant"].mean()
    sample = models.cross_validation_rows(compose([*base, "train.cv_max_rows=1000"]), train)
    assert abs(sample["malignant"].mean() - positive_share) < 0.002
