"""Download a MedicalNet checkpoint from Hugging Face (SHA-256-checked)."""

from difficulty import logs, weights
from difficulty.feature_types import CHECKPOINTS, HF_REPOS

logs.setup(snakemake.log[0])
depth = int(snakemake.wildcards.depth)
weights.download(HF_REPOS[depth], CHECKPOINTS[depth], snakemake.output[0], weights.sums_file(snakemake.output[0]))
