"""All fold AUCs in one table, and their mean and SD per dataset x model."""

import pandas as pd

from difficulty import io, logs
from difficulty.correlation import summarize_models

log = logs.setup(snakemake.log[0])
folds = pd.concat([io.read_table(p) for p in snakemake.input], ignore_index=True)
io.write_table(folds, snakemake.output.folds)
io.write_table(summarize_models(folds), snakemake.output.summary)
log.info("%d folds summarised", len(folds))
