"""`skunkworks plots`: DVC's plots page with vega inlined from vl-convert-python, offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pytest

from skunkworks_poc import plots

SKUNKWORKS = Path(sys.executable).parent / "skunkworks"
SOURCE = Path(__file__).parents[2] / "src"
DVC_YAML = """\
stages:
  evaluate:
    cmd: "true"
    plots:
      - metrics/plots/roc.csv:
          x: fpr
          y: tpr
          template: simple
"""


class Resources(HTMLParser):
    """Scripts, styles and images a page would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.external.append(str(attributes["src"]))
            else:
                self.inline_scripts += 1
        if tag in {"link", "img", "iframe"}:
            for name in ("href", "src"):
                if re.match(r"(https?:)?//", attributes.get(name) or ""):
                    self.external.append(str(attributes[name]))


@pytest.fixture(scope="module")
def template() -> str:
    return plots.template_html()  # bundling takes a few seconds: once


def test_the_template_inlines_the_libraries_and_loads_nothing(template):
    page = Resources()
    page.feed(template)
    assert page.external == []
    assert page.inline_scripts == 1
    assert "cdn.jsdelivr" not in template and "unpkg.com" not in template
    # The whole bundle stays inside its script: no "</script" before the real end.
    body = template.split("<script", 1)[1]
    assert body.count("</script") == 1
    # DVC fills its placeholder once, in the body; no other placeholder of DVC's is present.
    assert template.count("{plot_divs}") == 1
    assert "{scripts}" not in template and "{refresh_tag}" not in template
    # vega-embed's "Open in Vega Editor" would post the data to a public site.
    assert "window.vegaEmbed=function" in template and "editor:false}" in template
    assert f"vl-convert-python {metadata.version('vl-convert-python')}" in template.splitlines()[1]


def test_the_template_is_made_once_per_version(tmp_path, template):
    path = plots.write_template(tmp_path)
    assert path == tmp_path / plots.TEMPLATE
    assert path.read_text(encoding="utf-8") == template
    # Made already for this version: kept as it is (bundling costs seconds).
    marker = path.read_text(encoding="utf-8").splitlines()[1]
    path.write_text(f"<!DOCTYPE html>\n{marker}\nkept\n", encoding="utf-8")
    assert plots.write_template(tmp_path).read_text(encoding="utf-8").endswith("kept\n")
    # Made for another version: made again.
    path.write_text("<!DOCTYPE html>\n<!-- vl-convert-python 0.1 -->\nstale\n", encoding="utf-8")
    assert plots.write_template(tmp_path).read_text(encoding="utf-8") == template


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "no pyproject.toml in"),
        ({"pyproject.toml": "[project]\nname = 'x'\n"}, "dvc.yaml: not found"),
        (
            {"pyproject.toml": "[project]\nname = 'x'\n", "dvc.yaml": DVC_YAML},
            "DVC is not installed in this environment",
        ),
    ],
)
def test_what_the_command_cannot_do_is_one_line(tmp_path, files, expected):
    if "dvc" in {dist.metadata["Name"] for dist in metadata.distributions()}:
        pytest.skip("DVC is installed here: the last case cannot be shown")
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "DVC_ROOT"}
    result = subprocess.run(
        [str(SKUNKWORKS), "plots"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("skunkworks plots: "), result.stderr
    assert expected in lines[0]


def test_help_names_what_it_does():
    result = subprocess.run([str(SKUNKWORKS), "plots", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: skunkworks plots")
    assert "--html-template" in result.stdout


@pytest.mark.slow
def test_dvc_draws_the_pipeline_plots_into_the_offline_page(stack, tmp_path):
    """A real `dvc plots show` through the command, in the environment a generated project
    installs (the shared stack: DVC and vl-convert-python), with the toolkit from this
    checkout."""
    project = tmp_path / "project"
    (project / "metrics" / "plots").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (project / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    (project / "metrics" / "plots" / "roc.csv").write_text(
        "fpr,tpr,threshold\n0,0,1\n0.5,0.75,0.5\n1,1,0\n", encoding="utf-8"
    )
    (project / ".dvc").mkdir()
    (project / ".dvc" / "config").write_text("[core]\n    no_scm = true\n", encoding="utf-8")
    env = {
        "PATH": f"{stack / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(SOURCE),
        "DVC_NO_ANALYTICS": "1",
    }
    result = subprocess.run(
        [str(stack / "bin" / "python"), "-m", "skunkworks_poc", "plots"],
        cwd=project / "metrics",  # from a subfolder: the project's root is found
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html = (project / "dvc_plots" / "index.html").read_text(encoding="utf-8")
    page = Resources()
    page.feed(html)
    assert page.external == []
    assert "{plot_divs}" not in html
    assert "vegaEmbed('#metrics_plots_roc_csv', spec)" in html  # DVC's call for the plot
    assert '"fpr"' in html and "0.75" in html  # the data, inlined
    assert (project / plots.TEMPLATE).is_file()
