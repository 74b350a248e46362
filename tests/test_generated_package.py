"""The generated package reads as a proof of concept: its modules import one another in one
direction only, and none of the standard's machinery is left in it (the toolkit has it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness import TEMPLATE_ANSWERS

MACHINERY_MODULES = {
    "report",
    "report_data",
    "report_figures",
    "report_blocks",
    "report_pdf",
    "report_escape",
    "docs_site",
    "licences",
    "plots",
    "checks",
    "git_hooks",
}


def module_name(package_root: Path, file: Path) -> str:
    parts = file.relative_to(package_root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package_root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in the file, lazily or not)."""
    package = package_root.name
    modules = {module_name(package_root, f): f for f in package_root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, file in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    if file.name != "__init__.py":
                        anchor = anchor[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                if target.split(".")[0] != package:
                    continue
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each as the path that closes it."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for successor in sorted(graph[node]):
            if state.get(successor) == "open":
                found.append([*path[path.index(successor) :], successor])
            elif successor not in state:
                visit(successor, [*path, successor])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_cycle_finder_finds_a_cycle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.a"]]


@pytest.mark.parametrize("task", TEMPLATE_ANSWERS["task"])
def test_generated_package_has_no_import_cycle_and_no_machinery(bake_shared, task):
    project = bake_shared(task=task)
    [package_root] = (project / "src").iterdir()
    graph = import_graph(package_root)
    assert f"{package_root.name}.pipeline" in graph  # the graph was really read
    # Every module that depends on the flavour reaches it through task.py, and task.py
    # depends on none of them.
    assert (
        f"{package_root.name}.task"
        in graph[f"{package_root.name}.pipeline"] | graph[f"{package_root.name}.config"]
    )
    assert cycles(graph) == []
    left = {name.split(".")[1] for name in graph if "." in name} & MACHINERY_MODULES
    assert not left, f"the toolkit's machinery is back in the generated package: {left}"


# What every flavour's stages share lives once, in stages.py and config_rules.py: a flavour's
# pipeline.py or config.py that defines one of these again has copied the scaffolding back.
# (`Evaluate` is shared too, but the experiment flavour has its own section of that name.)
SHARED_DEFINITIONS = {
    "stages": {
        "compose",
        "load_params",
        "plain",
        "file_md5",
        "write_table",
        "write_json",
        "public_params_file",
        "run_tags",
        "log",
        "write_run_info",
        "main",
        "conf_dir",
        "direction",
        "hydra_job",
        "run_job",
        "hydra_main",
        "exit_now",
        "write_metrics",
        "write_plots",
    },
    "config_rules": {
        "rule",
        "has_kind",
        "shown",
        "check_sections",
        "check_primary",
        "DataProfile",
        "Tracking",
    },
}


def top_level_definitions(file: Path) -> set[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}


@pytest.mark.parametrize("task", TEMPLATE_ANSWERS["task"])
def test_stage_scaffolding_is_written_once(bake_shared, task):
    project = bake_shared(task=task)
    [package_root] = (project / "src").iterdir()
    for shared, names in SHARED_DEFINITIONS.items():
        assert names <= top_level_definitions(package_root / f"{shared}.py"), shared
    copied = {
        f"{file.relative_to(package_root)}: {name}"
        for file in package_root.rglob("*.py")
        if file.stem not in SHARED_DEFINITIONS
        for name in top_level_definitions(file)
        if name in SHARED_DEFINITIONS["config_rules"]
        or (name in SHARED_DEFINITIONS["stages"] and name != "main")
    }
    assert not copied, f"defined again outside stages.py and config_rules.py: {sorted(copied)}"
    # The flavour's command line is the shared one: `pipeline.main` hands its STAGES over.
    pipeline = (package_root / "pipeline.py").read_text(encoding="utf-8")
    assert "argparse" not in pipeline and "stages.main(STAGES, argv)" in pipeline


def _main_blocks(file: Path) -> list[ast.If]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    ]


@pytest.mark.parametrize("task", TEMPLATE_ANSWERS["task"])
def test_every_command_ends_without_the_interpreters_teardown(bake_shared, task):
    # stages.exit_now: a second per process with PyTorch, MLflow and scikit-learn loaded.
    project = bake_shared(task=task)
    [package_root] = (project / "src").iterdir()
    commands, missing = 0, []
    for file in sorted(package_root.rglob("*.py")):
        for block in _main_blocks(file):
            commands += 1
            last = block.body[-1]
            call = last.value if isinstance(last, ast.Expr) else None
            name = getattr(getattr(call, "func", None), "attr", None) or getattr(
                getattr(call, "func", None), "id", None
            )
            if name != "exit_now":
                missing.append(str(file.relative_to(package_root)))
    assert commands >= 3, "every flavour has a pipeline, a fake-data command and an entry point"
    assert not missing, f"__main__ blocks that do not end with exit_now(): {missing}"
