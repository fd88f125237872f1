"""How well a calibration table predicts its own AUCs on families it has not seen, per model type.

Every dataset of the table is predicted by the whole procedure (choice of the
predictor, fit, conformal interval) run without its family, exactly as the
pipeline predicts a trained dataset. Prints, per model entry (and its type),
the candidates' leave-one-family-out MAE on all points, the nested
leave-one-family-out MAE (families weighted equally, as the fit weighs them)
and the mean over datasets, and how often the interval held the measured AUC:
over all datasets, over those with a bounded interval, and over families (a
family counts as held where the interval held every one of its datasets: the
event the family-wise conformal interval promises at the nominal rate, since
the family is its exchangeable unit and its score is its largest error), and
per kind of dataset (real, variant, phantom): the nested MAE, how often the
interval held and its mean width.

    python benchmarks/calibration_check.py resources/calibration/default.tsv [--coverage 0.9] [--rivals 2]

``--rivals 1`` checks the split-conformal interval of the kept predictor alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from difficulty.io import read_table
from difficulty.prediction import PREFER, PREFERENCES, RIVALS, calibrate, predict_auc


def check(points: pd.DataFrame, coverage: float, rivals: float = RIVALS, prefer: str = PREFER) -> pd.DataFrame:
    """One row per model entry: type, families, datasets, kept predictor, nested LOFO MAE, interval coverage."""
    rows = []
    for model, mine in points.groupby("model", sort=True):
        families = dict(zip(mine["dataset"], mine["family"]))
        targets = mine[["dataset", "feature", "metric", "score_mean", "score_sd"]]
        measured = mine[["dataset", "model", "auc_mean"]].drop_duplicates("dataset")
        table = predict_auc(
            mine,
            targets,
            models=[model],
            families=families,
            coverage=coverage,
            measured=measured,
            rivals=rivals,
            prefer=prefer,
        )
        table["family"] = table["dataset"].map(families)
        table["error"] = table["predicted_auc"] - table["measured_auc"]
        held = (table["ci_low"] <= table["measured_auc"]) & (table["measured_auc"] <= table["ci_high"])
        bounded = (table["ci_low"] > 0) | (table["ci_high"] < 1)
        per_family = table.assign(abs_error=table["error"].abs()).groupby("family")["abs_error"].mean()
        family_held = held.groupby(table["family"]).all()
        kind = table["dataset"].map(dict(zip(mine["dataset"], mine["kind"])))
        width = table["ci_high"] - table["ci_low"]
        by_kind = {
            f"{k}_{what}": value
            for k in ("real", "variant", "phantom")
            if (kind == k).any()
            for what, value in (
                ("mae", table.loc[kind == k, "error"].abs().mean()),
                ("held", held[kind == k].mean()),
                ("width", width[kind == k].mean()),
            )
        }
        cal = calibrate(mine, coverage, rivals=rivals, prefer=prefer)
        rows.append(
            {
                "model": model,
                "model_type": mine["model_type"].iloc[0] or "(performance table)",
                "families": mine["family"].nunique(),
                "datasets": mine["dataset"].nunique(),
                "kept_on_all": str(cal.predictor),
                "lofo_mae_of_kept": cal.lofo_mae,
                "nested_mae_families": per_family.mean(),
                "nested_mae_datasets": table["error"].abs().mean(),
                "worst_family": per_family.idxmax(),
                "worst_family_mae": per_family.max(),
                "coverage_all": held.mean(),
                "families_held": f"{int(family_held.sum())} of {len(family_held)}",
                "coverage_families": family_held.mean(),
                "bounded": int(bounded.sum()),
                "coverage_bounded": held[bounded].mean() if bounded.any() else np.nan,
                "mean_width": width.mean(),
            }
            | by_kind
        )
        print(f"## {model}")
        print(cal.candidates.sort_values("lofo_mae").round(4).to_string(index=False))
        print(
            table[["dataset", "family", "predictor", "predicted_auc", "ci_low", "ci_high", "measured_auc", "error"]]
            .round(3)
            .to_string(index=False)
        )
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", type=Path)
    parser.add_argument("--coverage", type=float, default=0.9)
    parser.add_argument("--rivals", type=float, default=RIVALS)
    parser.add_argument("--prefer", choices=PREFERENCES, default=PREFER)
    args = parser.parse_args()
    pd.set_option("display.width", 220)
    summary = check(read_table(args.table), args.coverage, args.rivals, args.prefer)
    print(summary.round(3).T.to_string(header=False))


if __name__ == "__main__":
    main()
