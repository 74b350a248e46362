"""Pre-commit hooks that keep patient data and data files out of git.

Each hook is a console script declared in `pyproject.toml` and run by the `repo: local`
hooks of `.pre-commit-config.yaml`, so it works offline from the project's own environment.
"""
