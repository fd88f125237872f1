#!/usr/bin/env bash
# Time from a fresh clone to a predicted AUC for a new 1,500-case 28³ dataset with `train: false`, against the time
# to train the default reference model on it, measured in one run (figures in docs/benchmarks.md).
#
#   benchmarks/quick_path.sh [PROJECT]     (PROJECT: the git checkout to clone; default: this one)
#
# 1. clone, `make setup` (the README's setup); 2. the quick path: prepare, features, measures and the predicted AUC
# of `new1500` (benchmarks/quick_path.yaml, the shipped calibration); 3. the same dataset trained: only its
# `train_reference` job (benchmarks/quick_path_trained.yaml). Prints the seconds of each and the ratio.
set -euo pipefail
project=$(cd "${1:-$(dirname "$0")/..}" && pwd)
work=$(mktemp -d)
now() { date +%s.%N; }
t0=$(now)
git clone -q "$project" "$work/project"
cd "$work/project"
make setup >"$work/setup.log" 2>&1
t1=$(now)
# targets first: --configfile takes every path after it
.venv/bin/snakemake results/quick/prediction/predicted_auc.tsv --cores 2 --configfile benchmarks/quick_path.yaml \
    >"$work/quick.log" 2>&1
t2=$(now)
.venv/bin/snakemake results/quick/models/new1500/cnn3d.tsv --cores 2 \
    --configfile benchmarks/quick_path.yaml benchmarks/quick_path_trained.yaml >"$work/train.log" 2>&1
t3=$(now)
cut -f1-6,11 results/quick/prediction/predicted_auc.tsv
tail -n +2 results/quick/models/new1500/cnn3d.tsv | cut -f4 | paste -sd' ' | sed 's/^/trained cnn3d fold AUCs: /'
python3 - "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:])
print(f"clone + setup {t1 - t0:.0f} s; quick path {t2 - t1:.0f} s; fresh clone to predicted AUC {t2 - t0:.0f} s")
print(f"training cnn3d (3 folds) {t3 - t2:.0f} s")
print(f"ratio: fresh clone to prediction / training {(t2 - t0) / (t3 - t2):.2f}; quick path / training {(t2 - t1) / (t3 - t2):.2f}")
PY
echo "logs: $work"
