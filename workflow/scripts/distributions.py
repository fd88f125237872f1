"""Box plots of one metric's bootstrap scores per dataset and feature type."""

from difficulty.analysis.jobs import distribution_plot
from difficulty.logs import setup

setup(snakemake.log[0])
distribution_plot(scores=snakemake.input.scores, output=snakemake.output[0], metric=snakemake.wildcards.metric)
