"""Stop the bake before any file is written if an answer breaks a prompt rule.

The rules live in the companion package's `validate.py` (one source of truth, stdlib
only); cookiecutter renders this file with the answers and the rules' location.
"""

import importlib.util
import json
import sys


def load_validator(path):
    spec = importlib.util.spec_from_file_location("skunkworks_validate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def main(answers, validator_path):
    validator = load_validator(validator_path)
    try:
        validator.validate(answers)
    except validator.InvalidAnswer as error:
        return f"ERROR: {error}"
    return None


if __name__ == "__main__":
    sys.exit(main(json.loads({{cookiecutter | tojson | tojson}}), {{validator_path() | tojson}}))
