"""What every flavour's DVC stages share: the command line, params.yaml, files and tags;
and what its Hydra entry point (`train`, `discover` or `experiment`) shares with them.

`pipeline.py` holds this flavour's stages and their `STAGES` table; this module runs them:

    python -m {{ cookiecutter.package_name }}.pipeline STAGE                  # one stage of dvc.yaml, on params.yaml
    python -m {{ cookiecutter.package_name }}.pipeline compose [OVERRIDE ...] # conf/ -> params.yaml

`compose` writes params.yaml exactly as `dvc exp run -S OVERRIDE` does (it calls DVC's own
function), so `dvc repro` after it runs the configuration Hydra would run. A stage reads
params.yaml only after `config.check` accepts it. Paths are relative to the folder DVC runs
the stage in (see `data.workspace_root`).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, NoReturn, cast

from {{ cookiecutter.package_name }}.data import resolve, workspace_root
from {{ cookiecutter.package_name }}.errors import PipelineError, reported

# The files every flavour's pipeline writes; dvc.yaml names the same paths (a test checks they
# agree), and `skunkworks report` reads them (the toolkit's contract, its docs/contract.md).
PARAMS_FILE = "params.yaml"
METRICS = "metrics/metrics.json"
PLOTS_DIR = "metrics/plots"
FIGURES_DIR = "metrics/figures"
RUN_INFO = "metrics/mlflow_run.json"
REPORT_MANIFEST = "metrics/report.json"
DATA_PROFILE = "metrics/data_profile.json"
REPORT_FIGURES_DIR = "metrics/report_figures"


def plain(cfg: Any) -> dict[str, Any]:
    """The configuration as plain dicts and lists, interpolations resolved: a copy, so that
    what a caller changes in it (a public URI) never reaches `cfg`."""
    from omegaconf import OmegaConf

    if OmegaConf.is_config(cfg):
        return cast("dict[str, Any]", OmegaConf.to_container(cfg, resolve=True))
    return copy.deepcopy(dict(cfg))


def load_params() -> Any:
    """params.yaml, its values checked (`config.check`)."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from {{ cookiecutter.package_name }} import config, config_rules

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
    config.check(params, config_rules.PARAMS)
    return params


def compose(overrides: Sequence[str] = (), output: Path | str | None = None) -> Path:
    """Write conf/ composed with `overrides` to params.yaml, as `dvc exp run -S` does."""
    from dvc.utils.hydra import compose_and_dump
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from {{ cookiecutter.package_name }} import config, config_rules

    root = workspace_root()
    output = Path(output) if output else root / PARAMS_FILE
    # Composed next to the target and checked first: a bad value never replaces params.yaml.
    # Same suffix: DVC picks its writer (and so the file's exact bytes) by the suffix.
    draft = output.with_name(f".{output.stem}.draft{output.suffix}")
    try:
        compose_and_dump(draft, str(root / "conf"), None, "config", str(root), list(overrides))
        config.check(OmegaConf.load(draft), config_rules.HYDRA)
        draft.replace(output)
    except (HydraException, OmegaConfBaseException) as error:
        message = " ".join(str(error).split("Config search path")[0].split())
        raise PipelineError(f"cannot compose conf/ with {list(overrides)}: {message}") from None
    finally:
        draft.unlink(missing_ok=True)
    return output


def file_md5(path: Path) -> str:
    """The MD5 of a file's bytes: the hash DVC records for the file in dvc.lock."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_table(frame: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path


def read_table(path: Path, stage: str = "prepare") -> Any:
    """A table written by `write_table`; a missing file names the stage that writes it."""
    import pandas as pd

    if not path.is_file():
        raise PipelineError(
            f"{path} not found: run `dvc repro {stage}` to create it (or `dvc pull` to fetch it)"
        )
    return pd.read_parquet(path)


def write_json(value: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_metrics(values: Mapping[str, Any], path: Path) -> Path:
    """A metrics file (metrics.json, the cross-validation's): the values in name order."""
    return write_json(dict(sorted(values.items())), path)


def write_plots(tables: Mapping[str, Any], folder: Path) -> list[Path]:
    """The flavour's tables for `dvc plots` (file name -> DataFrame), one CSV file each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / name, index=False)
    return [folder / name for name in tables]


def public_params_file(cfg: Any, folder: Path) -> Path:
    """params.yaml as logged with a run: the tracking URI without credentials."""
    from omegaconf import OmegaConf

    from {{ cookiecutter.package_name }} import tracking

    public = plain(cfg)
    if public["tracking"].get("uri"):
        public["tracking"]["uri"] = tracking.public_uri(public["tracking"]["uri"])
    path = folder / PARAMS_FILE
    OmegaConf.save(OmegaConf.create(public), path)
    return path


def run_tags(
    cfg: Any,
    hashed: Mapping[str, str | Path],
    overrides: Sequence[str] | None = None,
    sweep_job: int | None = None,
) -> dict[str, str]:
    """The tags of a run: where it came from (the `evaluate` stage, or with `overrides` the
    Hydra entry point, a job of a sweep with `sweep_job`) and, by tag, the MD5 of each file in
    `hashed` (tag -> path: a stage's hashes are those dvc.lock holds for its files).
    `overrides` must be public already (`tracking.public_overrides`)."""
    from {{ cookiecutter.package_name }} import tracking

    data = plain(cfg)["data"]
    tags = {
        tracking.TAG_ENTRY_POINT: "dvc" if overrides is None else "hydra",
        tracking.TAG_OVERRIDES: json.dumps(list(overrides or [])),
        tracking.TAG_DATA_SOURCE: str(data["name"]),
        **{tag: file_md5(resolve(path)) for tag, path in hashed.items()},
    }
    if data.get("path") and resolve(data["path"]).is_file():
        tags[tracking.TAG_DATA_SOURCE_MD5] = file_md5(resolve(data["path"]))
    if sweep_job is not None:
        tags[tracking.TAG_SWEEP_JOB] = str(sweep_job)
    return tags


def log(
    cfg: Any,
    metrics: Mapping[str, float],
    run_name: str,
    tags: Mapping[str, str],
    files: Sequence[Path],
    figures: Sequence[Path],
    model: Any = None,
    input_example: Any = None,
) -> Any:
    """One MLflow run: the configuration as params, `metrics`, the files and figures as
    artifacts, and `model` with its `input_example` when `tracking.log_model` is on (a flavour
    whose model is a file of its own lists the file among `files` instead)."""
    from {{ cookiecutter.package_name }} import tracking

    config = plain(cfg)
    with tracking.tracked_run(cfg, run_name, dict(tags)) as run:
        tracking.log_run(
            config,
            metrics=dict(metrics),
            model=model,
            input_example=input_example,
            figures=figures,
            files=files,
            log_model=model is not None and bool(config["tracking"]["log_model"]),
        )
    return run


def write_run_info(run: Any, cfg: Any) -> dict[str, str]:
    """Where the run the `evaluate` stage logged lives (RUN_INFO: read by `skunkworks report`)."""
    from {{ cookiecutter.package_name }} import tracking

    info = {
        "run_id": run.info.run_id,
        "experiment_id": run.info.experiment_id,
        "tracking_uri": tracking.public_uri(tracking.tracking_uri(plain(cfg)["tracking"])),
    }
    write_json(info, resolve(RUN_INFO))
    return info


def main(stages: Mapping[str, Callable[[], None]], argv: Sequence[str] | None = None) -> None:
    """Run the stage `argv` names (one of `stages`), or `compose` with its overrides."""
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}.pipeline",
        description="Run one stage of the DVC pipeline, or compose conf/ into params.yaml.",
    )
    parser.add_argument("command", choices=[*stages, "compose"])
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
            stages[args.command]()


def exit_now() -> NoReturn:
    """End a command whose work is done, without the slow part of the interpreter's exit.

    At exit Python frees the objects of every imported module and, as it goes, runs its cycle
    collector over all of them again and again: 1.3 s per process once PyTorch, MLflow,
    scikit-learn, Hydra and DVC are loaded, 0.2 s when every object is first frozen out of the
    collector's reach (`gc.freeze`, measured). The exit is otherwise Python's own: the exit
    handlers run, threads are waited for, objects are freed and files flushed as they go. A
    file still open for writing is flushed first (left in a reference cycle, it would be
    flushed only by the collector; 0.1 s with PyTorch loaded). Called only from `__main__`
    blocks: a test calling `main()` goes on.
    """
    import gc
    import io

    writers = (io.TextIOWrapper, io.BufferedWriter, io.BufferedRandom)
    for stream in gc.get_objects():
        if type(stream) in writers:
            with contextlib.suppress(OSError, ValueError):  # closed meanwhile, or disk full
                stream.flush()
    gc.freeze()
    sys.exit(0)


def conf_dir() -> Path:
    """conf/ of the project the command runs in (the working copy under `dvc exp run --temp`)."""
    from {{ cookiecutter.package_name }}.paths import project_root

    local = workspace_root() / "conf"
    return local if (local / "config.yaml").is_file() else project_root() / "conf"


def direction(higher_is_better: bool) -> str:
    """Optuna's name for the direction `evaluate.higher_is_better` declares."""
    return "maximize" if higher_is_better else "minimize"


def hydra_job() -> tuple[Path, list[str], int | None]:
    """This Hydra job's output folder, its command-line overrides and, in a sweep, its number."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    sweep_job = hydra_cfg.job.num if hydra_cfg.mode == RunMode.MULTIRUN else None
    return Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task), sweep_job


def run_job(run: Callable[..., Mapping[str, float]], cfg: Any) -> float:
    """One job of a Hydra entry point: `run(cfg, output_dir, overrides, sweep_job=...)`, an
    error one line; the primary metric the configuration declares, for sweepers that optimise.
    A job of an Optuna study is a trial (`run_trial`): its failure fails the trial alone."""
    output_dir, overrides, sweep_job = hydra_job()
    if sweep_job is not None and optimising():
        return run_trial(run, cfg, output_dir, overrides, sweep_job)
    with reported():
        metrics = run(cfg, output_dir, overrides, sweep_job=sweep_job)
    return metrics[cfg["evaluate"]["primary_metric"]]


def hydra_main(task: Callable[[Any], float]) -> None:
    """Run the entry point's task function on conf/. The function is the entry point's own
    (`_task`): Hydra names the job, its log file and its output folder after its module."""
    import hydra
    from omegaconf import OmegaConf

    # conf/hparams_search/optuna.yaml: the sweep optimises in the configured direction.
    OmegaConf.register_new_resolver("direction", direction, replace=True)
    report_studies_with_no_completed_trial()
    hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(task)()


# An Optuna study's trials. The sampler, not the user, chose a trial's setting: a setting that
# cannot run (an estimator refusing a sampled value, a queue that never settles, a NaN score)
# fails its trial alone and the study goes on (`max_failure_rate: 1.0` in every flavour's
# conf/hparams_search/optuna.yaml). A grid or list sweep still stops at its first failed job
# with one line and a FAILED parent run: there the user chose every setting.


class FailedTrial(Exception):
    """A trial of an Optuna study that could not run its setting. Not a `PipelineError`: Hydra
    records the job FAILED instead of the sweep exiting, the sweeper tells Optuna the trial
    FAILED, and the study goes on. `failed_trial` tells the sweep's parent run
    (`tracking.SweepParentRun`) that this failure is part of the search, not of the sweep.

    `last_reason` is the reason of the last failed trial this process has seen: the sweeping
    process builds each trial's exception again when a worker process (joblib launcher) sends
    it back, so the study's own process knows it too."""

    failed_trial = True
    last_reason: ClassVar[str | None] = None

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        FailedTrial.last_reason = reason

    def __str__(self) -> str:
        return f"trial failed, the study goes on: {self.args[0]}"


def optimising() -> bool:
    """Whether this Hydra job is a trial of an Optuna study (`hparams_search=optuna`)."""
    from hydra.core.hydra_config import HydraConfig

    return "optuna" in str(HydraConfig.get().sweeper.get("_target_", "")).lower()


def failure_reason(error: BaseException) -> str:
    """An error as one line: a `PipelineError`'s message, otherwise the exception's type and
    the first line of its message (scikit-learn's can carry whole tracebacks)."""
    text = str(error).strip()
    if isinstance(error, PipelineError):
        return " ".join(text.split())
    lines = [line for line in text.splitlines() if line.strip()]
    first = " ".join(lines[0].split()) if lines else ""
    more = " (...)" if len(lines) > 1 else ""
    return f"{type(error).__name__}: {first}{more}"[:1000] if first else type(error).__name__


def run_trial(
    run: Callable[..., Mapping[str, float]],
    cfg: Any,
    output_dir: Path,
    overrides: Sequence[str],
    sweep_job: int,
) -> float:
    """One trial of an Optuna study: its primary metric, or `FailedTrial` when its setting
    could not run or scored NaN (optuna 2.10 refuses a NaN value and the sweeper then stops),
    after the trial's MLflow run is recorded FAILED with the reason in `tracking.TAG_FAILURE`."""
    primary = cfg["evaluate"]["primary_metric"]
    try:
        metrics = run(cfg, output_dir, overrides, sweep_job=sweep_job)
        value = float(metrics[primary])
        if math.isnan(value):
            raise PipelineError(f"the primary metric {primary} is NaN for this setting")
    except Exception as error:
        # The tag keeps the whole message (a library's may span lines); the trial's line, one.
        detail = f"{type(error).__name__}: {error}"
        if isinstance(error, PipelineError):
            detail = str(error)
        record_failed_trial(cfg, overrides, sweep_job, detail)
        raise FailedTrial(failure_reason(error)) from None
    return value


class _TrialRecorded(Exception):
    """Ends the run `record_failed_trial` opens as FAILED (MLflow's status for an exception)."""


def record_failed_trial(cfg: Any, overrides: Sequence[str], sweep_job: int, detail: str) -> None:
    """Mark the trial's MLflow run FAILED with `detail` in its `run.failure` tag, or, when the
    trial failed before logging one, log a FAILED run with its setting: a study's failed
    trials stay visible in MLflow next to the ones that ran."""
    import mlflow

    from {{ cookiecutter.package_name }} import tracking

    try:
        plain_cfg = plain(cfg)
        try:
            logged = mlflow.last_active_run()
        except Exception:  # the process's last run lives in another store: not this trial's
            logged = None
        parent = os.environ.get(tracking.PARENT_RUN_ENV)
        logged_tags = logged.data.tags if logged is not None else {}
        if (
            logged is not None
            and logged_tags.get(tracking.TAG_SWEEP_JOB) == str(sweep_job)
            and logged_tags.get("mlflow.parentRunId") == parent
        ):  # the run this trial logged before it failed (a NaN score, an artifact)
            client = mlflow.MlflowClient()
            client.set_tag(logged.info.run_id, tracking.TAG_FAILURE, detail[:5000])
            client.set_terminated(logged.info.run_id, "FAILED")
            return
        public = tracking.public_overrides(overrides)
        tags = {**run_tags(plain_cfg, {}, public, sweep_job), tracking.TAG_FAILURE: detail[:5000]}
        with tracking.tracked_run(cfg, " ".join(public) or "trial", tags):
            mlflow.log_params(tracking.public_params(plain_cfg))
            raise _TrialRecorded
    except _TrialRecorded:
        pass
    except Exception as error:  # the tracking server itself, most likely: the trial still fails
        print(
            f"warning: the failed trial's run could not be recorded in MLflow: "
            f"{failure_reason(error)}",
            file=sys.stderr,
        )


def report_studies_with_no_completed_trial() -> None:
    """Make an Optuna study whose every trial failed end with one line naming the last
    trial's error (the parent run then ends FAILED) instead of the traceback of Optuna's
    "No trials are completed yet", which the sweeper raises after its last trial when it
    asks for the best one; Hydra prints any error there with its traceback. The sweeper's
    public `sweep` is wrapped in this process only, on the class Hydra's plugin registry holds
    (its scan imports plugins afresh: a class imported here would be another object)."""
    from hydra.core.plugins import Plugins
    from hydra.plugins.sweeper import Sweeper

    sweepers: list[Any] = Plugins.instance().discover(Sweeper)
    found = [sweeper for sweeper in sweepers if sweeper.__name__ == "OptunaSweeper"]
    if not found:  # no Optuna sweeper installed: no study to report on
        return
    [optuna_sweeper] = found
    original = optuna_sweeper.sweep
    if getattr(original, "reports_no_completed_trial", False):
        return

    @functools.wraps(original)
    def sweep(self: Any, arguments: list[str]) -> Any:
        FailedTrial.last_reason = None
        try:
            return original(self, arguments)
        except ValueError as error:
            reason = FailedTrial.last_reason
            if reason is None or "No trials are completed" not in str(error):
                raise
            print(
                f"error: every trial of the Optuna study failed; the last: {reason}",
                file=sys.stderr,
            )
            raise SystemExit(2) from None

    sweep.reports_no_completed_trial = True  # type: ignore[attr-defined]
    optuna_sweeper.sweep = sweep
