"""Which degradation ladders move the trained model's AUC monotonically, from a finished run.

A ladder is a dataset and its variants of one kind, easiest first (more label
noise, blur, coarser resolution or image noise, or fewer cases: harder).
Model entries of the same type and options (YAML anchors:
``benchmarks/ladder_seeds.yaml``) differ only by their training seed, which
comes from the entry's name: they are pooled as repeats of one model.
Variants of one kind and value under several names are several seeded draws
of one step. Prints one Markdown row per ladder × model: the AUC at each step
(one entry: mean ± SD over its folds; repeats: mean ± standard error over
their fold means; draws: mean ± standard error over the draws), whether it
falls at every step, and whether each fall is larger than the two steps'
uncertainties combined (a fall the noise cannot explain); then, where the run
has measures, the same for every measure (its ease: the score, or minus it,
by the metric's direction).

    python benchmarks/degradation_ladders.py config/calibration.yaml results/calibration
    python benchmarks/degradation_ladders.py benchmarks/ladder_seeds.yaml results/ladder_seeds
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from difficulty.analysis import ladder_trends
from difficulty.io import read_table
from difficulty.pipeline.config import resolve
from difficulty.prediction.points import canonical_options

HARDER_WITH_LESS = {"fewer_cases"}  # a smaller value is the harder step


def ladders(plan) -> dict[str, list[list[str]]]:
    """``root kind`` → its steps, easiest first: the root, then the variants of that kind by value. Variants of
    one value (several names: several seeded draws, as the variant's seed comes from its name) form one step."""
    groups: dict[tuple[str, str], dict[float, list[str]]] = {}
    for name, entry in plan.datasets.items():
        if entry.parent is not None:
            kind = entry.variant
            value = entry.variant_options[kind]
            value = float(np.mean(value)) if isinstance(value, list) else float(value)
            step = groups.setdefault((entry.parent, kind), {})
            step.setdefault(-value if kind in HARDER_WITH_LESS else value, []).append(name)
    return {
        f"{parent} {kind}": [[parent]] + [steps[v] for v in sorted(steps)] for (parent, kind), steps in groups.items()
    }


def pooled(plan, models: pd.DataFrame) -> pd.DataFrame:
    """``dataset, model, repeats, auc, auc_se`` with the entries of equal type and options pooled under the first
    name: the mean of their fold means and its standard error (one entry: its fold mean and fold SD)."""
    keys = {name: (entry.type, canonical_options(entry.comparable)) for name, entry in plan.models.items()}
    first: dict[tuple[str, str], str] = {}
    for name, key in keys.items():
        first.setdefault(key, name)
    group = {name: first[key] for name, key in keys.items()}
    models = models.assign(model=models["model"].map(group))
    rows = []
    for (dataset, model), runs in models.groupby(["dataset", "model"], sort=True):
        n = len(runs)
        spread = runs["auc_mean"].std() / np.sqrt(n) if n > 1 else runs["auc_sd"].fillna(0).iloc[0]
        rows.append(
            {"dataset": dataset, "model": model, "repeats": n, "auc": runs["auc_mean"].mean(), "auc_se": spread}
        )
    return pd.DataFrame(rows).set_index(["dataset", "model"])


def step_auc(models: pd.DataFrame, step: list[str], model: str) -> tuple[float, float, int, int]:
    """(AUC, its uncertainty, repeats, draws) of one ladder step: one draw, its pooled AUC and standard error;
    several draws, the mean of the draws' AUCs and its standard error over draws (seeds and draws together)."""
    rows = models.loc[[(d, model) for d in step]]
    auc = rows["auc"].to_numpy()
    se = auc.std(ddof=1) / np.sqrt(len(auc)) if len(auc) > 1 else float(rows["auc_se"].iloc[0])
    return float(auc.mean()), float(se), int(rows["repeats"].min()), len(step)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("results", type=Path)
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text())
    plan = resolve(config)
    models = pooled(plan, read_table(args.results / "models" / "summary.tsv"))
    found = ladders(plan)
    print("| ladder | model | repeats | AUC at each step (draws) | falls at every step | each fall > its uncertainty |")
    print("|---|---|---|---|---|---|")
    for ladder, steps in sorted(found.items()):
        for model in sorted(models.index.get_level_values("model").unique()):
            if not all((d, model) in models.index for step in steps for d in step):
                continue
            auc, se, repeats, draws = np.array([step_auc(models, step, model) for step in steps]).T
            falls = np.diff(auc)
            cells = ", ".join(
                f"{m:.3f} ± {s:.3f}" + (f" ({int(k)})" if k > 1 else "") for m, s, k in zip(auc, se, draws)
            )
            clear = np.all(-falls > np.hypot(se[:-1], se[1:]))
            print(
                f"| {ladder} | {model} | {int(repeats.min())} | {cells} | {'yes' if np.all(falls < 0) else 'no'} | "
                f"{'yes' if clear else 'no'} |"
            )
    if not (args.results / "metrics" / "summary.tsv").exists():
        return
    summary = read_table(args.results / "metrics" / "summary.tsv")
    trends = ladder_trends(summary, {name: [step[0] for step in steps] for name, steps in found.items()})
    print()
    print("| ladder | measures that fall at every step |")
    print("|---|---|")
    for ladder, group in trends.groupby("ladder"):
        falling = group[group["monotonic"]]
        print(f"| {ladder} | {', '.join(f'{f}.{m}' for f, m in zip(falling['feature'], falling['metric'])) or '—'} |")


if __name__ == "__main__":
    main()
