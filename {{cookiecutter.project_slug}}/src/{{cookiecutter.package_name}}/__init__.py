{{ (cookiecutter.project_name ~ ": " ~ cookiecutter.description) | python_string }}

import os
from importlib.metadata import PackageNotFoundError, version

# Nothing leaves the machine unless someone decides it should: MLflow sends usage telemetry
# unless told not to, and every entry point of this package (train, the pipeline's stages,
# report) imports this module before MLflow. An explicit MLFLOW_DISABLE_TELEMETRY wins.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

try:
    __version__ = version({{ cookiecutter.project_slug | quoted }})
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
