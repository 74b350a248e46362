"""The NHS AI Lab Skunkworks proof-of-concept toolkit: the template and the standard's machinery.

The version is written once, as `__toolkit_version` in the template's cookiecutter.json (see
pyproject.toml); the installed package's metadata carries it here.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("skunkworks-poc")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
