"""`skunkworks plots`: the pipeline's interactive plots, offline (`make plots` in a project).

`dvc plots show` alone writes dvc_plots/index.html with vega, vega-lite and vega-embed loaded
from a CDN: the page is blank on a machine without internet, and opening it sends a request to
a third party. This writes an HTML template with those libraries inlined, taken from the
`vl-convert-python` package installed in the project's environment (it bundles them; nothing
is downloaded), and runs `dvc plots show --html-template` with it in the project's folder.
Extra arguments go to `dvc plots show`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from skunkworks_poc._commands import ProjectError, project_root

TEMPLATE = Path(".dvc") / "tmp" / "plots-offline.html"  # in DVC's own git-ignored folder
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
# DVC fills these in the template; inside the libraries' code they would be replaced too.
DVC_PLACEHOLDERS = ("{plot_divs}", "{scripts}", "{refresh_tag}")


def _version() -> str:
    try:
        return f"vl-convert-python {metadata.version('vl-convert-python')}"
    except metadata.PackageNotFoundError:
        raise ProjectError(
            "vl-convert-python is not installed in this environment (it bundles the charting "
            "libraries the page inlines): add it to the project's dev dependencies and run "
            "`make setup`"
        ) from None


def template_html() -> str:
    """The page DVC fills with its plots: its only script is the inlined libraries."""
    version = _version()
    import vl_convert

    bundle = vl_convert.javascript_bundle(SNIPPET)
    # An inline script ends at the first "</script", wherever it is.
    bundle = bundle.replace("</script", "<\\/script")
    clashes = [name for name in DVC_PLACEHOLDERS if name in bundle]
    if clashes:
        raise ProjectError(
            f"{version}: its bundled libraries contain DVC's placeholder {clashes[0]}"
        )
    return PAGE.replace("VERSION", version).replace("BUNDLE", bundle)


def write_template(root: Path) -> Path:
    """The template under `root`, made once per version of the libraries (bundling takes
    seconds): a template whose marker line names another version is made again."""
    path = root / TEMPLATE
    marker = PAGE.splitlines()[1].replace("VERSION", _version())
    try:
        if path.read_text(encoding="utf-8").splitlines()[1:2] == [marker]:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template_html(), encoding="utf-8")
    except OSError as error:
        raise ProjectError(f"{path}: cannot be written ({error.strerror})") from None
    return path


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args[:1] in (["-h"], ["--help"]):
        print("usage: skunkworks plots [DVC PLOTS SHOW ARGUMENTS...]\n")
        print((__doc__ or "").split("\n\n", 1)[1].strip())
        return 0
    try:
        root = project_root()
        if not (root / "dvc.yaml").is_file():
            raise ProjectError(f"{root / 'dvc.yaml'}: not found; the plots are the pipeline's")
        if importlib.util.find_spec("dvc") is None:
            raise ProjectError("DVC is not installed in this environment: run `make setup`")
        template = write_template(root)
    except ProjectError as error:
        print(f"skunkworks plots: {error}", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "dvc", "plots", "show", "--html-template", str(template)]
    if not any(arg in {"-o", "--out"} or arg.startswith("--out=") for arg in args):
        command += ["--out", str(root / OUTPUT)]
    return subprocess.call([*command, *args], cwd=root)
