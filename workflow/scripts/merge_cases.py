"""The case table of a source dataset from its shards, and how to read its original views."""

from difficulty.data.jobs import merge_cases
from difficulty.logs import setup

setup(snakemake.log[0])
merge_cases(
    shards=snakemake.input.shards,
    skipped=snakemake.input.skipped,
    output=snakemake.output.cases,
    source=snakemake.output.source,
    qc=snakemake.output.qc,
    spec=snakemake.params.spec,
    seed=snakemake.params.seed,
    plugins=snakemake.params.plugins,
)
