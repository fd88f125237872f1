"""Figure of the difficulty measures ranked by how well they predict each model's AUC."""

from difficulty.analysis.jobs import ranking_plot
from difficulty.logs import setup

setup(snakemake.log[0])
ranking_plot(ranking=snakemake.input.ranking, output=snakemake.output[0])
