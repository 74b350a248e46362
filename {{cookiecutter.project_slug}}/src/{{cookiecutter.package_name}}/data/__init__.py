"""Load a data set described in `conf/data/*.yaml` and check it against its declared schema.

A data config names its source (a data set bundled with scikit-learn, see `BUNDLED`, or `file`, a CSV
or Parquet file), the target column and every column with its type. Whatever the source, the
rest of the pipeline sees the same thing: a data frame whose columns match the schema.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableSequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }} import task

# Column roles live in columns.py; the data layer hands them on (`as`: re-exported).
from {{ cookiecutter.package_name }}.columns import (
    NUMERIC_TYPES,
    config_file,
    feature_columns,
    text_columns,
)
from {{ cookiecutter.package_name }}.columns import categorical_columns as categorical_columns
from {{ cookiecutter.package_name }}.columns import check_schema_config as check_schema_config
from {{ cookiecutter.package_name }}.columns import subgroups as subgroups
from {{ cookiecutter.package_name }}.errors import PipelineError

# Where relative paths are read from lives in paths.py, which imports nothing of the package
# (a flavour's task.py may need it); the data layer hands it on (`as`: re-exported).
from {{ cookiecutter.package_name }}.paths import resolve as resolve
from {{ cookiecutter.package_name }}.paths import workspace_root as workspace_root

if TYPE_CHECKING:
    import pandas as pd


def validate(
    frame: pd.DataFrame, data_cfg: Mapping[str, Any], source: str, check_inputs: bool = True
) -> pd.DataFrame:
    """`frame` with the declared column order and types, or a `PipelineError` naming `source`.
    `check_inputs=False`: the files the rows name (images) are not checked, for a table that
    is only described (the data card's fake statistics), never read by a model."""
    import pandas as pd

    check_schema_config(data_cfg)
    where = config_file(data_cfg)
    declared = dict(data_cfg["columns"])
    missing = [name for name in declared if name not in frame.columns]
    extra = [str(name) for name in frame.columns if name not in declared]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing columns {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected columns {', '.join(extra)}")
        raise PipelineError(f"{source} does not match the schema in {where}: {'; '.join(problems)}")
    frame = frame[list(declared)].copy()
    wrong = []
    not_finite = []
    features = set(feature_columns(data_cfg))
    for name, kind in declared.items():
        column = frame[name]
        if kind in NUMERIC_TYPES and column.dtype != bool:
            converted = pd.to_numeric(column, errors="coerce")
            if converted.isna().sum() > column.isna().sum():
                wrong.append(f"{name} (declared {kind}, found text)")
                continue
            if kind == "int" and not (converted.dropna() % 1 == 0).all():
                wrong.append(f"{name} (declared int, found fractions)")
                continue
            column = converted
        if kind in NUMERIC_TYPES and name in features:
            # Most models stop with a traceback on a missing or infinite value; bool would
            # silently turn a missing value into True.
            n_missing = int(column.isna().sum())
            infinite = (
                int(column.isin([float("inf"), float("-inf")]).sum()) if kind != "bool" else 0
            )
            if n_missing:
                not_finite.append(f"{name}: {n_missing} missing")
            if infinite:
                not_finite.append(f"{name}: {infinite} infinite")
        if kind == "datetime":
            # Dates as ISO 8601 text (2026-11-27, 2026-11-27T09:30) or already dates.
            converted = pd.to_datetime(column, errors="coerce", format="ISO8601")
            if converted.isna().sum() > column.isna().sum():
                example = column[converted.isna() & column.notna()].iloc[0]
                wrong.append(f"{name} (declared datetime, found {str(example)[:40]!r})")
                continue
            frame[name] = converted
        elif kind == "float":
            frame[name] = column.astype("float64")
        elif kind == "int":
            frame[name] = column if column.isna().any() else column.astype("int64")
        elif kind == "bool":
            frame[name] = column.astype("bool")
        elif kind == "category":
            frame[name] = column.astype("string").astype("category")
        else:
            frame[name] = column.astype("string")
    if wrong:
        raise PipelineError(
            f"{source} does not match the schema in {where}: wrong types in {', '.join(wrong)}"
        )
    if not_finite:
        raise PipelineError(
            f"{source}: every feature needs a finite value, found {'; '.join(not_finite)}: fill "
            "or drop those rows before training (or move the column to `subgroups` in "
            f"{where} if it is no feature)"
        )
    check_text_columns(frame, data_cfg, source)
    # A flavour whose rows name files (images) checks them; optional in task.py.
    check_files = getattr(task, "check_inputs", None)
    if check_inputs and check_files is not None:
        frame = check_files(frame, data_cfg, source)
    frame = apply_filter(frame, data_cfg, source)
    target = frame[data_cfg["target"]]
    if target.isna().any():
        raise PipelineError(
            f"{source}: {target.isna().sum()} rows have no value in the target column "
            f"{data_cfg['target']}; drop or fill them before training"
        )
    task.check_target(frame, data_cfg, source, where)
    return frame


def check_text_columns(frame: pd.DataFrame, data_cfg: Mapping[str, Any], source: str) -> None:
    """Each column with the role `text` holds words: not empty, not numbers only. A missing
    note becomes an empty one (the model then sees no words), in place."""
    import pandas as pd

    for name in text_columns(data_cfg):
        written = frame[name].fillna("").str.strip()
        if not (written != "").any():
            raise PipelineError(
                f"{source}: the text column {name} is empty (no row has any text): check the "
                f"column's name in {config_file(data_cfg)} and the file's contents"
            )
        values = written[written != ""]
        if pd.to_numeric(values, errors="coerce").notna().all():
            raise PipelineError(
                f"{source}: the text column {name} holds numbers only (such as "
                f"{str(values.iloc[0])[:20]!r}), not free text: is it the right column? "
                f"(roles in {config_file(data_cfg)})"
            )
        frame[name] = frame[name].fillna("")


def apply_filter(frame: pd.DataFrame, data_cfg: Mapping[str, Any], source: str) -> pd.DataFrame:
    """The rows whose values are among those `filter` lists for each column (a model per site:
    `filter: {site: [north]}`); all rows without a filter. Values compare as text."""
    # A list, or OmegaConf's ListConfig (a MutableSequence, not a list); one value alone.
    wanted = {
        str(column): [str(value) for value in values]
        if isinstance(values, MutableSequence)
        else [str(values)]
        for column, values in (data_cfg.get("filter") or {}).items()
    }
    for column, allowed in wanted.items():
        frame = frame[frame[column].astype("string").isin(allowed)]
    if wanted and frame.empty:
        shown = wanted
        raise PipelineError(
            f"{source}: no row is left after the filter {shown} of {config_file(data_cfg)}: "
            "check the values (they compare as text)"
        )
    return frame.reset_index(drop=True) if wanted else frame


def load_breast_cancer_frame() -> pd.DataFrame:
    """scikit-learn's bundled Breast Cancer Wisconsin data, with the default schema's names."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.data.rename(columns=lambda name: name.replace(" ", "_"))
    # scikit-learn codes malignant as 0; the schema makes the case of interest the positive one.
    frame["malignant"] = (bunch.target == 0).astype("int64")
    return frame


def load_wine_frame() -> pd.DataFrame:
    """scikit-learn's bundled wine recognition data: three cultivars, a multiclass target."""
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    frame = bunch.data.rename(columns=lambda name: name.replace("/", "_per_"))
    frame["cultivar"] = bunch.target.map(lambda code: f"cultivar_{code}").astype("string")
    return frame


def load_diabetes_frame() -> pd.DataFrame:
    """scikit-learn's bundled diabetes data: ten baseline measurements and a disease
    progression score a year later (a regression target), unscaled as first published."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(as_frame=True, scaled=False)
    frame = bunch.data.rename(
        columns={"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"}
    )
    frame["sex"] = frame["sex"].map({1.0: "1", 2.0: "2"}).astype("string")
    frame["progression"] = bunch.target.astype("float64")
    return frame


# The data sets `source:` may name that ship inside scikit-learn (no download), and how
# messages name them.
BUNDLED = {
    "breast_cancer": (load_breast_cancer_frame, "the bundled breast cancer data"),
    "wine": (load_wine_frame, "the bundled wine data"),
    "diabetes": (load_diabetes_frame, "the bundled diabetes data"),
    # A flavour's own (the text flavour's synthetic triage notes); optional in task.py.
    **getattr(task, "BUNDLED", {}),
}


def _text_problem(path: Path) -> str | None:
    """Why `path` is not a UTF-8 text file, judged from its first bytes; None if it may be."""
    with path.open("rb") as stream:
        head = stream.read(8192)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 text"
    if b"\x00" in head:
        return "it holds binary data (or UTF-16 text)"
    return None


SAVE_AS_CSV = "save it as CSV UTF-8 (in Excel: Save As > CSV UTF-8), or as Parquet"


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8) or Parquet file as a data frame; an unreadable file is one clear line."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise PipelineError(
            f"{path}: unsupported file type {suffix!r}; use a .csv or .parquet file"
        )
    if path.stat().st_size == 0:
        raise PipelineError(
            f"{path} is empty (0 bytes): put the data set there, or point the "
            "data config's `path` at it"
        )
    if suffix == ".csv":
        problem = _text_problem(path)
        if problem:
            raise PipelineError(f"{path} is not a UTF-8 CSV file ({problem}): {SAVE_AS_CSV}")
        try:
            frame = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise PipelineError(
                f"{path} holds no header row and no data: put the data set "
                "there, with a header row naming the columns"
            ) from None
        except UnicodeDecodeError as error:
            raise PipelineError(
                f"{path} is not a UTF-8 CSV file (byte {error.start} is not UTF-8): {SAVE_AS_CSV}"
            ) from None
        except (pd.errors.ParserError, ValueError) as error:
            reason = " ".join(str(error).split())[:200]
            raise PipelineError(f"{path} cannot be read as CSV ({reason}): {SAVE_AS_CSV}") from None
    else:
        try:
            frame = pd.read_parquet(path)
        except Exception as error:  # pyarrow raises several types for a damaged file
            reason = " ".join(str(error).split())[:200]
            raise PipelineError(
                f"{path} cannot be read as Parquet ({reason}): write it again, or use a CSV file"
            ) from None
    if frame.empty:
        raise PipelineError(f"{path} has no data rows: put the data set there")
    return frame


def describe_source(data_cfg: Mapping[str, Any]) -> str:
    """How messages name the data: its file, or the bundled data set."""
    if data_cfg.get("source") == "file" and data_cfg.get("path"):
        return str(resolve(data_cfg["path"]))
    source = str(data_cfg.get("source"))
    return BUNDLED[source][1] if source in BUNDLED else "the bundled data"


def missing_file_hint(path: Path, produced_by: str | None) -> str:
    how = f"`{produced_by}`" if produced_by else "`dvc pull`"
    return f"{path} not found: run {how} to create it"


def load_dataset(data_cfg: Mapping[str, Any]) -> pd.DataFrame:
    """The data set described by `data_cfg`, validated against its schema."""
    source = data_cfg["source"]
    if source in BUNDLED:
        load, name = BUNDLED[source]
        return validate(load(), data_cfg, name)
    if source != "file":
        raise PipelineError(
            f"{config_file(data_cfg)}: unknown source {source!r}; use file or one of "
            f"{', '.join(BUNDLED)}"
        )
    if not data_cfg.get("path"):
        raise PipelineError(f"{config_file(data_cfg)}: a file source needs a `path`")
    path = resolve(data_cfg["path"])
    if not path.is_file():
        raise PipelineError(missing_file_hint(path, data_cfg.get("produced_by")))
    return validate(read_table(path), data_cfg, str(path))
