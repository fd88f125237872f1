import os
import re
from functools import cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

from difficulty.curation.options import curation_sources
from difficulty.options import ConfigError
from difficulty.pipeline import config as pipeline_config
from difficulty.pipeline import resources as res
from difficulty.pipeline.code import code_files
from difficulty.seeding import derive_seed
from difficulty.sharding import shard_positions

for note in pipeline_config.upgrade(config):
    logger.warning(f"config: {note}")
validate(config, "../../config/schema.yaml")
try:
    PLAN = pipeline_config.resolve(config)
    PLAN.check_inputs(config["downloads"])
except ConfigError as err:
    raise WorkflowError(str(err)) from None

RESULTS = config["results"]
LOGS = f"{RESULTS}/logs"  # each results folder keeps its own jobs' logs
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
PCA_FEATURES = sorted(f for f, spec in PLAN.features.items() if spec["pca"])
PLAIN_FEATURES = sorted(f for f in PLAN.features if f not in PCA_FEATURES)
SCORED_MODELS = PLAN.scored_models()


def _alternatives(names):
    return "|".join(map(re.escape, names)) or "(?!)"


wildcard_constraints:
    dataset=_alternatives(PLAN.datasets),
    root=_alternatives(PLAN.prepared),
    feature=_alternatives(PLAN.features),
    plain=_alternatives(PLAIN_FEATURES),
    pcafeat=_alternatives(PCA_FEATURES),
    metric=_alternatives(PLAN.metrics),
    model=_alternatives(SCORED_MODELS),
    chunk=r"\d+",
    shard=r"\d+",


@cache
def _code(script, *type_files):
    files = code_files(SCRIPTS / script, *[f for f in type_files if f])
    return tuple(os.path.relpath(f) for f in files)


def code(script, kind=None, key=None):
    """Code inputs of a job: its script, the package files it imports and its registered type's module.

    Paths are relative to the working folder, so that a project folder can move.
    """
    type_file = PLAN.entry(kind, key).source_file if kind else None
    return list(_code(script, type_file))


def image_code(script, root):
    """The files a preparation job runs for the image kinds of its dataset's chain, beyond ``code(script, ...)``."""
    kinds = [PLAN.entry("variants", change["dataset"]).source_file for change in PLAN.image_changes(root)]
    source = PLAN.entry("datasets", root).source_file
    return [f for f in _code(script, source, *kinds) if f not in _code(script, source)]


def relative(path):
    return os.path.relpath(path) if os.path.isabs(path) else path


def prepared_folder(root):
    return f"{RESULTS}/prepared/{root}"


def prepared(root):
    """What the prepare steps write for a prepared dataset: its case table, how to read it, its shards' files."""
    folder, shards = prepared_folder(root), range(PLAN.preparation(root)["shards"])
    return {
        "cases": f"{folder}/cases.parquet",
        "source": f"{folder}/source.json",
        "grid": [f"{folder}/shard{k}/grid.npy" for k in shards],
        "grid_masks": [f"{folder}/shard{k}/grid_masks.npy" for k in shards],
        "shard_cases": [f"{folder}/shard{k}/cases.parquet" for k in shards],
        "skipped": [f"{folder}/shard{k}/skipped.tsv" for k in shards],
    }


def prepared_data(root):
    """The prepared data that feature and model jobs read (not the per-shard case tables)."""
    files = prepared(root)
    return {key: files[key] for key in ("cases", "source", "grid", "grid_masks")}


def shard_files(wildcards):
    """Input files of one preparation shard (a change re-runs only that shard's preparation)."""
    spec, source = PLAN.preparation(wildcards.root), PLAN.entry("datasets", wildcards.root)
    rows = None
    if spec["shards"] > 1:
        try:
            cases = source.cases(spec)
        except OSError:  # not there yet: a download rule fetches it
            cases = None
        if cases is not None:
            rows = cases.iloc[shard_positions(len(cases), int(wildcards.shard), spec["shards"])]
    return [relative(p) for p in source.files(spec, rows)]


def extract_resources(wildcards, input, attempt):
    """(mem_mb, runtime) of a feature extraction shard, from the prepared cases' sizes."""
    extractor = PLAN.entry("features", wildcards.feature)
    cases, original = res.case_sizes(input.cases)
    voxels = max(original, res.grid_size(input.grid)[1])
    shards = PLAN.features[wildcards.feature].get("shards", 1)
    return res.extract_mem_mb(extractor.mem_mb, voxels, attempt), res.extract_runtime(cases, voxels, shards, attempt)


def train_resources(wildcards, input, attempt):
    """(mem_mb, runtime) of a reference model's cross-validation, from the model grid's size."""
    spec = PLAN.models[wildcards.model]
    cases, voxels = res.grid_size(input.grid)
    return (
        res.train_mem_mb(voxels, spec["batch_size"], attempt),
        res.train_runtime(cases, voxels, spec["folds"], spec["epochs"], attempt),
    )


def dataset_seed(root):
    """The seed a prepared dataset's source reads with: its origin's (an image variant sees its source's cases)."""
    return derive_seed(config["seed"], PLAN.origin(root), "prepare")


try:
    PLAN.check_results(RESULTS, {root: dataset_seed(root) for root in PLAN.prepared})
except ConfigError as err:
    raise WorkflowError(str(err)) from None


def labels_input(wildcards):
    spec = PLAN.datasets[wildcards.dataset]
    if "parent" in spec:
        return f"{RESULTS}/labels/{spec['parent']}.parquet"
    return prepared(wildcards.dataset)["cases"]


def variant_inputs(wildcards):
    """Name → file of what a dataset's variant kind reads besides its parent's labels (a curation table)."""
    return {key: f"{RESULTS}/{path}" for key, path in PLAN.variant_inputs(wildcards.dataset).items()}


def feature_inputs(wildcards):
    """Files a feature entry reads besides the prepared data (a parameter file, weights)."""
    options = PLAN.own_options("features", wildcards.feature)
    return [relative(p) for p in PLAN.entry("features", wildcards.feature).inputs(options).values()]


def model_inputs(model):
    """Files a model entry reads (pretrained weights)."""
    return [relative(p) for p in PLAN.entry("models", model).inputs(PLAN.own_options("models", model)).values()]


def metric_chunks():
    return [
        f"{RESULTS}/metrics/{dataset}/{feature}/{metric}/chunk{chunk}.parquet"
        for dataset in PLAN.datasets
        for feature in PLAN.features
        for metric, spec in PLAN.metrics.items()
        for chunk in range(spec["chunks"])
    ]


def model_folds():
    return expand(f"{RESULTS}/models/{{dataset}}/{{model}}.tsv", dataset=PLAN.trained, model=PLAN.models)


def scatter_plots():
    return expand(
        f"{RESULTS}/correlation/scatter/{{feature}}.{{metric}}.{{model}}.png",
        feature=PLAN.features,
        metric=PLAN.metrics,
        model=SCORED_MODELS,
    )


def roc_plots():
    return expand(f"{RESULTS}/models/{{dataset}}/{{model}}.roc.png", dataset=PLAN.trained, model=PLAN.models)


def prediction_outputs():
    """The prediction stage's tables and figure, and the exported calibration table where one is asked for."""
    files = ["predicted_auc.tsv", "predictors.tsv", "calibration.png"]
    outputs = [f"{RESULTS}/prediction/{name}" for name in files]
    return outputs + ([PLAN.calibration["export"]] if PLAN.calibration["export"] else [])


def curation_features(wildcards):
    """Feature entry → the dataset's root's feature table: a probe source and kDN/outlier columns each."""
    root = PLAN.roots[wildcards.dataset]
    return {feature: f"{RESULTS}/features/{root}/{feature}.parquet" for feature in PLAN.features}


def curation_predictions(wildcards):
    """Model entry → its kept test predictions on the dataset, for the models cross-validated on every case."""
    _, models, _ = curation_sources(PLAN.features, PLAN.models)
    if wildcards.dataset not in PLAN.trained:  # train: false: the probes only
        return {}
    return {model: f"{RESULTS}/models/{wildcards.dataset}/{model}.predictions.parquet" for model in models}


def curation_outputs():
    """Every dataset's curation table and thumbnails, and the summary with the detection figure."""
    if not PLAN.curation["enabled"]:
        return []
    files = expand(f"{RESULTS}/curation/{{dataset}}.{{ext}}", dataset=PLAN.datasets, ext=("tsv", "png"))
    return [*files, f"{RESULTS}/curation/summary.tsv", f"{RESULTS}/curation/detection.png"]


def final_outputs():
    outputs = [
        *prediction_outputs(),
        *roc_plots(),
        *expand(f"{RESULTS}/qc/{{root}}.tsv", root=PLAN.prepared),
        f"{RESULTS}/metrics/summary.tsv",
        f"{RESULTS}/models/summary.tsv",
        *expand(f"{RESULTS}/metrics/distributions/{{metric}}.png", metric=PLAN.metrics),
        *curation_outputs(),
    ]
    if not PLAN.trained and not PLAN.performance:  # prediction only: no AUC here to correlate with
        return outputs
    outputs += [
        f"{RESULTS}/correlation/table.tsv",
        f"{RESULTS}/correlation/heatmap.png",
        f"{RESULTS}/correlation/ranking.png",
        f"{RESULTS}/answer.tsv",
        *scatter_plots(),
    ]
    if config["correlation"]["study_compat"]:
        outputs.append(f"{RESULTS}/correlation/study_compat.tsv")
    return outputs
