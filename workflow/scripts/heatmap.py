"""Heatmap of every correlation."""

from difficulty import io, logs, plots

logs.setup(snakemake.log[0])
plots.heatmap(io.read_table(snakemake.input.table), snakemake.output[0])
