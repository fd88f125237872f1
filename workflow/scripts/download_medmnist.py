"""Download an official MedMNIST 3D file (MD5-checked)."""

from difficulty import logs
from difficulty.medmnist import download_medmnist

logs.setup(snakemake.log[0])
flag, _, size = snakemake.wildcards.flag.partition("_")
download_medmnist(flag, int(size or 28), snakemake.output[0])
