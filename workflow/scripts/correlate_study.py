"""The original study's pooled correlation (compatibility mode)."""

from difficulty.analysis.jobs import study_table
from difficulty.logs import setup

setup(snakemake.log[0])
study_table(
    scores=snakemake.input.scores, folds=snakemake.input.folds, output=snakemake.output[0], seed=snakemake.params.seed
)
