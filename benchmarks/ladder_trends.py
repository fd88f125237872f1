"""Which measures fall with each step of the default run's two ladders (Spearman of the ease with the step).

    python benchmarks/ladder_trends.py [--summary results/metrics/summary.tsv] [--config config/config.yaml]

Prints one Markdown row per feature × metric: the Spearman ρ on each ladder
(−1: the measure says "harder" at every step) and whether it falls at every step.
"""

from __future__ import annotations

import argparse

import yaml

from difficulty import metrics  # noqa: F401  (registers the metric types)
from difficulty.analysis import ladder_trends
from difficulty.io import read_table
from difficulty.metrics import METRICS

LADDERS = {  # easiest first
    "label noise": ["adrenal", "adrenal_noise10", "adrenal_noise20", "adrenal_noise30"],
    "synthetic": ["synthetic_sep100", "synthetic_sep050", "synthetic_sep020"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", default="results/metrics/summary.tsv")
    parser.add_argument("--config", default="config/config.yaml")
    args = parser.parse_args()
    entries = yaml.safe_load(open(args.config))["metrics"]
    direction = {name: METRICS.get(spec["type"]).higher_is_easier for name, spec in entries.items()}
    table = ladder_trends(read_table(args.summary), LADDERS, direction)
    wide = table.pivot(index=["feature", "metric"], columns="ladder", values=["spearman", "monotonic", "scores"])
    print("| feature | metric | " + " | ".join(f"{ladder}: ρ (falls at every step)" for ladder in LADDERS) + " |")
    print("|---|---|" + "---|" * len(LADDERS))
    for (feature, metric), row in wide.iterrows():
        cells = [f"{row[('spearman', lad)]:.2f} ({'yes' if row[('monotonic', lad)] else 'no'})" for lad in LADDERS]
        print(f"| {feature} | {metric} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
