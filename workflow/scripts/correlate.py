"""Correlation of every metric with every model's AUC across datasets, the measures ranked, and their figures."""

from difficulty.analysis.jobs import correlation_table
from difficulty.logs import setup

setup(snakemake.log[0])
correlation_table(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    output=snakemake.output.table,
    ranking=snakemake.output.ranking,
    heatmap=snakemake.output.heatmap,
    ranking_plot=snakemake.output.ranking_plot,
    options=snakemake.params.options,
    seed=snakemake.params.seed,
    study=snakemake.output.get("study"),
    study_seed=snakemake.params.study_seed,
)
