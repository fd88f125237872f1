"""The workflow's config: old forms upgraded, entries checked against the registries, inputs checked.

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

import yaml

from ..analysis.performance import check_performance, read_performance
from ..curation.options import resolve_curation
from ..curation.probabilities import check_fold_classes
from ..data import SOURCES, VARIANTS, index, resolve_dataset, root
from ..data.datasets import changes_images, prepared_root
from ..data.qc import check_class_sizes, patients_under_several_labels
from ..features import FEATURES, resolve_feature
from ..features.radiomics import preset_names
from ..metrics import BOOTSTRAP_OPTIONS, METRICS, resolve_metric
from ..models import MODELS, resolve_model
from ..options import ConfigError
from ..options import resolve as resolve_options
from ..prediction.options import CALIBRATION_OPTIONS, calibration_tables
from ..registry import Registered, load_plugins
from ..seeding import derive_seed

_LEGACY_DEEP = re.compile(r"^(medicalnet|random)_resnet(10|18|34|50)$")
_LEGACY_PRESET = re.compile(r"^(?:\./)?config/radiomics/(\w+)\.yaml$")
_RENAMED_BOOTSTRAP = {"seeds": "chunks", "sessions_per_seed": "sessions_per_chunk"}
log = logging.getLogger(__name__)


def upgrade(config: dict) -> list[str]:
    """Rewrite the old forms of a config into the current one, in place; one note per change, showing the new form.

    Old forms: deep feature names that were their type (``medicalnet_resnet10``),
    radiomics presets as ``config/radiomics/<name>.yaml``, ``metrics`` as
    ``{names, seeds, sessions_per_seed, fraction, patient_wise}``, and the bootstrap options
    ``seeds`` and ``sessions_per_seed`` (now ``chunks`` and ``sessions_per_chunk``).
    """
    notes = []
    for name, spec in (config.get("features") or {}).items():
        match = _LEGACY_DEEP.match(name)
        if match and isinstance(spec, dict) and "type" not in spec:
            kind = "medicalnet" if match.group(1) == "medicalnet" else "random_resnet"
            spec.update({"type": kind, "depth": int(match.group(2))} | dict(spec))
            new = f"{name}: {{type: {kind}, depth: {match.group(2)}, ...}}"
            notes.append(f"features.{name}: old form; write it as `{new}`")
        preset = _LEGACY_PRESET.match(str((spec or {}).get("params", "")))
        if preset and preset.group(1) in preset_names() and not Path(spec["params"]).exists():
            notes.append(f"features.{name}.params: {spec['params']} is now the preset `params: {preset.group(1)}`")
            spec["params"] = preset.group(1)
    metrics = config.get("metrics")
    if metrics == {}:
        del config["metrics"]
    elif isinstance(metrics, dict) and (
        "names" in metrics or set(metrics) & (set(BOOTSTRAP_OPTIONS) | set(_RENAMED_BOOTSTRAP))
    ):
        names = metrics.pop("names", ["sil", "fid"])
        moved = {k: metrics.pop(k) for k in list(metrics) if k in BOOTSTRAP_OPTIONS or k in _RENAMED_BOOTSTRAP}
        config["bootstrap"] = moved | dict(config.get("bootstrap") or {})
        config["metrics"] = {name: {"type": name} for name in names} | metrics
        notes.append(
            "metrics: old form; write the metrics as entries and the bootstrap settings apart: "
            f"`metrics: {{{', '.join(f'{n}: {{type: {n}}}' for n in names)}}}` and "
            f"`bootstrap: {yaml.safe_dump(moved, default_flow_style=True).strip()}`"
        )
    blocks = {"bootstrap": config.get("bootstrap")} | {
        f"metrics.{n}": s for n, s in (config.get("metrics") or {}).items()
    }
    for where, block in blocks.items():
        for old, new in _RENAMED_BOOTSTRAP.items():
            if isinstance(block, dict) and old in block:
                block[new] = block.pop(old)
                notes.append(f"{where}.{old}: renamed; write it as `{new}`")
    return notes


@dataclass(frozen=True)
class Plan:
    """A resolved config: every entry with its type and all its options.

    Attributes
    ----------
    datasets : name → resolved dataset entry (``source`` and options, or ``parent``).
    roots : name → the dataset whose prepared data and features it uses: itself for a source and for a
        variant whose kind changes the images, else its parent's root.
    features, metrics, models : name → resolved entry (``type`` and options).
    performance : performance tables that stand beside or instead of trained models.
    plugins : module name → the config's ``plugins`` item that loaded it.
    curation : the curation stage's options (``primary`` named).
    seed : the config's seed (the image changes of variants derive theirs from it).
    calibration : the prediction stage's options (``calibration:``).
    """

    datasets: dict[str, dict]
    roots: dict[str, str]
    features: dict[str, dict]
    metrics: dict[str, dict]
    models: dict[str, dict]
    performance: list[str]
    plugins: dict[str, str]
    curation: dict = field(default_factory=dict)
    seed: int = 0
    calibration: dict = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        """Datasets with images of their own source (not variants)."""
        return sorted(n for n, spec in self.datasets.items() if "source" in spec)

    @property
    def prepared(self) -> list[str]:
        """Datasets with a preparation (and features) of their own: the sources and the variants that change images."""
        return sorted(set(self.roots.values()))

    def origin(self, name: str) -> str:
        """The source dataset at the top of a dataset's chain of parents (itself for a source)."""
        return root(self.datasets, name)

    @property
    def families(self) -> dict[str, str]:
        """Dataset → its family: its origin's ``family`` option, or the origin's own name."""
        return {name: self.datasets[self.origin(name)]["family"] or self.origin(name) for name in self.datasets}

    @property
    def trained(self) -> list[str]:
        """Datasets the reference models are trained on (``train`` not false)."""
        return [name for name, spec in self.datasets.items() if spec.get("train", True)]

    def image_changes(self, name: str) -> list[dict]:
        """The image changes of a dataset's chain, from its origin down: ``dataset, variant, options, seed`` each."""
        chain = []
        while "parent" in self.datasets[name]:
            if changes_images(self.datasets[name]):
                kind, options = self.variant(name)
                chain.append(
                    {"dataset": name, "variant": kind, "options": options, "seed": derive_seed(self.seed, name, kind)}
                )
            name = self.datasets[name]["parent"]
        return chain[::-1]

    def entry(self, kind: str, name: str) -> Registered:
        """The registered type of an entry.

        ``kind`` is ``datasets`` (the source of the dataset's root), ``variants`` (the kind that makes the
        dataset's labels: :meth:`variant`), ``features``, ``metrics`` or ``models``.
        """
        if kind == "datasets":
            return SOURCES.get(self.datasets[self.origin(name)]["source"])
        if kind == "variants":
            return VARIANTS.get(self.variant(name)[0])
        registry = {"features": FEATURES, "metrics": METRICS, "models": MODELS}[kind]
        return registry.get(getattr(self, kind)[name]["type"])

    def own_options(self, kind: str, name: str) -> dict:
        """The options of a ``features``, ``metrics`` or ``models`` entry that belong to its type (not the kind's)."""
        return self.entry(kind, name).split(getattr(self, kind)[name])[1]

    def variant(self, name: str) -> tuple[str, dict]:
        """The variant kind that makes a dataset's labels from its parent's (or its case table's) and its options.

        A source dataset's own ``label_noise`` is that kind's.
        """
        spec = self.datasets[name]
        if "source" in spec:
            return "label_noise", {"label_noise": spec["label_noise"]}
        return spec["variant"], VARIANTS.get(spec["variant"]).split(spec)[1]

    def variant_inputs(self, name: str) -> dict[str, str]:
        """Files under the results folder (relative paths) that a dataset's variant kind reads besides its parent's
        labels (:attr:`difficulty.data.VariantKind.inputs`); none for a source dataset."""
        spec = self.datasets[name]
        kind = self.entry("variants", name)
        return dict(kind.inputs(spec["parent"])) if "parent" in spec and kind.inputs is not None else {}

    def preparation(self, root: str) -> dict:
        """The entry of a prepared dataset as its preparation sees it (its labels are the labels step's).

        A source's entry without the options that do not change its images; an image variant's is its
        origin's with its own ``name`` and the chain of ``images`` changes (:meth:`image_changes`).
        """
        if "parent" in self.datasets[root]:
            return self.preparation(self.origin(root)) | {"name": root, "images": self.image_changes(root)}
        return {k: v for k, v in self.datasets[root].items() if k not in ("label_noise", "train", "family")}

    def plugins_of(self, kind: str, *names: str) -> list[str]:
        """The plugins a job of these entries must load, each once (empty for built-in types); a dataset's
        preparation loads its source's and those of the image kinds of its chain."""
        entries = []
        for name in names:
            entries.append(self.entry(kind, name))
            if kind == "datasets":
                entries += [VARIANTS.get(change["variant"]) for change in self.image_changes(name)]
        return list(dict.fromkeys(self.plugins[e.module] for e in entries if e.module in self.plugins))

    def class_needs(self) -> dict[str, int]:
        """The fewest cases per class that each metric and model entry needs, by what needs it."""
        needs = {}
        for name, spec in self.metrics.items():
            least = self.entry("metrics", name).min_per_class
            n = least  # a bootstrap session draws round(n · fraction) cases of each class
            while max(1, round(n * spec["fraction"])) < least:
                n += 1
            needs[f"metric {name!r} (fraction {spec['fraction']})"] = n
        for name, spec in self.models.items():
            if spec["split"] != "official":  # auto: folds where a dataset has no official split
                needs[f"model {name!r} ({spec['folds']} folds)"] = spec["folds"]
        return needs

    def check_results(self, results, seeds: dict[str, int]) -> None:
        """Refuse to write into a results folder that holds another run's dataset of the same name.

        A dataset's ``source.json`` records the entry and seed its prepared data came from; a different
        ``source``, ``path`` or seed there (``seeds``: each source dataset's seed now) is another study's
        data, whose results this run would overwrite. Other changed options re-run the jobs that use them.
        """
        for name in self.prepared:
            record = Path(results) / "prepared" / name / "source.json"
            if not record.exists():
                continue
            earlier = json.loads(record.read_text())
            now = self.preparation(name) | {"seed": seeds[name]}
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
            source, spec = self.entry("datasets", name), self.datasets[name]
            try:
                if source.check is not None:
                    source.check(spec, downloads)
                try:
                    cases = source.cases(spec)
                except OSError:  # not there yet: a download rule fetches it
                    continue
                check_class_sizes(cases["label"], self.class_needs(), spec.get("path", "case table"))
                if self.curation["enabled"]:
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
            for name in getattr(self, kind):
                entry = self.entry(kind, name)
                if entry.check is not None:
                    try:
                        entry.check(self.own_options(kind, name), downloads)
                    except (OSError, ValueError) as err:
                        raise ConfigError(f"{kind[:-1]} {name!r}: {err}") from None
        self.scored_models()  # a bad performance table stops here
        self.check_calibration()

    def check_calibration(self) -> None:
        """The calibration tables exist, the export is none of them, the predictors named are entries of this run."""
        tables = calibration_tables(self.calibration)
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

    def scored_models(self) -> list[str]:
        """Every model with an AUC: the trained ones and those of the performance tables (ConfigError if one is bad)."""
        return sorted(set(self.models) | self._performance_models)

    @cached_property
    def _performance_models(self) -> set[str]:
        """The models the performance tables give for the config's datasets, each table read and checked once."""
        try:
            tables = {path: read_performance(path) for path in self.performance}
            return check_performance(tables, self.datasets, self.models)
        except (OSError, ValueError) as err:
            raise ConfigError(str(err)) from None


def resolve(config: dict) -> Plan:
    """Load the config's plugins and resolve every entry against the registries (ConfigError if one is wrong).

    The config's ``bootstrap`` block gets its defaults filled in place.
    """
    plugins = dict(zip(load_plugins(config.get("plugins")), config.get("plugins") or []))
    if not config.get("models") and not config.get("performance"):
        raise ConfigError("config: models: no reference model and no performance table; add either")
    datasets = index([resolve_dataset(spec) for spec in config["datasets"]])
    bootstrap = resolve_options(BOOTSTRAP_OPTIONS, config.get("bootstrap") or {}, "bootstrap")
    config["bootstrap"] = bootstrap  # its defaults filled, as the report shows it
    features = {name: resolve_feature(name, spec) for name, spec in config["features"].items()}
    models = {name: resolve_model(name, spec) for name, spec in config["models"].items()}
    curation = resolve_curation(config.get("curation"), list(features), models)
    untrained = [name for name, spec in datasets.items() if not spec.get("train", True)]
    if curation["primary"] in models and untrained:
        raise ConfigError(
            f"config: curation.primary: model {curation['primary']!r} is not trained on dataset {untrained[0]!r} "
            "(train: false), so it has no prediction of its cases; choose a probe (probe_<feature>)"
        )
    return Plan(
        datasets=datasets,
        roots={name: prepared_root(datasets, name) for name in datasets},
        features=features,
        metrics={name: resolve_metric(name, spec, bootstrap) for name, spec in config["metrics"].items()},
        models=models,
        performance=list(config.get("performance") or []),
        plugins=plugins,
        curation=curation,
        seed=int(config.get("seed", 0)),
        calibration=resolve_options(CALIBRATION_OPTIONS, config.get("calibration") or {}, "calibration"),
    )
