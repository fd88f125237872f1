"""Pearson and Spearman across datasets between mean metric score and mean AUC."""

from difficulty.analysis.jobs import correlation_table
from difficulty.logs import setup

setup(snakemake.log[0])
correlation_table(
    metrics=snakemake.input.metrics,
    models=snakemake.input.models,
    output=snakemake.output[0],
    n_boot=snakemake.params.n_boot,
    seed=snakemake.params.seed,
)
