"""The project's own pre-commit hooks: no data files, no NHS numbers."""

import json

import pytest

from {{ cookiecutter.package_name }}.checks import data_files, nhs_numbers

# A documented test number (allowed by the hook). Modulus 11 by hand: the first nine digits
# weighted 10 down to 2 sum to 9*10 + 9*9 + 9*8 + 1*2 = 245; 245 % 11 = 3; 11 - 3 = 8.
DOCUMENTED_TEST_NUMBER = "9990000018"


def with_check_digit(stem: str) -> str:
    """An independent Modulus 11 implementation, to build valid numbers for the tests."""
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(stem)) % 11
    check = (11 - remainder) % 11
    assert check != 10, f"{stem} has no valid check digit"
    return stem + str(check)


VALID = with_check_digit("943476591")


def test_modulus_11_accepts_the_worked_example_and_rejects_a_wrong_check_digit():
    assert nhs_numbers.is_valid_nhs_number(DOCUMENTED_TEST_NUMBER)
    assert not nhs_numbers.is_valid_nhs_number("9990000017")


@pytest.mark.parametrize("stem", ["401023213", "943476591", "123456788", "600000000"])
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
    "text",
    [
        f"patient {VALID} was seen",
        f"patient {VALID[:3]} {VALID[3:6]} {VALID[6:]} was seen",
        f"patient {VALID[:3]}-{VALID[3:6]}-{VALID[6:]} was seen",
        f"{VALID},42,F",
        f'"nhs_number": "{VALID}"',
        f"Ends a sentence: {VALID}.",
    ],
)
def test_finds_whole_valid_numbers_plain_spaced_or_hyphenated(text):
    findings = list(nhs_numbers.find_nhs_numbers(text))
    assert [finding.digits for finding in findings] == [VALID]


@pytest.mark.parametrize(
    "text",
    [
        "ratio 0.3333333333",  # a decimal fraction, and a repeated digit
        "digits 0123456789",  # a straight run that passes by chance
        f"{VALID[:-1]}{(int(VALID[-1]) + 1) % 10}",  # wrong check digit
        f"sha {VALID}abcdef",  # part of a hash
        f"id 1{VALID}",  # part of a longer number
        f"{VALID}.25",  # integer part of a decimal
        f"tel 01 {VALID[:3]} {VALID[3:6]} {VALID[6:]}",  # part of a longer spaced number
        f"{VALID[:3]} {VALID[3:6]}-{VALID[6:]}",  # mixed separators
    ],
)
def test_ignores_numbers_that_are_not_whole_valid_nhs_numbers(text):
    assert list(nhs_numbers.find_nhs_numbers(text)) == []


def test_documented_test_numbers_are_allowed_however_written():
    assert DOCUMENTED_TEST_NUMBER in {
        n.replace(" ", "") for n in nhs_numbers.DOCUMENTED_TEST_NUMBERS
    }
    text = f"{DOCUMENTED_TEST_NUMBER} and 999 000 0018 and 999-000-0018 and {VALID}"
    found = nhs_numbers.find_nhs_numbers(text)
    assert [finding.digits for finding in found] == [VALID]


def test_allow_option_adds_numbers_to_the_documented_ones(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(f"{VALID[:3]} {VALID[3:6]} {VALID[6:]} and {DOCUMENTED_TEST_NUMBER}\n")
    assert nhs_numbers.main([str(notes)]) == 1
    assert nhs_numbers.main(["--allow", f"{VALID[:3]}-{VALID[3:6]}-{VALID[6:]}", str(notes)]) == 0


def test_hook_fails_with_a_masked_location_and_passes_on_clean_files(tmp_path, capsys):
    leaky = tmp_path / "notes.md"
    leaky.write_text(f"line one\nseen: {VALID}\n", encoding="utf-8")
    clean = tmp_path / "clean.md"
    clean.write_text("nothing here but 0.3333333333\n", encoding="utf-8")
    assert nhs_numbers.main([str(clean)]) == 0
    assert nhs_numbers.main([str(clean), str(leaky)]) == 1
    message = capsys.readouterr().err
    assert f"{leaky}:2:7:" in message
    assert VALID not in message and f"{VALID[:3]} *** ****" in message


def test_hook_scans_notebooks_outputs_included(tmp_path):
    notebook = tmp_path / "explore.ipynb"
    output = {"output_type": "stream", "name": "stdout", "text": [f"{VALID}\n"]}
    cell = {"cell_type": "code", "source": ["df.head()"], "outputs": [output]}
    notebook.write_text(json.dumps({"cells": [cell]}, indent=1), encoding="utf-8")
    assert nhs_numbers.main([str(notebook)]) == 1


def test_hook_skips_binary_files(tmp_path):
    binary = tmp_path / "figure.png"
    binary.write_bytes(b"\x89PNG\0\0" + VALID.encode())
    assert nhs_numbers.main([str(binary)]) == 0


@pytest.mark.parametrize(
    "name",
    [
        "data/raw/admissions.csv",
        "data/processed/features.parquet",
        "notes/cohort.XLSX",
        "scans/ct_001.dcm",
        "scans/brain.nii.gz",
        "models/model.pkl",
        "models/model.joblib",
    ],
)
def test_data_file_hook_refuses_data_and_model_formats(tmp_path, capsys, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"anything")
    assert data_files.main([str(path)]) == 1
    assert f"dvc add {path}" in capsys.readouterr().err


def test_data_file_hook_recognises_dicom_without_extension(tmp_path):
    scan = tmp_path / "IM0001"
    scan.write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    assert data_files.main([str(scan)]) == 1


@pytest.mark.parametrize(
    "name", ["README.md", "conf/config.yaml", "src/module.py", "docs/figures/roc.png", "data.dvc"]
)
def test_data_file_hook_accepts_code_config_docs_and_dvc_pointers(tmp_path, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text\n", encoding="utf-8")
    assert data_files.main([str(path)]) == 0


def test_data_file_hook_allows_test_fixtures_and_extra_globs(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "fake.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "codes.csv").write_text("code\nA01\n", encoding="utf-8")
    assert data_files.main(["tests/fixtures/fake.csv"]) == 0
    assert data_files.main(["reference/codes.csv"]) == 1
    assert data_files.main(["--allow", "reference/*.csv", "reference/codes.csv"]) == 0
