"""The per-dataset answer table, easiest first by the best-ranked measure."""

from difficulty.analysis.jobs import answer
from difficulty.logs import setup

setup(snakemake.log[0])
answer(
    labels=snakemake.input.labels,
    datasets=snakemake.params.datasets,
    scores=snakemake.input.scores,
    models=snakemake.input.models,
    ranking=snakemake.input.ranking,
    predictions=snakemake.input.predictions,
    sources=snakemake.input.sources,
    output=snakemake.output[0],
)
