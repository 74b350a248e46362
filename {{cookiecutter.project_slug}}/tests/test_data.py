"""Loading, schema validation and the fake-data generator."""

from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import (
    feature_columns,
    load_breast_cancer_frame,
    load_dataset,
    validate,
)
from {{ cookiecutter.package_name }}.data.fake import generate, main
from {{ cookiecutter.package_name }}.errors import PipelineError


@pytest.fixture
def fake_cfg(compose):
    return compose(["data=fake"]).data


def test_default_data_is_the_bundled_breast_cancer_set(compose):
    frame = load_dataset(compose().data)
    assert frame.shape == (569, 31)
    assert frame["malignant"].sum() == 212  # malignant is the positive class


def test_fake_data_has_the_schema_of_the_default_data(compose, fake_frame):
    assert list(fake_frame.columns) == list(load_breast_cancer_frame().columns)
    validated = validate(fake_frame, compose(["data=fake"]).data, "fake")
    assert validated.shape == (160, 31)
    assert set(fake_frame["malignant"]) == {0, 1}
    assert (fake_frame.drop(columns="malignant") >= 0).all().all()


def test_fake_data_is_reproducible_and_any_size():
    pd.testing.assert_frame_equal(generate(50, seed=3), generate(50, seed=3))
    assert not generate(50, seed=3).equals(generate(50, seed=4))
    assert len(generate(1234, seed=0)) == 1234


def test_fake_data_command_writes_a_file_that_loads(tmp_path, fake_cfg):
    output = tmp_path / "fake.parquet"
    main(["--rows", "40", "--seed", "2", "--output", str(output)])
    fake_cfg.path = str(output)
    assert len(load_dataset(fake_cfg)) == 40


def test_csv_source_is_validated_on_load(tmp_path, fake_cfg, fake_frame):
    path = tmp_path / "fake.csv"
    fake_frame.to_csv(path, index=False)
    fake_cfg.path = str(path)
    loaded = load_dataset(fake_cfg)
    assert loaded["malignant"].dtype == "int64"
    assert feature_columns(fake_cfg) == [c for c in loaded.columns if c != "malignant"]


def test_schema_mismatch_names_missing_and_extra_columns_and_the_file(tmp_path, fake_cfg):
    path = tmp_path / "supplier.csv"
    generate(30).drop(columns=["mean_radius", "worst_area"]).assign(ward="A").to_csv(path)
    fake_cfg.path = str(path)
    with pytest.raises(PipelineError) as raised:
        load_dataset(fake_cfg)
    message = str(raised.value)
    assert str(path) in message and "conf/data/fake.yaml" in message
    assert "missing columns mean_radius, worst_area" in message
    assert "unexpected columns Unnamed: 0, ward" in message
    assert "\n" not in message


def test_wrong_types_and_bad_targets_are_named(fake_cfg):
    frame = generate(30)
    frame["mean_area"] = "large"
    with pytest.raises(PipelineError, match="wrong types in mean_area"):
        validate(frame, fake_cfg, "x.csv")
    frame = generate(30)
    frame["malignant"] = 1
    with pytest.raises(PipelineError, match="must take two values"):
        validate(frame, fake_cfg, "x.csv")


def test_missing_file_names_the_command_that_makes_it(tmp_path, fake_cfg):
    fake_cfg.path = str(tmp_path / "absent.csv")
    with pytest.raises(PipelineError, match=r"absent.csv not found: run `make fake-data`"):
        load_dataset(fake_cfg)
    fake_cfg.produced_by = None
    with pytest.raises(PipelineError, match="run `dvc pull`"):
        load_dataset(fake_cfg)


def test_unsupported_file_type_is_refused(tmp_path, fake_cfg):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"")
    fake_cfg.path = str(path)
    with pytest.raises(PipelineError, match=r"use a \.csv or \.parquet file"):
        load_dataset(fake_cfg)


def test_categorical_and_subgroup_columns(compose):
    cfg = compose(["data=supplier_example"]).data
    frame = pd.DataFrame(
        {
            "age": [70, 81, 65, 90],
            "sex": ["F", "M", "F", "M"],
            "age_band": ["65-74", "75+", "65-74", "75+"],
            "length_of_stay_days": [2.5, 10.0, 1.0, 7.5],
            "previous_admissions": [0, 3, 1, 2],
            "emergency_admission": [True, False, True, True],
            "readmitted_30d": [0, 1, 0, 1],
        }
    )
    validated = validate(frame, cfg, "supplier.parquet")
    assert validated["sex"].dtype == "category"
    assert "sex" not in feature_columns(cfg) and "readmitted_30d" not in feature_columns(cfg)


def test_subgroups_are_optional_in_a_schema(fake_cfg, fake_frame):
    from omegaconf import OmegaConf

    schema = OmegaConf.to_container(fake_cfg)
    del schema["subgroups"]
    assert len(validate(fake_frame, schema, "fake")) == len(fake_frame)
    assert "malignant" not in feature_columns(schema)


def _write_nan(path, frame):
    frame.loc[3, "mean_radius"] = float("nan")
    frame.to_csv(path, index=False)


def _write_inf(path, frame):
    frame.loc[4, "worst_area"] = float("inf")
    frame.to_parquet(path, index=False)


# Each of these files used to give a library traceback (or trained on garbage).
BAD_FILES = [
    ("nan.csv", _write_nan, "every feature needs a finite value, found mean_radius: 1 missing"),
    ("inf.parquet", _write_inf, "found worst_area: 1 infinite"),
    ("empty.csv", lambda path, frame: path.write_bytes(b""), "is empty (0 bytes)"),
    (
        "header.csv",
        lambda path, frame: frame.head(0).to_csv(path, index=False),
        "has no data rows",
    ),
    ("blank.csv", lambda path, frame: path.write_text("\n\n"), "holds no header row"),
    (
        "utf16.csv",
        lambda path, frame: path.write_text(frame.to_csv(index=False), encoding="utf-16"),
        "is not a UTF-8 CSV file (it is UTF-16 text): save it as CSV UTF-8",
    ),
    (
        "binary.csv",
        lambda path, frame: path.write_bytes(bytes(range(256)) * 8),
        "is not a UTF-8 CSV file (it holds binary data",
    ),
    (
        "latin1.csv",
        lambda path, frame: path.write_bytes(frame.to_csv(index=False).encode() + b"\xe9\n"),
        "is not a UTF-8 CSV file",
    ),
    (
        "broken.parquet",
        lambda path, frame: path.write_bytes(b"PAR1 not really"),
        "cannot be read as Parquet",
    ),
]


@pytest.mark.parametrize(("name", "write", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unusable_files_are_one_line_naming_the_file(tmp_path, fake_cfg, name, write, message):
    path = tmp_path / name
    write(path, generate(60, seed=4))
    fake_cfg.path = str(path)
    with pytest.raises(PipelineError) as raised:
        load_dataset(fake_cfg)
    assert str(path) in str(raised.value) and message in str(raised.value)
    assert "\n" not in str(raised.value)


def _balanced(positive: int, negative: int) -> pd.DataFrame:
    frame = generate(400, seed=6)
    return pd.concat(
        [frame[frame.malignant == 1].head(positive), frame[frame.malignant == 0].head(negative)]
    )


def test_too_few_cases_to_evaluate_are_refused_with_the_numbers(tmp_path, compose):
    from {{ cookiecutter.package_name }}.prepare import split

    path = tmp_path / "six.csv"
    _balanced(3, 3).to_csv(path, index=False)  # used to train and report ROC AUC 1.0
    cfg = compose(["data=fake", f"data.path={path}"])
    with pytest.raises(PipelineError) as raised:
        split(cfg)
    message = str(raised.value)
    assert f"{path} has 6 rows (3 positive, 3 negative cases)" in message
    assert "has 1 positive and 1 negative cases" in message
    assert "at least 5 of each" in message and "\n" not in message

    _balanced(2, 1).to_csv(path, index=False)  # too few to stratify at all
    with pytest.raises(PipelineError) as raised:
        split(cfg)
    assert f"{path} has 3 rows (2 positive, 1 negative cases): too few to split" in str(
        raised.value
    )
    assert "at least 5 cases of each class" in str(raised.value)

    _balanced(12, 12).to_csv(path, index=False)
    with pytest.raises(PipelineError) as raised:
        split(cfg)
    assert "test split (train.test_size=0.25) has 3 positive and 3 negative cases" in str(
        raised.value
    )
    assert "at least 5 of each" in str(raised.value)


def test_the_smallest_data_set_that_can_be_evaluated_is_accepted(tmp_path, compose):
    from {{ cookiecutter.package_name }}.prepare import split

    path = tmp_path / "forty.csv"
    _balanced(20, 20).to_csv(path, index=False)
    train, test = split(compose(["data=fake", f"data.path={path}"]))
    assert (int(test.malignant.sum()), len(test)) == (5, 10)  # 5 of each class
    assert int(train.malignant.sum()) == 15
    with pytest.raises(PipelineError, match=r"train\.cv_folds=16 needs at least 16 of each class"):
        split(compose(["data=fake", f"data.path={path}", "train.cv_folds=16"]))
