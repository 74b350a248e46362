"""The third-party licence inventory (`make licences`)."""

from importlib import metadata

from {{ cookiecutter.package_name }} import licences


def fake_distribution(tmp_path, **fields):
    """A real distribution read from a METADATA file, with the fields given."""
    folder = tmp_path / "example-1.0.dist-info"
    folder.mkdir()
    lines = ["Metadata-Version: 2.4", "Name: example", "Version: 1.0"]
    for field, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            lines.append(f"{field.replace('_', '-')}: {value}")
    (folder / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return metadata.PathDistribution(folder)


def test_licence_prefers_the_spdx_expression(tmp_path):
    distribution = fake_distribution(
        tmp_path,
        License_Expression="BSD-3-Clause",
        License="BSD",
        Classifier="License :: OSI Approved :: BSD License",
    )
    assert licences.licence_of(distribution) == "BSD-3-Clause"


def test_licence_falls_back_to_classifiers_when_the_field_holds_a_whole_text(tmp_path):
    distribution = fake_distribution(
        tmp_path,
        License="Copyright (c) someone. " + "Permission is hereby granted... " * 5,
        Classifier=["License :: OSI Approved :: MIT License", "Programming Language :: Python"],
    )
    assert licences.licence_of(distribution) == "MIT License"


def test_licence_says_so_when_nothing_is_declared(tmp_path):
    assert "not declared" in licences.licence_of(fake_distribution(tmp_path, License="UNKNOWN"))


def test_dependencies_walk_the_installed_requirement_tree():
    packages = {
        package.name.lower(): package for package in licences.dependencies(licences.PROJECT)
    }
    assert licences.PROJECT not in packages
    # Direct dependencies and at least one dependency of a dependency (Hydra needs OmegaConf).
    for name in ("hydra-core", "pandas", "scikit-learn", "omegaconf"):
        assert name in packages, name
        assert packages[name].version == metadata.version(name)
        assert packages[name].licence


def test_the_dev_extra_adds_the_dev_tools():
    runtime = {package.name.lower() for package in licences.dependencies(licences.PROJECT)}
    with_dev = {
        package.name.lower() for package in licences.dependencies(licences.PROJECT, ["dev"])
    }
    assert "pytest" not in runtime
    assert {"pytest", "ruff"} <= with_dev
    assert runtime < with_dev


def test_main_writes_a_markdown_table(tmp_path, capsys):
    output = tmp_path / "docs" / "third-party-licences.md"
    assert licences.main(["--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(licences.dependencies(licences.PROJECT))
    assert any(row.startswith("| [pandas](") for row in rows)
    assert f"{output}: {len(rows)} packages" in capsys.readouterr().out
