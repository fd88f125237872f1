"""Labels of a dataset: its parent's (or its case table's), made by its variant kind."""

from difficulty.data.jobs import write_labels
from difficulty.logs import setup

setup(snakemake.log[0])
write_labels(
    parent=snakemake.input.parent,
    root=snakemake.input.root,
    output=snakemake.output[0],
    variant=snakemake.params.variant,
    options=snakemake.params.options,
    seed=snakemake.params.seed,
    inputs=snakemake.params.inputs,
    plugins=snakemake.params.plugins,
)
