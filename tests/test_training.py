"""What the README promises of training: the learning-rate plateau, augmentation's limits, MedicalNet starts, the
MIL stem, the official split of a sample sheet end to end, and a fold without a validation part said so."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.spatial.transform import Rotation

from conftest import prepared, write_nifti
from difficulty.data.jobs import write_labels
from difficulty.data.sources.synthetic import make_phantoms
from difficulty.io import file_digest
from difficulty.models import MODELS, resolve_model
from difficulty.models import training as training_module
from difficulty.models.augment import augment
from difficulty.models.jobs import train_reference
from difficulty.models.training import cross_validate, optimiser
from difficulty.networks.medicalnet import MedicalNetBackbone


def options(kind="cnn3d", **given):
    spec = resolve_model("m", {"type": kind, **given})
    del spec["type"]
    return spec


# ---- the learning rate ---------------------------------------------------------------------------------------


def lr_after_each(scores, patience, lr=0.01):
    opt, plateau = optimiser(torch.nn.Linear(2, 1), {"lr": lr, "weight_decay": 0.0, "patience": patience})
    out = []
    for score in scores:
        plateau.step(score)
        out.append(opt.param_groups[0]["lr"])
    return out


def test_the_learning_rate_halves_on_a_plateau_of_half_the_patience():
    """patience 4: the rate halves on the 3rd epoch in a row without a better score (more than 4 // 2), again 3
    epochs later, and stays after a better score."""
    scores = [1.0, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.4, 0.5, 0.5]
    expected = [0.01] * 4 + [0.005] * 3 + [0.0025] * 4
    assert lr_after_each(scores, 4) == pytest.approx(expected, rel=1e-12)
    assert lr_after_each(scores, 5) == pytest.approx(expected, rel=1e-12)  # 5 // 2 = 2 as well
    # patience 1 (or 2, 3): the rate's patience is 1, so it halves on the 2nd epoch in a row without progress
    assert lr_after_each([1.0, 1.0, 1.0, 1.0, 1.0], 1) == pytest.approx([0.01, 0.01, 0.005, 0.005, 0.0025])
    assert lr_after_each([1.0, 0.9, 0.8, 0.7], 1) == [0.01] * 4  # steady progress: never lowered


def test_training_steps_the_plateau_with_each_epochs_validation_figure(monkeypatch, caplog):
    """In train_fold, the scheduler sees every epoch's validation loss (or -AUC) and the optimiser runs at its rate."""
    seen = []

    def recording(network, training):
        opt, plateau = optimiser(network, training)
        step = plateau.step

        def record(score):
            step(score)
            seen.append((score, opt.param_groups[0]["lr"]))

        plateau.step = record
        return opt, plateau

    monkeypatch.setattr(training_module, "optimiser", recording)
    caplog.set_level("INFO", logger="difficulty.models.training")
    cases, images, _ = make_phantoms(12, 0.2, (16, 16, 16), seed=4)
    chosen = options(folds=2, epochs=7, patience=6, validation=0.3, batch_size=8, channels=[2, 4], lr=0.05)
    cross_validate(images, cases["label"].to_numpy(), "cnn3d", chosen, ("plateau",))
    logged = [r.message for r in caplog.records if r.message.startswith("epoch ")]
    assert len(seen) == len(logged) == 14  # patience 6 > 7 epochs − 1: no early stop
    for (score, lr), line in zip(seen, logged):
        assert f"validation loss {score:.4f}" in line and line.endswith(f"lr {lr:.2g}")
    for fold in (seen[:7], seen[7:]):  # the rule, replayed on the exact scores (torch's relative threshold 1e-4)
        best, bad, rate = np.inf, 0, 0.05
        for score, lr in fold:
            if score < best * (1 - 1e-4):
                best, bad = score, 0
            else:
                bad += 1
            if bad > 3:  # 6 // 2
                rate, bad = rate / 2, 0
            assert lr == pytest.approx(rate, rel=1e-12)


# ---- augmentation --------------------------------------------------------------------------------------------


def coordinate_volumes(shape=(16, 16, 16)):
    """Volumes whose value is the normalised x, y or z coordinate of the voxel centre (grid_sample's frame)."""
    axes = [(2 * np.arange(n) + 1) / n - 1 for n in shape]  # align_corners=False
    z, y, x = np.meshgrid(*axes, indexing="ij")
    return {"x": x, "y": y, "z": z}, np.stack([x, y, z], axis=-1)


def test_augmentation_stays_within_its_stated_limits():
    """Measured on volumes where each parameter can be read back: constant volumes give the intensity gain
    and shift, linear ramps the affine map (exact under trilinear interpolation), whence flips, each axis's
    rotation (≤ 10°) and the zoom (≤ 10 %). Every draw is within its limit and the draws reach near it."""
    b, shape = 200, (16, 16, 16)
    ramps, points = coordinate_volumes(shape)

    def run(volume):
        x = torch.as_tensor(np.broadcast_to(volume, (b, 1, *shape)).copy(), dtype=torch.float64)
        return augment(x, np.random.default_rng(11)).numpy()[:, 0]  # the same draws for every volume

    shift = run(np.zeros(shape))
    gain = run(np.ones(shape)) - shift
    for out in (shift, gain):  # constant volumes stay constant: only the intensity changes
        assert np.ptp(out.reshape(b, -1), axis=1).max() < 1e-9
    shift, gain = shift[:, 0, 0, 0], gain[:, 0, 0, 0]
    assert np.abs(shift).max() <= 0.1 and np.abs(gain - 1).max() <= 0.1
    assert np.abs(shift).max() > 0.09 and np.abs(gain - 1).max() > 0.09
    inner = np.abs(points).max(axis=-1) <= 0.4  # sampled inside the volume whatever the draw
    p = points[inner]
    theta = np.empty((b, 3, 3))
    for row, name in enumerate("xyz"):
        value = (run(ramps[name])[:, inner] - shift[:, None]) / gain[:, None]
        for i in range(b):
            coef, residual, *_ = np.linalg.lstsq(p, value[i], rcond=None)
            assert residual.max() < 1e-12  # the sampled values are the ramp at an affine image of each point
            theta[i, row] = coef
    singular = np.linalg.svd(theta, compute_uv=False)
    assert np.ptp(singular, axis=1).max() < 1e-9  # a rotation (and flips) times one zoom
    zoom = 1 / singular[:, 0]
    assert np.abs(zoom - 1).max() <= 0.1 + 1e-12 and np.abs(zoom - 1).max() > 0.09
    turned = theta * zoom[:, None, None]
    flips = np.sign(np.diagonal(turned, axis1=1, axis2=2))  # rotations of ≤ 10° keep the diagonal's signs
    assert 0.3 < (flips < 0).mean() < 0.7 and ((flips < 0).mean(axis=0) > 0.3).all()  # each axis, about half
    rotation = turned * flips[:, None, :]
    angles = np.degrees(Rotation.from_matrix(rotation).as_euler("ZYX"))  # about each axis in turn
    assert np.abs(angles).max() <= 10 + 1e-9 and (np.abs(angles).max(axis=0) > 9).all()


# ---- MedicalNet starts and the MIL stem ------------------------------------------------------------------------


def test_resnet3d_from_medicalnet_weights_holds_the_checkpoints_values(tmp_path):
    gen = torch.Generator().manual_seed(1)
    state = {
        k: torch.rand(v.shape, generator=gen) + (1.0 if k.endswith("running_var") else 0.0)
        if v.dtype.is_floating_point
        else v
        for k, v in MedicalNetBackbone(10).state_dict().items()
    }
    path = tmp_path / "resnet_10_23dataset.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}}, path)
    (tmp_path / "SHA256SUMS").write_text(f"{file_digest(path, 'sha256')}  {path.name}\n")
    model = MODELS.get("resnet3d")
    network = model.build(2, depth=10, weights=str(path))
    loaded = network[0].state_dict()
    assert set(loaded) == set(state)  # MONAI's ResNet-10 with MedicalNet's shortcuts: the same tensors
    for key, value in state.items():
        torch.testing.assert_close(loaded[key], value, rtol=0, atol=0, msg=key)
    fresh = model.build(2, depth=10)[0].state_dict()  # without weights: its own random start
    assert not torch.equal(fresh["conv1.weight"], state["conv1.weight"])
    assert isinstance(network[1], torch.nn.Linear) and network[1].in_features == 512
    assert network.eval()(torch.zeros(1, 1, 16, 16, 16)).shape == (1, 2)
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  {path.name}\n")
    with pytest.raises(ValueError, match="does not match"):
        model.build(2, depth=10, weights=str(path))


def test_the_mil_stem_is_resnet18s_seven_by_seven_stride_two_then_max_pooling():
    """README: a 2D ResNet-18 encoder with the standard stem; gated attention pooling over axial slices."""
    torch.manual_seed(0)
    network = MODELS.get("mil").build(3).eval()
    encoder = network.encoder
    assert encoder.conv1.kernel_size == (7, 7) and encoder.conv1.stride == (2, 2) and encoder.conv1.padding == (3, 3)
    assert isinstance(encoder.maxpool, torch.nn.MaxPool2d) and encoder.maxpool.stride == 2
    assert [len(getattr(encoder, f"layer{i}")) for i in (1, 2, 3, 4)] == [2, 2, 2, 2]  # ResNet-18
    sizes = {}

    def keep(name):
        return lambda module, inputs, output: sizes.update({name: tuple(output.shape)})  # None: the output stays

    hooks = [getattr(encoder, name).register_forward_hook(keep(name)) for name in ("conv1", "maxpool")]
    x = torch.randn(2, 1, 5, 32, 32)  # 2 volumes of 5 axial slices
    logits = network(x)
    for hook in hooks:
        hook.remove()
    assert sizes["conv1"] == (10, 64, 16, 16) and sizes["maxpool"] == (10, 64, 8, 8)  # a quarter, per slice
    embeddings, weights = network.attention(x)
    assert embeddings.shape == (2, 5, 512) and torch.allclose(weights.sum(1), torch.ones(2))
    gated = torch.tanh(network.V(embeddings)) * torch.sigmoid(network.U(embeddings))
    torch.testing.assert_close(weights, torch.softmax(network.w(gated).squeeze(-1), 1))
    torch.testing.assert_close(logits, network.head((weights[..., None] * embeddings).sum(1)))
    torch.testing.assert_close(network(x.flip(2)), logits, rtol=1e-5, atol=1e-6)  # a bag: slice order is free


# ---- the official split of a sample sheet, end to end ------------------------------------------------------


def test_split_official_reads_a_sheets_split_column_from_prepare_to_the_folds(tmp_path):
    rng = np.random.default_rng(0)
    parts = ["train"] * 10 + ["val"] * 4 + ["test"] * 4
    rows = ["case_id,patient_id,label,split,image,mask"]
    for i, part in enumerate(parts):
        mask = np.zeros((8, 8, 8), np.uint8)
        mask[2:6, 2:6, 2:6] = 1
        write_nifti(tmp_path / f"c{i}.nii.gz", rng.normal(100 + 40 * (i % 2), 10, (8, 8, 8)).astype(np.float32))
        write_nifti(tmp_path / f"m{i}.nii.gz", mask)
        rows.append(f"c{i},p{i},{'b' if i % 2 else 'a'},{part},c{i}.nii.gz,m{i}.nii.gz")
    (tmp_path / "sheet.csv").write_text("\n".join(rows) + "\n")
    data = prepared(tmp_path / "prep", {"source": "sheet", "path": str(tmp_path / "sheet.csv"), "size": [8, 8, 8]})
    assert data.cases["split"].tolist() == parts
    write_labels(
        parent=data.folder / "cases.parquet",
        root=data.folder / "cases.parquet",
        output=tmp_path / "labels.parquet",
        variant="label_noise",
        options={"label_noise": 0.0},
        seed=0,
    )
    spec = resolve_model("m", {"type": "cnn3d", "split": "official", "epochs": 2, "batch_size": 4, "channels": [2, 2]})
    out = tmp_path / "m.tsv", tmp_path / "m.predictions.parquet"
    train_reference(
        prepared=data.folder,
        labels=tmp_path / "labels.parquet",
        output=out[0],
        predictions=out[1],
        dataset="d",
        model="m",
        spec=spec,
        seed=1,
    )
    folds = pd.read_csv(out[0], sep="\t")
    assert folds[["fold", "n_train", "n_val", "n_test"]].to_numpy().tolist() == [[0, 10, 4, 4]]
    assert folds["early_stopping"].tolist() == [True]
    predictions = pd.read_parquet(out[1])
    assert predictions["case_id"].tolist() == [f"c{i}" for i in range(14, 18)]  # the sheet's test cases
    assert predictions["label"].tolist() == ["a", "b", "a", "b"]


# ---- a fold without a validation part ------------------------------------------------------------------------


def test_a_fold_without_a_validation_part_is_logged_and_marked_in_the_folds_table(caplog):
    """Class b's training cases come from one patient: no validation part can hold out a whole patient of it."""
    cases, images, _ = make_phantoms(8, 1.0, (16, 16, 16), seed=3)
    labels = np.where(cases["label"].to_numpy() == 1, "b", "a")
    groups = np.where(labels == "b", np.where(np.arange(16) < 12, "pb1", "pb2"), cases["case_id"].to_numpy())
    chosen = options(folds=2, epochs=2, patience=1, batch_size=8, channels=[2, 4])
    caplog.set_level("INFO", logger="difficulty.models.training")
    folds, _ = cross_validate(images, labels, "cnn3d", chosen, ("few",), groups=groups)
    assert folds["n_val"].tolist() == [0, 0] and folds["early_stopping"].tolist() == [False, False]
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2 and all("without early stopping" in r.message for r in warnings)
    assert "fold 0: no validation part" in warnings[0].message and "'b' has 1" in warnings[0].message
    assert "trains all 2 epochs" in warnings[0].message
    caplog.clear()
    folds, _ = cross_validate(images, labels, "cnn3d", chosen, ("few",))  # one patient per case: validated
    assert (folds["n_val"] > 0).all() and folds["early_stopping"].all()
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    folds, _ = cross_validate(images, labels, "cnn3d", {**chosen, "validation": 0.0}, ("few",), groups=groups)
    assert not folds["early_stopping"].any() and not [r for r in caplog.records if r.levelname == "WARNING"]
