"""Correlation of every metric with every model's AUC across datasets, and the measures ranked."""

from difficulty.analysis.jobs import correlation_table
from difficulty.logs import setup

setup(snakemake.log[0])
correlation_table(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    output=snakemake.output.table,
    ranking=snakemake.output.ranking,
    n_boot=snakemake.params.n_boot,
    seed=snakemake.params.seed,
    rank_by=snakemake.params.rank_by,
)
