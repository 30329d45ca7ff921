import re
import warnings

import numpy as np
import pytest
import pywt
from scipy.stats import norm
from skimage.restoration import denoise_wavelet
from sklearn import config_context
from sklearn.utils._param_validation import InvalidParameterError

from micfp.denoise import NoiseResidual, WaveletDenoiser, wavelet_denoise
from micfp.denoise._wavelet import _MAD_TO_SIGMA, _sigma_mad, _sure_threshold
from micfp.exceptions import AudioValueError, DegradedResultWarning

SR = 44100


def _clips(n_clips=12, n_samples=4096, noise=0.05, seed=0, fmax=2000):
    """Tones of random pitch and level plus white noise, one clip a row."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / SR
    freqs = rng.uniform(60, fmax, size=(n_clips, 1))
    amps = rng.uniform(0.1, 0.8, size=(n_clips, 1))
    clean = amps * np.sin(2 * np.pi * freqs * t)
    return clean, clean + noise * rng.standard_normal((n_clips, n_samples))


def _skimage_rows(X, **kwargs):
    with warnings.catch_warnings():
        # scikit-image warns that biorthogonal wavelets are not orthogonal.
        warnings.simplefilter("ignore", UserWarning)
        return np.stack([denoise_wavelet(row, **kwargs) for row in X])


def _assert_rows_close(actual, desired, rtol):
    """Largest error of each row relative to the row's largest magnitude."""
    scale = np.abs(desired).max(axis=-1)
    error = np.abs(actual - desired).max(axis=-1)
    relative = error / np.where(scale > 0, scale, 1.0)
    assert relative.max() <= rtol, f"relative error {relative.max():.3g} > {rtol}"


# Parity with scikit-image ----------------------------------------------------

PARITY_CASES = [
    ("db8", 5, "universal", "soft"),
    ("db8", 5, "bayes", "soft"),
    ("db8", 3, "universal", "hard"),
    ("db8", 3, "bayes", "hard"),
    ("haar", 6, "universal", "soft"),
    ("sym5", 4, "bayes", "soft"),
    ("coif2", 2, "universal", "soft"),
    ("bior2.2", 4, "bayes", "soft"),
]
SKIMAGE_METHOD = {"universal": "VisuShrink", "bayes": "BayesShrink"}


@pytest.mark.parametrize(("wavelet", "level", "rule", "mode"), PARITY_CASES)
def test_matches_skimage_row_by_row(wavelet, level, rule, mode):
    _, X = _clips()
    reference = _skimage_rows(
        X,
        wavelet=wavelet,
        wavelet_levels=level,
        method=SKIMAGE_METHOD[rule],
        mode=mode,
    )
    params = {"wavelet": wavelet, "level": level, "threshold": rule, "mode": mode}
    denoised = WaveletDenoiser(**params).fit_transform(X)
    residual = NoiseResidual(**params).fit_transform(X)
    _assert_rows_close(denoised, reference, rtol=1e-6)
    _assert_rows_close(residual, X - reference, rtol=1e-6)


def test_default_noise_residual_is_skimage_visushrink_db8_level5():
    _, X = _clips(n_clips=5)
    reference = _skimage_rows(
        X, wavelet="db8", wavelet_levels=5, method="VisuShrink", mode="soft"
    )
    _assert_rows_close(NoiseResidual().fit_transform(X), X - reference, rtol=1e-6)


def test_matches_skimage_with_digital_silence_and_odd_length():
    # Exact zero coefficients are left out of the noise estimate, as in
    # scikit-image; odd lengths exercise the extra sample waverec returns.
    _, X = _clips(n_clips=6, n_samples=3001)
    X[:, 1000:2200] = 0.0
    X[0] = 0.0
    for rule in ("universal", "bayes"):
        # scikit-image returns NaN for the all-zero row 0 (median of nothing).
        reference = _skimage_rows(
            X[1:], wavelet="db4", wavelet_levels=4, method=SKIMAGE_METHOD[rule]
        )
        ours = wavelet_denoise(X, wavelet="db4", level=4, threshold=rule)
        assert np.isfinite(ours).all()
        _assert_rows_close(ours[1:], reference, rtol=1e-6)
        np.testing.assert_array_equal(ours[0], 0.0)


def test_float32_stays_float32_and_agrees_with_float64():
    _, X = _clips()
    X32 = X.astype(np.float32)
    for cls in (NoiseResidual, WaveletDenoiser):
        out32 = cls().fit_transform(X32)
        assert out32.dtype == np.float32
        out64 = cls().fit_transform(X32.astype(np.float64))
        # float32 rounding of the input, coefficients and thresholds.
        _assert_rows_close(out32, out64, rtol=1e3 * np.finfo(np.float32).eps)


# Batches, chunks and jobs ----------------------------------------------------


@pytest.mark.parametrize("cls", [NoiseResidual, WaveletDenoiser])
def test_batch_equals_row_by_row(cls):
    _, X = _clips(n_clips=7)
    est = cls(threshold="bayes", noise_estimate="level").fit(X)
    batch = est.transform(X)
    rows = np.vstack([est.transform(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_array_equal(batch, rows)


def test_chunks_and_jobs_do_not_change_the_result():
    _, X = _clips(n_clips=30)
    expected = NoiseResidual().fit_transform(X)
    with config_context(working_memory=3 * X[0].nbytes / 2**20):
        np.testing.assert_array_equal(NoiseResidual().fit_transform(X), expected)
        parallel = NoiseResidual(n_jobs=2).fit_transform(X)
        np.testing.assert_array_equal(parallel, expected)


def test_function_takes_leading_batch_axes():
    _, X = _clips(n_clips=6)
    batched = wavelet_denoise(X.reshape(2, 3, -1), output="residual")
    np.testing.assert_array_equal(
        batched.reshape(6, -1), wavelet_denoise(X, output="residual")
    )
    single = wavelet_denoise(X[2], output="residual")
    np.testing.assert_array_equal(single, batched[0, 2])


def test_residual_plus_denoised_is_the_input():
    _, X = _clips()
    residual = NoiseResidual(threshold="sure").fit_transform(X)
    denoised = WaveletDenoiser(threshold="sure").fit_transform(X)
    np.testing.assert_allclose(residual + denoised, X, rtol=0, atol=1e-15)


# Noise estimate and threshold rules ------------------------------------------


def test_mad_constant_is_the_normal_quartile():
    assert pytest.approx(norm.ppf(0.75), rel=1e-15) == _MAD_TO_SIGMA


def test_sigma_estimate_recovers_white_noise_level():
    rng = np.random.default_rng(1)
    sigma = np.array([0.01, 0.1, 1.0])
    noise = sigma[:, None] * rng.standard_normal((3, 2**16))
    details = pywt.wavedec(noise, "db8", level=1, axis=-1)[-1]
    # The median of 32768 |N(0, 1)| values has a standard error near 0.5 %.
    np.testing.assert_allclose(_sigma_mad(details), sigma, rtol=0.03)


def test_sigma_estimate_ignores_zeros_and_handles_all_zero_rows():
    d = np.array([[0.0, 0.0, -3.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(_sigma_mad(d), [2.0 / _MAD_TO_SIGMA, 0.0])
    d = np.array([[0.0, 4.0, -3.0, 1.0, 2.0]])
    np.testing.assert_allclose(_sigma_mad(d), [2.5 / _MAD_TO_SIGMA])


def _sure_by_search(x, sigma):
    """SureShrink's hybrid threshold of one row, by brute force over candidates."""
    n = x.size
    z = np.abs(x) / sigma
    universal = np.sqrt(2 * np.log(n))
    risks = [n - 2 * np.sum(z <= t) + np.sum(np.minimum(z, t) ** 2) for t in z]
    t = min(z[int(np.argmin(risks))], universal)
    if (np.sum(z**2) - n) / n <= np.log2(n) ** 1.5 / np.sqrt(n):
        t = universal
    return t * sigma


def test_sure_threshold_matches_brute_force_search():
    rng = np.random.default_rng(2)
    sparse = rng.standard_normal(256)
    dense = rng.standard_normal(256) + 3 * np.sign(rng.standard_normal(256))
    mixed = np.concatenate([rng.standard_normal(200), 8 * rng.standard_normal(56)])
    d = np.stack([sparse, dense, mixed])
    sigma = np.array([[1.0], [1.0], [1.3]])
    ours = _sure_threshold(d, sigma)[:, 0]
    expected = [_sure_by_search(row, s) for row, s in zip(d, sigma[:, 0], strict=True)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    # The sparse row takes the universal threshold, the dense one does not.
    assert ours[0] == pytest.approx(np.sqrt(2 * np.log(256)))
    assert ours[1] < np.sqrt(2 * np.log(256))


def _manual(X, wavelet, level, thresholds_of, mode):
    coeffs = pywt.wavedec(X, wavelet, level=level, axis=-1)
    out = [coeffs[0]]
    for j, d in enumerate(coeffs[1:]):
        t = thresholds_of(j, d, coeffs)
        out.append(
            np.stack([pywt.threshold(r, tr, mode) for r, tr in zip(d, t, strict=True)])
        )
    return pywt.waverec(out, wavelet, axis=-1)[:, : X.shape[1]]


def _mad(d):
    return np.median(np.abs(d), axis=-1) / norm.ppf(0.75)


@pytest.mark.parametrize("mode", ["soft", "hard", "garrote"])
def test_level_noise_estimate_matches_manual_pywt(mode):
    _, X = _clips(n_clips=4, n_samples=2048)
    n = X.shape[1]

    def universal_per_level(j, d, coeffs):
        return _mad(d) * np.sqrt(2 * np.log(n))

    expected = _manual(X, "sym4", 4, universal_per_level, mode)
    ours = wavelet_denoise(
        X, wavelet="sym4", level=4, mode=mode, noise_estimate="level"
    )
    _assert_rows_close(ours, expected, rtol=1e-9)


def test_minimax_matches_manual_pywt():
    _, X = _clips(n_clips=4, n_samples=2048)

    def minimax(j, d, coeffs):
        return _mad(coeffs[-1]) * (0.3936 + 0.1829 * np.log2(X.shape[1]))

    expected = _manual(X, "db8", 5, minimax, "soft")
    ours = wavelet_denoise(X, wavelet="db8", level=5, threshold="minimax")
    _assert_rows_close(ours, expected, rtol=1e-9)


def test_minimax_leaves_short_signals_unchanged():
    _, X = _clips(n_clips=3, n_samples=32)
    out = wavelet_denoise(X, wavelet="haar", level=2, threshold="minimax")
    np.testing.assert_allclose(out, X, rtol=0, atol=1e-14)


@pytest.mark.parametrize("rule", ["universal", "bayes", "sure", "minimax"])
@pytest.mark.parametrize("noise_estimate", ["clip", "level"])
def test_every_rule_reduces_white_noise(rule, noise_estimate):
    # Tones below 300 Hz lie in the approximation band of a 5-level db8
    # decomposition at 44.1 kHz, so the detail levels hold noise only; a tone
    # that dominates a detail level defeats the per-level noise estimate.
    clean, X = _clips(noise=0.05, fmax=300)
    denoised = wavelet_denoise(X, threshold=rule, noise_estimate=noise_estimate)
    before = np.mean((X - clean) ** 2, axis=1)
    after = np.mean((denoised - clean) ** 2, axis=1)
    assert np.all(after < before)


def test_silent_clip_gives_zeros_without_warnings():
    X = np.zeros((2, 4096))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for rule in ("universal", "bayes", "sure", "minimax"):
            for mode in ("soft", "hard", "garrote"):
                out = NoiseResidual(threshold=rule, mode=mode).fit_transform(X)
                np.testing.assert_array_equal(out, 0.0)


# Short rows and levels -------------------------------------------------------


def test_level_none_is_the_largest_useful_level():
    _, X = _clips(n_clips=3, n_samples=1000)
    max_level = pywt.dwt_max_level(1000, pywt.Wavelet("db8").dec_len)
    np.testing.assert_array_equal(
        NoiseResidual(level=None).fit_transform(X),
        NoiseResidual(level=max_level).fit_transform(X),
    )


def test_too_high_level_is_capped_with_a_warning():
    _, X = _clips(n_clips=3, n_samples=100)
    max_level = pywt.dwt_max_level(100, pywt.Wavelet("db8").dec_len)
    with pytest.warns(DegradedResultWarning, match=f"using level={max_level}"):
        capped = NoiseResidual(level=9).fit_transform(X)
    np.testing.assert_array_equal(
        capped, NoiseResidual(level=max_level).fit_transform(X)
    )


@pytest.mark.parametrize("n_samples", [1, 2, 14])
def test_rows_too_short_pass_through_with_a_warning(n_samples):
    _, X = _clips(n_clips=4, n_samples=n_samples)
    with pytest.warns(DegradedResultWarning, match="too short"):
        residual = NoiseResidual().fit_transform(X)
    np.testing.assert_array_equal(residual, 0.0)
    with pytest.warns(DegradedResultWarning, match="pass through unchanged"):
        denoised = WaveletDenoiser().fit_transform(X)
    np.testing.assert_array_equal(denoised, X)


# scikit-learn integration ----------------------------------------------------


def test_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    _, X = _clips(n_clips=3, n_samples=64)
    est = NoiseResidual(wavelet="db2", level=2).set_output(transform="pandas")
    out = est.fit_transform(pd.DataFrame(X, columns=[f"t{i}" for i in range(64)]))
    assert list(out.columns) == [f"t{i}" for i in range(64)]
    names = NoiseResidual(wavelet="db2", level=2).fit(X).get_feature_names_out()
    assert list(names) == [f"x{i}" for i in range(64)]


def test_transform_checks_the_clip_length():
    _, X = _clips(n_clips=3, n_samples=64)
    est = NoiseResidual(wavelet="db2").fit(X)
    with pytest.raises(ValueError, match="X has 32 features"):
        est.transform(X[:, :32])


# Bad input -------------------------------------------------------------------

_GOOD = np.random.default_rng(3).standard_normal((3, 64))


def _with(value, where=(0, 5)):
    X = _GOOD.copy()
    X[where] = value
    return X


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (_with(np.nan), AudioValueError, "NaN or infinite samples (inf), in 1 row"),
        (_with(np.inf, (2, 0)), AudioValueError, "in 1 row(s): 2"),
        (_GOOD + 1j, ValueError, "Complex data not supported"),
        (_GOOD[0], ValueError, "Expected 2D array, got 1D array instead"),
        ([_GOOD[0], _GOOD[1, :30]], AudioValueError, "clips of one length"),
        (np.array([["a", "b"]], dtype=object), ValueError, "could not convert"),
        (np.empty((3, 0)), ValueError, "0 feature(s)"),
    ],
)
@pytest.mark.parametrize("cls", [NoiseResidual, WaveletDenoiser])
def test_bad_input(cls, X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        cls(wavelet="db2").fit(X)


def test_bad_input_at_transform():
    est = NoiseResidual(wavelet="db2").fit(_GOOD)
    with pytest.raises(AudioValueError, match="NaN"):
        est.transform(_with(-np.inf))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"wavelet": "db99"}, "The 'wavelet' parameter of NoiseResidual must be"),
        ({"wavelet": "morl"}, "'sym9'"),
        ({"threshold": "visu"}, ["'bayes'", "'minimax'", "'sure'", "'universal'"]),
        ({"mode": "soft-ish"}, ["'garrote'", "'hard'", "'soft'"]),
        ({"noise_estimate": "global"}, ["'clip'", "'level'"]),
        ({"level": 0}, "The 'level' parameter of NoiseResidual must be"),
        ({"extension": "mirror"}, ["'symmetric'", "'periodization'", "'zero'"]),
    ],
)
def test_bad_parameters_list_the_valid_ones(params, message):
    with pytest.raises(InvalidParameterError) as excinfo:
        NoiseResidual(**params).fit(_GOOD)
    for part in [message] if isinstance(message, str) else message:
        assert part in str(excinfo.value)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"wavelet": "nope"}, "'wavelet' parameter of wavelet_denoise must be"),
        ({"threshold": "visu"}, "'threshold' parameter of wavelet_denoise must"),
        ({"mode": "x"}, "'mode' parameter of wavelet_denoise must be a str"),
        ({"noise_estimate": "x"}, "'noise_estimate' parameter of wavelet_denoise"),
        ({"output": "noise"}, "'output' parameter of wavelet_denoise must be"),
        ({"level": 0}, "'level' parameter of wavelet_denoise must be an int"),
        ({"level": 2.0}, "in the range [1, inf) or None. Got 2.0 instead"),
    ],
)
def test_function_bad_parameters(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        wavelet_denoise(_GOOD, **params)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (_GOOD + 1j, "x must hold real numbers; got an array of dtype complex128"),
        (np.array([[object()]]), "x must hold real numbers"),
        (np.empty((2, 0)), "x must hold at least one sample; got shape (2, 0)"),
    ],
)
def test_function_bad_input(x, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        wavelet_denoise(x)


def test_grid_search_over_wavelet_level_and_rule_in_a_pipeline():
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from micfp.features import LogSpectrum

    # Two simulated devices: the same kind of content, different noise colour.
    rng = np.random.default_rng(4)
    n_per_device = 24
    _, content = _clips(n_clips=2 * n_per_device, n_samples=512, noise=0.0)
    white = rng.standard_normal((n_per_device, 512))
    coloured = np.cumsum(rng.standard_normal((n_per_device, 512)), axis=1) / 8
    coloured -= coloured.mean(axis=1, keepdims=True)
    X = content + 0.02 * np.vstack([white, coloured])
    y = np.repeat(["white", "red"], n_per_device)
    groups = np.tile(np.repeat([0, 1, 2], n_per_device // 3), 2)

    pipe = make_pipeline(
        NoiseResidual(), LogSpectrum(), StandardScaler(), RidgeClassifier()
    )
    grid = {
        "noiseresidual__wavelet": ["haar", "db4"],
        "noiseresidual__level": [2, 3],
        "noiseresidual__threshold": ["universal", "bayes"],
    }
    search = GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3)).fit(
        X, y, groups=groups
    )
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["noiseresidual__wavelet"] in ("haar", "db4")
    assert search.best_score_ > 0.9
