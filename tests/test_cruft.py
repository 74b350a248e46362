"""A project baked with cruft records its template and takes template updates.

The template is copied into a temporary git repository (cruft only creates from git),
baked, then changed and committed, as a template release would be.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import REPO, tool_env

CRUFT = str(Path(sys.executable).parent / "cruft")


def _run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, env=tool_env(), timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def _commit_all(folder: Path, message: str) -> None:
    _run("git", "add", "--all", cwd=folder)
    _run("git", "commit", "--quiet", "-m", message, cwd=folder)


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """A git copy of this template's working tree (what a release would contain)."""
    copy = tmp_path / "template"
    listed = _run(
        "git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    _run("git", "init", "--quiet", "--initial-branch=main", cwd=copy)
    _commit_all(copy, "template v1")
    return copy


@pytest.fixture
def cruft_project(template_repo, tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    _run(CRUFT, "create", str(template_repo), "--no-input", cwd=out)
    project = out / "sepsis-early-warning"
    _commit_all(project, "baked")
    return project


def test_cruft_records_the_template_and_its_commit(cruft_project, template_repo):
    state = json.loads((cruft_project / ".cruft.json").read_text(encoding="utf-8"))
    head = _run("git", "rev-parse", "HEAD", cwd=template_repo).stdout.strip()
    assert state["template"] == str(template_repo)
    assert state["commit"] == head
    assert state["context"]["cookiecutter"]["project_name"] == "Sepsis Early Warning"
    assert _run(CRUFT, "check", cwd=cruft_project).returncode == 0


def test_cruft_update_brings_template_changes_and_keeps_local_edits(cruft_project, template_repo):
    readme = template_repo / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8") + "\nA section added by template v2.\n",
        encoding="utf-8",
    )
    _commit_all(template_repo, "template v2")

    local = cruft_project / "src" / "sepsis_early_warning" / "model_notes.py"
    local.write_text('"""Supplier code the template knows nothing about."""\n', encoding="utf-8")
    _commit_all(cruft_project, "supplier work")

    assert _run(CRUFT, "check", cwd=cruft_project, check=False).returncode == 1
    _run(CRUFT, "update", "--skip-apply-ask", cwd=cruft_project)

    assert "A section added by template v2." in (cruft_project / "README.md").read_text()
    assert local.read_text() == '"""Supplier code the template knows nothing about."""\n'
    assert not list(cruft_project.rglob("*.rej")), "the update applied without conflicts"
    assert _run(CRUFT, "check", cwd=cruft_project).returncode == 0
    status = _run("git", "status", "--porcelain", cwd=cruft_project).stdout
    assert ".git/" not in status
