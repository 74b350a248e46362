"""Companion tool for the NHS AI Lab Skunkworks proof-of-concept template."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("skunkworks-poc")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
