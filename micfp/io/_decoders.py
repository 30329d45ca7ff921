"""Decoding audio files with soundfile (libsndfile) and PyAV (FFmpeg).

Both decoders fill the returned array a block of frames at a time, so that
reading holds one decoded copy of the samples plus one block. The array is
sized from the duration the file declares and never grows past twice that
(or, when nothing is declared, past a bound from the file's size), so a file
whose header lies cannot make micfp allocate without limit. Every sample is
kept as the decoder gives it: no resampling, dithering or gain.
"""

import hashlib
import os
import warnings
from numbers import Integral

import numpy as np

from ..exceptions import AudioError, AudioFileError, AudioValueError
from ._formats import import_backend

_BLOCK_FRAMES = 1 << 15
# decoded samples per channel allowed for each byte of a file that declares
# no duration: far above any codec's ratio (AMR-NB at 4.75 kbit/s and 8 kHz
# gives 14, Opus at 6 kbit/s and 48 kHz gives 64)
_FRAMES_PER_BYTE = 1024
# samples per channel first allocated for each byte of the file, at most: a
# header declaring more is believed only as the samples arrive (lossless
# codecs give about 1 a byte, MP3 at 128 kbit/s 3, Opus at 24 kbit/s 16)
_FIRST_FRAMES_PER_BYTE = 32
# soundfile subtypes libsndfile decodes from integers (finite by construction)
_INTEGER_SUBTYPES = {
    "PCM_S8",
    "PCM_U8",
    "PCM_16",
    "PCM_24",
    "PCM_32",
    "ULAW",
    "ALAW",
    "IMA_ADPCM",
    "MS_ADPCM",
    "GSM610",
    "G721_32",
    "ALAC_16",
    "ALAC_20",
    "ALAC_24",
    "ALAC_32",
    "DWVW_12",
    "DWVW_16",
    "DWVW_24",
}
# soundfile subtype -> bits of a stored sample
_SUBTYPE_BITS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
    "ALAC_16": 16,
    "ALAC_20": 20,
    "ALAC_24": 24,
    "ALAC_32": 32,
}


def sha256_of(f):
    """Return the SHA-256 hex digest of the open binary file ``f``."""
    digest = hashlib.sha256()
    f.seek(0)
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def check_channel(name, n_channels, channel):
    """Raise unless ``channel`` is None or a channel of the file."""
    if channel is not None and channel >= n_channels:
        raise AudioValueError(
            f"Audio file {name!r} has {n_channels} channel(s); channel={channel} "
            "does not exist (channels count from 0)."
        )


class _Sink:
    """The returned array, filled a block of frames at a time.

    Blocks are ``(n_frames, n_channels)`` arrays; each is averaged, reduced
    to one channel or stored whole, as asked. ``declared`` is the number of
    frames the file declares (None when unknown); ``channel`` must be one of
    the file's channels, or None.
    """

    def __init__(self, name, n_channels, declared, file_size, dtype, *, mono, channel):
        check_channel(name, n_channels, channel)
        self.name = name
        self.limit = _limit(declared, file_size)
        self.declared = declared
        self.keep_all = channel is None and not mono
        self.channel = channel
        self.n = 0
        self.n_bad = 0
        believable = _FIRST_FRAMES_PER_BYTE * file_size + _BLOCK_FRAMES
        capacity = max(1, min(declared or _BLOCK_FRAMES, self.limit, believable))
        shape = (capacity, n_channels) if self.keep_all else (capacity,)
        self.out = np.empty(shape, dtype)

    def overflow(self):
        bound = (
            f"twice the {self.declared} the file declares"
            if self.declared
            else f"{_FRAMES_PER_BYTE} for each byte of the file"
        )
        return AudioFileError(
            f"Cannot read {self.name!r}: the decoder gives more than "
            f"{self.limit} samples a channel, {bound}; its header is wrong "
            "or the file is damaged."
        )

    def _grow(self, n_frames):
        if n_frames > self.limit:
            raise self.overflow()
        if n_frames > len(self.out):
            grown = min(self.limit, max(n_frames, 2 * len(self.out)))
            self.out.resize((grown, *self.out.shape[1:]), refcheck=False)

    def add(self, block):
        """Store a block of frames: whole, one channel, or their average."""
        k = len(block)
        self._grow(self.n + k)
        target = self.out[self.n : self.n + k]
        if self.keep_all:
            target[...] = block
        elif self.channel is not None:
            target[...] = block[:, self.channel]
        else:
            np.mean(block, axis=1, out=target)
        self.n += k

    def result(self, *, integer):
        """Return the samples, time on the last axis.

        Samples decoded from integers (``integer``) are finite by
        construction; others are checked.
        """
        if self.n == 0 and self.declared:
            raise AudioFileError(
                f"Cannot read {self.name!r}: it declares {self.declared} samples a "
                "channel but the decoder gives none; its header is wrong or the "
                "file is damaged."
            )
        if self.n == 0:
            raise AudioValueError(f"Audio file {self.name!r} holds no samples.")
        self.out.resize((self.n, *self.out.shape[1:]), refcheck=False)
        n_bad = 0
        if not integer:
            # a block at a time: a mask of the whole array would be a quarter
            # of its size again
            for start in range(0, self.n, _BLOCK_FRAMES):
                part = self.out[start : start + _BLOCK_FRAMES]
                n_bad += part.size - int(np.count_nonzero(np.isfinite(part)))
        if n_bad:
            raise AudioValueError(
                f"Audio file {self.name!r} holds {n_bad} NaN or infinite "
                "sample(s); samples must be finite."
            )
        return self.out.T if self.keep_all else self.out


def _limit(declared, file_size):
    if declared:
        return 2 * declared
    return max(1, file_size) * _FRAMES_PER_BYTE


def _average_bitrate(file_size, n_frames, sr):
    return round(8 * file_size * sr / n_frames)


def decode_soundfile(f, name, fmt, *, file_size, dtype, mono, channel, coding=None):
    """Decode ``f`` with soundfile; return ``(signal, details, notes)``.

    ``coding`` describes the samples when micfp's parser found them (a WAV
    file of ADPCM samples, say), for the message if libsndfile fails.
    """
    sf = import_backend("soundfile", f"{fmt.name} files")
    try:
        snd = sf.SoundFile(name)
        if snd.seekable():
            # as soundfile.read does: libsndfile 1.2 drops the pre-skip
            # samples of Ogg Opus only once it has seeked to the start
            snd.seek(0)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        found = f"{coding}, which" if coding else "it"
        raise AudioFileError(
            f"Cannot read {name!r} as {fmt.name} audio: {found} libsndfile cannot "
            f"decode ({_reason(exc)})."
        ) from None
    with snd:
        n_channels = snd.channels
        declared = snd.frames if 0 < snd.frames < 2**62 else None
        sink = _Sink(
            name, n_channels, declared, file_size, dtype, mono=mono, channel=channel
        )
        try:
            if sink.keep_all:
                _read_in_place(snd, sink, dtype)
            else:
                _read_blocks(snd, sink, dtype)
        except AudioError:
            raise
        except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
            raise AudioFileError(
                f"Cannot read {name!r}: libsndfile failed after "
                f"{sink.n} samples: {_reason(exc)}."
            ) from None
        subtype = snd.subtype
        signal = sink.result(integer=subtype in _INTEGER_SUBTYPES)
        details = {
            "codec": subtype,
            "sr": snd.samplerate,
            "n_channels": n_channels,
            "n_frames": sink.n,
            "bit_depth": _SUBTYPE_BITS.get(subtype),
            "bitrate": _average_bitrate(file_size, sink.n, snd.samplerate),
            "decoder": (
                f"soundfile {sf.__version__} (libsndfile {sf.__libsndfile_version__})"
            ),
        }
    notes = []
    if declared is not None and sink.n < declared:
        notes.append(
            f"The file declares {declared} samples a channel but only {sink.n} "
            "could be decoded; it may be truncated."
        )
    return signal, details, notes


def _read_in_place(snd, sink, dtype):
    """Decode straight into the returned array (all channels kept)."""
    while True:
        room = sink.out[sink.n :]
        if len(room):
            got = len(snd.read(len(room), dtype=dtype.name, out=room))
            sink.n += got
            if got < len(room):
                return
            continue
        # full: grow only if the decoder has more than the header declared
        extra = snd.read(_BLOCK_FRAMES, dtype=dtype.name, always_2d=True)
        if len(extra) == 0:
            return
        sink.add(extra)


def _read_blocks(snd, sink, dtype):
    """Decode a block at a time, then average or keep one channel."""
    buffer = np.empty((min(_BLOCK_FRAMES, sink.limit), snd.channels), dtype)
    while True:
        block = snd.read(len(buffer), dtype=dtype.name, out=buffer)
        if len(block) == 0:
            return
        sink.add(block)


def _reason(exc):
    """Return the decoder's message, without the file object it names."""
    text = (
        getattr(exc, "error_string", None) or getattr(exc, "strerror", None) or str(exc)
    )
    text = text.strip().rstrip(".") or type(exc).__name__
    return text[:300]


def _frame_block(frame, dtype):
    """Return an AudioFrame's samples as an ``(n_frames, n_channels)`` float array."""
    array = frame.to_ndarray()
    n_channels = frame.layout.nb_channels
    array = array.T if frame.format.is_planar else array.reshape(-1, n_channels)
    kind = array.dtype.kind
    if kind == "f":
        return array.astype(dtype, copy=False)
    bits = 8 * array.dtype.itemsize
    block = array.astype(dtype)
    if kind == "u":
        block -= 2 ** (bits - 1)
    block *= 2.0 ** (1 - bits)
    return block


def _open_container(av, name, fmt):
    try:
        # FFmpeg's file protocol, so that no name reads as another protocol
        container = av.open("file:" + os.path.abspath(name), mode="r")
    except (av.FFmpegError, ValueError, TypeError, EOFError, OSError) as exc:
        raise AudioFileError(
            f"Cannot read {name!r} as {fmt.name} audio: FFmpeg cannot open it "
            f"({_reason(exc)})."
        ) from None
    streams = container.streams.audio
    if not streams:
        container.close()
        raise AudioFileError(
            f"Cannot read {name!r} as {fmt.name} audio: it holds no audio track."
        )
    return container


def _declared_frames(container, stream, sr):
    if stream.duration and stream.time_base:
        return int(stream.duration * stream.time_base * sr)
    if container.duration:
        return int(container.duration * sr / 1_000_000)
    return None


def decode_av(f, name, fmt, *, file_size, dtype, mono, channel):
    """Decode the first audio track of ``f`` with PyAV; as :func:`decode_soundfile`."""
    av = import_backend("av", f"{fmt.name} files")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        container = _open_container(av, name, fmt)
    with container:
        streams = container.streams.audio
        stream = streams[0]
        ctx = stream.codec_context
        if ctx is None:
            raise AudioFileError(
                f"Cannot read {name!r} as {fmt.name} audio: FFmpeg has no "
                "decoder for its audio track (damaged, or an unknown codec)."
            )
        sr, n_channels = ctx.sample_rate, ctx.channels
        if not isinstance(sr, Integral) or sr <= 0 or n_channels <= 0:
            raise AudioFileError(
                f"Cannot read {name!r}: its audio track declares {sr} Hz and "
                f"{n_channels} channel(s)."
            )
        declared = _declared_frames(container, stream, sr)
        sink = _Sink(
            name, n_channels, declared, file_size, dtype, mono=mono, channel=channel
        )
        frame_bits = None
        frame_kind = "f"
        try:
            for frame in container.decode(stream):
                if frame.sample_rate != sr or frame.layout.nb_channels != n_channels:
                    raise AudioFileError(
                        f"Cannot read {name!r}: its audio changes from {sr} Hz and "
                        f"{n_channels} channel(s) to {frame.sample_rate} Hz and "
                        f"{frame.layout.nb_channels} after {sink.n} samples."
                    )
                block = _frame_block(frame, dtype)
                sink.add(block)
                frame_bits = frame.format.bits
                frame_kind = frame.format.name[0]
        except AudioError:
            raise
        except (av.FFmpegError, ValueError, TypeError, EOFError, OSError) as exc:
            raise AudioFileError(
                f"Cannot read {name!r}: FFmpeg failed after {sink.n} samples: "
                f"{_reason(exc)}."
            ) from None
        signal = sink.result(integer=frame_kind in "su")
        bitrate = stream.bit_rate or ctx.bit_rate or container.bit_rate
        details = {
            "codec": ctx.name,
            "sr": sr,
            "n_channels": n_channels,
            "n_frames": sink.n,
            "bit_depth": _av_bits(ctx, frame_bits),
            "bitrate": int(bitrate or _average_bitrate(file_size, sink.n, sr)),
            "decoder": (
                f"PyAV {av.__version__} (libavcodec "
                f"{'.'.join(map(str, av.library_versions['libavcodec']))})"
            ),
        }
    notes = []
    if len(streams) > 1:
        notes.append(f"It holds {len(streams)} audio tracks; the first was read.")
    return signal, details, notes


def _av_bits(ctx, frame_bits):
    """Bits of a stored sample for lossless codecs; None for lossy ones."""
    return frame_bits if ctx.codec.lossless and not ctx.codec.lossy else None
