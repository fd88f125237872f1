"""Per-fold AUC of a reference model entry trained with cross-validation."""

from difficulty.logs import setup
from difficulty.models.jobs import train_reference

setup(snakemake.log[0])
train_reference(
    prepared=snakemake.params.prepared,
    labels=snakemake.input.labels,
    output=snakemake.output.folds,
    predictions=snakemake.output.predictions,
    dataset=snakemake.wildcards.dataset,
    model=snakemake.wildcards.model,
    spec=snakemake.params.spec,
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    plugins=snakemake.params.plugins,
)
