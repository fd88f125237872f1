"""The predicted AUC of every dataset x model entry, with its interval, the predictors chosen and their figure."""

from difficulty.logs import setup
from difficulty.prediction.jobs import predict

setup(snakemake.log[0])
predict(
    points=snakemake.input.points,
    scores=snakemake.input.scores,
    models_summary=snakemake.input.models,
    output=snakemake.output.predictions,
    predictors=snakemake.output.predictors,
    models=snakemake.params.models,
    datasets=snakemake.params.datasets,
    coverage=snakemake.params.coverage,
    fits=snakemake.params.fits,
    rivals=snakemake.params.rivals,
    prefer=snakemake.params.prefer,
    plugins=snakemake.params.plugins,
    calibration_plot=snakemake.output.calibration,
    forest_plot=snakemake.output.forest,
)
