"""Variance-reduced power spectra of clips: Welch, multitaper and per recording.

A single periodogram of a clip has a chi-square error of 100 % on every bin;
averaging the periodograms of overlapping windowed segments (Welch) or of
orthogonal tapers (Thomson's multitaper) trades frequency resolution for a
much smaller variance, which is what a device's smooth response and noise
colour need. The functions work on any leading batch axes; the transformers
apply them to rows of clips in chunks.
"""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.fft
import scipy.signal
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AudioValueError
from ..utils._base import BaseClipTransformer
from ..utils._docstring import CLIP_ATTRIBUTES, N_JOBS, Substitution
from ..utils._framing import frame, window_array, window_gain
from ..utils._validation import (
    check_signals,
    needs_scaling,
    overflow_shift,
)
from ._spectrum import check_frequency_range, frequency_bins, frequency_names

__all__ = [
    "MultitaperSpectrum",
    "WelchSpectrum",
    "long_term_average_spectrum",
    "multitaper_spectrum",
    "welch_spectrum",
]

AVERAGES = ("mean", "median")
# Power added before the logarithm: far below the quantisation floor of 24-bit
# audio (about 5e-20 per Hz at 44.1 kHz) and above float32's smallest normal.
DEFAULT_OFFSET = 1e-30


# Checks ----------------------------------------------------------------------


def check_positive_int(name, value, *, allow_none=False):
    """Raise a ValueError naming ``name`` unless ``value`` is a positive int."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        allowed = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {allowed}; got {value!r}.")


def check_offset(offset):
    """Raise a ValueError unless ``offset`` is a positive finite float."""
    if isinstance(offset, bool) or not isinstance(offset, Real):
        raise ValueError(f"offset must be a positive float; got {offset!r}.")
    if not (offset > 0 and np.isfinite(offset)):
        raise ValueError(f"offset must be positive and finite; got {offset!r}.")


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


def check_frame_count(n_samples, length, hop_length, minimum, *, what="x"):
    """Raise :class:`AudioValueError` when clips hold too few frames.

    Returns the number of frames a clip holds.
    """
    n_frames = 0 if n_samples < length else 1 + (n_samples - length) // hop_length
    if n_frames < minimum:
        raise AudioValueError(
            f"{what} has {n_samples} feature(s) (samples a clip), which give "
            f"{n_frames} frame(s) of frame_length={length} every "
            f"hop_length={hop_length}; per-bin statistics need at least "
            f"{minimum}. Use longer clips, or a smaller frame_length or "
            "hop_length."
        )
    return n_frames


def _half_hop(length):
    """Default hop: the segment less half of it, as scipy's ``noverlap``."""
    return length - length // 2


def _check_average(average):
    if average not in AVERAGES:
        raise ValueError(
            f"Unknown average {average!r}; valid options are {sorted(AVERAGES)}."
        )


# Scaling and logarithm ---------------------------------------------------------


def density_scale(window, length, sr, bins, dtype):
    """Factor per bin that turns ``|rfft(frame * window)|²`` into a one-sided PSD.

    ``1 / (sr * sum(window²))``, doubled for the bins other than DC and (for
    an even length) Nyquist, as :func:`scipy.signal.welch` scales
    ``"density"``. ``window=None`` is the rectangular window.
    """
    energy = float(length if window is None else np.sum(np.square(window, dtype=float)))
    fs = 1.0 if sr is None else float(sr)
    scale = np.full(length // 2 + 1, 2.0 / (fs * energy))
    scale[0] /= 2.0
    if length % 2 == 0:
        scale[-1] /= 2.0
    return scale[bins].astype(dtype)


def power_frames(x, *, length, hop_length, window, bins):
    """``|rfft|²`` of the windowed frames of each signal, for the kept bins.

    Returns an array of shape ``(..., n_frames, n_bins)``.
    """
    frames = frame(x, length, hop_length)
    if window is not None:
        frames = frames * window
    spectrum = scipy.fft.rfft(frames, axis=-1)[..., bins]
    power = np.square(spectrum.real)
    power += np.square(spectrum.imag)
    return power


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


# Welch -------------------------------------------------------------------------


def _welch(
    x, *, segment_length, hop_length, window, average, bins, density, offset, scale=True
):
    """Core of :func:`welch_spectrum` on checked input; ``window`` is an array."""
    x, shift = _scaled(x, window, scale)
    power = power_frames(
        x, length=segment_length, hop_length=hop_length, window=window, bins=bins
    )
    if average == "mean":
        power = power.mean(axis=-2)
    else:
        # scipy.signal.welch divides the median by the bias of the median of
        # chi-square(2) variables, which makes it estimate the mean.
        n_frames = power.shape[-2]
        power = np.median(power, axis=-2)
        power /= power.dtype.type(_median_bias(n_frames))
    power *= density
    return log_power(power, offset, shift)


def _median_bias(n):
    """Bias of the median of ``n`` periodogram values (as scipy.signal.welch)."""
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


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
    hop_length : int or None, default=None
        Samples between segment starts; ``None`` means ``segment_length //
        2`` (50 % overlap). Samples after the last full segment are dropped.
    window : None, str, tuple or array-like, default="hann"
        Window of a segment: ``None`` (rectangular), a
        ``scipy.signal.get_window`` specification, or ``segment_length``
        samples.
    average : {"mean", "median"}, default="mean"
        How the segments' periodograms are combined; the median is divided by
        its bias for chi-square variables, as in scipy.
    offset : float, default=1e-30
        Power added before the natural logarithm; keeps digital silence
        finite (``log(1e-30) = -69.1``).
    sr : float or None, default=None
        Sample rate in Hz: the density is per Hz, and ``fmin``/``fmax`` need
        it. ``None`` gives the density per cycle per sample.
    fmin, fmax : float or None, default=None
        Keep only bins with ``fmin <= frequency <= fmax`` (Hz).

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
    check_positive_int("segment_length", segment_length)
    check_positive_int("hop_length", hop_length, allow_none=True)
    _check_average(average)
    check_offset(offset)
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    check_length(x.shape[-1], segment_length, "segment_length")
    bins, _ = frequency_bins(segment_length, sr, fmin, fmax)
    window = window_array(window, segment_length, x.dtype)
    return _welch(
        x,
        segment_length=segment_length,
        hop_length=hop_length or _half_hop(segment_length),
        window=window,
        average=average,
        bins=bins,
        density=density_scale(window, segment_length, sr, bins, x.dtype),
        offset=offset,
        scale=needs_scaling(peak, x.dtype, gain=window_gain(window)),
    )


# Multitaper --------------------------------------------------------------------


def _multitaper(x, *, segment_length, tapers, bins, density, offset, scale=True):
    """Core of :func:`multitaper_spectrum`; ``tapers`` of shape (K, L), unit energy."""
    x, shift = _scaled(x, tapers, scale)
    frames = frame(x, segment_length, segment_length)
    spectrum = scipy.fft.rfft(frames[..., None, :] * tapers, axis=-1)[..., bins]
    power = np.square(spectrum.real)
    power += np.square(spectrum.imag)
    power = power.mean(axis=(-3, -2))
    power *= density
    return log_power(power, offset, shift)


def dpss_tapers(segment_length, n_tapers, time_bandwidth, dtype):
    """Slepian tapers of unit energy, shape ``(n_tapers, segment_length)``.

    ``time_bandwidth=None`` takes ``(n_tapers + 1) / 2``, so that the
    ``2 NW - 1`` best-concentrated tapers are used.
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
    tapers = np.atleast_2d(
        scipy.signal.windows.dpss(segment_length, nw, Kmax=n_tapers, sym=False)
    )
    tapers /= np.sqrt(np.sum(np.square(tapers), axis=-1, keepdims=True))
    return tapers.astype(dtype)


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
    n_tapers : int, default=7
        Number of tapers.
    time_bandwidth : float or None, default=None
        Time-half-bandwidth product NW; ``None`` means ``(n_tapers + 1) / 2``.
        The spectrum is smoothed over ``2 NW sr / segment_length`` Hz.
    offset : float, default=1e-30
        Power added before the natural logarithm.
    sr : float or None, default=None
        Sample rate in Hz (density per Hz; needed for ``fmin``/``fmax``).
    fmin, fmax : float or None, default=None
        Keep only bins with ``fmin <= frequency <= fmax`` (Hz).

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
    check_positive_int("segment_length", segment_length, allow_none=True)
    check_positive_int("n_tapers", n_tapers)
    check_offset(offset)
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    length = x.shape[-1] if segment_length is None else segment_length
    check_length(x.shape[-1], length, "segment_length")
    tapers = dpss_tapers(length, n_tapers, time_bandwidth, x.dtype)
    bins, _ = frequency_bins(length, sr, fmin, fmax)
    return _multitaper(
        x,
        segment_length=length,
        tapers=tapers,
        bins=bins,
        density=density_scale(tapers[0], length, sr, bins, x.dtype),
        offset=offset,
        scale=needs_scaling(peak, x.dtype, gain=window_gain(tapers)),
    )


# Long-term average spectrum ----------------------------------------------------

# Segments processed at once in a long recording.
_LTAS_BLOCK = 1024


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
    check_positive_int("segment_length", segment_length)
    check_positive_int("hop_length", hop_length, allow_none=True)
    check_offset(offset)
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
    hop = hop_length or _half_hop(segment_length)
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
            total += power_frames(
                block, length=segment_length, hop_length=hop, window=win, bins=bins
            ).sum(axis=0, dtype=np.float64)
        power = (total / n_frames).astype(x.dtype)
        power *= density_scale(win, segment_length, sr, bins, x.dtype)
        rows.append(log_power(power, offset, None if shift is None else shift[0]))
    if not rows:
        raise AudioValueError("signals holds no recording.")
    return np.stack(rows)


# Transformers ------------------------------------------------------------------


class _SpectralEstimate(BaseClipTransformer):
    """Template of the transformers of this module: one log spectrum per clip.

    Subclasses set ``_prefix`` (feature names) and ``_transform_chunk`` (the
    pure batched function), and implement ``_length(n_samples)`` (the FFT
    length, checked against the clips), ``_prepare_transform(X)`` (the
    function's keyword arguments) and ``_row_bytes(X)``.
    """

    _prefix: ClassVar[str] = ""

    def _check_clip_length(self, n_samples):
        check_length(n_samples, self._length(n_samples), "segment_length", what="X")

    def _fit_clips(self, X):
        check_frequency_range(self.sr, self.fmin, self.fmax)
        self._check_clip_length(X.shape[1])
        self.n_fft_ = self._length(X.shape[1])
        self._bins, self.frequencies_ = frequency_bins(
            self.n_fft_, self.sr, self.fmin, self.fmax
        )
        self._prepare_transform(X)

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


_ESTIMATE_PARAMETERS = """
offset : float, default=1e-30
    Power added before the natural logarithm.
sr : float or None, default=None
    Sample rate in Hz; needed for ``fmin``/``fmax`` and gives feature names
    in Hz.
fmin, fmax : float or None, default=None
    Keep only the bins between these frequencies (Hz, inclusive).
"""

_ESTIMATE_ATTRIBUTES = (
    """
frequencies_ : ndarray of shape (n_bins,)
    Frequency of each output column, in Hz when ``sr`` is given.\
"""
    + CLIP_ATTRIBUTES
)

# Shared sections of the docstrings of the transformers of log spectra.
estimate_docstring = Substitution(
    estimate_parameters=_ESTIMATE_PARAMETERS,
    estimate_attributes=_ESTIMATE_ATTRIBUTES,
    n_jobs=N_JOBS,
)

_COMMON_CONSTRAINTS = {
    "offset": [Interval(Real, 0, None, closed="neither")],
    "sr": [Interval(Real, 0, None, closed="neither"), None],
    "fmin": [Interval(Real, 0, None, closed="left"), None],
    "fmax": [Interval(Real, 0, None, closed="left"), None],
    "n_jobs": [Integral, None],
}


@estimate_docstring
class WelchSpectrum(_SpectralEstimate):
    """Log power spectral density of each clip by Welch's method.

    The transformer of :func:`welch_spectrum`: the periodograms of
    overlapping windowed segments averaged, a variance-reduced estimate of
    the clip's spectrum. 4096 samples with the default 512-sample segments
    give 15 segments and 257 bins.

    Parameters
    ----------
    segment_length : int, default=512
        Samples a segment; sets the resolution ``sr / segment_length`` Hz.
    hop_length : int or None, default=None
        Samples between segment starts; ``None`` means half a segment.
    window : None, str, tuple or array-like, default="hann"
        Window of a segment (``None`` is rectangular).
    average : {"mean", "median"}, default="mean"
        How the periodograms of the segments are combined.
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
    n_fft_ : int
        FFT length (the segment length).
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
        "segment_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [None, str, tuple, "array-like"],
        "average": [StrOptions(set(AVERAGES))],
        **_COMMON_CONSTRAINTS,
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

    _transform_chunk = staticmethod(_welch)

    def _hop(self):
        return self.hop_length or _half_hop(self.segment_length)

    def _prepare_transform(self, X):
        window = window_array(self.window, self.segment_length, X.dtype)
        return {
            "segment_length": self.segment_length,
            "hop_length": self._hop(),
            "window": window,
            "average": self.average,
            "bins": self._bins,
            "density": density_scale(
                window, self.segment_length, self.sr, self._bins, X.dtype
            ),
            "offset": self.offset,
        }

    def _row_bytes(self, X):
        # Framed copies of a row take about length / hop times its bytes.
        hops = max(1, self.segment_length // self._hop())
        return X.shape[1] * X.itemsize * hops * 3


@estimate_docstring
class MultitaperSpectrum(_SpectralEstimate):
    """Log power spectral density of each clip by Thomson's multitaper method.

    The transformer of :func:`multitaper_spectrum`: periodograms under
    ``n_tapers`` orthogonal Slepian tapers, averaged (and averaged over
    segments when ``segment_length`` is shorter than the clip).

    Parameters
    ----------
    segment_length : int or None, default=512
        Samples a segment; ``None`` uses the whole clip.
    n_tapers : int, default=7
        Number of tapers.
    time_bandwidth : float or None, default=None
        Time-half-bandwidth product NW; ``None`` means ``(n_tapers + 1) / 2``.
    {estimate_parameters}
    {n_jobs}

    Attributes
    ----------
    n_fft_ : int
        FFT length (the segment length).
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
        "segment_length": [Interval(Integral, 1, None, closed="left"), None],
        "n_tapers": [Interval(Integral, 1, None, closed="left")],
        "time_bandwidth": [Interval(Real, 0, None, closed="neither"), None],
        **_COMMON_CONSTRAINTS,
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

    _transform_chunk = staticmethod(_multitaper)

    def _prepare_transform(self, X):
        length = self.n_fft_
        tapers = dpss_tapers(length, self.n_tapers, self.time_bandwidth, X.dtype)
        return {
            "segment_length": length,
            "tapers": tapers,
            "bins": self._bins,
            "density": density_scale(tapers[0], length, self.sr, self._bins, X.dtype),
            "offset": self.offset,
        }

    def _scaling_gain(self, prepared):
        return window_gain(prepared["tapers"])

    def _row_bytes(self, X):
        return X.shape[1] * X.itemsize * 3 * self.n_tapers
