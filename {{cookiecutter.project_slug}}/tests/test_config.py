"""Every option of every configuration group composes; params.yaml and dvc.yaml agree with it."""

from __future__ import annotations

import importlib.util

import pytest
import yaml
from hydra.errors import ConfigCompositionException

from {{ cookiecutter.package_name }} import pipeline
from {{ cookiecutter.package_name }}.paths import project_root

ROOT = project_root()
CONF = ROOT / "conf"

GROUPS = ["data", "model", "train", "tracking", "launcher", "experiment", "hparams_search"]
OPTIONS = [(group, path.stem) for group in GROUPS for path in sorted((CONF / group).glob("*.yaml"))]
# Options whose Hydra plugin comes with the optional `team` extra (docs/team.md).
TEAM_OPTIONS = {("launcher", "slurm"), ("launcher", "submitit_local")}
HAS_TEAM_EXTRA = importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is not None
PARAMS = [
    pytest.param(
        group,
        option,
        id=f"{group}={option}",
        marks=pytest.mark.skipif(
            (group, option) in TEAM_OPTIONS and not HAS_TEAM_EXTRA,
            reason="needs the team extra (uv sync --extra team): hydra-submitit-launcher",
        ),
    )
    for group, option in OPTIONS
]


@pytest.mark.parametrize(("group", "option"), PARAMS)
def test_every_option_composes_and_passes_the_checks(compose, group, option):
    from {{ cookiecutter.package_name }} import config

    cfg = compose([f"{group}={option}"], return_hydra_config=True)
    assert set(cfg) >= {"data", "model", "train", "tracking", "evaluate"}
    assert cfg.model.estimator._target_
    assert set(cfg.data.columns) >= {cfg.data.target, *cfg.data.subgroups}
    config.check(cfg)


def test_every_group_has_an_option():
    assert {group for group, _ in OPTIONS} == set(GROUPS)


def test_model_override_and_seed(compose):
    cfg = compose(["model=random_forest", "train.seed=7"])
    assert cfg.model.name == "random_forest"
    assert cfg.model.estimator.random_state == 7


def test_launcher_switch_selects_joblib(compose):
    cfg = compose(["launcher=joblib"], return_hydra_config=True)
    assert "joblib" in cfg.hydra.launcher._target_.lower()


def test_sweep_config_is_a_multirun_over_model_parameters(compose):
    cfg = compose(["hparams_search=random_forest_grid"], return_hydra_config=True)
    assert cfg.hydra.mode.name == "MULTIRUN"
    assert cfg.model.name == "random_forest"
    assert set(cfg.hydra.sweeper.params) == {
        "model.estimator.n_estimators",
        "model.estimator.max_depth",
    }


def test_bad_override_is_refused(compose):
    with pytest.raises(ConfigCompositionException):
        compose(["model=no_such_model"])


def test_local_overrides_are_optional_git_ignored_and_applied_last(tmp_path):
    import shutil

    from hydra import compose, initialize_config_dir

    assert "/conf/local/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    conf = shutil.copytree(CONF, tmp_path / "conf", ignore=shutil.ignore_patterns("local"))
    with initialize_config_dir(str(conf), version_base="1.3"):
        assert compose("config").tracking.experiment_name is None
    (conf / "local").mkdir()
    shutil.copyfile(conf / "local.example.yaml", conf / "local" / "default.yaml")
    with initialize_config_dir(str(conf), version_base="1.3"):
        assert compose("config", ["experiment=baseline"]).tracking.experiment_name == (
            "my-laptop-trials"
        )


def flat_keys(tree, prefix=""):
    keys = set()
    for key, value in tree.items():
        if isinstance(value, dict) and value and key != "columns":
            keys |= flat_keys(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def test_params_yaml_is_not_stale(tmp_path):
    # The stages read params.yaml, and `dvc repro` never recomposes it: after editing conf/,
    # run `make params` (or `dvc exp run`). Values may differ (`make params ARGS=...`, `dvc exp
    # run -S ...`); the keys must match a composition of the same data and model options.
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    options = [f"data={params['data']['name']}", f"model={params['model']['name']}"]
    composed = pipeline.compose(options, output=tmp_path / "params.yaml")
    expected = yaml.safe_load(composed.read_text(encoding="utf-8"))
    assert flat_keys(params) == flat_keys(expected), "params.yaml is stale: run `make params`"
    assert params["data"]["columns"] == expected["data"]["columns"], "run `make params`"


def test_hydra_and_dvc_compose_the_same_configuration(compose, tmp_path):
    from omegaconf import OmegaConf

    overrides = ["model=gradient_boosting", "train.seed=3", "data=fake"]
    composed = pipeline.compose(overrides, output=tmp_path / "params.yaml")
    hydra_view = OmegaConf.to_container(compose(overrides), resolve=True)
    assert yaml.safe_load(composed.read_text(encoding="utf-8")) == hydra_view


def test_dvc_yaml_names_the_pipeline_paths():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]

    def paths(entries):
        return {next(iter(e)) if isinstance(e, dict) else e for e in entries}

    assert paths(stages["prepare"]["outs"]) == {pipeline.TRAIN_DATA, pipeline.TEST_DATA}
    assert paths(stages["train"]["outs"]) == {pipeline.MODEL_FILE}
    assert paths(stages["train"]["metrics"]) == {pipeline.CV_METRICS}
    assert paths(stages["evaluate"]["metrics"]) == {pipeline.METRICS}
    assert paths(stages["evaluate"]["outs"]) == {
        pipeline.PREDICTIONS,
        pipeline.RUN_INFO,
        pipeline.REPORT_MANIFEST,
        pipeline.DATA_PROFILE,
        pipeline.REPORT_FIGURES_DIR,
    }
    plots = paths(stages["evaluate"]["plots"])
    assert {p.rsplit("/", 1)[0] for p in plots} == {pipeline.PLOTS_DIR, pipeline.FIGURES_DIR}
    for name, stage in stages.items():
        assert stage["cmd"].endswith(f".pipeline {name}")


def test_dvc_is_configured_offline_with_hydra_and_a_remote():
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / ".dvc" / "config", encoding="utf-8")
    assert parser["core"]["analytics"] == "false"
    assert parser["core"]["check_update"] == "false"
    assert parser["hydra"]["enabled"] == "true"
    remote = parser["core"]["remote"]
    assert parser[f"'remote \"{remote}\"'"]["url"].startswith("../")


# Each value passes Hydra (which has no types for these keys) and used to fail later with a
# library traceback, or not at all (a threshold of 7 predicts every case negative).
BAD_VALUES = [
    ("train.seed=abc", "train.seed='abc' is not valid: use a whole number"),
    ("train.seed=-1", "train.seed=-1 is not valid"),
    ("train.seed=1.5", "train.seed=1.5 is not valid"),
    ("train.test_size=0", "train.test_size=0 is not valid: use a fraction strictly between 0"),
    ("train.test_size=1", "train.test_size=1 is not valid"),
    ("train.test_size=-0.2", "train.test_size=-0.2 is not valid"),
    ("train.test_size=half", "train.test_size='half' is not valid"),
    ("train.cv_folds=1", "train.cv_folds=1 is not valid: use 0 (no cross-validation) or"),
    ("train.cv_folds=-3", "train.cv_folds=-3 is not valid"),
    ("train.cv_folds=true", "train.cv_folds=True is not valid"),
    ("train.n_jobs=0", "train.n_jobs=0 is not valid: use -1 (every core) or"),
    ("train.n_jobs=-2", "train.n_jobs=-2 is not valid"),
    ("train.cv_max_rows=999", "train.cv_max_rows=999 is not valid: use a number of rows of"),
    ("evaluate.threshold=7", "evaluate.threshold=7 is not valid: use a probability from 0 to 1"),
    ("evaluate.threshold=-0.1", "evaluate.threshold=-0.1 is not valid"),
    ("evaluate.threshold=nan", "evaluate.threshold=nan is not valid"),
    ("evaluate.importance.max_rows=abc", "evaluate.importance.max_rows='abc' is not valid"),
    ("evaluate.importance.n_jobs=0", "evaluate.importance.n_jobs=0 is not valid: use -1"),
    ("evaluate.subgroups.metrics=7", "evaluate.subgroups.metrics=7 is not valid: use a list"),
    (
        "evaluate.data_profile.statistics_from=guess",
        "evaluate.data_profile.statistics_from='guess' is not valid: use fake or real",
    ),
    ("tracking.log_model=maybe", "tracking.log_model='maybe' is not valid: use true or false"),
    ("tracking.experiment_name=''", "tracking.experiment_name='' is not valid"),
    ("model.scale_features=3", "model.scale_features=3 is not valid"),
]


@pytest.mark.parametrize(("override", "message"), BAD_VALUES, ids=[o for o, _ in BAD_VALUES])
def test_out_of_range_values_are_one_line_naming_the_key(compose, override, message):
    from {{ cookiecutter.package_name }} import config
    from {{ cookiecutter.package_name }}.errors import PipelineError

    with pytest.raises(PipelineError) as raised:
        config.check(compose([override]))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert "on the command line" in str(raised.value)


def test_edges_of_the_ranges_are_accepted(compose):
    from {{ cookiecutter.package_name }} import config

    for overrides in (
        ["evaluate.threshold=0", "train.cv_folds=0", "train.seed=0"],
        ["evaluate.threshold=1", "train.cv_folds=2", f"train.seed={config.MAX_SEED}"],
        ["train.test_size=0.01", "tracking.uri=sqlite:///x.db"],
        ["train.n_jobs=1", "train.cv_max_rows=1000"],
        ["train.n_jobs=4", "train.cv_max_rows=null"],
    ):
        config.check(compose(overrides))


def test_compose_writes_what_dvc_writes(tmp_path):
    # Byte for byte (the draft written first must not change how DVC writes the file).
    from dvc.utils.hydra import compose_and_dump

    expected = tmp_path / "expected.yaml"
    compose_and_dump(expected, str(CONF), None, "config", str(ROOT), ["model=random_forest"])
    written = pipeline.compose(["model=random_forest"], output=str(tmp_path / "params.yaml"))
    assert written.read_bytes() == expected.read_bytes()


def test_compose_refuses_a_bad_value_and_keeps_params_yaml(tmp_path):
    from {{ cookiecutter.package_name }}.errors import PipelineError

    output = tmp_path / "params.yaml"
    output.write_text("kept: true\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"evaluate\.threshold=7 is not valid"):
        pipeline.compose(["evaluate.threshold=7"], output=output)
    assert output.read_text(encoding="utf-8") == "kept: true\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml"]


def test_stages_refuse_a_bad_params_yaml_naming_it(tmp_path, monkeypatch):
    from {{ cookiecutter.package_name }}.errors import PipelineError

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["test_size"] = 0
    (tmp_path / "dvc.yaml").write_text("stages: {}\n", encoding="utf-8")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PipelineError) as raised:
        pipeline.load_params()
    message = str(raised.value)
    assert "train.test_size=0 is not valid" in message and "params.yaml" in message
    (tmp_path / "params.yaml").write_bytes(b"\xff\xfe\x00b\x00a\x00d")
    with pytest.raises(PipelineError, match=r"params\.yaml cannot be read"):
        pipeline.load_params()
