"""Concatenate feature shards into one table keyed by case_id."""

import pandas as pd

from difficulty import io, logs

log = logs.setup(snakemake.log[0])
table = pd.concat([io.read_table(p) for p in snakemake.input], ignore_index=True)
log.info("%d cases, %d features", len(table), table.shape[1] - 1)
io.write_table(table, snakemake.output[0])
