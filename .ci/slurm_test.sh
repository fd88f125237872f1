#!/usr/bin/env bash
# A real one-node Slurm on this machine: the tiny test project run through profiles/slurm must give exactly the
# feature tables and metric scores of a local run, with its jobs submitted to Slurm.
# Needs root and apt-get (Debian: installs slurm-wlm and munge); fails, never skips, without them.
# Starts munged, slurmctld and slurmd and stops them, by their process ids, when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=${PYTHON:-$REPO/.venv/bin/python}
SECONDS=0

fail() { echo "slurm_test: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root (it installs and starts Slurm)"
command -v apt-get >/dev/null || fail "needs apt-get (Debian packages slurm-wlm and munge)"
[ -x "$PY" ] || fail "$PY not found: run make setup first"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

WORK=$(mktemp -d /tmp/slurm_test.XXXXXX)
PIDS=()
stop() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
    echo "slurm_test: stopped daemons ${PIDS[*]:-none}; took ${SECONDS}s"
}
trap stop EXIT

# munge: the key Debian's package made, or a new one.
mkdir -p /etc/munge /run/munge /var/log/munge /var/lib/munge
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
chmod 400 /etc/munge/munge.key
setpriv --reuid=munge --regid=munge --init-groups munged --foreground >"$WORK/munged.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.2; done
munge -n | unmunge >/dev/null || fail "munged does not answer"

# slurm.conf for this node, with its real CPUs and memory (as slurmd -C reports them).
NODE=$(slurmd -C | head -1)
HOST=$(hostname -s)
mkdir -p /etc/slurm "$WORK/state" "$WORK/spool"
cat >/etc/slurm/slurm.conf <<EOF
ClusterName=ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
ReturnToService=2
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=cpu Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i >"$WORK/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D >"$WORK/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.3; done
sinfo -h -o %T | grep -qx idle || { tail "$WORK"/slurm*.log; fail "the node did not come up idle"; }
echo "slurm_test: Slurm up ($NODE) after ${SECONDS}s"

# Two copies of the tiny project (.test/config.yaml): one run locally, one through the Slurm profile (site edits as
# the README says: no account on this cluster, no GPUs, a status command without accounting database). The targets:
# the first bootstrap chunk of SIL and FID on radiomics and the ResNet features of the datasets read from files (a
# MedMNIST file with its label-noise variant, NIfTI volumes from a sheet) and all they need. The synthetic phantoms,
# made in memory, are left to the local tests: each Slurm job costs seconds of status polling on 2 cores.
"$PY" - "$WORK" <<'EOF'
import sys
from pathlib import Path

sys.path[:0] = ["tests", "src"]
from test_workflow import project, tiny_config

for name in ("local", "slurm"):
    work = Path(sys.argv[1]) / name
    work.mkdir()
    project(work, tiny_config(work))
EOF
sed -i '/slurm_account:/d' "$WORK/slurm/profiles/slurm/config.yaml"
TARGETS=()
for dataset in tiny tiny_noisy nifti; do
    for feature in radiomics random_resnet10; do
        for metric in sil fid; do TARGETS+=(".test/results/metrics/$dataset/$feature/$metric/chunk0.parquet"); done
    done
done
SMK=("$PY" -m snakemake --configfile .test/config.yaml --max-threads 2)
(cd "$WORK/local" && "${SMK[@]}" --cores 2 "${TARGETS[@]}" >run.log 2>&1) || { tail -40 "$WORK/local/run.log"; fail "local run"; }
echo "slurm_test: local run done after ${SECONDS}s"
(cd "$WORK/slurm" && "${SMK[@]}" --workflow-profile profiles/slurm --jobs 4 --slurm-status-command squeue \
    --slurm-init-seconds-before-status-checks 2 --slurm-keep-successful-logs \
    --set-resources extract_features:gpu=0 train_reference:gpu=0 -- "${TARGETS[@]}" >run.log 2>&1) ||
    { tail -60 "$WORK/slurm/run.log"; tail -20 "$WORK/slurmctld.log"; fail "Slurm run"; }
echo "slurm_test: Slurm run done after ${SECONDS}s"

# The jobs went through Slurm: one Slurm log per job, each completed with status 0 by slurmctld.
"$PY" - "$WORK" <<'EOF'
import re
import sys
from pathlib import Path

import pandas as pd

work = Path(sys.argv[1])
local, slurm = work / "local", work / "slurm"
run = (slurm / "run.log").read_text()
submitted = re.findall(r"Job \d+ has been submitted with SLURM jobid (\d+)", run)
logs = list((slurm / ".snakemake" / "slurm_logs").rglob("*.log"))
completed = set(re.findall(r"_job_complete: JobId=(\d+) WEXITSTATUS 0", (work / "slurmctld.log").read_text()))
rules = {p.parent.parent.name.removeprefix("rule_") for p in logs}  # rule_<name>/<wildcards>/<jobid>.log
assert len(submitted) >= 30 and len(logs) == len(submitted), (len(submitted), len(logs))
assert set(submitted) <= completed, set(submitted) - completed
assert {"prepare_shard", "extract_features", "bootstrap"} <= rules, rules

results = Path(".test/results")
features = sorted(p.relative_to(local) for p in (local / results / "features").rglob("*.parquet"))
assert len(features) == 2 * (4 + 3), features  # roots x (radiomics: 2 shards, raw, table; deep: shard, raw, table)
chunks = sorted(p.relative_to(local) for p in (local / results / "metrics").rglob("chunk0.parquet"))
assert len(chunks) == 3 * 2 * 2, chunks
for path in [*features, *chunks]:
    pd.testing.assert_frame_equal(pd.read_parquet(local / path), pd.read_parquet(slurm / path), check_exact=True)
scores = pd.concat([pd.read_parquet(slurm / path) for path in chunks])
assert len(scores) == 3 * 2 * 2 * 5 and scores["score"].notna().all()
print(f"slurm_test: {len(submitted)} jobs through Slurm; {len(features)} feature tables and {len(scores)} scores equal")
EOF
