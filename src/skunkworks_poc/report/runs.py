"""The project's MLflow runs, read through `MlflowClient` only (no fluent API, no tracking
context), and only when there is a store to read: opening a missing sqlite file would create
an empty one, and MLflow retries an unreachable server for minutes."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from skunkworks_poc.contract import TAG_SWEEP_PARENT
from skunkworks_poc.report import ReportError

SQLITE_HEADER = b"SQLite format 3\x00"
PROBE_TIMEOUT_SECONDS = 3.0
MAX_RUNS = 5000


@dataclass
class Run:
    """One MLflow run, as the report needs it."""

    run_id: str
    experiment_id: str
    experiment: str
    name: str
    start_time: int  # milliseconds since the epoch
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]


def sqlite_file(uri: str) -> Path | None:
    """The file of a `sqlite:///` store URI (None for other stores and in-memory ones)."""
    if not uri.startswith("sqlite:///"):
        return None
    path = uri.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in {"", ":memory:"} else Path(path)


def store_exists(uri: str) -> bool:
    """Whether there is a store to read at `uri`; a broken sqlite file is an error."""
    store = sqlite_file(uri)
    if store is None:
        return bool(uri)
    if not store.is_file():
        return False
    with store.open("rb") as stream:
        header = stream.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ReportError(
            f"{store.name} is not an SQLite database (empty or damaged): restore it from a "
            "backup, or move it aside to start a new run history"
        )
    return True


def _redacted(uri: str) -> str:
    parts = urlparse(uri)
    return parts._replace(netloc=parts.hostname or "").geturl() if parts.hostname else uri


def check_reachable(uri: str) -> None:
    """Fail within seconds when an HTTP tracking server does not answer its /health."""
    parts = urlparse(uri)
    if parts.scheme not in {"http", "https"}:
        return
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port is not None else ""
    probe = f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}/health"
    try:
        with urllib.request.urlopen(probe, timeout=PROBE_TIMEOUT_SECONDS):
            return
    except urllib.error.HTTPError as error:
        if error.code in {401, 403}:
            return  # it wants credentials: MLflow reads them from the environment
        reason = f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        reason = str(getattr(error, "reason", error))
    raise ReportError(
        f"the MLflow tracking server at {_redacted(uri)} does not answer ({reason}): start it, "
        "or set MLFLOW_TRACKING_URI to the store the runs are in"
    )


def _client(uri: str) -> Any:
    # Reading only: nothing to report home about, and no network on many NHS machines.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise ReportError(
            "mlflow is not installed in this environment: install the project's environment "
            "(`make setup`), or run `skunkworks report` from it"
        ) from None
    return MlflowClient(uri)


def _as_run(run: Any, experiment: str) -> Run:
    return Run(
        run_id=run.info.run_id,
        experiment_id=run.info.experiment_id,
        experiment=experiment,
        name=run.info.run_name or run.info.run_id[:8],
        start_time=int(run.info.start_time or 0),
        metrics=dict(run.data.metrics),
        params=dict(run.data.params),
        tags=dict(run.data.tags),
    )


def read_runs(
    uri: str, experiment_ids: Sequence[str] | None, experiment_names: Sequence[str] | None
) -> list[Run]:
    """Finished runs of the experiments named or numbered (all when neither is given),
    the parent runs of sweeps left out."""
    check_reachable(uri)
    from mlflow.entities import ViewType
    from mlflow.exceptions import MlflowException

    client = _client(uri)
    try:
        found = client.search_experiments(view_type=ViewType.ACTIVE_ONLY)
        if experiment_names:
            found = [item for item in found if item.name in set(experiment_names)]
        elif experiment_ids:
            found = [item for item in found if item.experiment_id in set(experiment_ids)]
        names = {item.experiment_id: item.name for item in found}
        if not names:
            return []
        runs = client.search_runs(list(names), max_results=MAX_RUNS)
    except MlflowException as error:
        message = " ".join(str(error).split())[:200]
        raise ReportError(f"cannot read the MLflow runs ({message})") from None
    return [
        _as_run(run, names[run.info.experiment_id])
        for run in runs
        if run.info.status == "FINISHED" and run.data.tags.get(TAG_SWEEP_PARENT) != "true"
    ]


def read_run(uri: str, run_id: str) -> Run | None:
    """One run by id, wherever it is (None when the store does not have it)."""
    from mlflow.exceptions import MlflowException

    client = _client(uri)
    try:
        run = client.get_run(run_id)
        experiment = client.get_experiment(run.info.experiment_id)
    except MlflowException:
        return None
    return _as_run(run, experiment.name if experiment else "")
