"""The calibration figure: measure against AUC per model entry, the fit with its band, the predicted datasets."""

from difficulty.logs import setup
from difficulty.prediction.jobs import calibration_figure

setup(snakemake.log[0])
calibration_figure(
    points=snakemake.input.points,
    predictions=snakemake.input.predictions,
    predictors=snakemake.input.predictors,
    scores=snakemake.input.scores,
    output=snakemake.output[0],
)
