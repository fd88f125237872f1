"""The reference models' validation against MedMNIST v2: test AUC per run and seed, and over seeds.

Reads ``models/<dataset>/<model>.predictions.parquet`` of one or more results
folders (runs of ``config/validate_resnet3d.yaml`` with different ``seed``),
and prints a Markdown table: per run the test AUC with a 95 % percentile
bootstrap interval over the test cases (2000 resamples, seeded), the accuracy
and the best epoch from the job's log; then each model's mean ± SD over runs.

    python benchmarks/validation_table.py SEED=RESULTS ...
    python benchmarks/validation_table.py 20251122=results/validate 1=results/validate_seed1 2=results/validate_seed2
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from difficulty.analysis.statistics import interval
from difficulty.auc import roc_auc
from difficulty.models.evaluation import fold_scores


def split_scores(predictions: pd.DataFrame, resamples: int = 2000, seed: int = 0) -> dict[str, float]:
    """AUC, accuracy and the AUC's 95 % bootstrap interval over the test cases of one split's predictions."""
    proba = predictions.filter(like="proba_").to_numpy()
    classes = [c.removeprefix("proba_") for c in predictions.filter(like="proba_").columns]
    y = pd.Categorical(predictions["label"].astype(str), categories=classes).codes
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        if len(np.unique(y[pick])) == len(classes):
            draws.append(roc_auc(y[pick], proba[pick]))
    low, high = interval(np.array(draws))
    return fold_scores(y, proba) | {"low": low, "high": high}


def best_epoch(log: Path) -> tuple[int | None, int | None]:
    """(epochs run, epoch kept) from a training log: the kept epoch is the best by the figure early stopping used."""
    text = log.read_text() if log.exists() else ""
    epochs = re.findall(r"epoch (\d+): .*validation loss ([\d.]+), AUC ([\d.]+)", text)
    if not epochs:
        return None, None
    by_auc = "no better validation auc" in text
    scores = [float(a) if by_auc else -float(v) for _, v, a in epochs]
    return len(epochs), int(epochs[int(np.argmax(scores))][0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="SEED=RESULTS[:LOGS]: a results folder (its logs: RESULTS/logs)")
    parser.add_argument("--dataset", default="adrenal")
    args = parser.parse_args()
    rows = []
    for run in args.runs:
        seed, folders = run.split("=", 1)
        results, _, logs = folders.partition(":")
        for path in sorted(Path(results, "models", args.dataset).glob("*.predictions.parquet")):
            model = path.name.removesuffix(".predictions.parquet")
            ran, kept = best_epoch(Path(logs or Path(results, "logs"), "models", f"{args.dataset}.{model}.log"))
            scores = split_scores(pd.read_parquet(path))
            rows.append({"model": model, "seed": seed, "epochs": ran, "kept": kept} | scores)
    table = pd.DataFrame(rows).sort_values(["model", "seed"], kind="stable")
    print("| model | seed | epochs run (kept) | test AUC [95 % CI] | accuracy |\n|---|---|---|---|---|")
    for r in table.itertuples():
        interval = f"{r.auc:.3f} [{r.low:.3f}, {r.high:.3f}]"
        print(f"| {r.model} | {r.seed} | {r.epochs} ({r.kept}) | {interval} | {r.accuracy:.3f} |")
    print("\n| model | runs | test AUC mean ± SD | accuracy mean ± SD |\n|---|---|---|---|")
    for model, group in table.groupby("model", sort=True):
        print(
            f"| {model} | {len(group)} | {group['auc'].mean():.3f} ± {group['auc'].std():.3f} "
            f"| {group['accuracy'].mean():.3f} ± {group['accuracy'].std():.3f} |"
        )


if __name__ == "__main__":
    main()
