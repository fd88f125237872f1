"""Features of one shard of a prepared dataset, by the entry's registered extractor."""

from difficulty.features.jobs import extract_shard
from difficulty.logs import setup

setup(snakemake.log[0])
extract_shard(
    prepared=snakemake.params.prepared,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    shard=int(snakemake.wildcards.shard),
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    plugins=snakemake.params.plugins,
)
