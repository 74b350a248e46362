"""Refuse data and model files in git: DVC tracks them, git tracks only their `.dvc` pointers.

`.gitignore` already ignores the usual formats; this hook catches the ones added anyway
(`git add -f`, a new extension, a renamed file). A file is judged by its name, including
compound names (`.csv.gz`, `.dcm.gz`), and by its content, whatever its name: compressed
files and archives, DICOM, Parquet, Arrow, HDF5, SQLite, pickle, NumPy, Office and other
binary data formats by their magic bytes, and text that is a table (many lines with the same
number of commas, tabs, semicolons or pipes), JSON lines or an SQL dump. Small fake-data
fixtures under `tests/fixtures/` are allowed, and more paths with `--allow GLOB`.

`skunkworks check data-files FILES...` runs it; `data_file_findings(paths)` is the API.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import PurePosixPath

from skunkworks_poc.checks import Problem, decode

DEFAULT_ALLOWED = ("tests/fixtures/*",)

DATA_FORMATS = {
    ".csv": "CSV table",
    ".tsv": "TSV table",
    ".psv": "delimited table",
    ".jsonl": "JSON lines",
    ".ndjson": "JSON lines",
    ".parquet": "Parquet table",
    ".feather": "Feather table",
    ".arrow": "Arrow table",
    ".orc": "ORC table",
    ".avro": "Avro records",
    ".xlsx": "Excel workbook",
    ".xlsm": "Excel workbook",
    ".xlsb": "Excel workbook",
    ".xls": "Excel workbook",
    ".ods": "OpenDocument spreadsheet",
    ".sav": "SPSS data",
    ".zsav": "SPSS data",
    ".por": "SPSS data",
    ".dta": "Stata data",
    ".sas7bdat": "SAS data",
    ".xpt": "SAS transport data",
    ".rds": "R data",
    ".rdata": "R data",
    ".rda": "R data",
    ".mat": "MATLAB data",
    ".dump": "database dump",
    ".db": "database",
    ".sqlite": "SQLite database",
    ".sqlite3": "SQLite database",
    ".duckdb": "DuckDB database",
    ".mdb": "Access database",
    ".accdb": "Access database",
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
    ".edf": "EDF signal recording",
    ".pkl": "pickle (model or data)",
    ".pickle": "pickle (model or data)",
    ".joblib": "joblib model",
    ".skops": "skops model",
    ".onnx": "ONNX model",
    ".pt": "PyTorch model",
    ".pth": "PyTorch model",
    ".ckpt": "model checkpoint",
    ".safetensors": "model weights",
    ".keras": "Keras model",
}
# Compression and archive suffixes: refused themselves, and named with what they hold
# (`scan.dcm.gz` is a "DICOM image, gzip-compressed").
ARCHIVE_FORMATS = {
    ".gz": "gzip-compressed",
    ".tgz": "gzip-compressed tar archive",
    ".bz2": "bzip2-compressed",
    ".xz": "xz-compressed",
    ".zst": "zstd-compressed",
    ".lz4": "lz4-compressed",
    ".zip": "zip archive",
    ".7z": "7-Zip archive",
    ".rar": "RAR archive",
    ".tar": "tar archive",
}

# Magic bytes at the start of the file (offset, bytes, kind).
_MAGIC = (
    (0, b"\x1f\x8b", "gzip-compressed file"),
    (0, b"PK\x03\x04", "zip archive (or an Office document or PyTorch model, which are zips)"),
    (0, b"PK\x05\x06", "zip archive"),
    (0, b"\xfd7zXZ\x00", "xz-compressed file"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"\x28\xb5\x2f\xfd", "zstd-compressed file"),
    (0, b"\x04\x22\x4d\x18", "lz4-compressed file"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (257, b"ustar", "tar archive"),
    (128, b"DICM", "DICOM image"),
    (0, b"PAR1", "Parquet table"),
    (0, b"ARROW1", "Arrow table"),
    (0, b"FEA1", "Feather table"),
    (0, b"Obj\x01", "Avro records"),
    (0, b"\x89HDF\r\n\x1a\n", "HDF5 data"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (8, b"DUCK", "DuckDB database"),
    (0, b"\x93NUMPY", "NumPy array"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document (old Excel or Word format)"),
    (0, b"MATLAB 5.0 MAT-file", "MATLAB data"),
    (0, b"$FL2", "SPSS data"),
    (0, b"$FL3", "SPSS data"),
    (344, b"n+1\x00", "NIfTI image"),
    (344, b"ni1\x00", "NIfTI image"),
    (0, b"RDX2\n", "R data"),
    (0, b"RDX3\n", "R data"),
)
_HEAD_BYTES = 65536
# A table: at least this many lines, all with the same number of fields (two or more). Files
# named as code, configuration or documents need more lines: a short one can look tabular.
_TABLE_MIN_LINES = 3
_TABLE_MIN_LINES_IN_CODE = 10
_CODE_AND_DOCUMENT_SUFFIXES = frozenset(
    {".py", ".pyi", ".ipynb", ".toml", ".yaml", ".yml", ".json", ".cff", ".cfg", ".ini"}
    | {".md", ".rst", ".html", ".css", ".js", ".ts", ".sh", ".r", ".lock", ".dvc", ".in"}
)
_TABLE_DELIMITERS = (",", "\t", ";", "|")
# SQL that inserts rows is a dump of data; queries and schemas are code. A `.sql` file with one
# INSERT or COPY is a dump, any other text file needs a few; in a file named as code or a
# document they must also be most of its lines (a module may quote a few in its docstrings).
_SQL_DUMP_MIN_STATEMENTS = 3
_SQL_DATA = ("INSERT INTO", "COPY ", "INSERT ALL", "REPLACE INTO")


def format_by_name(name: str) -> str | None:
    suffixes = [suffix.lower() for suffix in PurePosixPath(name).suffixes]
    # `.nii.gz`, `.csv.gz`, `.dcm.gz`: name the inner format and the compression.
    if len(suffixes) >= 2 and suffixes[-1] in ARCHIVE_FORMATS:
        inner = DATA_FORMATS.get(suffixes[-2])
        if inner:
            return f"{inner}, {ARCHIVE_FORMATS[suffixes[-1]]}"
    if suffixes:
        last = suffixes[-1]
        if last in DATA_FORMATS:
            return DATA_FORMATS[last]
        if last in ARCHIVE_FORMATS:
            return f"{ARCHIVE_FORMATS[last]} file"
    return None


def _format_by_magic(head: bytes) -> str | None:
    for offset, magic, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] == b"1AY&SY":
        return "bzip2-compressed file"
    # Pickle protocol 2 and later start with PROTO (0x80) and the protocol number.
    if len(head) > 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle (model or data)"
    return None


def _is_table(lines: list[str], min_lines: int) -> str | None:
    """The delimiter when `lines` are a delimited table, else None.

    Every line must split into the same number of fields (two or more) with the csv module,
    so quoted fields count once; Markdown tables (lines that start with `|`) are documents.
    """
    if len(lines) < min_lines:
        return None
    for delimiter in _TABLE_DELIMITERS:
        if delimiter == "|" and any(line.startswith("|") for line in lines):
            continue
        if not all(delimiter in line for line in lines):
            continue
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return delimiter
    return None


def _is_json_lines(lines: list[str]) -> bool:
    if len(lines) < 2:
        return False
    for line in lines:
        if not (line.startswith("{") and line.endswith("}")):
            return False
        try:
            json.loads(line)
        except ValueError:
            return False
    return True


def _format_by_text(text: str, truncated: bool, suffix: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if truncated:
        lines = lines[:-1]  # the head may end in the middle of a line
    sample = lines[:200]
    min_table_lines = (
        _TABLE_MIN_LINES_IN_CODE if suffix in _CODE_AND_DOCUMENT_SUFFIXES else _TABLE_MIN_LINES
    )
    delimiter = _is_table(sample, min_table_lines)
    if delimiter:
        name = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}[delimiter]
        return f"table ({name}-delimited text)"
    if _is_json_lines(sample):
        return "JSON lines records"
    inserts = sum(line.upper().startswith(_SQL_DATA) for line in lines)
    if suffix == ".sql":
        needed = 1
    elif suffix in _CODE_AND_DOCUMENT_SUFFIXES:
        needed = max(_SQL_DUMP_MIN_STATEMENTS, len(lines) // 2 + 1)
    else:
        needed = _SQL_DUMP_MIN_STATEMENTS
    if inserts >= needed:
        return "SQL dump (rows of data)"
    return None


def data_format(path: str) -> str | None:
    """The kind of data file `path` is, or None if it is not one we refuse."""
    by_name = format_by_name(PurePosixPath(path).name)
    if by_name:
        return by_name
    try:
        with open(path, "rb") as file:
            head = file.read(_HEAD_BYTES)
    except OSError:
        return None
    by_magic = _format_by_magic(head)
    if by_magic:
        return by_magic
    text = decode(head)
    if text is None:
        return None
    suffix = PurePosixPath(path).suffix.lower()
    return _format_by_text(text, len(head) == _HEAD_BYTES, suffix)


def is_allowed(path: str, allowed: Sequence[str]) -> bool:
    posix = PurePosixPath(path).as_posix()
    return any(fnmatch(posix, pattern) for pattern in allowed)


def data_file_findings(
    paths: Sequence[str], allowed: Sequence[str] = DEFAULT_ALLOWED
) -> list[Problem]:
    """One problem per data or model file in `paths` whose path matches no glob in `allowed`
    (pass `DEFAULT_ALLOWED` along with any extra globs: it is not added for you)."""
    problems = []
    for path in paths:
        if is_allowed(path, allowed):
            continue
        kind = data_format(path)
        if kind:
            problems.append(
                Problem(
                    path,
                    f"{kind} — data and models stay out of git. Track it with "
                    f"`dvc add {path}` and commit the .dvc file instead "
                    "(small fake-data fixtures for tests belong under tests/fixtures/; "
                    "a file that is not data can be allowed with `args: [--allow, GLOB]` on "
                    "the hook in .pre-commit-config.yaml).",
                )
            )
    return problems
