"""Dataset difficulty estimation for 3D medical image classification.

The workflow's logic is the `difficulty` package, installed with the project (`make setup`: `pip install -e .`);
every job imports it as any Python program does.
"""

import os

from snakemake.utils import min_version

min_version("9.0")


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
include: "workflow/rules/raters.smk"


if config["downloads"]:

    include: "workflow/rules/downloads.smk"


# On a cluster these run in the submitting process: tables, summaries and plots take seconds.
localrules:
    all,
    roc,
    summarize_metrics,
    summarize_models,
    correlate,
    scatter,
    answer,
    distributions,
    summarize_curation,
    feature_icc,
    summarize_raters,
    calibration_points,
    predict_auc,


rule all:
    default_target: True
    input:
        FILES.final_outputs(config["correlation"]["study_compat"]),
