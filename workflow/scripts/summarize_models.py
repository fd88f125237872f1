"""All fold scores (trained models and performance tables) in one table, and their mean and SD per dataset x model."""

from difficulty.analysis.jobs import collect_folds
from difficulty.logs import setup

setup(snakemake.log[0])
collect_folds(
    tables=snakemake.input.tables,
    performance=snakemake.input.performance,
    datasets=snakemake.params.datasets,
    folds=snakemake.output.folds,
    summary=snakemake.output.summary,
)
