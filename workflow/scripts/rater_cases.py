"""The raters' agreement on each case of a dataset, and the cases they agree least on."""

from difficulty.logs import setup
from difficulty.raters.jobs import rater_cases

setup(snakemake.log[0])
rater_cases(prepared=snakemake.params.prepared, output=snakemake.output.table, thumbnails=snakemake.output.thumbnails)
