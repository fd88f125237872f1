"""Sample sheets of several sequences and raters: the consensus label and mask, the checks of bad input, the grid's
channels, radiomics per sequence, a network trained on the sequences as channels."""

import dataclasses

import numpy as np
import pytest
import SimpleITK as sitk
import torch
from rater_files import SHAPE, write_rater_sheet

from difficulty.data import columns
from difficulty.data.cases import Case
from difficulty.data.consensus import consensus_labels, consensus_mask
from difficulty.data.grid import to_grid
from difficulty.data.qc import BadCase
from difficulty.data.sources import sheet
from difficulty.errors import DataError
from difficulty.features.radiomics import extract_radiomics, params_file
from difficulty.models import MODELS
from difficulty.models.training import cross_validate, intensity_stats
from difficulty.seeding import derive_seed

SPEC = {"mask_label": None, "geometry_tolerance": 1e-3, "name": "mr", "mask_consensus": "majority"}


def read(path, **spec):
    spec = SPEC | {"path": str(path)} | spec
    table = sheet.cases_of(spec)
    return table, list(sheet.read_source(spec, table, 0))


def test_a_sheet_of_sequences_and_raters_reads_every_image_and_mask_of_a_case(tmp_path):
    path, truth = write_rater_sheet(tmp_path)
    table, cases = read(path)
    assert columns.sequences(table) == ["s1", "s2"] and columns.mask_raters(table) == ["r1", "r2", "r3"]
    assert columns.label_raters(table) == ["r1", "r2", "r3"] and list(table["label"]) == [
        t["label"] for t in truth.values()
    ]
    case = cases[3]
    assert case.image.shape == (2, *SHAPE) and case.sequences == ("s1", "s2") and case.raters == ("r1", "r2", "r3")
    for got, want in zip(case.rater_masks, truth["c3"]["masks"]):
        np.testing.assert_array_equal(got, want)
    # no plain mask: the raters' majority (lesion, dilated, eroded: the lesion itself)
    np.testing.assert_array_equal(case.mask, truth["c3"]["masks"][0])
    np.testing.assert_array_equal(case.with_rater_mask("r2").mask, truth["c3"]["masks"][1])
    first = sitk.GetArrayFromImage(sitk.ReadImage(str(tmp_path / "img" / "c3_s2.nii.gz")))
    np.testing.assert_array_equal(case.image[1], first)
    _, staple = read(path, mask_consensus="staple")
    _, named = read(path, mask_consensus="r3")
    np.testing.assert_array_equal(named[3].mask, truth["c3"]["masks"][2])
    assert truth["c3"]["masks"][2].sum() <= staple[3].mask.sum() <= truth["c3"]["masks"][1].sum()


def test_without_a_label_the_label_is_the_raters_majority_and_a_tie_is_drawn_from_the_seed(tmp_path):
    path, truth = write_rater_sheet(tmp_path, raters=3, label=False)
    table = sheet.read_sheet(path, tie_seed=5)
    majority = [max(set(t["labels"]), key=t["labels"].count) for t in truth.values()]
    assert list(table["label"]) == majority and not table["label_tie"].any()
    two, _ = write_rater_sheet(tmp_path / "two", raters=2, label=False)  # rater 2 flips every 4th case: ties
    ties = sheet.read_sheet(two, tie_seed=5)
    assert list(ties["label_tie"]) == [i % 4 == 0 for i in range(12)]
    assert ties.equals(sheet.read_sheet(two, tie_seed=5))
    given = ties[["label:r1", "label:r2"]].to_numpy(dtype=object)
    expected, tied = consensus_labels(given, 5)
    assert list(ties["label"]) == list(expected) and list(tied) == list(ties["label_tie"])
    drawn = {tuple(sheet.read_sheet(two, tie_seed=s)["label"]) for s in range(8)}
    assert len(drawn) > 1  # another seed draws other ties
    assert sheet.cases_of({"path": str(two), "name": "mr"}).equals(
        sheet.read_sheet(two, tie_seed=derive_seed("mr", "label_ties"))
    )


def test_bad_rater_and_sequence_columns_are_refused_naming_the_case_and_the_column(tmp_path):
    path, _ = write_rater_sheet(tmp_path)
    text = path.read_text().splitlines()
    header = text[0].split("\t")

    def edited(column, row, value):
        lines = [line.split("\t") for line in text]
        lines[row][header.index(column)] = value
        out = tmp_path / f"edit_{column.replace(':', '_')}.tsv"
        out.write_text("\n".join("\t".join(line) for line in lines) + "\n")
        return out

    with pytest.raises(DataError, match=r"case 'c2' has no mask of rater 'r2' \(column 'mask:r2', 1 case"):
        sheet.read_sheet(edited("mask:r2", 3, ""))
    table, cases = read(edited("mask:r2", 3, ""), on_bad_case="skip")
    assert isinstance(cases[2], BadCase) and "no mask of rater 'r2'" in cases[2].problem
    with pytest.raises(
        DataError, match=r"case 'c4' has an empty 'image:s2' \(sequence 's2': every case needs every sequence\)"
    ):
        sheet.read_sheet(edited("image:s2", 5, ""))
    lines = [line.split("\t") for line in text]
    for line in lines[1:]:
        line[header.index("label:r3")] = ""
    (tmp_path / "silent.tsv").write_text("\n".join("\t".join(line) for line in lines) + "\n")
    with pytest.raises(DataError, match=r"rater 'r3' \(column 'label:r3'\) gives no label"):
        sheet.read_sheet(tmp_path / "silent.tsv")
    both = tmp_path / "both.tsv"
    both.write_text(text[0] + "\timage\n" + "\n".join(line + "\timg/c0_s1.nii.gz" for line in text[1:]) + "\n")
    with pytest.raises(DataError, match="has both 'image' and image:<sequence> columns"):
        sheet.read_sheet(both)
    bad = tmp_path / "bad.tsv"
    bad.write_text(text[0].replace("mask:r1", "mask:r 1") + "\n" + "\n".join(text[1:]) + "\n")
    with pytest.raises(DataError, match=r"column 'mask:r 1': a name after 'mask:' must be letters"):
        sheet.read_sheet(bad)


def test_a_sequence_on_another_grid_is_refused_naming_both_files_unless_it_is_resampled(tmp_path):
    path, _ = write_rater_sheet(tmp_path, cases=4)
    image = sitk.ReadImage(str(tmp_path / "img" / "c1_s2.nii.gz"))
    image.SetOrigin((3.0, 0.0, 0.0))  # 3 mm off in x
    sitk.WriteImage(image, str(tmp_path / "img" / "c1_s2.nii.gz"))
    _, cases = read(path)
    assert isinstance(cases[1], BadCase)
    assert "sequence 's2'" in cases[1].problem and "c1_s2.nii.gz" in cases[1].problem
    assert (
        "c1_s1.nii.gz" in cases[1].problem
        and "origin" in cases[1].problem
        and "sequences: resample" in cases[1].problem
    )
    _, resampled = read(path, sequences="resample")
    case = resampled[1]
    assert case.image.shape == (2, *SHAPE)
    first = sitk.GetArrayFromImage(sitk.ReadImage(str(tmp_path / "img" / "c1_s2.nii.gz")))
    np.testing.assert_allclose(case.image[1][:, :, 3:], first[:, :, :-3], atol=1e-4)  # 3 voxels on, 0 outside
    assert not case.image[1][:, :, :3].any()


def test_consensus_mask_of_a_named_rater_and_the_unknown_ones(tmp_path):
    masks = [np.zeros((2, 3, 3), bool) for _ in range(3)]
    masks[0][0, 0, 0] = masks[1][0, 0, 0] = masks[2][1, 1, 1] = True
    np.testing.assert_array_equal(consensus_mask(masks, "majority"), masks[0])
    np.testing.assert_array_equal(consensus_mask(masks, "rater", ["a", "b", "c"], "c"), masks[2])
    with pytest.raises(ValueError, match=r"unknown rater 'd'; the raters are \['a', 'b', 'c'\]"):
        consensus_mask(masks, "rater", ["a", "b", "c"], "d")
    path, _ = write_rater_sheet(tmp_path, cases=4)
    with pytest.raises(DataError, match=r"mask_consensus 'r9' is neither majority nor staple nor a rater"):
        sheet._check(SPEC | {"path": str(path), "mask_consensus": "r9"}, False)


def test_the_grid_has_a_channel_per_sequence_and_radiomics_a_prefixed_column_per_sequence(tmp_path):
    path, _ = write_rater_sheet(tmp_path, cases=2)
    _, cases = read(path)
    image, mask = to_grid(cases[0], {"crop_margin": 4.0, "size": [8, 10, 10], "normalize": "none"})
    assert image.shape == (2, 8, 10, 10) and mask.shape == (8, 10, 10)
    one = to_grid(Case(cases[0].case_id, cases[0].image[1], cases[0].mask), {})
    assert one[0].shape == SHAPE
    table = extract_radiomics(cases, params_file("fast"), 2)
    s1 = [c for c in table.columns if c.startswith("s1_")]
    s2 = [c for c in table.columns if c.startswith("s2_")]
    assert len(s1) == len(s2) == (table.shape[1] - 1) // 2 > 50
    second = Case(cases[0].case_id, cases[0].image[1], cases[0].mask, cases[0].spacing)
    single = extract_radiomics([second], params_file("fast"))
    assert table.loc[0, "s2_original_firstorder_Mean"] == single.loc[0, "original_firstorder_Mean"]


def test_a_network_trains_on_the_sequences_as_channels_each_z_scored_on_its_own():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(16, 2, 8, 8, 8)).astype(np.float32)
    images[:, 1] = images[:, 1] * 10 + 100
    labels = np.repeat([0, 1], 8)
    images[labels == 1, 0] += 1.0
    mean, std = intensity_stats(images, range(16))
    np.testing.assert_allclose(mean.ravel(), images.mean(axis=(0, 2, 3, 4)), rtol=1e-6)
    np.testing.assert_allclose(std.ravel(), images.std(axis=(0, 2, 3, 4), ddof=1), rtol=1e-6)
    options = MODELS.resolve("m", {"type": "cnn3d", "epochs": 2, "folds": 2, "batch_size": 8})
    folds, predictions = cross_validate(images, labels, "cnn3d", options, seed=1)
    assert len(folds) == 2 and len(predictions) == 16
    for name in ("resnet3d", "mil"):
        network = MODELS.get(name).network(2, {}, channels=2).eval()
        assert network(torch.zeros(1, 2, 16, 16, 16)).shape == (1, 2)
    with pytest.raises(ValueError, match="takes one input channel, and the dataset has 2 sequences"):
        dataclasses.replace(MODELS.get("cnn3d"), build=lambda n_classes: None).network(2, {}, 2)
