"""All bootstrap sessions in one table, and their mean and SD per dataset x feature x metric."""

from difficulty.analysis.jobs import collect_scores
from difficulty.logs import setup

setup(snakemake.log[0])
collect_scores(chunks=snakemake.input.chunks, scores=snakemake.output.scores, summary=snakemake.output.summary)
