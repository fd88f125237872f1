"""One chunk of block-bootstrap sessions of one metric."""

import pandas as pd

from difficulty import io, logs, metrics
from difficulty.features import join_labels

log = logs.setup(snakemake.log[0])
X, y, groups = join_labels(io.read_table(snakemake.input.features), io.read_table(snakemake.input.labels))
p = snakemake.params
log.info(
    "%s: %d cases x %d features, %d sessions, seed %d", snakemake.wildcards.metric, *X.shape, p.sessions, p.rng_seed
)
scores = metrics.bootstrap(snakemake.wildcards.metric, X, y, groups, p.sessions, p.fraction, p.patient_wise, p.rng_seed)
log.info("mean %.4f, sd %.4f", scores.mean(), scores.std(ddof=1) if len(scores) > 1 else 0.0)
w = snakemake.wildcards
table = pd.DataFrame(
    {"dataset": w.dataset, "feature": w.feature, "metric": w.metric, "seed": int(w.seed)}
    | {"session": range(len(scores)), "score": scores}
)
io.write_table(table, snakemake.output[0])
