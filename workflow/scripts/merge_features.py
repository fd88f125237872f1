"""Concatenate the feature shards of a dataset into one table keyed by case_id."""

from difficulty.features.jobs import merge_shards
from difficulty.logs import setup

setup(snakemake.log[0])
merge_shards(shards=snakemake.input.shards, output=snakemake.output[0])
