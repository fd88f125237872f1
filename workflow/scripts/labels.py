"""Labels of a dataset: its parent's (or its own) with a seeded fraction flipped."""

from difficulty.data.jobs import write_labels
from difficulty.logs import setup

setup(snakemake.log[0])
write_labels(
    cases=snakemake.input.cases, output=snakemake.output[0], noise=snakemake.params.noise, seed=snakemake.params.seed
)
