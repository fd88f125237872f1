"""Per dataset of raters: their agreement, the AUC ceiling, the features stable across their masks."""

from difficulty.logs import setup
from difficulty.raters.jobs import summarize_raters

setup(snakemake.log[0])
summarize_raters(
    datasets=snakemake.params.datasets,
    output=snakemake.output.summary,
    icc_plot=snakemake.output.get("icc"),
    seeds=snakemake.params.seeds,
    fraction=snakemake.params.fraction,
)
