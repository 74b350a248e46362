"""Loading, schema validation and the fake-data generator (the same in every flavour; the
flavour's own target checks are in test_task.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import BUNDLED, feature_columns, load_dataset, validate
from {{ cookiecutter.package_name }}.data.fake import REFERENCE, SUBGROUPS, TARGET, generate, main
from {{ cookiecutter.package_name }}.errors import PipelineError

REFERENCE_FRAME = BUNDLED[REFERENCE][0]()
# Two numeric features of the fake data, for tests that spoil one.
FIRST, SECOND = [
    name for name in REFERENCE_FRAME.select_dtypes("number").columns if name != TARGET
][:2]


@pytest.fixture
def fake_cfg(compose):
    return compose(["data=fake"]).data


def test_fake_data_has_the_schema_of_the_fake_config_with_subgroups(compose, fake_frame):
    added = [name for name in SUBGROUPS if name not in REFERENCE_FRAME.columns]
    assert list(fake_frame.columns) == [*REFERENCE_FRAME.columns, *added]
    cfg = compose(["data=fake"]).data
    assert list(cfg.subgroups) == list(SUBGROUPS)
    validated = validate(fake_frame, cfg, "fake")
    assert validated.shape == (160, len(cfg.columns))
    for name in added:
        assert set(fake_frame[name]) <= set(SUBGROUPS[name]), name
    numeric = fake_frame.drop(columns=TARGET).select_dtypes("number")
    assert (numeric >= REFERENCE_FRAME[numeric.columns].min()).all().all()


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
    assert loaded[TARGET].dtype == {"int": "int64", "float": "float64"}[fake_cfg.columns[TARGET]]
    assert feature_columns(fake_cfg) == [
        c for c in loaded.columns if c != TARGET and c not in fake_cfg.subgroups
    ]


def test_schema_mismatch_names_missing_and_extra_columns_and_the_file(tmp_path, fake_cfg):
    path = tmp_path / "supplier.csv"
    generate(30).drop(columns=[FIRST, SECOND]).assign(ward="A").to_csv(path)
    fake_cfg.path = str(path)
    with pytest.raises(PipelineError) as raised:
        load_dataset(fake_cfg)
    message = str(raised.value)
    assert str(path) in message and "conf/data/fake.yaml" in message
    assert f"missing columns {FIRST}, {SECOND}" in message
    assert "unexpected columns Unnamed: 0, ward" in message
    assert "\n" not in message


def test_wrong_types_are_named(fake_cfg):
    frame = generate(30)
    frame[SECOND] = "large"
    with pytest.raises(PipelineError, match=f"wrong types in {SECOND}"):
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


def test_subgroups_are_optional_in_a_schema(fake_cfg, fake_frame):
    from omegaconf import OmegaConf

    schema = OmegaConf.to_container(fake_cfg)
    del schema["subgroups"]
    assert len(validate(fake_frame, schema, "fake")) == len(fake_frame)
    assert TARGET not in feature_columns(schema)


def _write_nan(path, frame):
    frame.loc[3, FIRST] = float("nan")
    frame.to_csv(path, index=False)


def _write_inf(path, frame):
    frame[SECOND] = frame[SECOND].astype("float64")
    frame.loc[4, SECOND] = float("inf")
    frame.to_parquet(path, index=False)


# Each of these files used to give a library traceback (or trained on garbage).
BAD_FILES = [
    ("nan.csv", _write_nan, f"every feature needs a finite value, found {FIRST}: 1 missing"),
    ("inf.parquet", _write_inf, f"found {SECOND}: 1 infinite"),
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
