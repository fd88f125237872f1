"""Deep features of a MedicalNet backbone (GPU when present, else CPU)."""

from pathlib import Path

import pandas as pd
import torch

from difficulty import io, logs, medicalnet, weights
from difficulty.datasets import load_prepared

log = logs.setup(snakemake.log[0])
spec = snakemake.params.spec
checkpoint = snakemake.input.weights[0] if snakemake.input.weights else None
if checkpoint:
    weights.verify(checkpoint)
model = medicalnet.build_backbone(snakemake.wildcards.deep, checkpoint, snakemake.params.seed)
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(snakemake.threads)
cases, images, _ = load_prepared(Path(snakemake.input.cases).parent)
log.info("%s on %s: %d cases at %s", snakemake.wildcards.deep, device, len(cases), spec.get("size"))
features = medicalnet.extract(
    model, images, spec["size"], spec["batch_size"], device, workers=max(0, snakemake.threads - 1)
)
table = pd.DataFrame(features, columns=[f"f{i:04d}" for i in range(features.shape[1])])
table.insert(0, "case_id", cases["case_id"].to_numpy())
io.write_table(table, snakemake.output[0])
