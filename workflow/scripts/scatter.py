"""Scatter plot of one feature x metric x model combination."""

from difficulty.analysis.jobs import scatter_plot
from difficulty.logs import setup

setup(snakemake.log[0])
scatter_plot(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    table=snakemake.input.table,
    output=snakemake.output[0],
    feature=snakemake.wildcards.feature,
    metric=snakemake.wildcards.metric,
    model=snakemake.wildcards.model,
    n_boot=snakemake.params.n_boot,
    seed=snakemake.params.seed,
)
