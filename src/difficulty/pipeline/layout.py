"""Where a run's files lie: the results folder's layout, and what each job reads, from the :class:`Plan`.

The workflow's input functions (``workflow/rules/common.smk``) ask a :class:`Layout`
for paths; the rules' output patterns are the same paths with wildcards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..sharding import shard_positions
from .config import Plan

PREDICTION_FILES = ("points.tsv", "predicted_auc.tsv", "predictors.tsv", "calibration.png", "forest.svg")
CORRELATION_FILES = ("table.tsv", "ranking.tsv", "heatmap.png", "ranking.png")


def relative(path) -> str:
    """A path relative to the working folder where it is absolute (so that a project folder can move)."""
    return os.path.relpath(path) if os.path.isabs(path) else str(path)


@dataclass(frozen=True)
class Layout:
    """The files of one run: ``plan``'s datasets and entries under the ``results`` folder."""

    plan: Plan
    results: str

    def prepared_folder(self, root: str) -> str:
        return f"{self.results}/prepared/{root}"

    def prepared(self, root: str) -> dict:
        """What the prepare steps write for a prepared dataset: its case table, how to read it, its shards' files."""
        folder, shards = self.prepared_folder(root), range(self.plan.preparation(root)["shards"])
        return {
            "cases": f"{folder}/cases.parquet",
            "source": f"{folder}/source.json",
            "grid": [f"{folder}/shard{k}/grid.npy" for k in shards],
            "grid_masks": [f"{folder}/shard{k}/grid_masks.npy" for k in shards],
            "shard_cases": [f"{folder}/shard{k}/cases.parquet" for k in shards],
            "skipped": [f"{folder}/shard{k}/skipped.tsv" for k in shards],
        }

    def prepared_data(self, root: str) -> dict:
        """The prepared data that feature, model and curation jobs read (not the per-shard case tables)."""
        files = self.prepared(root)
        return {key: files[key] for key in ("cases", "source", "grid", "grid_masks")}

    def of_dataset(self, dataset: str) -> dict:
        """:meth:`prepared_data` of a dataset's prepared root (a label variant reads its root's)."""
        return self.prepared_data(self.plan.roots[dataset])

    def shard_files(self, root: str, shard: int) -> list[str]:
        """Input files of one preparation shard (a change re-runs only that shard's preparation)."""
        spec = self.plan.preparation(root)
        source = self.plan.datasets[self.plan.origin(root)].registered
        rows = None
        if spec["shards"] > 1:
            try:
                cases = source.cases(spec)
            except OSError:  # not there yet: a download rule fetches it
                cases = None
            if cases is not None:
                rows = cases.iloc[shard_positions(len(cases), int(shard), spec["shards"])]
        return [relative(p) for p in source.files(spec, rows)]

    def labels(self, dataset: str) -> str:
        return f"{self.results}/labels/{dataset}.parquet"

    def parent_labels(self, dataset: str) -> str:
        """What a dataset's labels are made from: its parent's label table, or its own prepared case table."""
        parent = self.plan.datasets[dataset].parent
        return self.labels(parent) if parent is not None else self.prepared(dataset)["cases"]

    def variant_inputs(self, dataset: str) -> dict[str, str]:
        """Name → file of what a dataset's variant kind reads besides its parent's labels (a curation table)."""
        return {key: f"{self.results}/{path}" for key, path in self.plan.variant_inputs(dataset).items()}

    def features(self, dataset: str, feature: str) -> str:
        """The feature table of a dataset (its prepared root's)."""
        return f"{self.results}/features/{self.plan.roots[dataset]}/{feature}.parquet"

    def feature_shards(self, root: str, feature: str) -> list[str]:
        shards = range(self.plan.features[feature].shards)
        return [f"{self.results}/features/{root}/{feature}/shard{k}.parquet" for k in shards]

    def entry_inputs(self, kind: str, name: str) -> list[str]:
        """Files a feature or model entry reads (a parameter file, weights)."""
        return [relative(p) for p in getattr(self.plan, kind)[name].inputs().values()]

    def metric_chunks(self) -> list[str]:
        return [
            f"{self.results}/metrics/{dataset}/{feature}/{metric}/chunk{chunk}.parquet"
            for dataset in self.plan.datasets
            for feature in self.plan.features
            for metric, entry in self.plan.metrics.items()
            for chunk in range(entry.chunks)
        ]

    def model_folds(self) -> list[str]:
        """The fold table of every trained model entry on every dataset that trains."""
        plan = self.plan
        return [f"{self.results}/models/{d}/{m}.tsv" for d in plan.trained for m in plan.trained_models]

    def roc_plots(self) -> list[str]:
        return [path.removesuffix(".tsv") + ".roc.png" for path in self.model_folds()]

    def scatter_plots(self) -> list[str]:
        plan = self.plan
        return [
            f"{self.results}/correlation/scatter/{feature}.{metric}.{model}.png"
            for feature in plan.features
            for metric in plan.metrics
            for model in plan.scored_models()
        ]

    def curation_features(self, dataset: str) -> list[str]:
        """The dataset's root's feature tables (``<feature>.parquet``): a probe source and kDN/outlier columns each."""
        return [self.features(dataset, feature) for feature in self.plan.features]

    def curation_predictions(self, dataset: str) -> list[str]:
        """The kept test predictions on the dataset (``<model>.predictions.parquet``) of the models cross-validated on
        every case."""
        if dataset not in self.plan.trained:  # train: false: the probes only
            return []
        _, models, _ = self.plan.curation_sources()
        return [f"{self.results}/models/{dataset}/{model}.predictions.parquet" for model in models]

    def curation_outputs(self) -> list[str]:
        """Every dataset's curation table and thumbnails, and the summary with the detection figure."""
        if not self.plan.curation["enabled"]:
            return []
        files = [f"{self.results}/curation/{d}.{ext}" for d in self.plan.datasets for ext in ("tsv", "png")]
        return [*files, f"{self.results}/curation/summary.tsv", f"{self.results}/curation/detection.png"]

    def rater_features(self, root: str, feature: str) -> dict[str, str]:
        """Rater → the feature table of a prepared dataset computed on that rater's masks."""
        return {r: f"{self.results}/raters/features/{root}/{feature}.{r}.parquet" for r in self.plan.mask_raters(root)}

    def icc(self, root: str, feature: str) -> str:
        """The ICC table of a prepared dataset's features across its raters' masks."""
        return f"{self.results}/raters/features/{root}/{feature}.icc.tsv"

    def stable_icc(self, root: str, feature: str) -> list[str]:
        """The ICC table that picks the features kept (``stable_only``), [] where every feature is kept."""
        return [self.icc(root, feature)] if self.plan.stable_only(root, feature) else []

    def rater_agreement(self, dataset: str) -> list[str]:
        """The raters' agreement per case of a dataset's origin ([] without raters): its curation reads it."""
        origin = self.plan.origin(dataset)
        return [f"{self.results}/raters/{origin}.tsv"] if origin in self.plan.rater_datasets else []

    def rater_summary_inputs(self) -> dict:
        """Per dataset of raters what the summary reads (:func:`difficulty.raters.jobs.summarize_raters`)."""
        plan = self.plan
        return {
            name: {
                "cases": self.prepared(name)["cases"],
                "agreement": f"{self.results}/raters/{name}.tsv",
                "icc": {f: self.icc(name, f) for f in plan.mask_features if len(plan.mask_raters(name)) >= 2},
                "thresholds": {f: plan.features[f].options["icc_threshold"] for f in plan.mask_features},
            }
            for name in plan.rater_datasets
        }

    def rater_summary_files(self) -> list[str]:
        """Every file the raters' summary reads."""
        inputs = self.rater_summary_inputs().values()
        return [path for files in inputs for path in (files["cases"], files["agreement"], *files["icc"].values())]

    @property
    def rater_icc(self) -> bool:
        """Whether a dataset of raters' masks has feature entries that read the masks (an ICC figure)."""
        return any(files["icc"] for files in self.rater_summary_inputs().values())

    def rater_outputs(self) -> list[str]:
        """The raters' tables and figures ([] where no dataset has raters)."""
        plan = self.plan
        if not plan.rater_datasets:
            return []
        figures = [f"{self.results}/raters/{name}.png" for name in plan.rater_datasets]
        icc = [f"{self.results}/raters/icc.png"] if self.rater_icc else []
        return [f"{self.results}/raters/summary.tsv", *figures, *icc]

    def final_outputs(self, study_compat: bool) -> list[str]:
        """Every file the default target asks for."""
        plan = self.plan
        prediction = [f"{self.results}/prediction/{name}" for name in PREDICTION_FILES]
        outputs = [
            *prediction,
            *([plan.calibration["export"]] if plan.calibration["export"] else []),
            *self.roc_plots(),
            *[f"{self.results}/qc/{root}.tsv" for root in plan.prepared],
            f"{self.results}/metrics/summary.tsv",
            f"{self.results}/models/summary.tsv",
            *[f"{self.results}/metrics/distributions/{metric}.png" for metric in plan.metrics],
            *self.curation_outputs(),
            *self.rater_outputs(),
        ]
        if not (plan.trained and plan.trained_models) and not plan.performance:  # prediction only: no AUC here
            return outputs
        correlation = [f"{self.results}/correlation/{name}" for name in CORRELATION_FILES]
        return [
            *outputs,
            *correlation,
            *([f"{self.results}/correlation/study_compat.tsv"] if study_compat else []),
            f"{self.results}/answer.tsv",
            *self.scatter_plots(),
        ]
