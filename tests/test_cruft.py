"""A project baked with cruft records its template and takes template updates.

The template is copied into a temporary git repository (cruft only creates from git),
baked, then changed and committed, as a template release would be.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import skunkworks_poc
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


# The last template whose projects carried the standard's machinery (report engine, guards,
# licences, docs hook) in their own package, before it moved into the toolkit (0.2.0).
LAYOUT_BEFORE_TOOLKIT = "2badc31d9a14f29c2987aabf3763ce10a842a1cb"
MACHINERY = [
    "report.py",
    "report_data.py",
    "report_figures.py",
    "report_blocks.py",
    "report_pdf.py",
    "report_escape.py",
    "docs_site.py",
    "licences.py",
    "plots.py",
    "checks/__init__.py",
    "checks/nhs_numbers.py",
    "checks/data_files.py",
    "checks/env_files.py",
]


def _replace_tree(repo: Path, files: dict[str, bytes]) -> None:
    for path in sorted(repo.rglob("*"), reverse=True):
        if ".git" in path.relative_to(repo).parts:
            continue
        path.unlink() if path.is_file() else path.rmdir()
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(content)


def _files_at(commit: str) -> dict[str, bytes]:
    listed = _run("git", "ls-tree", "-r", "-z", "--name-only", commit, cwd=REPO, check=False)
    if listed.returncode != 0:
        pytest.fail(
            f"this checkout lacks template commit {commit[:10]} (a shallow clone?): the "
            "old-to-new update test needs the history; fetch it with `git fetch --unshallow`",
            pytrace=False,
        )
    files = {}
    for name in filter(None, listed.stdout.split("\0")):
        shown = subprocess.run(
            ["git", "show", f"{commit}:{name}"], cwd=REPO, capture_output=True, check=True
        )
        files[name] = shown.stdout
    return files


@pytest.mark.slow
def test_cruft_update_from_the_old_layout_moves_to_the_toolkit_and_keeps_edits(
    template_repo, tmp_path
):
    """A project baked before the toolkit existed takes the new layout by `cruft update`:
    the machinery leaves its package, the toolkit dependency arrives, its edits stay."""
    new_layout = {
        str(p.relative_to(template_repo)): p.read_bytes()
        for p in template_repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(template_repo).parts
    }
    _replace_tree(template_repo, _files_at(LAYOUT_BEFORE_TOOLKIT))
    _commit_all(template_repo, "template 0.1 (machinery in each project)")
    out = tmp_path / "out"
    out.mkdir()
    _run(CRUFT, "create", str(template_repo), "--no-input", cwd=out)
    project = out / "sepsis-early-warning"
    package = project / "src" / "sepsis_early_warning"
    assert (package / "report.py").is_file()
    _commit_all(project, "baked from template 0.1")

    # The supplier's work: a module of their own, a tuned model, their background section.
    features = package / "features.py"
    features.write_text('"""Derived features: the supplier\'s code."""\n', encoding="utf-8")
    forest = project / "conf" / "model" / "random_forest.yaml"
    tuned = forest.read_text(encoding="utf-8").replace("n_estimators: 200", "n_estimators: 321")
    assert tuned != forest.read_text(encoding="utf-8")
    forest.write_text(tuned, encoding="utf-8")
    report = project / "docs" / "technical-report.md"
    background = "Sepsis kills 48,000 people a year in the UK (supplier's own words)."
    report.write_text(report.read_text(encoding="utf-8") + f"\n{background}\n", "utf-8")
    _commit_all(project, "supplier work")

    _replace_tree(template_repo, new_layout)
    _commit_all(template_repo, "template 0.2 (the toolkit)")
    _run(CRUFT, "update", "--skip-apply-ask", cwd=project)

    assert not list(project.rglob("*.rej")), "the update applied without conflicts"
    assert features.read_text(encoding="utf-8").startswith('"""Derived features')
    assert "n_estimators: 321" in forest.read_text(encoding="utf-8")
    assert background in report.read_text(encoding="utf-8")
    left = [name for name in MACHINERY if (package / name).exists()]
    assert not left, f"machinery still in the project after the update: {left}"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"skunkworks-poc~={skunkworks_poc.__version__}" in pyproject["dependency-groups"]["dev"]
    assert "scripts" not in pyproject["project"] or not any(
        "checks" in entry for entry in pyproject["project"]["scripts"].values()
    )
    assert "skunkworks" in (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert _run(CRUFT, "check", cwd=project).returncode == 0
