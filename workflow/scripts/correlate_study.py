"""The original study's pooled correlation (compatibility mode)."""

from difficulty import io, logs
from difficulty.correlation import correlate_study

log = logs.setup(snakemake.log[0])
table = correlate_study(
    io.read_table(snakemake.input.scores), io.read_table(snakemake.input.folds), snakemake.params.seed
)
log.info("\n%s", table.to_string())
io.write_table(table, snakemake.output[0])
