"""The workflow's config resolved into a :class:`Plan`: every entry typed and checked against the registries.

:func:`resolve` turns a config (already validated against ``config/schema.yaml``)
into a :class:`Plan`: every dataset, feature, metric and model entry with its
type and all its options, defaults filled. Everything that cannot run stops
here, before any job, with one readable message.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..analysis.performance import check_performance, read_performance
from ..curation.options import curation_sources, resolve_curation
from ..curation.probabilities import check_fold_classes
from ..data import SOURCES, VARIANTS, columns, index, resolve_dataset, root
from ..data.datasets import prepared_root
from ..data.qc import check_class_sizes, patients_under_several_labels
from ..features import FEATURES, resolve_feature
from ..metrics import BOOTSTRAP_OPTIONS, METRICS, resolve_metric
from ..models import MODELS, resolve_model
from ..options import ConfigError
from ..options import resolve as resolve_options
from ..prediction.options import CALIBRATION_OPTIONS, calibration_tables
from ..registry import load_plugins
from ..seeding import derive_seed
from .entries import DatasetEntry, FeatureEntry, MetricEntry, ModelEntry

log = logging.getLogger(__name__)

# Keys of earlier releases, each refused with the form that replaces it.
_RENAMED = {"seeds": "chunks", "sessions_per_seed": "sessions_per_chunk"}
_OLD_DEEP_NAME = re.compile(r"^(medicalnet|random)_resnet(10|18|34|50)$")

# Each stage's seed: the config's seed, then these keys of the target (``Plan.seed_for``).
_SEED_KEYS = {
    "prepare": lambda plan, k: (plan.origin(k["root"]), "prepare"),
    "variant": lambda plan, k: (k["dataset"], plan.datasets[k["dataset"]].variant),
    "features": lambda plan, k: (k["feature"], "init"),
    "bootstrap": lambda plan, k: (k["dataset"], k["feature"], k["metric"], k["chunk"]),
    "train": lambda plan, k: (k["dataset"], k["model"]),
    "curation": lambda plan, k: (k["dataset"], "curation"),
    "raters": lambda plan, k: ("raters",),
    "correlation": lambda plan, k: ("correlation",),
    "study_compat": lambda plan, k: ("correlation", "study"),
}
_ENTRY_KINDS = ("models", "features", "metrics")
_RATER_COLUMNS = {"masks": columns.mask_raters, "labels": columns.label_raters, "sequences": columns.sequences}
# Stages whose jobs derive many seeds from the keys (a fold's initialisation, its batches): they get the keys.
_KEYED_STAGES = ("train",)


def refuse_old_forms(config: dict) -> None:
    """Stop at a key or form of an earlier release (ConfigError naming what replaces it)."""
    metrics = config.get("metrics")
    if isinstance(metrics, dict) and isinstance(metrics.get("names"), list):
        entries = ", ".join(f"{n}: {{type: {n}}}" for n in metrics["names"])
        raise ConfigError(
            f"config: metrics.names: metrics are entries now: write `metrics: {{{entries}}}` and the bootstrap "
            "settings under `bootstrap:`"
        )
    blocks = {"bootstrap": config.get("bootstrap")} | {f"metrics.{n}": s for n, s in (metrics or {}).items()}
    for where, block in blocks.items():
        for old, new in _RENAMED.items():
            if isinstance(block, dict) and old in block:
                raise ConfigError(f"config: {where}.{old}: renamed; write it as `{new}`")
    for name, spec in (config.get("features") or {}).items():
        match = _OLD_DEEP_NAME.match(name)
        if match and isinstance(spec, dict) and "type" not in spec:
            kind = "medicalnet" if match.group(1) == "medicalnet" else "random_resnet"
            raise ConfigError(
                f"config: features.{name}: name its type: `{name}: {{type: {kind}, depth: {match.group(2)}, ...}}`"
            )


@dataclass(frozen=True)
class Plan:
    """A resolved config: every entry typed, with all its options.

    Attributes
    ----------
    datasets, features, metrics, models : name → entry (:mod:`difficulty.pipeline.entries`), in config order.
    performance : performance tables that stand beside or instead of trained models.
    plugins : module name → the config's ``plugins`` item that loaded it.
    curation : the curation stage's options (``primary`` named).
    seed : the config's seed; every job's seed derives from it (:meth:`seed_for`).
    calibration : the prediction stage's options (``calibration:``).
    """

    datasets: dict[str, DatasetEntry]
    features: dict[str, FeatureEntry]
    metrics: dict[str, MetricEntry]
    models: dict[str, ModelEntry]
    performance: list[str]
    plugins: dict[str, str]
    curation: dict = field(default_factory=dict)
    seed: int = 0
    calibration: dict = field(default_factory=dict)

    def seed_for(self, stage: str, **keys) -> int | tuple:
        """The seed of a job of ``stage`` (``prepare``, ``variant``, ``features``, ``bootstrap``, ``train``,
        ``curation``, ``raters``, ``correlation``, ``study_compat``) from the config's seed and the target's keys.

        ``keys`` are the job's wildcards (those the stage does not use are ignored). A training job gets the
        keys themselves, from which each fold derives its own seeds (:func:`difficulty.seeding.derive_seed`
        flattens them); every other stage an int.
        """
        keys = (self.seed, *_SEED_KEYS[stage](self, keys))
        return keys if stage in _KEYED_STAGES else derive_seed(*keys)

    @cached_property
    def roots(self) -> dict[str, str]:
        """Dataset → the dataset whose prepared data and features it uses: itself for a source and for a variant
        whose kind changes the images, else its parent's root."""
        specs = self._specs
        return {name: prepared_root(specs, name) for name in self.datasets}

    @property
    def _specs(self) -> dict[str, dict]:
        return {name: dict(entry.spec) for name, entry in self.datasets.items()}

    @property
    def sources(self) -> list[str]:
        """Datasets with images of their own source (not variants)."""
        return sorted(n for n, entry in self.datasets.items() if entry.source is not None)

    @property
    def prepared(self) -> list[str]:
        """Datasets with a preparation (and features) of their own: the sources and the variants that change images."""
        return sorted(set(self.roots.values()))

    def origin(self, name: str) -> str:
        """The source dataset at the top of a dataset's chain of parents (itself for a source)."""
        return root(self._specs, name)

    @cached_property
    def raters(self) -> dict[str, dict[str, list[str]]]:
        """Source dataset → the ``masks`` and ``labels`` raters and the ``sequences`` of its case table
        (:mod:`difficulty.data.columns`), for the sources that have raters or sequences."""
        out = {}
        for name in self.sources:
            entry = self.datasets[name]
            try:
                cases = entry.registered.cases(entry.plain)
            except (OSError, ValueError):  # not there yet (a download rule fetches it), or refused by check_inputs
                continue
            found = {key: getter(cases) for key, getter in _RATER_COLUMNS.items()}
            if any(found.values()):
                out[name] = found
        return out

    @property
    def rater_datasets(self) -> list[str]:
        """The datasets whose raters' agreement is measured: sources with two raters' masks or labels or more, in
        config order."""
        found = self.raters
        return [n for n in self.datasets if max(len(found.get(n, {}).get(k, ())) for k in ("masks", "labels")) >= 2]

    def mask_raters(self, root: str) -> list[str]:
        """The raters whose masks the cases of a prepared dataset carry (its origin's)."""
        return self.raters.get(self.origin(root), {}).get("masks", [])

    @property
    def mask_features(self) -> list[str]:
        """The feature entries whose features depend on the masks (their ICC across raters is measured)."""
        return [name for name, entry in self.features.items() if entry.reads_masks]

    def stable_only(self, root: str, feature: str) -> bool:
        """Whether a prepared dataset's features of an entry keep only the features stable across its raters."""
        entry = self.features[feature]
        return entry.reads_masks and entry.stable_only and len(self.mask_raters(root)) >= 2

    @property
    def families(self) -> dict[str, str]:
        """Dataset → its family: its origin's ``family`` option, or the origin's own name."""
        return {name: self.datasets[self.origin(name)].family or self.origin(name) for name in self.datasets}

    @property
    def kinds(self) -> dict[str, str]:
        """Dataset → its kind for calibration (``difficulty.prediction.points.DATASET_KINDS``): ``phantom`` where
        its origin's source generates its images; else ``real`` for the dataset that names its family, ``variant``
        for the others of the family (its variants, the same patients from another source)."""
        out = {}
        for name in self.datasets:
            if self.datasets[self.origin(name)].registered.phantom:
                out[name] = "phantom"
            else:
                out[name] = "real" if self.families[name] == name else "variant"
        return out

    def calibration_datasets(self) -> dict[str, dict[str, str]]:
        """Dataset → its ``family`` (:attr:`families`) and ``kind`` (:attr:`kinds`), as calibration points record
        them."""
        kinds = self.kinds
        return {name: {"family": family, "kind": kinds[name]} for name, family in self.families.items()}

    @property
    def trained(self) -> list[str]:
        """Datasets the reference models are trained on (``train`` not false)."""
        return [name for name, entry in self.datasets.items() if entry.train]

    @property
    def trained_models(self) -> list[str]:
        """Model entries this run trains (``train`` not false); the others' AUC is only predicted."""
        return [name for name, entry in self.models.items() if entry.train]

    def image_changes(self, name: str) -> list[dict]:
        """The image changes of a dataset's chain, from its origin down: ``dataset, variant, options, seed`` each."""
        chain = []
        while self.datasets[name].parent is not None:
            entry = self.datasets[name]
            if entry.changes_images:
                seed = self.seed_for("variant", dataset=name)
                chain.append(
                    {"dataset": name, "variant": entry.variant, "options": entry.variant_options, "seed": seed}
                )
            name = entry.parent
        return chain[::-1]

    def variant_inputs(self, name: str) -> dict[str, str]:
        """Files under the results folder (relative paths) that a dataset's variant kind reads besides its parent's
        labels (:attr:`difficulty.data.VariantKind.inputs`); none for a source dataset."""
        entry = self.datasets[name]
        if entry.parent is None or entry.kind.inputs is None:
            return {}
        return dict(entry.kind.inputs(entry.parent))

    def preparation(self, root: str) -> dict:
        """The entry of a prepared dataset as its preparation sees it (its labels are the labels step's).

        A source's entry without the options that do not change its images; an image variant's is its
        origin's with its own ``name`` and the chain of ``images`` changes (:meth:`image_changes`).
        """
        if self.datasets[root].parent is not None:
            return self.preparation(self.origin(root)) | {"name": root, "images": self.image_changes(root)}
        return {k: v for k, v in self.datasets[root].plain.items() if k not in ("label_noise", "train", "family")}

    def plugins_of(self, kind: str, *names: str) -> list[str]:
        """The plugins a job of these entries must load, each once (empty for built-in types).

        ``kind`` is ``datasets`` (a dataset's preparation: its source's and those of the image kinds of its
        chain), ``variants`` (the kind that makes a dataset's labels), ``features``, ``metrics`` or ``models``.
        """
        modules = []
        for name in names:
            if kind == "datasets":
                modules.append(self.datasets[self.origin(name)].registered.module)
                modules += [VARIANTS.get(change["variant"]).module for change in self.image_changes(name)]
            elif kind == "variants":
                modules.append(self.datasets[name].kind.module)
            else:
                modules.append(getattr(self, kind)[name].registered.module)
        return list(dict.fromkeys(self.plugins[m] for m in modules if m in self.plugins))

    def type_files(self, kind: str, name: str) -> list[str]:
        """The files of the registered types a job of entry ``name`` runs (kinds as for :meth:`plugins_of`)."""
        if kind == "datasets":
            kinds = [VARIANTS.get(change["variant"]) for change in self.image_changes(name)]
            types = [self.datasets[self.origin(name)].registered, *kinds]
        elif kind == "variants":
            types = [self.datasets[name].kind]
        else:
            types = [getattr(self, kind)[name].registered]
        return [t.source_file for t in types if t.source_file]

    def class_needs(self) -> dict[str, int]:
        """The fewest cases per class that each metric and model entry needs, by what needs it."""
        needs = {}
        for name, entry in self.metrics.items():
            n = least = entry.min_per_class  # a bootstrap session draws round(n · fraction) cases of each class
            while max(1, round(n * entry.fraction)) < least:
                n += 1
            needs[f"metric {name!r} (fraction {entry.fraction})"] = n
        for name in self.trained_models:
            entry = self.models[name]
            if entry.split != "official":  # auto: folds where a dataset has no official split
                needs[f"model {name!r} ({entry.folds} folds)"] = entry.folds
        return needs

    def curation_sources(self) -> tuple[list[str], list[str], list[str]]:
        """The curation stage's sources of out-of-fold probabilities (:func:`difficulty.curation.curation_sources`)."""
        return curation_sources(self.features, {name: self.models[name].spec for name in self.trained_models})

    def comparable_entries(self) -> dict[str, dict]:
        """``models``, ``features``, ``metrics``: name → the entry without its options that do not change results,
        as calibration points compare them (:func:`difficulty.prediction.select_points`); a model known only
        from a performance table is None (matched by name)."""
        out = {kind: {name: e.comparable for name, e in getattr(self, kind).items()} for kind in _ENTRY_KINDS}
        out["models"] |= {name: None for name in self.scored_models() if name not in self.models}
        return out

    @property
    def calibration_tables(self) -> list[str]:
        """The calibration tables this run reads (its ``calibration.tables``, or the shipped ones)."""
        return calibration_tables(self.calibration)

    def check_results(self, results) -> None:
        """Refuse to write into a results folder that holds another run's dataset of the same name.

        A dataset's ``source.json`` records the entry and seed its prepared data came from; a different
        ``source``, ``path`` or seed there is another study's data, whose results this run would overwrite.
        Other changed options re-run the jobs that use them.
        """
        for name in self.prepared:
            record = Path(results) / "prepared" / name / "source.json"
            if not record.exists():
                continue
            earlier = json.loads(record.read_text())
            now = self.preparation(name) | {"seed": self.seed_for("prepare", root=name)}
            was = earlier["spec"] | {"seed": earlier["seed"]}
            changed = [k for k in ("source", "path", "seed") if was.get(k) != now.get(k)]
            if changed:
                diff = "; ".join(f"{k}: {was.get(k)!r} then, {now.get(k)!r} now" for k in changed)
                raise ConfigError(
                    f"dataset {name!r}: {record} was written by a run with other data ({diff}). Nothing was "
                    f"overwritten: give this config its own `results:` folder or another dataset name, or delete "
                    f"{record.parent} to recompute it"
                )

    def check_inputs(self, downloads: bool) -> None:
        """Stop before any work when a configured input is missing or malformed (ConfigError naming it).

        Each source dataset's case table (where it can be read without its images) must have two classes
        and enough cases in each (:meth:`class_needs`); patients under several labels are logged.
        """
        for name in self.sources:
            entry = self.datasets[name]
            source, spec = entry.registered, entry.plain
            try:
                if source.check is not None:
                    source.check(spec, downloads)
                try:
                    cases = source.cases(spec)
                except OSError:  # not there yet: a download rule fetches it
                    continue
                check_class_sizes(cases["label"], self.class_needs(), spec.get("path", "case table"))
                if self.curation["enabled"] and self.curation["folds"] is not None:  # set, not the default
                    check_fold_classes(
                        cases["label"], cases["patient_id"], self.curation["folds"], "curation (curation.folds)"
                    )
            except (OSError, ValueError) as err:
                raise ConfigError(f"dataset {name!r}: {err}") from None
            several = patients_under_several_labels(cases)
            if len(several):
                log.warning(
                    "dataset %r: %d patient(s) listed under several labels (e.g. %r); kept, and listed in the QC table",
                    name,
                    several["patient_id"].nunique(),
                    several["patient_id"].iloc[0],
                )
        for kind in ("features", "models"):
            for name, entry in getattr(self, kind).items():
                if entry.registered.check is not None:
                    try:
                        entry.registered.check(entry.own, downloads)
                    except (OSError, ValueError) as err:
                        raise ConfigError(f"{kind[:-1]} {name!r}: {err}") from None
        self.scored_models()  # a bad performance table stops here
        self.check_calibration()

    def check_calibration(self) -> None:
        """The calibration tables exist, the export is none of them, the predictors named are entries of this run."""
        tables = self.calibration_tables
        for path in tables:
            if not Path(path).is_file():
                raise ConfigError(f"calibration.tables: {path} does not exist")
        export = self.calibration["export"]
        if export and any(Path(export).resolve() == Path(path).resolve() for path in tables):
            raise ConfigError(f"calibration.export: {export} is also a table this run calibrates on; name another file")
        for name in self.calibration["predictors"] or ():
            feature, metric = name.split(".")
            if feature not in self.features or metric not in self.metrics:
                raise ConfigError(
                    f"calibration.predictors: {name!r} is not a feature entry · metric entry of this run "
                    f"(features: {', '.join(self.features)}; metrics: {', '.join(self.metrics)})"
                )

    def prediction_params(self) -> dict:
        """What the prediction job takes from the config: the calibration's ``coverage``, ``fits``, ``rivals`` and
        ``prefer``; each predicted model's comparable entry (None for a performance table's model); the datasets'
        families and kinds; the plugins of the model entries."""
        return {
            **{key: self.calibration[key] for key in ("coverage", "fits", "rivals", "prefer")},
            "models": {n: self.models[n].comparable if n in self.models else None for n in self.predicted_models()},
            "datasets": self.calibration_datasets(),
            "plugins": self.plugins_of("models", *self.models),
        }

    def predicted_models(self) -> list[str]:
        """The models whose AUC the prediction stage predicts: every model entry, in config order, then those of the
        performance tables."""
        return [*self.models, *sorted(set(self.scored_models()) - set(self.models))]

    def scored_models(self) -> list[str]:
        """Every model with an AUC in this run: the trained ones and those of the performance tables (ConfigError if
        one is bad)."""
        return sorted(set(self.trained_models) | self._performance_models)

    @cached_property
    def _performance_models(self) -> set[str]:
        """The models the performance tables give for the config's datasets, each table read and checked once."""
        try:
            tables = {path: read_performance(path) for path in self.performance}
            return check_performance(tables, self.datasets, self.trained_models)
        except (OSError, ValueError) as err:
            raise ConfigError(str(err)) from None


def _dataset_entry(spec: dict) -> DatasetEntry:
    if "parent" in spec:
        kind = VARIANTS.get(spec["variant"])
        return DatasetEntry(spec["name"], spec, registered=kind, kind=kind)
    return DatasetEntry(spec["name"], spec, registered=SOURCES.get(spec["source"]), kind=VARIANTS.get("label_noise"))


def resolve(config: dict) -> Plan:
    """Load the config's plugins and resolve every entry against the registries (ConfigError if one is wrong).

    The config's ``bootstrap`` block gets its defaults filled in place.
    """
    refuse_old_forms(config)
    plugins = dict(zip(load_plugins(config.get("plugins")), config.get("plugins") or []))
    if not config.get("models") and not config.get("performance"):
        raise ConfigError("config: models: no reference model and no performance table; add either")
    datasets = {
        name: _dataset_entry(spec) for name, spec in index([resolve_dataset(s) for s in config["datasets"]]).items()
    }
    bootstrap = resolve_options(BOOTSTRAP_OPTIONS, config.get("bootstrap") or {}, "bootstrap")
    config["bootstrap"] = bootstrap  # its defaults filled, as the report shows it
    features = {n: resolve_feature(n, s) for n, s in config["features"].items()}
    metrics = {n: resolve_metric(n, s, bootstrap) for n, s in config["metrics"].items()}
    models = {n: resolve_model(n, s) for n, s in config["models"].items()}
    trained = {n: spec for n, spec in models.items() if spec["train"]}
    curation = resolve_curation(config.get("curation"), list(features), trained)
    untrained = [name for name, entry in datasets.items() if not entry.train]
    if curation["primary"] in models and untrained:
        raise ConfigError(
            f"config: curation.primary: model {curation['primary']!r} is not trained on dataset {untrained[0]!r} "
            "(train: false), so it has no prediction of its cases; choose a probe (probe_<feature>)"
        )
    return Plan(
        datasets=datasets,
        features={n: FeatureEntry.of(n, spec, FEATURES.get(spec["type"])) for n, spec in features.items()},
        metrics={n: MetricEntry.of(n, spec, METRICS.get(spec["type"])) for n, spec in metrics.items()},
        models={n: ModelEntry.of(n, spec, MODELS.get(spec["type"])) for n, spec in models.items()},
        performance=list(config.get("performance") or []),
        plugins=plugins,
        curation=curation,
        seed=int(config.get("seed", 0)),
        calibration=resolve_options(CALIBRATION_OPTIONS, config.get("calibration") or {}, "calibration"),
    )
