"""Z-score and drop NaN columns (the study's radiomics step), or standardise and PCA."""

from difficulty import features, io, logs

log = logs.setup(snakemake.log[0])
raw = io.read_table(snakemake.input.table)
if "variance" in snakemake.output.keys():
    table, variance = features.reduce_pca(raw, snakemake.params.components)
    log.info("PCA: %d components explain %.3f of the variance", table.shape[1] - 1, variance["cumulative"].iloc[-1])
    io.write_table(variance, snakemake.output.variance)
else:
    table = features.zscore_drop_nan(raw)
log.info("%d cases, %d of %d features kept", len(table), table.shape[1] - 1, raw.shape[1] - 1)
io.write_table(table, snakemake.output.table)
