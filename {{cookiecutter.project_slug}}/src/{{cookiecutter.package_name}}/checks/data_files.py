"""Refuse data and model files in git: DVC tracks them, git tracks only their `.dvc` pointers.

`.gitignore` already ignores these formats; this hook catches the ones added anyway
(`git add -f`, a new extension, a renamed folder). Small fake-data fixtures under
`tests/fixtures/` are allowed, and more paths can be allowed with `--allow GLOB`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import PurePosixPath

from {{ cookiecutter.package_name }}.checks import hook_arguments

DEFAULT_ALLOWED = ("tests/fixtures/*",)

# Multi-part suffixes first: the longest matching suffix names the format.
DATA_FORMATS = {
    ".nii.gz": "NIfTI image",
    ".csv": "CSV table",
    ".tsv": "TSV table",
    ".parquet": "Parquet table",
    ".feather": "Feather table",
    ".arrow": "Arrow table",
    ".orc": "ORC table",
    ".avro": "Avro records",
    ".xlsx": "Excel workbook",
    ".xlsm": "Excel workbook",
    ".xls": "Excel workbook",
    ".ods": "OpenDocument spreadsheet",
    ".sav": "SPSS data",
    ".dta": "Stata data",
    ".sas7bdat": "SAS data",
    ".rds": "R data",
    ".rdata": "R data",
    ".rda": "R data",
    ".db": "database",
    ".sqlite": "SQLite database",
    ".sqlite3": "SQLite database",
    ".h5": "HDF5 data or model",
    ".hdf5": "HDF5 data",
    ".hdf": "HDF data",
    ".npy": "NumPy array",
    ".npz": "NumPy arrays",
    ".dcm": "DICOM image",
    ".dicom": "DICOM image",
    ".nii": "NIfTI image",
    ".mgz": "MGH image",
    ".nrrd": "NRRD image",
    ".mha": "MetaImage",
    ".mhd": "MetaImage",
    ".svs": "whole-slide image",
    ".ndpi": "whole-slide image",
    ".pkl": "pickle (model or data)",
    ".pickle": "pickle (model or data)",
    ".joblib": "joblib model",
    ".onnx": "ONNX model",
    ".pt": "PyTorch model",
    ".pth": "PyTorch model",
    ".ckpt": "model checkpoint",
    ".safetensors": "model weights",
    ".keras": "Keras model",
}

# DICOM files often have no extension at all: they start with a 128-byte preamble and "DICM".
_DICOM_MAGIC_OFFSET = 128
_DICOM_MAGIC = b"DICM"


def data_format(path: str) -> str | None:
    """The kind of data file `path` is, or None if it is not one we refuse."""
    name = PurePosixPath(path).name.lower()
    for suffix, kind in DATA_FORMATS.items():
        if name.endswith(suffix):
            return kind
    try:
        with open(path, "rb") as file:
            head = file.read(_DICOM_MAGIC_OFFSET + len(_DICOM_MAGIC))
    except OSError:
        return None
    if head[_DICOM_MAGIC_OFFSET:] == _DICOM_MAGIC:
        return "DICOM image"
    return None


def is_allowed(path: str, allowed: Sequence[str]) -> bool:
    posix = PurePosixPath(path).as_posix()
    return any(fnmatch(posix, pattern) for pattern in allowed)


def problems(paths: Sequence[str], allowed: Sequence[str] = DEFAULT_ALLOWED) -> list[str]:
    """One message per data file in `paths` that is not allowed."""
    messages = []
    for path in paths:
        kind = data_format(path)
        if kind and not is_allowed(path, allowed):
            messages.append(
                f"{path}: {kind} — data and models stay out of git. Track it with "
                f"`dvc add {path}` and commit the .dvc file instead "
                "(small fake-data fixtures for tests belong under tests/fixtures/)."
            )
    return messages


def main(argv: Sequence[str] | None = None) -> int:
    args = hook_arguments(
        argv,
        description=__doc__.splitlines()[0],
        allow_metavar="GLOB",
        allow_help="also allow paths matching GLOB (tests/fixtures/* is always allowed)",
    )
    messages = problems(args.filenames, [*DEFAULT_ALLOWED, *args.allow])
    for message in messages:
        print(message, file=sys.stderr)
    return 1 if messages else 0


if __name__ == "__main__":
    raise SystemExit(main())
