"""Fixture repositories for the reviewer's tests, built in the test's own folder.

`GOOD` is a small repository that is not made from the template and meets every check;
`DEFECTS` maps each check id to the one change that should make it (and no other) fail.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from harness import REPO

PROJECT = REPO / "{{cookiecutter.project_slug}}"


def _template_text(name: str) -> str:
    text = (PROJECT / name).read_text(encoding="utf-8")
    return re.sub(r"\{\{.*?\}\}", "Copyright (c) 2026 NHS England", text)


def with_check_digit(stem: str) -> str:
    """An independent Modulus 11 implementation (test numbers are built, never written)."""
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(stem)) % 11
    check = (11 - remainder) % 11
    assert check != 10, f"{stem} has no valid check digit"
    return stem + str(check)


MIT = _template_text("{% if cookiecutter.code_licence == 'MIT' %}LICENCE{% endif %}")
APACHE = _template_text("{% if cookiecutter.code_licence == 'Apache-2.0' %}LICENCE{% endif %}")
OGL = _template_text("LICENCE-OGL")
VALID_NHS_NUMBER = with_check_digit("401023213")

README = """# Ward flow forecasting

## Intended use
A proof of concept. It is not intended for deployment in a clinical setting.

## Data protection
Run under a DPIA. No data is shared in this repository.

## Background
Why the trust asked.

## Model selection
Gradient boosting won.

## Known limitations
Small sample.
"""
SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"
WORKFLOW = f"""name: CI
on: [push]
permissions: {{}}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@{SHA} # v7.0.1
      - run: pip install -e . && pytest
      - run: pre-commit run --all-files
"""
REPORT = """# Technical report
## Executive summary
## Introduction
## Data
## Methodology
## Results
## Limitations
## Conclusions
"""
DVC = """stages:
  train:
    cmd: python -m flow.train
    deps: [src/flow/train.py]
    params: [train]
    outs: [models/model.joblib]
    metrics: [metrics.json]
"""

GOOD: dict[str, str | bytes] = {
    "LICENCE": MIT,
    "LICENCE-OGL": OGL,
    "README.md": README,
    "pyproject.toml": '[project]\nname = "flow"\nlicense = "MIT"\n'
    'dependencies = ["mlflow==3.17.2"]\n',
    "uv.lock": "version = 1\n",
    "CONTRIBUTING.md": "# Contributing\n",
    "CODE_OF_CONDUCT.md": "# Code of conduct\n",
    "SECURITY.md": "# Security\nEmail security@example.org.\n",
    "CITATION.cff": "cff-version: 1.2.0\nmessage: Cite it.\ntitle: Flow\n"
    "authors:\n  - family-names: Lovelace\n",
    "CHANGELOG.md": "# Changelog\n## 0.1.0\n",
    ".gitignore": "/data/\n/input/\nmlflow.db\n/mlruns/\n",
    ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n"
    "      - id: detect-secrets\n        name: secrets\n        entry: detect-secrets-hook\n"
    "        language: unsupported\n",
    "conf/config.yaml": "train:\n  seed: 0\n",
    "dvc.yaml": DVC,
    "src/flow/__init__.py": "",
    "src/flow/train.py": "import mlflow\n\n\ndef train():\n    return 1\n",
    "src/flow/fake_data.py": "def generate(rows):\n    return []\n",
    "tests/test_train.py": "def test_train():\n    assert True\n",
    ".github/workflows/ci.yml": WORKFLOW,
    "docs/technical-report.md": REPORT,
    "docs/model-card.md": "# Model card\n",
    "docs/data-card.md": "# Data card\n",
}


def notebook(outputs: bool) -> str:
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": ["df.head()"],
        "execution_count": 3 if outputs else None,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["12 rows"]}]
        if outputs
        else [],
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# check id -> the files to change (None deletes) so that this check alone fails.
DEFECTS: dict[str, dict[str, str | bytes | None]] = {
    "L101": {"LICENCE": "All rights reserved. Do not copy.\n"},
    "L102": {"LICENCE-OGL": None},
    "L103": {"pyproject.toml": GOOD["pyproject.toml"].replace('"MIT"', '"Apache-2.0"')},
    "G101": {"README.md": README.replace("## Known limitations", "## Team")},
    "G102": {"CONTRIBUTING.md": None},
    "G103": {"CODE_OF_CONDUCT.md": None},
    "G104": {"SECURITY.md": "# Security\nTell us.\n"},
    "G105": {"CITATION.cff": "cff-version: 1.2.0\nmessage: Cite it.\ntitle: Flow\n"},
    "G106": {"CHANGELOG.md": None},
    "D101": {"input/patients.xlsx": b"PK\x03\x04" + b"\0" * 200},
    "D102": {"docs/notes.md": f"Patient {VALID_NHS_NUMBER} was seen.\n"},
    "D103": {".gitignore": "/data/\n/input/\n/mlruns/\n"},
    "D104": {"notebooks/explore.ipynb": notebook(outputs=True)},
    "D105": {".pre-commit-config.yaml": "repos: []\n"},
    "D106": {".env": "DB_PASSWORD=hunter2hunter2\n"},
    "R101": {"uv.lock": None, "requirements.txt": "pandas\nmlflow==3.17.2\n"},
    "R102": {"conf/config.yaml": None},
    "R103": {"dvc.yaml": DVC.replace("    deps: [src/flow/train.py]\n", "")},
    "R104": {
        "src/flow/train.py": "def train():\n    return 1\n",
        "pyproject.toml": '[project]\nname = "flow"\nlicense = "MIT"\n',
    },
    "R105": {"src/flow/fake_data.py": None},
    "R106": {"tests/test_train.py": "import flow\n"},
    "C101": {".github/workflows/ci.yml": WORKFLOW.replace("pip install -e . && pytest", "ls")},
    "C102": {".github/workflows/ci.yml": WORKFLOW.replace("pre-commit run --all-files", "ls")},
    "C103": {".github/workflows/ci.yml": WORKFLOW.replace(f"@{SHA}", "@v7")},
    "C104": {
        ".github/workflows/ci.yml": WORKFLOW.replace("permissions: {}\n", "").replace(
            "    permissions:\n      contents: read\n", ""
        )
    },
    "P101": {"docs/technical-report.md": None},
    "P102": {"docs/model-card.md": "# Model card\n[TO COMPLETE: the model's name]\n"},
    "P103": {"docs/model-card.md": None},
    "P104": {"docs/data-card.md": None},
}


def write_repo(root: Path, files: dict[str, str | bytes | None], git: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "add", "-A", "-f"], check=True)
    return root


def with_defect(files: dict[str, str | bytes], check_id: str) -> dict[str, str | bytes | None]:
    return {**files, **DEFECTS[check_id]}
