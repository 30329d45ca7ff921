import copy
import re

import joblib
import numpy as np
import pytest
from sklearn import config_context
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline

from micfp.features import MFCC
from micfp.mixture import (
    GaussianSupervector,
    component_log_likelihoods,
    fit_ubm,
    map_adapt,
    split_frames,
    sufficient_statistics,
)


def _frames(n_clips=12, n_frames=30, width=3, seed=0):
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, 1, (n_clips, 1, width))
    return (offsets + rng.normal(0, 1, (n_clips, n_frames, width))).reshape(n_clips, -1)


def _loop_supervectors(ubm, X, width, r):
    """One clip at a time through GaussianMixture.predict_proba."""
    out = []
    for row in X:
        frames = row.reshape(-1, width)
        post = ubm.predict_proba(frames)
        n = post.sum(axis=0)
        first = post.T @ frames / np.maximum(n, 1e-300)[:, None]
        alpha = (n / (n + r))[:, None]
        out.append((alpha * first + (1 - alpha) * ubm.means_).ravel())
    return np.array(out)


def test_transform_equals_a_loop_over_clips():
    X = _frames()
    gsv = GaussianSupervector(n_components=4, frame_width=3, random_state=0).fit(X)
    expected = _loop_supervectors(gsv.ubm_, X, 3, 16.0)
    np.testing.assert_allclose(gsv.transform(X), expected, rtol=1e-9, atol=1e-12)
    one_by_one = np.vstack([gsv.transform(row[None]) for row in X])
    np.testing.assert_allclose(one_by_one, expected, rtol=1e-9, atol=1e-12)


def test_chunks_and_jobs_do_not_change_the_result():
    X = _frames()
    gsv = GaussianSupervector(n_components=4, frame_width=3, random_state=0).fit(X)
    whole = gsv.transform(X)
    with config_context(working_memory=3 * X[0].nbytes / 2**20):
        np.testing.assert_allclose(gsv.transform(X), whole, rtol=1e-12)
        with joblib.parallel_config(backend="threading"):
            parallel = gsv.set_params(n_jobs=2).transform(X)
    np.testing.assert_allclose(parallel, whole, rtol=1e-12)


def test_normalization_scales_by_weight_and_deviation():
    X = _frames()
    raw = GaussianSupervector(n_components=4, frame_width=3, random_state=0).fit(X)
    normed = GaussianSupervector(
        n_components=4, frame_width=3, normalize=True, random_state=0
    ).fit(X)
    scale = np.sqrt(raw.ubm_.weights_)[:, None] / np.sqrt(raw.ubm_.covariances_)
    np.testing.assert_allclose(
        normed.transform(X), raw.transform(X) * scale.ravel(), rtol=1e-12
    )


def test_relevance_factor_moves_between_prior_and_data():
    X = _frames()
    stiff = GaussianSupervector(
        n_components=1, frame_width=3, relevance_factor=1e12, random_state=0
    ).fit(X)
    np.testing.assert_allclose(
        stiff.transform(X), np.tile(stiff.ubm_.means_.ravel(), (len(X), 1)), atol=1e-8
    )
    loose = stiff.set_params(relevance_factor=1e-9).fit(X)
    np.testing.assert_allclose(
        loose.transform(X), split_frames(X, 3).mean(axis=1), rtol=1e-6
    )


def test_prefitted_ubm_is_used_and_not_refitted():
    X = _frames()
    background = _frames(seed=1)
    ubm = fit_ubm(background, frame_width=3, n_components=3, random_state=0)
    before = ubm.means_.copy()
    gsv = GaussianSupervector(frame_width=3, ubm=ubm).fit(X)
    assert gsv.ubm_ is not ubm
    np.testing.assert_array_equal(gsv.ubm_.means_, before)
    np.testing.assert_array_equal(ubm.means_, before)
    assert gsv.transform(X).shape == (len(X), 9)


def test_unfitted_ubm_is_cloned_and_fitted():
    X = _frames()
    template = GaussianMixture(n_components=2, covariance_type="diag", random_state=0)
    gsv = GaussianSupervector(frame_width=3, ubm=template).fit(X)
    assert not hasattr(template, "means_")
    assert gsv.ubm_.means_.shape == (2, 3)


def test_fit_ubm_handles_digital_silence():
    rng = np.random.default_rng(0)
    clips = 0.1 * rng.standard_normal((8, 8000))
    clips[:4, :6000] = 0.0
    frames = MFCC(sr=16000, deltas=2).fit_transform(clips)
    ubm = fit_ubm(frames, frame_width=39, n_components=8, random_state=0)
    assert ubm.converged_
    assert np.isfinite(ubm.covariances_).all()
    assert (ubm.covariances_ >= 1e-3).all()


def test_feature_names_follow_mfcc_names_through_pandas():
    pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    clips = 0.1 * rng.standard_normal((6, 4000))
    pipe = make_pipeline(
        MFCC(sr=16000, n_coefficients=4, n_filters=10),
        GaussianSupervector(n_components=2, frame_width=4, random_state=0),
    ).set_output(transform="pandas")
    out = pipe.fit_transform(clips)
    assert list(out.columns[:5]) == [
        "c0_mfcc0",
        "c0_mfcc1",
        "c0_mfcc2",
        "c0_mfcc3",
        "c1_mfcc0",
    ]


def test_float32_stays_float32():
    X = _frames().astype(np.float32)
    gsv = GaussianSupervector(n_components=2, frame_width=3, random_state=0)
    out = gsv.fit_transform(X)
    assert out.dtype == np.float32
    expected = gsv.fit(X.astype(np.float64)).transform(X.astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_map_adapt_uses_the_ubm_means_in_the_variance_formula():
    # 16 frames with mean 2 and variance 1 against a N(0, 1) prior, r = 16:
    # alpha = 1/2, so the adapted model matches the moments of an equal mix
    # of N(2, 1) and N(0, 1): mean 1, variance 1 + 1 = 2.
    n = np.array([16.0])
    f = np.array([[32.0]])
    s = np.array([[16.0 * 5.0]])
    w, m, v = map_adapt(
        n, f, s, np.array([1.0]), np.array([[0.0]]), np.array([[1.0]]), adapt="wmv"
    )
    np.testing.assert_allclose(m, [[1.0]])
    np.testing.assert_allclose(v, [[2.0]])
    np.testing.assert_allclose(w, [1.0])


def test_map_adapt_weights_and_untouched_components():
    n = np.array([[30.0, 0.0]])
    f = np.array([[[60.0], [0.0]]])
    prior = (np.array([0.5, 0.5]), np.array([[0.0], [5.0]]), np.array([[1.0], [2.0]]))
    w, m, v = map_adapt(n, f, None, *prior, relevance_factor=10.0, adapt="wm")
    alpha = 30.0 / 40.0
    expected_w = np.array([alpha * 1.0 + (1 - alpha) * 0.5, 0.5])
    np.testing.assert_allclose(w, [expected_w / expected_w.sum()])
    np.testing.assert_allclose(m, [[[alpha * 2.0], [5.0]]])
    np.testing.assert_allclose(v, [prior[2]])


def test_sufficient_statistics_match_sklearn_posteriors():
    X = _frames(n_clips=1, n_frames=50)
    ubm = fit_ubm(X, frame_width=3, n_components=3, random_state=0)
    frames = X.reshape(-1, 3)
    post = ubm.predict_proba(frames)
    n, f, s = sufficient_statistics(frames, ubm.weights_, ubm.means_, ubm.covariances_)
    np.testing.assert_allclose(n, post.sum(axis=0))
    np.testing.assert_allclose(f, post.T @ frames)
    np.testing.assert_allclose(s, post.T @ frames**2)
    log_prob = component_log_likelihoods(
        frames, ubm.weights_, ubm.means_, ubm.covariances_
    )
    np.testing.assert_allclose(
        np.logaddexp.reduce(log_prob, axis=1), ubm.score_samples(frames)
    )


@pytest.mark.parametrize(
    "params, X, message",
    [
        (
            {"frame_width": 4},
            np.zeros((5, 10)),
            "GaussianSupervector: Expected rows of whole frames of frame_width=4 "
            "values; got 10 feature(s), which is not a multiple of 4.",
        ),
        (
            {"n_components": 64, "frame_width": 2},
            np.random.default_rng(0).normal(size=(3, 20)),
            "Fitting a background model of n_components=64 needs at least 64 "
            "frames; got 30 frame(s).",
        ),
        (
            {"frame_width": 2, "ubm": GaussianMixture(covariance_type="full")},
            np.zeros((5, 10)),
            "GaussianSupervector needs a GaussianMixture with "
            "covariance_type='diag' as ubm",
        ),
        (
            {"frame_width": 5, "relevance_factor": 0},
            np.zeros((5, 10)),
            "The 'relevance_factor' parameter of GaussianSupervector must be",
        ),
    ],
)
def test_bad_input_raises(params, X, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        GaussianSupervector(**params).fit(X)


def test_prefitted_ubm_of_another_width_raises():
    ubm = fit_ubm(_frames(), frame_width=3, n_components=2, random_state=0)
    with pytest.raises(ValueError, match="The ubm models frames of 3 values but"):
        GaussianSupervector(frame_width=2, ubm=copy.deepcopy(ubm)).fit(np.zeros((4, 8)))


def test_transform_rejects_another_frame_layout():
    gsv = GaussianSupervector(n_components=2, frame_width=3, random_state=0)
    gsv.fit(_frames())
    with pytest.raises(ValueError, match="X has 60 features, but GaussianSupervector"):
        gsv.transform(_frames(n_frames=20))
