"""Finish the bake inside the new project: drop the config groups the flavour left empty, and
optionally make a git repository.

Runs offline and is safe to run twice (cruft re-runs hooks in temporary folders).
"""

import shutil
import subprocess
import sys
from pathlib import Path


def git_init(project_dir):
    """Make the project a git repository on `main` with every file staged."""
    if shutil.which("git") is None:
        return "git was not found: the project was created without a git repository"
    project_dir = Path(project_dir)
    if not (project_dir / ".git").exists():
        subprocess.run(
            ["git", "init", "--quiet", "--initial-branch=main"], cwd=project_dir, check=True
        )
    subprocess.run(["git", "add", "--all"], cwd=project_dir, check=True)
    return None


def remove_empty_config_groups(project_dir):
    """Drop `conf/` folders whose every file the task flavour left out (e.g. `conf/model/` of
    a data discovery): cookiecutter skips a file with an empty name but not a folder."""
    conf = Path(project_dir) / "conf"
    if conf.is_dir():
        for group in sorted(conf.iterdir()):
            if group.is_dir() and not any(group.iterdir()):
                group.rmdir()


def main(wants_git, project_dir="."):
    remove_empty_config_groups(project_dir)
    if wants_git:
        warning = git_init(project_dir)
        if warning:
            print(f"WARNING: {warning}", file=sys.stderr)


if __name__ == "__main__":
    main({{cookiecutter.git_init}})
