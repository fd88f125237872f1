"""Dataset difficulty estimation for 3D medical image classification."""

from snakemake.utils import min_version

min_version("9.0")


# A config given with --configfile replaces the default one (schema defaults fill the rest).
if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config/config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/correlation.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
