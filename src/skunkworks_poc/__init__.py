"""The NHS AI Lab Skunkworks proof-of-concept toolkit: the template and the standard's machinery.

The version is written once, as `__toolkit_version` in the template's cookiecutter.json (see
pyproject.toml); the installed package's metadata carries it here. It is read on first use:
importing importlib.metadata costs more than the rest of `skunkworks --help`.
"""


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("skunkworks-poc")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
