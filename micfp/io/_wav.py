"""Reading and writing WAV files through :mod:`scipy.io.wavfile`."""

import math
import os
import struct
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioFileError, AudioValueError, DegradedResultWarning

# Integer sample containers as scipy returns them, with the value that maps to
# full scale. scipy left-justifies 24-bit (and other odd-width) samples in the
# next wider container, so dividing by the container's full scale is right for
# every bit depth the container holds.
_PCM_FULL_SCALE = {
    np.dtype(np.int8): 2.0**7,
    np.dtype(np.int16): 2.0**15,
    np.dtype(np.int32): 2.0**31,
    np.dtype(np.int64): 2.0**63,
}

# subtype -> (numpy dtype scipy writes, full scale or None for float)
_SUBTYPES = {
    "PCM_U8": (np.dtype(np.uint8), 2.0**7),
    "PCM_16": (np.dtype(np.int16), 2.0**15),
    "PCM_32": (np.dtype(np.int32), 2.0**31),
    "FLOAT": (np.dtype(np.float32), None),
    "DOUBLE": (np.dtype(np.float64), None),
}


def _check_float_dtype(dtype):
    """Return ``dtype`` as a NumPy float32 or float64 dtype, or raise."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(
            f"dtype must be numpy.float32 or numpy.float64; got {dtype!r}."
        ) from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64; got {dt}.")
    return dt


def _to_float(data, dtype):
    """Scale samples as scipy returns them to floats in [-1, 1)."""
    if data.dtype.kind == "f":
        return data.astype(dtype, copy=False)
    if data.dtype == np.uint8:
        out = data.astype(dtype)
        out -= 128
        out /= 128
        return out
    out = data.astype(dtype)
    out *= 1.0 / _PCM_FULL_SCALE[data.dtype]
    return out


def _read_wav(path, *, sr, mono, dtype, channel=None):
    """Read one WAV file.

    Returns the signal, its sample rate, the file's own rate and the messages
    of scipy's non-fatal warnings (unknown chunks skipped), so that callers
    running in worker processes can report them in the parent. ``channel``
    keeps one channel and takes precedence over ``mono``.
    """
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"Audio file {str(path)!r} does not exist.")
    if not path.is_file():
        raise AudioFileError(
            f"Audio path {str(path)!r} is not a file; read a folder of "
            "recordings with micfp.io.load_recordings."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", wavfile.WavFileWarning)
        try:
            file_sr, data = wavfile.read(path)
        except (ValueError, struct.error, EOFError, OSError) as exc:
            raise AudioFileError(
                f"Cannot read {str(path)!r} as a WAV file (PCM 8/16/24/32 bit or "
                f"IEEE float 32/64 bit expected): {exc}"
            ) from exc
    notes = []
    for w in caught:
        message = str(w.message)
        if issubclass(w.category, wavfile.WavFileWarning):
            if "prematurely" in message:
                raise AudioFileError(
                    f"WAV file {str(path)!r} is truncated: {message} "
                    "Copy or export the file again."
                ) from w.message
            notes.append(message)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    if data.shape[0] == 0:
        raise AudioValueError(f"WAV file {str(path)!r} holds no samples.")
    if data.dtype.kind == "f" and not np.isfinite(data).all():
        n_bad = int(np.count_nonzero(~np.isfinite(data)))
        raise AudioValueError(
            f"WAV file {str(path)!r} holds {n_bad} NaN or infinite "
            f"sample(s) out of {data.size}; samples must be finite."
        )

    signal = _to_float(data, dtype)
    # scipy returns (n_samples,) or (n_samples, n_channels)
    signal = signal[np.newaxis, :] if signal.ndim == 1 else signal.T
    if channel is not None:
        if channel >= signal.shape[0]:
            raise AudioValueError(
                f"WAV file {str(path)!r} has {signal.shape[0]} channel(s); "
                f"channel={channel} does not exist (channels count from 0)."
            )
        signal = np.ascontiguousarray(signal[channel])
    elif mono:
        signal = signal[0] if signal.shape[0] == 1 else signal.mean(axis=0)
    else:
        signal = np.ascontiguousarray(signal)

    if sr is not None and sr != file_sr:
        g = math.gcd(int(sr), int(file_sr))
        signal = resample_poly(signal, int(sr) // g, int(file_sr) // g, axis=-1)
        signal = signal.astype(dtype, copy=False)
    return signal, int(file_sr if sr is None else sr), int(file_sr), notes


def _emit_notes(path, notes):
    for message in notes:
        warnings.warn(f"{path}: {message}", wavfile.WavFileWarning, stacklevel=4)


@validate_params(
    {
        "path": [str, os.PathLike],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
        "mono": ["boolean"],
        "dtype": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def read_audio(path, *, sr=None, mono=True, dtype=np.float32):
    """Read a WAV file as floating-point samples in [-1, 1).

    Reads PCM WAV files of 8 (unsigned), 16, 24 and 32 bits and IEEE float
    files of 32 and 64 bits, plain or ``WAVE_FORMAT_EXTENSIBLE``, with any
    number of channels, through :func:`scipy.io.wavfile.read`. Integer
    samples are divided by their full scale (128 around the centre 128 for
    8-bit, :math:`2^{15}` for 16-bit, :math:`2^{31}` for 24- and 32-bit, which
    scipy returns left-justified in 32 bits), which maps them to [-1, 1);
    in float32, 32-bit samples within :math:`2^{-25}` of full scale round up
    to 1.0. Float samples are kept as stored.

    Parameters
    ----------
    path : str or path-like
        The WAV file.
    sr : int, default=None
        Sample rate to return, in Hz. When it differs from the file's rate, the
        signal is resampled with :func:`scipy.signal.resample_poly` using the
        reduced ratio ``sr / file_rate``. None keeps the file's rate.
    mono : bool, default=True
        Average the channels into one. With False the result is always 2-D,
        one row per channel, even for a one-channel file.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating-point type of the returned samples.

    Returns
    -------
    signal : ndarray of shape (n_samples,) or (n_channels, n_samples)
        The samples, time on the last axis (librosa's convention).
    sr : int
        Sample rate of ``signal``, in Hz.

    Raises
    ------
    AudioFileError
        If the file does not exist, is not a WAV file of a supported format,
        or is truncated.
    AudioValueError
        If the file holds no samples, or NaN or infinite samples.

    Warns
    -----
    scipy.io.wavfile.WavFileWarning
        When scipy skips a chunk it does not understand (metadata such as
        ``bext``); the samples are read in full.

    See Also
    --------
    write_audio : Write a signal as a WAV file.
    load_recordings : Read a folder of WAV files into :class:`Recordings`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from micfp.io import read_audio, write_audio
    >>> t = np.arange(8000) / 8000
    >>> tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_audio(Path(tmp) / "tone.wav", tone, 8000)
    ...     y, sr = read_audio(Path(tmp) / "tone.wav", sr=16000)
    >>> y.shape, y.dtype, sr
    ((16000,), dtype('float32'), 16000)
    """
    dtype = _check_float_dtype(dtype)
    signal, out_sr, _, notes = _read_wav(path, sr=sr, mono=mono, dtype=dtype)
    _emit_notes(path, notes)
    return signal, out_sr


@validate_params(
    {
        "path": [str, os.PathLike],
        "signal": ["array-like"],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "subtype": [StrOptions(set(_SUBTYPES))],
    },
    prefer_skip_nested_validation=True,
)
def write_audio(path, signal, sr, *, subtype="PCM_16"):
    """Write a floating-point signal as a WAV file.

    Integer subtypes quantize ``signal`` by rounding ``signal * full_scale``,
    the inverse of :func:`read_audio`, so samples that are multiples of
    ``1 / full_scale`` survive a round trip exactly. Writing goes through
    :func:`scipy.io.wavfile.write`, which stores whole 1, 2, 4 or 8-byte
    samples: 24-bit PCM (3-byte samples) cannot be written; use "PCM_32" or
    "FLOAT" to keep more than 16 bits.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten if it exists).
    signal : array-like of shape (n_samples,) or (n_channels, n_samples)
        Samples in [-1, 1], time on the last axis.
    sr : int
        Sample rate in Hz.
    subtype : {"PCM_16", "PCM_U8", "PCM_32", "FLOAT", "DOUBLE"}, default="PCM_16"
        Sample format: unsigned 8-bit, 16-bit or 32-bit integer PCM, or 32-bit
        or 64-bit IEEE float.

    Raises
    ------
    AudioValueError
        If ``signal`` is empty, has more than two dimensions or holds NaN or
        infinite values.

    Warns
    -----
    DegradedResultWarning
        When an integer subtype clips samples outside its range.

    See Also
    --------
    read_audio : Read a WAV file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from micfp.io import read_audio, write_audio
    >>> x = np.array([0.0, 0.5, -0.5, -1.0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_audio(Path(tmp) / "x.wav", x, 8000, subtype="PCM_16")
    ...     y, sr = read_audio(Path(tmp) / "x.wav", dtype=np.float64)
    >>> y.tolist(), sr
    ([0.0, 0.5, -0.5, -1.0], 8000)
    """
    signal = np.asarray(signal)
    if signal.dtype.kind not in "biuf":
        raise AudioValueError(
            f"signal must hold real numbers; got an array of dtype {signal.dtype}."
        )
    if signal.ndim not in (1, 2):
        raise AudioValueError(
            "signal must have shape (n_samples,) or (n_channels, n_samples); "
            f"got shape {signal.shape}."
        )
    if signal.shape[-1] == 0 or signal.size == 0:
        raise AudioValueError(f"signal holds no samples (shape {signal.shape}).")
    if not np.isfinite(signal).all():
        raise AudioValueError("signal holds NaN or infinite values.")

    out_dtype, full_scale = _SUBTYPES[subtype]
    if full_scale is None:
        data = signal.astype(out_dtype)
    else:
        scaled = np.rint(signal.astype(np.float64) * full_scale)
        low, high = -full_scale, full_scale - 1
        n_clipped = int(np.count_nonzero((scaled < low) | (scaled > high)))
        if n_clipped:
            warnings.warn(
                f"{n_clipped} sample(s) outside [-1, 1) were clipped when "
                f"writing {subtype} to {str(path)!r}.",
                DegradedResultWarning,
                stacklevel=3,
            )
        np.clip(scaled, low, high, out=scaled)
        if out_dtype == np.uint8:
            scaled += 128
        data = scaled.astype(out_dtype)
    wavfile.write(path, int(sr), data.T)
