import re
from functools import cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

try:
    from difficulty.options import ConfigError
except ImportError as err:
    raise WorkflowError(f"the difficulty package is not installed ({err}): run `make setup` in the project folder")
from difficulty.pipeline import resources as res
from difficulty.pipeline.code import code_hash
from difficulty.pipeline.config import refuse_old_forms, resolve
from difficulty.pipeline.layout import Layout, relative

try:
    refuse_old_forms(config)
    validate(config, "../../config/schema.yaml")
    PLAN = resolve(config)
    PLAN.check_inputs(config["downloads"])
    PLAN.check_results(config["results"])
except ConfigError as err:
    raise WorkflowError(str(err)) from None

RESULTS = config["results"]
LOGS = f"{RESULTS}/logs"  # each results folder keeps its own jobs' logs
FILES = Layout(PLAN, RESULTS)
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
PCA_FEATURES = [name for name, entry in PLAN.features.items() if entry.pca]
PLAIN_FEATURES = [name for name in PLAN.features if name not in PCA_FEATURES]
RATERS = sorted({r for root in PLAN.prepared for r in PLAN.mask_raters(root)})


def _alternatives(names):
    return "|".join(map(re.escape, names)) or "(?!)"


wildcard_constraints:
    dataset=_alternatives(PLAN.datasets),
    root=_alternatives(PLAN.prepared),
    feature=_alternatives(PLAN.features),
    plain=_alternatives(PLAIN_FEATURES),
    pcafeat=_alternatives(PCA_FEATURES),
    metric=_alternatives(PLAN.metrics),
    model=_alternatives(PLAN.scored_models()),
    rater=_alternatives(RATERS),
    chunk=r"\d+",
    shard=r"\d+",


# What every job of a kind asks a scheduler for (memory and run time grow with the input and on each retry).
TABLE_JOB = {
    "mem_mb": lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
    "runtime": lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
}
PREPARE_JOB = {
    "mem_mb": lambda w, input, attempt: res.prepare_mem_mb(input.size_mb, attempt),
    "runtime": lambda w, input, attempt: res.prepare_runtime(input.size_mb, attempt),
}
EXTRACT_JOB = {
    "mem_mb": lambda w, input, attempt: res.extract(PLAN.features[w.feature], input.cases, input.grid, attempt)[0],
    "runtime": lambda w, input, attempt: res.extract(PLAN.features[w.feature], input.cases, input.grid, attempt)[1],
    "gpu": lambda w: int(PLAN.features[w.feature].gpu),
}
TRAIN_JOB = {
    "mem_mb": lambda w, input, attempt: res.train(PLAN.models[w.model], input.grid, attempt)[0],
    "runtime": lambda w, input, attempt: res.train(PLAN.models[w.model], input.grid, attempt)[1],
    "gpu": 1,
}
BOOTSTRAP_JOB = {
    "mem_mb": lambda w, input, attempt: res.bootstrap_mem_mb(input.size_mb, attempt),
    "runtime": lambda w, input, attempt: res.bootstrap_runtime(
        input.size_mb, PLAN.metrics[w.metric].sessions_per_chunk, attempt
    ),
}
CURATION_JOB = {
    "mem_mb": lambda w, input, attempt: res.curation_mem_mb(input.size_mb, res.table_rows(input.labels), attempt),
    "runtime": lambda w, input, attempt: res.curation_runtime(input.size_mb, res.table_rows(input.labels), attempt),
}
# The entry whose registered type a job runs, by the kind of entry: its name is this wildcard.
_ENTRY_WILDCARD = {
    "datasets": "root",
    "variants": "dataset",
    "features": "feature",
    "metrics": "metric",
    "models": "model",
}


@cache
def _code(script, *type_files):
    return code_hash(SCRIPTS / script, *type_files)


def code(script, kind=None):
    """The hash of the code a job runs (a parameter: a change of that code re-runs the job, a comment does not): its
    script, the package modules it imports and, for ``kind``, the module of the wildcard's entry's type."""
    if kind is None:
        return _code(script)
    return lambda w: _code(script, *PLAN.type_files(kind, w[_ENTRY_WILDCARD[kind]]))


def seed(stage):
    """The seed of a job of ``stage``, from the config's seed and the job's wildcards (``Plan.seed_for``)."""
    return lambda w: PLAN.seed_for(stage, **dict(w.items()))


def entry_job(script, kind, stage):
    """The parameters of a job that runs the wildcard's entry of ``kind``: the entry (a dataset's preparation, a
    variant's kind, options and inputs, another entry's spec), the code hash (:func:`code`), the plugins to load and the
    seed of ``stage`` (:func:`seed`)."""
    name = lambda w: w[_ENTRY_WILDCARD[kind]]
    if kind == "datasets":
        entry = {"spec": lambda w: PLAN.preparation(name(w))}
    elif kind == "variants":
        entry = {
            "variant": lambda w: PLAN.datasets[name(w)].variant,
            "options": lambda w: PLAN.datasets[name(w)].variant_options,
            "inputs": lambda w: FILES.variant_inputs(name(w)),
        }
    else:
        entry = {"spec": lambda w: getattr(PLAN, kind)[name(w)].spec}
    plugins = {"plugins": lambda w: PLAN.plugins_of(kind, name(w))}
    return entry | plugins | {"code": code(script, kind), "seed": seed(stage)}


def in_report(path, caption, category, subcategory=None):
    """An output that the HTML report shows, with its caption (``workflow/report/<caption>.rst``), labelled by the
    wildcards of its path."""
    labels = {name: f"{{{name}}}" for name in re.findall(r"(?<!\{)\{(\w+)\}(?!\})", path)} or None
    return report(path, caption=f"../report/{caption}.rst", category=category, subcategory=subcategory, labels=labels)


# The raters' ICC figure, an output of their summary where a dataset of raters' masks has features that read them.
RATER_ICC = (
    {"icc": in_report(f"{RESULTS}/raters/icc.png", "raters_icc", "Raters", "all datasets")} if FILES.rater_icc else {}
)
