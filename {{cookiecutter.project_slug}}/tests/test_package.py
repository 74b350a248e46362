from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.paths import project_root


def test_version_comes_from_installed_metadata():
    assert {{ cookiecutter.package_name }}.__version__ == "0.1.0"


def test_project_root_is_the_folder_with_pyproject():
    root = project_root()
    assert (root / "pyproject.toml").is_file()
    assert (root / "src" / {{ cookiecutter.package_name | quoted }}).is_dir()


def test_project_root_prefers_dvc_root(monkeypatch, tmp_path):
    monkeypatch.setenv("DVC_ROOT", str(tmp_path))
    assert project_root() == tmp_path.resolve()


def test_project_root_searches_upwards_from_start(monkeypatch, tmp_path):
    monkeypatch.delenv("DVC_ROOT", raising=False)
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert project_root(nested) == tmp_path.resolve()


def test_project_root_outside_a_project_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("DVC_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        project_root(Path(tmp_path.anchor))
