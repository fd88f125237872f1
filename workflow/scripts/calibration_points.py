"""Every calibration point of the run: its trained models, its performance tables, the calibration tables."""

from difficulty.logs import setup
from difficulty.prediction.jobs import collect_points

setup(snakemake.log[0])
collect_points(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    tables=snakemake.input.tables,
    output=snakemake.output[0],
    entries=snakemake.params.entries,
    families=snakemake.params.families,
    trained=snakemake.params.trained,
    performance=snakemake.params.performance,
    predictors=snakemake.params.predictors,
)
