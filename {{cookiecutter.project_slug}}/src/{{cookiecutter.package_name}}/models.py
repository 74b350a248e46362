"""Build a model from its configuration (`conf/model/*.yaml`) and fit it.

Each model file has an `estimator` built by Hydra from its `_target_`, so adding a model is
adding one YAML file. Features are prepared the same way for every model: numeric columns
scaled when `scale_features` is true, categorical columns one-hot encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }}.data import categorical_columns, feature_columns
from {{ cookiecutter.package_name }}.errors import PipelineError

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline


def build_model(model_cfg: Mapping[str, Any], data_cfg: Mapping[str, Any]) -> Pipeline:
    """An unfitted scikit-learn pipeline: feature preparation, then the configured estimator."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    try:
        estimator = instantiate(model_cfg["estimator"], _convert_="all")
    except InstantiationException as error:
        reason = str(error).strip().splitlines()[-1]
        raise PipelineError(
            f"conf/model/{model_cfg.get('name', '<name>')}.yaml: cannot build the estimator: "
            f"{reason}"
        ) from None
    categorical = categorical_columns(data_cfg)
    numeric = [name for name in feature_columns(data_cfg) if name not in categorical]
    transformers = []
    if numeric:
        scaler = StandardScaler() if model_cfg.get("scale_features") else "passthrough"
        transformers.append(("numeric", scaler, numeric))
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        transformers.append(("categorical", encoder, categorical))
    features = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return Pipeline([("features", features), ("model", estimator)])


def labels(frame: pd.DataFrame, data_cfg: Mapping[str, Any]) -> pd.Series:
    """The target as 1 for a positive case, 0 otherwise."""
    return (frame[data_cfg["target"]] == data_cfg["positive_label"]).astype("int64")


def cross_validate(cfg: Mapping[str, Any], train: pd.DataFrame) -> dict[str, float]:
    """ROC AUC over `train.cv_folds` stratified folds of the training set (empty if off)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    folds = int(cfg["train"]["cv_folds"])
    if folds < 2:
        return {}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=cfg["train"]["seed"])
    scores = cross_val_score(
        build_model(cfg["model"], cfg["data"]),
        train[feature_columns(cfg["data"])],
        labels(train, cfg["data"]),
        scoring="roc_auc",
        cv=splitter,
    )
    return {
        "cv_roc_auc_mean": round(float(scores.mean()), 6),
        "cv_roc_auc_std": round(float(scores.std()), 6),
        "cv_folds": folds,
    }


def fit(cfg: Mapping[str, Any], train: pd.DataFrame) -> Pipeline:
    """The configured model fitted on the training set."""
    model = build_model(cfg["model"], cfg["data"])
    model.fit(train[feature_columns(cfg["data"])], labels(train, cfg["data"]))
    return model
