#!/usr/bin/env bash
# Mutation testing of the core modules (issue 21), with cosmic-ray: each mutant of a module is tested by the
# test files that check that module, on a scratch copy of the working tree (the checkout is never mutated).
# Not part of CI (too slow); the figures go in docs/benchmarks.md.
#
#   benchmarks/mutation.sh analysis/statistics.py [more modules...]   # modules under src/difficulty/
#   benchmarks/mutation.sh --list                                     # the modules and their tests
#   make mutation                                                      # every module of the table
#
# Per module: results/mutation/<module>.sqlite (the session: a re-run resumes it, delete it to start over,
# RETEST=1 tests its surviving mutants again after tests were added),
# <module>.txt (the diff of every surviving mutant) and one summary line "module: killed/tested (rate)"; mutants
# inside type annotations are skipped (benchmarks/mutation_annotations.py).
# PYTHON (default python) must have the dev extra (cosmic-ray, pytest). Serial; `nice` it on a shared machine.
set -euo pipefail

# module → the pytest arguments that select its tests
declare -A TESTS=(
    [analysis/statistics.py]="tests/test_statistics.py"
    [analysis/correlation.py]="tests/test_statistics.py tests/test_features_correlation.py"
    [models/splits.py]="tests/test_splits.py tests/test_reference_models.py -k 'fold or split or official or few'"
    [metrics/bootstrap.py]="tests/test_metrics.py tests/test_measures.py"
)
# every measure module: its known answers, and the common metric tests of tests/test_registries.py
COMMON="tests/test_registries.py::test_every_metric_type_scores_a_sample_set_by_its_name
tests/test_registries.py::test_every_metric_finds_separated_classes_easier_than_identical_ones
tests/test_registries.py::test_every_metric_bootstraps_deterministically_whatever_the_label_names"
for measure in complexity cosine frechet imbalance knn probe separability silhouette_score spectral; do
    TESTS[metrics/$measure.py]="tests/test_measures.py tests/test_metrics.py "${COMMON//$'\n'/ }
done
SHARDS=tests/test_shards.py::test_every_shard_count_gives_the_same_case_table_grid_and_qc
TESTS+=(
    [data/jobs.py]="tests/test_prepare.py tests/test_data.py tests/test_bad_inputs.py $SHARDS"
    [data/datasets.py]="tests/test_prepare.py tests/test_data.py tests/test_bad_inputs.py $SHARDS"
)

if [[ $# -eq 0 || $1 == --list ]]; then
    for m in "${!TESTS[@]}"; do echo "$m: ${TESTS[$m]}"; done | sort
    exit 0
fi
if [[ $1 == --all ]]; then
    mapfile -t modules < <(printf '%s\n' "${!TESTS[@]}" | sort)
    set -- "${modules[@]}"
fi

PYTHON=$(command -v "${PYTHON:-python}")
PYTHON=$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON") # absolute: the tests run in a scratch copy
# imported once by the warm pytest (never difficulty itself)
PRELOAD="numpy pandas pyarrow.parquet scipy.stats scipy.sparse.csgraph sklearn.model_selection sklearn.metrics
sklearn.linear_model sklearn.neighbors matplotlib.pyplot SimpleITK yaml torch monai.networks.nets"
BIN=$(dirname "$PYTHON")
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
OUT=$REPO/results/mutation
mkdir -p "$OUT"

for module in "$@"; do
    tests=${TESTS[$module]:?"no tests listed for $module in $0 (see --list)"}
    name=${module//\//.}
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutation.$name.XXXX")
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch")
    # A warm pytest (benchmarks/pytest_forkserver.py): each mutant's run forks from a process that has the
    # heavy libraries imported, and imports the package afresh from the scratch copy.
    sock=$scratch/pytest.sock
    (cd "$scratch" && MPLBACKEND=Agg exec "$PYTHON" benchmarks/pytest_forkserver.py serve "$sock" $PRELOAD) &
    server=$!
    while [[ ! -S $sock ]]; do sleep 1; done
    cat >"$scratch/mutation.toml" <<TOML
[cosmic-ray]
module-path = "src/difficulty/$module"
timeout = 120.0
excluded-modules = []
test-command = "$PYTHON benchmarks/pytest_forkserver.py run $sock -x -q -p no:cacheprovider $tests"
[cosmic-ray.distributor]
name = "local"
TOML
    session=$OUT/$name.sqlite
    (
        cd "$scratch"
        [[ -f $session ]] || "$BIN/cosmic-ray" init mutation.toml "$session"
        "$PYTHON" benchmarks/mutation_annotations.py "$session" # equivalent by construction: never run
        if [[ -n ${RETEST:-} ]]; then # tests added since: test the survivors again (the module unchanged)
            "$PYTHON" -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
db.execute(\"delete from work_results where test_outcome = 'SURVIVED'\"); db.commit()" "$session"
        fi
        "$BIN/cosmic-ray" baseline mutation.toml # the tests pass on the unmutated module
        "$BIN/cosmic-ray" exec mutation.toml "$session"
    )
    kill "$server"
    rm -rf "$scratch"
    "$BIN/cr-report" --show-diff --surviving-only "$session" >"$OUT/$name.txt"
    "$PYTHON" "$REPO/benchmarks/mutation_summary.py" "$module" "$session"
done
