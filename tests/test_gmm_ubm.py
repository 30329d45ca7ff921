import re

import joblib
import numpy as np
import pytest
from scipy.special import softmax
from sklearn import config_context
from sklearn.mixture import GaussianMixture

from micfp.mixture import (
    GMMUBMClassifier,
    fit_ubm,
    map_adapt,
    split_frames,
    sufficient_statistics,
)


def _devices(n_per_device=8, n_frames=25, width=3, seed=0):
    """Clips of frames from three devices with overlapping frame distributions."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -1.0], [0.0, 1.5, 0.5]])
    X, y = [], []
    for label, center in zip(["a", "b", "c"], centers, strict=True):
        frames = center + rng.normal(0, 1, (n_per_device, n_frames, width))
        X.append(frames.reshape(n_per_device, -1))
        y += [label] * n_per_device
    return np.vstack(X), np.array(y)


def _as_mixture(weights, means, variances):
    gm = GaussianMixture(n_components=len(weights), covariance_type="diag")
    gm.weights_, gm.means_, gm.covariances_ = weights, means, variances
    gm.precisions_cholesky_ = 1.0 / np.sqrt(variances)
    return gm


def test_identifies_devices_on_held_out_clips():
    X, y = _devices()
    X_test, y_test = _devices(seed=1)
    clf = GMMUBMClassifier(n_components=4, frame_width=3, random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) == 1.0
    assert list(clf.classes_) == ["a", "b", "c"]


@pytest.mark.parametrize("adapt", ["m", "wmv"])
def test_scores_are_average_frame_log_likelihood_ratios(adapt):
    X, y = _devices()
    clf = GMMUBMClassifier(
        n_components=3, frame_width=3, adapt=adapt, random_state=0
    ).fit(X, y)
    frames = split_frames(X[:5], 3)
    expected = np.empty((5, 3))
    for k in range(3):
        model = _as_mixture(clf.weights_[k], clf.means_[k], clf.covariances_[k])
        for i, clip in enumerate(frames):
            expected[i, k] = np.mean(
                model.score_samples(clip) - clf.ubm_.score_samples(clip)
            )
    np.testing.assert_allclose(clf.log_likelihood_ratio(X[:5]), expected, rtol=1e-9)
    np.testing.assert_allclose(clf.decision_function(X[:5]), expected, rtol=1e-9)
    np.testing.assert_allclose(
        clf.predict_proba(X[:5]), softmax(expected, axis=1), rtol=1e-9
    )


def test_device_models_adapt_from_pooled_frames():
    X, y = _devices()
    clf = GMMUBMClassifier(
        n_components=3,
        frame_width=3,
        adapt="wmv",
        relevance_factor=4.0,
        random_state=0,
    ).fit(X, y)
    ubm = clf.ubm_
    pooled = split_frames(X[y == "b"], 3).reshape(-1, 3)
    stats = sufficient_statistics(pooled, ubm.weights_, ubm.means_, ubm.covariances_)
    w, m, v = map_adapt(
        *stats,
        ubm.weights_,
        ubm.means_,
        ubm.covariances_,
        relevance_factor=4.0,
        adapt="wmv",
    )
    np.testing.assert_allclose(clf.weights_[1], w, rtol=1e-9)
    np.testing.assert_allclose(clf.means_[1], m, rtol=1e-9)
    np.testing.assert_allclose(clf.covariances_[1], v, rtol=1e-9)


def test_means_only_adaptation_keeps_ubm_weights_and_variances():
    X, y = _devices()
    clf = GMMUBMClassifier(n_components=3, frame_width=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.weights_, np.tile(clf.ubm_.weights_, (3, 1)))
    np.testing.assert_array_equal(
        clf.covariances_, np.tile(clf.ubm_.covariances_, (3, 1, 1))
    )


def test_binary_decision_is_score_difference():
    X, y = _devices()
    keep = y != "c"
    clf = GMMUBMClassifier(n_components=3, frame_width=3, random_state=0)
    clf.fit(X[keep], y[keep])
    scores = clf.log_likelihood_ratio(X)
    np.testing.assert_allclose(clf.decision_function(X), scores[:, 1] - scores[:, 0])
    np.testing.assert_allclose(clf.predict_proba(X), softmax(scores, axis=1))
    np.testing.assert_array_equal(
        clf.predict(X), np.where(scores[:, 1] > scores[:, 0], "b", "a")
    )


def test_prefitted_background_model():
    X, y = _devices()
    background = _devices(seed=5)[0]
    ubm = fit_ubm(background, frame_width=3, n_components=4, random_state=0)
    clf = GMMUBMClassifier(frame_width=3, ubm=ubm).fit(X, y)
    np.testing.assert_array_equal(clf.ubm_.means_, ubm.means_)
    assert clf.means_.shape == (3, 4, 3)


def test_chunks_and_jobs_do_not_change_the_result():
    X, y = _devices()
    clf = GMMUBMClassifier(n_components=3, frame_width=3, random_state=0).fit(X, y)
    whole = clf.log_likelihood_ratio(X)
    with config_context(working_memory=2 * X[0].nbytes / 2**20):
        refit = GMMUBMClassifier(n_components=3, frame_width=3, random_state=0)
        refit.fit(X, y)
        np.testing.assert_allclose(refit.means_, clf.means_, rtol=1e-12)
        np.testing.assert_allclose(refit.log_likelihood_ratio(X), whole, rtol=1e-12)
        refit.set_params(n_jobs=2)
        with joblib.parallel_config(backend="threading"):
            scores = refit.log_likelihood_ratio(X)
    np.testing.assert_allclose(scores, whole, rtol=1e-12)


def test_one_frame_per_row():
    X, y = _devices(n_frames=1)
    clf = GMMUBMClassifier(n_components=2, frame_width=None, adapt="wm")
    assert clf.set_params(random_state=0).fit(X, y).means_.shape == (3, 2, 3)


@pytest.mark.parametrize(
    "params, X, y, message",
    [
        (
            {"frame_width": 2},
            np.zeros((4, 9)),
            ["a", "a", "b", "b"],
            "GMMUBMClassifier: Expected rows of whole frames of frame_width=2",
        ),
        (
            {"n_components": 32, "frame_width": 3},
            np.random.default_rng(0).normal(size=(4, 9)),
            ["a", "a", "b", "b"],
            "Fitting a background model of n_components=32 needs at least 32 "
            "frames; got 12 frame(s).",
        ),
        (
            {"n_components": 2, "frame_width": 3},
            np.random.default_rng(0).normal(size=(4, 9)),
            ["a", "a", "a", "a"],
            "GMMUBMClassifier needs clips of at least 2 classes (devices); got 1 "
            "class: 'a'.",
        ),
        (
            {"adapt": "mm"},
            np.zeros((4, 9)),
            ["a", "a", "b", "b"],
            "The 'adapt' parameter of GMMUBMClassifier must be a str among",
        ),
        (
            {"n_components": 2},
            np.zeros((4, 9)),
            [0.5, 1.5, 2.5, 3.5],
            "Unknown label type: continuous",
        ),
    ],
)
def test_bad_input_raises(params, X, y, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        GMMUBMClassifier(**params).fit(X, np.asarray(y))


def test_predict_rejects_another_frame_layout():
    X, y = _devices()
    clf = GMMUBMClassifier(n_components=2, frame_width=3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 30 features, but GMMUBMClassifier"):
        clf.predict(X[:, :30])


def test_map_adapt_rejects_unknown_letters():
    with pytest.raises(ValueError, match="adapt must combine 'w', 'm' and 'v'"):
        map_adapt(
            np.ones(1),
            np.ones((1, 1)),
            None,
            np.ones(1),
            np.ones((1, 1)),
            np.ones((1, 1)),
            adapt="x",
        )
