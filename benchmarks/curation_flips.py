"""Which cases make a task hard: label issues scored against the known flips of the label-noise ladder.

On the default run's AdrenalMNIST3D (28³, 1584 cases) and its features, flips 10, 20 and 30 % of the labels
with ``difficulty.data.flip_labels``, seeded as the default run seeds ``adrenal_noise10/20/30``
(``derive_seed(seed, name, "label_noise")``, so the flips are the default run's), and per noise level and
per source of out-of-fold probabilities (a probe on each feature type; the cnn3d's kept test predictions
where the run trained it) prints the precision and recall of cleanlab's ``label_issue`` for the flipped
cases and the AUROC of ``label_quality`` (and of kDN) separating flipped from kept cases (the probes seeded as
the pipeline's ``curate`` jobs seed them, so the figures are those of its ``curation/summary.tsv``); then the CPU
time of each step and of the run's feature and training jobs. Needs a results folder of the default
config with the adrenal features (and, for the model source, ``models/adrenal_noise*/cnn3d``):

    snakemake --cores 2 --config results=R -- R/features/adrenal/radiomics.parquet \\
        R/features/adrenal/random_resnet10.parquet R/models/adrenal_noise{10,20,30}/cnn3d.tsv
    python benchmarks/curation_flips.py R [--thumbnails DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from difficulty import curation
from difficulty.data import flip_labels
from difficulty.io import read_table
from difficulty.seeding import derive_seed

REPO = Path(__file__).resolve().parents[1]
NOISE = {"adrenal_noise10": 0.1, "adrenal_noise20": 0.2, "adrenal_noise30": 0.3}
FEATURES = ("radiomics", "random_resnet10")
MODEL = "cnn3d"


def timed(fn, *args, **kwargs):
    """The result and the process CPU seconds of ``fn(*args, **kwargs)``."""
    start = time.process_time()
    out = fn(*args, **kwargs)
    return out, time.process_time() - start


def job_cpu(results: Path) -> pd.DataFrame:
    """CPU seconds and wall time of the run's jobs for adrenal (Snakemake's benchmark files)."""
    rows = []
    for path in sorted((results / "logs" / "benchmarks").glob("*/adrenal*.tsv")):
        bench = pd.read_csv(path, sep="\t")
        rows.append(
            {"job": f"{path.parent.name}/{path.stem}", "wall_s": bench["s"].iloc[0], "cpu_s": bench["cpu_time"].iloc[0]}
        )
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="results folder of the default config")
    parser.add_argument("--thumbnails", type=Path, help="write the 12 worst cases of each noise level here")
    args = parser.parse_args()
    seed = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["seed"]
    cases = read_table(args.results / "prepared" / "adrenal" / "cases.parquet")[["case_id", "patient_id", "label"]]
    features = {f: read_table(args.results / "features" / "adrenal" / f"{f}.parquet") for f in FEATURES}
    print(f"# {len(cases)} cases, labels {cases['label'].value_counts().sort_index().to_dict()}; seed {seed}")
    scores, cost = [], []
    for name, noise in {"adrenal": 0.0, **NOISE}.items():
        label_seed = derive_seed(seed, name, "label_noise")
        noisy = cases.assign(label=flip_labels(cases["label"], noise, label_seed))
        flipped = (noisy["label"] != cases["label"]).to_numpy()
        sources = []
        for f, table in features.items():
            p, t = timed(
                curation.probe_probabilities,
                noisy,
                table,
                source=f"probe_{f}",
                seed=derive_seed(derive_seed(seed, name, "curation"), "probe", f),  # as the curate job seeds it
            )
            sources.append(p)
            cost.append({"step": f"probe probabilities ({f}, 5 folds)", "dataset": name, "cpu_s": t})
        predictions = args.results / "models" / name / f"{MODEL}.predictions.parquet"
        if predictions.exists():
            p, t = timed(curation.model_probabilities, read_table(predictions), noisy)
            sources.append(p)
            cost.append({"step": "model probabilities (read, align)", "dataset": name, "cpu_s": t})
        kdn = {}
        for f, table in features.items():
            X = table.set_index("case_id").loc[noisy["case_id"]].to_numpy(dtype=np.float64)
            kdn[f], t = timed(curation.kdn, X, noisy["label"], noisy["patient_id"], 5)
            cost.append({"step": f"kDN ({f}, k = 5)", "dataset": name, "cpu_s": t})
            _, t = timed(curation.outlier_scores, X, noisy["patient_id"], 5)
            cost.append({"step": f"outlier score ({f}, k = 5)", "dataset": name, "cpu_s": t})
        for p in sources:
            issues, t = timed(curation.label_issues, noisy["label"], p.classes, p.proba)
            cost.append({"step": "cleanlab label issues + quality", "dataset": name, "cpu_s": t})
            row = {"dataset": name, "noise": noise, "source": p.source, "n_flagged": int(issues["label_issue"].sum())}
            if flipped.any():
                s = curation.score_flips(flipped, issues["label_issue"], issues["label_quality"])
                row |= {k: s[k] for k in ("n_flipped", "true_positives", "precision", "recall", "auroc")}
                feature = p.source.removeprefix("probe_")
                if feature in kdn:
                    from sklearn.metrics import roc_auc_score

                    row["kdn_auroc"] = roc_auc_score(flipped, kdn[feature])
            scores.append(row)
        table, t = timed(curation.curation_table, noisy.assign(flipped=flipped), sources[::-1], features)
        cost.append(
            {"step": f"whole curation table ({len(sources)} sources, 2 feature types)", "dataset": name, "cpu_s": t}
        )
        if args.thumbnails:
            from difficulty.data import Prepared

            data = Prepared.open(args.results / "prepared" / "adrenal")
            _, t = timed(
                curation.worst_thumbnails, table, data.grid, data.case_ids, args.thumbnails / f"{name}.worst12.png"
            )
            cost.append({"step": "thumbnails of the 12 worst (one PNG)", "dataset": name, "cpu_s": t})
            table.to_csv(args.thumbnails / f"{name}.tsv", sep="\t", index=False)
    pd.set_option("display.width", 200)
    print(pd.DataFrame(scores).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    cost = pd.DataFrame(cost)
    print(
        cost.groupby("step", sort=False)["cpu_s"]
        .agg(["mean", "min", "max"])
        .to_string(float_format=lambda v: f"{v:.2f}")
    )
    print(job_cpu(args.results).to_string(index=False, float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
