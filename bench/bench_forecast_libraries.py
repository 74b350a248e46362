"""Compare forecasting libraries for the forecasting flavour: statsforecast, sktime, darts.

    .venv/bin/python bench/bench_forecast_libraries.py [--pythons 3.10 3.13] [--repeat 3]

For each library and Python (interpreters from pyenv, as CI has them), wall-clock seconds on
this machine:
- install into a fresh venv with `uv pip install --compile-bytecode` from an empty cache of its
  own (download included) and again into a second fresh venv from that warm cache;
- what it pulls in: distributions installed and site-packages size (MB);
- `import` time of the library's models module (median of `--repeat`, bytecode compiled);
- fit time: one seasonal model (ETS with weekly season) backtested from 5 rolling origins at
  horizon 28 on 3 daily series of 730 days, the size of the flavour's default data (median).
The pure-Python cost of the flavour's own seasonal-naive baseline needs no library at all.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from timing import machine  # noqa: E402

from harness import uv  # noqa: E402

# What to install for each: sktime's ETS, Theta and ARIMA need statsmodels, a soft dependency
# that `pip install sktime` leaves out.
LIBRARIES = {
    "statsforecast": ["statsforecast"],
    "sktime": ["sktime", "statsmodels"],
    "darts": ["darts"],
}

# What a forecasting run imports (the top-level package alone can be lazy).
IMPORTS = {
    "statsforecast": "statsforecast.models",
    "sktime": "sktime.forecasting.ets",
    "darts": "darts.models",
}

# One comparable job per library: ETS with a weekly season, 5 origins, horizon 28.
SERIES = """
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
frames = []
for site in ("A", "B", "C"):
    days = pd.date_range("2024-01-01", periods=730, freq="D")
    t = np.arange(730)
    y = 200 + 0.05 * t + 20 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 8, 730)
    frames.append(pd.DataFrame({"unique_id": site, "ds": days, "y": y}))
long = pd.concat(frames, ignore_index=True)
"""

FIT = {
    "statsforecast": SERIES
    + """
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, SeasonalNaive
sf = StatsForecast(models=[AutoETS(season_length=7), SeasonalNaive(season_length=7)], freq="D")
sf.cross_validation(df=long, h=28, n_windows=5, step_size=28)
""",
    "sktime": SERIES
    + """
from sktime.forecasting.ets import AutoETS
from sktime.forecasting.model_evaluation import evaluate
from sktime.split import ExpandingWindowSplitter
for site, frame in long.groupby("unique_id"):
    y = frame.set_index(pd.PeriodIndex(frame["ds"], freq="D"))["y"]
    cv = ExpandingWindowSplitter(fh=list(range(1, 29)), initial_window=730 - 28 * 5, step_length=28)
    # error_score="raise": by default a failed fit is a NaN score and a warning.
    evaluate(AutoETS(sp=7, auto=True), cv, y, error_score="raise")
""",
    "darts": SERIES
    + """
from darts import TimeSeries
from darts.models import ExponentialSmoothing
from darts.utils.utils import ModelMode, SeasonalityMode
for site, frame in long.groupby("unique_id"):
    series = TimeSeries.from_dataframe(frame, time_col="ds", value_cols="y")
    # darts' own ETS wraps statsmodels' Holt-Winters (its AutoETS needs statsforecast too).
    model = ExponentialSmoothing(trend=ModelMode.ADDITIVE, seasonal=SeasonalityMode.ADDITIVE,
                                 seasonal_periods=7)
    model.historical_forecasts(
        series, start=730 - 28 * 5, forecast_horizon=28, stride=28, retrain=True,
        last_points_only=False, verbose=False)
""",
}


def interpreter(version: str) -> str:
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout
    found = sorted(Path(root.strip(), "versions").glob(f"{version}.*/bin/python{version}"))
    if not found:
        raise SystemExit(f"no Python {version} under pyenv")
    return str(found[-1])


def timed(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, result


def du(path: Path) -> float:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    )


def measure(library: str, python: str, work: Path, repeat: int, fit: bool = True) -> dict:
    cache = work / "cache"
    row: dict = {"library": library, "python": python}
    for label in ("cold", "warm"):
        venv = work / f"venv-{label}"
        subprocess.run([uv(), "venv", "-q", "--python", interpreter(python), str(venv)], check=True)
        seconds, result = timed(
            [
                uv(),
                "pip",
                "install",
                "--cache-dir",
                str(cache),
                "--compile-bytecode",
                "--python",
                str(venv / "bin" / "python"),
                *LIBRARIES[library],
            ]
        )
        if result.returncode != 0:
            row["error"] = result.stderr.strip().splitlines()[-1][:200]
            return row
        row[f"install_{label}_s"] = round(seconds, 1)
    venv = work / "venv-warm"
    python_bin = str(venv / "bin" / "python")
    listing = subprocess.run(
        [uv(), "pip", "list", "--format", "json", "--python", python_bin],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    packages = {p["name"].lower(): p["version"] for p in json.loads(listing)}
    row["version"] = packages.get(library)
    row["distributions"] = len(packages)
    row["site_packages_mb"] = round(du(next(venv.glob("lib/python3.*/site-packages"))))
    row["heavy"] = sorted(
        n
        for n in packages
        if n
        in {
            "numba",
            "llvmlite",
            "statsmodels",
            "scikit-learn",
            "torch",
            "xarray",
            "matplotlib",
            "shap",
            "pyod",
            "holidays",
            "coreforecast",
            "utilsforecast",
            "scikit-base",
            "narwhals",
            "polars",
            "pytorch-lightning",
            "lightgbm",
            "xgboost",
            "prophet",
            "numpy",
            "pandas",
            "scipy",
        }
    )
    imports = []
    for _ in range(repeat):
        seconds, result = timed([python_bin, "-c", f"import {IMPORTS[library]}"])
        imports.append(seconds)
    row["import_s"] = round(statistics.median(imports), 2)
    fits = []
    for _ in range(repeat if fit else 0):
        seconds, result = timed([python_bin, "-c", FIT[library]])
        if result.returncode != 0:
            row["fit_error"] = result.stderr.strip().splitlines()[-1][:200]
            break
        fits.append(seconds)
    if fits:
        # The first fit includes numba's JIT compilation where a library uses it.
        row["fit_first_s"] = round(fits[0], 1)
        row["fit_median_s"] = round(statistics.median(fits), 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythons", nargs="+", default=["3.10", "3.13"])
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-fit", action="store_true", help="install and import only")
    args = parser.parse_args()
    print(machine(), flush=True)
    for python in args.pythons:
        for library in args.libraries:
            with tempfile.TemporaryDirectory(prefix=f"bench-{library}-") as work:
                row = measure(library, python, Path(work), args.repeat, not args.no_fit)
            print(json.dumps(row), flush=True)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
