"""MedicalNet backbones and checkpoints in the published format, written by the tests."""

import json

import numpy as np
import pytest
import torch

from conftest import prepared
from difficulty.features import FEATURES
from difficulty.io import file_digest
from difficulty.networks import medicalnet, weights


def published_format(model, path, seed=0):
    """Random tensors saved as MedicalNet does: 'module.' prefixes, no conv_seg."""
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for key, value in model.state_dict().items():
        if value.dtype.is_floating_point:
            value = torch.rand(value.shape, generator=gen) * 0.1 + (1.0 if key.endswith("running_var") else 0.0)
        state[f"module.{key}"] = value
    torch.save({"state_dict": state}, path)
    return state


def test_resnet10_backbone_has_the_published_tensors():
    state = medicalnet.MedicalNetBackbone(10).state_dict()
    assert len(state) == 72
    assert sum(v.numel() for v in state.values()) == 14_361_292
    assert medicalnet.MedicalNetBackbone(50).out_features == 2048
    assert "layer2.0.downsample.0.weight" in state  # shortcut B
    assert not any("downsample" in k for k in medicalnet.MedicalNetBackbone(18).state_dict())  # shortcut A


def test_architecture_strides_and_dilations():
    model = medicalnet.MedicalNetBackbone(10)
    assert model.conv1.stride == (2, 2, 2)
    assert model.layer2[0].conv1.stride == (2, 2, 2)
    assert model.layer3[0].conv1.dilation == (2, 2, 2) and model.layer3[0].conv1.stride == (1, 1, 1)
    assert model.layer4[0].conv2.dilation == (4, 4, 4)


@pytest.mark.parametrize("depth", [10, 18])
def test_checkpoint_in_published_format_loads_and_features_repeat(tmp_path, depth):
    path = tmp_path / f"resnet_{depth}_23dataset.pth"
    state = published_format(medicalnet.MedicalNetBackbone(depth), path)
    model = medicalnet.build_backbone(depth, path)
    loaded = model.state_dict()
    for key, value in state.items():
        torch.testing.assert_close(loaded[key.removeprefix("module.")], value, rtol=0, atol=0)
    images = np.random.default_rng(0).uniform(0, 255, (3, 20, 24, 24)).astype(np.float32)
    one = medicalnet.extract(model, images, (16, 16, 16), batch_size=2)
    again = medicalnet.build_backbone(depth, path)
    assert one.shape == (3, 512)
    np.testing.assert_array_equal(one, medicalnet.extract(again, images, (16, 16, 16), batch_size=2))
    np.testing.assert_allclose(one, medicalnet.extract(again, images, (16, 16, 16), batch_size=3), rtol=1e-5)
    assert np.isfinite(one).all() and one.std() > 0


def test_checkpoint_with_conv_seg_is_accepted(tmp_path):
    path = tmp_path / "with_head.pth"
    state = published_format(medicalnet.MedicalNetBackbone(10), path)
    state["module.conv_seg.0.weight"] = torch.zeros(32, 512, 3, 3, 3)
    torch.save({"state_dict": state}, path)
    loaded = medicalnet.build_backbone(10, path).state_dict()
    assert set(loaded) == {k.removeprefix("module.") for k in state} - {"conv_seg.0.weight"}  # the head is left out
    for key, value in loaded.items():
        torch.testing.assert_close(value, state[f"module.{key}"], rtol=0, atol=0)


def test_missing_or_misshaped_tensor_is_refused(tmp_path):
    path = tmp_path / "broken.pth"
    state = published_format(medicalnet.MedicalNetBackbone(10), path)
    del state["module.layer3.0.bn1.running_mean"]
    state["module.layer4.0.conv1.weight"] = torch.zeros(512, 256, 1, 1, 1)
    state["module.fc.weight"] = torch.zeros(2, 512)
    torch.save({"state_dict": state}, path)
    with pytest.raises(ValueError) as err:
        medicalnet.build_backbone(10, path)
    text = str(err.value)
    assert "missing: layer3.0.bn1.running_mean" in text
    assert "unexpected: fc.weight" in text
    assert "layer4.0.conv1.weight (512, 256, 1, 1, 1) != (512, 256, 3, 3, 3)" in text
    torch.save({"model": {}}, path)
    with pytest.raises(ValueError, match="not a MedicalNet checkpoint"):
        medicalnet.build_backbone(10, path)


@pytest.fixture
def tiny(tmp_path):
    return prepared(tmp_path / "p", {"source": "synthetic", "separation": 0.5, "n_per_class": 4, "shape": [16] * 3})


def test_missing_weight_file_names_the_file_and_never_falls_back(tmp_path, tiny):
    path = tmp_path / "resnet_50_23dataset.pth"
    with pytest.raises(
        FileNotFoundError, match=r"resnet_50_23dataset\.pth is missing.*TencentMedicalNet/MedicalNet-Resnet50"
    ):
        medicalnet.build_backbone(50, path)
    extractor = FEATURES.get("medicalnet")
    options = {"depth": 50, "size": [16, 16, 16], "batch_size": 2, "weights": str(path)}
    assert extractor.inputs(options) == {"weights": str(path)}
    with pytest.raises(FileNotFoundError, match="no random weights are used in its place"):
        extractor.extract(tiny, options=options, inputs=extractor.inputs(options), seed=0, threads=1)
    with pytest.raises(ValueError, match="resnet_50_23dataset.pth is missing"):
        extractor.check(options, downloads=False)
    extractor.check(options, downloads=True)  # the download rule will fetch it


def test_a_custom_weights_name_takes_its_depth_from_the_entry(tmp_path, tiny):
    from difficulty.models import MODELS

    extractor = FEATURES.get("medicalnet")
    path = tmp_path / "my_checkpoint.pth"  # no depth in the name: the entry's depth 34 says which file to get
    options = {"depth": 34, "size": [16, 16, 16], "batch_size": 2, "weights": str(path)}
    for downloads in (False, True):  # the download rule fetches only the published names
        missing = r"my_checkpoint\.pth is missing\. Download the ResNet-34 checkpoint"
        with pytest.raises(ValueError, match=missing) as err:
            extractor.check(options, downloads=downloads)
        assert "TencentMedicalNet/MedicalNet-Resnet34, resnet_34_23dataset.pth" in str(err.value)
        assert "Resnet10" not in str(err.value)
    with pytest.raises(FileNotFoundError, match=r"MedicalNet-Resnet34.*no random weights"):
        extractor.extract(tiny, options=options, inputs=extractor.inputs(options), seed=0, threads=1)
    with pytest.raises(FileNotFoundError, match=r"Download the ResNet-50 checkpoint"):
        medicalnet.build_backbone(50, path)
    # A file named as another depth's checkpoint contradicts the entry.
    options["weights"] = str(tmp_path / "resnet_10_23dataset.pth")
    with pytest.raises(ValueError, match=r"is MedicalNet's ResNet-10 checkpoint, but the entry's depth is 34"):
        extractor.check(options, downloads=True)
    model = MODELS.get("resnet3d")
    with pytest.raises(ValueError, match=r"ResNet-10 checkpoint, but the entry's depth is 18; set `depth: 10`"):
        model.check({"depth": 18, "weights": options["weights"]}, downloads=False)
    # A checkpoint of depth 10 under a custom name loads for an entry of depth 10, and only for it.
    state = published_format(medicalnet.MedicalNetBackbone(10), path)
    (tmp_path / "SHA256SUMS").write_text(f"{file_digest(path, 'sha256')}  my_checkpoint.pth\n")
    options = {"depth": 10, "size": [16, 16, 16], "batch_size": 2, "weights": str(path)}
    extractor.check(options, downloads=False)
    loaded = medicalnet.build_backbone(10, path).state_dict()
    torch.testing.assert_close(loaded["layer1.0.conv1.weight"], state["module.layer1.0.conv1.weight"], rtol=0, atol=0)
    with pytest.raises(ValueError, match="does not fit this network"):
        medicalnet.build_backbone(18, path)


def test_random_control_is_seeded_and_named_as_such(tiny):
    assert "random_resnet" in FEATURES and FEATURES.get("random_resnet").inputs({"depth": 10}) == {}
    a = medicalnet.build_backbone(10, seed=1).state_dict()
    b = medicalnet.build_backbone(10, seed=1).state_dict()
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    extractor = FEATURES.get("random_resnet")
    options = {"depth": 10, "size": [16, 16, 16], "batch_size": 2}
    table = extractor.extract(tiny, options=options, inputs={}, seed=4, threads=1)
    assert list(table["case_id"]) == list(tiny.case_ids) and table.shape == (8, 1 + 512)


def test_pretrained_extractor_verifies_the_checksum_before_use(tmp_path, tiny):
    path = tmp_path / "resnet_10_23dataset.pth"
    state = published_format(medicalnet.MedicalNetBackbone(10), path)
    extractor = FEATURES.get("medicalnet")
    options = {"depth": 10, "size": [16, 16, 16], "batch_size": 2, "weights": str(path)}
    with pytest.raises(ValueError, match="has no SHA-256 entry"):
        extractor.check(options, downloads=False)
    (tmp_path / "SHA256SUMS").write_text(f"{file_digest(path, 'sha256')}  resnet_10_23dataset.pth\n")
    extractor.check(options, downloads=False)
    table = extractor.extract(tiny, options=options, inputs=extractor.inputs(options), seed=0, threads=1)
    # the same features by hand: the checkpoint's tensors put in a fresh network by torch's own loader, each grid
    # volume z-scored over its voxels > 0 (float64, numpy), one forward pass per case, layer4 averaged
    network = medicalnet.MedicalNetBackbone(10).eval()
    network.load_state_dict({k.removeprefix("module."): v for k, v in state.items()}, strict=True)
    expected = []
    for i in range(len(tiny.cases)):
        volume = tiny.grid[i].astype(np.float64)
        inside = volume[volume > 0]
        z = ((volume - inside.mean()) / (inside.std() + 1e-8)).astype(np.float32)
        with torch.inference_mode():
            expected.append(network(torch.from_numpy(z)[None, None]).numpy()[0])
    got = table.drop(columns="case_id").to_numpy()
    assert got.shape == (8, 512) and list(table["case_id"]) == list(tiny.case_ids)
    np.testing.assert_allclose(got, np.stack(expected), rtol=1e-4, atol=1e-6 * np.abs(got).max())
    random = FEATURES.get("random_resnet").extract(tiny, options=options, inputs={}, seed=0, threads=1)
    assert not np.allclose(random.drop(columns="case_id").to_numpy(), got, rtol=0.1)  # the weights were used


def test_preprocess_zscores_foreground_deterministically():
    volume = np.zeros((10, 10, 10), np.float32)
    volume[2:8, 2:8, 2:8] = np.arange(216, dtype=np.float32).reshape(6, 6, 6) + 1
    batch = torch.from_numpy(np.stack([volume, np.zeros_like(volume) - 3.0]))
    out = medicalnet.preprocess(batch, (10, 10, 10))
    assert out.shape == (2, 1, 10, 10, 10)
    fg = out[0, 0][torch.from_numpy(volume > 0)]
    assert float(fg.mean()) == pytest.approx(0, abs=1e-5)
    assert float(fg.std(unbiased=False)) == pytest.approx(1, abs=1e-4)
    assert torch.all(out[0, 0][torch.from_numpy(volume == 0)] == out[0, 0, 0, 0, 0])  # background not filled with noise
    assert torch.all(out[1] == 0)  # no voxel > 0: statistics of the whole (constant) volume
    torch.testing.assert_close(out, medicalnet.preprocess(batch, (10, 10, 10)), rtol=0, atol=0)
    resized = medicalnet.preprocess(batch, (5, 6, 7))
    small = torch.nn.functional.interpolate(batch[:1, None], size=(5, 6, 7), mode="trilinear")
    assert resized.shape == (2, 1, 5, 6, 7)
    assert float(resized[0][small[0] > 0].mean()) == pytest.approx(0, abs=1e-5)  # statistics after resizing


def test_weights_checksums(tmp_path):
    blob = tmp_path / "resnet_10_23dataset.pth"
    blob.write_bytes(b"weights")
    sums = tmp_path / "SHA256SUMS"
    with pytest.raises(ValueError, match="has no SHA-256 entry"):
        weights.verify(blob, sums)
    sums.write_text(f"# comment\n{file_digest(blob, 'sha256')}  resnet_10_23dataset.pth\n")
    weights.verify(blob, sums)
    blob.write_bytes(b"tampered")
    with pytest.raises(ValueError, match="does not match"):
        weights.verify(blob, sums)


def test_weights_download_verifies_and_records_the_sum(tmp_path):
    hub = tmp_path / "hub"
    (hub / "org" / "repo" / "resolve" / "main").mkdir(parents=True)
    (hub / "org" / "repo" / "resolve" / "main" / "w.pth").write_bytes(b"abc")
    sums = tmp_path / "SHA256SUMS"
    digest = file_digest(hub / "org" / "repo" / "resolve" / "main" / "w.pth", "sha256")
    sums.write_text(f"{digest}  w.pth\n")
    dest = weights.download("org/repo", "w.pth", tmp_path / "out" / "w.pth", sums, base=hub.as_uri())
    assert dest.read_bytes() == b"abc"
    sums.write_text(f"{'0' * 64}  w.pth\n")
    with pytest.raises(ValueError, match="does not match"):
        weights.download("org/repo", "w.pth", tmp_path / "out2" / "w.pth", sums, base=hub.as_uri())
    assert not (tmp_path / "out2" / "w.pth").exists()


def test_weights_download_without_entry_uses_the_hub_sum_and_records_it(tmp_path):
    hub = tmp_path / "hub"
    (hub / "org" / "repo" / "resolve" / "main").mkdir(parents=True)
    blob = hub / "org" / "repo" / "resolve" / "main" / "resnet_10_23dataset.pth"
    blob.write_bytes(b"published weights")
    listing = hub / "api" / "models" / "org" / "repo" / "tree"
    listing.mkdir(parents=True)
    entry = {"path": "resnet_10_23dataset.pth", "lfs": {"oid": file_digest(blob, "sha256")}}
    (listing / "main").write_text(json.dumps([{"path": "README.md"}, entry]))
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("# header\n")
    dest = tmp_path / "w" / "resnet_10_23dataset.pth"
    weights.download("org/repo", "resnet_10_23dataset.pth", dest, sums, base=hub.as_uri())
    assert weights.read_sums(sums) == {"resnet_10_23dataset.pth": file_digest(blob, "sha256")}
    weights.verify(dest, sums)
