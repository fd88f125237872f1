"""Radiomic features of one shard (every k-th case) of a dataset."""

from pathlib import Path

import numpy as np

from difficulty import io, logs
from difficulty.datasets import load_prepared
from difficulty.radiomics_features import extract_radiomics

log = logs.setup(snakemake.log[0])
cases, images, masks = load_prepared(Path(snakemake.input.cases).parent)
rows = np.arange(int(snakemake.wildcards.shard), len(cases), snakemake.params.shards)
log.info("shard %s: %d of %d cases", snakemake.wildcards.shard, len(rows), len(cases))
spacing = cases[["spacing_z", "spacing_y", "spacing_x"]].to_numpy()[rows]
table = extract_radiomics(cases["case_id"].to_numpy()[rows], images[rows], masks[rows], spacing, snakemake.input.params)
io.write_table(table, snakemake.output[0])
