"""DeviceEmbeddingNet: a learned, L2-normalised device embedding of raw clips."""

import io
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline

from micfp.exceptions import AudioValueError
from micfp.neural import DeviceEmbeddingNet, MLPClassifier
from micfp.neural._embedding import AdditiveMarginLoss
from micfp.persistence import load_model, save_model

SMALL = dict(
    frame_length=32,
    channels=(8,),
    embedding_size=6,
    batch_size=16,
    dtype="float64",
    n_threads=1,
)


def _clips(n_per_device=12, length=256, devices=("flat", "dark", "bright"), seed=0):
    """Noise clips coloured by one filter per "device"."""
    rng = np.random.default_rng(seed)
    filters = {
        "flat": np.array([1.0]),
        "dark": np.array([0.5, 0.5]),
        "bright": np.array([0.5, -0.5]),
        "ring": np.array([1.0, 0.0, -0.9]),
    }
    X, y = [], []
    for device in devices:
        noise = rng.normal(0, 0.1, (n_per_device, length + 8))
        coloured = np.apply_along_axis(np.convolve, 1, noise, filters[device], "same")
        X.append(coloured[:, 8:])
        y += [device] * n_per_device
    return np.vstack(X), np.asarray(y)


def _net(**params):
    return DeviceEmbeddingNet(**{**SMALL, "random_state": 0, **params})


def _parameters(net):
    return {k: v.detach().clone() for k, v in net.net_.module_.named_parameters()}


def test_transform_gives_unit_embeddings_and_classifier_outputs():
    X, y = _clips()
    net = _net(max_epochs=20).fit(X, y)
    embedding = net.transform(X)
    assert embedding.shape == (len(X), 6)
    assert embedding.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(embedding, axis=1), 1.0)
    np.testing.assert_array_equal(net.fit_transform(X, y), net.transform(X))
    assert net.get_feature_names_out().tolist() == [
        f"deviceembeddingnet{i}" for i in range(6)
    ]
    proba = net.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert net.classes_.tolist() == ["bright", "dark", "flat"]
    assert net.score(X, y) > 0.9
    # The head's logits are the scaled cosines with the device weights.
    head = net.net_.module_.head.weight.detach().numpy()
    cosines = embedding @ (head / np.linalg.norm(head, axis=1, keepdims=True)).T
    np.testing.assert_array_equal(net.predict(X), net.classes_[cosines.argmax(1)])


def test_embeddings_of_one_device_are_closer_than_of_two():
    X, y = _clips(seed=0)
    X_new, y_new = _clips(seed=1)
    embedding = _net(max_epochs=20).fit(X, y).transform(X_new)
    cosine = embedding @ embedding.T
    same = y_new[:, None] == y_new[None, :]
    off_diagonal = ~np.eye(len(y_new), dtype=bool)
    assert cosine[same & off_diagonal].mean() > cosine[~same].mean() + 0.5


def test_clip_length_is_free_beyond_one_frame():
    X, y = _clips(length=256)
    net = _net(max_epochs=2).fit(X, y)
    assert net.n_features_in_ == 256
    # 32-sample frames every 16 samples: 15 frames; pooling keeps the width.
    spectrogram = net.net_.module_.spectrogram(torch.from_numpy(X[:2]))
    assert spectrogram.shape == (2, 17, 15)
    X_long, y_long = _clips(length=1000)
    assert _net(max_epochs=2).fit(X_long, y_long).transform(X_long).shape == (36, 6)


def test_spectrogram_front_end_matches_numpy():
    X, y = _clips()
    net = _net(max_epochs=1, hop_length=8).fit(X, y)
    got = net.net_.module_.spectrogram(torch.from_numpy(X[:3])).numpy()
    frames = np.lib.stride_tricks.sliding_window_view(X[:3], 32, axis=-1)[:, ::8]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(32) / 32)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    np.testing.assert_allclose(got, np.log(power + 1e-12).transpose(0, 2, 1))


def test_same_seed_same_network_other_seed_other_network():
    X, y = _clips()
    first = _net(max_epochs=3, random_state=4).fit(X, y)
    second = _net(max_epochs=3, random_state=4).fit(X, y)
    other = _net(max_epochs=3, random_state=5).fit(X, y)
    a, b, c = _parameters(first), _parameters(second), _parameters(other)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))


def test_transform_does_not_depend_on_the_batch_size():
    X, y = _clips()
    net = _net(max_epochs=2).fit(X, y)
    expected = net.transform(X)
    net.set_params(batch_size=5)
    np.testing.assert_allclose(net.transform(X), expected, atol=1e-12)


def test_additive_margin_loss_penalises_the_true_class():
    logits = torch.tensor([[3.0, 1.0], [0.5, 2.0]], dtype=torch.float64)
    target = torch.tensor([0, 1])
    plain = torch.nn.functional.cross_entropy(logits, target)
    assert AdditiveMarginLoss(margin=0.0, scale=10.0)(logits, target) == plain
    shifted = logits - torch.tensor([[2.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    expected = torch.nn.functional.cross_entropy(shifted, target)
    torch.testing.assert_close(
        AdditiveMarginLoss(margin=0.2, scale=10.0)(logits, target), expected
    )


def test_pretrained_network_starts_the_trunk_and_gets_a_new_head():
    X, y = _clips(devices=("flat", "dark", "bright"))
    source = _net(max_epochs=5).fit(X, y)
    X_case, y_case = _clips(devices=("ring", "flat"), seed=3)
    # A tiny learning rate leaves the started weights where they began.
    tuned = _net(max_epochs=1, lr=1e-12, pretrained=FrozenEstimator(source))
    tuned.fit(X_case, y_case)
    start, after = _parameters(source), _parameters(tuned)
    trunk = [k for k in start if not k.startswith("head.")]
    for name in trunk:
        np.testing.assert_allclose(after[name], start[name], atol=1e-9)
    assert after["head.weight"].shape == (2, 6)
    # Without pretrained, the same seed starts elsewhere.
    fresh = _parameters(_net(max_epochs=1, lr=1e-12).fit(X_case, y_case))
    assert not torch.allclose(fresh["frames.0.weight"], start["frames.0.weight"])
    # A clone keeps the frozen network fitted, so that grid searches can refit.
    clone(tuned).fit(X_case, y_case)
    # An unwrapped fitted network works too.
    assert (
        _net(max_epochs=1, pretrained=source).fit(X_case, y_case).score(X_case, y_case)
        >= 0.5
    )


def test_frozen_embedding_feeds_a_back_end():
    X, y = _clips()
    net = _net(max_epochs=10).fit(X, y)
    pipe = make_pipeline(FrozenEstimator(net), LinearDiscriminantAnalysis()).fit(X, y)
    X_new, y_new = _clips(seed=2)
    assert pipe.score(X_new, y_new) > 0.8


def test_safe_format_round_trip():
    X, y = _clips()
    net = _net(max_epochs=3).fit(X, y)
    buffer = io.BytesIO()
    save_model(net, buffer)
    buffer.seek(0)
    restored = load_model(buffer)
    np.testing.assert_array_equal(restored.transform(X), net.transform(X))
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    assert len(restored.history_) == 3


def test_safe_format_round_trip_with_a_pretrained_network():
    X, y = _clips()
    source = _net(max_epochs=2).fit(X, y)
    tuned = _net(max_epochs=2, pretrained=FrozenEstimator(source)).fit(X, y)
    buffer = io.BytesIO()
    save_model(tuned, buffer)
    buffer.seek(0)
    restored = load_model(buffer)
    np.testing.assert_array_equal(restored.transform(X), tuned.transform(X))
    np.testing.assert_array_equal(restored.pretrained.transform(X), source.transform(X))


BAD = [
    (
        {"frame_length": 512},
        AudioValueError,
        "frame_length=512 is too large for clips of n_features=256 samples",
    ),
    ({"channels": ()}, ValueError, "channels must be a non-empty sequence"),
    ({"channels": (4, 0)}, ValueError, "channels must be a non-empty sequence"),
    (
        {"margin": -0.1},
        ValueError,
        "The 'margin' parameter of DeviceEmbeddingNet must be a float in the range",
    ),
    (
        {"scale": 0},
        ValueError,
        "The 'scale' parameter of DeviceEmbeddingNet must be a float in the range",
    ),
    (
        {"hop_length": 0},
        ValueError,
        "The 'hop_length' parameter of DeviceEmbeddingNet must be an int",
    ),
    (
        {"embedding_size": 0},
        ValueError,
        "The 'embedding_size' parameter of DeviceEmbeddingNet must be an int",
    ),
    (
        {"window": 3},
        ValueError,
        "The 'window' parameter of DeviceEmbeddingNet must be an instance of",
    ),
    (
        {"pretrained": "weights.pt"},
        ValueError,
        "The 'pretrained' parameter of DeviceEmbeddingNet must be an object",
    ),
    (
        {"pretrained": MLPClassifier()},
        ValueError,
        "pretrained must be a fitted DeviceEmbeddingNet or a FrozenEstimator "
        "around one; got MLPClassifier",
    ),
]


@pytest.mark.parametrize("params, error, message", BAD)
def test_bad_parameters_raise_errors_naming_them(params, error, message):
    X, y = _clips()
    with pytest.raises(error, match=re.escape(message)):
        _net(max_epochs=1, **params).fit(X, y)


def test_pretrained_must_be_fitted_and_alike():
    from sklearn.exceptions import NotFittedError

    X, y = _clips()
    with pytest.raises(NotFittedError):
        _net(max_epochs=1, pretrained=_net()).fit(X, y)
    source = _net(max_epochs=1).fit(X, y)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "pretrained has another architecture than this network: "
            "embedding_size=6 (here 5)"
        ),
    ):
        _net(max_epochs=1, embedding_size=5, pretrained=source).fit(X, y)


def test_transform_needs_a_fit_and_clips_of_the_fitted_length():
    from sklearn.exceptions import NotFittedError

    X, y = _clips()
    with pytest.raises(NotFittedError):
        _net().transform(X)
    net = _net(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="is expecting 256 features"):
        net.transform(X[:, :-1])
    X_nan = X.copy()
    X_nan[0, 3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        net.transform(X_nan)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no cuda device")
def test_cuda_training_transforms_and_round_trips():
    X, y = _clips()
    net = _net(max_epochs=3, device="cuda").fit(X, y)
    assert next(net.net_.module_.parameters()).is_cuda
    expected = net.transform(X)
    buffer = io.BytesIO()
    save_model(net, buffer)
    buffer.seek(0)
    np.testing.assert_allclose(load_model(buffer).transform(X), expected, atol=1e-9)
