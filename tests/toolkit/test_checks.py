"""`skunkworks check`: the pre-commit guards (no data files, no NHS numbers, no credentials in
.env files), through their API, their command line and a real offline pre-commit run."""

import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nhs_number
import pytest
import yaml

from skunkworks_poc.checks import data_files, env_files, nhs_numbers
from skunkworks_poc.cli import main as skunkworks


def check(name, *args):
    """Run `skunkworks check NAME ARGS...` in this process; its exit code."""
    return skunkworks(["check", name, *map(str, args)])


def with_check_digit(stem: str) -> str:
    """An independent Modulus 11 implementation, to build valid numbers for the tests."""
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(stem)) % 11
    check = (11 - remainder) % 11
    assert check != 10, f"{stem} has no valid check digit"
    return stem + str(check)


# Valid numbers in issued ranges, built at run time so no real-looking literal is committed.
VALID = with_check_digit("401023213")  # England, Wales and the Isle of Man
NORTHERN_IRELAND = with_check_digit("320000001")
SCOTLAND_CHI = with_check_digit("150690123")  # born 15 June 1990
# Valid by Modulus 11, but never issued: the 999 test range and the reserved 5 range.
TEST_RANGE = "9990000018"
RESERVED = with_check_digit("510000000")
A, B, C = VALID[:3], VALID[3:6], VALID[6:]
# A UK mobile number from Ofcom's drama range, 07700 900xxx, whose ten digits after the 0 pass.
MOBILE = with_check_digit("770090001")


def test_modulus_11_accepts_the_worked_example_and_rejects_a_wrong_check_digit():
    # By hand: the first nine digits weighted 10 down to 2 sum to 245; 245 % 11 = 3; 11 - 3 = 8.
    assert nhs_numbers.is_valid_nhs_number(TEST_RANGE)
    assert not nhs_numbers.is_valid_nhs_number("9990000017")


@pytest.mark.parametrize("stem", ["401023213", "943476591", "523456788", "600000000", "150690123"])
def test_modulus_11_agrees_with_an_independent_implementation(stem):
    valid = with_check_digit(stem)
    assert nhs_numbers.is_valid_nhs_number(valid)
    for wrong in set("0123456789") - {valid[-1]}:
        assert not nhs_numbers.is_valid_nhs_number(stem + wrong)


def test_a_stem_whose_check_digit_would_be_ten_has_no_valid_number():
    def weighted(stem):
        return sum(int(digit) * (10 - position) for position, digit in enumerate(stem))

    stem = next(f"{n:09d}" for n in range(1000) if weighted(f"{n:09d}") % 11 == 1)
    assert not any(nhs_numbers.is_valid_nhs_number(stem + digit) for digit in "0123456789")


@pytest.mark.parametrize(
    ("digits", "region"),
    [
        (VALID, "England, Wales, Isle of Man"),
        (with_check_digit("700000000"), "England, Wales, Isle of Man"),
        (NORTHERN_IRELAND, "Northern Ireland"),
        (SCOTLAND_CHI, "Scotland (CHI)"),
        (with_check_digit("800000001"), "Republic of Ireland (IHI)"),
        (TEST_RANGE, None),  # 900 000 0000 - 999 999 9999: synthetic and test patients
        (RESERVED, None),  # 5xx: not to be issued
        (with_check_digit("311300000"), None),  # unallocated
    ],
)
def test_issued_ranges(digits, region):
    assert nhs_numbers.is_valid_nhs_number(digits)
    assert nhs_numbers.issued_range(digits) == region


@pytest.mark.parametrize("stem", ["173265000", "310290000", "010000001"])
def test_a_chi_number_must_start_with_a_birth_date(stem):
    # 17/32, 31/02 and 01/00 are no dates: Modulus 11 passes, but no CHI number starts so.
    digits = with_check_digit(stem)
    assert nhs_numbers.issued_range(digits) == "Scotland (CHI)"
    assert not nhs_numbers.is_valid_nhs_number(digits)
    assert not nhs_numbers.find_nhs_numbers(f"CHI {digits}")


# Each way an NHS number gets written: the hook must find it (issue 11, item 16).
MUST_CATCH = {
    "plain": f"patient {VALID} was seen",
    "spaced 3-3-4": f"patient {A} {B} {C} was seen",
    "hyphenated 3-3-4": f"patient {A}-{B}-{C} was seen",
    "in a CSV row": f"{VALID},42,F",
    "in JSON": f'"nhs_number": "{VALID}"',
    "ends a sentence": f"Ends a sentence: {VALID}. Then 12 more.",
    "pandas float (column with gaps)": f"{VALID}.0,42,F",
    "float with two zeros": f"{VALID}.00",
    "letters glued on": f"NHS{VALID}",
    "letters and a hyphen": f"NHS-{VALID}",
    "underscore glued on": f"nhs_{VALID}_old",
    "dotted 3-3-4": f"{A}.{B}.{C}",
    "mixed separators": f"{A} {B}-{C}",
    "spaced dashes": f"{A} - {B} - {C}",
    "non-breaking spaces": f"{A}\u00a0{B}\u00a0{C}",
    "narrow no-break spaces": f"{A}\u202f{B}\u202f{C}",
    "thin spaces": f"{A}\u2009{B}\u2009{C}",
    "en dashes": f"{A}\u2013{B}\u2013{C}",
    "minus signs": f"{A}\u2212{B}\u2212{C}",
    "zero-width space inside": f"{VALID[:4]}\u200b{VALID[4:]}",
    "full-width digits": "".join(chr(ord(digit) - ord("0") + 0xFF10) for digit in VALID),
    "followed by another number": f"{VALID} 2024",
    "3-3-4 then a different separator": f"{A}-{B}-{C} 42",
    "tab-separated row": f"{VALID}\t42\tF",
    "Northern Ireland": f"H&C {NORTHERN_IRELAND}",
    "Scotland CHI": f"CHI {SCOTLAND_CHI}",
}

# Numbers that are not NHS numbers: the hook must let them through.
MUST_PASS = {
    "decimal fraction": "ratio 0.3333333333",
    "straight run": "digits 0123456789",
    "repeated digit": "4444444444",
    "wrong check digit": f"{VALID[:-1]}{(int(VALID[-1]) + 1) % 10}",
    "part of a hash": f"sha {VALID}abcdef",
    "part of a longer number": f"id 1{VALID}",
    "integer part of a decimal": f"{VALID}.25",
    "part of a longer spaced number": f"tel 01 {A} {B} {C}",
    "Unix time": "created 1732650004",
    "size in a .dvc file": "  size: 1175552003",
    "large size in a .dvc file, in an issued range": f"  size: {VALID}",
    "timestamp key": f'"timestamp": {VALID}',
    "mtime key": f"mtime={VALID}",
    "UK phone, area code": "01632 960 001",
    "UK phone, London": "020 7946 0123",
    "UK phone, country code": "+44 20 7946 0000",
    "UK mobile, country code": f"+44 {MOBILE[:4]} {MOBILE[4:]}",
    "UK mobile, country code, unspaced": f"+44 {MOBILE}",
    "UK mobile, national": f"0{MOBILE[:4]} {MOBILE[4:]}",
    "phone key": f"tel: {MOBILE}",
    "test range": f"test patient {TEST_RANGE}",
    "test range spaced": "999 000 0018",
    "reserved range": f"{RESERVED}",
    "fraction without its leading zero": f"x = +.{VALID}",
    "negative number": f"-{VALID},",
    "digits of a decimal grouped in threes": f"0.{A} {B} {C}",
    "id in a link": f"https://github.com/o/r/pull/1#issuecomment-{VALID}",
    "id in a long link": (
        f"see https://github.com/{'o' * 40}/{'r' * 40}/pull/1#issuecomment-{VALID}"
    ),
    "created time": f'"created": {VALID},',
}


def test_the_tables_use_numbers_that_pass_the_check():
    # The phone cases test the phone rule: without the +44 or the 0, the digits would count.
    assert nhs_numbers.is_nhs_number(MOBILE)
    # Unix time and the .dvc size pass Modulus 11 and sit in Scotland's range: the CHI date
    # rule lets them through (17/32 and 11/75 are no dates).
    for digits in ("1732650004", "1175552003"):
        assert with_check_digit(digits[:9]) == digits
        assert nhs_numbers.issued_range(digits) == "Scotland (CHI)"
        assert not nhs_numbers.is_nhs_number(digits)


@pytest.mark.parametrize("text", MUST_CATCH.values(), ids=MUST_CATCH.keys())
def test_finds_nhs_numbers_however_written(text):
    findings = list(nhs_numbers.find_nhs_numbers(text))
    assert len(findings) == 1
    assert findings[0].digits in {VALID, NORTHERN_IRELAND, SCOTLAND_CHI}


@pytest.mark.parametrize("text", MUST_PASS.values(), ids=MUST_PASS.keys())
def test_ignores_numbers_that_are_not_nhs_numbers(text):
    assert list(nhs_numbers.find_nhs_numbers(text)) == []


def test_allowed_numbers_are_allowed_however_written():
    text = f"{VALID} and {A}-{B}-{C} and {NORTHERN_IRELAND}"
    found = nhs_numbers.find_nhs_numbers(text, allowed=[f"{A} {B} {C}"])
    assert [finding.digits for finding in found] == [NORTHERN_IRELAND]


def test_allow_option_adds_numbers_to_the_documented_ones(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(f"{A} {B} {C} and {TEST_RANGE}\n")
    assert check("nhs-numbers", notes) == 1
    assert check("nhs-numbers", "--allow", f"{A}-{B}-{C}", notes) == 0


def test_hook_fails_with_a_masked_location_and_passes_on_clean_files(tmp_path, capsys):
    leaky = tmp_path / "notes.md"
    leaky.write_text(f"line one\nseen: {VALID}\n", encoding="utf-8")
    clean = tmp_path / "clean.md"
    clean.write_text("nothing here but 0.3333333333\n", encoding="utf-8")
    assert check("nhs-numbers", clean) == 0
    assert check("nhs-numbers", clean, leaky) == 1
    message = capsys.readouterr().err
    assert f"{leaky}:2:7:" in message
    assert VALID not in message and f"{A} *** ****" in message


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "latin-1"]
)
def test_hook_reads_text_in_any_common_encoding(tmp_path, encoding):
    # "utf-16" and "utf-32" write a byte order mark; "-le"/"-be" write none.
    export = tmp_path / "export.txt"
    export.write_bytes(f"nhs_number,age\n{A}\u00a0{B}\u00a0{C},42\n".encode(encoding))
    assert check("nhs-numbers", export) == 1


def test_hook_checks_file_names(tmp_path, capsys):
    letter = tmp_path / f"referral_{VALID}.md"
    letter.write_text("Nothing in here.\n", encoding="utf-8")
    assert check("nhs-numbers", letter) == 1
    assert "the file name contains a valid NHS number" in capsys.readouterr().err


def test_hook_checks_a_commit_message_file(tmp_path):
    # The commit-msg hook passes the message file, as git writes it.
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Fix the join for patient {A} {B} {C}\n\n# Please enter...\n")
    assert check("nhs-numbers", message) == 1
    message.write_text("Fix the join on the admissions table\n")
    assert check("nhs-numbers", message) == 0


def test_hook_scans_notebooks_outputs_included(tmp_path):
    notebook = tmp_path / "explore.ipynb"
    output = {"output_type": "stream", "name": "stdout", "text": [f"{VALID}\n"]}
    cell = {"cell_type": "code", "source": ["df.head()"], "outputs": [output]}
    notebook.write_text(json.dumps({"cells": [cell]}, indent=1), encoding="utf-8")
    assert check("nhs-numbers", notebook) == 1


def test_hook_skips_binary_files(tmp_path):
    binary = tmp_path / "figure.png"
    binary.write_bytes(b"\x89PNG\0\0\x13\x00" + VALID.encode())
    assert check("nhs-numbers", binary) == 0


@pytest.mark.parametrize(
    "name",
    [
        "data/raw/admissions.csv",
        "data/processed/features.parquet",
        "notes/cohort.XLSX",
        "notes/cohort.xlsb",
        "exports/cohort.jsonl",
        "scans/ct_001.dcm",
        "scans/brain.nii.gz",
        "scans/ct_001.dcm.gz",
        "exports/cohort.csv.gz",
        "exports/cohort.zip",
        "exports/cohort.7z",
        "models/model.pkl",
        "models/model.joblib",
    ],
)
def test_data_file_hook_refuses_data_and_model_formats_by_name(tmp_path, capsys, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"anything")
    assert check("data-files", path) == 1
    assert f"dvc add {path}" in capsys.readouterr().err


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


COHORT_CSV = "nhs_number,age,sex,sepsis\n1,42,F,0\n2,57,M,1\n3,61,F,0\n"

# Data under a name that says nothing: the hook judges the content (issue 11, item 17).
DATA_BY_CONTENT = {
    "CSV renamed .txt": ("cohort.txt", COHORT_CSV.encode()),
    "CSV without extension": ("cohort", COHORT_CSV.encode()),
    "tab-separated .dat": ("cohort.dat", COHORT_CSV.replace(",", "\t").encode()),
    "semicolon-separated .log": ("cohort.log", COHORT_CSV.replace(",", ";").encode()),
    "pipe-separated (SUS extract style)": ("sus.out", COHORT_CSV.replace(",", "|").encode()),
    "quoted CSV with commas in fields": (
        "cohort.txt",
        b'id,name\n1,"Smith, Ann"\n2,"Jones, Bob"\n',
    ),
    "CSV in UTF-16 with a BOM": ("cohort.txt", COHORT_CSV.encode("utf-16")),
    "CSV in UTF-16 without a BOM": ("cohort.txt", COHORT_CSV.encode("utf-16-le")),
    "JSON lines as .txt": ("records.txt", b'{"id": 1, "age": 42}\n{"id": 2, "age": 57}\n'),
    "SQL dump": ("cohort.sql", b"CREATE TABLE p (id int);\nINSERT INTO p VALUES (1);\n"),
    "SQL dump renamed .txt": ("cohort.txt", b"INSERT INTO p VALUES (1);\n" * 3),
    "SQL dump renamed .py": (
        "cohort.py",
        b"CREATE TABLE p (id int);\n" + b"INSERT INTO p VALUES (1);\n" * 5,
    ),
    "gzip renamed .bin": ("cohort.bin", gzip.compress(COHORT_CSV.encode())),
    "zip renamed .txt": ("cohort.txt", _zip({"cohort.csv": COHORT_CSV.encode()})),
    "bzip2": ("cohort.dat", bz2.compress(COHORT_CSV.encode())),
    "xz": ("cohort.dat", lzma.compress(COHORT_CSV.encode())),
    "7-Zip": ("cohort.dat", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)),
    "zstd": ("cohort.dat", b"\x28\xb5\x2f\xfd" + bytes(16)),
    "DICOM without extension": ("IM0001", b"\0" * 128 + b"DICM" + b"\0" * 16),
    "Parquet renamed": ("table.bin", b"PAR1" + bytes(16) + b"PAR1"),
    "Arrow renamed": ("table.bin", b"ARROW1\0\0" + bytes(16)),
    "HDF5 renamed": ("weights.bin", b"\x89HDF\r\n\x1a\n" + bytes(16)),
    "SQLite renamed": ("cohort.dat", b"SQLite format 3\x00" + bytes(84)),
    "pickle renamed": ("model.bin", pickle.dumps({"coef": [1.0, 2.0]}, protocol=4)),
    "NumPy array renamed": ("array.bin", b"\x93NUMPY\x01\x00" + bytes(16)),
    "old Excel renamed": ("sheet.dat", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)),
}


@pytest.mark.parametrize(("name", "content"), DATA_BY_CONTENT.values(), ids=DATA_BY_CONTENT.keys())
def test_data_file_hook_judges_content_whatever_the_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert check("data-files", path) == 1


_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "a1b2c3d4",
            "metadata": {},
            "outputs": [],
            "source": ["import pandas as pd\n", "df = pd.read_csv(path, sep=',')"],
        }
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

# What a project commits: none of it is data (the template's tests also run every hook on a
# fresh bake).
PROJECT_FILES = {
    "README.md": "# Title\n\n| metric | value |\n|---|---|\n| AUC | 0.91 |\n| F1 | 0.80 |\n",
    "docs/third-party-licences.md": "| package | version | licence |\n|---|---|---|\n"
    + "| a | 1.0 | MIT |\n" * 20,
    "conf/config.yaml": "defaults:\n  - model: logistic_regression\n  - _self_\nseed: 42\n",
    "pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "a>=1",\n  "b>=2",\n]\n',
    "requirements.txt": "pandas>=2\nscikit-learn>=1.5\nhydra-core>=1.3\n",
    "data/raw/admissions.csv.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef\n"
    "  size: 1175552003\n  hash: md5\n  path: admissions.csv\n",
    "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python -m x.train\n"
    "    deps:\n    - path: data/processed/features.csv\n      md5: 0123abcd\n"
    "      size: 1204\n",
    ".secrets.baseline": json.dumps(
        {"version": "1.5.0", "plugins_used": [{"name": "KeywordDetector"}], "results": {}},
        indent=2,
    ),
    "notebooks/explore.ipynb": json.dumps(_NOTEBOOK, indent=1),
    "src/module.py": "ROWS = [\n    (1, 2),\n    (3, 4),\n    (5, 6),\n]\n",
    "src/short.py": "from a import b, c\nfrom d import e, f\nfrom g import h, i\n",
    # A module quoting a few statements in its docstrings (as mlflow's scorers do) is code.
    "src/scorers.py": '"""Scores a query.\n\nExamples:\n\n'
    + "INSERT INTO t VALUES (1);\n" * 3
    + '"""\n\n\ndef score(query):\n    return len(query)\n\n\nSCORERS = [score]\n'
    + "".join(f"LIMIT_{n} = {n}\n" for n in range(6)),
    "CITATION.cff": "cff-version: 1.2.0\ntitle: x\nauthors:\n  - name: NHS England\n",
    ".gitignore": "*.csv\n/data/**\n!/data/**/*.dvc\n",
    "queries/extract.sql": "SELECT nhs_number, age\nFROM admissions\nWHERE age > 18;\n",
    "notes.txt": "Met the clinical team, who liked it.\nNext: fairness checks.\n",
    "docs/figures/roc.png": "text\n",
    "data.dvc": "text\n",
}


@pytest.mark.parametrize(("name", "content"), PROJECT_FILES.items(), ids=PROJECT_FILES.keys())
def test_data_file_hook_accepts_code_config_docs_and_dvc_pointers(tmp_path, name, content):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    assert check("data-files", path) == 0


def test_data_file_hook_allows_test_fixtures_and_extra_globs(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "fake.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "codes.csv").write_text("code\nA01\n", encoding="utf-8")
    assert check("data-files", "tests/fixtures/fake.csv") == 0
    assert check("data-files", "reference/codes.csv") == 1
    assert check("data-files", "--allow", "reference/*.csv", "reference/codes.csv") == 0


# Credentials in an environment file (issue 11, item 18): detect-secrets misses unquoted
# values in `.env.example` because it reads `.example` as an unknown file type.
ENV_CREDENTIALS = {
    "real-looking password": "MLFLOW_TRACKING_PASSWORD=Wq7vT2pLx9Rk\n",  # pragma: allowlist secret
    "quoted secret key": 'AWS_SECRET_ACCESS_KEY="q7Vb1rT9+xZ/2mNk"\n',  # pragma: allowlist secret
    # pragma: allowlist nextline secret
    "exported token": "export GITHUB_TOKEN=ghp_Zq7vT2pLx9RkWq7vT2pLx9Rk\n",
    # pragma: allowlist nextline secret
    "password in a URL": "DATABASE_URL=postgres://bob:hunter2@db.example.org/cohort\n",
    # pragma: allowlist nextline secret
    "API key with a comment": "OPENAI_API_KEY=sk-Wq7vT2pLx9Rk  # mine\n",
}
ENV_PLACEHOLDERS = {
    "empty": "MLFLOW_TRACKING_PASSWORD=\n",
    "angle brackets": "MLFLOW_TRACKING_PASSWORD=<your password>\n",  # pragma: allowlist secret
    "variable": "MLFLOW_TRACKING_PASSWORD=${MLFLOW_PASSWORD}\n",  # pragma: allowlist secret
    "changeme": "SECRET_KEY='changeme'\n",  # pragma: allowlist secret
    "crosses": "API_KEY=xxxxxxxx\n",  # pragma: allowlist secret
    # pragma: allowlist nextline secret
    "URL with a placeholder password": "DATABASE_URL=postgres://bob:<password>@db/cohort\n",
    "settings that are not credentials": (
        "MLFLOW_TRACKING_URI=https://mlflow.example.org\nMLFLOW_TRACKING_USERNAME=alice\n"
        "AUTHOR_NAME=Jane\n# PASSWORD=comment\n"
    ),
}


@pytest.mark.parametrize("content", ENV_CREDENTIALS.values(), ids=ENV_CREDENTIALS.keys())
def test_env_example_with_a_credential_is_refused_without_printing_it(tmp_path, capsys, content):
    example = tmp_path / ".env.example"
    example.write_text("MLFLOW_TRACKING_URI=https://mlflow.example.org\n" + content)
    assert check("env-credentials", example) == 1
    message = capsys.readouterr().err
    assert f"{example}:2:" in message
    assert not any(secret in message for secret in ("Wq7vT2pLx9Rk", "hunter2", "q7Vb1rT9"))


@pytest.mark.parametrize("content", ENV_PLACEHOLDERS.values(), ids=ENV_PLACEHOLDERS.keys())
def test_env_example_with_placeholders_passes(tmp_path, content):
    example = tmp_path / ".env.example"
    example.write_text(content)
    assert check("env-credentials", example) == 0


@pytest.mark.parametrize("name", [".env", ".env.local", ".env.production", "server.env"])
def test_a_machines_own_env_file_is_refused_whatever_it_holds(tmp_path, name):
    path = tmp_path / name
    path.write_text("MLFLOW_TRACKING_URI=http://127.0.0.1:5000\n")
    assert check("env-credentials", path) == 1


@pytest.mark.parametrize("name", [".env.sample", ".env.template", "conf/.env.example"])
def test_other_example_names_are_checked_like_env_example(tmp_path, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("DB_PASSWORD=\n")
    assert check("env-credentials", path) == 0
    path.write_text("DB_PASSWORD=Wq7vT2pLx9Rk\n")  # pragma: allowlist secret
    assert check("env-credentials", path) == 1


# --- Numbers from the `nhs-number` package's own generator --------------------------------

ISSUED = [region for region, _ in nhs_numbers.ISSUED_REGIONS]


@pytest.mark.parametrize("region", ISSUED, ids=[name for _, name in nhs_numbers.ISSUED_REGIONS])
def test_generated_numbers_of_every_issued_region_are_found_however_written(region):
    for digits in nhs_number.generate(for_region=region, quantity=25):
        if nhs_numbers.is_placeholder(digits):
            continue
        a, b, c = digits[:3], digits[3:6], digits[6:]
        for text in (digits, f"{a} {b} {c}", f"{a}-{b}-{c}", f"id={digits}.0"):
            found = nhs_numbers.find_nhs_numbers(text)
            assert [finding.digits for finding in found] == [digits], text


def test_generated_test_range_numbers_pass():
    # What fake data and documentation should use: the 999 range is never issued.
    numbers = nhs_number.generate(for_region=nhs_number.REGION_SYNTHETIC, quantity=50)
    text = "\n".join(f"{n} {n[:3]} {n[3:6]} {n[6:]}" for n in numbers)
    assert all(nhs_numbers.is_valid_nhs_number(n) for n in numbers)
    assert nhs_numbers.find_nhs_numbers(text) == []


def test_the_package_and_an_independent_check_digit_agree_outside_scotland():
    # Scotland's range adds the date rule, tested above; elsewhere validity is Modulus 11 alone.
    for stem in range(400_000_000, 400_000_000 + 2_000, 7):
        digits = f"{stem:09d}"
        remainder = sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
        check_digit = (11 - remainder) % 11
        for last in range(10):
            expected = check_digit != 10 and last == check_digit
            assert nhs_numbers.is_valid_nhs_number(f"{digits}{last}") == expected


# --- The API the reviewer calls -----------------------------------------------------------


def test_findings_name_the_file_line_and_column_without_the_number(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(f"one\ntwo {A} {B} {C}\n", encoding="utf-8")
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(COHORT_CSV, encoding="utf-8")
    env = tmp_path / ".env.example"
    env.write_text("X=1\nDB_PASSWORD=Wq7vT2pLx9Rk\n")  # pragma: allowlist secret

    [nhs] = nhs_numbers.nhs_number_findings([str(notes)])
    assert (nhs.path, nhs.line, nhs.column) == (str(notes), 2, 5)
    assert VALID not in str(nhs) and str(nhs).startswith(f"{notes}:2:5: a valid NHS number")
    [data] = data_files.data_file_findings([str(cohort)])
    assert (data.path, data.line) == (str(cohort), None)
    assert "CSV table" in data.message
    [credential] = env_files.env_credential_findings([str(env)])
    assert (credential.line, str(credential).startswith(f"{env}:2: DB_PASSWORD holds")) == (2, True)
    assert "Wq7vT2pLx9Rk" not in str(credential)
    assert nhs_numbers.nhs_number_findings([str(cohort)]) == []


def test_an_unreadable_file_is_a_finding_not_a_crash(tmp_path):
    missing = tmp_path / "gone.md"
    [problem] = nhs_numbers.nhs_number_findings([str(missing)])
    assert problem.message.startswith("cannot be read")


# --- The command line -----------------------------------------------------------------------

SKUNKWORKS = Path(sys.executable).parent / "skunkworks"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "name a check: data-files, nhs-numbers, env-credentials"),
        (["nhs-number"], "invalid choice: 'nhs-number'"),
        (["data-files", "--alow", "x"], "unrecognized arguments: --alow"),
    ],
)
def test_a_wrong_command_line_is_one_line_and_fails(argv, expected):
    result = subprocess.run(
        [str(SKUNKWORKS), "check", *argv], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skunkworks check: "), result.stderr
    assert expected in lines[0]


def test_the_command_prints_each_problem_on_stderr(tmp_path):
    leaky = tmp_path / "notes.md"
    leaky.write_text(f"{VALID}\n", encoding="utf-8")
    clean = tmp_path / "clean.md"
    clean.write_text("nothing\n", encoding="utf-8")
    result = subprocess.run(
        [str(SKUNKWORKS), "check", "nhs-numbers", str(clean), str(leaky)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"{leaky}:1:1: a valid NHS number ({A} *** ****) — {nhs_numbers._ADVICE}"
    ]
    assert subprocess.run([str(SKUNKWORKS), "check", "nhs-numbers", str(clean)]).returncode == 0


# --- A real pre-commit run with the template's own hook definitions --------------------------

TEMPLATE_CONFIG = (
    Path(__file__).parents[2] / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml"
)
GUARDS = {
    "no-data-files",
    "no-nhs-numbers",
    "no-nhs-numbers-in-commit-message",
    "no-env-credentials",
}


@pytest.fixture
def guarded_repository(tmp_path):
    """A git repository whose pre-commit configuration holds the template's guard hooks only
    (its other hooks need tools the template's own environment does not have)."""
    config = yaml.safe_load(TEMPLATE_CONFIG.read_text(encoding="utf-8"))
    hooks = [hook for hook in config["repos"][0]["hooks"] if hook["id"] in GUARDS]
    assert {hook["id"] for hook in hooks} == GUARDS
    assert all(hook["entry"].startswith("skunkworks check ") for hook in hooks)
    config["repos"] = [{"repo": "local", "hooks": hooks}]
    repository = tmp_path / "project"
    repository.mkdir()
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main"], cwd=repository, check=True)
    return repository


def _pre_commit(repository: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    subprocess.run(["git", "add", "--all", "--force"], cwd=repository, check=True)
    # Only this environment's scripts and the system's: `skunkworks` must come from here.
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color=never", *args],
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_template_hooks_run_the_toolkit_offline_and_catch_each_seed(guarded_repository, tmp_path):
    (guarded_repository / "README.md").write_text("# A project\n", encoding="utf-8")
    clean = _pre_commit(guarded_repository, tmp_path, "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    (guarded_repository / "results").mkdir()
    (guarded_repository / "results" / "cohort.txt").write_text(COHORT_CSV, encoding="utf-8")
    (guarded_repository / "notes.md").write_text(f"Referred {A} {B} {C}.\n", encoding="utf-8")
    (guarded_repository / ".env.example").write_text(
        "MLFLOW_TRACKING_PASSWORD=Wq7vT2pLx9Rk\n"  # pragma: allowlist secret
    )
    seeded = _pre_commit(guarded_repository, tmp_path, "--all-files")
    output = seeded.stdout + seeded.stderr
    assert seeded.returncode == 1, output
    failed = set(re.findall(r"- hook id: (\S+)", output))
    assert failed == {"no-data-files", "no-nhs-numbers", "no-env-credentials"}, output
    assert "dvc add results/cohort.txt" in output
    assert f"notes.md:1:10: a valid NHS number ({A} *** ****)" in output
    assert VALID not in output and "Wq7vT2pLx9Rk" not in output
    # Nothing was cloned or installed: the hooks are this environment's console scripts.
    assert not [p for p in (tmp_path / "pre-commit-home").iterdir() if p.is_dir()]

    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Fix the join for patient {A}-{B}-{C}\n", encoding="utf-8")
    stage = ["--hook-stage", "commit-msg", "--commit-msg-filename", str(message)]
    refused = _pre_commit(guarded_repository, tmp_path, *stage)
    assert refused.returncode == 1 and "no NHS numbers in the commit message" in refused.stdout
    message.write_text("Fix the join on admissions\n", encoding="utf-8")
    assert _pre_commit(guarded_repository, tmp_path, *stage).returncode == 0
