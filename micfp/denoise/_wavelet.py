"""Batched wavelet shrinkage: de-noised signals and their noise residuals.

Every function takes time on the last axis and any leading batch axes, and one
``pywt.wavedec`` / ``pywt.waverec`` call handles the whole batch.
"""

import warnings
from numbers import Integral

import numpy as np
import pywt
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioValueError, DegradedResultWarning
from ..utils._validation import check_signals, needs_scaling, overflow_shift

__all__ = ["wavelet_denoise"]

# Φ⁻¹(0.75), the upper quartile of the standard normal distribution: the median
# absolute value of N(0, σ²) samples is σ times this (the "0.6745" of Donoho and
# Johnstone). Equal to scipy.stats.norm.ppf(0.75), the constant scikit-image uses.
_MAD_TO_SIGMA = 0.6744897501960817

THRESHOLD_RULES = ("bayes", "minimax", "sure", "universal")
SHRINK_MODES = ("garrote", "hard", "soft")
NOISE_ESTIMATES = ("clip", "level")
OUTPUTS = ("denoised", "residual")


# What wavelet_denoise and the de-noising transformers accept.
WAVELET_CONSTRAINTS = {
    "wavelet": [StrOptions(set(pywt.wavelist(kind="discrete")))],
    "level": [Interval(Integral, 1, None, closed="left"), None],
    "threshold": [StrOptions(set(THRESHOLD_RULES))],
    "mode": [StrOptions(set(SHRINK_MODES))],
    "noise_estimate": [StrOptions(set(NOISE_ESTIMATES))],
    "extension": [StrOptions(set(pywt.Modes.modes))],
}


# Noise level ----------------------------------------------------------------


def _median_abs_nonzero(d):
    """Median of ``|d|`` over the last axis, leaving out exact zeros.

    Zero coefficients come from digital silence or from signal extension, not
    from noise, so they are masked out as in scikit-image. A row of zeros only
    has median 0.
    """
    a = np.abs(d)
    n = a.shape[-1]
    zero = a == 0
    if not zero.any():
        # np.median would also partition around the last element to look for
        # NaN; the input is known to be finite, so partition around the middle.
        if n % 2:
            return np.partition(a, n // 2, axis=-1)[..., n // 2]
        a.partition([n // 2 - 1, n // 2], axis=-1)
        return (a[..., n // 2 - 1] + a[..., n // 2]) / 2
    a.sort(axis=-1)
    n_zero = zero.sum(axis=-1)
    n_left = n - n_zero
    lo = np.minimum(n_zero + np.maximum(n_left - 1, 0) // 2, n - 1)
    hi = np.minimum(n_zero + n_left // 2, n - 1)
    median = (
        np.take_along_axis(a, lo[..., None], axis=-1)[..., 0]
        + np.take_along_axis(a, hi[..., None], axis=-1)[..., 0]
    ) / 2
    return np.where(n_left > 0, median, 0)


def _sigma_mad(d):
    """Robust noise standard deviation of detail coefficients, one per row.

    The median absolute value divided by 0.6745 (Donoho and Johnstone 1994,
    section 4.2), computed in float64.
    """
    return _median_abs_nonzero(d).astype(np.float64) / _MAD_TO_SIGMA


# Threshold rules (all return float64 thresholds of shape batch + (1,)) -------


def _universal_threshold(sigma, n_samples):
    """VisuShrink: ``σ √(2 ln n)`` with ``n`` the length of the signal."""
    return sigma * np.sqrt(2 * np.log(n_samples))


def _minimax_threshold(sigma, n_samples):
    """Minimax threshold ``σ (0.3936 + 0.1829 log2 n)``, zero when n <= 32."""
    if n_samples <= 32:
        return np.zeros_like(sigma)
    return sigma * (0.3936 + 0.1829 * np.log2(n_samples))


def _bayes_threshold(d, sigma):
    """BayesShrink: ``σ² / σ_x`` with ``σ_x² = max(mean(d²) - σ², eps)``."""
    var = sigma**2
    signal_var = np.mean(d * d, axis=-1, keepdims=True, dtype=np.float64)
    eps = np.finfo(d.dtype).eps
    return var / np.sqrt(np.maximum(signal_var - var, eps))


def _sure_threshold(d, sigma):
    """SureShrink's hybrid threshold of one level, per row.

    On the coefficients divided by ``σ``: the threshold among their magnitudes
    that minimises Stein's unbiased risk estimate of soft thresholding, capped
    at the universal threshold ``√(2 ln n)``; where the level looks sparse,
    ``(Σ x² - n) / n <= (log2 n)^1.5 / √n``, the universal threshold itself.
    """
    n = d.shape[-1]
    safe = np.where(sigma > 0, sigma, 1.0)
    # Coefficients far above a tiny σ (a level of near-silence with a few
    # large values) would overflow: clip them to a value whose risk terms
    # still sum finitely. Candidates that large exceed the universal cap, so
    # the threshold is the same.
    with np.errstate(over="ignore"):
        x2 = np.square(d / safe, dtype=np.float64)
    np.minimum(x2, np.finfo(np.float64).max / (4.0 * n), out=x2)
    universal = np.sqrt(2 * np.log(max(n, 2)))
    s = np.sort(x2, axis=-1)
    k = np.arange(n)
    risk = n - 2 * (k + 1) + np.cumsum(s, axis=-1) + (n - 1 - k) * s
    best = np.take_along_axis(s, risk.argmin(axis=-1)[..., None], axis=-1)
    t = np.minimum(np.sqrt(best), universal)
    energy = (x2.sum(axis=-1, keepdims=True) - n) / n
    sparse = energy <= np.log2(max(n, 2)) ** 1.5 / np.sqrt(n)
    return np.where(sparse, universal, t) * sigma


# Shrinkage -------------------------------------------------------------------


def _shrink(d, t, mode):
    """Soft, hard or non-negative garrote shrinkage of ``d`` by thresholds ``t``.

    Same rules as ``pywt.threshold``, written so that a zero threshold leaves
    the coefficients unchanged (``pywt`` returns NaN for a zero coefficient
    with a zero soft threshold).
    """
    t = t.astype(d.dtype, copy=False)
    if mode == "soft":
        out = np.abs(d)
        out -= t
        np.maximum(out, 0, out=out)
        return np.copysign(out, d, out=out)
    if mode == "hard":
        return np.where(np.abs(d) < t, 0, d).astype(d.dtype, copy=False)
    keep = np.abs(d) > t
    t2 = np.broadcast_to(t * t, d.shape)
    shrink = np.divide(t2, d, out=np.zeros_like(d), where=keep)
    return np.where(keep, d - shrink, 0).astype(d.dtype, copy=False)


# Level -----------------------------------------------------------------------


def resolve_level(n_samples, wavelet, level):
    """Decomposition level for rows of ``n_samples``, capped with a warning.

    Parameters
    ----------
    n_samples : int
        Length of each row.
    wavelet : str or pywt.Wavelet
        The wavelet.
    level : int or None
        Requested level; ``None`` asks for the largest useful level,
        ``pywt.dwt_max_level(n_samples, wavelet.dec_len)``.

    Returns
    -------
    level : int
        The level to use; 0 means rows too short for any decomposition.
    """
    wavelet = pywt.Wavelet(wavelet) if isinstance(wavelet, str) else wavelet
    max_level = pywt.dwt_max_level(n_samples, wavelet.dec_len)
    if max_level == 0:
        warnings.warn(
            f"Rows of {n_samples} samples are too short for a {wavelet.name} "
            f"decomposition (it needs at least {wavelet.dec_len - 1} samples for "
            "one level); they pass through unchanged and their noise residual "
            "is zero.",
            DegradedResultWarning,
            stacklevel=3,
        )
        return 0
    if level is None:
        return max_level
    if level > max_level:
        warnings.warn(
            f"level={level} is too high for rows of {n_samples} samples with "
            f"the {wavelet.name} wavelet; using level={max_level}, the largest "
            "useful level.",
            DegradedResultWarning,
            stacklevel=3,
        )
        return max_level
    return level


# Core ------------------------------------------------------------------------


def _level_thresholds(details, sigma_clip, rule, noise_estimate, n_samples):
    """One threshold array per detail level, each of shape batch + (1,)."""
    thresholds = []
    for d in details:
        sigma = sigma_clip if noise_estimate == "clip" else _sigma_mad(d)[..., None]
        if rule == "universal":
            t = _universal_threshold(sigma, n_samples)
        elif rule == "minimax":
            t = _minimax_threshold(sigma, n_samples)
        elif rule == "bayes":
            t = _bayes_threshold(d, sigma)
        else:
            t = _sure_threshold(d, sigma)
        thresholds.append(t)
    return thresholds


def _denoise_rows(x, *, wavelet, level, threshold, mode, noise_estimate, extension):
    """De-noise finite rows whose samples are small enough not to overflow."""
    n_samples = x.shape[-1]
    coeffs = pywt.wavedec(x, wavelet, mode=extension, level=level, axis=-1)
    details = coeffs[1:]
    sigma_clip = _sigma_mad(details[-1])[..., None]
    thresholds = _level_thresholds(
        details, sigma_clip, threshold, noise_estimate, n_samples
    )
    shrunk = [_shrink(d, t, mode) for d, t in zip(details, thresholds, strict=True)]
    out = pywt.waverec([coeffs[0], *shrunk], wavelet, mode=extension, axis=-1)
    return out[..., :n_samples].astype(x.dtype, copy=False)


def denoise_batch(
    x,
    *,
    wavelet,
    level,
    threshold,
    mode,
    noise_estimate,
    extension,
    output="denoised",
    name="x",
    scale=True,
):
    """De-noise validated rows with an already resolved level.

    Rows with huge samples (see
    ``overflow_shift``) are de-noised scaled by
    a power of two and scaled back: every threshold rule and shrinkage is
    proportional to the signal, so the result is the same as without scaling.

    Parameters
    ----------
    x : ndarray of shape (..., n_samples), float32 or float64
        Finite signals.
    wavelet, threshold, mode, noise_estimate, extension, output
        As in :func:`wavelet_denoise`, already checked.
    level : int
        Resolved level (see :func:`resolve_level`); 0 returns the signals
        unchanged (a residual of zeros).
    name : str, default="x"
        The argument's name, for the error message.
    scale : bool, default=True
        Whether rows may need scaling; False when the caller knows that none
        do (see ``needs_scaling``).

    Returns
    -------
    y : ndarray, same shape and dtype as ``x``
        De-noised signals or residuals.

    Raises
    ------
    AudioValueError
        If the de-noised signal or the residual of a row exceeds the largest
        float of the dtype (only possible for samples near it).
    """
    if level == 0:
        return x.copy() if output == "denoised" else np.zeros_like(x)
    settings = {
        "wavelet": wavelet,
        "level": level,
        "threshold": threshold,
        "mode": mode,
        "noise_estimate": noise_estimate,
        "extension": extension,
    }
    shift = overflow_shift(x) if scale else None
    if shift is None:
        denoised = _denoise_rows(x, **settings)
        if output == "denoised":
            return denoised
        return np.subtract(x, denoised, out=denoised)
    scaled = np.ldexp(x, -shift)
    out = _denoise_rows(scaled, **settings)
    if output == "residual":
        np.subtract(scaled, out, out=out)
    with np.errstate(over="ignore"):
        out = np.ldexp(out, shift, out=out)
    if not np.isfinite(out).all():
        raise AudioValueError(
            f"The {output} signal of some rows of {name} exceeds the largest "
            f"{x.dtype} value: their samples reach {np.abs(x).max():.3g}. Scale "
            f"{name} down; audio samples lie in [-1, 1]."
        )
    return out


@validate_params(
    {
        "x": "no_validation",
        **WAVELET_CONSTRAINTS,
        "output": [StrOptions(set(OUTPUTS))],
    },
    prefer_skip_nested_validation=True,
)
def wavelet_denoise(
    x,
    *,
    wavelet="db8",
    level=5,
    threshold="universal",
    mode="soft",
    noise_estimate="clip",
    extension="symmetric",
    output="denoised",
):
    """De-noise signals by wavelet shrinkage, or return their noise residual.

    Each signal (a row; time on the last axis) is decomposed with
    ``pywt.wavedec``, its detail coefficients are shrunk towards zero by a
    data-driven threshold, and the signal is rebuilt with ``pywt.waverec``. The
    approximation coefficients are kept as they are. The residual, signal
    minus de-noised signal, is the device noise of Qi et al.'s fingerprint.

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real, finite signals. float32 stays float32; other types become
        float64.
    wavelet : str, default="db8"
        Any discrete wavelet of ``pywt.wavelist(kind="discrete")``.
    level : int or None, default=5
        Number of decomposition levels. ``None`` takes the largest useful level,
        ``pywt.dwt_max_level``. A level too high for the signal length is
        capped with a :class:`~micfp.exceptions.DegradedResultWarning`; signals
        too short for a single level come back unchanged, with a warning.
    threshold : {"universal", "bayes", "sure", "minimax"}, default="universal"
        Threshold rule, with ``σ`` the noise level and ``n`` the signal length:

        - ``"universal"`` (VisuShrink): ``σ √(2 ln n)`` on every level.
        - ``"bayes"`` (BayesShrink): ``σ² / √max(mean(d²) - σ², eps)`` for each
          level's coefficients ``d``.
        - ``"sure"`` (SureShrink): per level, the threshold minimising Stein's
          unbiased risk estimate, capped at ``σ √(2 ln n_j)`` and replaced by
          it on sparse levels (the hybrid rule), ``n_j`` the level's length.
        - ``"minimax"``: ``σ (0.3936 + 0.1829 log2 n)``, and 0 for n <= 32.
    mode : {"soft", "hard", "garrote"}, default="soft"
        Shrinkage of the detail coefficients, as in ``pywt.threshold``.
    noise_estimate : {"clip", "level"}, default="clip"
        ``"clip"``: one ``σ`` a signal, the median absolute value of its finest
        detail coefficients divided by 0.6745 (zero coefficients left out).
        ``"level"``: the same estimate computed on each level's own
        coefficients, for noise that is not white.
    extension : str, default="symmetric"
        Signal extension mode of ``pywt`` (``pywt.Modes.modes``).
    output : {"denoised", "residual"}, default="denoised"
        Return the de-noised signals or the residuals ``x - denoised``.

    Returns
    -------
    y : ndarray of shape (..., n_samples)
        De-noised signals or residuals, float32 for float32 input.

    Raises
    ------
    ValueError
        For an unknown wavelet, rule, mode, noise estimate, extension or
        output; the message lists the valid ones.
    AudioValueError
        For signals that are not real numbers, have no samples or hold NaN or
        infinite samples, and where the result would exceed the largest float
        of the dtype.

    See Also
    --------
    micfp.denoise.NoiseResidual : The residual as a scikit-learn transformer.
    micfp.denoise.WaveletDenoiser : The de-noised signal as a transformer.
    skimage.restoration.denoise_wavelet : The same universal and Bayes rules
        for images, one signal at a time.

    Notes
    -----
    With ``threshold="universal"`` or ``"bayes"``, ``noise_estimate="clip"`` and
    ``extension="symmetric"``, each row equals
    ``skimage.restoration.denoise_wavelet(row, wavelet=wavelet,
    wavelet_levels=level, method="VisuShrink" or "BayesShrink", mode=mode)``.
    scikit-image's default level is three less than the largest useful level;
    pass ``level`` explicitly to compare.

    Digital silence (all samples zero) has a noise level of zero: it comes
    back unchanged, with a residual of zeros. Signals of any leading shape are
    accepted, including none (a batch of 0 signals gives an empty result).
    Huge samples are handled as in :class:`~micfp.denoise.NoiseResidual`:
    exactly, by a power-of-two scaling, or with an
    :class:`~micfp.exceptions.AudioValueError` where the result itself would
    overflow.

    References
    ----------
    .. [1] D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by
       wavelet shrinkage", Biometrika 81(3), 425-455, 1994.
       :doi:`10.1093/biomet/81.3.425`
    .. [2] D. L. Donoho and I. M. Johnstone, "Adapting to unknown smoothness
       via wavelet shrinkage", J. Amer. Statist. Assoc. 90(432), 1200-1224,
       1995. :doi:`10.1080/01621459.1995.10476626`
    .. [3] S. G. Chang, B. Yu and M. Vetterli, "Adaptive wavelet thresholding
       for image denoising and compression", IEEE Trans. Image Process. 9(9),
       1532-1546, 2000. :doi:`10.1109/83.862633`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.denoise import wavelet_denoise
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4096) / 44100
    >>> clean = np.sin(2 * np.pi * 50 * t)
    >>> noisy = clean + 0.05 * rng.standard_normal((3, 4096))
    >>> denoised = wavelet_denoise(noisy, wavelet="db8", level=5)
    >>> denoised.shape
    (3, 4096)
    >>> bool(np.abs(denoised - clean).std() < np.abs(noisy - clean).std())
    True
    >>> residual = wavelet_denoise(noisy, output="residual")
    >>> np.allclose(residual, noisy - denoised)
    True
    """
    x, peak = check_signals(x, return_peak=True)
    resolved = resolve_level(x.shape[-1], wavelet, level)
    return denoise_batch(
        x,
        wavelet=wavelet,
        level=resolved,
        threshold=threshold,
        mode=mode,
        noise_estimate=noise_estimate,
        extension=extension,
        output=output,
        scale=needs_scaling(peak, x.dtype),
    )
