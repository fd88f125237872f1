"""End to end: snakemake on a tiny project folder, then changes to copies of it and the re-runs they cause.

The finished project holds its own copy of the workflow (Snakefile, workflow/,
src/, config/), as a user's clone does; every test that changes something
works on a copy made with the files' times kept, so each copy also checks
that a moved project schedules nothing.
"""

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import SimpleITK as sitk
import yaml
from scipy import stats

from conftest import REPO
from difficulty.analysis.ranking import best_measure
from difficulty.auc import roc_auc
from difficulty.figures import plt
from difficulty.io import new_file_mode
from difficulty.prediction import PREDICTION_COLUMNS

AGGREGATES = {"summarize_metrics", "summarize_models", "correlate", "scatter", "all"}
AGGREGATES |= {"answer", "distributions", "summarize_curation", "calibration_points", "predict_auc"}
RESULTS = ".test/results"  # the tiny project's results folder
DATA = ".test/data"


def tiny_config(work):
    """The tiny project's inputs (``.test/``, the plugins it names) copied into ``work``, and its config."""
    ignore = shutil.ignore_patterns("results", "__pycache__")
    for name in (".test", "tests/plugins"):
        shutil.copytree(REPO / name, work / name, ignore=ignore)
    return yaml.safe_load((work / ".test" / "config.yaml").read_text())


def write_config(work, config):
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def snakemake(work, *args, check=True, snakefile=None, configfile="config.yaml"):
    """Run snakemake on the project folder ``work`` (its own Snakefile unless one is given), with the package of the
    project's own ``src/`` where it has one (as a clone's `make setup` installs it)."""
    snakefile = snakefile or (work / "Snakefile" if (work / "Snakefile").exists() else REPO / "Snakefile")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--directory", str(work)]
    package = {"PYTHONPATH": str(work / "src")} if (work / "src").is_dir() else {}
    result = subprocess.run(
        [*command, "--configfile", str(work / configfile), "--cores", "2", *args],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONHASHSEED": "1"} | package,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
    return result


def output(result):
    return result.stdout + result.stderr


def scheduled_jobs(work, *args):
    """(rule, wildcards) of every job a dry run (with ``args``) would execute."""
    out = snakemake(work, "--dry-run", *args).stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if match:
            wild = re.search(r"wildcards: (.*)", block)
            jobs.append((match.group(1), wild.group(1) if wild else ""))
    return jobs


def project(folder, config):
    """Make ``folder`` a project of its own: a copy of the workflow and of the test plugins, and its config."""
    shutil.copy2(REPO / "Snakefile", folder / "Snakefile")
    for name in ("workflow", "src", "config", "envs", "profiles"):
        shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    write_config(folder, config)


def moved(finished, tmp_path):
    """A copy of the finished project somewhere else (deeper), files' times kept."""
    target = tmp_path / "elsewhere" / "deeper" / "project"
    shutil.copytree(finished, target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    work = new_folder(tmp_path_factory.mktemp("run") / "project")
    project(work, tiny_config(work))
    snakemake(work, configfile=".test/config.yaml")  # the very file users run
    return work


def new_folder(path):
    path.mkdir(parents=True)
    return path


FEATURES = ["radiomics", "random_resnet10", "rad_fast", "percentiles"]
METRICS = ["sil", "fid", "gap"]
MODELS = ["cnn3d", "linear"]


def test_every_result_file_is_readable_as_the_umask_says(finished):
    """No output keeps the private mode of a temporary file: colleagues on a shared project folder read them."""
    files = [p for p in (finished / RESULTS).rglob("*") if p.is_file()]
    modes = Counter(p.stat().st_mode & 0o777 for p in files)
    assert len(files) > 300 and modes == {new_file_mode(): len(files)}, modes


def test_every_output_exists_with_sane_values(finished):
    res = finished / RESULTS
    names = ["tiny", "tiny_noisy", "nifti", "phantoms", "phantoms_noise"]
    scores = pd.read_parquet(res / "metrics" / "scores.parquet")
    assert len(scores) == 5 * 4 * 3 * 2 * 5  # datasets x features x metrics x seeds x sessions
    assert scores.query("metric != 'gap'")["score"].between(-1, 1).all()
    for chunk in (res / "metrics").glob("*/*/*/chunk*.parquet"):
        assert len(pd.read_parquet(chunk)) == 5
    summary = pd.read_csv(res / "metrics" / "summary.tsv", sep="\t")
    assert set(summary["dataset"]) == set(names) and (summary["sessions"] == 10).all()
    folds = pd.read_csv(res / "models" / "folds.tsv", sep="\t")
    assert len(folds) == 4 * 2 * 2 and folds["auc"].between(0, 1).all()  # phantoms_noise is not trained
    assert "phantoms_noise" not in set(folds["dataset"]) and not (res / "models" / "phantoms_noise").exists()
    table = pd.read_csv(res / "correlation" / "table.tsv", sep="\t")
    assert len(table) == 4 * 3 * 2 and (table["n_datasets"] == 4).all()
    assert table[["pearson_r", "spearman_r"]].abs().le(1).all().all()
    assert table[["pearson_lodo_low", "spearman_ci_low"]].notna().all().all()
    assert len(pd.read_csv(res / "correlation" / "study_compat.tsv", sep="\t")) == 4 * 3 * 2
    ranking = pd.read_csv(res / "correlation" / "ranking.tsv", sep="\t")
    assert sorted(ranking.groupby("model")["rank"].apply(list).iloc[0]) == list(range(1, 13))
    answer = pd.read_csv(res / "answer.tsv", sep="\t")
    assert sorted(answer["dataset"]) == sorted(names) and answer["difficulty_rank"].tolist() == [1, 2, 3, 4, 5]
    assert answer.set_index("dataset").loc["nifti", "cases"] == 16 and "cnn3d.auc_mean" in answer
    assert answer.set_index("dataset").loc["tiny", "class_sizes"] == "normal 15, hyperplasia 15"  # the classes named
    pngs = [*(res / "correlation" / "scatter").glob("*.png"), *(res / "metrics" / "distributions").glob("*.png")]
    pngs += [res / "correlation" / "heatmap.png", res / "correlation" / "ranking.png"]
    assert len(pngs) == 4 * 3 * 2 + 3 + 2 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    for png in pngs:  # drawn figures (not blank canvases), each of its own
        pixels = plt.imread(png)[..., :3]
        assert (pixels.min(axis=-1) < 0.9).mean() > 0.02 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20
    assert len({p.read_bytes() for p in pngs}) == len(pngs)
    scatter = plt.imread(res / "correlation" / "scatter" / "radiomics.sil.cnn3d.png")
    assert scatter.shape[:2] == (576, 720)  # 6 × 4.8 in at 120 dpi
    # the phantoms (separation 1.0) are easy for every radiomics measure; the 30 AdrenalMNIST cases are not
    means = summary.set_index(["feature", "metric", "dataset"])["score_mean"].sort_index()
    for feature in ("radiomics", "rad_fast"):
        for metric in METRICS:
            phantoms, tiny = means[feature, metric, "phantoms"], means[feature, metric, "tiny"]
            assert phantoms > tiny + 0.15, (feature, metric, phantoms, tiny)
    assert means["radiomics", "sil", "phantoms"] > 0.25 and abs(means["radiomics", "sil", "tiny"]) < 0.1
    # every fold's AUC is that of its test cases' kept probabilities
    for fold_table in (res / "models").glob("*/*.tsv"):
        kept = pd.read_parquet(fold_table.with_suffix(".predictions.parquet"))
        positive = [c for c in kept.columns if c.startswith("proba_")][-1]  # binary: the second class
        for fold in pd.read_csv(fold_table, sep="\t").itertuples():
            cases = kept[kept["fold"] == fold.fold]
            truth = (cases["label"].astype(str) == positive.removeprefix("proba_")).to_numpy(dtype=int)
            assert len(cases) == fold.n_test and fold.auc == pytest.approx(roc_auc(truth, cases[positive]), abs=1e-12)
    # the correlations are those of the summaries' means across the four trained datasets; the ranking signs them
    trained_names = names[:4]
    aucs = (
        pd.read_csv(res / "models" / "summary.tsv", sep="\t").set_index(["model", "dataset"])["auc_mean"].sort_index()
    )
    for row in table.itertuples():
        x, y = (
            means[row.feature, row.metric].loc[trained_names].to_numpy(),
            aucs[row.model].loc[trained_names].to_numpy(),
        )
        assert row.pearson_r == pytest.approx(stats.pearsonr(x, y)[0], abs=1e-12)
        assert row.spearman_r == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-12)
    signed = ranking.merge(table, on=["feature", "metric", "model", "higher_is_easier"])
    sign = np.where(signed["higher_is_easier"], 1.0, -1.0)
    np.testing.assert_allclose(signed["agreement"], signed["spearman_r"] * sign, rtol=0, atol=1e-12)
    best = best_measure(ranking)  # the answer's rows: easiest first by the best-ranked measure
    higher = summary.set_index(["feature", "metric"])["higher_is_easier"].loc[best].iloc[0]
    order = np.diff(answer[".".join(best)].to_numpy())
    assert (order <= 0).all() if higher else (order >= 0).all()
    radiomics = pd.read_parquet(res / "features" / "tiny" / "radiomics.parquet")
    assert len(radiomics) == 30 and radiomics.drop(columns="case_id").notna().all().all()
    deep = pd.read_parquet(res / "features" / "nifti" / "random_resnet10.parquet")
    assert deep.shape == (16, 1 + 4)
    # The sheet's cases keep their shapes and spacings; radiomics measured them in mm on the original geometry.
    cases = pd.read_parquet(res / "prepared" / "nifti" / "cases.parquet")
    assert cases["shape_z"].nunique() == 5 and cases["spacing_z"].nunique() == 3
    assert np.load(res / "prepared" / "nifti" / "shard0" / "grid.npy", mmap_mode="r").shape == (16, 64, 64, 64)
    raw = pd.read_parquet(res / "features" / "nifti" / "radiomics_raw.parquet").set_index("case_id")
    mm3 = cases.set_index("case_id")[["spacing_z", "spacing_y", "spacing_x"]].prod(axis=1) * 6 * 8 * 8
    np.testing.assert_allclose(raw["original_shape_VoxelVolume"], mm3.loc[raw.index], rtol=1e-9)
    noisy = pd.read_parquet(res / "labels" / "tiny_noisy.parquet")
    clean = pd.read_parquet(res / "labels" / "tiny.parquet")
    assert (noisy["label"] != clean["label"]).sum() == 9  # round(0.3 * 30)
    # The label-noise variant reuses its parent's images and features: none of its own.
    assert not (res / "prepared" / "tiny_noisy").exists() and not (res / "features" / "tiny_noisy").exists()
    # The image-noise variant has its own: its parent's cases and masks, noisier images on the grid and for radiomics.
    grid, noisy = (np.load(res / "prepared" / d / "shard0" / "grid.npy") for d in ("phantoms", "phantoms_noise"))
    masks = [np.load(res / "prepared" / d / "shard0" / "grid_masks.npy") for d in ("phantoms", "phantoms_noise")]
    np.testing.assert_array_equal(*masks)
    assert (noisy - grid).std() == pytest.approx(40.0, rel=0.05)
    first = [
        pd.read_parquet(res / "features" / d / "radiomics_raw.parquet").set_index("case_id")
        for d in ("phantoms", "phantoms_noise")
    ]
    assert (first[1]["original_firstorder_Variance"] > first[0]["original_firstorder_Variance"] + 1000).all()
    np.testing.assert_array_equal(first[1]["original_shape_VoxelVolume"], first[0]["original_shape_VoxelVolume"])
    # The prediction stage: the untrained dataset gets a predicted AUC and no measured one; each trained one is
    # predicted without its own family, which leaves two families here: no fit, and the note says so.
    predicted = pd.read_csv(res / "prediction" / "predicted_auc.tsv", sep="\t")
    assert list(predicted.columns) == PREDICTION_COLUMNS and len(predicted) == len(names) * len(MODELS)
    quick = predicted[predicted["dataset"] == "phantoms_noise"]
    assert quick["predicted_auc"].between(0, 1).all() and quick["measured_auc"].isna().all()
    assert (quick["calibration_families"] == 3).all() and (quick["ci_low"] <= quick["predicted_auc"]).all()
    assert quick["note"].str.startswith("prediction only: calibrated with 1 other dataset(s) of its family").all()
    trained = predicted[predicted["dataset"] != "phantoms_noise"]
    assert trained["predicted_auc"].isna().all() and trained["measured_auc"].between(0, 1).all()
    assert trained["note"].str.contains("leave-one-family-out: calibrated without family").all()
    assert trained["note"].str.contains(r"not fitted: 2 calibration families \(.*\), 3 needed").all()
    rows = answer.set_index("dataset")
    assert rows.loc["phantoms_noise", "cnn3d.prediction"].startswith("0.") and pd.isna(
        rows.loc["phantoms_noise", "cnn3d.auc_mean"]
    )
    assert rows.loc["tiny", "cnn3d.prediction"] == "no prediction: 2 calibration families, 3 needed"
    assert (res / "prediction" / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    log = finished / RESULTS / "logs" / "features" / "tiny.radiomics.shard1.log"
    assert log.read_text().count("radiomics:") >= 1
    # Curation: every dataset's table (its label table's cases, worst first) and thumbnails; flips where known.
    sources = [f"probe_{f}" for f in FEATURES] + MODELS
    for name in names:
        table = pd.read_csv(res / "curation" / f"{name}.tsv", sep="\t", dtype={"case_id": str})
        labels = pd.read_parquet(res / "labels" / f"{name}.parquet")
        assert list(table.columns[:13]) == ["case_id", "patient_id", "label", "class", "suspected_label"] + [
            "suspected_class",
            "label_quality",
            "label_issue",
            "kdn",
            "outlier_score",
            "probabilities_from",
            "features_from",
            "flipped",
        ]
        named = {"0": "normal", "1": "hyperplasia"} if name.startswith("tiny") else {}
        assert (table["class"].astype(str) == table["label"].astype(str).replace(named)).all()
        assert (
            sorted(table["case_id"]) == sorted(labels["case_id"]) and (table["probabilities_from"] == sources[0]).all()
        )
        others = {f"{s}.label_quality" for s in sources[1:]}
        if name == "phantoms_noise":  # not trained: the probes only
            others = {f"{s}.label_quality" for s in sources[1 : len(FEATURES)]}
            assert not {f"{m}.label_quality" for m in MODELS} & set(table.columns)
        assert others <= set(table.columns) and table["kdn"].between(0, 1).all()
        flags = table["label_issue"].to_numpy()
        assert flags[: flags.sum()].all() and table["label_quality"].iloc[flags.sum() :].is_monotonic_increasing
        assert (res / "curation" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert pd.read_parquet(res / "labels" / "tiny_noisy.parquet")["flipped"].sum() == 9 and not clean["flipped"].any()
    summary = pd.read_csv(res / "curation" / "summary.tsv", sep="\t")
    assert len(summary) == 4 * len(sources) + len(FEATURES) and summary.query("primary")["source"].eq(sources[0]).all()
    scored = summary.dropna(subset="auroc")
    assert set(scored["dataset"]) == {"tiny_noisy"} and scored["auroc"].between(0, 1).all()
    assert (res / "curation" / "detection.png").read_bytes()[:4] == b"\x89PNG"


def test_plugin_types_run_through_the_pipeline(finished):
    """A toy metric, feature extractor and model, each one module named under `plugins`, give their rows."""
    res = finished / RESULTS
    percentiles = pd.read_parquet(res / "features" / "phantoms" / "percentiles_raw.parquet")
    assert list(percentiles.columns) == ["case_id", "voxels", "p25", "p75"] and len(percentiles) == 24
    assert (percentiles["p75"] > percentiles["p25"]).all()
    summary = pd.read_csv(res / "metrics" / "summary.tsv", sep="\t")
    gap = summary.query("metric == 'gap'")
    assert len(gap) == 5 * 4 and (gap["score_mean"] >= 0).all()  # datasets × features
    assert len(summary.query("feature == 'percentiles'")) == 5 * 3
    folds = pd.read_csv(res / "models" / "folds.tsv", sep="\t")
    assert len(folds.query("model == 'linear'")) == 4 * 2
    table = pd.read_csv(res / "correlation" / "table.tsv", sep="\t")
    assert len(table.query("feature == 'percentiles' and metric == 'gap' and model == 'linear'")) == 1


def test_two_radiomics_presets_share_the_prepared_data(finished):
    res = finished / RESULTS
    own = pd.read_parquet(res / "features" / "tiny" / "radiomics_raw.parquet")
    fast = pd.read_parquet(res / "features" / "tiny" / "rad_fast_raw.parquet")
    assert fast.shape == (30, 1 + 107) and own.shape[1] < fast.shape[1]
    assert "original_glrlm_RunEntropy" in fast.columns and "original_glrlm_RunEntropy" not in own.columns
    shared = list(own.columns)  # the same features of the same cases (the shards order the rows differently)
    pd.testing.assert_frame_equal(
        own.sort_values("case_id", ignore_index=True), fast[shared].sort_values("case_id", ignore_index=True)
    )
    assert sorted(p.name for p in (finished / RESULTS / "logs" / "prepare").iterdir()) == [
        f"{name}.{step}.log" for name in ("nifti", "phantoms", "phantoms_noise", "tiny") for step in ("merge", "shard0")
    ]


class ReportHTML(HTMLParser):
    """A Snakemake report: every tag with its attributes, every <style>'s text, and each <script id=...>'s
    embedded value (``var name = <JSON>;``)."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.styles, self.data, self._in = [], [], {}, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = (tag, dict(attrs).get("id"))
        if tag == "style":
            self.styles.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in and self._in[0] == "style":
            self.styles[-1] += data
        elif self._in and self._in[0] == "script" and self._in[1]:
            self.data[self._in[1]] = self.data.get(self._in[1], "") + data

    def value(self, name):
        text = self.data[name]
        return json.JSONDecoder().raw_decode(text[text.index("=") + 1 :].lstrip())[0]


class Tables(HTMLParser):
    """The text of every cell of every <table>, row by row (tables[i][row][column])."""

    def __init__(self, text):
        super().__init__()
        self.tables, self._cell = [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


def offline(page: ReportHTML, description: str) -> None:
    """Nothing of the page or its description is fetched from the network: no src/href/... to a URL, no CSS
    import or url() of one; every embedded result is a data: URI."""
    fetching = ("src", "href", "srcset", "data", "poster", "action", "formaction")
    for tag, attrs in [*page.tags, *ReportHTML(description).tags]:
        for name in fetching:
            assert not EXTERNAL.match(attrs.get(name) or ""), (tag, name, attrs[name])
        assert not (tag == "script" and attrs.get("src")), attrs  # every script inline
    for style in page.styles:
        assert not re.search(r"@import|url\(\s*['\"]?\s*(https?:)?//", style, re.I), style[:200]
    assert all(r["data_uri"].startswith("data:") for r in page.value("results").values())


def report(work, out, configfile="config.yaml"):
    """``snakemake --report`` of a finished project: the parsed page and its workflow description (HTML)."""
    snakemake(work, "--report", str(out), configfile=configfile)
    page = ReportHTML(out.read_text(encoding="utf-8"))
    description = page.value("workflow-desc")
    assert "system-message" not in description  # the RST of workflow.rst rendered without an error
    offline(page, description)
    return page, description


def cell(value, digits):
    return "–" if pd.isna(value) else f"{value:.{digits}f}"


def test_the_report_holds_the_answer_the_ranking_and_every_figure_and_fetches_nothing(finished, tmp_path):
    res = finished / RESULTS
    page, description = report(finished, tmp_path / "report.html", configfile=".test/config.yaml")
    results = page.value("results")
    embedded = {Path(path).relative_to(RESULTS): entry for path, entry in results.items()}
    figures = {p.relative_to(res) for p in [*res.rglob("*.png"), *res.rglob("*.svg")]}
    # scatter, distributions, ranking and heatmap, ROC of the trained, curation thumbnails and detection, calibration
    # and the forest plot (an SVG, also drawn inline on the first page)
    assert len(figures) == 4 * 3 * 2 + 3 + 2 + 4 * 2 + 5 + 1 + 1 + 1 and figures <= set(embedded)
    forest = (res / "prediction" / "forest.svg").read_text()
    assert forest.split("<svg", 1)[1][:200] in description  # the first figure of the first page
    for name in [*figures, Path("answer.tsv"), Path("correlation/ranking.tsv"), Path("prediction/predicted_auc.tsv")]:
        head, data = embedded[name]["data_uri"].split(",", 1)
        assert head.endswith(";base64") and base64.b64decode(data) == (res / name).read_bytes(), name
    answer_category = page.value("categories")["Answer"]
    names = ["answer.tsv", "correlation/ranking.png", "correlation/ranking.tsv", "prediction/calibration.png"]
    names += ["prediction/forest.svg", "prediction/predicted_auc.tsv", "prediction/predictors.tsv"]
    assert sorted(p for ps in answer_category.values() for p in ps) == [f"{RESULTS}/{name}" for name in names]
    answer, ranking = Tables(description).tables[:2]
    expected = pd.read_csv(res / "answer.tsv", sep="\t")
    measure = next(c for c in expected.columns[7:] if not c.startswith(tuple(f"{m}." for m in MODELS)))
    predicted = [f"{m}: predicted AUC [interval]" for m in MODELS]
    assert answer[0] == ["dataset", "cases per class", predicted[0], "measured AUC", predicted[1], "measured AUC"] + [
        measure
    ]
    assert [row[0] for row in answer[1:]] == expected["dataset"].tolist()  # easiest first
    for row, (_, want) in zip(answer[1:], expected.iterrows()):
        assert row[1] == want["class_sizes"]  # "normal 15, hyperplasia 15": the classes as the data names them
        assert row[2] == want["cnn3d.prediction"]  # the prediction (or why there is none) reads first
        measured = (
            "–" if pd.isna(want["cnn3d.auc_mean"]) else f"{want['cnn3d.auc_mean']:.2f} ± {want['cnn3d.auc_sd']:.2f}"
        )
        assert row[3] == measured
        ci = (want[measure], want[f"{measure}_ci_low"], want[f"{measure}_ci_high"])
        assert row[6] == "{} [{}, {}]".format(*(cell(v, 3) for v in ci))
    assert answer[[r[0] for r in answer].index("phantoms_noise")][3] == "–"  # not trained
    ranked = pd.read_csv(res / "correlation" / "ranking.tsv", sep="\t")
    assert len(ranking) == 1 + len(ranked) == 1 + 2 * 12
    for row, (_, want) in zip(ranking[1:], ranked.iterrows()):
        interval = (want["agreement"], want["agreement_ci_low"], want["agreement_ci_high"])
        assert row == [
            want["model"],
            str(want["rank"]),
            f"{want['feature']} · {want['metric']}",
            "{} [{}, {}]".format(*(cell(v, 2) for v in interval)),
        ]
    assert "bootstrap: 2 chunks × 5 sessions, fraction 0.8" in description
    assert "cheap stand-in" not in description  # the benchmarked figure: not of this project's 1-epoch [4, 8] CNN


def test_a_performance_table_beside_a_trained_model_runs_through_to_the_report(finished, tmp_path):
    """`performance:` rows for two of the four datasets beside the trained cnn3d: the folds and summary hold both
    sources, the correlation and the ranking both models, the answer both AUCs; the report shows as – what two
    datasets leave undefined (a TSV row ending in empty fields: the shape whose report used to fail)."""
    work = moved(finished, tmp_path)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["features"] = {"rad_fast": config["features"]["rad_fast"]}
    config["metrics"], config["models"] = {"sil": config["metrics"]["sil"]}, {"cnn3d": config["models"]["cnn3d"]}
    config["performance"] = ["given.tsv"]
    given = {"tiny": [0.60, 0.64, 0.62], "phantoms": [0.90, 0.94, 0.92]}
    rows = [f"{d}\tgiven\t{k}\t{auc}" for d, aucs in given.items() for k, auc in enumerate(aucs)]
    (work / "given.tsv").write_text("dataset\tmodel\tfold\tauc\n" + "\n".join(rows) + "\n")
    write_config(work, config)
    # nothing trained or extracted again; the curation tables lose the columns of the features left out
    assert {rule for rule, _ in scheduled_jobs(work)} <= AGGREGATES | {"curate"}
    snakemake(work)
    res = work / RESULTS
    folds = pd.read_csv(res / "models" / "folds.tsv", sep="\t")
    assert folds.groupby(["model", "source"]).size().to_dict() == {("cnn3d", "trained"): 8, ("given", "given.tsv"): 6}
    assert folds.query("model == 'given'")["auc"].tolist() == [a for aucs in given.values() for a in aucs]
    assert folds.query("model == 'cnn3d'")["early_stopping"].notna().all()
    summary = pd.read_csv(res / "models" / "summary.tsv", sep="\t").set_index(["model", "dataset"])
    assert summary.loc[("given", "tiny"), "auc_mean"] == pytest.approx(0.62)
    assert summary.loc[("given", "phantoms"), "auc_mean"] == pytest.approx(0.92)
    assert summary.loc["cnn3d"].index.tolist() == sorted(["tiny", "tiny_noisy", "nifti", "phantoms"])
    table = pd.read_csv(res / "correlation" / "table.tsv", sep="\t").set_index("model")
    assert table["n_datasets"].to_dict() == {"cnn3d": 4, "given": 2}
    assert np.isfinite(table.loc["cnn3d", ["pearson_r", "spearman_r", "spearman_ci_low"]].astype(float)).all()
    assert table.loc["given", ["spearman_ci_low", "spearman_ci_high"]].isna().all()  # fewer than three datasets
    ranking = pd.read_csv(res / "correlation" / "ranking.tsv", sep="\t")
    assert ranking[["model", "rank"]].values.tolist() == [["cnn3d", 1], ["given", 1]]
    answer = pd.read_csv(res / "answer.tsv", sep="\t").set_index("dataset")
    assert answer["given.auc_mean"].dropna().to_dict() == pytest.approx({"tiny": 0.62, "phantoms": 0.92})
    columns = list(answer.columns)
    at = columns.index("given.prediction")  # each model's prediction, then its measured AUC
    assert columns[at + 1 : at + 3] == ["given.auc_mean", "given.auc_sd"] and answer["given.auc_sd"].isna().sum() == 3
    _, description = report(work, tmp_path / "report.html")
    answer_html, ranking_html = Tables(description).tables[:2]
    header = ["cnn3d: predicted AUC [interval]", "measured AUC", "given: predicted AUC [interval]", "measured AUC"]
    assert answer_html[0][2:6] == header
    shown = {row[0]: row[5] for row in answer_html[1:]}
    assert shown == {"tiny": "0.62 ± 0.02", "phantoms": "0.92 ± 0.02"} | dict.fromkeys(
        ["nifti", "tiny_noisy", "phantoms_noise"], "–"
    )
    assert ranking_html[-1] == ["given", "1", "rad_fast · sil", "– [–, –]"]
    assert ranking_html[1][:3] == ["cnn3d", "1", "rad_fast · sil"] and "–" not in ranking_html[1][3]


def test_a_moved_project_schedules_nothing(finished, tmp_path):
    assert scheduled_jobs(finished) == []  # nor does the finished project itself
    assert scheduled_jobs(moved(finished, tmp_path)) == []


def stamps(folder):
    """Path → modification time (ns) of every file under ``folder``."""
    return {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def own_results(results, name):
    """Whether a results file belongs to the dataset ``name`` alone (not to a table or figure of all datasets)."""
    return name in path_names(results) and all(n not in AGGREGATE_FILES for n in path_names(results))


def path_names(path):
    return {*path.parts, *re.split(r"[./]", str(path))}


AGGREGATE_FILES = {"summary", "scores", "folds", "correlation"}


def test_a_changed_image_reruns_only_its_dataset(finished, tmp_path):
    work = moved(finished, tmp_path)
    image = work / DATA / "nifti" / "s03.nii.gz"
    sitk.WriteImage(sitk.ReadImage(str(image)) + 40.0, str(image))  # new content, same geometry as its mask
    jobs = scheduled_jobs(work)
    rules = {rule for rule, _ in jobs}
    assert {"prepare_shard", "merge_cases", "labels", "extract_features", "bootstrap", "train_reference"} <= rules
    for rule, wildcards in jobs:
        if rule not in AGGREGATES:
            assert re.search(r"(root|dataset)=nifti\b", wildcards), (rule, wildcards)
    assert len([j for j in jobs if j[0] == "bootstrap"]) == len(FEATURES) * len(METRICS) * 2
    # Run its own results and the metric summary: the other datasets' results keep their files and their times;
    # the changed one's are new.
    before = stamps(work / RESULTS)
    targets = [f"{RESULTS}/{p}" for p in before if own_results(p, "nifti") and p.parts[0] != "logs"]
    snakemake(work, *targets, f"{RESULTS}/metrics/summary.tsv")
    after = stamps(work / RESULTS)
    assert set(after) == set(before)
    others = [p for p in before if any(own_results(p, n) for n in ("tiny", "tiny_noisy", "phantoms"))]
    assert len(others) > 100 and all(after[p] == before[p] for p in others)
    mine = [p for p in before if own_results(p, "nifti")]
    assert len(mine) > 30 and all(after[p] > before[p] for p in mine)
    assert after[Path("metrics/summary.tsv")] > before[Path("metrics/summary.tsv")]


def test_an_added_dataset_schedules_only_its_jobs_and_the_aggregations(finished, tmp_path):
    work = moved(finished, tmp_path)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["datasets"].append({"name": "more", "source": "synthetic", "separation": 0.8, "n_per_class": 6})
    write_config(work, config)
    jobs = scheduled_jobs(work)
    for rule, wildcards in jobs:
        if rule not in AGGREGATES | {"roc"}:
            assert re.search(r"(root|dataset)=more\b", wildcards), (rule, wildcards)
    counts = {rule: sum(r == rule for r, _ in jobs) for rule, _ in jobs}
    assert counts == {
        "prepare_shard": 1,
        "merge_cases": 1,
        "labels": 1,
        "extract_features": 2 + 1 + 1 + 1,  # radiomics has 2 shards
        "merge_features": len(FEATURES),
        "zscore_features": len(FEATURES) - 1,
        "pca_features": 1,
        "bootstrap": len(FEATURES) * len(METRICS) * 2,
        "train_reference": len(MODELS),
        "roc": len(MODELS),
        "summarize_metrics": 1,
        "summarize_models": 1,
        "correlate": 1,
        "scatter": len(FEATURES) * len(METRICS) * len(MODELS),
        "answer": 1,
        "distributions": len(METRICS),
        "curate": 1,
        "summarize_curation": 1,
        "calibration_points": 1,
        "predict_auc": 1,
        "all": 1,
    }
    assert all("dataset=more" in w for r, w in jobs if r == "roc")


def test_a_variant_without_the_flagged_cases_trains_bootstraps_and_is_curated(finished, tmp_path):
    """`drop_label_issues` leaves out exactly the cases its parent's curation table flags; the rest of the pipeline
    takes a label table of a subset of the root's cases; the same config makes the same curation table, to the bit."""
    work = moved(finished, tmp_path)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["datasets"].append({"name": "tiny_curated", "parent": "tiny_noisy", "drop_label_issues": True})
    write_config(work, config)
    targets = [
        f"{RESULTS}/curation/tiny_curated.tsv",
        f"{RESULTS}/metrics/tiny_curated/radiomics/sil/chunk0.parquet",
    ]
    jobs = scheduled_jobs(work, *targets)
    assert sorted({rule for rule, _ in jobs}) == ["bootstrap", "curate", "labels", "train_reference"]
    assert [w for rule, w in jobs if rule == "labels"] == ["dataset=tiny_curated"]
    snakemake(work, "--forcerun", "curate", *targets)  # the parent's table made again as well
    res, before = work / RESULTS, finished / RESULTS
    assert (res / "curation" / "tiny_noisy.tsv").stat().st_mtime_ns > (
        before / "curation" / "tiny_noisy.tsv"
    ).stat().st_mtime_ns
    assert (res / "curation" / "tiny_noisy.tsv").read_bytes() == (before / "curation" / "tiny_noisy.tsv").read_bytes()
    parent = pd.read_parquet(res / "labels" / "tiny_noisy.parquet")
    table = pd.read_csv(before / "curation" / "tiny_noisy.tsv", sep="\t", dtype={"case_id": str})
    flagged = set(table.loc[table["label_issue"], "case_id"])
    assert 0 < len(flagged) < len(parent)
    labels = pd.read_parquet(res / "labels" / "tiny_curated.parquet")
    pd.testing.assert_frame_equal(labels, parent[~parent["case_id"].isin(flagged)].reset_index(drop=True))
    for model in MODELS:
        predictions = pd.read_parquet(res / "models" / "tiny_curated" / f"{model}.predictions.parquet")
        assert sorted(predictions["case_id"]) == sorted(labels["case_id"])
    chunk = pd.read_parquet(res / "metrics" / "tiny_curated" / "radiomics" / "sil" / "chunk0.parquet")
    assert len(chunk) == 5 and chunk["score"].notna().all()
    curated = pd.read_csv(res / "curation" / "tiny_curated.tsv", sep="\t", dtype={"case_id": str})
    assert sorted(curated["case_id"]) == sorted(labels["case_id"])


def test_a_train_false_dataset_trains_nothing_and_an_image_variant_prepares_its_own(finished, tmp_path):
    """Added to the finished project: a `train: false` source gets its preparation, features and measures and no
    training job; a blur variant of the sheet's data gets its own preparation and features, and is trained."""
    work = moved(finished, tmp_path)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["datasets"] += [
        {"name": "quick", "source": "synthetic", "separation": 0.6, "n_per_class": 6, "train": False},
        {"name": "nifti_blur", "parent": "nifti", "blur": 2.0},
    ]
    write_config(work, config)
    jobs = scheduled_jobs(work)

    def of(name):
        return Counter(rule for rule, wildcards in jobs if re.search(rf"(root|dataset)={name}\b", wildcards))

    own = {
        "prepare_shard": 1,
        "merge_cases": 1,
        "labels": 1,
        "extract_features": 2 + 1 + 1 + 1,
        "merge_features": len(FEATURES),
        "zscore_features": len(FEATURES) - 1,
        "pca_features": 1,
        "bootstrap": len(FEATURES) * len(METRICS) * 2,
        "curate": 1,
    }
    assert of("quick") == own
    assert of("nifti_blur") == own | {"train_reference": len(MODELS), "roc": len(MODELS)}
    assert not [w for r, w in jobs if r == "train_reference" and "dataset=quick" in w]
    assert {r for r, _ in jobs} - set(own) - {"train_reference", "roc"} <= AGGREGATES
    assert {"calibration_points", "predict_auc"} <= {r for r, _ in jobs}


def finished_outputs(log, rule):
    """Outputs of the ``rule`` jobs that a Snakemake log reports finished (metadata written, no longer incomplete)."""
    block = rf"rule {rule}:\n(?:.*\n)*?\s+output: (\S+)\n(?:.*\n)*?\s+jobid: (\d+)"
    outputs = {jobid: out for out, jobid in re.findall(block, log)}
    return {outputs[jobid] for jobid in re.findall(rf"Finished jobid: (\d+) \(Rule: {rule}\)", log)}


def test_a_run_killed_during_feature_extraction_resumes_after_unlock(finished, tmp_path):
    """SIGKILL to Snakemake and its jobs half-way through extraction; `--unlock`; the next run redoes only the rest."""
    work = moved(finished, tmp_path)
    radiomics = work / "src" / "difficulty" / "features" / "radiomics.py"
    radiomics.write_text(radiomics.read_text() + "\nCHANGED = True\n")  # every radiomics shard (4 roots x 2) runs again
    shards = sorted(p.relative_to(work).as_posix() for p in work.glob(f"{RESULTS}/features/*/radiomics/shard*.parquet"))
    old = {p: (work / p).stat().st_mtime_ns for p in shards}
    roots = ("nifti", "phantoms", "phantoms_noise", "tiny")
    targets = [f"{RESULTS}/features/{root}/radiomics_raw.parquet" for root in roots]
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(work / "Snakefile"), "--directory", str(work)]
    log = tmp_path / "killed.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [*command, "--configfile", str(work / "config.yaml"), "--cores", "1", *targets],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=os.environ | {"PYTHONHASHSEED": "1", "PYTHONPATH": str(work / "src")},
        )
    try:
        while len(finished_outputs(log.read_text(), "extract_features")) < 2:
            assert run.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # Snakemake and the job it runs, as a crash or an OOM kill does
        run.wait()
    done = finished_outputs(log.read_text(), "extract_features")
    assert 2 <= len(done) < len(shards) and done <= set(shards)
    present = [p for p in shards if (work / p).exists()]  # Snakemake deletes a job's old outputs before it runs it
    assert done <= set(present) and all(len(pd.read_parquet(work / p)) in (12, 15, 8) for p in present)  # all whole
    locked = snakemake(work, *targets, check=False)
    assert locked.returncode != 0 and "Directory cannot be locked" in output(locked) and "--unlock" in output(locked)
    snakemake(work, "--unlock")
    jobs = scheduled_jobs(work, *targets)
    assert {r for r, _ in jobs} == {"extract_features", "merge_features"}
    assert len([r for r, _ in jobs if r == "extract_features"]) == len(shards) - len(done)
    finished_at = {p: (work / p).stat().st_mtime_ns for p in done}
    snakemake(work, *targets)
    assert all((work / p).stat().st_mtime_ns == finished_at[p] for p in done)  # not recomputed
    assert all((work / p).stat().st_mtime_ns > old[p] for p in shards)
    for target in targets:
        pd.testing.assert_frame_equal(pd.read_parquet(work / target), pd.read_parquet(finished / target))
    assert scheduled_jobs(work, *targets) == []


def test_a_comment_or_docstring_edit_reruns_nothing(finished, tmp_path):
    """Upgrading for a docs fix re-trains nothing: the jobs depend on what their code does, not on its text."""
    work = moved(finished, tmp_path)
    training = work / "src" / "difficulty" / "models" / "training.py"
    text = training.read_text()
    edited = text.replace('"""Training and cross-validation', '"""Training (a docstring edit) and cross-validation', 1)
    edited = edited.replace("    network.train()\n", "    network.train()  # a comment\n", 1)
    assert edited.count("a docstring edit") == 1 and edited.count("# a comment") == 1
    training.write_text(edited)
    (work / "src" / "difficulty" / "options.py").write_text(
        (REPO / "src" / "difficulty" / "options.py").read_text() + "# x\n"
    )
    assert scheduled_jobs(work) == []


def test_changed_code_reruns_the_jobs_that_run_it(finished, tmp_path):
    work = moved(finished, tmp_path)
    training = work / "src" / "difficulty" / "models" / "training.py"
    training.write_text(training.read_text().replace("clamp_min(1e-12)", "clamp_min(1e-11)", 1))
    jobs = scheduled_jobs(work)
    rules = {rule for rule, _ in jobs}  # training, and what reads the models' results (curation reads predictions)
    assert {"train_reference", "roc"} <= rules and rules - {"train_reference", "roc", "curate"} <= AGGREGATES
    assert not rules & {"prepare_shard", "extract_features", "bootstrap", "labels"}
    assert len([j for j in jobs if j[0] == "train_reference"]) == 4 * len(MODELS)
    work = moved(finished, tmp_path / "again")
    silhouette = work / "src" / "difficulty" / "metrics" / "silhouette_score.py"
    silhouette.write_text(silhouette.read_text().replace("np.maximum(a, b)", "np.maximum(b, a)", 1))
    jobs = scheduled_jobs(work)
    assert {rule for rule, _ in jobs} == {"bootstrap"} | AGGREGATES - {"summarize_models", "summarize_curation"}
    assert all("metric=sil" in w for rule, w in jobs if rule == "bootstrap")
    assert len([j for j in jobs if j[0] == "bootstrap"]) == 5 * len(FEATURES) * 2


def test_a_changed_metric_option_reruns_only_that_metric(finished, tmp_path):
    work = moved(finished, tmp_path)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["metrics"]["gap"]["fraction"] = 0.6
    write_config(work, config)
    jobs = scheduled_jobs(work)
    assert {rule for rule, _ in jobs} == {"bootstrap"} | AGGREGATES - {"summarize_models", "summarize_curation"}
    assert all("metric=gap" in w for rule, w in jobs if rule == "bootstrap")
