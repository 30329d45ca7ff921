"""Log-magnitude spectrum of each clip, the feature of Qi et al."""

import functools
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.fft
import scipy.signal
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._base import BaseClipTransformer
from ..utils._blocks import apply_in_blocks
from ..utils._docstring import CLIP_ATTRIBUTES, CLIP_INPUT, N_JOBS, Substitution
from ..utils._framing import frame, warn_short_rows, window_array, window_gain
from ..utils._validation import (
    check_signals,
    needs_scaling,
    overflow_shift,
)

__all__ = ["LogSpectrum", "log_spectrum"]

AVERAGES = ("mean", "median")

# A sample rate and the frequency limits it gives a meaning to.
FREQUENCY_CONSTRAINTS = {
    "sr": [Interval(Real, 0, None, closed="neither"), None],
    "fmin": [Interval(Real, 0, None, closed="left"), None],
    "fmax": [Interval(Real, 0, None, closed="left"), None],
}

# What log_spectrum and LogSpectrum accept.
SPECTRUM_CONSTRAINTS = {
    "n_fft": [Interval(Integral, 1, None, closed="left"), None],
    "hop_length": [Interval(Integral, 1, None, closed="left"), None],
    "window": [None, str, tuple, "array-like"],
    "average": [StrOptions(set(AVERAGES))],
    "offset": [Interval(Real, 0, np.inf, closed="neither")],
    **FREQUENCY_CONSTRAINTS,
}


# Docstring sections of every clip transformer.
CLIP_SECTIONS = {
    "n_jobs": N_JOBS,
    "clip_input": CLIP_INPUT,
    "clip_attributes": CLIP_ATTRIBUTES,
}

# Fitted attributes of the transformers of framed clips (frame_layout).
FRAME_ATTRIBUTES = """
hop_length_ : int
    Hop in samples.
n_frames_ : int
    Frames per clip.
"""


# Frames, windows and frequency bins ------------------------------------------


def check_frequency_range(sr, fmin, fmax):
    """Check that frequency limits in Hz come with a sample rate.

    Parameters
    ----------
    sr : float or None
        Sample rate in Hz.
    fmin, fmax : float or None
        Frequency limits in Hz.

    Raises
    ------
    ValueError
        If a limit is given without ``sr``, ``fmin > fmax`` or ``fmax`` lies
        above the Nyquist frequency.
    """
    if sr is None:
        if fmin is not None or fmax is not None:
            raise ValueError(
                "fmin and fmax are frequencies in Hz and need the sample rate: "
                f"pass sr (got fmin={fmin}, fmax={fmax}, sr=None)."
            )
        return
    if fmin is not None and fmax is not None and fmin > fmax:
        raise ValueError(f"fmin={fmin} must not exceed fmax={fmax}.")
    if fmax is not None and fmax > sr / 2:
        raise ValueError(
            f"fmax={fmax} Hz lies above the Nyquist frequency sr/2={sr / 2:g} Hz."
        )


def frequency_bins(n_fft, sr, fmin, fmax):
    """Find the ``rfft`` bins inside ``[fmin, fmax]`` and their frequencies.

    Parameters
    ----------
    n_fft : int
        FFT length.
    sr : float or None
        Sample rate in Hz; without it, frequencies are in cycles per sample.
    fmin, fmax : float or None
        Limits in Hz (checked by :func:`check_frequency_range`).

    Returns
    -------
    bins : slice
        The selected bins of ``rfft(..., n=n_fft)``.
    frequencies : ndarray
        Their frequencies, in Hz when ``sr`` is given.
    """
    freqs = scipy.fft.rfftfreq(n_fft, d=1.0 if sr is None else 1.0 / sr)
    keep = np.ones(freqs.shape, dtype=bool)
    if fmin is not None:
        keep &= freqs >= fmin
    if fmax is not None:
        keep &= freqs <= fmax
    index = np.flatnonzero(keep)
    if index.size == 0:
        raise ValueError(
            f"No frequency bin lies in [{fmin}, {fmax}] Hz with n_fft={n_fft} "
            f"and sr={sr} (bins are {sr / n_fft:g} Hz apart)."
        )
    return slice(index[0], index[-1] + 1), freqs[index[0] : index[-1] + 1]


def frame_settings(n_samples, length, hop_length, window, dtype, name):
    """Hop and window samples of frames of ``length`` samples.

    Warns (:class:`~micfp.exceptions.DegradedResultWarning`) when clips of
    ``n_samples`` are shorter than a frame and will be zero-padded to one;
    ``name`` is the frame length's parameter. ``hop_length=None`` means half
    a frame.
    """
    if n_samples < length:
        warn_short_rows(n_samples, length, name)
    return {
        "hop_length": hop_length or max(length // 2, 1),
        "window": window_array(window, length, dtype),
    }


def frequency_names(prefix, frequencies, bins, sr):
    """Feature names that carry the bin frequency (Hz) or the bin index."""
    if sr is None:
        return np.asarray(
            [f"{prefix}_bin{k}" for k in range(bins.start, bins.stop)], dtype=object
        )
    return np.asarray(
        [f"{prefix}_{np.format_float_positional(f, trim='-')}Hz" for f in frequencies],
        dtype=object,
    )


# Spectrum ------------------------------------------------------------------


def _magnitude(x, *, n_fft, hop_length, window, average, bins):
    """Magnitude spectrum of each row, averaged over frames when it has several."""
    n = x.shape[-1]
    if n_fft >= n and window is None:
        return np.abs(scipy.fft.rfft(x, n=n_fft, axis=-1)[..., bins])
    if n_fft >= n:
        first = x if n_fft == n else frame(x, n_fft, n_fft, pad=True)[..., 0, :]
        return np.abs(scipy.fft.rfft(first * window, axis=-1)[..., bins])
    frames = frame(x, n_fft, hop_length, pad=True)
    if window is not None:
        frames = frames * window
    spectra = np.abs(scipy.fft.rfft(frames, axis=-1)[..., bins])
    if average == "mean":
        return spectra.mean(axis=-2)
    return np.median(spectra, axis=-2)


def _log_spectrum(x, *, n_fft, hop_length, window, average, offset, bins, scale=True):
    """Core of :func:`log_spectrum` on checked input; ``window`` is an array.

    Rows go through in blocks that fit the cache
    (:func:`~micfp.utils._blocks.apply_in_blocks`); see
    :func:`_log_spectrum_rows` for the computation.
    """
    n = x.shape[-1]
    n_frames = 1 if n_fft >= n else 1 + (n - n_fft) // hop_length
    block = functools.partial(
        _log_spectrum_rows,
        n_fft=n_fft,
        hop_length=hop_length,
        window=window,
        average=average,
        offset=offset,
        bins=bins,
        scale=scale,
    )
    # Windowed frames, their complex spectra and their magnitudes.
    row_bytes = 4 * n_frames * n_fft * x.itemsize
    return apply_in_blocks(block, x, row_bytes=row_bytes)


def _log_spectrum_rows(x, *, n_fft, hop_length, window, average, offset, bins, scale):
    """Log spectrum of rows of checked signals.

    Rows with huge samples are scaled by ``2 ** -shift`` first (see
    ``overflow_shift``), and
    ``log(|F| + c) = log(|F / 2**shift| + c / 2**shift) + shift log 2``
    gives their exact log spectrum; an offset beyond the range of float32
    input is applied in the same way. An offset below the smallest float of
    the dtype counts as that float, which keeps the log of silence finite.
    ``scale=False`` skips the search for huge rows, for callers that know
    there are none.
    """
    shift = overflow_shift(x, gain=window_gain(window)) if scale else None
    info = np.finfo(x.dtype)
    offset_shift = int(np.frexp(offset)[1]) if offset > float(info.max) / 4 else 0
    settings = {
        "n_fft": n_fft,
        "hop_length": hop_length,
        "window": window,
        "average": average,
        "bins": bins,
    }
    if shift is None and not offset_shift:
        magnitude = _magnitude(x, **settings)
        if offset == 1:
            return np.log1p(magnitude, out=magnitude)
        magnitude += max(x.dtype.type(offset), info.smallest_subnormal)
        return np.log(magnitude, out=magnitude)
    shift = np.maximum(0 if shift is None else shift, offset_shift)
    magnitude = _magnitude(np.ldexp(x, -shift), **settings)
    scaled_offset = np.ldexp(np.float64(offset), -shift).astype(x.dtype)
    magnitude += np.maximum(scaled_offset, info.smallest_subnormal)
    np.log(magnitude, out=magnitude)
    magnitude += (shift * np.log(2.0)).astype(x.dtype)
    return magnitude


_SPECTRUM_NOTES = """
Digital silence: every bin of a clip of zeros is ``log(offset)``, 0 with
the default ``offset=1``: the floor of the feature, not a missing value.
(An offset below the smallest positive float of the dtype, such as 1e-50
for float32 clips, counts as that float, whose log is finite.)

Huge samples: rows whose samples exceed ``2 ** 256`` (``2 ** 32`` in
float32) times the window's peak are transformed scaled by ``2 ** -k``,
and ``log(|F| + c) = log(|F| 2 ** -k + c 2 ** -k) + k log 2`` restores
their exact log spectrum, so every finite clip gives finite features. An
offset beyond the range of float32 is applied to float32 clips the same
way.
"""


_WELCH_REFERENCE = """
.. [1] P. D. Welch, "The use of fast Fourier transform for the estimation
   of power spectra", IEEE Trans. Audio Electroacoust. 15(2), 70-73, 1967.
   :doi:`10.1109/TAU.1967.1161901`
"""


@Substitution(
    spectrum_notes=_SPECTRUM_NOTES,
    welch_reference=_WELCH_REFERENCE,
)
@validate_params(
    {"x": "no_validation", **SPECTRUM_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def log_spectrum(
    x,
    *,
    n_fft=None,
    hop_length=None,
    window=None,
    average="mean",
    offset=1.0,
    sr=None,
    fmin=None,
    fmax=None,
):
    """Log-magnitude spectrum ``log(|FFT(x)| + offset)`` of each signal.

    By default one FFT over the whole signal and ``offset=1``: the
    ``N = log(|F| + 1)`` of Qi et al., 2049 values for 4096 samples. With
    ``n_fft`` shorter than the signal, the magnitude spectra of frames of
    ``n_fft`` samples are averaged first (Welch-style), a more stable
    fingerprint for long clips.

    Parameters
    ----------
    x : array-like of shape (..., n_samples)
        Real, finite signals. float32 stays float32.
    n_fft : int or None, default=None
        FFT length. ``None`` uses the whole signal as one frame. A signal
        shorter than ``n_fft`` is zero-padded to one frame, with a
        :class:`~micfp.exceptions.DegradedResultWarning`.
    hop_length : int or None, default=None
        Samples between frame starts when averaging over frames; ``None``
        means ``n_fft // 2``. Samples after the last full frame are dropped.
    window : None, str, tuple or array-like, default=None
        Window applied to each frame: ``None`` (rectangular, no window), any
        ``scipy.signal.get_window`` specification such as ``"hann"`` or
        ``("kaiser", 8.0)``, or ``n_fft`` window samples.
    average : {"mean", "median"}, default="mean"
        How the magnitude spectra of the frames are combined.
    offset : float, default=1.0
        Added to the magnitude before the logarithm; must be positive.
    sr : float or None, default=None
        Sample rate in Hz, needed only for ``fmin`` and ``fmax``.
    fmin, fmax : float or None, default=None
        Keep only bins with ``fmin <= frequency <= fmax`` (Hz).

    Returns
    -------
    spectrum : ndarray of shape (..., n_bins)
        ``n_bins = n_fft // 2 + 1`` without frequency limits.

    Raises
    ------
    ValueError
        For invalid parameters.
    AudioValueError
        If ``x`` does not hold real numbers (for objects that are not
        numbers, the error is a :class:`TypeError` as well), has no samples,
        or holds NaN or infinite samples.

    See Also
    --------
    LogSpectrum : This function as a scikit-learn transformer.
    scipy.signal.welch : Averaged power spectra.

    Notes
    -----
    {spectrum_notes}

    References
    ----------
    {welch_reference}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import log_spectrum
    >>> x = np.random.default_rng(0).standard_normal((2, 4096))
    >>> log_spectrum(x).shape
    (2, 2049)
    >>> np.allclose(log_spectrum(x), np.log1p(np.abs(np.fft.rfft(x))))
    True
    >>> log_spectrum(x, n_fft=1024, window="hann").shape
    (2, 513)
    >>> log_spectrum(x, sr=44100, fmin=100, fmax=1000).shape
    (2, 83)
    """
    check_frequency_range(sr, fmin, fmax)
    x, peak = check_signals(x, return_peak=True)
    n_fft = x.shape[-1] if n_fft is None else n_fft
    bins, _ = frequency_bins(n_fft, sr, fmin, fmax)
    settings = frame_settings(x.shape[-1], n_fft, hop_length, window, x.dtype, "n_fft")
    return _log_spectrum(
        x,
        n_fft=n_fft,
        average=average,
        offset=offset,
        bins=bins,
        scale=needs_scaling(peak, x.dtype, gain=window_gain(settings["window"])),
        **settings,
    )


@Substitution(
    **CLIP_SECTIONS, spectrum_notes=_SPECTRUM_NOTES, welch_reference=_WELCH_REFERENCE
)
class LogSpectrum(BaseClipTransformer):
    """Log-magnitude spectrum of each clip: ``log(|FFT(x)| + offset)``.

    The feature of Qi et al.: with the defaults, one FFT over the whole clip,
    no window and ``offset=1``, so 4096 samples give 2049 values
    ``N = log(|F| + 1)``. Options cover the usual variations: a window, a
    shorter ``n_fft`` with the magnitude spectra of the frames averaged
    (Welch-style, a more stable fingerprint for long clips), and frequency
    limits in Hz.

    Parameters
    ----------
    n_fft : int or None, default=None
        FFT length. ``None`` uses the whole clip as one frame. Clips shorter
        than ``n_fft`` are zero-padded to one frame, with a
        :class:`~micfp.exceptions.DegradedResultWarning`.
    hop_length : int or None, default=None
        Samples between frame starts when averaging over frames; ``None``
        means ``n_fft // 2``.
    window : None, str, tuple or array-like, default=None
        ``None`` (rectangular), a ``scipy.signal.get_window`` specification
        such as ``"hann"``, or the window's samples.
    average : {"mean", "median"}, default="mean"
        How the magnitude spectra of the frames are combined.
    offset : float, default=1.0
        Added to the magnitude before the logarithm.
    sr : float or None, default=None
        Sample rate in Hz. Needed for ``fmin`` and ``fmax``, and it makes the
        feature names carry frequencies in Hz.
    fmin, fmax : float or None, default=None
        Keep only the bins between these frequencies (Hz, inclusive).
    {n_jobs}

    Attributes
    ----------
    n_fft_ : int
        FFT length used.
    frequencies_ : ndarray of shape (n_bins,)
        Frequency of each output column, in Hz when ``sr`` is given, else in
        cycles per sample.
    {clip_attributes}

    See Also
    --------
    log_spectrum : The function this transformer applies.
    micfp.denoise.NoiseResidual : The device-noise residual usually taken
        before this step.
    BandEnergyDifference : Signs of the differences between adjacent bins.

    Notes
    -----
    {clip_input}

    {spectrum_notes}

    References
    ----------
    {welch_reference}

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import LogSpectrum
    >>> X = np.random.default_rng(0).standard_normal((3, 4096)).astype(np.float32)
    >>> spec = LogSpectrum().fit(X)
    >>> spec.transform(X).shape, spec.transform(X).dtype
    ((3, 2049), dtype('float32'))
    >>> spec = LogSpectrum(n_fft=512, window="hann", sr=44100, fmax=4000).fit(X)
    >>> spec.transform(X).shape
    (3, 47)
    >>> spec.get_feature_names_out()[:3]
    array(['logspectrum_0Hz', 'logspectrum_86.1328125Hz',
           'logspectrum_172.265625Hz'], dtype=object)
    """

    _parameter_constraints: ClassVar[dict] = {
        **SPECTRUM_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        n_fft=None,
        *,
        hop_length=None,
        window=None,
        average="mean",
        offset=1.0,
        sr=None,
        fmin=None,
        fmax=None,
        n_jobs=None,
    ):
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.window = window
        self.average = average
        self.offset = offset
        self.sr = sr
        self.fmin = fmin
        self.fmax = fmax
        self.n_jobs = n_jobs

    _transform_chunk = staticmethod(_log_spectrum)

    def _fit_clips(self, X):
        check_frequency_range(self.sr, self.fmin, self.fmax)
        self.n_fft_ = X.shape[1] if self.n_fft is None else self.n_fft
        window_array(self.window, self.n_fft_, X.dtype)
        self._bins, self.frequencies_ = frequency_bins(
            self.n_fft_, self.sr, self.fmin, self.fmax
        )

    def _prepare_transform(self, X):
        return {
            "n_fft": self.n_fft_,
            "average": self.average,
            "offset": self.offset,
            "bins": self._bins,
            **frame_settings(
                X.shape[1], self.n_fft_, self.hop_length, self.window, X.dtype, "n_fft"
            ),
        }

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the frequency of each bin.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored; the names depend on the frequency bins only.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``logspectrum_<frequency>Hz`` with ``sr``, else
            ``logspectrum_bin<k>``.
        """
        check_is_fitted(self)
        return frequency_names("logspectrum", self.frequencies_, self._bins, self.sr)
