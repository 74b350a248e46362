"""The pipeline's interactive plots, offline: `make plots` (python -m {{ cookiecutter.package_name }}.plots).

`dvc plots show` alone writes dvc_plots/index.html with vega, vega-lite and vega-embed loaded
from a CDN: the page is blank on a machine without internet, and opening it sends a request to
a third party. This writes an HTML template with those libraries inlined, taken from the
installed `vl-convert-python` package (it bundles them; nothing is downloaded), and runs
`dvc plots show --html-template` with it. Extra arguments go to `dvc plots show`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from {{ cookiecutter.package_name }}.errors import PipelineError, reported
from {{ cookiecutter.package_name }}.paths import project_root

TEMPLATE = ".dvc/tmp/plots-offline.html"  # in DVC's own git-ignored folder
OUTPUT = "dvc_plots"
# vega-embed's menu would offer "Open in Vega Editor", which posts the data to a public site.
SNIPPET = """
window.vegaEmbed = function (element, spec, options) {
  return vegaEmbed(element, spec, Object.assign(
    {actions: {export: true, source: true, compiled: false, editor: false}}, options || {}));
};
"""
PAGE = """<!DOCTYPE html>
<!-- VERSION -->
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>DVC plots</title>
  <script type="text/javascript">
(function () {
BUNDLE
})();
  </script>
  <style>
    table { border-spacing: 15px; }
  </style>
</head>
<body>
  {plot_divs}
</body>
</html>
"""


def _version() -> str:
    from importlib import metadata

    try:
        return f"vl-convert-python {metadata.version('vl-convert-python')}"
    except metadata.PackageNotFoundError:
        raise PipelineError(
            "vl-convert-python is not installed (it bundles the charting libraries): run "
            "`make setup`"
        ) from None


def template_html() -> str:
    """The page DVC fills with its plots: its only script is the inlined libraries."""
    import vl_convert

    bundle = vl_convert.javascript_bundle(SNIPPET)
    # An inline script ends at the first "</script", wherever it is.
    bundle = bundle.replace("</script", "<\\/script")
    clashes = [name for name in ("{plot_divs}", "{scripts}", "{refresh_tag}") if name in bundle]
    if clashes:  # DVC would replace them inside the libraries' code
        raise PipelineError(f"the bundled libraries contain DVC's placeholder {clashes[0]}")
    return PAGE.replace("VERSION", _version()).replace("BUNDLE", bundle)


def write_template() -> str:
    """The template, made once per version of the libraries (bundling takes seconds)."""
    path = project_root() / TEMPLATE
    marker = PAGE.splitlines()[1].replace("VERSION", _version())
    if path.is_file() and path.read_text(encoding="utf-8").splitlines()[1:2] == [marker]:
        return str(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template_html(), encoding="utf-8")
    return str(path)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    with reported():
        template = write_template()
    command = [sys.executable, "-m", "dvc", "plots", "show", "--html-template", template]
    if not any(arg in {"-o", "--out"} or arg.startswith("--out=") for arg in args):
        command += ["--out", str(project_root() / OUTPUT)]
    sys.exit(subprocess.call([*command, *args], cwd=project_root()))


if __name__ == "__main__":
    main()
