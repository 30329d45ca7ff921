"""Noise floor of a clip: a low percentile of the power of its short frames."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval

from ..utils._framing import window_array, window_gain
from ..utils._validation import check_signals, needs_scaling
from ._spectrum import check_frequency_range, frequency_bins
from ._welch import (
    _COMMON_CONSTRAINTS,
    DEFAULT_OFFSET,
    _half_hop,
    _scaled,
    _SpectralEstimate,
    check_frame_count,
    check_offset,
    check_positive_int,
    density_scale,
    estimate_docstring,
    log_power,
    power_frames,
)

__all__ = ["NoiseFloorSpectrum", "noise_floor_spectrum"]

# Per-bin statistics over fewer frames than this are refused.
MIN_FRAMES = 2


def _noise_floor(
    x,
    *,
    frame_length,
    hop_length,
    window,
    percentile,
    bins,
    density,
    offset,
    scale=True,
):
    """Core of :func:`noise_floor_spectrum` on checked input."""
    x, shift = _scaled(x, window, scale)
    power = power_frames(
        x, length=frame_length, hop_length=hop_length, window=window, bins=bins
    )
    floor = _percentile_over_frames(power, percentile)
    floor *= density
    return log_power(floor, offset, shift)


def _percentile_over_frames(power, percentile):
    """``numpy.percentile(power, percentile, axis=-2)`` (linear), faster.

    Sorting the few frames of each bin costs less than numpy's general
    percentile machinery; the interpolation between ranks is numpy's
    ``"linear"`` method.
    """
    n = power.shape[-2]
    if percentile == 0:
        return power.min(axis=-2)
    position = percentile / 100.0 * (n - 1)
    k = min(int(np.floor(position)), n - 1)
    fraction = power.dtype.type(position - k)
    power = np.sort(power, axis=-2)
    low = power[..., k, :]
    if k + 1 >= n or fraction == 0:
        return low.copy()
    high = power[..., k + 1, :]
    return low + (high - low) * fraction


def _check_percentile(percentile):
    if isinstance(percentile, bool) or not isinstance(percentile, Real):
        raise ValueError(f"percentile must be a float in [0, 100]; got {percentile!r}.")
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must lie in [0, 100]; got {percentile!r}.")


def noise_floor_spectrum(
    x,
    *,
    frame_length=256,
    hop_length=None,
    window="hann",
    percentile=20.0,
    offset=DEFAULT_OFFSET,
    sr=None,
    fmin=None,
    fmax=None,
):
    """Log noise floor of each signal: a low percentile of its frames' power.

    The power spectral densities of short windowed frames are computed as
    in :func:`welch_spectrum`; instead of their mean, each bin keeps a low
    percentile over the frames (``percentile=0`` keeps the minimum, the
    minimum statistics of Martin). Where the content pauses or is weak in a
    band, what is left is the room's ambient noise and what the device adds:
    its self-noise, hum and quantisation floor.

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real, finite signals, time on the last axis. float32 stays float32.
    frame_length : int, default=256
        Samples a frame; the output has ``frame_length // 2 + 1`` bins
        without frequency limits.
    hop_length : int or None, default=None
        Samples between frame starts; ``None`` means ``frame_length // 2``.
    window : None, str, tuple or array-like, default="hann"
        Window of a frame (``None`` is rectangular).
    percentile : float, default=20.0
        Percentile over the frames, in [0, 100], with linear interpolation
        between ranks (:func:`numpy.percentile`).
    offset : float, default=1e-30
        Power added before the natural logarithm.
    sr : float or None, default=None
        Sample rate in Hz (density per Hz; needed for ``fmin``/``fmax``).
    fmin, fmax : float or None, default=None
        Keep only bins with ``fmin <= frequency <= fmax`` (Hz).

    Returns
    -------
    spectrum : ndarray of shape (..., n_bins)
        Natural log of the percentile of the power spectral density.

    Raises
    ------
    AudioValueError
        If the signals hold fewer than two frames, or are not real, finite,
        non-empty arrays.
    ValueError
        For invalid parameters.

    See Also
    --------
    NoiseFloorSpectrum : This function as a transformer.
    welch_spectrum : The mean over the frames instead.

    References
    ----------
    .. [1] R. Martin, "Noise power spectral density estimation based on
       optimal smoothing and minimum statistics", IEEE Trans. Speech Audio
       Process. 9(5), 504-512, 2001. :doi:`10.1109/89.928915`

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.signal
    >>> from micfp.features import noise_floor_spectrum
    >>> x = np.random.default_rng(0).standard_normal((2, 4096))
    >>> floor = noise_floor_spectrum(x, sr=16000)
    >>> floor.shape
    (2, 129)
    >>> _, _, s = scipy.signal.spectrogram(
    ...     x, fs=16000, window="hann", nperseg=256, noverlap=128, detrend=False
    ... )
    >>> np.allclose(floor, np.log(np.percentile(s, 20, axis=-1) + 1e-30))
    True
    """
    check_positive_int("frame_length", frame_length)
    check_positive_int("hop_length", hop_length, allow_none=True)
    _check_percentile(percentile)
    check_offset(offset)
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    hop = hop_length or _half_hop(frame_length)
    check_frame_count(x.shape[-1], frame_length, hop, MIN_FRAMES)
    bins, _ = frequency_bins(frame_length, sr, fmin, fmax)
    window = window_array(window, frame_length, x.dtype)
    return _noise_floor(
        x,
        frame_length=frame_length,
        hop_length=hop,
        window=window,
        percentile=percentile,
        bins=bins,
        density=density_scale(window, frame_length, sr, bins, x.dtype),
        offset=offset,
        scale=needs_scaling(peak, x.dtype, gain=window_gain(window)),
    )


@estimate_docstring
class NoiseFloorSpectrum(_SpectralEstimate):
    """Log noise floor of each clip: a low percentile of its frames' power.

    The transformer of :func:`noise_floor_spectrum`. Beside a
    :class:`WelchSpectrum` (the mean over frames, dominated by the content),
    it gives the level the clip never goes below in each band: the room
    tone and the device's own noise.

    Parameters
    ----------
    frame_length : int, default=256
        Samples a frame.
    hop_length : int or None, default=None
        Samples between frame starts; ``None`` means half a frame.
    window : None, str, tuple or array-like, default="hann"
        Window of a frame (``None`` is rectangular).
    percentile : float, default=20.0
        Percentile over the frames, in [0, 100]; 0 is the minimum.
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
    n_fft_ : int
        FFT length (the frame length).
    {estimate_attributes}

    See Also
    --------
    noise_floor_spectrum : The function applied.
    WelchSpectrum : The mean over segments.

    Notes
    -----
    Clips that hold fewer than two frames raise
    :class:`~micfp.exceptions.AudioValueError` in ``fit``, naming
    ``frame_length`` and ``hop_length``.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import NoiseFloorSpectrum
    >>> X = np.random.default_rng(0).standard_normal((3, 4096))
    >>> NoiseFloorSpectrum(sr=44100).fit_transform(X).shape
    (3, 129)
    """

    _prefix: ClassVar[str] = "noisefloor"
    _parameter_constraints: ClassVar[dict] = {
        "frame_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [None, str, tuple, "array-like"],
        "percentile": [Interval(Real, 0, 100, closed="both")],
        **_COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        frame_length=256,
        *,
        hop_length=None,
        window="hann",
        percentile=20.0,
        offset=DEFAULT_OFFSET,
        sr=None,
        fmin=None,
        fmax=None,
        n_jobs=None,
    ):
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.window = window
        self.percentile = percentile
        self.offset = offset
        self.sr = sr
        self.fmin = fmin
        self.fmax = fmax
        self.n_jobs = n_jobs

    def _hop(self):
        return self.hop_length or _half_hop(self.frame_length)

    def _length(self, n_samples):
        return self.frame_length

    def _check_clip_length(self, n_samples):
        check_frame_count(
            n_samples, self.frame_length, self._hop(), MIN_FRAMES, what="X"
        )

    _transform_chunk = staticmethod(_noise_floor)

    def _prepare_transform(self, X):
        window = window_array(self.window, self.frame_length, X.dtype)
        return {
            "frame_length": self.frame_length,
            "hop_length": self._hop(),
            "window": window,
            "percentile": self.percentile,
            "bins": self._bins,
            "density": density_scale(
                window, self.frame_length, self.sr, self._bins, X.dtype
            ),
            "offset": self.offset,
        }

    def _row_bytes(self, X):
        hops = max(1, self.frame_length // self._hop())
        return X.shape[1] * X.itemsize * hops * 4
