"""Cases flagged per dataset and source, scored against the known label flips; the detection figure."""

from difficulty.curation.jobs import summarize_curation
from difficulty.logs import setup

setup(snakemake.log[0])
summarize_curation(
    tables=snakemake.params.tables,
    output=snakemake.output.summary,
    figure=snakemake.output.figure,
)
