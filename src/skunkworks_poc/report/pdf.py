"""Print the built report page to PDF with a headless Chromium already on the machine.

    skunkworks report --pdf    # after `mkdocs build` (`make report-pdf` does both)

Nothing is downloaded: the browser is the one installed (Debian/Ubuntu: `apt-get install
chromium`), found on PATH or named by the CHROMIUM environment variable. Without one, open
`site/technical-report.html` in any browser and print it to PDF: the theme's print style
leaves out the navigation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from skunkworks_poc.report import ReportError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PAGE = "site/technical-report.html"
OUTPUT = "site/technical-report.pdf"


def find_browser() -> str:
    named = os.environ.get("CHROMIUM")
    if named:
        found = shutil.which(named)
        if not found:
            raise ReportError(f"CHROMIUM={named} is not an executable: fix or unset it")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "no Chromium or Chrome found: install one (`apt-get install chromium`) or set "
        f"CHROMIUM=/path/to/it; or open {PAGE} in a browser and print it to PDF"
    )


def print_pdf(root: Path, timeout: float = 120) -> Path:
    """`site/technical-report.pdf` from the built page; the PDF's path."""
    page = root / PAGE
    if not page.is_file():
        raise ReportError(f"{page} not found: run `make docs` first")
    output = root / OUTPUT
    output.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as profile:
        result = subprocess.run(
            [
                find_browser(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={output}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if not output.is_file():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReportError(f"the browser wrote no PDF (exit {result.returncode}: {last})")
    return output
