"""Which degradation ladders move the trained model's AUC monotonically (issue 18), from a finished run.

A ladder is a dataset and its variants of one kind, easiest first (more label
noise, blur, coarser resolution or image noise, or fewer cases: harder). Prints
one Markdown row per ladder × model: the AUC (mean ± SD over folds) at each
step, whether it falls at every step, and whether each fall is larger than the
two steps' fold SDs combined (a fall the fold noise cannot explain); then the
same for every measure (its ease: the score, or minus it, by the metric's
direction).

    python benchmarks/degradation_ladders.py config/calibration.yaml results/calibration
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

from difficulty.analysis import ladder_trends
from difficulty.io import read_table
from difficulty.pipeline.config import resolve, upgrade

HARDER_WITH_LESS = {"fewer_cases"}  # a smaller value is the harder step


def ladders(plan) -> dict[str, list[str]]:
    """``root kind`` → the root and its variants of that kind, easiest first."""
    groups: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for name, spec in plan.datasets.items():
        if "parent" in spec:
            kind, options = plan.variant(name)
            value = options[kind]
            value = float(np.mean(value)) if isinstance(value, list) else float(value)
            groups.setdefault((spec["parent"], kind), []).append((-value if kind in HARDER_WITH_LESS else value, name))
    return {f"{parent} {kind}": [parent] + [n for _, n in sorted(steps)] for (parent, kind), steps in groups.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("results", type=Path)
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text())
    upgrade(config)
    plan = resolve(config)
    models = read_table(args.results / "models" / "summary.tsv").set_index(["dataset", "model"])
    found = ladders(plan)
    print("| ladder | model | AUC at each step (mean ± SD over folds) | falls at every step | each fall > its SDs |")
    print("|---|---|---|---|---|")
    for ladder, steps in sorted(found.items()):
        for model in sorted(models.index.get_level_values("model").unique()):
            if not all((d, model) in models.index for d in steps):
                continue
            rows = models.loc[[(d, model) for d in steps]]
            mean, sd = rows["auc_mean"].to_numpy(), rows["auc_sd"].fillna(0).to_numpy()
            falls = np.diff(mean)
            cells = ", ".join(f"{m:.3f} ± {s:.3f}" for m, s in zip(mean, sd))
            clear = np.all(-falls > np.hypot(sd[:-1], sd[1:]))
            print(
                f"| {ladder} | {model} | {cells} | {'yes' if np.all(falls < 0) else 'no'} | "
                f"{'yes' if clear else 'no'} |"
            )
    summary = read_table(args.results / "metrics" / "summary.tsv")
    trends = ladder_trends(summary, found)
    print()
    print("| ladder | measures that fall at every step |")
    print("|---|---|")
    for ladder, group in trends.groupby("ladder"):
        falling = group[group["monotonic"]]
        print(f"| {ladder} | {', '.join(f'{f}.{m}' for f, m in zip(falling['feature'], falling['metric'])) or '—'} |")


if __name__ == "__main__":
    main()
