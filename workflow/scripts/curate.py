"""Curation table of a dataset (label issues, kDN, outlier scores, worst first) and its worst cases' thumbnails."""

from difficulty.curation.jobs import curate
from difficulty.logs import setup

setup(snakemake.log[0])
curate(
    labels=snakemake.input.labels,
    features=snakemake.input.features,
    predictions=snakemake.input.predictions,
    raters=snakemake.input.raters,
    prepared=snakemake.params.prepared,
    table=snakemake.output.table,
    thumbnails=snakemake.output.thumbnails,
    dataset=snakemake.wildcards.dataset,
    options=snakemake.params.options,
    seed=snakemake.params.seed,
    left_out=snakemake.params.left_out,
)
