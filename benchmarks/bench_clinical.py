"""Clinical-scale benchmark: peak memory of every rule and wall time on CT-like sheets of N cases.

Writes CT-like datasets (``make_ct_dataset.py``) of each N, runs the pipeline
on each (radiomics `fast` on the original geometry, a random ResNet-10 on the
64³ model grid, SIL and FID, the small CNN), and reads the peak RSS of every
job from Snakemake's benchmark files. ``--big`` also runs the per-case steps
on two 512 × 512 × 300 cases.

    python benchmarks/bench_clinical.py --cases 50 200 [--big] [--work /tmp/ctbench]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from make_ct_dataset import write_dataset

REPO = Path(__file__).resolve().parents[1]


def config(sheet) -> dict:
    return {
        "seed": 1,
        "datasets": [{"name": "ct", "source": "sheet", "path": str(sheet), "shards": 2}],
        "features": {
            "radiomics": {"type": "radiomics", "params": "fast", "shards": 2},
            "resnet": {"type": "random_resnet", "depth": 10, "size": [64, 64, 64], "pca": 16},
        },
        "metrics": {"sil": {"type": "sil"}, "fid": {"type": "fid"}},
        "bootstrap": {"seeds": 2, "sessions_per_seed": 250},
        "models": {"cnn3d": {"type": "cnn3d", "folds": 3, "epochs": 4}},
        "correlation": {"bootstrap": 100, "study_compat": False},
    }


def run(work: Path, cores: int, *targets) -> float:
    """Seconds that snakemake took on the project in ``work``."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(work)]
    command += ["--configfile", str(work / "config.yaml"), "--cores", str(cores), *targets]
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def peaks(work: Path) -> pd.DataFrame:
    """Peak RSS (MB) and CPU seconds of every job, by rule, from the benchmark files."""
    rows = []
    for path in (work / "results" / "logs" / "benchmarks").glob("*/*.tsv"):
        table = pd.read_csv(path, sep="\t")
        rows.append({"step": path.parent.name, "max_rss_mb": table["max_rss"].max(), "cpu_s": table["cpu_time"].sum()})
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--big", action="store_true", help="also two cases of 512 x 512 x 300")
    parser.add_argument("--work", default="/tmp/ctbench")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    summary = {}
    for n in args.cases:
        work = Path(args.work) / f"n{n}"
        sheet = (
            write_dataset(work / "data", n) if not (work / "data" / "sheet.tsv").exists() else work / "data/sheet.tsv"
        )
        (work / "config.yaml").write_text(yaml.safe_dump(config(sheet)))
        wall = run(work, args.cores)
        table = peaks(work)
        summary[n] = table.groupby("step")["max_rss_mb"].max()
        cpu = table["cpu_s"].sum()
        print(f"N = {n}: {wall:.0f} s wall, {cpu:.0f} CPU s, largest job peak {table['max_rss_mb'].max():.0f} MB")
    if args.big:
        work = Path(args.work) / "big"
        sheet = work / "data" / "sheet.tsv"
        if not sheet.exists():
            sheet = write_dataset(work / "data", 2, size=512, slices=(300, 300))
        spec = config(sheet)
        (work / "config.yaml").write_text(yaml.safe_dump(spec))
        targets = [f"results/features/ct/{feature}_raw.parquet" for feature in spec["features"]]
        wall = run(work, args.cores, *targets)
        table = peaks(work)
        summary["512x512x300"] = table.groupby("step")["max_rss_mb"].max()
        print(f"2 cases of 512 x 512 x 300: {wall:.0f} s wall, largest job peak {table['max_rss_mb'].max():.0f} MB")
    print("\nPeak RSS per step (MB, largest job):")
    print(pd.DataFrame(summary).round(0).to_string())


if __name__ == "__main__":
    main()
