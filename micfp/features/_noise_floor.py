"""Noise floor of a clip: a low percentile of the power of its short frames."""

import functools
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval

from ..exceptions import AudioValueError
from ..utils._docstring import Substitution
from ..utils._framing import window_array
from ..utils._validation import check_signals
from ._spectrum import check_frequency_range
from ._welch import (
    DEFAULT_OFFSET,
    ESTIMATE_SECTIONS,
    FRAMING_CONSTRAINTS,
    BaseSpectralEstimate,
    estimate,
    estimate_function,
    half_hop,
)

__all__ = ["NoiseFloorSpectrum", "noise_floor_spectrum"]

# Per-bin statistics over fewer frames than this are refused.
MIN_FRAMES = 2


def check_frame_count(n_samples, length, hop_length, *, what="x"):
    """Raise :class:`AudioValueError` when clips hold fewer than two frames."""
    n_frames = 0 if n_samples < length else 1 + (n_samples - length) // hop_length
    if n_frames < MIN_FRAMES:
        raise AudioValueError(
            f"{what} has {n_samples} feature(s) (samples a clip), which give "
            f"{n_frames} frame(s) of frame_length={length} every "
            f"hop_length={hop_length}; per-bin statistics need at least "
            f"{MIN_FRAMES}. Use longer clips, or a smaller frame_length or "
            "hop_length."
        )


def percentile_over_frames(power, percentile):
    """``numpy.percentile(power, percentile, axis=-2)`` (linear), faster.

    Only the two ranks around the percentile are selected, in place
    (:meth:`numpy.ndarray.partition` on a bins-major copy, where each bin's
    frames are contiguous), instead of sorting every bin's frames; they are
    interpolated as numpy's ``"linear"`` method does.
    """
    n = power.shape[-2]
    if percentile == 0:
        return power.min(axis=-2)
    position = percentile / 100.0 * (n - 1)
    k = min(int(np.floor(position)), n - 1)
    fraction = power.dtype.type(position - k)
    ranked = np.swapaxes(power, -1, -2).copy()
    if k + 1 >= n or fraction == 0:
        ranked.partition(k, axis=-1)
        return ranked[..., k]
    ranked.partition((k, k + 1), axis=-1)
    low = ranked[..., k]
    return low + (ranked[..., k + 1] - low) * fraction


_NOISE_FLOOR_PARAMETERS = """
frame_length : int, default=256
    Samples a frame; the output has ``frame_length // 2 + 1`` bins without
    frequency limits.
hop_length : int or None, default=None
    Samples between frame starts; ``None`` means half a frame
    (``frame_length - frame_length // 2``).
window : None, str, tuple or array-like, default="hann"
    Window of a frame: ``None`` (rectangular), a
    ``scipy.signal.get_window`` specification, or ``frame_length`` samples.
percentile : float, default=20.0
    Percentile over the frames, in [0, 100], with linear interpolation
    between ranks (:func:`numpy.percentile`); 0 is the minimum.
"""

# What noise_floor_spectrum and NoiseFloorSpectrum accept.
NOISE_FLOOR_CONSTRAINTS = {
    "frame_length": [Interval(Integral, 1, None, closed="left")],
    "percentile": [Interval(Real, 0, 100, closed="both")],
    **FRAMING_CONSTRAINTS,
}


@estimate_function(
    NOISE_FLOOR_CONSTRAINTS, noise_floor_parameters=_NOISE_FLOOR_PARAMETERS
)
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
    {noise_floor_parameters}
    {estimate_parameters}

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
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    hop = hop_length or half_hop(frame_length)
    check_frame_count(x.shape[-1], frame_length, hop)
    return estimate(
        x,
        peak,
        functools.partial(percentile_over_frames, percentile=percentile),
        length=frame_length,
        hop_length=hop,
        window=window_array(window, frame_length, x.dtype),
        offset=offset,
        sr=sr,
        fmin=fmin,
        fmax=fmax,
    )


@Substitution(**ESTIMATE_SECTIONS, noise_floor_parameters=_NOISE_FLOOR_PARAMETERS)
class NoiseFloorSpectrum(BaseSpectralEstimate):
    """Log noise floor of each clip: a low percentile of its frames' power.

    The transformer of :func:`noise_floor_spectrum`. Beside a
    :class:`WelchSpectrum` (the mean over frames, dominated by the content),
    it gives the level the clip never goes below in each band: the room
    tone and the device's own noise.

    Parameters
    ----------
    {noise_floor_parameters}
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
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
        **NOISE_FLOOR_CONSTRAINTS,
        "n_jobs": [Integral, None],
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

    def _length(self, n_samples):
        return self.frame_length

    def _hop_length(self):
        return self.hop_length or half_hop(self.frame_length)

    def _check_clip_length(self, n_samples, length):
        check_frame_count(n_samples, length, self._hop_length(), what="X")

    def _window(self, dtype):
        return window_array(self.window, self.frame_length, dtype)

    def _reduce(self):
        return functools.partial(percentile_over_frames, percentile=self.percentile)
