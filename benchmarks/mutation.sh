#!/usr/bin/env bash
# Mutation testing of the core modules, with cosmic-ray: each mutant of a module is tested by the
# test files that check that module, on a scratch copy of the working tree (the checkout is never mutated).
# Not part of CI (too slow); the figures go in docs/benchmarks.md.
#
#   benchmarks/mutation.sh analysis/statistics.py [more modules...]   # modules under src/difficulty/
#   benchmarks/mutation.sh --list                                     # the modules and their tests
#   make mutation                                                      # every module of the table
#
# Per module: results/mutation/<module>.sqlite (the session: a re-run resumes it, delete it to start over,
# RETEST=1 tests its surviving mutants again after tests were added; with RETEST_TESTS="pytest args" only
# with those tests, the ones added: the survivors passed all the others),
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
# every measure module: its known answers, and the common metric tests of tests/test_registries.py (the
# linear probe's tests, the slowest, only for the modules the probe imports)
COMMON="tests/test_registries.py::test_every_metric_type_scores_a_sample_set_by_its_name
tests/test_registries.py::test_every_metric_finds_separated_classes_easier_than_identical_ones
tests/test_registries.py::test_every_metric_bootstraps_deterministically_whatever_the_label_names
tests/test_registries.py::test_every_metric_bootstraps_a_class_of_its_fewest_cases_and_refuses_one_fewer"
MEASURES="tests/test_measures.py tests/test_metrics.py "${COMMON//$'\n'/ }
for measure in complexity cosine frechet imbalance knn separability silhouette_score spectral; do
    TESTS[metrics/$measure.py]="$MEASURES -k 'not probe'"
done
# the probe and the helpers behind the measures: every measure's tests (without the probe's where the probe does
# not import the module), and the tests of their other callers; the pipeline steps of metrics/jobs.py only their own
CURATION=tests/test_curation.py
PROBE="$CURATION::test_linear_probe_scores_are_bit_identical_to_the_recorded_ones
$CURATION::test_probe_folds_keep_each_patient_in_one_fold
$CURATION::test_probe_probabilities_do_not_depend_on_row_order_or_class_names
$CURATION::test_a_class_with_fewer_patients_than_folds_is_refused_by_name"
NEIGHBOURS="$CURATION::test_kdn_equals_a_brute_force_loop
$CURATION::test_outlier_score_finds_a_planted_outlier_even_with_a_second_case_of_its_patient"
CONFIG="tests/test_config.py::test_default_config_resolves_with_every_option_filled
tests/test_config.py::test_metric_entries_take_the_bootstrap_block_and_may_override_it
tests/test_config.py::test_wrong_entries_stop_with_the_key_and_what_is_wrong
tests/test_config.py::test_readme_reference_and_measures_are_written_from_the_registrations
tests/test_config.py::test_class_needs_follow_the_metrics_fraction_and_the_models_folds
tests/test_registries.py::test_every_type_documents_itself_and_its_defaults_fit_their_schema
tests/test_registries.py::test_unknown_type_and_a_taken_name_are_refused"
JOBS="tests/test_features_correlation.py::test_join_labels_aligns_by_case_id_and_reports_missing
tests/test_ladders.py::test_a_bootstrap_job_writes_the_direction_of_its_metric
$CURATION::test_drop_label_issues_leaves_out_exactly_the_flagged_cases_and_the_subset_trains_and_bootstraps"
INPUTS="tests/test_bad_inputs.py::test_classes_too_small_for_a_metric_or_the_folds_are_refused
tests/test_bad_inputs.py::test_a_patient_under_two_labels_is_reported_and_kept_together
tests/test_bad_inputs.py::test_nan_inf_and_constant_features_are_dropped_and_logged"
TESTS+=(
    [metrics/probe.py]="$MEASURES"
    [metrics/backend.py]="$MEASURES"
    [metrics/out_of_fold.py]="$MEASURES "${PROBE//$'\n'/ }
    [metrics/pairwise.py]="$MEASURES ${NEIGHBOURS//$'\n'/ } -k 'not probe'"
    [metrics/validation.py]="$MEASURES ${INPUTS//$'\n'/ }"
    [metrics/registry.py]="$MEASURES "${CONFIG//$'\n'/ }
    [metrics/jobs.py]="${JOBS//$'\n'/ }"
)
SHARDS=tests/test_shards.py::test_every_shard_count_gives_the_same_case_table_grid_and_qc
LABELS="tests/test_curation.py::test_the_labels_step_marks_the_cases_whose_label_differs_from_the_roots_through_a_chain
tests/test_curation.py::test_the_labels_step_refuses_a_kind_that_invents_or_repeats_cases"
TESTS+=(
    [data/jobs.py]="tests/test_prepare.py tests/test_data.py tests/test_bad_inputs.py $SHARDS "${LABELS//$'\n'/ }
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
    # the survivors passed every other test: the tests added since are enough to re-test them
    [[ -n ${RETEST:-} && -n ${RETEST_TESTS:-} ]] && tests=$RETEST_TESTS
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
timeout = 300.0
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
