"""The baked repository is ready to publish: exact licences, valid citation metadata, and
offline pre-commit hooks that pass on a fresh bake and catch each seeded violation.

Licence and citation checks run on every option combination (fast: bake only). The
pre-commit runs install the project (slow marker) and work in a copy of the shared bake, with a
fresh, empty PRE_COMMIT_HOME and every network route closed.
"""

from __future__ import annotations

import codecs
import datetime
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from legal_texts import CANONICAL_SHA256, CODE_LICENCE_SPDX, canonical_form, sha256

from harness import CHOICES, cache_root, combination_id, is_installed, option_matrix

MATRIX = option_matrix()
CFF_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "citation-file-format-1.2.0.json").read_text("utf-8")
)
DEFAULTS = json.loads((Path(__file__).parents[1] / "cookiecutter.json").read_text("utf-8"))
DEFAULT_COPYRIGHT = (
    f"Crown copyright (c) {datetime.datetime.now(datetime.UTC).year} {DEFAULTS['organisation']}"
)
EVERY_HOOK = {
    "no-data-files",
    "no-nhs-numbers",
    "no-env-credentials",
    "detect-secrets",
    "check-added-large-files",
    "nbstripout",
    "check-citation",
    "ruff-check",
    "ruff-format",
    "mypy",
    "codespell",
    "end-of-file-fixer",
    "trailing-whitespace",
    "check-yaml",
    "check-toml",
    "check-github-workflows",
    "check-workflow-timeouts",
    "check-dependabot",
    "check-issue-forms",
    "check-issue-config",
    "zizmor",
}
# A fresh bake has no notebook and no `.env` file, so these hooks have nothing to check.
NO_FILES_IN_A_FRESH_BAKE = {"nbstripout", "no-env-credentials"}
HOOK_RESULT = re.compile(
    r"^.*?(?:\(no files to check\))?(?P<status>Passed|Failed|Skipped)\n- hook id: (?P<id>\S+)$",
    re.MULTILINE,
)


def with_check_digit(stem: str) -> str:
    """A valid NHS number from nine digits (Modulus 11), so no real-looking literal is needed."""
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(stem)) % 11
    return stem + str((11 - remainder) % 11)


# ---------------------------------------------------------------- licences and citation


def _check_licences_and_citation(project: Path, answers: dict[str, str], copyright_line: str):
    spdx = CODE_LICENCE_SPDX[answers.get("code_licence", "MIT")]
    text, filled_in = canonical_form((project / "LICENCE").read_text("utf-8"), spdx)
    assert sha256(text) == CANONICAL_SHA256[spdx], f"LICENCE is not the exact {spdx} text"
    if spdx == "MIT":
        assert filled_in == copyright_line
    ogl = (project / "LICENCE-OGL").read_text("utf-8")
    assert sha256(ogl) == CANONICAL_SHA256["OGL-UK-3.0"], "LICENCE-OGL is not the exact OGL v3.0"

    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["license"] == spdx
    assert set(pyproject["project"]["license-files"]) == {"LICENCE", "LICENCE-OGL"}
    citation = yaml.safe_load((project / "CITATION.cff").read_text("utf-8"))
    jsonschema.validate(citation, CFF_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert citation["license"] == spdx
    assert citation["version"] == pyproject["project"]["version"]
    return citation


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_licences_exact_and_citation_valid_for_every_combination(bake_shared, answers):
    _check_licences_and_citation(bake_shared(**answers), answers, DEFAULT_COPYRIGHT)


def test_default_bake_licence_is_mit_with_the_crown_copyright_line(bake_shared):
    project = bake_shared()
    _check_licences_and_citation(project, {}, DEFAULT_COPYRIGHT)
    assert (project / "LICENCE").read_text("utf-8").startswith("MIT License\n\nCrown copyright")


def test_unusual_answers_keep_licences_exact_and_citation_valid(bake):
    answers = {
        "project_name": 'St Mary\'s & Zoë "QA" PoC — Sepsis',
        "project_slug": "st-marys-sepsis",
        "author_name": "Plato",
        "organisation": "Zoë's Trust & Co",
        "copyright_holder": "Copyright (c) 2026 Zoë's Trust & Co",
        "code_licence": "MIT",
    }
    citation = _check_licences_and_citation(bake(**answers), answers, answers["copyright_holder"])
    assert citation["title"] == answers["project_name"]
    assert citation["authors"][0]["family-names"] == "Plato"
    assert "given-names" not in citation["authors"][0]
    assert citation["authors"][1]["name"] == answers["organisation"]


def test_citation_names_the_author_and_repository(bake_shared):
    citation = yaml.safe_load((bake_shared() / "CITATION.cff").read_text("utf-8"))
    given, family = DEFAULTS["author_name"].rsplit(" ", 1)
    author = citation["authors"][0]
    assert (author["given-names"], author["family-names"]) == (given, family)
    assert author["email"] == DEFAULTS["author_email"]
    assert citation["repository-code"].startswith(f"https://github.com/{DEFAULTS['github_owner']}/")


def test_community_files_carry_the_contact_from_the_prompts(bake_shared):
    project = bake_shared()
    email = DEFAULTS["author_email"]
    for name in ("SECURITY.md", "CODE_OF_CONDUCT.md"):
        assert email in (project / name).read_text("utf-8"), name
    assert "Contributor Covenant" in (project / "CODE_OF_CONDUCT.md").read_text("utf-8")
    changelog = (project / "CHANGELOG.md").read_text("utf-8")
    assert "Keep a Changelog" in changelog and "## [Unreleased]" in changelog
    for form in ("bug", "feature", "question"):
        assert yaml.safe_load((project / f".github/ISSUE_TEMPLATE/{form}.yml").read_text())["body"]


@pytest.mark.parametrize("answers", MATRIX, ids=combination_id)
def test_ci_tests_every_supported_python(bake_shared, answers):
    workflow = yaml.safe_load((bake_shared(**answers) / ".github/workflows/ci.yml").read_text())
    versions = workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"]
    supported = ["3.10", "3.11", "3.12", "3.13"]
    assert versions == supported[supported.index(answers["min_python"]) :]


def test_workflows_are_hardened(bake_shared):
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
    for name in ("ci.yml", "docs.yml"):
        text = (bake_shared() / ".github/workflows" / name).read_text("utf-8")
        workflow = yaml.safe_load(text)
        assert workflow["permissions"] == {}, name
        assert workflow["concurrency"]["group"], name
        for job_id, job in workflow["jobs"].items():
            assert job["timeout-minutes"] <= 30, (name, job_id)
            assert job["permissions"], (name, job_id)
            for step in job["steps"]:
                if "uses" in step:
                    assert pinned.match(step["uses"]), step["uses"]
                    if step["uses"].startswith("actions/checkout@"):
                        assert step["with"]["persist-credentials"] is False
                assert "${{" not in step.get("run", ""), (name, job_id, step)
        # Every `uses:` line carries the version it pins, for people and for Dependabot.
        for line in text.splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


# ---------------------------------------------------------------- pre-commit, offline


def offline_env(env: dict[str, str], pre_commit_home: Path) -> dict[str, str]:
    """`env` with a fresh PRE_COMMIT_HOME and every network route closed: a hook that tried
    to clone or download would fail."""
    dead_proxy = "http://127.0.0.1:9"
    return {
        **env,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "HTTP_PROXY": dead_proxy,
        "HTTPS_PROXY": dead_proxy,
        "ALL_PROXY": dead_proxy,
        "http_proxy": dead_proxy,
        "https_proxy": dead_proxy,
        "NO_PROXY": "",
        "PIP_NO_INDEX": "1",
        "UV_OFFLINE": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        # The mypy hook's cache of the stack's libraries, kept across tests (one per worker).
        "MYPY_CACHE_DIR": str(mypy_cache()),
    }


def mypy_cache() -> Path:
    return cache_root() / f"mypy-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def working_copy(project: Path, destination: Path) -> Path:
    """A copy of a baked project as a git repository with every file staged."""
    copy = destination / project.name
    shutil.copytree(project, copy, symlinks=True)
    if not (copy / ".git").exists():
        subprocess.run(["git", "init", "--quiet", "--initial-branch=main"], cwd=copy, check=True)
    subprocess.run(["git", "add", "--all"], cwd=copy, check=True)
    return copy


def run_pre_commit(env, project: Path, pre_commit_home: Path, *args: str) -> tuple[dict, str]:
    """Run pre-commit: the status (Passed, Failed, Skipped) of each hook by id, and the output."""
    result = env.run(
        "pre-commit",
        "run",
        "--verbose",
        "--color=never",
        *args,
        cwd=project,
        env=offline_env(env.env, pre_commit_home),
        check=False,
        timeout=300,
    )
    output = result.stdout + result.stderr
    statuses = {match["id"]: match["status"] for match in HOOK_RESULT.finditer(result.stdout)}
    assert set(statuses) == EVERY_HOOK, output
    failed = {hook for hook, status in statuses.items() if status == "Failed"}
    assert (result.returncode != 0) == bool(failed), output
    return statuses, output


# `git_init` decides whether the bake makes a repository, and nothing in the files (tested
# below): the checks run once per distinct tree, in a repository either way (working_copy).
DISTINCT_TREES = [answers for answers in MATRIX if answers["git_init"] == "yes"]


def _tree(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


@pytest.mark.parametrize("answers", DISTINCT_TREES, ids=combination_id)
def test_git_init_changes_nothing_but_the_repository(bake_shared, answers):
    with_git = bake_shared(**answers)
    without = bake_shared(**{**answers, "git_init": "no"})
    assert (with_git / ".git").is_dir() and not (without / ".git").exists()
    assert _tree(with_git) == _tree(without)


def pre_commit_trees() -> list[dict[str, str]]:
    """The installed trees pre-commit runs on. The licence changes text alone (LICENCE,
    CITATION.cff, lines of the README, pyproject's licence field) and the Python the code's
    settings and other lines (requires-python, hence ruff's and mypy's target; uv.lock; the
    README's badge and setup line): no hook reads one with the other (the text hooks go line by
    line; check-toml parses both fields, each alone). So the default flavour's licences are
    paired with its Pythons, each value in at least one tree, not crossed with them (4 trees,
    not 12); every other flavour runs on its installed Pythons with the default licence, as
    the option matrix makes it."""
    default_task, licences = CHOICES["task"][0], CHOICES["code_licence"]
    paired = {
        (python, licences[index % len(licences)])
        for index, python in enumerate(CHOICES["min_python"])
    }
    return [
        answers
        for answers in DISTINCT_TREES
        if is_installed(answers)
        and (
            answers["task"] != default_task
            or (answers["min_python"], answers["code_licence"]) in paired
        )
    ]


@pytest.mark.slow
@pytest.mark.parametrize("answers", pre_commit_trees(), ids=combination_id)
def test_pre_commit_passes_offline_on_a_fresh_bake(installed_shared, answers, tmp_path):
    env = installed_shared(**answers)
    project = working_copy(env.project, tmp_path)
    statuses, output = run_pre_commit(env, project, tmp_path / "pre-commit-home", "--all-files")
    not_passed = {hook for hook, status in statuses.items() if status != "Passed"}
    assert not_passed == NO_FILES_IN_A_FRESH_BAKE, output
    # Nothing was downloaded into the fresh PRE_COMMIT_HOME: no hook repository, no venv.
    assert not [p for p in (tmp_path / "pre-commit-home").iterdir() if p.is_dir()]


def _notebook_with_outputs() -> str:
    """A clean, formatted notebook in nbformat's own layout, except for its output."""
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "a1b2c3d4",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["2\n"]}],
        "source": ["print(1 + 1)"],
    }
    notebook = {
        "cells": [cell],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _png(size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + os.urandom(size - 8)


# In an issued range (England): numbers in the 999 test range are allowed by the hook.
_VALID_NHS_NUMBER = with_check_digit("401023213")
_A, _B, _C = _VALID_NHS_NUMBER[:3], _VALID_NHS_NUMBER[3:6], _VALID_NHS_NUMBER[6:]
_INVALID_NHS_NUMBER = _VALID_NHS_NUMBER[:-1] + str((int(_VALID_NHS_NUMBER[-1]) + 1) % 10)
_INJECTABLE_WORKFLOW = """\
name: Triage
on:
  issues:
    types: [opened]
permissions: {}
concurrency:
  group: triage-${{ github.event.issue.number }}
jobs:
  greet:
    name: greet
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: |
          echo "New issue: ${{ github.event.issue.title }}"
"""

_INJECTABLE_COMPOSITE_ACTION = """\
name: Greet
description: Greets the author of a new issue
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "New issue: ${{ github.event.issue.title }}"
"""
_COHORT_CSV = "nhs_number,age,sex,sepsis\n1,42,F,0\n2,57,M,1\n3,61,F,0\n"


def _zip(name: str, content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


# Each seed: (files to add, the hook ids that must fail: exactly these and no other).
SEEDS = {
    "committed-csv": ({"results/cohort.csv": "id,age\n1,42\n2,57\n"}, {"no-data-files"}),
    "notebook-with-outputs": (
        {"notebooks/explore.ipynb": _notebook_with_outputs()},
        {"nbstripout"},
    ),
    "fake-aws-key": (
        {"notes/deploy.md": "Upload with key AKIAZ7QXJ4MVRN3KPW2T for now.\n"},
        {"detect-secrets"},
    ),
    "valid-nhs-number": (
        {
            "notes/referral.md": f"Referred {_VALID_NHS_NUMBER[:3]} {_VALID_NHS_NUMBER[3:6]} "
            f"{_VALID_NHS_NUMBER[6:]} on Monday.\n"
        },
        {"no-nhs-numbers"},
    ),
    "invalid-nhs-number": (
        {"notes/referral.md": f"Reference {_INVALID_NHS_NUMBER} on Monday.\n"},
        set(),
    ),
    "six-megabyte-file": (
        {"docs/figures/montage.png": _png(6 * 1024 * 1024)},
        {"check-added-large-files"},
    ),
    "workflow-injection": ({".github/workflows/triage.yml": _INJECTABLE_WORKFLOW}, {"zizmor"}),
    # Bypasses found on day one (issue 11, items 16-18).
    "nhs-number-as-pandas-float": (
        {"notes/export.md": f"First identifier: {_VALID_NHS_NUMBER}.0 in the export.\n"},
        {"no-nhs-numbers"},
    ),
    "nhs-number-glued-to-letters": (
        {"notes/referral.md": f"Ref NHS{_VALID_NHS_NUMBER} on Monday.\n"},
        {"no-nhs-numbers"},
    ),
    "nhs-number-mixed-separators": (
        {"notes/referral.md": f"Referred {_A}.{_B}-{_C} on Monday.\n"},
        {"no-nhs-numbers"},
    ),
    "nhs-number-non-breaking-spaces": (
        {"notes/referral.md": f"Referred {_A}\u00a0{_B}\u00a0{_C} on Monday.\n"},
        {"no-nhs-numbers"},
    ),
    "nhs-number-in-utf-16": (
        # Big-endian with a byte order mark: the file still ends in one newline byte, so
        # end-of-file-fixer has nothing to say about it.
        {
            "notes/letter.txt": codecs.BOM_UTF16_BE
            + f"Referred {_A} {_B} {_C} on Monday.\n".encode("utf-16-be")
        },
        {"no-nhs-numbers"},
    ),
    "nhs-number-in-file-name": (
        {f"notes/referral-{_VALID_NHS_NUMBER}.md": "Nothing identifying in here.\n"},
        {"no-nhs-numbers"},
    ),
    "not-nhs-numbers": (
        {
            "notes/timings.md": "Started at 1732650004; call 01632 960 001 or "
            "+44 20 7946 0000 or 020 7946 0123. Test patient 999 000 0018.\n",
            "data/raw/scans.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n"
            "  size: 1175552003\n  nfiles: 2\n  hash: md5\n  path: scans\n",
        },
        set(),
    ),
    "csv-renamed-txt": ({"results/cohort.txt": _COHORT_CSV}, {"no-data-files"}),
    "csv-gz": ({"results/cohort.csv.gz": gzip.compress(_COHORT_CSV.encode())}, {"no-data-files"}),
    "zip": ({"results/cohort.zip": _zip("cohort.csv", _COHORT_CSV)}, {"no-data-files"}),
    "jsonl": ({"results/cohort.jsonl": '{"id": 1}\n{"id": 2}\n'}, {"no-data-files"}),
    "xlsb": ({"results/cohort.xlsb": _zip("xl/workbook.bin", "x")}, {"no-data-files"}),
    "sql-dump": (
        {"results/cohort.sql": "CREATE TABLE p (id int);\nINSERT INTO p VALUES (1);\n"},
        {"no-data-files"},
    ),
    "dicom-gz": (
        {"scans/ct_001.dcm.gz": gzip.compress(b"\0" * 128 + b"DICM" + b"\0" * 16)},
        {"no-data-files"},
    ),
    "env-example-with-a-password": (
        {
            ".env.example": "MLFLOW_TRACKING_URI=https://mlflow.example.org\n"
            "MLFLOW_TRACKING_PASSWORD=Wq7vT2pLx9Rk\n"
        },
        {"no-env-credentials"},
    ),
    "env-example-with-placeholders": (
        {".env.example": "MLFLOW_TRACKING_URI=\nMLFLOW_TRACKING_PASSWORD=<your password>\n"},
        set(),
    ),
    "composite-action-injection": (
        {".github/actions/greet/action.yml": _INJECTABLE_COMPOSITE_ACTION},
        {"zizmor"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_each_seeded_violation_is_caught_by_its_hook_and_no_other(installed_shared, tmp_path, seed):
    files, expected_failures = SEEDS[seed]
    env = installed_shared()
    project = working_copy(env.project, tmp_path)
    for name, content in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        # `-f`: data formats are git-ignored, and the hook must catch the forced add too.
        subprocess.run(["git", "add", "-f", name], cwd=project, check=True)
    statuses, output = run_pre_commit(env, project, tmp_path / "pre-commit-home", "--all-files")
    failed = {hook for hook, status in statuses.items() if status == "Failed"}
    assert failed == expected_failures, output


@pytest.mark.slow
def test_installed_git_hook_refuses_a_data_file_commit_and_accepts_a_clean_one(
    installed_shared, tmp_path
):
    env = installed_shared()
    project = working_copy(env.project, tmp_path)
    offline = offline_env(env.env, tmp_path / "pre-commit-home")
    # `make setup` = installing the project (needs the package index) then this command.
    recipe = env.run("make", "-n", "setup", cwd=project, env=offline).stdout
    assert "skunkworks install-hooks" in recipe
    env.run("skunkworks", "install-hooks", cwd=project, env=offline)
    assert (project / ".git" / "hooks" / "pre-commit").is_file()

    commit = env.run("git", "commit", "--quiet", "-m", "Initial commit", cwd=project, env=offline)
    assert commit.returncode == 0

    (project / "results").mkdir()
    (project / "results" / "cohort.csv").write_text("id,age\n1,42\n", encoding="utf-8")
    env.run("git", "add", "-f", "results/cohort.csv", cwd=project, env=offline)
    refused = env.run("git", "commit", "-m", "Add data", cwd=project, env=offline, check=False)
    assert refused.returncode != 0
    assert "dvc add results/cohort.csv" in refused.stdout + refused.stderr


@pytest.mark.slow
def test_installed_commit_msg_hook_refuses_an_nhs_number_in_the_message(installed_shared, tmp_path):
    env = installed_shared()
    project = working_copy(env.project, tmp_path)
    offline = offline_env(env.env, tmp_path / "pre-commit-home")
    env.run("pre-commit", "install", cwd=project, env=offline)
    assert (project / ".git" / "hooks" / "commit-msg").is_file()
    env.run("git", "commit", "--quiet", "-m", "Initial commit", cwd=project, env=offline)

    (project / "notes.md").write_text("Joined admissions to outcomes.\n", encoding="utf-8")
    env.run("git", "add", "notes.md", cwd=project, env=offline)
    message = f"Fix the join for patient {_A} {_B} {_C}"
    refused = env.run("git", "commit", "-m", message, cwd=project, env=offline, check=False)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "no NHS numbers in the commit message" in output
    assert _VALID_NHS_NUMBER not in output and f"{_A} *** ****" in output
    accepted = env.run(
        "git", "commit", "-m", "Fix the join on admissions", cwd=project, env=offline, check=False
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


@pytest.mark.slow
def test_make_licences_writes_an_inventory_that_passes_the_hooks(installed_shared, tmp_path):
    env = installed_shared()
    project = working_copy(env.project, tmp_path)
    env.run("make", "licences", "RUN=", cwd=project)
    inventory = (project / "docs" / "third-party-licences.md").read_text("utf-8")
    for package in ("hydra-core", "mlflow", "dvc", "scikit-learn", "pandas"):
        assert re.search(rf"^\| \[?{package}\]?", inventory, re.MULTILINE | re.IGNORECASE), package
    subprocess.run(["git", "add", "docs/third-party-licences.md"], cwd=project, check=True)
    statuses, output = run_pre_commit(env, project, tmp_path / "pre-commit-home", "--all-files")
    assert {hook for hook, status in statuses.items() if status == "Failed"} == set(), output
