"""Download a MedicalNet checkpoint from Hugging Face (SHA-256-checked)."""

from difficulty.logs import setup
from difficulty.networks.weights import download_checkpoint

setup(snakemake.log[0])
download_checkpoint(depth=int(snakemake.wildcards.depth), output=snakemake.output[0])
