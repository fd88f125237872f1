"""Pearson and Spearman across datasets between mean metric score and mean AUC."""

from difficulty import io, logs
from difficulty.correlation import correlate

log = logs.setup(snakemake.log[0])
table = correlate(
    io.read_table(snakemake.input.metrics),
    io.read_table(snakemake.input.models),
    snakemake.params.bootstrap,
    snakemake.params.seed,
)
log.info("\n%s", table.to_string())
io.write_table(table, snakemake.output[0])
