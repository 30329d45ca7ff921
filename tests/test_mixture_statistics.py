import numpy as np
import pytest
from scipy.special import softmax
from threadpoolctl import threadpool_info

from micfp.mixture import component_log_likelihoods, fit_ubm, sufficient_statistics
from micfp.utils._threads import single_blas_thread


@pytest.fixture(scope="module")
def ubm():
    rng = np.random.default_rng(0)
    frames = rng.normal(0, 1, (400, 4)) + rng.integers(0, 3, (400, 1)) * 3.0
    return fit_ubm(frames, frame_width=4, n_components=3, random_state=0)


def _mixture(ubm):
    return ubm.weights_, ubm.means_, ubm.covariances_


def _reference(frames, mixture):
    post = softmax(component_log_likelihoods(frames, *mixture), axis=-1)
    return post.sum(axis=0), post.T @ frames, post.T @ frames**2


@pytest.mark.parametrize("distance", [0.0, 50.0, 1e3, 1e6])
def test_statistics_of_frames_far_from_every_component(ubm, distance):
    # Far away, every density underflows unless taken relative to its maximum.
    rng = np.random.default_rng(1)
    frames = rng.normal(0, 1, (20, 4))
    frames[::3] += distance
    n, f, s = sufficient_statistics(frames, *_mixture(ubm))
    for got, expected in zip((n, f, s), _reference(frames, _mixture(ubm)), strict=True):
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, expected, rtol=1e-9)
    np.testing.assert_allclose(n.sum(), len(frames))


def test_batched_statistics_equal_one_item_at_a_time(ubm):
    frames = np.random.default_rng(2).normal(2, 2, (2, 3, 25, 4))
    n, f, s = sufficient_statistics(frames, *_mixture(ubm))
    assert n.shape == (2, 3, 3) and f.shape == s.shape == (2, 3, 3, 4)
    for index in np.ndindex(2, 3):
        expected = _reference(frames[index], _mixture(ubm))
        for got, want in zip((n, f, s), expected, strict=True):
            np.testing.assert_allclose(got[index], want, rtol=1e-10)


def test_frame_weights_scale_each_frame(ubm):
    frames = np.random.default_rng(3).normal(2, 2, (2, 10, 4))
    weights = np.zeros((2, 10))
    weights[:, :6] = 1.0
    weights[1, 0] = 2.5
    n, f, _ = sufficient_statistics(frames, *_mixture(ubm), frame_weights=weights)
    kept = sufficient_statistics(frames[:, :6], *_mixture(ubm))
    n1 = sufficient_statistics(frames[1, :1], *_mixture(ubm))[0]
    np.testing.assert_allclose(n[0], kept[0][0], rtol=1e-12)
    np.testing.assert_allclose(f[0], kept[1][0], rtol=1e-12)
    np.testing.assert_allclose(n[1], kept[0][1] + 1.5 * n1, rtol=1e-12)


def test_first_order_only_leaves_out_the_second(ubm):
    frames = np.random.default_rng(4).normal(2, 2, (30, 4))
    n, f, s = sufficient_statistics(frames, *_mixture(ubm), second_order=False)
    assert s is None
    full = sufficient_statistics(frames, *_mixture(ubm))
    np.testing.assert_allclose(n, full[0], rtol=1e-12)
    np.testing.assert_allclose(f, full[1], rtol=1e-12)


def test_single_blas_thread_limits_blas_inside_the_context():
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library loaded")
    with single_blas_thread():
        inside = [
            lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
        ]
    assert inside == [1] * len(inside)
    after = [
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    ]
    assert after == [lib["num_threads"] for lib in blas]


@pytest.mark.parametrize("offset", [1e4, 1e8])
def test_a_mixture_far_from_zero_gives_the_densities_of_its_shifted_copy(ubm, offset):
    # Expanded in powers of the frame, the densities would cancel terms of
    # order (offset / deviation) ** 2 and lose about offset ** 2 * eps nats
    # (1 nat at 1e8); frames and means are centred first, which leaves the
    # error of representing frames + offset in float64 (about offset * eps).
    tol = 1e3 * offset * np.finfo(np.float64).eps
    weights, means, variances = _mixture(ubm)
    frames = np.random.default_rng(5).normal(2, 2, (3, 20, 4))
    log_prob = component_log_likelihoods(frames, weights, means, variances)
    shifted = component_log_likelihoods(
        frames + offset, weights, means + offset, variances
    )
    np.testing.assert_allclose(shifted, log_prob, rtol=0, atol=tol)
    n, f, s = sufficient_statistics(frames, weights, means, variances)
    n_o, f_o, s_o = sufficient_statistics(
        frames + offset, weights, means + offset, variances
    )
    np.testing.assert_allclose(n_o, n, rtol=0, atol=20 * tol)
    np.testing.assert_allclose(f_o, f + n[..., np.newaxis] * offset, rtol=1e-6)
    expected_s = s + 2 * offset * f + n[..., np.newaxis] * offset**2
    np.testing.assert_allclose(s_o, expected_s, rtol=1e-6)
