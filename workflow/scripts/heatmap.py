"""Heatmap of every correlation."""

from difficulty.analysis.jobs import heatmap_plot
from difficulty.logs import setup

setup(snakemake.log[0])
heatmap_plot(table=snakemake.input.table, output=snakemake.output[0])
