"""The toolkit a baked project depends on: one version, pinned compatibly, locked to PyPI.

A baked project declares `skunkworks-poc~=X.Y.Z` (the version that baked it) and its shipped
`uv.lock` resolves that release from PyPI like any other dependency: no path, no git source.
The tests install the toolkit from a wheel built from this checkout instead (harness).
"""

from __future__ import annotations

import re
import tarfile
import tomllib
import zipfile

import jinja2
import pytest
import yaml

import skunkworks_poc
from harness import REPO, toolkit_wheel
from tasks import (
    build_distributions,
    lock_template_name,
    lock_with_local_toolkit,
    lock_with_published_toolkit,
)

TEMPLATE = REPO / "{{cookiecutter.project_slug}}"
MIN_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def shipped_lock(min_python: str) -> str:
    """The lock a default bake writes (rendering it as cookiecutter would, without baking)."""
    template = (TEMPLATE / lock_template_name(min_python)).read_text(encoding="utf-8")
    return jinja2.Template(template, keep_trailing_newline=True).render(
        cookiecutter={"project_slug": "sepsis-early-warning"}
    )


def test_one_version_for_the_package_and_the_template(bake_shared):
    project = bake_shared()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = f"skunkworks-poc~={skunkworks_poc.__version__}"
    assert wanted in pyproject["dependency-groups"]["dev"]
    assert wanted in pyproject["project"]["optional-dependencies"]["dev"]
    # The runtime dependencies do not need the toolkit: the PoC runs without it.
    assert not any(d.startswith("skunkworks-poc") for d in pyproject["project"]["dependencies"])
    # Nothing but the package index resolves it.
    assert "sources" not in pyproject.get("tool", {}).get("uv", {})


@pytest.mark.parametrize("min_python", MIN_PYTHONS)
def test_shipped_lock_resolves_the_toolkit_release_from_pypi(min_python):
    text = shipped_lock(min_python)
    lock = tomllib.loads(text)
    [toolkit] = [p for p in lock["package"] if p["name"] == "skunkworks-poc"]
    assert toolkit["version"] == skunkworks_poc.__version__
    assert toolkit["source"] == {"registry": "https://pypi.org/simple"}
    [wheel] = toolkit["wheels"]
    assert wheel["url"] == (
        "https://files.pythonhosted.org/packages/py3/s/skunkworks-poc/"
        f"skunkworks_poc-{skunkworks_poc.__version__}-py3-none-any.whl"
    )
    # No path from the machine that locked it, anywhere in the lock.
    assert not re.search(r"(registry|path) = \"/", text)
    assert "/tmp/" not in text


def test_local_and_published_forms_of_the_lock_round_trip(tmp_path):
    text = shipped_lock("3.11")
    wheel = tmp_path / f"skunkworks_poc-{skunkworks_poc.__version__}-py3-none-any.whl"
    local = lock_with_local_toolkit(text, wheel)
    assert f'path = "{wheel.as_posix()}"' in local
    assert lock_with_published_toolkit(local) == text
    with pytest.raises(ValueError, match="expected one skunkworks-poc package"):
        lock_with_local_toolkit(text.replace('name = "skunkworks-poc"', 'name = "other"'), wheel)


def test_wheel_built_from_the_checkout_carries_the_template_and_its_version():
    wheel = toolkit_wheel()
    assert wheel.name == f"skunkworks_poc-{skunkworks_poc.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(
            f"skunkworks_poc-{skunkworks_poc.__version__}.dist-info/METADATA"
        ).decode()
    assert f"Version: {skunkworks_poc.__version__}" in metadata
    assert "skunkworks_poc/template/cookiecutter.json" in names
    template = "skunkworks_poc/template/{{cookiecutter.project_slug}}/"
    assert any(name.startswith(template) for name in names)
    assert "skunkworks_poc/cli.py" in names


def test_release_builds_an_sdist_and_wheel_that_twine_accepts(tmp_path):
    built = build_distributions(tmp_path / "dist")
    assert [path.name for path in built] == [
        f"skunkworks_poc-{skunkworks_poc.__version__}-py3-none-any.whl",
        f"skunkworks_poc-{skunkworks_poc.__version__}.tar.gz",
    ]
    with tarfile.open(built[1]) as sdist:
        names = sdist.getnames()
    # The sdist rebuilds the same wheel: template, hooks and extension included, no caches.
    root = f"skunkworks_poc-{skunkworks_poc.__version__}"
    assert f"{root}/cookiecutter.json" in names
    assert f"{root}/skunkworks_template_jinja.py" in names
    assert not [name for name in names if "/.venv/" in name or "__pycache__" in name]


def test_release_workflow_publishes_by_trusted_publishing_from_a_tag_only():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert any("tasks.py dist --tag" in step.get("run", "") for step in build["steps"])
    # Only the publishing job may mint an OIDC token, and only behind the pypi environment.
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["needs"] == "build"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "secrets." not in (REPO / ".github" / "workflows" / "release.yml").read_text("utf-8")
