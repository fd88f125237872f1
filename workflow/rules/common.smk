import os
import re
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from difficulty import datasets as ds
from difficulty.feature_types import default_weights, missing_weights_message, parse_deep
from difficulty.seeding import derive_seed
from difficulty.weights import expected_sum

validate(config, "../../config/schema.yaml")

R = config["results"]
PACKAGE = Path(workflow.basedir) / "src" / "difficulty"
DATASETS = ds.index(config["datasets"])
ROOTS = {name: ds.root(DATASETS, name) for name in DATASETS}
SOURCES = sorted(n for n in DATASETS if "source" in DATASETS[n])
FEATURES = config["features"]
PCA_FEATURES = sorted(f for f, spec in FEATURES.items() if spec.get("pca"))
PLAIN_FEATURES = sorted(f for f in FEATURES if f not in PCA_FEATURES)
DEEP_FEATURES = sorted(f for f in FEATURES if parse_deep(f))
METRICS = config["metrics"]
MODELS = config["models"]


def _alternatives(names):
    return "|".join(map(re.escape, names)) or "(?!)"


wildcard_constraints:
    dataset=_alternatives(DATASETS),
    root=_alternatives(SOURCES),
    feature=_alternatives(FEATURES),
    plain=_alternatives(PLAIN_FEATURES),
    pcafeat=_alternatives(PCA_FEATURES),
    deep=_alternatives(DEEP_FEATURES),
    metric=_alternatives(METRICS["names"]),
    model=_alternatives(MODELS),
    seed=r"\d+",
    shard=r"\d+",


def pkg(*modules):
    """Package modules a rule's results depend on: editing them re-runs the rule."""
    return [str(PACKAGE / f"{m}.py") for m in modules]


def radiomics_params():
    return FEATURES["radiomics"].get("params", str(Path(workflow.basedir) / "config" / "radiomics" / "fast.yaml"))


def weights_file(feature):
    return FEATURES[feature].get("weights", default_weights(feature))


def _check_inputs():
    """Stop before any work when a configured input is missing or malformed."""
    for name in SOURCES:
        spec = DATASETS[name]
        if spec["source"] == "medmnist" and not os.path.exists(spec["path"]) and not config["downloads"]:
            raise WorkflowError(
                f"dataset {name!r}: MedMNIST file {spec['path']} does not exist. Put the official .npz there, "
                "or set downloads: true to fetch it from Zenodo (needs internet)."
            )
        if spec["source"] == "sheet":
            try:
                ds.source_files(spec)
            except (OSError, ValueError) as err:
                raise WorkflowError(f"dataset {name!r}: {err}") from None
    if "radiomics" in FEATURES and not os.path.exists(radiomics_params()):
        raise WorkflowError(f"feature 'radiomics': pyradiomics parameter file {radiomics_params()} does not exist")
    for feature in DEEP_FEATURES:
        if parse_deep(feature)[0]:
            path = weights_file(feature)
            if not os.path.exists(path) and not config["downloads"]:
                raise WorkflowError(f"feature {feature!r}: {missing_weights_message(path)}")
            if os.path.exists(path):
                try:
                    expected_sum(path)
                except ValueError as err:
                    raise WorkflowError(f"feature {feature!r}: {err}") from None


_check_inputs()


def prepared(name):
    """Prepared case table, images and masks of the dataset whose images ``name`` uses."""
    folder = f"{R}/prepared/{ROOTS[name]}"
    return {k: f"{folder}/{k}.{ext}" for k, ext in (("cases", "parquet"), ("images", "npy"), ("masks", "npy"))}


def labels_input(wildcards):
    spec = DATASETS[wildcards.dataset]
    if "parent" in spec:
        return f"{R}/labels/{spec['parent']}.parquet"
    return prepared(wildcards.dataset)["cases"]


def feature_table(wildcards):
    return f"{R}/features/{ROOTS[wildcards.dataset]}/{wildcards.feature}.parquet"


def metric_chunks():
    return expand(
        f"{R}/metrics/{{dataset}}/{{feature}}/{{metric}}/seed{{seed}}.parquet",
        dataset=DATASETS,
        feature=FEATURES,
        metric=METRICS["names"],
        seed=range(METRICS["seeds"]),
    )


def model_folds():
    return expand(f"{R}/models/{{dataset}}/{{model}}.tsv", dataset=DATASETS, model=MODELS)


def scatter_plots():
    return expand(
        f"{R}/correlation/scatter/{{feature}}.{{metric}}.{{model}}.png",
        feature=FEATURES,
        metric=METRICS["names"],
        model=MODELS,
    )


def final_outputs():
    outputs = [
        f"{R}/metrics/summary.tsv",
        f"{R}/models/summary.tsv",
        f"{R}/correlation/table.tsv",
        f"{R}/correlation/heatmap.png",
        *scatter_plots(),
    ]
    if config["correlation"]["study_compat"]:
        outputs.append(f"{R}/correlation/study_compat.tsv")
    return outputs
