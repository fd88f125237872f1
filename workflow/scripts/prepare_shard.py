"""Read, check and bring onto the model grid one shard of a source dataset, one case at a time."""

from difficulty.data.jobs import prepare_shard
from difficulty.logs import setup

setup(snakemake.log[0])
prepare_shard(
    spec=snakemake.params.spec,
    seed=snakemake.params.seed,
    shard=int(snakemake.wildcards.shard),
    cases=snakemake.output.cases,
    images=snakemake.output.images,
    masks=snakemake.output.masks,
    skipped=snakemake.output.skipped,
    plugins=snakemake.params.plugins,
)
