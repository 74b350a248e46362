"""Write a synthetic data set with the schema of `conf/data/fake.yaml`.

    python -m {{ cookiecutter.package_name }}.data.fake --rows 1000 --seed 0 --output data/raw/fake.parquet

Rows are drawn from a multivariate normal distribution with the means and covariances of one
of the flavour's bundled reference data sets (`task.FAKE_REFERENCES`, the first by default,
another with `--reference`): class by class for a classifier, the
target drawn with the features for a regressor. So the fake data keep realistic ranges,
balance and correlations between columns, but no row belongs to a real patient. Subgroup
columns (`SUBGROUPS`: sex, age band, ethnicity, deprivation quintile) are added, drawn at
random, so that the report's fairness section is filled from the first run. The same seed and
size always give the same file. Adapt `generate` when your own data have another schema.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }} import task

# Subgroup columns and the shares their values are drawn with (`as`: re-exported).
from {{ cookiecutter.package_name }}.columns import SUBGROUPS as SUBGROUPS
from {{ cookiecutter.package_name }}.data import BUNDLED, resolve
from {{ cookiecutter.package_name }}.errors import PipelineError, reported

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Parquet: at a million rows this command takes under 5 s, against about 30 s writing CSV
# (the template's docs/benchmarks.md). A supplier's own data may be either.
DEFAULT_OUTPUT = "data/raw/fake.parquet"
DEFAULT_ROWS = 600
# The default reference data set and its target.
REFERENCE, TARGET = next(iter(task.FAKE_REFERENCES.items()))


def _normal_draws(
    members: pd.DataFrame, rows: int, rng: np.random.Generator, low: pd.Series, high: pd.Series
) -> pd.DataFrame:
    """`rows` draws with the means and covariances of `members`, within [`low`, `high`]."""
    import pandas as pd

    draws = rng.multivariate_normal(members.mean().to_numpy(), members.cov().to_numpy(), size=rows)
    # Measurements are never negative: keep each column within the observed range.
    frame = pd.DataFrame(draws, columns=members.columns)
    return frame.clip(lower=low, upper=high, axis=1)


def reference_for(data_cfg: Mapping[str, Any]) -> str:
    """The reference data set whose fake data have the schema of `data_cfg` (by its target)."""
    return next(
        (name for name, target in task.FAKE_REFERENCES.items() if target == data_cfg["target"]),
        REFERENCE,
    )


def generate(
    rows: int = DEFAULT_ROWS, seed: int = 0, reference_name: str = REFERENCE
) -> pd.DataFrame:
    """`rows` synthetic rows with the schema of `reference_name` (plus subgroup columns),
    reproducible from `seed`."""
    import numpy as np
    import pandas as pd

    if rows < 10:
        raise PipelineError(f"--rows {rows} is too few: ask for at least 10 rows")
    if reference_name not in task.FAKE_REFERENCES:
        raise PipelineError(
            f"--reference {reference_name}: use one of {', '.join(task.FAKE_REFERENCES)}"
        )
    # A flavour whose data are no table of numbers (free text) brings its own generator;
    # optional in task.py.
    own = getattr(task, "generate_fake", None)
    if own is not None:
        return own(rows, seed, reference_name)
    target_name = task.FAKE_REFERENCES[reference_name]
    reference = BUNDLED[reference_name][0]()
    rng = np.random.default_rng(seed)
    numeric = reference.select_dtypes("number")
    others = [name for name in reference.columns if name not in numeric.columns]
    if task.FAKE_BY_CLASS:
        features = numeric.drop(columns=target_name, errors="ignore")
        low, high = features.min(), features.max()
        classes = sorted(reference[target_name].unique().tolist())
        shares = reference[target_name].value_counts(normalize=True)
        labels = rng.choice(classes, size=rows, p=[shares[value] for value in classes])
        # Every class is always present, whatever the size.
        labels[: len(classes)] = classes
        rng.shuffle(labels)
        frame = pd.DataFrame(index=range(rows), columns=features.columns, dtype="float64")
        for label in classes:
            of_class = labels == label
            members = features[reference[target_name] == label]
            frame.loc[of_class, :] = _normal_draws(
                members, int(of_class.sum()), rng, low, high
            ).to_numpy()
        frame[target_name] = pd.Series(labels).astype(reference[target_name].dtype)
    else:
        frame = _normal_draws(numeric, rows, rng, numeric.min(), numeric.max())
    frame = frame.round(6)
    for name in others:
        if name == target_name:
            continue
        shares = reference[name].value_counts(normalize=True).sort_index()
        frame[name] = rng.choice(shares.index.to_numpy(), size=rows, p=shares.to_numpy())
    for name, shares in SUBGROUPS.items():
        if name not in frame.columns:
            frame[name] = rng.choice(list(shares), size=rows, p=list(shares.values()))
    frame = frame[[*reference.columns, *(name for name in SUBGROUPS if name not in reference)]]
    # Whole-number columns of the reference stay whole numbers.
    for name in numeric.columns:
        if name in frame.columns and str(reference[name].dtype).startswith("int"):
            frame[name] = frame[name].round().astype(reference[name].dtype)
    return frame


def write(frame: pd.DataFrame, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() in {".parquet", ".pq"}:
        frame.to_parquet(output, index=False)
    elif output.suffix.lower() == ".csv":
        frame.to_csv(output, index=False)
    else:
        raise PipelineError(f"--output {output}: use a .csv or .parquet file name")
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}.data.fake",
        description="Write synthetic data with the schema of conf/data/fake.yaml.",
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="number of rows")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--reference",
        default=REFERENCE,
        help=f"bundled data set to imitate, one of {', '.join(task.FAKE_REFERENCES)} "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        default=DEFAULT_OUTPUT,
        help="CSV or Parquet file, relative to the project root (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    with reported():
        output = write(generate(args.rows, args.seed, args.reference), resolve(args.output))
    print(f"wrote {args.rows} fake rows to {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
