"""The DVC pipeline's stages (dvc.yaml); each reads the composed configuration params.yaml.

    python -m {{ cookiecutter.package_name }}.pipeline prepare    # validated data -> train/test split
    python -m {{ cookiecutter.package_name }}.pipeline train      # fit -> model file, cross-validation
    python -m {{ cookiecutter.package_name }}.pipeline evaluate   # metrics, plots, figures, report files, MLflow run
    python -m {{ cookiecutter.package_name }}.pipeline compose [OVERRIDE ...]  # conf/ -> params.yaml

`compose` writes params.yaml exactly as `dvc exp run -S OVERRIDE` does (it calls DVC's own
function), so `dvc repro` after it runs the configuration Hydra would run.
Paths are relative to the folder DVC runs the stage in (see `data.workspace_root`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from {{ cookiecutter.package_name }}.data import resolve, workspace_root
from {{ cookiecutter.package_name }}.errors import PipelineError, reported

# The pipeline's files; dvc.yaml names the same paths (a test checks they agree).
PARAMS_FILE = "params.yaml"
TRAIN_DATA = "data/processed/train.parquet"
TEST_DATA = "data/processed/test.parquet"
MODEL_FILE = "models/model.joblib"
CV_METRICS = "metrics/cv.json"
METRICS = "metrics/metrics.json"
PLOTS_DIR = "metrics/plots"
FIGURES_DIR = "metrics/figures"
PREDICTIONS = "metrics/predictions.csv"
RUN_INFO = "metrics/mlflow_run.json"
# What `skunkworks report` reads (contract.py): the manifest, the data profile, their figures.
REPORT_MANIFEST = "metrics/report.json"
DATA_PROFILE = "metrics/data_profile.json"
REPORT_FIGURES_DIR = "metrics/report_figures"


def load_params() -> Any:
    """params.yaml, its values checked (`config.check`)."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from {{ cookiecutter.package_name }} import config

    path = resolve(PARAMS_FILE)
    if not path.is_file():
        raise PipelineError(f"{path} not found: run `make params` to compose it from conf/")
    try:
        params = OmegaConf.load(path)
    except (OmegaConfBaseException, YAMLError, UnicodeDecodeError) as error:
        reason = " ".join(str(error).split())[:200]
        raise PipelineError(
            f"{path} cannot be read ({reason}): run `make params` to compose it again"
        ) from None
    config.check(params, config.PARAMS)
    return params


def prepare_stage() -> None:
    from {{ cookiecutter.package_name }}.prepare import split, write_table

    train, test = split(load_params())
    write_table(train, resolve(TRAIN_DATA))
    write_table(test, resolve(TEST_DATA))
    print(f"prepare: {len(train)} training and {len(test)} test rows", file=sys.stderr)


def train_stage() -> None:
    import joblib

    from {{ cookiecutter.package_name }}.evaluate import write_metrics
    from {{ cookiecutter.package_name }}.models import cross_validate, fit
    from {{ cookiecutter.package_name }}.prepare import read_table

    cfg = load_params()
    train = read_table(resolve(TRAIN_DATA))
    write_metrics(cross_validate(cfg, train), resolve(CV_METRICS))
    model_file = resolve(MODEL_FILE)
    model_file.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(fit(cfg, train), model_file)
    print(f"train: {cfg.model.name} saved to {MODEL_FILE}", file=sys.stderr)


def public_params_file(cfg: Any, folder: Path) -> Path:
    """params.yaml as logged with a run: the tracking URI without credentials."""
    from omegaconf import OmegaConf

    from {{ cookiecutter.package_name }} import tracking

    public = cast("dict[str, Any]", OmegaConf.to_container(cfg, resolve=True))
    if public["tracking"].get("uri"):
        public["tracking"]["uri"] = tracking.public_uri(public["tracking"]["uri"])
    path = folder / PARAMS_FILE
    OmegaConf.save(OmegaConf.create(public), path)
    return path


def evaluate_stage() -> None:
    import joblib
    from omegaconf import OmegaConf

    from {{ cookiecutter.package_name }} import evaluate, task, tracking
    from {{ cookiecutter.package_name }}.data import feature_columns
    from {{ cookiecutter.package_name }}.prepare import file_md5, read_table

    cfg = load_params()
    # Fail on an unreachable tracking server before doing any work.
    tracking.connect(cfg.tracking)
    test = read_table(resolve(TEST_DATA))
    model_file = resolve(MODEL_FILE)
    if not model_file.is_file():
        raise PipelineError(f"{model_file} not found: run `dvc repro train` to create it")
    model = joblib.load(model_file)
    evaluation = task.evaluate(model, test, cfg)
    cv_file = resolve(CV_METRICS)
    cv_metrics = json.loads(cv_file.read_text(encoding="utf-8")) if cv_file.is_file() else {}
    metrics_file = evaluate.write_metrics(evaluation.metrics, resolve(METRICS))
    evaluate.write_plots_data(evaluation, resolve(PLOTS_DIR))
    predictions = resolve(PREDICTIONS)
    evaluation.predictions.to_csv(predictions, index=False)
    figures = task.write_figures(evaluation, resolve(FIGURES_DIR))
    figures += write_report_files(cfg, model, test, evaluation, cv_metrics)

    tags = {
        tracking.TAG_ENTRY_POINT: "dvc",
        tracking.TAG_OVERRIDES: "[]",
        tracking.TAG_DATA_SOURCE: str(cfg.data.name),
        tracking.TAG_TRAIN_MD5: file_md5(resolve(TRAIN_DATA)),
        tracking.TAG_TEST_MD5: file_md5(resolve(TEST_DATA)),
    }
    if cfg.data.get("path") and resolve(cfg.data.path).is_file():
        tags[tracking.TAG_DATA_SOURCE_MD5] = file_md5(resolve(cfg.data.path))
    with (
        tempfile.TemporaryDirectory() as scratch,
        tracking.tracked_run(cfg, f"dvc {cfg.model.name}", tags) as run,
    ):
        tracking.log_run(
            cast("dict[str, Any]", OmegaConf.to_container(cfg, resolve=True)),
            metrics={**evaluation.metrics, **cv_metrics},
            model=model,
            input_example=test[feature_columns(cfg.data)],
            figures=figures,
            files=[metrics_file, public_params_file(cfg, Path(scratch))],
            log_model=bool(cfg.tracking.log_model),
        )
        info = {
            "run_id": run.info.run_id,
            "experiment_id": run.info.experiment_id,
            "tracking_uri": tracking.public_uri(tracking.tracking_uri(cfg.tracking)),
        }
    resolve(RUN_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    primary = cfg.evaluate.primary_metric
    print(
        f"evaluate: {task.METRIC_LABELS[primary]} {evaluation.metrics[primary]:.3f}, "
        f"MLflow run {info['run_id']}",
        file=sys.stderr,
    )


def write_report_files(
    cfg: Any, model: Any, test: Any, evaluation: Any, cv_metrics: dict[str, Any]
) -> list[Path]:
    """The files `skunkworks report` renders (contract.py); the figures among them."""
    from {{ cookiecutter.package_name }} import __version__, contract, evaluate
    from {{ cookiecutter.package_name }}.data import subgroups

    folder = resolve(REPORT_FIGURES_DIR)
    shutil.rmtree(folder, ignore_errors=True)  # no figure of a subgroup since removed
    drawn: list[Path] = []
    importance = None
    if cfg.evaluate.importance.enabled:
        rows, used = evaluate.permutation_importance(
            model, test, cfg.data, cfg.evaluate.importance, int(cfg.train.seed)
        )
        name = f"{REPORT_FIGURES_DIR}/feature_importance.png"
        drawn.append(evaluate.importance_figure(rows, resolve(name)))
        importance = (rows, used, name)
    groups = None
    columns = subgroups(cfg.data)
    if columns:
        names = list(cfg.evaluate.subgroups.metrics)
        results = evaluate.subgroup_results(
            evaluation.predictions, columns, names, int(cfg.evaluate.subgroups.min_cases)
        )
        files = {
            column: f"{REPORT_FIGURES_DIR}/{name}"
            for column, name in contract.subgroup_figure_names(columns).items()
        }
        for column, name in files.items():
            drawn.append(evaluate.subgroup_figure(column, results, names, resolve(name)))
        groups = (results, files)
    manifest = contract.report_manifest(
        cfg, evaluation, cv_metrics, FIGURES_DIR, importance, groups, __version__
    )
    contract.write_json(manifest, resolve(REPORT_MANIFEST))
    contract.write_json(contract.data_profile(cfg, workspace_root()), resolve(DATA_PROFILE))
    return drawn


def compose(overrides: Sequence[str] = (), output: Path | None = None) -> Path:
    """Write conf/ composed with `overrides` to params.yaml, as `dvc exp run -S` does."""
    from dvc.utils.hydra import compose_and_dump
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from {{ cookiecutter.package_name }} import config

    root = workspace_root()
    output = Path(output) if output else root / PARAMS_FILE
    # Composed next to the target and checked first: a bad value never replaces params.yaml.
    # Same suffix: DVC picks its writer (and so the file's exact bytes) by the suffix.
    draft = output.with_name(f".{output.stem}.draft{output.suffix}")
    try:
        compose_and_dump(draft, str(root / "conf"), None, "config", str(root), list(overrides))
        config.check(OmegaConf.load(draft), config.HYDRA)
        draft.replace(output)
    except (HydraException, OmegaConfBaseException) as error:
        message = " ".join(str(error).split("Config search path")[0].split())
        raise PipelineError(f"cannot compose conf/ with {list(overrides)}: {message}") from None
    finally:
        draft.unlink(missing_ok=True)
    return output


STAGES = {"prepare": prepare_stage, "train": train_stage, "evaluate": evaluate_stage}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}.pipeline",
        description="Run one stage of the DVC pipeline, or compose conf/ into params.yaml.",
    )
    parser.add_argument("command", choices=[*STAGES, "compose"])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides (compose only)")
    args = parser.parse_args(argv)
    with reported():
        if args.command == "compose":
            print(f"wrote {compose(args.overrides)}", file=sys.stderr)
        elif args.overrides:
            raise PipelineError(
                f"the {args.command} stage reads params.yaml and takes no overrides: run "
                f"`make params ARGS='{' '.join(args.overrides)}'` (or `dvc exp run -S ...`) first"
            )
        else:
            STAGES[args.command]()


if __name__ == "__main__":
    main()
