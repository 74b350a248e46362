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


def split(cfg: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and test sets (stratified where the flavour stratifies: `task.stratify`),
    reproducible from `train.seed`."""
    from sklearn.model_selection import train_test_split

    data_cfg = cfg["data"]
    frame = load_dataset(data_cfg)
    test_size = cfg["train"]["test_size"]
    too_small = f"{describe_source(data_cfg)} has {task.describe_rows(frame, data_cfg)}"
    try:
        train, test = train_test_split(
            frame,
            test_size=test_size,
            random_state=cfg["train"]["seed"],
            stratify=task.stratify(frame, data_cfg),
        )
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
