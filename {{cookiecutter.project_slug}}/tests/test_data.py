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


@pytest.fixture
def roles_data(tmp_path, compose):
    """Fake data with an identifier, an admission date, a site and a free-text column."""
    from omegaconf import OmegaConf

    frame = generate(240, seed=8)
    frame.insert(0, "patient_id", [f"P{index // 2:04d}" for index in range(len(frame))])
    frame["admitted"] = pd.date_range("2024-01-01", periods=len(frame), freq="D").strftime(
        "%Y-%m-%d"
    )
    frame["site"] = (["north", "south", "east"] * len(frame))[: len(frame)]
    frame["notes"] = "free text"
    path = tmp_path / "roles.csv"
    frame.to_csv(path, index=False)
    cfg = compose(["data=fake", f"data.path={path}", "train.cv_folds=2"])
    OmegaConf.set_struct(cfg, False)  # the tests add keys
    cfg.data.columns = {
        **cfg.data.columns,
        "patient_id": "string",
        "admitted": "datetime",
        "site": "category",
        "notes": "string",
    }
    cfg.data.roles = {"patient_id": "identifier", "notes": "text"}
    return cfg, frame, path


def test_columns_with_a_role_or_a_date_are_never_features(roles_data):
    cfg, _, _ = roles_data
    features = feature_columns(cfg.data)
    assert not {"patient_id", "notes", "admitted", TARGET, *cfg.data.subgroups} & set(features)
    assert "site" in features and FIRST in features
    loaded = load_dataset(cfg.data)
    assert str(loaded["admitted"].dtype).startswith("datetime64")


def test_unknown_roles_and_dates_that_are_not_dates_are_one_line(roles_data, tmp_path):
    cfg, frame, path = roles_data
    cfg.data.roles.site = "group"
    with pytest.raises(PipelineError, match=r"unknown roles \{'site': 'group'\}.*`subgroups`"):
        load_dataset(cfg.data)
    cfg.data.roles.site = "drop"
    frame.loc[7, "admitted"] = "last Tuesday"
    frame.to_csv(path, index=False)
    with pytest.raises(PipelineError) as raised:
        load_dataset(cfg.data)
    assert "wrong types in admitted (declared datetime, found 'last Tuesday')" in str(raised.value)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_a_row_filter_keeps_one_site(roles_data):
    cfg, frame, _ = roles_data
    cfg.data.filter = {"site": ["north"]}
    loaded = load_dataset(cfg.data)
    assert set(loaded["site"]) == {"north"} and len(loaded) == (frame["site"] == "north").sum()
    cfg.data.filter = {"site": "west"}
    with pytest.raises(
        PipelineError, match=r"no row is left after the filter \{'site': \['west'\]\}"
    ):
        load_dataset(cfg.data)
    cfg.data.filter = {"ward": ["7"]}
    with pytest.raises(PipelineError, match=r"filter ward not in `columns`"):
        load_dataset(cfg.data)


def test_time_and_group_splits_keep_the_future_and_each_group_apart(roles_data):
    from {{ cookiecutter.package_name }}.models import cross_validate
    from {{ cookiecutter.package_name }}.prepare import split

    cfg, _, _ = roles_data
    cfg.train.split, cfg.train.split_column = "time", "admitted"
    train, test = split(cfg)
    assert train["admitted"].max() < test["admitted"].min()
    assert len(test) == 60
    assert cross_validate(cfg, train)["cv_folds"] == 2
    cfg.train.split, cfg.train.split_column = "group", "patient_id"
    train, test = split(cfg)
    assert not set(train["patient_id"]) & set(test["patient_id"])
    assert cross_validate(cfg, train)["cv_folds"] == 2
    cfg.train.split, cfg.train.split_column = "time", "site"
    with pytest.raises(
        PipelineError, match=r"train\.split=time orders rows by train\.split_column=site"
    ):
        split(cfg)
    cfg.train.split_column = None
    with pytest.raises(PipelineError, match=r"train\.split=time needs train\.split_column"):
        split(cfg)
