"""Reading audio files, writing WAV files.

:func:`read_audio` recognises the format from the file's first bytes
(``_formats.py``), parses PCM and float WAV itself (``_riff.py``) and hands
other formats to soundfile or PyAV (``_decoders.py``), so that a damaged or
hostile file raises :class:`~micfp.exceptions.AudioFileError` naming the
file, whatever decodes it. :func:`write_audio` goes through
:func:`scipy.io.wavfile.write`.
"""

import math
import os
import warnings
from collections import namedtuple
from numbers import Integral
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import (
    AudioError,
    AudioFileError,
    AudioValueError,
    DegradedResultWarning,
)
from ._decoders import check_channel, decode_av, decode_soundfile, sha256_of
from ._formats import EXTENSIONS, INSTALL, Format, import_backend, sniff
from ._info import AudioInfo
from ._riff import (
    WavEncodingError,
    WavFormatError,
    WavTruncatedError,
    decode,
    parse_wav,
)

_Read = namedtuple("_Read", "signal sr file_sr notes info")

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


def _decode_wav(f, name, *, file_size, dtype, mono, channel):
    """Decode a PCM or float WAV file with micfp's parser; as the decoders do."""
    f.seek(0)
    try:
        layout = parse_wav(f, file_size)
        check_channel(name, layout.n_channels, channel)
        if layout.n_frames == 0:
            raise AudioValueError(f"WAV file {name!r} holds no samples.")
        signal, n_bad, n_overflow = decode(
            f, layout, dtype=dtype, channel=channel, mono=mono
        )
    except WavEncodingError:
        raise
    except WavFormatError as exc:
        advice = (
            " Copy or export the file again."
            if isinstance(exc, WavTruncatedError)
            else ""
        )
        raise AudioFileError(
            f"Cannot read {name!r} as a WAV file: {exc}.{advice}"
        ) from None
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
    bits = 8 * layout.container
    codec = {"u": "PCM_U8", "f": "FLOAT" if bits == 32 else "DOUBLE"}.get(
        layout.kind, f"PCM_{bits}"
    )
    details = {
        "codec": codec,
        "sr": layout.sr,
        "n_channels": layout.n_channels,
        "n_frames": layout.n_frames,
        "bit_depth": bits,
        "bitrate": layout.sr * layout.n_channels * bits,
        "decoder": "micfp",
    }
    return signal, details, list(layout.notes)


def _unknown_format(name, head):
    """Return the error for a file of no format micfp recognises."""
    if not head:
        return AudioFileError(f"Cannot read {name!r}: the file is empty (0 bytes).")
    suffix = Path(name).suffix.lower()
    expected = EXTENSIONS.get(suffix)
    mismatch = (
        f" Its name ends in {suffix!r}, but it does not hold {expected} audio."
        if expected
        else ""
    )
    return AudioFileError(
        f"Cannot read {name!r}: it starts with {head[:16]!r}, the start of no "
        f"audio format micfp recognises.{mismatch} micfp reads WAV itself, "
        "FLAC, OGG (Vorbis, Opus), MP3, AIFF, W64, CAF, AU and compressed WAV "
        "(mu-law, A-law, ADPCM) with soundfile, and MP4/M4A/3GP, AAC, AMR, "
        f"WMA, Matroska/WebM and AVI audio with PyAV ({INSTALL}); convert "
        "anything else to WAV or FLAC, for example with ffmpeg."
    )


def _decode_file(f, name, *, dtype, mono, channel):
    """Recognise and decode the open file ``f``; return signal, details, notes."""
    file_size = os.fstat(f.fileno()).st_size
    fmt, head = sniff(f)
    if fmt is None:
        raise _unknown_format(name, head) from None
    kwargs = {"file_size": file_size, "dtype": dtype, "mono": mono, "channel": channel}
    coding = None
    if fmt.backend == "micfp":
        try:
            return fmt, _decode_wav(f, name, **kwargs)
        except WavEncodingError as exc:
            fmt, coding = Format("WAV", "soundfile"), str(exc)
            what = coding.removeprefix("its ")
            import_backend("soundfile", f"{name!r}, a WAV file whose {what},")
    try:
        if fmt.backend == "soundfile":
            return fmt, decode_soundfile(f, name, fmt, coding=coding, **kwargs)
        return fmt, decode_av(f, name, fmt, **kwargs)
    except (AudioError, ImportError, OSError, MemoryError):
        raise
    except Exception as exc:
        # the decoders' expected failures are reported where they occur; a
        # library failing in an unforeseen way still names the file
        library = "libsndfile" if fmt.backend == "soundfile" else "FFmpeg"
        raise AudioFileError(
            f"Cannot read {name!r} as {fmt.name} audio: {library} failed "
            f"({type(exc).__name__}: {exc})."
        ) from exc


def _read_file(path, *, sr, mono, dtype, channel=None, with_info=False):
    """Read one audio file.

    Returns a :class:`_Read`: the signal, its sample rate, the file's own
    rate, the notes about parts of the file that were skipped (unknown chunks,
    bytes after the data), so that callers running in worker processes can
    report them in the parent, and the file's :class:`AudioInfo` when
    ``with_info``. ``channel`` keeps one channel and takes precedence over
    ``mono``.
    """
    path = Path(path)
    name = str(path)
    _check_path(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by the with block below
    except OSError as exc:
        raise AudioFileError(f"Cannot open {name!r}: {exc.strerror or exc}.") from exc
    with f:
        try:
            fmt, (signal, details, notes) = _decode_file(
                f, name, dtype=dtype, mono=mono, channel=channel
            )
            info = None
            if with_info:
                size = os.fstat(f.fileno()).st_size
                info = AudioInfo(
                    path=name,
                    sha256=sha256_of(f),
                    size=size,
                    container=fmt.name,
                    **details,
                )
        except OSError as exc:
            raise AudioFileError(f"Cannot read {name!r}: {exc}") from exc
    file_sr = details["sr"]
    if sr is not None and sr != file_sr:
        # the one step that holds two copies: resample_poly's input and output
        g = math.gcd(int(sr), file_sr)
        signal = resample_poly(signal, int(sr) // g, file_sr // g, axis=-1)
        signal = signal.astype(dtype, copy=False)
    return _Read(signal, int(file_sr if sr is None else sr), file_sr, notes, info)


def _emit_notes(path, notes):
    for message in notes:
        warnings.warn(f"{path}: {message}", wavfile.WavFileWarning, stacklevel=4)


@validate_params(
    {
        "path": [str, os.PathLike],
        "sr": [Interval(Integral, 1, None, closed="left"), None],
        "mono": ["boolean"],
        "channel": [Interval(Integral, 0, None, closed="left"), None],
        "dtype": "no_validation",
        "return_info": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def read_audio(
    path, *, sr=None, mono=True, channel=None, dtype=np.float32, return_info=False
):
    """Read an audio file as floating-point samples.

    The format is recognised from the file's first bytes, whatever its name:

    - PCM and IEEE float WAV (8-bit unsigned, 16, 24, 32 bits and samples of
      5 to 8 bytes; 32 and 64-bit float; plain or ``WAVE_FORMAT_EXTENSIBLE``,
      ``RIFX`` and ``RF64``) are parsed by micfp itself. Integer samples are
      divided by the full scale of their container (128 around the centre 128
      for 8-bit, :math:`2^{15}` for 16-bit, :math:`2^{23}` for 24-bit,
      :math:`2^{31}` for 32-bit; samples of fewer bits than their container,
      such as 20 bits in 3 bytes, are left-justified), which maps them to
      [-1, 1); in float32, 32-bit samples within :math:`2^{-25}` of full
      scale round up to 1.0. Float samples are kept as stored. The header is
      checked before any sample is read, and every size it declares against
      the size of the file.
    - FLAC, OGG (Vorbis, Opus), MP3, AIFF, W64, CAF, AU and WAV files of
      other codings (mu-law, A-law, IMA and Microsoft ADPCM, GSM 6.10) are
      decoded by libsndfile through soundfile.
    - MP4, M4A and 3GP (AAC, ALAC), ADTS AAC, AMR-NB and AMR-WB, ASF (WMA),
      Matroska and WebM, AVI and other FFmpeg containers are decoded by
      FFmpeg through PyAV; the first audio track is read (a warning says when
      there are more).

    soundfile and PyAV are optional: install them with
    ``pip install 'micfp[formats]'``. The samples are returned as the decoder
    gives them, with no resampling, dithering or gain; libsndfile and FFmpeg
    scale integer samples by the same full scales as above.

    Reading holds one decoded copy of the samples and one block of about 32
    thousand samples, whatever the length of the file and its channels. The
    returned array is sized from the duration the file declares and never
    grows beyond twice that (or, for a file that declares none, 1024 samples a
    channel per byte of the file), so a header that lies cannot make the
    reader allocate without limit. Resampling is the exception:
    :func:`scipy.signal.resample_poly` holds its input and its output (in
    float64) at once.

    Parameters
    ----------
    path : str or path-like
        The audio file.
    sr : int, default=None
        Sample rate to return, in Hz. When it differs from the file's rate, the
        signal is resampled with :func:`scipy.signal.resample_poly` using the
        reduced ratio ``sr / file_rate``. None keeps the file's rate.
    mono : bool, default=True
        Average the channels into one. With False the result is always 2-D,
        one row per channel, even for a one-channel file.
    channel : int, default=None
        Channel to keep, counting from 0, as in :func:`load_recordings`: the
        result is 1-D and ``mono`` is ignored. None keeps or averages all.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Floating-point type of the returned samples.
    return_info : bool, default=False
        Also return the file's :class:`AudioInfo` (SHA-256, container, codec,
        sample rate, channels, bit depth or bitrate, duration).

    Returns
    -------
    signal : ndarray of shape (n_samples,) or (n_channels, n_samples)
        The samples, time on the last axis (librosa's convention).
    sr : int
        Sample rate of ``signal``, in Hz.
    info : AudioInfo
        Provenance of the file; only with ``return_info=True``.

    Raises
    ------
    AudioFileError
        If the path does not exist, is a folder or a broken link, or cannot be
        opened; or the file is empty, of no format micfp recognises (the
        message gives its first bytes and the formats micfp reads), or
        damaged: a WAV header that is cut short or contradicts itself (no
        ``fmt `` or ``data`` chunk, a chunk declaring more bytes than the file
        holds, 0 channels, a sample rate outside 1 Hz to 10 MHz, a block align
        or bits per sample that do not fit together), a file libsndfile or
        FFmpeg cannot decode, or a decoder giving more than twice the samples
        the file declares. Every message names the file and says what is
        wrong.
    AudioValueError
        If the file holds no samples, NaN or infinite samples, or fewer
        channels than ``channel``.
    ImportError
        If the file needs soundfile or PyAV and it is not installed; the
        message names the ``formats`` extra.

    Warns
    -----
    scipy.io.wavfile.WavFileWarning
        When parts of the file that hold no samples are skipped: a WAV chunk
        micfp does not use (metadata such as ``bext``; ``LIST``, ``fact`` and
        padding chunks pass silently), an incomplete last frame, bytes after
        the data chunk that do not form a chunk, audio tracks after the first;
        or when a decoder gives fewer samples than the file declares.

    See Also
    --------
    write_audio : Write a signal as a WAV file.
    load_recordings : Read a folder of audio files into :class:`Recordings`.

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
    ...     y, sr, info = read_audio(Path(tmp) / "tone.wav", sr=16000,
    ...                              return_info=True)
    >>> y.shape, y.dtype, sr
    ((16000,), dtype('float32'), 16000)
    >>> info.container, info.codec, info.sr, info.duration, len(info.sha256)
    ('WAV', 'PCM_16', 8000, 1.0, 64)
    """
    dtype = _check_float_dtype(dtype)
    read = _read_file(
        path, sr=sr, mono=mono, dtype=dtype, channel=channel, with_info=return_info
    )
    _emit_notes(path, read.notes)
    if return_info:
        return read.signal, read.sr, read.info
    return read.signal, read.sr


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
