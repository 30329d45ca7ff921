"""Frequency scales and triangular filter banks on FFT bins.

Slaney's mel scale (linear below 1 kHz, logarithmic above) or HTK's, and
filters normalized to constant energy, as librosa builds them.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils._docstring import Substitution

__all__ = ["hz_to_mel", "linear_filterbank", "mel_filterbank", "mel_to_hz"]

# Slaney's mel scale: linear below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


# What the filter banks accept.
BANK_CONSTRAINTS = {
    "sr": [Interval(Real, 0, None, closed="neither")],
    "n_fft": [Interval(Integral, 1, None, closed="left")],
    "n_filters": [Interval(Integral, 1, None, closed="left")],
    "fmin": [Interval(Real, 0, None, closed="left")],
    "fmax": [Interval(Real, 0, None, closed="neither"), None],
    "norm": [StrOptions({"slaney"}), None],
}

_mel_doc = Substitution(
    htk="""
    htk : bool, default=False
        Use the HTK formula ``mel = 2595 log10(1 + f / 700)`` instead of
        Slaney's scale (linear below 1 kHz, logarithmic above).
    """
)

# Parameters shared by the filter banks.
_bank_doc = Substitution(
    bank_parameters="""
    sr : float
        Sample rate in Hz.
    n_fft : int
        FFT length; the filters act on its ``n_fft // 2 + 1`` bins.
    n_filters : int, default=40
        Number of filters.
    fmin, fmax : float, default=0.0 and None
        Lowest and highest frequency in Hz; ``fmax=None`` means ``sr / 2``.
    """,
    norm="""
    norm : {"slaney", None}, default="slaney"
        ``"slaney"`` scales each filter by ``2 / bandwidth`` so that all
        filters carry the same energy; ``None`` keeps unit peaks.
    """,
)


@_mel_doc
@validate_params(
    {"frequencies": [Real, "array-like"], "htk": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def hz_to_mel(frequencies, *, htk=False):
    """Convert frequencies in Hz to mels.

    Parameters
    ----------
    frequencies : float or array-like
        Frequencies in Hz.
    {htk}

    Returns
    -------
    mels : ndarray
        The frequencies in mels, same shape as `frequencies`.

    See Also
    --------
    mel_to_hz : The inverse conversion.

    Examples
    --------
    >>> from micfp.features import hz_to_mel
    >>> hz_to_mel([0.0, 1000.0])
    array([ 0., 15.])
    >>> hz_to_mel(1000.0, htk=True).round(1)
    np.float64(1000.0)
    """
    f = np.asarray(frequencies, dtype=float)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / _F_SP
    log_part = f >= _MIN_LOG_HZ
    safe = np.where(log_part, f, _MIN_LOG_HZ)
    return np.where(
        log_part, _MIN_LOG_MEL + np.log(safe / _MIN_LOG_HZ) / _LOGSTEP, mels
    )


@_mel_doc
@validate_params(
    {"mels": [Real, "array-like"], "htk": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def mel_to_hz(mels, *, htk=False):
    """Convert mels to frequencies in Hz.

    Parameters
    ----------
    mels : float or array-like
        Mel values.
    {htk}

    Returns
    -------
    frequencies : ndarray
        Frequencies in Hz, same shape as `mels`.

    See Also
    --------
    hz_to_mel : The inverse conversion.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import hz_to_mel, mel_to_hz
    >>> mel_to_hz([0.0, 15.0])
    array([   0., 1000.])
    >>> bool(np.allclose(mel_to_hz(hz_to_mel([50.0, 8000.0])), [50.0, 8000.0]))
    True
    """
    m = np.asarray(mels, dtype=float)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    return np.where(
        m >= _MIN_LOG_MEL,
        _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL)),
        freqs,
    )


def _triangular_filters(edges, fft_freqs, norm):
    # edges holds n_filters + 2 corner frequencies in Hz; filter i rises from
    # edges[i] to edges[i + 1] and falls to edges[i + 2].
    widths = np.diff(edges)
    ramps = edges[:, np.newaxis] - fft_freqs[np.newaxis, :]
    lower = -ramps[:-2] / widths[:-1, np.newaxis]
    upper = ramps[2:] / widths[1:, np.newaxis]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, np.newaxis]
    return weights


def _check_band(sr, fmin, fmax):
    fmax = sr / 2.0 if fmax is None else float(fmax)
    if not 0.0 <= fmin < fmax <= sr / 2.0:
        raise ValueError(
            f"Need 0 <= fmin < fmax <= sr / 2 = {sr / 2.0:g} Hz; "
            f"got fmin={fmin!r}, fmax={fmax!r}."
        )
    return float(fmin), fmax


@_bank_doc
@validate_params(
    {**BANK_CONSTRAINTS, "htk": ["boolean"]}, prefer_skip_nested_validation=True
)
def mel_filterbank(
    *, sr, n_fft, n_filters=40, fmin=0.0, fmax=None, htk=False, norm="slaney"
):
    """Triangular filters equally spaced on the mel scale.

    Parameters
    ----------
    {bank_parameters}
    htk : bool, default=False
        Use the HTK mel formula instead of Slaney's.
    {norm}

    Returns
    -------
    weights : ndarray of shape (n_filters, n_fft // 2 + 1)
        The filter bank, float64.

    See Also
    --------
    linear_filterbank : The same filters equally spaced in Hz.

    Examples
    --------
    >>> from micfp.features import mel_filterbank
    >>> mel_filterbank(sr=16000, n_fft=512, n_filters=40).shape
    (40, 257)
    """
    fmin, fmax = _check_band(sr, fmin, fmax)
    mels = np.linspace(
        hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_filters + 2
    )
    edges = mel_to_hz(mels, htk=htk)
    return _triangular_filters(edges, np.fft.rfftfreq(n_fft, 1.0 / sr), norm)


@_bank_doc
@validate_params(BANK_CONSTRAINTS, prefer_skip_nested_validation=True)
def linear_filterbank(*, sr, n_fft, n_filters=40, fmin=0.0, fmax=None, norm="slaney"):
    """Triangular filters equally spaced in Hz, for linear-frequency cepstra.

    Linear spacing keeps the resolution of the high bands, where much of a
    microphone's trace lies, instead of merging them as the mel scale does.

    Parameters
    ----------
    {bank_parameters}
    {norm}

    Returns
    -------
    weights : ndarray of shape (n_filters, n_fft // 2 + 1)
        The filter bank, float64.

    See Also
    --------
    mel_filterbank : Filters equally spaced on the mel scale.

    Examples
    --------
    >>> from micfp.features import linear_filterbank
    >>> fb = linear_filterbank(sr=8000, n_fft=256, n_filters=20, norm=None)
    >>> fb.shape, float(fb.max())
    ((20, 129), 1.0)
    """
    fmin, fmax = _check_band(sr, fmin, fmax)
    edges = np.linspace(fmin, fmax, n_filters + 2)
    return _triangular_filters(edges, np.fft.rfftfreq(n_fft, 1.0 / sr), norm)


def _filterbank(scale, sr, n_fft, n_filters, fmin, fmax):
    if scale == "mel":
        return mel_filterbank(
            sr=sr, n_fft=n_fft, n_filters=n_filters, fmin=fmin, fmax=fmax
        )
    return linear_filterbank(
        sr=sr, n_fft=n_fft, n_filters=n_filters, fmin=fmin, fmax=fmax
    )
