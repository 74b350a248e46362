"""A PoC team's shared servers, for real on 127.0.0.1 (docs/team.md of a generated project).

One set of servers per module (the tests of this module run on one xdist worker, group
"team"): an S3 store (moto's server mode), the Azure Storage emulator (azurite, from npm) and a
real `mlflow server --app-name basic-auth` whose artifacts are proxied to the S3 store. A
"team repository" is made once from a baked default project with the `team` extra installed:
`tracking: team` pointing at the server, both DVC remotes configured without any credential,
committed. Each test clones it as a team member would, credentials only in the environment
and in `.dvc/config.local`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flavours import interrupt_sweep, start_sweep, sweep_runs
from harness import (
    ProjectEnv,
    build_stack,
    cache_root,
    declared_python,
    install_project,
    stack_requirements,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("team")]

PACKAGE = "sepsis_early_warning"  # the default answers' package name
BIN = Path(sys.executable).parent  # moto and mlflow[auth] come with the template's test extra
ARTIFACT_BUCKET = "team-mlflow"
DATA_BUCKET = "team-dvc"
CONTAINER = "team-dvc"
AZURE_ACCOUNT = "teamstore"
# Outputs of the pipeline a `dvc pull` must restore byte for byte.
PULLED = (
    "data/processed/train.parquet",
    "data/processed/test.parquet",
    "models/model.joblib",
    "metrics/metrics.json",
    "metrics/cv.json",
    "metrics/predictions.csv",
    "metrics/report.json",
    "metrics/data_profile.json",
    "metrics/mlflow_run.json",
)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A process started in its own session, stopped with its children by its PID."""

    def __init__(self, name: str, command: list[str], log: Path, **kwargs) -> None:
        self.name = name
        self.log = log
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
            **kwargs,
        )

    def wait_for(self, url: str, timeout: float = 180, ok: tuple[int, ...] = (200,)) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status in ok:
                        return
            except urllib.error.HTTPError as error:
                if error.code in ok:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer {url} in {timeout:.0f} s")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def api(uri: str, path: str, auth: tuple[str, str], body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{uri}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": basic_auth(*auth), "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


# --- servers ---------------------------------------------------------------------------------


def start_moto(folder: Path, secrets_used: dict[str, str]) -> tuple[Server, str]:
    """moto's S3 server with the artifact and data buckets; the server and its endpoint URL."""
    port = free_port()
    server = Server(
        "moto",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        folder / "moto.log",
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        server.wait_for(f"{endpoint}/moto-api/", timeout=60)
        client = s3_client(endpoint, secrets_used)
        for bucket in (ARTIFACT_BUCKET, DATA_BUCKET):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
            )
    except BaseException:
        server.stop()
        raise
    return server, endpoint


def new_secrets() -> dict[str, str]:
    """Every credential of a set of servers, random, so that a leak of any one can be searched
    for."""
    return {
        "admin": secrets.token_urlsafe(16),
        "flask": secrets.token_urlsafe(24),
        "alice": secrets.token_urlsafe(16),
        "bob": secrets.token_urlsafe(16),
        "aws_key_id": "AKIA" + secrets.token_hex(8).upper(),
        "aws_secret": secrets.token_urlsafe(30),
        "azure_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


@pytest.fixture(scope="module")
def secrets_used() -> dict[str, str]:
    return new_secrets()


@pytest.fixture(scope="module")
def s3(tmp_path_factory, secrets_used) -> Iterator[str]:
    """moto's S3 server for the module; its endpoint URL."""
    pytest.importorskip("boto3", reason="moto's S3 server cannot be installed here (no boto3)")
    pytest.importorskip("moto.server", reason="moto's server mode (`moto[server]`) not installed")
    server, endpoint = start_moto(tmp_path_factory.mktemp("moto"), secrets_used)
    try:
        yield endpoint
    finally:
        server.stop()


def s3_client(endpoint: str, secrets_used: dict[str, str]):
    """A boto3 S3 client for moto's server, with the module's made-up keys."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=secrets_used["aws_key_id"],
        aws_secret_access_key=secrets_used["aws_secret"],
        region_name="eu-west-2",
    )


def s3_keys(endpoint: str, bucket: str, secrets_used: dict[str, str]) -> list[str]:
    pages = (
        s3_client(endpoint, secrets_used).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    )
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def azurite_command() -> list[str]:
    """`azurite-blob` from PATH, else from npm into the test cache (once); skips the tests
    that need it, saying why, when neither Node nor npm is installed."""
    found = shutil.which("azurite-blob")
    if found:
        return [found]
    folder = cache_root() / "azurite"
    script = folder / "node_modules" / ".bin" / "azurite-blob"
    if not script.exists():
        npm = shutil.which("npm")
        if not npm or not shutil.which("node"):
            pytest.skip(
                "azurite (the Azure Storage emulator) cannot be installed: Node.js and npm "
                "are not on this machine (`apt-get install nodejs npm`; .ci/run does it)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        from filelock import FileLock

        with FileLock(str(folder) + ".lock"):
            if not script.exists():
                installed = subprocess.run(
                    [
                        npm,
                        "install",
                        "--prefix",
                        str(folder),
                        "azurite@3",
                        "--no-audit",
                        "--no-fund",
                        "--loglevel=error",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                if installed.returncode != 0:
                    pytest.skip(
                        "azurite (the Azure Storage emulator) cannot be installed: `npm install "
                        f"azurite@3` failed: {installed.stderr.strip()[-300:]}"
                    )
    return [str(script)]


@pytest.fixture(scope="module")
def azure(tmp_path_factory, secrets_used, team_env) -> Iterator[str]:
    """azurite's blob service with a random account key and the DVC container; the
    connection string."""
    command = azurite_command()
    folder = tmp_path_factory.mktemp("azurite")
    port = free_port()
    server = Server(
        "azurite",
        [
            *command,
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(folder / "data"),
            "--skipApiVersionCheck",
            "--loose",
            "--silent",
        ],
        folder / "azurite.log",
        env={**os.environ, "AZURITE_ACCOUNTS": f"{AZURE_ACCOUNT}:{secrets_used['azure_key']}"},
    )
    try:
        server.wait_for(f"http://127.0.0.1:{port}/{AZURE_ACCOUNT}?comp=list", ok=(200, 403))
        connection = (
            "DefaultEndpointsProtocol=http;"
            f"AccountName={AZURE_ACCOUNT};AccountKey={secrets_used['azure_key']};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{AZURE_ACCOUNT};"
        )
        # As `az storage container create` would (DVC does not create containers); the
        # client comes with dvc-azure in the team extra.
        team_env.python_run(
            "-c",
            "import sys; from azure.storage.blob import BlobServiceClient; "
            "BlobServiceClient.from_connection_string(sys.argv[1]).create_container(sys.argv[2])",
            connection,
            CONTAINER,
        )
        yield connection
    finally:
        server.stop()


def start_mlflow_server(
    folder: Path, s3_endpoint: str, secrets_used: dict[str, str]
) -> tuple[Server, str]:
    """`mlflow server --app-name basic-auth`, artifacts proxied to the S3 bucket; the URI.

    Everyone authenticated may edit (a team's server: the admin can narrow it per experiment).
    """
    folder.mkdir(parents=True, exist_ok=True)
    auth_ini = folder / "basic_auth.ini"
    auth_ini.write_text(
        "[mlflow]\n"
        "default_permission = EDIT\n"
        f"database_uri = sqlite:///{folder / 'auth.db'}\n"
        "admin_username = admin\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
        encoding="utf-8",
    )
    port = free_port()
    server = Server(
        "mlflow server",
        [
            str(BIN / "mlflow"),
            "server",
            "--app-name",
            "basic-auth",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--artifacts-destination",
            f"s3://{ARTIFACT_BUCKET}/artifacts",
        ],
        folder / "mlflow-server.log",
        cwd=folder,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))},
            "MLFLOW_AUTH_CONFIG_PATH": str(auth_ini),
            "MLFLOW_AUTH_ADMIN_PASSWORD": secrets_used["admin"],
            "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets_used["flask"],
            "MLFLOW_S3_ENDPOINT_URL": s3_endpoint,
            "AWS_ACCESS_KEY_ID": secrets_used["aws_key_id"],
            "AWS_SECRET_ACCESS_KEY": secrets_used["aws_secret"],
            "AWS_DEFAULT_REGION": "eu-west-2",
            "MLFLOW_DISABLE_TELEMETRY": "true",
        },
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        server.wait_for(f"{uri}/health")
    except RuntimeError:
        server.stop()
        raise
    return server, uri


def add_users(uri: str, secrets_used: dict[str, str]) -> None:
    """alice and bob, as the server's admin adds team members."""
    for user in ("alice", "bob"):
        api(
            uri,
            "/api/2.0/mlflow/users/create",
            ("admin", secrets_used["admin"]),
            {"username": user, "password": secrets_used[user]},
        )


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory, s3, secrets_used) -> Iterator[str]:
    """The team's tracking server with two users, alice and bob; its URI."""
    server, uri = start_mlflow_server(tmp_path_factory.mktemp("mlflow"), s3, secrets_used)
    try:
        add_users(uri, secrets_used)
        yield uri
    finally:
        server.stop()


# --- the team's repository -------------------------------------------------------------------


@pytest.fixture(scope="module")
def team_env(bake_shared, tmp_path_factory) -> ProjectEnv:
    """The default bake installed with the `team` extra (dvc-s3, dvc-azure, submitit)."""
    project = bake_shared()
    stack = build_stack(stack_requirements(project, ("team",)), declared_python(project))
    return install_project(project, stack, tmp_path_factory.mktemp("team-venv"))


def make_team_repository(env: ProjectEnv, mlflow_uri: str, s3_endpoint: str) -> Path:
    """Turn the baked project in `env` into the team's repository as its lead would commit
    it: the shared tracking server in conf/tracking/team.yaml and selected in conf/config.yaml,
    params.yaml composed from it, both DVC remotes in .dvc/config (S3 the default), no
    credential anywhere. Returns a bare clone, which members clone and push to."""
    path = env.project
    if not (path / ".git").exists():
        env.run("git", "init", "--quiet", "--initial-branch=main")
    team_yaml = path / "conf" / "tracking" / "team.yaml"
    text = team_yaml.read_text(encoding="utf-8")
    assert "uri: https://mlflow.example.org" in text
    team_yaml.write_text(text.replace("https://mlflow.example.org", mlflow_uri), "utf-8")
    config = path / "conf" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  - tracking: default" in text
    config.write_text(text.replace("  - tracking: default", "  - tracking: team"), "utf-8")
    env.python_run("-m", f"{PACKAGE}.pipeline", "compose", "train.cv_folds=0")
    env.run("dvc", "remote", "add", "--default", "s3", f"s3://{DATA_BUCKET}/sepsis")
    env.run("dvc", "remote", "modify", "s3", "endpointurl", s3_endpoint)
    env.run("dvc", "remote", "modify", "s3", "region", "eu-west-2")
    env.run("dvc", "remote", "add", "azure", f"azure://{CONTAINER}/sepsis")
    env.run("git", "add", "--all")
    env.run("git", "commit", "--quiet", "--no-verify", "-m", "Team servers")
    bare = path.with_name("origin.git")
    env.run("git", "clone", "--quiet", "--bare", path, bare)
    return bare


@pytest.fixture(scope="module")
def origin(team_env, mlflow_server, s3, tmp_path_factory) -> Path:
    """The team's repository (a bare git repository), made once for the module."""
    path = tmp_path_factory.mktemp("team") / "origin"
    shutil.copytree(team_env.project, path, symlinks=True)
    return make_team_repository(
        ProjectEnv(path, team_env.prefix, team_env.stack), mlflow_server, s3
    )


@dataclass
class Member(ProjectEnv):
    """A clone with the team's environment; `as_user` adds the member's MLflow credentials."""

    credentials: dict[str, str] = field(default_factory=dict)

    def as_user(self, *args: str | Path, **kwargs):
        return self.run(*args, env={**self.env, **self.credentials}, **kwargs)


def member(
    origin: Path,
    team_env: ProjectEnv,
    folder: Path,
    user: str,
    secrets_used: dict[str, str],
    azure: str | None = None,
    branch: str = "main",
) -> Member:
    """A team member's clone: MLflow credentials in the environment, storage credentials in
    .dvc/config.local (git-ignored), as docs/team.md says."""
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", branch, str(origin), str(folder)],
        check=True,
        capture_output=True,
    )
    env = Member(
        folder,
        team_env.prefix,
        team_env.stack,
        {"MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": secrets_used[user]},
    )
    env.run("dvc", "remote", "modify", "--local", "s3", "access_key_id", secrets_used["aws_key_id"])
    env.run(
        "dvc", "remote", "modify", "--local", "s3", "secret_access_key", secrets_used["aws_secret"]
    )
    if azure is not None:
        env.run("dvc", "remote", "modify", "--local", "azure", "connection_string", azure)
    return env


# The sweep tests check the sweep's bookkeeping, not the model: the quickest runs will do.
QUICK = ["train.cv_folds=0", "evaluate.importance.enabled=false", "tracking.log_model=false"]

READ_RUNS = """
import json, sys
from mlflow import MlflowClient
client = MlflowClient(sys.argv[1])
experiments = [e.experiment_id for e in client.search_experiments()]
runs = []
for run in client.search_runs(experiments, order_by=["start_time ASC"]):
    runs.append({
        "run_id": run.info.run_id, "name": run.info.run_name, "status": run.info.status,
        "artifact_uri": run.info.artifact_uri, "user": run.info.user_id,
        "experiment": client.get_experiment(run.info.experiment_id).name,
        "tags": run.data.tags, "params": run.data.params, "metrics": run.data.metrics,
        "artifacts": [a.path for a in client.list_artifacts(run.info.run_id)],
    })
print(json.dumps(runs))
"""


def server_runs(env: Member, uri: str, **filters: str) -> list[dict]:
    result = env.as_user(env.python, "-c", READ_RUNS, uri, timeout=180)
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    return [r for r in runs if all(r["tags"].get(k) == v for k, v in filters.items())]


# --- tests -----------------------------------------------------------------------------------


def test_two_clones_share_one_tracking_server_and_no_credential_leaks(
    origin, team_env, mlflow_server, s3, secrets_used, tmp_path
):
    alice = member(origin, team_env, tmp_path / "alice", "alice", secrets_used)
    bob = member(origin, team_env, tmp_path / "bob", "bob", secrets_used)
    outputs = {}
    for env in (alice, bob):
        result = env.as_user("dvc", "repro", timeout=600)
        outputs[env.project.name] = result.stdout + result.stderr
        record = json.loads((env.project / "metrics" / "mlflow_run.json").read_text("utf-8"))
        assert record["tracking_uri"] == mlflow_server

    runs = server_runs(alice, mlflow_server, **{"run.entry_point": "dvc"})
    by_user = {run["user"]: run for run in runs}
    assert set(by_user) == {"alice", "bob"}, runs
    for name, run in by_user.items():
        assert run["status"] == "FINISHED"
        # Proxied: the client only ever sees the server's own artifact scheme.
        assert run["artifact_uri"].startswith("mlflow-artifacts:/"), run["artifact_uri"]
        record = json.loads((tmp_path / name / "metrics" / "mlflow_run.json").read_text("utf-8"))
        assert record["run_id"] == run["run_id"]
        assert "figures" in run["artifacts"] and "metrics.json" in run["artifacts"]
    keys = s3_keys(s3, ARTIFACT_BUCKET, secrets_used)
    for run in runs:
        mine = [key for key in keys if f"/{run['run_id']}/" in key]
        assert any(key.endswith("metrics.json") for key in mine), keys
        assert any(key.startswith("artifacts/") and "figures/" in key for key in mine), mine
    assert any(key.endswith("/MLmodel") for key in keys), "the logged model is not in the bucket"

    # The report is generated from the team server's runs, with bob's credentials.
    bob.as_user("skunkworks", "report", timeout=300)

    # No credential in git (history and tree), params.yaml, metrics/, the report, any run
    # param or tag, or what the commands printed.
    places: dict[str, str] = {"runs": json.dumps(runs), **outputs}
    for env in (alice, bob):
        places[f"{env.project.name} git"] = (
            env.run("git", "log", "--all", "--patch", "--no-color").stdout
            + env.run("git", "grep", "-I", "-e", ".", "--", ".").stdout
        )
        places[f"{env.project.name} params.yaml"] = (env.project / "params.yaml").read_text()
        for folder in ("metrics", "docs"):
            for path in sorted((env.project / folder).rglob("*")):
                if path.is_file():
                    places[str(path)] = path.read_bytes().decode("utf-8", "replace")
    assert "mlflow_run.json" in " ".join(places) and "technical-report.md" in " ".join(places)
    for place, text in places.items():
        for name, secret in secrets_used.items():
            assert secret not in text, f"the {name} credential is in {place}"
    # The credentials were in the clones all along, where docs/team.md says: .dvc/config.local.
    local = (alice.project / ".dvc" / "config.local").read_text(encoding="utf-8")
    assert secrets_used["aws_secret"] in local
    ignored = alice.run("git", "check-ignore", ".dvc/config.local").stdout.strip()
    assert ignored == ".dvc/config.local"


def test_wrong_or_missing_password_is_one_clear_line(origin, team_env, secrets_used, tmp_path):
    env = member(origin, team_env, tmp_path / "mallory", "alice", secrets_used)
    wrong = {**env.env, "MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "nope"}
    missing = dict(env.env)
    for case, variables, expected in (
        ("wrong", wrong, "refused the user name and password (HTTP 401)"),
        ("missing", missing, "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"),
    ):
        result = env.python_run(
            "-m",
            f"{PACKAGE}.train",
            f"hydra.run.dir={tmp_path / case}",
            env=variables,
            check=False,
            timeout=300,
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: the MLflow tracking server at http://127.0.0.1:")
        assert expected in lines[0]
        assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def pusher(origin, team_env, secrets_used, tmp_path_factory) -> Member:
    """A member who ran the pipeline and pushed code and dvc.lock to git (branch `results`)."""
    env = member(origin, team_env, tmp_path_factory.mktemp("pusher") / "p", "alice", secrets_used)
    env.as_user("dvc", "repro", timeout=600)
    # Code and dvc.lock go to git, the data they name to the remote.
    env.run("git", "add", "dvc.lock")
    env.run("git", "commit", "--quiet", "--no-verify", "-m", "Results")
    env.run("git", "push", "--quiet", "origin", "HEAD:refs/heads/results")
    return env


@pytest.mark.parametrize("remote", ["s3", "azure"])
def test_dvc_push_and_pull_through_each_object_store_restore_identical_outputs(
    origin, team_env, pusher, secrets_used, tmp_path, request, remote
):
    # Requested here, so that only this case skips where azurite cannot be installed.
    azure = request.getfixturevalue("azure") if remote == "azure" else None
    if azure:
        pusher.run("dvc", "remote", "modify", "--local", "azure", "connection_string", azure)
    produced = {name: (pusher.project / name).read_bytes() for name in PULLED}
    pushed = pusher.run("make", "RUN=", "data-push", f"REMOTE={remote}", timeout=300)
    assert "pushed" in pushed.stdout + pushed.stderr
    fresh = member(origin, team_env, tmp_path / "fresh", "bob", secrets_used, azure, "results")
    for name in PULLED:
        assert not (fresh.project / name).exists()
    fresh.run("make", "RUN=", "data-pull", f"REMOTE={remote}", timeout=300)
    for name, content in produced.items():
        assert (fresh.project / name).read_bytes() == content, f"{name} through {remote}"
    # What was pulled is all dvc.lock names: nothing is left to reproduce, and the run
    # record points at the pusher's run on the shared server.
    status = fresh.run("dvc", "status", "--json").stdout
    assert json.loads(status) == {}, status


def test_storage_unreachable_during_push_keeps_the_cache_and_a_retry_succeeds(
    origin, team_env, s3, secrets_used, tmp_path
):
    env = member(origin, team_env, tmp_path / "offline", "alice", secrets_used)
    env.as_user("dvc", "repro", timeout=600)
    # A path of its own in the bucket: what other tests pushed is not there yet.
    env.run("dvc", "remote", "modify", "--local", "s3", "url", f"s3://{DATA_BUCKET}/offline")
    cache = env.project / ".dvc" / "cache"
    before = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert before
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env.run("dvc", "remote", "modify", "--local", "s3", "endpointurl", dead)
    failed = env.run("dvc", "push", check=False, timeout=300)
    assert failed.returncode != 0
    error = failed.stdout + failed.stderr
    assert "ERROR" in error and "Traceback" not in error, error
    assert dead.split("//")[1] in error, error  # names the endpoint it could not reach
    assert {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()} == before
    env.run("dvc", "remote", "modify", "--local", "--unset", "s3", "endpointurl")
    retried = env.run("dvc", "push", timeout=300)
    assert "pushed" in retried.stdout + retried.stderr
    assert env.run("dvc", "status", "--cloud", "--json").stdout.strip() in {"{}", ""}


def read_sqlite_runs(store: Path) -> list[dict]:
    """Runs in a stopped server's backend store, read with sqlite3."""
    with closing(sqlite3.connect(store)) as db:
        runs = []
        for run_id, status in db.execute("SELECT run_uuid, status FROM runs").fetchall():
            tags = dict(db.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,)))
            metrics = dict(
                db.execute("SELECT key, value FROM latest_metrics WHERE run_uuid = ?", (run_id,))
            )
            runs.append({"run_id": run_id, "status": status, "tags": tags, "metrics": metrics})
    return runs


def test_submitit_sweep_logs_one_parent_and_four_children(
    origin, team_env, mlflow_server, secrets_used, tmp_path
):
    env = member(origin, team_env, tmp_path / "sweeper", "alice", secrets_used)
    result = env.as_user(
        env.python,
        "-m",
        f"{PACKAGE}.train",
        "--multirun",
        "launcher=submitit_local",
        "train.seed=0,1,2,3",
        *QUICK,
        "tracking.experiment_name=team-sweep",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        timeout=900,
    )
    assert "Traceback" not in result.stderr
    # Each job ran in its own process, submitted and collected by submitit.
    assert len(list((tmp_path / "sweep" / ".submitit").glob("*/*_result.pkl"))) == 4
    runs = [run for run in server_runs(env, mlflow_server) if run["experiment"] == "team-sweep"]
    parent, children = sweep_runs(runs)
    assert len(runs) == 5 and parent["status"] == "FINISHED"
    assert sorted(run["tags"]["sweep.job"] for run in children) == ["0", "1", "2", "3"]
    assert {run["status"] for run in children} == {"FINISHED"}
    assert {run["user"] for run in runs} == {"alice"}
    assert len({run["tags"]["hydra.overrides"] for run in children}) == 4


def test_a_failed_sweep_closes_its_parent_run_as_failed(installed_shared, tmp_path):
    """A local store is enough: the callback's behaviour does not depend on the server."""
    shared = installed_shared()
    env = ProjectEnv(shared.project, shared.prefix, shared.stack)
    store = tmp_path / "mlflow.db"
    result = env.python_run(
        "-m",
        f"{PACKAGE}.train",
        "--multirun",
        *QUICK,
        "model=random_forest",
        "model.estimator.n_estimators=5,-1",  # the second job fails in scikit-learn
        f"tracking.uri=sqlite:///{store}",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        check=False,
        timeout=300,
    )
    assert result.returncode != 0
    runs = read_sqlite_runs(store)
    parent, children = sweep_runs(runs)
    assert parent["status"] == "FAILED", runs
    assert [run["status"] for run in children if run["tags"]["sweep.job"] == "0"] == ["FINISHED"]
    assert "RUNNING" not in {run["status"] for run in runs}


def start_long_sweep(
    env: ProjectEnv, uri: str, sweep_dir: Path, variables: dict[str, str]
) -> subprocess.Popen:
    """A 40-job sweep in the background: long enough to be stopped (or lose its server)
    while it runs; its jobs' metrics land in `sweep_dir`."""
    seeds = "train.seed=" + ",".join(str(seed) for seed in range(40))
    return start_sweep(
        env, f"{PACKAGE}.train", *QUICK, seeds, uri=uri, sweep_dir=sweep_dir, variables=variables
    )


def test_an_interrupted_sweep_closes_its_parent_run_as_failed(installed_shared, tmp_path):
    shared = installed_shared()
    env = ProjectEnv(shared.project, shared.prefix, shared.stack)
    store = tmp_path / "mlflow.db"
    sweep = start_long_sweep(env, f"sqlite:///{store}", tmp_path / "sweep", env.env)
    interrupt_sweep(sweep, lambda: any((tmp_path / "sweep").glob("*/metrics.json")), signal.SIGTERM)
    runs = read_sqlite_runs(store)
    parent, _ = sweep_runs(runs)
    assert parent["status"] == "FAILED", runs
    assert len(runs) < 41, "the sweep was not interrupted"


def test_tracking_server_stopped_mid_sweep_keeps_finished_jobs_and_names_the_server(
    team_env, s3, secrets_used, tmp_path
):
    """Its own server: stopping the module's would end the other tests' team."""
    server, uri = start_mlflow_server(tmp_path / "server", s3, secrets_used)
    env = ProjectEnv(team_env.project, team_env.prefix, team_env.stack)
    variables = {
        **env.env,
        "MLFLOW_TRACKING_USERNAME": "admin",
        "MLFLOW_TRACKING_PASSWORD": secrets_used["admin"],
    }
    try:
        sweep = start_long_sweep(env, uri, tmp_path / "sweep", variables)
        deadline = time.monotonic() + 300
        while len(list((tmp_path / "sweep").glob("*/metrics.json"))) < 2:
            assert sweep.poll() is None, sweep.communicate()
            assert time.monotonic() < deadline, "no sweep job finished in time"
            time.sleep(0.2)
        server.stop()
        _, stderr = sweep.communicate(timeout=300)
    finally:
        server.stop()
    assert sweep.returncode != 0
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors and all(uri in line for line in errors), stderr
    assert "unreachable" in errors[0] or "did not answer" in errors[0], errors
    runs = read_sqlite_runs(tmp_path / "server" / "mlflow.db")
    finished = [run for run in runs if run["status"] == "FINISHED" and "sweep.job" in run["tags"]]
    assert len(finished) >= 1, runs
    for run in finished:
        job = run["tags"]["sweep.job"]
        written = json.loads((tmp_path / "sweep" / job / "metrics.json").read_text("utf-8"))
        assert run["metrics"]["roc_auc"] == pytest.approx(written["roc_auc"])


def test_package_names_refused_cover_the_team_extra(team_env):
    """A package named like a module of the `team` extra (`submitit`, `s3fs`...) would shadow it
    in a team's environment: `skunkworks new` refuses those names too."""
    from skunkworks_poc.validate import STACK_MODULES

    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps(sorted(m.packages_distributions())))"
    )
    result = team_env.python_run("-c", code)
    installed = {
        name.lower()
        for name in json.loads(result.stdout)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)
    }
    assert {"dvc_s3", "dvc_azure", "submitit", "hydra_plugins"} <= installed
    missing = sorted(installed - STACK_MODULES)
    assert not missing, f"add to STACK_MODULES in src/skunkworks_poc/validate.py: {missing}"
