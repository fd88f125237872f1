"""How close the default ``cnn3d`` gets to the published ResNet-18+3D AUC, and at what CPU cost.

AdrenalMNIST3D 28³ (``resources/medmnist/adrenalmnist3d.npz``), prepared with the
library as the pipeline prepares it, ``split: official`` (train / val / test),
torch on one thread. Each setting is the default ``cnn3d`` entry with some
options changed; each runs with several seeds. One row per setting × seed:
test AUC (the mean over folds for the ``*_folds3`` settings, which use the
default run's 3-fold cross-validation instead), epochs run (summed over
folds), wall and CPU time of ``cross_validate`` (preparation not included).
MedMNIST v2 reports a test AUC of 0.827 for ResNet-18+3D.

    python benchmarks/bench_reference.py [--settings default epochs20 ...] [--seeds 0 1 2] [--out table.tsv]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import pandas as pd

from difficulty.data import Prepared, resolve_dataset
from difficulty.data.jobs import prepare_dataset
from difficulty.devices import configure_torch
from difficulty.models import resolve_model
from difficulty.models.training import cross_validate

ADRENAL = Path(__file__).resolve().parents[1] / "resources" / "medmnist" / "adrenalmnist3d.npz"
PUBLISHED = 0.827
DEFAULT = {"type": "cnn3d", "epochs": 8, "batch_size": 32, "lr": 0.003, "split": "official"}
SETTINGS = {
    "default": {},
    "epochs12": {"epochs": 12},
    "epochs20": {"epochs": 20, "patience": 6},
    "epochs20_auc": {"epochs": 20, "patience": 6, "select": "auc"},
    "wide": {"channels": [16, 32, 64]},
    "wide_epochs20": {"channels": [16, 32, 64], "epochs": 20, "patience": 6},
    "deep_epochs20": {"channels": [16, 32, 64, 128], "epochs": 20, "patience": 6},
    "lr1e-3_epochs20": {"lr": 0.001, "epochs": 20, "patience": 6},
    # The default run's protocol (3-fold cross-validation over all 1,584 cases), for the cost and AUC it gives.
    "default_folds3": {"split": "folds", "folds": 3},
    "wide_folds3": {"channels": [16, 32, 64], "split": "folds", "folds": 3},
}


def prepare(folder: Path, seed: int = 0) -> Prepared:
    """Prepare AdrenalMNIST3D 28³ into ``folder`` as the pipeline's prepare steps do, and open it."""
    spec = resolve_dataset({"name": "adrenal", "source": "medmnist", "path": str(ADRENAL)})
    return prepare_dataset(spec=spec, seed=seed, folder=folder)


class _Epochs(logging.Handler):
    """Counts the training log's ``epoch k: ...`` lines (epochs run)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        self.count += record.getMessage().startswith("epoch ")


def run(data: Prepared, setting: str, seed: int) -> dict:
    """Train one setting with one seed; its test AUC, epochs run, wall and CPU seconds."""
    spec = resolve_model(setting, DEFAULT | SETTINGS[setting])
    counter = _Epochs()
    logger = logging.getLogger("difficulty.models.training")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        folds, _ = cross_validate(
            data.grid,
            data.cases["label"].to_numpy(),
            spec["type"],
            spec,
            ("bench_reference", seed),
            groups=data.cases["patient_id"].to_numpy(),
            official=data.cases["split"].to_numpy(),
        )
    finally:
        logger.removeHandler(counter)
    return {
        "setting": setting,
        "seed": seed,
        "test_auc": round(float(folds["auc"].mean()), 4),
        "folds": len(folds),
        "epochs_run": counter.count,
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "options": {k: v for k, v in SETTINGS[setting].items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", type=Path, help="append the rows to this TSV as they come")
    args = parser.parse_args()
    configure_torch(1)  # one thread, deterministic: the CPU seconds of one training job
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        data = prepare(Path(tmp))
        sizes = data.cases["split"].value_counts().to_dict()
        print(f"# prepared {len(data.cases)} cases {sizes} in {time.perf_counter() - start:.1f} s", flush=True)
        rows = []
        for setting in args.settings:
            for seed in args.seeds:
                row = run(data, setting, seed)
                rows.append(row)
                print("\t".join(map(str, row.values())), flush=True)
                if args.out:
                    pd.DataFrame([row]).to_csv(args.out, sep="\t", index=False, mode="a", header=not args.out.exists())
    table = pd.DataFrame(rows)
    summary = table.groupby("setting", sort=False).agg(
        runs=("test_auc", "size"),
        auc_mean=("test_auc", "mean"),
        auc_sd=("test_auc", "std"),
        epochs=("epochs_run", "mean"),
        wall_s=("wall_s", "mean"),
        cpu_s=("cpu_s", "mean"),
    )
    summary["vs_published"] = summary["auc_mean"] - PUBLISHED
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
