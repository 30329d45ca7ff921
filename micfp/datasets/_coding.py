"""Lossy coding conditions: recordings passed through real audio encoders."""

import io
import math
import os
import tempfile
from numbers import Integral

import numpy as np
from scipy.signal import correlate, correlation_lags, resample_poly
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import AudioValueError
from ..io import Recordings, read_audio

# codec -> (FFmpeg encoder, container, file suffix, sample rates the encoder
# takes (None: any), default bit rate in bit/s)
CODECS = {
    "aac": ("aac", "ipod", ".m4a", None, 64_000),
    "mp3": (
        "libmp3lame",
        "mp3",
        ".mp3",
        (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
        64_000,
    ),
    "amr_nb": ("libopencore_amrnb", "amr", ".amr", (8000,), 12_200),
    "opus": ("libopus", "ogg", ".opus", (8000, 12000, 16000, 24000, 48000), 24_000),
}
_INSTALL = "pip install 'micfp[formats]'"


def _import_av():
    try:
        import av
    except ImportError as exc:
        raise ImportError(
            "Coding conditions need the optional package av (PyAV): install "
            f"micfp's 'formats' extra with {_INSTALL}."
        ) from exc
    return av


def _coding_rate(sr, rates):
    """Return ``sr`` if the encoder takes it, else its next higher or highest rate."""
    if rates is None or sr in rates:
        return sr
    above = [r for r in rates if r >= sr]
    return min(above) if above else max(rates)


def _resample(signal, sr_from, sr_to):
    if sr_from == sr_to:
        return signal
    g = math.gcd(sr_from, sr_to)
    return resample_poly(signal, sr_to // g, sr_from // g)


@validate_params(
    {
        "signal": ["array-like"],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "codec": [StrOptions(set(CODECS))],
        "bitrate": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def encode_audio(signal, sr, codec, *, bitrate=None):
    """Encode a mono signal with a real lossy encoder and return the file's bytes.

    The encoders are FFmpeg's, through PyAV (micfp's optional ``formats``
    extra): AAC-LC in an M4A file ("aac"), MP3 by LAME ("mp3"), AMR-NB by
    OpenCORE ("amr_nb", 8 kHz only) and Opus by libopus in an Ogg file
    ("opus"). A signal at a rate the encoder does not take is first resampled
    with :func:`scipy.signal.resample_poly` to the encoder's nearest higher
    rate (its highest if none is higher): AMR-NB codes 8 kHz, Opus 8, 12, 16,
    24 or 48 kHz.

    Parameters
    ----------
    signal : array-like of shape (n_samples,)
        Samples in [-1, 1].
    sr : int
        Sample rate of ``signal``, in Hz.
    codec : {"aac", "mp3", "amr_nb", "opus"}
        The encoder.
    bitrate : int, default=None
        Target bit rate in bit/s; None uses 64000 for AAC and MP3, 12200 for
        AMR-NB and 24000 for Opus. AMR-NB takes one of its eight modes (4750
        to 12200) and rounds others to a mode.

    Returns
    -------
    data : bytes
        The encoded file, readable by :func:`micfp.io.read_audio`.
    suffix : str
        The file name suffix of its format (".m4a", ".mp3", ".amr", ".opus").

    Raises
    ------
    AudioValueError
        If ``signal`` is not 1-D, is empty or holds NaN or infinite values.
    ImportError
        If PyAV is not installed.

    See Also
    --------
    apply_coding : Pass every recording through an encoder and back.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.datasets import encode_audio
    >>> t = np.arange(8000) / 8000
    >>> data, suffix = encode_audio(0.3 * np.sin(2 * np.pi * 440 * t), 8000, "amr_nb")
    >>> suffix, data[:5]
    ('.amr', b'#!AMR')
    """
    av = _import_av()
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise AudioValueError(
            f"signal must be a non-empty 1-D array of samples; got shape {x.shape}."
        )
    if not np.isfinite(x).all():
        raise AudioValueError("signal holds NaN or infinite values.")
    encoder, container, suffix, rates, default_rate = CODECS[codec]
    rate = _coding_rate(int(sr), rates)
    x = np.clip(_resample(x, int(sr), rate), -1.0, 1.0).astype(np.float32)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(encoder, rate=rate, layout="mono")
        stream.bit_rate = int(bitrate or default_rate)
        frame = av.AudioFrame.from_ndarray(x[None, :], format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue(), suffix


def _code_one(signal, sr, codec, bitrate, folder):
    data, suffix = encode_audio(signal, sr, codec, bitrate=bitrate)
    path = os.path.join(folder, "coded" + suffix)
    with open(path, "wb") as f:
        f.write(data)
    decoded, _ = read_audio(path, sr=sr, dtype=np.float64)
    lag = _delay(np.asarray(signal, dtype=np.float64), decoded, sr)
    decoded = decoded[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag), decoded])
    n = len(signal)
    out = np.zeros(n, dtype=np.asarray(signal).dtype)
    m = min(n, len(decoded))
    out[:m] = decoded[:m]
    return out


def _delay(original, decoded, sr):
    """Return the samples by which ``decoded`` lags ``original`` (within 100 ms)."""
    max_lag = sr // 10
    xcorr = correlate(decoded, original, mode="full", method="fft")
    lags = correlation_lags(len(decoded), len(original), mode="full")
    window = np.abs(lags) <= max_lag
    if not np.any(xcorr[window] > 0):
        return 0
    return int(lags[window][np.argmax(xcorr[window])])


@validate_params(
    {
        "recordings": [Recordings],
        "codec": [StrOptions(set(CODECS))],
        "bitrate": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def apply_coding(recordings, codec, *, bitrate=None):
    """Pass every recording through a real lossy encoder and decode it back.

    Each signal is encoded with :func:`encode_audio`, written to a temporary
    file and read back with :func:`micfp.io.read_audio` (FFmpeg's decoder,
    through PyAV, or libsndfile for MP3 and Opus), resampled back to the
    recordings' rate if the encoder needed another, shifted to undo the
    codec's delay (the lag, within 100 ms, that maximises the
    cross-correlation with the original: AMR-NB and Opus decoders do not
    remove all of it) and cut or zero-padded to its original length. Lossy coding
    thus becomes a condition of any experiment on simulated or loaded
    recordings: train on PCM, test on AMR-NB, say.

    Parameters
    ----------
    recordings : Recordings
        The recordings to code, for example from
        :func:`micfp.datasets.make_recordings`.
    codec : {"aac", "mp3", "amr_nb", "opus"}
        The encoder (see :func:`encode_audio`).
    bitrate : int, default=None
        Target bit rate in bit/s; None uses the codec's default (see
        :func:`encode_audio`).

    Returns
    -------
    Recordings
        New recordings with the coded signals, in the dtype of the originals,
        and the same sample rate, devices, ids, names and paths; provenance
        and skipped files are not carried over.

    Raises
    ------
    ImportError
        If PyAV is not installed; the message names micfp's ``formats`` extra.

    See Also
    --------
    encode_audio : Encode one signal.
    make_recordings : With ``coding=True``, a simulated codec instead of a
        real one, drawn per device.

    Examples
    --------
    >>> from micfp.datasets import apply_coding, make_recordings
    >>> rec = make_recordings(n_devices=2, n_recordings=1, duration=1,
    ...                       sr=16000, random_state=0)
    >>> coded = apply_coding(rec, "amr_nb", bitrate=7950)
    >>> coded.sr, [len(s) for s in coded.signals] == [len(s) for s in rec.signals]
    (16000, True)
    """
    _import_av()
    with tempfile.TemporaryDirectory() as folder:
        signals = [
            _code_one(s, recordings.sr, codec, bitrate, folder)
            for s in recordings.signals
        ]
    return Recordings(
        signals=signals,
        sr=recordings.sr,
        devices=recordings.devices,
        recording_ids=recordings.recording_ids,
        paths=recordings.paths,
        names=recordings.names,
    )
