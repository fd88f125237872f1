"""Case table and preprocessed volumes of one source dataset."""

from difficulty import datasets, io, logs

log = logs.setup(snakemake.log[0])
cases, images, masks = datasets.load(snakemake.params.spec, snakemake.params.seed)
log.info("%d cases, grid %s, labels %s", len(cases), images.shape[1:], cases["label"].value_counts().to_dict())
io.write_array(images, snakemake.output.images)
io.write_array(masks, snakemake.output.masks)
io.write_table(cases, snakemake.output.cases)
