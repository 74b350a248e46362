"""`skunkworks review` on baked projects: a fresh bake passes every check but the advisory
count of unfilled markers, and each deliberately broken copy is caught by its own check and
by no other."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from toolkit.review_fixtures import VALID_NHS_NUMBER, notebook

from harness import combination_id
from skunkworks_poc.review import run_review
from skunkworks_poc.review.checks import ALL_CHECKS

# Every value of every option that changes the baked files, each at least once.
COVERING = [
    {"code_licence": "MIT", "min_python": "3.11", "git_init": "yes"},
    {"code_licence": "Apache-2.0", "min_python": "3.10", "git_init": "no"},
    {"code_licence": "GPL-3.0", "min_python": "3.12", "git_init": "yes"},
    {"code_licence": "MIT", "min_python": "3.13", "git_init": "no"},
    # A flavour with its own modules and lock (the others' files are checked by the rows above).
    {"task": "forecasting", "code_licence": "MIT", "min_python": "3.11", "git_init": "yes"},
]
# Skipped on a fresh bake: it has no notebooks and no environment files.
NOT_APPLICABLE = {"D104", "D106"}


@pytest.mark.parametrize("answers", COVERING, ids=combination_id)
def test_a_fresh_bake_passes_every_check_but_the_marker_count(bake_shared, answers):
    project = bake_shared(**answers)
    review = run_review(project)
    assert review.source == ("git" if answers["git_init"] == "yes" else "disk")
    found = {finding.id: finding for finding in review.findings}
    assert {i for i, f in found.items() if f.result == "fail"} == {"P102"}
    assert {i for i, f in found.items() if f.result == "skip"} == NOT_APPLICABLE
    assert review.ok  # P102 is advisory: `make review` and CI stay green
    markers = found["P102"]
    assert markers.message.startswith(f"{len(markers.evidence)} unfilled marker(s)")
    assert len(markers.evidence) > 20 and all("line" in item for item in markers.evidence)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _drop_detect_secrets(project: Path) -> None:
    config_path = project / ".pre-commit-config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for repo in config["repos"]:
        repo["hooks"] = [hook for hook in repo["hooks"] if hook["id"] != "detect-secrets"]
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    (project / ".secrets.baseline").unlink()


def _drop_ogl(project: Path) -> None:
    (project / "LICENCE-OGL").unlink()
    readme = project / "README.md"
    readme.write_text(
        re.sub(r"Open Government Licence", "documentation licence", readme.read_text("utf-8")),
        encoding="utf-8",
    )


def _strip_tests(project: Path) -> None:
    for path in (project / "tests").glob("test_*.py"):
        path.write_text("import pytest\n", encoding="utf-8")


def _write(relative: str, content: str | bytes) -> Callable[[Path], None]:
    def write(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return write


def _delete(*relative: str) -> Callable[[Path], None]:
    def delete(project: Path) -> None:
        for name in relative:
            path = project / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    return delete


def _workflow(old: str, new: str) -> Callable[[Path], None]:
    return lambda project: _edit(project / ".github/workflows/ci.yml", old, new)


CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"

# check id -> the one defect, made to a copy of the default bake (MIT, git, files staged).
DEFECTS: dict[str, Callable[[Path], None]] = {
    "L101": _write("LICENCE", "Proprietary. All rights reserved.\n"),
    "L102": _drop_ogl,
    "L103": lambda p: _edit(p / "pyproject.toml", 'license = "MIT"', 'license = "Apache-2.0"'),
    "G101": lambda p: _edit(p / "README.md", "### Known limitations", "### Notes"),
    "G102": _delete("CONTRIBUTING.md"),
    "G103": _delete("CODE_OF_CONDUCT.md"),
    "G104": _write("SECURITY.md", "# Security policy\n\nTell us about it.\n"),
    "G105": lambda p: _edit(p / "CITATION.cff", "authors:", "people:"),
    "G106": _delete("CHANGELOG.md"),
    "D101": _write("data/raw/patients.csv", "id,age\n1,40\n2,51\n3,62\n"),
    "D102": _write(
        "docs/notes.md",
        f"Seen: {VALID_NHS_NUMBER[:3]} {VALID_NHS_NUMBER[3:6]} {VALID_NHS_NUMBER[6:]}\n",
    ),
    "D103": lambda p: _edit(p / ".gitignore", "\nmlflow.db\n", "\n"),
    "D104": _write("notebooks/explore.ipynb", notebook(outputs=True)),
    "D105": _drop_detect_secrets,
    "D106": _write(".env", "MLFLOW_TRACKING_PASSWORD=s3cr3t-value-here\n"),
    "R101": _delete("uv.lock"),
    "R102": _delete("conf", "params.yaml"),
    "R103": lambda p: _edit(p / "dvc.yaml", "    deps:\n      - src/", "    needs:\n      - src/"),
    "R105": lambda p: (p / "src/sepsis_early_warning/data/fake.py").unlink(),
    "R106": _strip_tests,
    "C101": _workflow("- run: make test", "- run: make help"),
    "C102": _workflow("- run: make lint", "- run: make help"),
    "C103": _workflow(CHECKOUT, "actions/checkout@v7"),
    "C104": _workflow("permissions: {}", "permissions: write-all"),
    "P101": _delete("docs/technical-report.md"),
    "P103": _delete("docs/model-card.md"),
    "P104": _delete("docs/data-card.md"),
}
# Not in the corpus: R104 (MLflow runs through the whole package: no single defect removes
# it; its fixtures are in tests/toolkit/test_review.py) and P102 (a fresh bake fails it).


def test_the_corpus_covers_every_check_it_can():
    assert set(DEFECTS) | {"R104", "P102"} == {check.__name__ for check in ALL_CHECKS}


@pytest.mark.parametrize("check_id", sorted(DEFECTS))
def test_each_broken_copy_is_caught_by_its_own_check_only(bake_shared, tmp_path, check_id):
    copy = tmp_path / "copy"
    shutil.copytree(bake_shared(), copy, symlinks=True)
    DEFECTS[check_id](copy)
    # Staged as a supplier would, ignored files too (`git add -f`: what got past .gitignore).
    subprocess.run(["git", "-C", str(copy), "add", "--all", "--force"], check=True)
    review = run_review(copy)
    assert review.source == "git"
    failed = {finding.id for finding in review.findings if finding.result == "fail"}
    assert failed == {check_id, "P102"}


@pytest.mark.slow
# 3.10 too: repo-review 1.3 needs 3.11, so the lock gives a 3.10 project repo-review 1.2.
@pytest.mark.parametrize("min_python", ["3.11", "3.10"])
def test_make_review_in_an_installed_project_writes_the_page(bake, install, min_python):
    """`make review` from the project's own environment (the toolkit and repo-review from its
    lock): exit 0 on a fresh bake, one self-contained page, the advisory count in the log."""
    env = install(bake(min_python=min_python))
    version = env.python_run("-c", "import repo_review; print(repo_review.__version__)").stdout
    assert version.startswith("1.2." if min_python == "3.10" else "1.3.")
    result = env.run("make", "review")
    assert "FAIL P102" in result.stdout and "wrote review.html" in result.stdout
    page = (env.project / "review.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "files tracked by git" in page
    # The page is git-ignored: a review leaves nothing new to commit.
    status = env.run("git", "status", "--porcelain", "--untracked-files=all").stdout
    assert "review.html" not in status
