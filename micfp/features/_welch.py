"""Variance-reduced power spectra of clips: Welch, multitaper and per recording.

A single periodogram of a clip has a chi-square error of 100 % on every bin;
averaging the periodograms of overlapping windowed segments (Welch) or of
orthogonal tapers (Thomson's multitaper) trades frequency resolution for a
much smaller variance, which is what a device's smooth response and noise
colour need. The functions work on any leading batch axes; the transformers
apply them to rows of clips in chunks.
"""

import functools
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.signal
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AudioValueError
from ..utils._base import BaseClipTransformer
from ..utils._blocks import apply_in_blocks
from ..utils._docstring import CLIP_ATTRIBUTES, N_JOBS, Substitution
from ..utils._framing import window_array, window_gain
from ..utils._validation import check_signals, needs_scaling, overflow_shift
from ._spectral import frame_power
from ._spectrum import (
    FREQUENCY_CONSTRAINTS,
    check_frequency_range,
    frequency_bins,
    frequency_names,
)

__all__ = [
    "MultitaperSpectrum",
    "WelchSpectrum",
    "long_term_average_spectrum",
    "multitaper_spectrum",
    "welch_spectrum",
]

# Power added before the logarithm: far below the quantisation floor of 24-bit
# audio (about 5e-20 per Hz at 44.1 kHz) and above float32's smallest normal.
DEFAULT_OFFSET = 1e-30

_POSITIVE_INT = Interval(Integral, 1, None, closed="left")

# What the functions and transformers of spectral estimates share.
ESTIMATE_CONSTRAINTS = {
    "offset": [Interval(Real, 0, np.inf, closed="neither")],
    **FREQUENCY_CONSTRAINTS,
}

# What framed estimates (Welch, noise floor) accept besides their length.
FRAMING_CONSTRAINTS = {
    "hop_length": [_POSITIVE_INT, None],
    "window": [None, str, tuple, "array-like"],
    **ESTIMATE_CONSTRAINTS,
}


# Checks ----------------------------------------------------------------------


def check_length(n_samples, length, name, *, what="x"):
    """Raise :class:`AudioValueError` when signals are shorter than one segment.

    Parameters
    ----------
    n_samples : int
        Samples a signal.
    length : int
        Samples a segment.
    name : str
        The parameter that sets ``length``, for the message.
    what : str, default="x"
        The argument holding the signals, for the message.
    """
    if n_samples < length:
        raise AudioValueError(
            f"{what} has {n_samples} feature(s) (samples a clip), fewer than "
            f"{name}={length}: a clip must hold at least one segment. Use "
            f"longer clips or a smaller {name}."
        )


def half_hop(length):
    """Default hop: the segment less half of it, as scipy's ``noverlap``."""
    return length - length // 2


# Scaling, combination over frames and logarithm -------------------------------


def density_scale(window, length, sr, bins, dtype):
    """Factor per bin that turns ``|rfft(frame * window)|²`` into a one-sided PSD.

    ``1 / (sr * sum(window²))``, doubled for the bins other than DC and (for
    an even length) Nyquist, as :func:`scipy.signal.welch` scales
    ``"density"``. ``window=None`` is the rectangular window; for several
    windows (tapers) the mean of their energies counts.
    """
    if window is None:
        energy = float(length)
    else:
        energy = float(np.square(window, dtype=float).sum(axis=-1).mean())
    fs = 1.0 if sr is None else float(sr)
    scale = np.full(length // 2 + 1, 2.0 / (fs * energy))
    scale[0] /= 2.0
    if length % 2 == 0:
        scale[-1] /= 2.0
    return scale[bins].astype(dtype)


def log_power(power, offset, shift=None):
    """``log(power + offset)`` in place, undoing a ``2 ** -shift`` row scaling.

    A row scaled by ``2 ** -k`` has ``4 ** -k`` times the power, so its log
    is raised by ``2 k log 2`` after the offset (scaled alike) is added.
    """
    info = np.finfo(power.dtype)
    if shift is None:
        power += max(power.dtype.type(offset), info.tiny)
        return np.log(power, out=power)
    scaled = np.ldexp(np.float64(offset), -2 * shift).astype(power.dtype)
    power += np.maximum(scaled, info.tiny)
    np.log(power, out=power)
    power += (2 * shift * np.log(2.0)).astype(power.dtype)
    return power


def _scaled(x, window, scale):
    """Rows of ``x`` brought below overflow, and their binary exponents."""
    shift = overflow_shift(x, gain=window_gain(window)) if scale else None
    return (x, None) if shift is None else (np.ldexp(x, -shift), shift)


def _mean_over_frames(power):
    return power.mean(axis=-2)


def _median_over_frames(power):
    # scipy.signal.welch divides the median by the bias of the median of
    # chi-square(2) variables, which makes it estimate the mean.
    n_frames = power.shape[-2]
    power = np.median(power, axis=-2)
    power /= power.dtype.type(_median_bias(n_frames))
    return power


def _median_bias(n):
    """Bias of the median of ``n`` periodogram values (as scipy.signal.welch)."""
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


# How Welch's method combines the periodograms of the segments.
AVERAGES = {"mean": _mean_over_frames, "median": _median_over_frames}


def framed_log_density(x, **settings):
    """Log PSD of each signal from the periodograms of its windowed frames.

    The pure core of the spectral estimates, on checked input, with the
    keyword arguments of :func:`_framed_log_density_rows`. Rows go through in
    blocks that fit the cache (:func:`~micfp.utils._blocks.apply_in_blocks`).
    """
    window = settings["window"]
    n_windows = 1 if window is None or window.ndim == 1 else len(window)
    length = settings["length"]
    n_frames = 1 + (x.shape[-1] - length) // settings["hop_length"]
    # Windowed frames, their complex spectra and their power.
    row_bytes = 4 * n_frames * n_windows * length * x.itemsize
    return apply_in_blocks(
        functools.partial(_framed_log_density_rows, **settings), x, row_bytes=row_bytes
    )


def _framed_log_density_rows(
    x, *, reduce, length, hop_length, window, bins, density, offset, scale=True
):
    """Compute the log PSD of rows of signals.

    The power of every frame of each row (under every taper when ``window``
    holds several), combined over the frames by ``reduce`` (an array
    ``(..., n_frames, n_bins)`` to ``(..., n_bins)``), scaled by ``density``
    and logged. ``scale=False`` skips the search for rows so large that
    their power overflows.
    """
    x, shift = _scaled(x, window, scale)
    power = reduce(frame_power(x, length, hop_length, window, bins))
    power *= density
    return log_power(power, offset, shift)


def estimate(x, peak, reduce, *, length, hop_length, window, offset, sr, fmin, fmax):
    """:func:`framed_log_density` of checked signals with their peaks."""
    bins, _ = frequency_bins(length, sr, fmin, fmax)
    return framed_log_density(
        x,
        reduce=reduce,
        length=length,
        hop_length=hop_length,
        window=window,
        bins=bins,
        density=density_scale(window, length, sr, bins, x.dtype),
        offset=offset,
        scale=needs_scaling(peak, x.dtype, gain=window_gain(window)),
    )


# Docstring sections shared by the functions and the transformers.
ESTIMATE_PARAMETERS = """
offset : float, default=1e-30
    Power added before the natural logarithm; keeps digital silence finite
    (``log(1e-30) = -69.1``).
sr : float or None, default=None
    Sample rate in Hz: the density is per Hz (per cycle per sample without
    it), ``fmin`` and ``fmax`` need it, and with it the transformers name
    their columns by frequency in Hz.
fmin, fmax : float or None, default=None
    Keep only bins with ``fmin <= frequency <= fmax`` (Hz).
"""

_ESTIMATE_ATTRIBUTES = (
    """
n_fft_ : int
    FFT length (the segment or frame length).
frequencies_ : ndarray of shape (n_bins,)
    Frequency of each output column, in Hz when ``sr`` is given.\
"""
    + CLIP_ATTRIBUTES
)

# Sections of the transformers' docstrings.
ESTIMATE_SECTIONS = {
    "estimate_parameters": ESTIMATE_PARAMETERS,
    "estimate_attributes": _ESTIMATE_ATTRIBUTES,
    "n_jobs": N_JOBS,
}


def estimate_function(constraints, **sections):
    """Decorate a spectral-estimate function of signals ``x``.

    Validates its parameters with ``constraints`` (those of its
    transformer) and fills its docstring's ``{estimate_parameters}`` and
    the other ``sections``.
    """
    validate = validate_params(
        {"x": "no_validation", **constraints}, prefer_skip_nested_validation=True
    )
    document = Substitution(estimate_parameters=ESTIMATE_PARAMETERS, **sections)
    return lambda func: document(validate(func))


_WELCH_PARAMETERS = """
hop_length : int or None, default=None
    Samples between segment starts; ``None`` means half a segment
    (``segment_length - segment_length // 2``, as scipy). Samples after the
    last full segment are dropped.
window : None, str, tuple or array-like, default="hann"
    Window of a segment: ``None`` (rectangular), a
    ``scipy.signal.get_window`` specification, or ``segment_length``
    samples.
average : {"mean", "median"}, default="mean"
    How the segments' periodograms are combined; the median is divided by
    its bias for chi-square variables, as in scipy.
"""

_MULTITAPER_PARAMETERS = """
n_tapers : int, default=7
    Number of tapers.
time_bandwidth : float or None, default=None
    Time-half-bandwidth product NW; ``None`` means ``(n_tapers + 1) / 2``.
    The spectrum is smoothed over ``2 NW sr / segment_length`` Hz.
"""


# Welch -------------------------------------------------------------------------

# What welch_spectrum and WelchSpectrum accept.
WELCH_CONSTRAINTS = {
    "segment_length": [_POSITIVE_INT],
    "average": [StrOptions(set(AVERAGES))],
    **FRAMING_CONSTRAINTS,
}


@estimate_function(WELCH_CONSTRAINTS, welch_parameters=_WELCH_PARAMETERS)
def welch_spectrum(
    x,
    *,
    segment_length=512,
    hop_length=None,
    window="hann",
    average="mean",
    offset=DEFAULT_OFFSET,
    sr=None,
    fmin=None,
    fmax=None,
):
    """Log power spectral density of each signal by Welch's method.

    The periodograms of overlapping windowed segments of ``segment_length``
    samples are averaged: ``log(P + offset)`` with ``P`` the one-sided power
    spectral density that :func:`scipy.signal.welch` gives with
    ``detrend=False`` and ``scaling="density"``. ``segment_length`` sets the
    resolution (``sr / segment_length`` Hz) against the variance (fewer
    segments, noisier bins).

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real, finite signals, time on the last axis. float32 stays float32.
    segment_length : int, default=512
        Samples a segment; the output has ``segment_length // 2 + 1`` bins
        without frequency limits.
    {welch_parameters}
    {estimate_parameters}

    Returns
    -------
    spectrum : ndarray of shape (..., n_bins)
        Natural log of the power spectral density.

    Raises
    ------
    AudioValueError
        If the signals are shorter than ``segment_length``, or are not real,
        finite, non-empty arrays.
    ValueError
        For invalid parameters.

    See Also
    --------
    WelchSpectrum : This function as a transformer.
    multitaper_spectrum : Averages over orthogonal tapers instead.
    log_spectrum : The single-periodogram magnitude of Qi et al.

    References
    ----------
    .. [1] P. D. Welch, "The use of fast Fourier transform for the estimation
       of power spectra", IEEE Trans. Audio Electroacoust. 15(2), 70-73, 1967.
       :doi:`10.1109/TAU.1967.1161901`

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.signal
    >>> from micfp.features import welch_spectrum
    >>> x = np.random.default_rng(0).standard_normal((2, 4096))
    >>> welch_spectrum(x, sr=16000).shape
    (2, 257)
    >>> _, p = scipy.signal.welch(x, fs=16000, nperseg=512, detrend=False)
    >>> np.allclose(welch_spectrum(x, sr=16000), np.log(p + 1e-30))
    True
    """
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    check_length(x.shape[-1], segment_length, "segment_length")
    return estimate(
        x,
        peak,
        AVERAGES[average],
        length=segment_length,
        hop_length=hop_length or half_hop(segment_length),
        window=window_array(window, segment_length, x.dtype),
        offset=offset,
        sr=sr,
        fmin=fmin,
        fmax=fmax,
    )


# Multitaper --------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _cached_tapers(segment_length, n_tapers, nw, dtype):
    tapers = np.atleast_2d(
        scipy.signal.windows.dpss(segment_length, nw, Kmax=n_tapers, sym=False)
    )
    tapers /= np.sqrt(np.sum(np.square(tapers), axis=-1, keepdims=True))
    tapers = tapers.astype(dtype)
    tapers.flags.writeable = False
    return tapers


def dpss_tapers(segment_length, n_tapers, time_bandwidth, dtype):
    """Slepian tapers of unit energy, shape ``(n_tapers, segment_length)``.

    ``time_bandwidth=None`` takes ``(n_tapers + 1) / 2``, so that the
    ``2 NW - 1`` best-concentrated tapers are used. The tapers of each
    setting are computed once and returned read-only.
    """
    nw = (n_tapers + 1) / 2.0 if time_bandwidth is None else float(time_bandwidth)
    if segment_length < 2 or n_tapers > segment_length:
        raise ValueError(
            f"n_tapers={n_tapers} tapers need segments of at least "
            f"max(2, n_tapers) samples; got segment_length={segment_length}."
        )
    if not 0 < nw < segment_length / 2:
        raise ValueError(
            f"time_bandwidth must lie in (0, segment_length / 2) = (0, "
            f"{segment_length / 2:g}); got {nw:g}."
        )
    return _cached_tapers(segment_length, n_tapers, nw, np.dtype(dtype))


# What multitaper_spectrum and MultitaperSpectrum accept.
MULTITAPER_CONSTRAINTS = {
    "segment_length": [_POSITIVE_INT, None],
    "n_tapers": [_POSITIVE_INT],
    "time_bandwidth": [Interval(Real, 0, None, closed="neither"), None],
    **ESTIMATE_CONSTRAINTS,
}


@estimate_function(MULTITAPER_CONSTRAINTS, multitaper_parameters=_MULTITAPER_PARAMETERS)
def multitaper_spectrum(
    x,
    *,
    segment_length=None,
    n_tapers=7,
    time_bandwidth=None,
    offset=DEFAULT_OFFSET,
    sr=None,
    fmin=None,
    fmax=None,
):
    """Log power spectral density of each signal by Thomson's multitaper method.

    The periodograms of the signal under ``n_tapers`` orthogonal Slepian
    (DPSS) tapers are averaged, each taper of unit energy, which gives a
    one-sided density scaled as :func:`scipy.signal.periodogram` scales a
    windowed periodogram. With ``segment_length`` shorter than the signal,
    the estimates of consecutive, non-overlapping segments are averaged too.

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real, finite signals, time on the last axis. float32 stays float32.
    segment_length : int or None, default=None
        Samples a segment; ``None`` uses the whole signal. Samples after the
        last full segment are dropped.
    {multitaper_parameters}
    {estimate_parameters}

    Returns
    -------
    spectrum : ndarray of shape (..., n_bins)
        Natural log of the power spectral density, ``segment_length // 2 +
        1`` bins without frequency limits.

    Raises
    ------
    AudioValueError
        If the signals are shorter than ``segment_length``, or are not real,
        finite, non-empty arrays.
    ValueError
        For invalid parameters, or more tapers than samples a segment.

    See Also
    --------
    MultitaperSpectrum : This function as a transformer.
    welch_spectrum : Averages over overlapping segments instead.

    Notes
    -----
    It costs ``n_tapers`` FFTs of the segment length for each segment: about
    ``n_tapers`` times a single periodogram of the clip.

    References
    ----------
    .. [1] D. J. Thomson, "Spectrum estimation and harmonic analysis",
       Proc. IEEE 70(9), 1055-1096, 1982. :doi:`10.1109/PROC.1982.12433`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import multitaper_spectrum
    >>> x = np.random.default_rng(0).standard_normal((2, 4096))
    >>> multitaper_spectrum(x, segment_length=512, sr=16000).shape
    (2, 257)
    """
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    length = x.shape[-1] if segment_length is None else segment_length
    check_length(x.shape[-1], length, "segment_length")
    return estimate(
        x,
        peak,
        _mean_over_frames,
        length=length,
        hop_length=length,
        window=dpss_tapers(length, n_tapers, time_bandwidth, x.dtype),
        offset=offset,
        sr=sr,
        fmin=fmin,
        fmax=fmax,
    )


# Long-term average spectrum ----------------------------------------------------

# Segments processed at once in a long recording.
_LTAS_BLOCK = 1024


@validate_params(
    {
        "signals": "no_validation",
        "segment_length": WELCH_CONSTRAINTS["segment_length"],
        **FRAMING_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def long_term_average_spectrum(
    signals,
    *,
    segment_length=512,
    hop_length=None,
    window="hann",
    offset=DEFAULT_OFFSET,
    sr=None,
    fmin=None,
    fmax=None,
):
    """Welch log power spectral density of each whole recording (LTAS).

    The long-term average spectrum of a recording: the periodograms of all
    its segments averaged, computed block by block so that an hour of audio
    needs the memory of 1024 segments. It equals :func:`welch_spectrum` of
    the recording with ``average="mean"``.

    Parameters
    ----------
    signals : Recordings, 1-D array-like or sequence of 1-D array-likes
        One recording, or several of any lengths (a
        :class:`~micfp.io.Recordings` or a list of arrays).
    segment_length, hop_length, window, offset, sr, fmin, fmax : optional
        As in :func:`welch_spectrum`. When ``signals`` is a
        :class:`~micfp.io.Recordings`, ``sr=None`` takes its sample rate.

    Returns
    -------
    spectra : ndarray of shape (n_recordings, n_bins)
        One row per recording (one row for a single 1-D signal).

    Raises
    ------
    AudioValueError
        If a recording is shorter than ``segment_length`` or is not a real,
        finite signal; the message names its index.

    See Also
    --------
    welch_spectrum : The same estimate for clips of one length.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import long_term_average_spectrum
    >>> rng = np.random.default_rng(0)
    >>> ltas = long_term_average_spectrum(
    ...     [rng.standard_normal(16000), rng.standard_normal(8000)], sr=16000
    ... )
    >>> ltas.shape
    (2, 257)
    """
    if sr is None and hasattr(signals, "sr") and hasattr(signals, "signals"):
        sr = signals.sr
    check_frequency_range(sr, fmin, fmax)
    if hasattr(signals, "signals"):
        signals = signals.signals
    if isinstance(signals, np.ndarray) and signals.ndim == 1:
        signals = [signals]
    elif not isinstance(signals, (list, tuple)) and not (
        isinstance(signals, np.ndarray) and signals.ndim == 2
    ):
        raise AudioValueError(
            "signals must be a Recordings, a 1-D signal or a sequence of 1-D "
            f"signals; got {type(signals).__name__}."
        )
    hop = hop_length or half_hop(segment_length)
    bins, _ = frequency_bins(segment_length, sr, fmin, fmax)
    rows = []
    for i, signal in enumerate(signals):
        name = f"signals[{i}]"
        x, peak = check_signals(signal, name, return_peak=True)
        if x.ndim != 1:
            raise AudioValueError(f"{name} must be 1-D; got shape {x.shape}.")
        check_length(x.shape[-1], segment_length, "segment_length", what=name)
        win = window_array(window, segment_length, x.dtype)
        x, shift = _scaled(x, win, needs_scaling(peak, x.dtype, gain=window_gain(win)))
        n_frames = 1 + (len(x) - segment_length) // hop
        total = np.zeros(bins.stop - bins.start, dtype=np.float64)
        step = _LTAS_BLOCK * hop
        for start in range(0, n_frames * hop, step):
            block = x[start : start + step - hop + segment_length]
            total += frame_power(block, segment_length, hop, win, bins).sum(
                axis=0, dtype=np.float64
            )
        power = (total / n_frames).astype(x.dtype)
        power *= density_scale(win, segment_length, sr, bins, x.dtype)
        rows.append(log_power(power, offset, None if shift is None else shift[0]))
    if not rows:
        raise AudioValueError("signals holds no recording.")
    return np.stack(rows)


# Transformers ------------------------------------------------------------------


class BaseSpectralEstimate(BaseClipTransformer):
    """Base of the transformers of log spectral densities: one per clip.

    ``transform`` applies :func:`framed_log_density` to chunks of clips.
    Subclasses set ``_prefix`` (feature names) and ``_parameter_constraints``,
    and implement ``_length(n_samples)`` (the FFT length),
    ``_hop_length()``, ``_window(dtype)`` (an array, ``None`` or tapers),
    ``_reduce()`` (how the frames' periodograms are combined) and, where
    clips need more than one segment, ``_check_clip_length``.
    """

    _prefix: ClassVar[str] = ""

    def _check_clip_length(self, n_samples, length):
        check_length(n_samples, length, "segment_length", what="X")

    def _fit_clips(self, X):
        check_frequency_range(self.sr, self.fmin, self.fmax)
        length = self._length(X.shape[1])
        self._check_clip_length(X.shape[1], length)
        self.n_fft_ = length
        self._bins, self.frequencies_ = frequency_bins(
            length, self.sr, self.fmin, self.fmax
        )
        self._window(X.dtype)

    _transform_chunk = staticmethod(framed_log_density)

    def _prepare_transform(self, X):
        window = self._window(X.dtype)
        return {
            "reduce": self._reduce(),
            "length": self.n_fft_,
            "hop_length": self._hop_length(),
            "window": window,
            "bins": self._bins,
            "density": density_scale(window, self.n_fft_, self.sr, self._bins, X.dtype),
            "offset": self.offset,
        }

    def _row_bytes(self, X):
        # Windowed frames, their complex spectra and their power: about four
        # copies of the frames, under each taper.
        n_frames = 1 + (X.shape[1] - self.n_fft_) // self._hop_length()
        window = self._window(X.dtype)
        n_windows = 1 if window is None or window.ndim == 1 else len(window)
        return 4 * n_frames * n_windows * self.n_fft_ * X.itemsize

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the frequency of each bin.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored; the names depend on the frequency bins only.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``<prefix>_<frequency>Hz`` with ``sr``, else ``<prefix>_bin<k>``.
        """
        check_is_fitted(self)
        return frequency_names(self._prefix, self.frequencies_, self._bins, self.sr)


@Substitution(**ESTIMATE_SECTIONS, welch_parameters=_WELCH_PARAMETERS)
class WelchSpectrum(BaseSpectralEstimate):
    """Log power spectral density of each clip by Welch's method.

    The transformer of :func:`welch_spectrum`: the periodograms of
    overlapping windowed segments averaged, a variance-reduced estimate of
    the clip's spectrum. 4096 samples with the default 512-sample segments
    give 15 segments and 257 bins.

    Parameters
    ----------
    segment_length : int, default=512
        Samples a segment; sets the resolution ``sr / segment_length`` Hz.
    {welch_parameters}
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
    {estimate_attributes}

    See Also
    --------
    welch_spectrum : The function applied.
    NoiseFloorSpectrum : A low percentile over frames instead of the mean.
    LogSpectrum : The single periodogram of Qi et al.

    Notes
    -----
    Clips shorter than ``segment_length`` raise
    :class:`~micfp.exceptions.AudioValueError` in ``fit``; input is
    otherwise checked as in :class:`LogSpectrum`.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import WelchSpectrum
    >>> X = np.random.default_rng(0).standard_normal((3, 4096))
    >>> welch = WelchSpectrum(sr=44100).fit(X)
    >>> welch.transform(X).shape
    (3, 257)
    >>> welch.get_feature_names_out()[:2]
    array(['welch_0Hz', 'welch_86.1328125Hz'], dtype=object)
    """

    _prefix: ClassVar[str] = "welch"
    _parameter_constraints: ClassVar[dict] = {
        **WELCH_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        segment_length=512,
        *,
        hop_length=None,
        window="hann",
        average="mean",
        offset=DEFAULT_OFFSET,
        sr=None,
        fmin=None,
        fmax=None,
        n_jobs=None,
    ):
        self.segment_length = segment_length
        self.hop_length = hop_length
        self.window = window
        self.average = average
        self.offset = offset
        self.sr = sr
        self.fmin = fmin
        self.fmax = fmax
        self.n_jobs = n_jobs

    def _length(self, n_samples):
        return self.segment_length

    def _hop_length(self):
        return self.hop_length or half_hop(self.segment_length)

    def _window(self, dtype):
        return window_array(self.window, self.segment_length, dtype)

    def _reduce(self):
        return AVERAGES[self.average]


@Substitution(**ESTIMATE_SECTIONS, multitaper_parameters=_MULTITAPER_PARAMETERS)
class MultitaperSpectrum(BaseSpectralEstimate):
    """Log power spectral density of each clip by Thomson's multitaper method.

    The transformer of :func:`multitaper_spectrum`: periodograms under
    ``n_tapers`` orthogonal Slepian tapers, averaged (and averaged over
    segments when ``segment_length`` is shorter than the clip).

    Parameters
    ----------
    segment_length : int or None, default=512
        Samples a segment; ``None`` uses the whole clip.
    {multitaper_parameters}
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
    {estimate_attributes}

    See Also
    --------
    multitaper_spectrum : The function applied.
    WelchSpectrum : Overlapping Hann segments instead of tapers.

    Notes
    -----
    It costs ``n_tapers`` FFTs a segment, several times a Welch estimate of
    the same resolution.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import MultitaperSpectrum
    >>> X = np.random.default_rng(0).standard_normal((3, 4096))
    >>> MultitaperSpectrum(n_tapers=4).fit_transform(X).shape
    (3, 257)
    """

    _prefix: ClassVar[str] = "multitaper"
    _parameter_constraints: ClassVar[dict] = {
        **MULTITAPER_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        segment_length=512,
        *,
        n_tapers=7,
        time_bandwidth=None,
        offset=DEFAULT_OFFSET,
        sr=None,
        fmin=None,
        fmax=None,
        n_jobs=None,
    ):
        self.segment_length = segment_length
        self.n_tapers = n_tapers
        self.time_bandwidth = time_bandwidth
        self.offset = offset
        self.sr = sr
        self.fmin = fmin
        self.fmax = fmax
        self.n_jobs = n_jobs

    def _length(self, n_samples):
        return n_samples if self.segment_length is None else self.segment_length

    def _hop_length(self):
        return self.n_fft_

    def _window(self, dtype):
        return dpss_tapers(self.n_fft_, self.n_tapers, self.time_bandwidth, dtype)

    def _reduce(self):
        return _mean_over_frames
