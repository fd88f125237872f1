"""The calibration points of a run (its own and the compatible ones of calibration tables); its own exported."""

from difficulty.logs import setup
from difficulty.prediction.jobs import collect_points

setup(snakemake.log[0])
collect_points(
    scores=snakemake.input.scores,
    folds=snakemake.input.folds,
    tables=snakemake.input.tables,
    output=snakemake.output.points,
    entries=snakemake.params.entries,
    datasets=snakemake.params.datasets,
    trained=snakemake.params.trained,
    performance=snakemake.params.performance,
    predictors=snakemake.params.predictors,
    export=snakemake.output.get("export"),
    plugins=snakemake.params.plugins,
)
