"""The project's MLflow runs, read only when there is a store to read: opening a missing
sqlite file would create an empty one, and MLflow retries an unreachable server for minutes.

A local sqlite store (the default) is read directly, read-only, with the standard library:
importing mlflow and its SQL store costs 2.5-3 s, most of `skunkworks report`'s time. Should
a future MLflow change the tables read here, the same answer comes from `MlflowClient`, which
also reads every other kind of store."""

from __future__ import annotations

import math
import os
import sqlite3
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
    store = sqlite_file(uri)
    if store is not None:
        try:
            return _sqlite_runs(store, experiment_ids, experiment_names)
        except sqlite3.Error:
            pass  # tables unlike those known here: MLflow's own client reads them
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


def _sqlite_runs(
    store: Path, experiment_ids: Sequence[str] | None, experiment_names: Sequence[str] | None
) -> list[Run]:
    """What `read_runs` returns, from MLflow's sqlite tables opened read-only."""
    connection = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
    try:
        experiments = {
            str(experiment_id): str(name)
            for experiment_id, name in connection.execute(
                "SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'active'"
            )
        }
        if experiment_names:
            wanted = set(experiment_names)
            experiments = {key: name for key, name in experiments.items() if name in wanted}
        elif experiment_ids:
            experiments = {
                key: name for key, name in experiments.items() if key in set(experiment_ids)
            }
        found: dict[str, Run] = {}
        rows = connection.execute(
            "SELECT run_uuid, experiment_id, name, start_time FROM runs "
            "WHERE status = 'FINISHED' AND lifecycle_stage = 'active' "
            "ORDER BY start_time DESC"
        )
        for run_id, experiment_id, name, start_time in rows:
            if str(experiment_id) in experiments and len(found) < MAX_RUNS:
                found[run_id] = Run(
                    run_id=run_id,
                    experiment_id=str(experiment_id),
                    experiment=experiments[str(experiment_id)],
                    name=name or run_id[:8],
                    start_time=int(start_time or 0),
                    metrics={},
                    params={},
                    tags={},
                )
        if not found:
            return []
        for key, value, is_nan, run_id in connection.execute(
            "SELECT key, value, is_nan, run_uuid FROM latest_metrics"
        ):
            if run_id in found:
                found[run_id].metrics[key] = math.nan if is_nan else float(value)
        for table in ("params", "tags"):
            for key, value, run_id in connection.execute(
                f"SELECT key, value, run_uuid FROM {table}"
            ):
                if run_id in found:
                    getattr(found[run_id], table)[key] = value
    finally:
        connection.close()
    return [run for run in found.values() if run.tags.get(TAG_SWEEP_PARENT) != "true"]


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
