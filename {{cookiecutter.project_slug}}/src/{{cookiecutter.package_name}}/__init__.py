{{ (cookiecutter.project_name ~ ": " ~ cookiecutter.description) | python_string }}

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version({{ cookiecutter.project_slug | quoted }})
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
