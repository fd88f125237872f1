"""Scatter plot of one feature x metric x model combination."""

from difficulty.analysis.jobs import scatter_plot
from difficulty.logs import setup

setup(snakemake.log[0])
scatter_plot(
    metrics=snakemake.input.metrics,
    models=snakemake.input.models,
    table=snakemake.input.table,
    output=snakemake.output[0],
    feature=snakemake.wildcards.feature,
    metric=snakemake.wildcards.metric,
    model=snakemake.wildcards.model,
)
