"""This repository's own promises: CI runs the README's command; its workflows are sound."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness import REPO

BIN = Path(sys.executable).parent


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_quick_start_has_exactly_two_commands():
    assert _quick_start_commands() == ["python3 tasks.py demo", "python3 tasks.py test"]


def test_ci_runs_the_readme_test_command():
    ci_lines = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _quick_start_commands()[1] in ci_lines
    workflow = (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert f"run: {_quick_start_commands()[1]}" in workflow


def test_own_workflows_pass_schema_and_zizmor():
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            str(REPO / ".github" / "dependabot.yml"),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--strict-collection", *workflows],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_template_path_is_a_valid_windows_file_name():
    """Suppliers on Windows must be able to clone the template (no `"` in Jinja file names)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert listed
    assert [name for name in listed if re.search(r'[<>:"|?*\\]', name)] == []


@pytest.mark.slow  # two xdist workers start: about 5 s
def test_xdist_groups_keep_their_tests_on_one_worker(tmp_path):
    """`tasks.py test` runs `--dist loadgroup` so that a module's servers or fixtures are built
    once (tests/test_team.py, test_report.py...). pytest 9.2 with pytest-xdist 3.8 ignores the
    `xdist_group` mark without a word (pytest-dev/pytest-xdist#1386): the suite must not."""
    (tmp_path / "test_grouped.py").write_text(
        "import pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('case', range(6))\n"
        "def test_case(case):\n"
        "    pass\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "test_grouped.py"]
    result = subprocess.run(
        [*command, "-n", "2", "--dist", "loadgroup"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"\[(gw\d+)\] .*PASSED", result.stdout)
    assert len(passed) == 6 and len(set(passed)) == 1, result.stdout
