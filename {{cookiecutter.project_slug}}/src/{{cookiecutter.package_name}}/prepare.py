"""Split the validated data set into the training and test sets (the `prepare` stage)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.data import describe_source, load_dataset
from {{ cookiecutter.package_name }}.errors import PipelineError

if TYPE_CHECKING:
    import pandas as pd


def _check_split_column(cfg: Mapping[str, Any]) -> str | None:
    """The column a time or group split uses (None for a random split), checked."""
    train_cfg, data_cfg = cfg["train"], cfg["data"]
    how, column = train_cfg["split"], train_cfg["split_column"]
    if how == "random":
        return None
    if column is None or column not in data_cfg["columns"]:
        raise PipelineError(
            f"train.split={how} needs train.split_column, one of the columns of "
            f"conf/data/{data_cfg['name']}.yaml; got {column!r}"
        )
    if how == "time" and data_cfg["columns"][column] != "datetime":
        raise PipelineError(
            f"train.split=time orders rows by train.split_column={column}, declared "
            f"{data_cfg['columns'][column]}: declare it datetime in conf/data/{data_cfg['name']}.yaml"
        )
    return column


def _hold_out(frame: pd.DataFrame, cfg: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test rows by `train.split` (raises ValueError when there are too few)."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    train_cfg, data_cfg = cfg["train"], cfg["data"]
    column = _check_split_column(cfg)
    if train_cfg["split"] == "time":
        ordered = frame.sort_values(column, kind="stable")
        cut = len(ordered) - max(1, round(len(ordered) * train_cfg["test_size"]))
        if cut < 1:
            raise ValueError("too few rows")
        return ordered.iloc[:cut], ordered.iloc[cut:]
    if train_cfg["split"] == "group":
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=train_cfg["test_size"], random_state=train_cfg["seed"]
        )
        train_rows, test_rows = next(splitter.split(frame, groups=frame[column].astype("string")))
        return frame.iloc[train_rows], frame.iloc[test_rows]
    return train_test_split(
        frame,
        test_size=train_cfg["test_size"],
        random_state=train_cfg["seed"],
        stratify=task.stratify(frame, data_cfg),
    )


def split(cfg: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and test sets by `train.split` (random: stratified where the flavour
    stratifies, `task.stratify`; time; group), reproducible from `train.seed`."""
    data_cfg = cfg["data"]
    _check_split_column(cfg)  # a wrong setting is named before the data are read
    frame = load_dataset(data_cfg)
    test_size = cfg["train"]["test_size"]
    too_small = f"{describe_source(data_cfg)} has {task.describe_rows(frame, data_cfg)}"
    try:
        train, test = _hold_out(frame, cfg)
    except ValueError:  # too few rows to split: named below with the numbers
        raise PipelineError(f"{too_small}: {task.unsplittable(test_size)}") from None
    try:
        task.check_test_set(test, cfg)
        task.check_training_set(cfg, train)
    except PipelineError as error:
        raise PipelineError(f"{too_small}; {error}") from None
    return train.reset_index(drop=True), test.reset_index(drop=True)


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path


def read_table(path: Path) -> pd.DataFrame:
    """A table written by `write_table`; a missing file names the command that writes it."""
    import pandas as pd

    if not path.is_file():
        raise PipelineError(
            f"{path} not found: run `dvc repro prepare` to create it (or `dvc pull` to fetch it)"
        )
    return pd.read_parquet(path)


def file_md5(path: Path) -> str:
    """The MD5 of a file's bytes: the hash DVC records for the file in dvc.lock."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
