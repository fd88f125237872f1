"""One chunk of block-bootstrap sessions of one metric entry."""

from difficulty.logs import setup
from difficulty.metrics.jobs import bootstrap_chunk

setup(snakemake.log[0])
bootstrap_chunk(
    features=snakemake.input.features,
    labels=snakemake.input.labels,
    output=snakemake.output[0],
    dataset=snakemake.wildcards.dataset,
    feature=snakemake.wildcards.feature,
    metric=snakemake.wildcards.metric,
    chunk=int(snakemake.wildcards.chunk),
    spec=snakemake.params.spec,
    seed=snakemake.params.seed,
    plugins=snakemake.params.plugins,
)
