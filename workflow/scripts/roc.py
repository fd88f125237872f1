"""ROC curves of a reference model's test predictions on a dataset."""

from difficulty.analysis.jobs import roc_figure
from difficulty.logs import setup

setup(snakemake.log[0])
roc_figure(
    predictions=snakemake.input.predictions,
    output=snakemake.output[0],
    dataset=snakemake.wildcards.dataset,
    model=snakemake.wildcards.model,
)
