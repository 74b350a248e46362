"""Build a model from its configuration (`conf/model/*.yaml`) and fit it.

Each model file has an `estimator` built by Hydra from its `_target_`, so adding a model is
adding one YAML file. Features are prepared the same way for every model: numeric columns
scaled when `scale_features` is true, categorical columns one-hot encoded, and free-text
columns (role `text`, where the flavour learns from them) turned into features by the model's
`vectoriser` (also built from its `_target_`, one per text column). With `vectoriser: null` the
estimator is handed the feature columns as they are, raw text included (a transformer model).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.columns import categorical_columns, feature_columns, text_columns
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
    check_estimator_params(estimator, model_cfg)
    text = text_columns(data_cfg)
    text = [name for name in text if name in feature_columns(data_cfg)]
    transformers: list[tuple[str, Any, Any]] = []
    if text:
        where = f"conf/model/{model_cfg.get('name', '<name>')}.yaml"
        if "vectoriser" not in model_cfg:
            raise PipelineError(
                f"{where} has no `vectoriser` for the text column {', '.join(text)}: add one "
                "(see conf/model/logistic_regression.yaml), or `vectoriser: null` for an "
                "estimator that reads raw text"
            )
        if model_cfg["vectoriser"] is None:  # the estimator reads the raw columns itself
            return Pipeline([("features", "passthrough"), ("model", estimator)])
        for index, name in enumerate(text):
            transformers.append((f"text_{index}", build_vectoriser(model_cfg, where), name))
    categorical = categorical_columns(data_cfg)
    numeric = [
        name for name in feature_columns(data_cfg) if name not in categorical and name not in text
    ]
    if numeric:
        scaler = StandardScaler() if model_cfg.get("scale_features") else "passthrough"
        transformers.append(("numeric", scaler, numeric))
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        transformers.append(("categorical", encoder, categorical))
    features = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return Pipeline([("features", features), ("model", estimator)])


def build_vectoriser(model_cfg: Mapping[str, Any], where: str) -> Any:
    """The model's `vectoriser` (a scikit-learn text vectoriser, TF-IDF say), unfitted."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    try:
        vectoriser = instantiate(model_cfg["vectoriser"], _convert_="all")
    except InstantiationException as error:
        reason = str(error).strip().splitlines()[-1]
        raise PipelineError(f"{where}: cannot build the vectoriser: {reason}") from None
    # YAML has lists, not tuples; scikit-learn's vectorisers take `ngram_range` as a tuple.
    for key, value in vectoriser.get_params(deep=False).items():
        if isinstance(value, list) and key.endswith("_range"):
            vectoriser.set_params(**{key: tuple(value)})
    return vectoriser


_SKLEARN_PARAM = re.compile(
    r"^The '(?P<name>\w+)' parameter of (?P<owner>\w+) must be (?P<rule>.*?)\. Got"
)


def check_estimator_params(estimator: Any, model_cfg: Mapping[str, Any]) -> None:
    """Refuse out-of-range arguments (such as a negative `C`) before any data is read.

    scikit-learn checks its estimators' arguments only when `fit` runs, with a traceback; its
    own declared constraints are checked here instead and reported as one line.
    """
    validate = getattr(estimator, "_validate_params", None)
    if validate is None:  # not a scikit-learn estimator: it checks its arguments itself
        return
    try:
        validate()
    except (ValueError, TypeError) as error:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        match = _SKLEARN_PARAM.match(text)
        where = f"conf/model/{model_cfg.get('name', '<name>')}.yaml or the command line"
        if match is None:
            raise PipelineError(f"model.estimator is not valid ({where}): {text}") from None
        name = match["name"]
        value = (model_cfg.get("estimator") or {}).get(name, getattr(estimator, name, None))
        raise PipelineError(
            f"model.estimator.{name}={value!r} is not valid: {match['owner']} needs "
            f"{match['rule']}; set it in {where}"
        ) from None


def check_training_set(cfg: Mapping[str, Any], train: pd.DataFrame) -> None:
    """Enough rows (of each class, for a classifier) to fit and to cross-validate."""
    task.check_training_set(cfg, train)


def cross_validation_rows(cfg: Mapping[str, Any], train: pd.DataFrame) -> pd.DataFrame:
    """The training rows cross-validation runs on: all of them, or a sample of
    `train.cv_max_rows` when there are more, stratified where the flavour stratifies (the
    final model is always fitted on every row)."""
    from sklearn.model_selection import train_test_split

    cap = cfg["train"]["cv_max_rows"]
    if cap is None or len(train) <= cap:
        return train
    sample, _ = train_test_split(
        train,
        train_size=int(cap),
        random_state=cfg["train"]["seed"],
        stratify=task.stratify(train, cfg["data"]),
    )
    return sample


def cross_validate(cfg: Mapping[str, Any], train: pd.DataFrame) -> dict[str, float]:
    """The flavour's score (`task.scoring`) over `train.cv_folds` folds of the training set
    (`task.cv_splitter`), as `cv_<score>_mean` and `_std`; empty if off.

    The folds are fitted in parallel (`train.n_jobs`) in threads: scikit-learn's tree builders
    and gradient boosting release the GIL, and threads neither start processes nor copy the
    data to them, which on small data costs more than the folds themselves. Meanwhile NumPy's
    and OpenMP's own thread pools keep to one thread each: a pool per fold on every core would
    oversubscribe the cores.
    """
    from joblib import parallel_backend
    from sklearn.model_selection import GroupKFold, TimeSeriesSplit, cross_val_score
    from threadpoolctl import threadpool_limits

    folds = int(cfg["train"]["cv_folds"])
    if folds < 2:
        return {}
    rows = cross_validation_rows(cfg, train)
    check_training_set(cfg, rows)
    splitter, groups = task.cv_splitter(cfg), None
    how, column = cfg["train"]["split"], cfg["train"]["split_column"]
    if how == "group":  # a group never on both sides of a fold either
        splitter, groups = GroupKFold(n_splits=folds), rows[column].astype("string")
    elif how == "time":  # each fold tested on rows after those it was fitted on
        rows = rows.sort_values(column, kind="stable")
        splitter = TimeSeriesSplit(n_splits=folds)
    n_jobs = int(cfg["train"]["n_jobs"])
    with (
        parallel_backend("threading", n_jobs=n_jobs),
        threadpool_limits(limits=None if n_jobs == 1 else 1),
    ):
        scores = cross_val_score(
            build_model(cfg["model"], cfg["data"]),
            rows[feature_columns(cfg["data"])],
            task.target(rows, cfg["data"]),
            scoring=task.scoring(cfg["data"]),
            cv=splitter,
            groups=groups,
            n_jobs=n_jobs,
        )
    return {
        f"cv_{task.SCORE_NAME}_mean": round(float(task.SCORE_SIGN * scores.mean()), 6),
        f"cv_{task.SCORE_NAME}_std": round(float(scores.std()), 6),
        "cv_folds": folds,
        "cv_rows": len(rows),
    }


def fit(cfg: Mapping[str, Any], train: pd.DataFrame) -> Pipeline:
    """The configured model fitted on the training set."""
    check_training_set(cfg, train)
    model = build_model(cfg["model"], cfg["data"])
    model.fit(train[feature_columns(cfg["data"])], task.target(train, cfg["data"]))
    return model
