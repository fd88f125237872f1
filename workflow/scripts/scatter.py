"""Scatter plot of one feature x metric x model combination."""

from difficulty import io, logs, plots

logs.setup(snakemake.log[0])
w = snakemake.wildcards
metrics = io.read_table(snakemake.input.metrics).query("feature == @w.feature and metric == @w.metric")
points = metrics.merge(io.read_table(snakemake.input.models).query("model == @w.model"), on="dataset")
corr = (
    io.read_table(snakemake.input.table)
    .query("feature == @w.feature and metric == @w.metric and model == @w.model")
    .iloc[0]
)
plots.scatter(points, corr, snakemake.output[0])
