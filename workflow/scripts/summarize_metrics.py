"""All bootstrap sessions in one table, and their mean and SD per dataset x feature x metric."""

import pandas as pd

from difficulty import io, logs
from difficulty.correlation import summarize_metrics

log = logs.setup(snakemake.log[0])
scores = pd.concat([io.read_table(p) for p in snakemake.input], ignore_index=True)
io.write_table(scores, snakemake.output.scores)
io.write_table(summarize_metrics(scores), snakemake.output.summary)
log.info("%d sessions summarised", len(scores))
