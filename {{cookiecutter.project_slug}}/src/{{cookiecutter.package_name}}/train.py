"""Train, evaluate and track one model from the configuration in conf/ (Hydra).

    python -m {{ cookiecutter.package_name }}.train                      # defaults of conf/config.yaml
    python -m {{ cookiecutter.package_name }}.train model=random_forest train.seed=7
    python -m {{ cookiecutter.package_name }}.train --multirun model={{ cookiecutter.task | task_option('model') }},random_forest
    python -m {{ cookiecutter.package_name }}.train hparams_search=random_forest_grid launcher=joblib
    python -m {{ cookiecutter.package_name }}.train hparams_search=optuna   # optimises evaluate.primary_metric

Each run splits the data, fits the model, evaluates it and logs everything to MLflow; its files
(split data, metrics, plots data, figures) go to Hydra's output folder under outputs/. The DVC
pipeline (`dvc repro`, see dvc.yaml) runs the same steps as separate stages on params.yaml.
Heavy libraries are imported inside functions so that `--help` answers at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from {{ cookiecutter.package_name }}.data import workspace_root
from {{ cookiecutter.package_name }}.errors import reported
from {{ cookiecutter.package_name }}.paths import project_root


def conf_dir() -> Path:
    """conf/ of the project the command runs in (the working copy under `dvc exp run --temp`)."""
    local = workspace_root() / "conf"
    return local if (local / "config.yaml").is_file() else project_root() / "conf"


def run(
    cfg: Mapping[str, Any],
    output_dir: Path,
    overrides: Sequence[str] = (),
    sweep_job: int | None = None,
) -> dict[str, float]:
    """Split, fit, evaluate and log one run; its metrics."""
    from omegaconf import OmegaConf

    from {{ cookiecutter.package_name }} import config, evaluate, models, prepare, task, tracking
    from {{ cookiecutter.package_name }}.data import feature_columns, resolve

    config.check(cfg, config.HYDRA)
    # Fail on an unreachable tracking server before spending time on training.
    tracking.connect(cfg["tracking"])
    tracking.require_parent_in_sweep(sweep_job is not None)
    train, test = prepare.split(cfg)
    train_file = prepare.write_table(train, output_dir / "data" / "train.parquet")
    test_file = prepare.write_table(test, output_dir / "data" / "test.parquet")
    cv_metrics = models.cross_validate(cfg, train)
    model = models.fit(cfg, train)
    evaluation = task.evaluate(model, test, cfg)
    metrics = {**evaluation.metrics, **cv_metrics}
    metrics_file = evaluate.write_metrics(metrics, output_dir / "metrics.json")
    evaluate.write_plots_data(evaluation, output_dir / "plots")
    figures = task.write_figures(evaluation, output_dir / "figures")

    # Tracking settings and credentials never reach run names, tags or params.
    public = tracking.public_overrides(overrides)
    tags = {
        tracking.TAG_ENTRY_POINT: "hydra",
        tracking.TAG_OVERRIDES: json.dumps(public),
        tracking.TAG_DATA_SOURCE: str(cfg["data"]["name"]),
        tracking.TAG_TRAIN_MD5: prepare.file_md5(train_file),
        tracking.TAG_TEST_MD5: prepare.file_md5(test_file),
    }
    if cfg["data"].get("path"):
        tags[tracking.TAG_DATA_SOURCE_MD5] = prepare.file_md5(resolve(cfg["data"]["path"]))
    if sweep_job is not None:
        tags[tracking.TAG_SWEEP_JOB] = str(sweep_job)
    run_name = " ".join(public) or str(cfg["model"]["name"])
    with tracking.tracked_run(cfg, run_name, tags):
        tracking.log_run(
            cast("Mapping[str, Any]", OmegaConf.to_container(cfg, resolve=True))
            if OmegaConf.is_config(cfg)
            else cfg,
            metrics=metrics,
            model=model,
            input_example=test[feature_columns(cfg["data"])],
            figures=figures,
            files=[metrics_file],
            log_model=bool(cfg["tracking"]["log_model"]),
        )
    return metrics


def _task(cfg: Any) -> float:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    is_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    with reported():
        metrics = run(
            cfg,
            Path(hydra_cfg.runtime.output_dir),
            list(hydra_cfg.overrides.task),
            sweep_job=hydra_cfg.job.num if is_sweep else None,
        )
    # Returned for sweepers that optimise: the primary metric the configuration declares.
    return metrics[cfg["evaluate"]["primary_metric"]]


def direction(higher_is_better: bool) -> str:
    """Optuna's name for the direction `evaluate.higher_is_better` declares."""
    return "maximize" if higher_is_better else "minimize"


def main() -> None:
    import hydra
    from omegaconf import OmegaConf

    # conf/hparams_search/optuna.yaml: the sweep optimises in the configured direction.
    OmegaConf.register_new_resolver("direction", direction, replace=True)
    hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(_task)()


if __name__ == "__main__":
    main()
