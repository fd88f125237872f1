"""Per-fold AUC of a reference model trained with cross-validation."""

from pathlib import Path

from difficulty import io, logs
from difficulty.datasets import load_prepared
from difficulty.reference_models import cross_validate

log = logs.setup(snakemake.log[0])
cases, images, _ = load_prepared(Path(snakemake.input.cases).parent)
labels = io.read_table(snakemake.input.labels).set_index("case_id").loc[cases["case_id"], "label"].to_numpy()
folds = cross_validate(images, labels, snakemake.params.spec, tuple(snakemake.params.seed_keys), snakemake.threads)
folds.insert(0, "model", snakemake.wildcards.model)
folds.insert(0, "dataset", snakemake.wildcards.dataset)
log.info("mean AUC %.4f", folds["auc"].mean())
io.write_table(folds, snakemake.output[0])
