"""Labels of a dataset: its parent's (or its own) with a seeded fraction flipped."""

from difficulty import io, logs
from difficulty.labels import flip_labels

log = logs.setup(snakemake.log[0])
cases = io.read_table(snakemake.input.cases)[["case_id", "patient_id", "label"]]
noisy = flip_labels(cases["label"], snakemake.params.noise, snakemake.params.seed)
log.info(
    "label noise %.3f: %d of %d labels flipped", snakemake.params.noise, (noisy != cases["label"]).sum(), len(cases)
)
io.write_table(cases.assign(label=noisy), snakemake.output[0])
