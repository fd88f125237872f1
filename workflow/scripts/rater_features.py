"""A feature entry's features of a prepared dataset on one rater's masks."""

from difficulty.logs import setup
from difficulty.raters.jobs import rater_features

setup(snakemake.log[0])
rater_features(
    prepared=snakemake.params.prepared,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    rater=snakemake.wildcards.rater,
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    plugins=snakemake.params.plugins,
)
