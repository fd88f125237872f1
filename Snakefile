"""Dataset difficulty estimation for 3D medical image classification."""

import os
import sys

from snakemake.utils import min_version

min_version("9.0")

# This process and every job import the package from this workflow's own src/ (the files that the
# rules list as code inputs), wherever the project folder lies.
SRC = os.path.join(workflow.basedir, "src")
sys.path.insert(0, SRC)
_paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != SRC]
os.environ.update(PYTHONPATH=os.pathsep.join([SRC, *_paths]))


# A config given with --configfile replaces the default one (defaults fill the rest).
if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config/config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/correlation.smk"
include: "workflow/rules/curation.smk"
include: "workflow/rules/prediction.smk"


if config["downloads"]:

    include: "workflow/rules/downloads.smk"


# On a cluster these run in the submitting process: tables, summaries and plots take seconds.
localrules:
    all,
    roc,
    summarize_metrics,
    summarize_models,
    correlate,
    correlate_study,
    scatter,
    heatmap,
    answer,
    ranking_plot,
    distributions,
    summarize_curation,
    calibration_points,
    predict_auc,
    calibration_plot,


rule all:
    default_target: True
    input:
        final_outputs(),
