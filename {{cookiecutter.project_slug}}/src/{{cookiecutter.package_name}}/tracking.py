"""MLflow tracking: where runs go, what ties a run to its inputs, and sweep parent runs.

Every run records the resolved configuration (flattened to params), the Hydra overrides, the
metrics, the model (with signature and input example), the figures, and tags that lead back to
the exact code and data: the git commit and dirty flag, the DVC hash of the training data and,
under `dvc exp run`, the DVC experiment name. MLflow is imported inside functions only.
"""

from __future__ import annotations

import atexit
import base64
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlparse

from hydra.experimental.callback import Callback

from {{ cookiecutter.package_name }}.data import workspace_root
from {{ cookiecutter.package_name }}.errors import PipelineError

if TYPE_CHECKING:
    from mlflow.entities import Experiment

# Run tags: the names reports and reviewers rely on.
TAG_GIT_COMMIT = "git.commit"  # commit of the code, "none" outside git or before a first commit
TAG_GIT_DIRTY = "git.dirty"  # "true" when tracked files (but dvc.lock, params.yaml) changed
TAG_DATA_SOURCE = "data.source"  # the conf/data option the run used
TAG_DATA_SOURCE_MD5 = "data.source_md5"  # MD5 of the source file (file sources only)
TAG_TRAIN_MD5 = "data.train_md5"  # MD5 of the training split = its hash in dvc.lock
TAG_TEST_MD5 = "data.test_md5"  # MD5 of the test split = its hash in dvc.lock
TAG_DVC_EXPERIMENT = "dvc.experiment"  # DVC experiment name under `dvc exp run`
TAG_DVC_BASELINE = "dvc.baseline_rev"  # commit a DVC experiment started from
TAG_ENTRY_POINT = "run.entry_point"  # "dvc" (pipeline stage) or "hydra" (python -m ...train)
TAG_OVERRIDES = "hydra.overrides"  # JSON list of the command-line overrides
TAG_SWEEP_JOB = "sweep.job"  # job number inside a --multirun sweep
TAG_SWEEP_PARENT = "sweep.parent"  # "true" on the parent run of a sweep
TAG_FAILURE = "run.failure"  # why a FAILED trial of an Optuna study could not run its setting

# Hands the sweep's parent run id from the Hydra callback to the jobs (and joblib workers).
PARENT_RUN_ENV = "POC_SWEEP_PARENT_RUN_ID"
DEFAULT_EXPERIMENT = {{ cookiecutter.project_slug | quoted }}
PROBE_TIMEOUT_SECONDS = 3.0
# MLflow retries a failing request for minutes by default; after a successful probe a few
# quick retries are enough.
_CLIENT_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}


def store_root() -> Path:
    """Where the default store lives: `DVC_ROOT` when DVC runs the stage (the real project,
    even when `dvc exp run --temp` runs it in a copy), else the project being worked in."""
    dvc_root = os.environ.get("DVC_ROOT")
    return Path(dvc_root).resolve() if dvc_root else workspace_root()


def tracking_uri(tracking_cfg: Mapping[str, Any]) -> str:
    """`tracking.uri`, else MLFLOW_TRACKING_URI, else `mlflow.db` at the project root."""
    configured = tracking_cfg.get("uri") or os.environ.get("MLFLOW_TRACKING_URI")
    if configured:
        return str(configured)
    return f"sqlite:///{(store_root() / 'mlflow.db').as_posix()}"


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")
# Keys that name a secret (an API key, an auth token, a password) whatever they hold, matched
# as a whole word of the key so that `model.tokenizer` or `data.author` stay.
_SECRET_KEY = re.compile(
    r"(^|[._-])(passw(or)?d|secret|token|api_?key|access_?key|credentials?|auth)([._-]|$)",
    re.IGNORECASE,
)


def redacted(uri: str) -> str:
    """The URI with any `user:password@` replaced by `***@`, fit for an error message."""
    return _USERINFO.sub(r"\g<scheme>***@", str(uri))


def public_uri(uri: str) -> str:
    """The URI without any `user:password@`: what may be stored or published."""
    return _USERINFO.sub(r"\g<scheme>", str(uri))


def public_overrides(overrides: Sequence[str]) -> list[str]:
    """The command-line overrides fit for run names and tags: tracking settings (the URI may
    hold credentials, and says where a run went, not what it did) and secret-like keys are
    left out, credentials in any other URL removed."""
    kept = []
    for override in overrides:
        key = override.split("=", 1)[0].lstrip("+~")
        if key == "tracking" or key.startswith("tracking.") or _SECRET_KEY.search(key):
            continue
        kept.append(public_uri(override))
    return kept


# What MLflow accepts in a parameter name (its own rule, less the colon it refuses on Windows
# and the slash that makes a name a path), and the longest name it stores.
_PARAM_KEY_CHARACTER = re.compile(r"[^A-Za-z0-9_\-. ]")
MAX_PARAM_KEY = 250


def param_key(key: str) -> str:
    """`key` as a valid MLflow parameter name. Keys come from column names too (`90+`, `wait
    (mins)`): any other character becomes `_`, and a changed or shortened key ends with a
    hash of the original, so that two columns never share one name."""
    import hashlib

    safe = _PARAM_KEY_CHARACTER.sub("_", key)
    if safe == key and len(key) <= MAX_PARAM_KEY:
        return key
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{safe[: MAX_PARAM_KEY - 10]}__{digest}"


def public_params(config: Mapping[str, Any]) -> dict[str, str]:
    """The configuration flattened for `log_params` (keys made valid for MLflow by
    `param_key`), without tracking settings or secrets."""
    return {
        param_key(key): public_uri(value)
        for key, value in flatten(config).items()
        if not key.startswith("tracking.") and not _SECRET_KEY.search(key)
    }


def sqlite_file(uri: str) -> Path | None:
    """The file of a `sqlite:///` store URI (None for other stores and in-memory ones)."""
    if not uri.startswith("sqlite:///"):
        return None
    path = uri.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in {"", ":memory:"} else Path(path)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_store_file(path: Path) -> None:
    """Refuse a store file MLflow would silently start afresh over (an empty one: the run
    history is gone) or fail on with a traceback (not SQLite). Never changes the file."""
    advice = (
        f"restore it from a backup, or move it aside (`mv {path.name} {path.name}.broken`) to "
        "start a new store; or set tracking.uri / MLFLOW_TRACKING_URI to another store"
    )
    if not path.exists():
        if not path.parent.is_dir():
            raise PipelineError(
                f"the folder of the MLflow store {path} does not exist: create it, or set "
                "tracking.uri / MLFLOW_TRACKING_URI to another store"
            )
        return
    if not path.is_file():
        raise PipelineError(f"the MLflow store {path} is not a file: {advice}")
    with path.open("rb") as stream:
        header = stream.read(len(SQLITE_HEADER))
    if not header:
        raise PipelineError(f"the MLflow store {path} is empty (0 bytes), no run history: {advice}")
    if header != SQLITE_HEADER:
        raise PipelineError(f"the MLflow store {path} is not an SQLite database: {advice}")


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """An exclusive lock between processes, held while the block runs (waits for it)."""
    with lock_file.open("a+b") as handle:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    handle.seek(0)
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for 10 s
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def open_sqlite_store(uri: str, path: Path) -> None:
    """Create or upgrade the sqlite store once: MLflow migrates a new store's schema in many
    steps, and concurrent first runs (a joblib sweep, two terminals) that migrate at the same
    time fail and can leave the store broken for good. A lock file next to the store makes
    one process do it while the others wait, then find the tables in place."""
    from mlflow import MlflowClient

    with _locked(path.with_name(f"{path.name}.lock")):
        check_store_file(path)
        try:
            MlflowClient(uri).search_experiments(max_results=1)
        except Exception as error:  # sqlalchemy and MLflow raise many types for a bad store
            reason = " ".join(str(error).split("[SQL:")[0].split())[:200]
            raise PipelineError(
                f"the MLflow store {path} cannot be opened ({reason}): restore it from a "
                f"backup, or move it aside (`mv {path.name} {path.name}.broken`) to start a new "
                "store"
            ) from None


def _probe_url(uri: str) -> str:
    """`<uri>/health` without credentials: urllib cannot parse `user:password@` in a URL."""
    parts = urlparse(uri)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}/health"


def check_reachable(uri: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
    """Fail within `timeout` seconds when an HTTP tracking server does not answer as one, or
    when a sqlite store's file exists but is empty or no database."""
    store = sqlite_file(uri)
    if store is not None:
        check_store_file(store)
        return
    if urlparse(uri).scheme not in {"http", "https"}:
        return
    advice = (
        "start it (`make mlflow-ui` for a local one), or unset MLFLOW_TRACKING_URI to track "
        "to mlflow.db in the project"
    )
    try:
        with urllib.request.urlopen(_probe_url(uri), timeout=timeout):
            return
    except urllib.error.HTTPError as error:
        if error.code in {401, 403}:
            return  # a server that wants credentials: MLflow reads them from the environment
        raise PipelineError(
            f"the MLflow tracking server at {redacted(uri)} answered HTTP {error.code} to "
            f"/health: check that the URI points at an MLflow server, or {advice}"
        ) from None
    except (OSError, ValueError) as error:
        reason = redacted(str(getattr(error, "reason", error)))
        raise PipelineError(
            f"the MLflow tracking server at {redacted(uri)} is unreachable ({reason}): {advice}"
        ) from None


def _api_url(uri: str, path: str) -> str:
    return _probe_url(uri).removesuffix("/health") + path


def check_credentials(uri: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
    """Fail in one line when a server with authentication (`mlflow server --app-name
    basic-auth`) refuses the credentials in MLFLOW_TRACKING_USERNAME/PASSWORD, before any work:
    MLflow itself would raise a traceback at the first call. `/health` needs no credentials,
    so one small authenticated request is made."""
    if urlparse(uri).scheme not in {"http", "https"}:
        return
    request = urllib.request.Request(
        _api_url(uri, "/api/2.0/mlflow/experiments/search?max_results=1")
    )
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user is not None and password is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return
    except urllib.error.HTTPError as error:
        if error.code != 401:
            return  # anything else is MLflow's to report, with its own message
        if user is None or password is None:
            raise PipelineError(
                f"the MLflow tracking server at {redacted(uri)} needs a user name and password: "
                "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD in the environment "
                "(never in conf/ or params.yaml)"
            ) from None
        raise PipelineError(
            f"the MLflow tracking server at {redacted(uri)} refused the user name and password "
            "(HTTP 401): check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
        ) from None
    except (OSError, ValueError):
        return  # reachable a moment ago: MLflow's own retries take it from here


def _credentials_to_environment(uri: str) -> str:
    """`uri` without `user:password@`, which go to MLflow's own environment variables.

    MLflow prints (and a report would publish) its tracking URI in run links; given the
    credentials apart, it sends them as basic authentication and never shows them.
    """
    parts = urlparse(uri)
    if parts.scheme not in {"http", "https"} or (parts.username is None and parts.password is None):
        return uri
    os.environ["MLFLOW_TRACKING_USERNAME"] = unquote(parts.username or "")
    if parts.password is not None:
        os.environ["MLFLOW_TRACKING_PASSWORD"] = unquote(parts.password)
    return public_uri(uri)


def connect(tracking_cfg: Mapping[str, Any], open_store: bool = False) -> str:
    """Point MLflow at the configured store after checking it answers; the URI (without
    credentials: those are handed to MLflow through its environment variables).

    With `open_store`, a sqlite store is also created (or upgraded) now, once for all the
    processes that start together; without it nothing is written (a check before the work).
    """
    uri = tracking_uri(tracking_cfg)
    check_reachable(uri)
    uri = _credentials_to_environment(uri)
    check_credentials(uri)
    for name, value in _CLIENT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    import mlflow

    store = sqlite_file(uri)
    if open_store and store is not None:
        open_sqlite_store(uri, store)
    mlflow.set_tracking_uri(uri)
    return uri


def experiment_name(tracking_cfg: Mapping[str, Any]) -> str:
    """`tracking.experiment_name`, else the project's name."""
    return str(tracking_cfg.get("experiment_name") or DEFAULT_EXPERIMENT)


def experiment_id(name: str, uri: str) -> str:
    """The id of experiment `name`, created if needed with artifacts next to a sqlite store."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    location = None
    parsed = urlparse(uri)
    if parsed.scheme == "sqlite":
        # Without this MLflow puts artifacts under the working directory of the first run.
        store = Path(uri.removeprefix("sqlite:///")).resolve()
        location = (store.parent / "mlartifacts" / name).as_uri()
    try:
        return client.create_experiment(name, artifact_location=location)
    except MlflowException:  # created meanwhile by a parallel sweep job
        return cast("Experiment", client.get_experiment_by_name(name)).experiment_id


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=workspace_root(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def code_tags() -> dict[str, str]:
    """The git commit and whether tracked files differ from it. The files the pipeline itself
    writes are excepted: dvc.lock (DVC rewrites it while the pipeline runs) and params.yaml
    (composed from conf/ by `make pipeline-fake`, `make params` or `dvc exp run -S`); the run
    records every parameter and the data hashes itself."""
    commit = _git("rev-parse", "--verify", "--quiet", "HEAD")
    changes = _git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!dvc.lock", ":!params.yaml"
    )
    tags = {TAG_GIT_COMMIT: commit or "none", TAG_GIT_DIRTY: str(bool(changes)).lower()}
    if changes is None:
        tags[TAG_GIT_DIRTY] = "unknown"
    return tags


def dvc_tags() -> dict[str, str]:
    tags = {}
    if os.environ.get("DVC_EXP_NAME"):
        tags[TAG_DVC_EXPERIMENT] = os.environ["DVC_EXP_NAME"]
    if os.environ.get("DVC_EXP_BASELINE_REV"):
        tags[TAG_DVC_BASELINE] = os.environ["DVC_EXP_BASELINE_REV"]
    return tags


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """`{"a": {"b": 1}}` as `{"a.b": "1"}`; lists as JSON."""
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = json.dumps(list(value))
        else:
            flat[name] = "null" if value is None else str(value)
    return flat


def pip_requirements() -> list[str]:
    """What the logged model needs, pinned to the versions it was trained with. Given
    explicitly: MLflow's own inference of requirements takes seconds per run. The model is
    saved with skops, the safe alternative to pickle."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in ("scikit-learn", "pandas", "numpy", "skops")]


def trusted_types(model: Any) -> list[str]:
    """The types skops must be told to trust to load `model` back: this run built them."""
    import skops.io

    return skops.io.get_untrusted_types(data=skops.io.dumps(model))


@contextmanager
def tracked_run(cfg: Mapping[str, Any], run_name: str, tags: Mapping[str, str]) -> Iterator[Any]:
    """An active MLflow run in the configured experiment, nested under the sweep's parent
    run when one is running; yields the `mlflow.ActiveRun`."""
    tracking_cfg = cfg["tracking"]
    uri = connect(tracking_cfg, open_store=True)
    import mlflow

    parent = os.environ.get(PARENT_RUN_ENV)
    all_tags = {**code_tags(), **dvc_tags(), **tags}
    if parent:
        _check_parent(parent, uri)
        all_tags["mlflow.parentRunId"] = parent
    try:
        with mlflow.start_run(
            experiment_id=experiment_id(experiment_name(tracking_cfg), uri),
            run_name=run_name,
            tags=all_tags,
        ) as run:
            yield run
    except Exception:
        # MLflow reports a server that went away mid-run as a traceback after its retries;
        # when that is what happened, say so in one line naming the server.
        check_reachable(uri)
        raise


def _check_parent(parent: str, uri: str) -> None:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        MlflowClient(uri).get_run(parent)
    except MlflowException:
        raise PipelineError(
            f"the sweep's parent run {parent} is not in {redacted(uri)}: unset {PARENT_RUN_ENV} "
            "or start the sweep again"
        ) from None


def log_run(
    config: Mapping[str, Any],
    *,
    metrics: Mapping[str, float],
    model: Any,
    input_example: Any,
    figures: Sequence[Path],
    files: Sequence[Path] = (),
    log_model: bool = True,
) -> None:
    """Log params, metrics, figures, files and the model into the active run."""
    import mlflow

    mlflow.log_params(public_params(config))
    mlflow.log_metrics({key: float(value) for key, value in metrics.items()})
    for path in figures:
        mlflow.log_artifact(str(path), artifact_path="figures")
    for path in files:
        mlflow.log_artifact(str(path))
    if log_model:
        from mlflow.models import infer_signature

        from {{ cookiecutter.package_name }} import task

        example = input_example.head(5)
        signature = infer_signature(example, task.predict(model, example))
        own = getattr(task, "log_model", None)  # optional in task.py
        if own is not None:  # a flavour whose model skops cannot save (a PyTorch network)
            own(model, example, signature, pip_requirements())
            return
        mlflow.sklearn.log_model(
            model,
            name="model",
            signature=signature,
            input_example=example,
            pip_requirements=pip_requirements(),
            serialization_format="skops",
            skops_trusted_types=trusted_types(model),
        )


def require_parent_in_sweep(is_sweep: bool) -> None:
    """Hydra turns callback errors into warnings: a sweep job without its parent run stops."""
    if is_sweep and not os.environ.get(PARENT_RUN_ENV):
        raise PipelineError(
            "the sweep's parent MLflow run was not created (see the warning above from "
            "SweepParentRun): check the tracking URI, then start the sweep again"
        )


class SweepParentRun(Callback):
    """Opens one MLflow parent run per `--multirun` sweep; each job nests its run under it.

    The parent's id travels to the jobs through an environment variable, which the basic
    launcher (same process), the joblib launcher (worker processes) and the submitit launcher
    (local processes or Slurm jobs) all pass on. The parent ends FINISHED only when every job
    finished; a sweep that fails, is interrupted (Ctrl+C, SIGTERM) or stops on an error ends
    it FAILED: Hydra skips `on_multirun_end` then, so an exit handler closes it.
    """

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.uri: str | None = None
        self.failed_jobs = 0
        self._previous_handlers: dict[int, Any] = {}

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from mlflow import MlflowClient
        from mlflow.tracking.context.registry import resolve_tags
        from omegaconf import OmegaConf

        os.environ.pop(PARENT_RUN_ENV, None)
        self.uri = connect(config.tracking, open_store=True)
        client = MlflowClient(self.uri)
        overrides = public_overrides(
            cast("list[str]", OmegaConf.to_container(config.hydra.overrides.task))
        )
        run = client.create_run(
            experiment_id(experiment_name(config.tracking), self.uri),
            run_name=f"sweep {' '.join(overrides)}".strip(),
            # MLflow's own context tags too (the user, as the jobs' runs record it).
            tags=resolve_tags(
                {
                    **code_tags(),
                    **dvc_tags(),
                    TAG_SWEEP_PARENT: "true",
                    TAG_ENTRY_POINT: "hydra",
                    TAG_OVERRIDES: json.dumps(overrides),
                }
            ),
        )
        self.run_id = run.info.run_id
        self.failed_jobs = 0
        os.environ[PARENT_RUN_ENV] = self.run_id
        atexit.register(self._close_failed)
        # SIGTERM (a scheduler's or `kill`'s) would end the process without exit handlers, and
        # Ctrl+C (SIGINT) print a KeyboardInterrupt traceback from inside the job: both exit
        # quietly instead, and the exit handler closes the parent. Only the main thread may set
        # a handler: elsewhere the defaults stay.
        defaults = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}
        for signum, default in defaults.items():
            if signal.getsignal(signum) is default:
                with suppress(ValueError):
                    self._previous_handlers[signum] = signal.signal(signum, _exit_on_signal)

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus

        # Seen here for jobs run in this process (basic launcher); other launchers raise in
        # this process when a job failed, which the exit handler catches.
        if getattr(job_return, "status", None) != JobStatus.FAILED:
            return
        # A failed job's `return_value` raises its error (after a line on stderr that the
        # sweeper prints anyway when it reads the value). A failed trial of an Optuna study
        # (`stages.FailedTrial`) is part of the search: the study goes on, and its parent can
        # still finish.
        try:
            with redirect_stderr(io.StringIO()):
                _ = job_return.return_value
        except Exception as error:
            if getattr(error, "failed_trial", False):
                return
        self.failed_jobs += 1

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        if self.run_id is None:
            return
        self._close("FAILED" if self.failed_jobs else "FINISHED")

    def _close_failed(self) -> None:
        if self.run_id is not None:
            self._close("FAILED")

    def _close(self, status: str) -> None:
        from mlflow import MlflowClient

        run_id, self.run_id = self.run_id, None
        os.environ.pop(PARENT_RUN_ENV, None)
        atexit.unregister(self._close_failed)
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers = {}
        try:
            MlflowClient(self.uri).set_terminated(cast("str", run_id), status)
        except Exception:  # the server went away: MLflow raises several types after retries
            print(
                f"error: the sweep's parent run {run_id} could not be closed as {status}: the "
                f"MLflow tracking server at {redacted(str(self.uri))} did not answer; the "
                "runs of the jobs that finished are kept there",
                file=sys.stderr,
            )


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)
