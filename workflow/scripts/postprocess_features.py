"""Z-score and drop NaN columns (the study's radiomics step), or standardise and reduce by PCA."""

from difficulty.features.jobs import postprocess_features
from difficulty.logs import setup

setup(snakemake.log[0])
postprocess_features(
    raw=snakemake.input.raw,
    output=snakemake.output.table,
    pca=snakemake.params.pca,
    variance=snakemake.output.get("variance"),
    icc=next(iter(snakemake.input.icc), None),
)
