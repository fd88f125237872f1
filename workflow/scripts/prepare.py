"""Case table and volumes of one source dataset."""

from difficulty.data.jobs import prepare_dataset
from difficulty.logs import setup

setup(snakemake.log[0])
prepare_dataset(
    spec=snakemake.params.spec,
    seed=snakemake.params.seed,
    cases=snakemake.output.cases,
    images=snakemake.output.images,
    masks=snakemake.output.masks,
    plugins=snakemake.params.plugins,
)
