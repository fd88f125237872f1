"""This run's own calibration points as a calibration table for other runs (calibration.export)."""

from difficulty.logs import setup
from difficulty.prediction.jobs import export_points

setup(snakemake.log[0])
export_points(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    output=snakemake.output[0],
    entries=snakemake.params.entries,
    families=snakemake.params.families,
    trained=snakemake.params.trained,
    performance=snakemake.params.performance,
)
