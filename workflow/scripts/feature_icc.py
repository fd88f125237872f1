"""Each feature's ICC(3,1) across the raters' masks, and whether it is stable."""

from difficulty.logs import setup
from difficulty.raters.jobs import icc_table

setup(snakemake.log[0])
icc_table(tables=snakemake.params.tables, output=snakemake.output[0], threshold=snakemake.params.threshold)
