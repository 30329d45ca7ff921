import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score

from micfp.baselines import (
    make_bed_svm,
    make_classical_pipeline,
    make_device_classifier,
    make_device_embedding,
    make_gmm_ubm,
    make_gsv_svm,
)

SR = 16000


def _devices(n_devices=3, n_clips=12, n_samples=8000, seed=0):
    """Clips of varied colored noise through a few dB of device-specific EQ.

    The content (spectral slope, level) changes from clip to clip and the
    device's response stays, so the device differences are small next to the
    content differences, as between real microphones.
    """
    device_rng = np.random.default_rng(1234)
    freqs = np.fft.rfftfreq(n_samples, 1 / SR)
    knots = np.linspace(0, SR / 2, 8)
    responses = [
        10 ** (np.interp(freqs, knots, device_rng.uniform(-6, 6, 8)) / 20)
        for _ in range(n_devices)
    ]
    rng = np.random.default_rng(seed)
    X, y = [], []
    for device, response in enumerate(responses):
        slope = rng.uniform(-1.5, 0.5, (n_clips, 1))
        phases = rng.standard_normal((n_clips, freqs.size, 2)) @ [1, 1j]
        spectrum = phases * np.maximum(freqs, 50) ** (slope / 2) * response
        clips = np.fft.irfft(spectrum, n_samples)
        clips *= rng.uniform(0.01, 0.3, (n_clips, 1)) / clips.std(axis=1, keepdims=True)
        X.append(clips)
        y += [device] * n_clips
    return np.vstack(X), np.array(y)


@pytest.fixture(scope="module")
def train_test():
    return _devices(seed=0), _devices(seed=1)


@pytest.mark.parametrize(
    "make, kwargs, min_accuracy",
    [
        (make_gsv_svm, {"n_components": 8, "random_state": 0}, 0.7),
        (make_gmm_ubm, {"n_components": 8, "random_state": 0}, 0.8),
        (make_bed_svm, {}, 0.45),
        (make_classical_pipeline, {}, 0.8),
        (make_device_classifier, {}, 0.9),
    ],
)
def test_baselines_identify_devices_on_new_clips(
    make, kwargs, min_accuracy, train_test
):
    (X_train, y_train), (X_test, y_test) = train_test
    pipe = make(SR, **kwargs).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) >= min_accuracy


def test_gsv_svm_wires_the_frame_width():
    pipe = make_gsv_svm(SR, n_coefficients=20, deltas=1, n_components=16, C=3.0)
    assert [name for name, _ in pipe.steps] == ["mfcc", "gsv", "svm"]
    assert pipe["gsv"].frame_width == 40
    assert pipe["gsv"].normalize
    assert pipe["mfcc"].output == "frames"
    assert pipe["svm"].kernel == "linear"
    assert pipe["svm"].C == 3.0
    X = _devices(n_clips=2)[0]
    pipe[:-1].set_params(gsv__random_state=0).fit(X)
    assert pipe["mfcc"].frame_width_ == pipe["gsv"].frame_width


def test_gmm_ubm_wires_the_frame_width():
    pipe = make_gmm_ubm(SR, n_coefficients=12, deltas=0, adapt="wm")
    assert pipe["gmm_ubm"].frame_width == 12
    assert pipe["gmm_ubm"].adapt == "wm"


def test_bed_svm_steps():
    pipe = make_bed_svm(SR, frame_length=256, kernel="linear")
    assert [name for name, _ in pipe.steps] == ["bed", "scale", "svm"]
    assert pipe["bed"].frame_length == 256
    assert pipe["bed"].sr == SR
    assert pipe["svm"].kernel == "linear"


def test_classical_pipeline_features_and_classifier():
    pipe = make_classical_pipeline(SR, LogisticRegression(), n_components=3)
    X, y = _devices(n_clips=4)
    pipe.fit(X, y)
    names = pipe["features"].get_feature_names_out()
    assert len(names) == 13 + 2
    assert names[0] == "mfcc__mean_mfcc0"
    assert names[-1] == "frame_stats__mean_rms"
    assert pipe["pca"].n_components_ == 3
    assert isinstance(pipe["classifier"], LogisticRegression)


def test_recipes_cross_validate_by_recording():
    X, y = _devices(n_clips=6)
    groups = np.tile(np.repeat([0, 1, 2], 2), 3)
    pipe = make_gsv_svm(SR, n_components=4, random_state=0)
    scores = cross_val_score(clone(pipe), X, y, groups=groups, cv=GroupKFold(3))
    assert scores.shape == (3,)


def test_device_classifier_is_the_embedding_with_lda(train_test):
    (X_train, y_train), (X_test, _) = train_test
    pipe = make_device_classifier(SR, segment_length=512, percentile=10, shrinkage=0.1)
    assert [name for name, _ in pipe.steps] == ["spectra", "scale", "lda"]
    assert pipe["lda"].solver == "lsqr" and pipe["lda"].shrinkage == 0.1
    pipe.fit(X_train, y_train)
    proba = pipe.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    embedding = make_device_embedding(SR, segment_length=512, percentile=10)
    np.testing.assert_allclose(
        pipe[:-1].transform(X_test), embedding.fit(X_train).transform(X_test)
    )
    names = pipe[:-1].get_feature_names_out()
    assert len(names) == 257 + 129
    assert (
        names[0] == "welch__welch_0Hz" and names[-1] == "noise_floor__noisefloor_8000Hz"
    )
    assert pipe["spectra"].transformer_list[1][1].percentile == 10
