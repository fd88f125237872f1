"""How well the measures of a finished run predict its own AUCs, leave-one-family-out.

Reads a run's ``metrics/summary.tsv`` and ``models/summary.tsv``, makes its
calibration points (families from the config's ``parent`` links), and predicts
every dataset's AUC without its own family. Prints, per model entry, the
candidates' LOFO MAE, each dataset's prediction against its measured AUC, the
mean |error| of those nested predictions and how often their interval held
the measured AUC (bounded intervals only).

    python benchmarks/prediction_check.py config/config.yaml results [--coverage 0.9]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from difficulty.io import read_table
from difficulty.pipeline.config import resolve
from difficulty.prediction import calibrate, calibration_points, predict_auc, select_points


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--coverage", type=float, default=0.9)
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text())
    plan = resolve(config)
    entries = plan.comparable_entries()
    scores = read_table(args.results / "metrics" / "summary.tsv")
    aucs = read_table(args.results / "models" / "summary.tsv")
    points = select_points(calibration_points(scores, aucs, **entries, families=plan.roots), **entries)
    table = predict_auc(
        points, scores, models=sorted(plan.models), families=plan.roots, coverage=args.coverage, measured=aucs
    )
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    for model, rows in table.groupby("model"):
        cal = calibrate(points[points["model"] == model], args.coverage)
        print(f"## {model}: {len(cal.families)} families, {len(cal.datasets)} datasets; kept {cal.predictor}")
        print(cal.candidates.sort_values("lofo_mae").round(4).to_string(index=False))
        rows = rows.assign(error=rows["predicted_auc"] - rows["measured_auc"])
        print(rows[["dataset", "predictor", "predicted_auc", "ci_low", "ci_high", "measured_auc", "error"]].round(3))
        bounded = rows[(rows["ci_low"] > 0) | (rows["ci_high"] < 1)]
        held = ((bounded["ci_low"] <= bounded["measured_auc"]) & (bounded["measured_auc"] <= bounded["ci_high"])).mean()
        print(
            f"nested LOFO mean |error| {np.abs(rows['error']).mean():.4f} over {rows['error'].notna().sum()} datasets; "
            f"{len(bounded)} bounded intervals" + (f", {held:.0%} hold the measured AUC" if len(bounded) else "")
        )


if __name__ == "__main__":
    main()
