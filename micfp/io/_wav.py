"""Reading WAV files with micfp's own parser, writing them with scipy.

:func:`read_audio` parses the header itself (see ``_riff.py``) so that a
damaged or hostile file raises :class:`~micfp.exceptions.AudioFileError`
naming the file, no size a header declares is allocated before it is checked
against the file, and the samples are decoded block by block straight into
the returned array. :func:`write_audio` goes through
:func:`scipy.io.wavfile.write`.
"""

import math
import os
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioFileError, AudioValueError, DegradedResultWarning
from ._riff import WavFormatError, WavTruncatedError, decode, parse_wav

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


def _check_path(path):
    """Raise :class:`AudioFileError` unless ``path`` is an existing regular file."""
    name = str(path)
    try:
        if path.is_file():
            return
        exists = path.exists()
        target = os.readlink(path) if not exists and path.is_symlink() else None
    except (OSError, ValueError) as exc:  # no permission on a parent; a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise AudioFileError(f"Cannot access {name!r}: {reason}.") from exc
    if target is not None:
        raise AudioFileError(
            f"Audio file {name!r} is a symbolic link to {target!r}, which does "
            "not exist."
        )
    if not exists:
        raise AudioFileError(f"Audio file {name!r} does not exist.")
    raise AudioFileError(
        f"Audio path {name!r} is not a file; read a folder of "
        "recordings with micfp.io.load_recordings."
    )


def _decode_file(f, path, *, mono, dtype, channel):
    """Parse and decode the open file ``f``; return the signal and its layout."""
    name = str(path)
    try:
        layout = parse_wav(f, os.fstat(f.fileno()).st_size)
        if channel is not None and channel >= layout.n_channels:
            raise AudioValueError(
                f"WAV file {name!r} has {layout.n_channels} channel(s); "
                f"channel={channel} does not exist (channels count from 0)."
            )
        if layout.n_frames == 0:
            raise AudioValueError(f"WAV file {name!r} holds no samples.")
        signal, n_bad, n_overflow = decode(
            f, layout, dtype=dtype, channel=channel, mono=mono
        )
    except WavFormatError as exc:
        advice = (
            " Copy or export the file again."
            if isinstance(exc, WavTruncatedError)
            else ""
        )
        raise AudioFileError(
            f"Cannot read {name!r} as a WAV file: {exc}.{advice}"
        ) from None
    except OSError as exc:
        raise AudioFileError(f"Cannot read {name!r}: {exc}") from exc
    if n_bad:
        raise AudioValueError(
            f"WAV file {name!r} holds {n_bad} NaN or infinite sample(s) out of "
            f"{layout.n_frames * layout.n_channels}; samples must be finite."
        )
    if n_overflow:
        advice = " (read it with dtype=numpy.float64)" if dtype.itemsize < 8 else ""
        raise AudioValueError(
            f"WAV file {name!r} holds samples beyond the range of {dtype}: "
            f"{n_overflow} of the returned values would be infinite; samples "
            f"must be finite{advice}."
        )
    return signal, layout


def _read_wav(path, *, sr, mono, dtype, channel=None):
    """Read one WAV file.

    Returns the signal, its sample rate, the file's own rate and the notes
    about parts of the file that were skipped (unknown chunks, bytes after the
    data), so that callers running in worker processes can report them in the
    parent. ``channel`` keeps one channel and takes precedence over ``mono``.
    """
    path = Path(path)
    _check_path(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the with block below
    except OSError as exc:
        raise AudioFileError(
            f"Cannot open {str(path)!r}: {exc.strerror or exc}."
        ) from exc
    with f:
        signal, layout = _decode_file(f, path, mono=mono, dtype=dtype, channel=channel)
    if sr is not None and sr != layout.sr:
        # the one step that holds two copies: resample_poly's input and output
        g = math.gcd(int(sr), layout.sr)
        signal = resample_poly(signal, int(sr) // g, layout.sr // g, axis=-1)
        signal = signal.astype(dtype, copy=False)
    return signal, int(layout.sr if sr is None else sr), layout.sr, list(layout.notes)


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
    number of channels; also PCM samples stored in 5 to 8 bytes, big-endian
    ``RIFX`` files and ``RF64`` files (WAV beyond 4 GiB). Integer samples are
    divided by the full scale of their container (128 around the centre 128
    for 8-bit, :math:`2^{15}` for 16-bit, :math:`2^{23}` for 24-bit,
    :math:`2^{31}` for 32-bit; samples of fewer bits than their container,
    such as 20 bits in 3 bytes, are left-justified), which maps them to
    [-1, 1); in float32, 32-bit samples within :math:`2^{-25}` of full scale
    round up to 1.0. Float samples are kept as stored.

    The header is checked before any sample is read, and every size it
    declares against the size of the file, so a damaged file raises an error
    that names it and what is wrong, and never makes the reader allocate more
    than the file could hold. The samples are decoded a block at a time into
    the returned array: reading holds one decoded copy of the samples and
    about 32 thousand raw samples at a time, whatever the length of the file,
    the number of channels kept or averaged, and the bit depth. Resampling is
    the exception: :func:`scipy.signal.resample_poly` holds its input and its
    output (in float64) at once.

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
        If the path does not exist, is a folder or a broken link, or cannot be
        opened; or the file is not a WAV file micfp reads: empty, not RIFF,
        compressed samples (ADPCM, mu-law, MP3, ...), a header that is cut
        short or contradicts itself (no ``fmt `` or ``data`` chunk, a chunk
        declaring more bytes than the file holds, 0 channels, a sample rate
        outside 1 Hz to 10 MHz, a block align or bits per sample that do not
        fit together). Every message names the file and says what is wrong.
    AudioValueError
        If the file holds no samples, or NaN or infinite samples.

    Warns
    -----
    scipy.io.wavfile.WavFileWarning
        When parts of the file that hold no samples are skipped: a chunk micfp
        does not use (metadata such as ``bext``; ``LIST``, ``fact`` and padding
        chunks pass silently), an incomplete last frame, or bytes after the
        data chunk that do not form a chunk. The samples are read in full.

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
