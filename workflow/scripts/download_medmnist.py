"""Download an official MedMNIST 3D file (MD5-checked)."""

from difficulty.data.sources.medmnist import download_file
from difficulty.logs import setup

setup(snakemake.log[0])
download_file(output=snakemake.output[0])
