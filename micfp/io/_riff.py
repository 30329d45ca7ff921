"""Parsing the RIFF/WAVE header and decoding PCM and float samples.

The header is walked chunk by chunk with reads of a few bytes, and every size
it declares is checked against the size of the file before anything is
allocated. The data chunk is then decoded a block of samples at a time
straight into the returned array, so that reading holds one decoded copy of
the samples plus one block of raw bytes.

References
----------
Microsoft, "Multimedia Programming Interface and Data Specifications 1.0"
(1991), RIFF and WAVE chunks; "WAVEFORMATEXTENSIBLE" (Windows driver
documentation); EBU Tech 3306, "RF64: An extended file format for audio" (2009).
"""

import struct
from dataclasses import dataclass, replace

import numpy as np

# Highest sample rate accepted, in Hz: far above any audio converter.
MAX_SAMPLE_RATE = 10_000_000

# Samples (over all channels) decoded at a time.
_BLOCK_SAMPLES = 1 << 15

# Chunks past which the walk stops looking for the data chunk.
_MAX_CHUNKS = 4096

_PCM, _IEEE_FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_FORMAT_NAMES = {
    0x0002: "Microsoft ADPCM",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MPEG layer 3",
}
# The subformat GUID of WAVE_FORMAT_EXTENSIBLE is the format tag followed by
# these 12 bytes (KSDATAFORMAT_SUBTYPE_*), as stored in a little-endian file.
_GUID_TAIL = b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
_GUID_TAIL_BIG = b"\x00\x00\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"
# Chunks skipped without a note (metadata micfp does not use, and padding).
_QUIET_CHUNKS = {b"fact", b"LIST", b"JUNK", b"junk", b"Fake", b"PAD "}


class WavFormatError(Exception):
    """The bytes are not a WAV file micfp can read; the message says why."""


class WavEncodingError(WavFormatError):
    """The samples are coded in a way micfp's parser does not decode (ADPCM, ...)."""


class WavTruncatedError(WavFormatError):
    """The file ends before the samples its header announces."""


@dataclass(frozen=True)
class WavLayout:
    """Where the samples of a WAV file are and how they are stored."""

    sr: int
    n_channels: int
    container: int  # bytes per sample
    kind: str  # "u" (1-byte unsigned PCM), "i" (signed PCM) or "f" (IEEE float)
    big_endian: bool
    data_offset: int
    n_frames: int
    notes: tuple

    @property
    def block_align(self):
        return self.n_channels * self.container


def _format_name(tag):
    name = _FORMAT_NAMES.get(tag)
    return f"{name} (format tag {tag:#06x})" if name else f"format tag {tag:#06x}"


def _parse_fmt(body, size, endian):
    """Return ``(sr, n_channels, container, kind)`` from a fmt chunk's bytes."""
    tag, n_channels, sr, _, block_align, bits = struct.unpack(
        endian + "HHIIHH", body[:16]
    )
    if tag == _EXTENSIBLE:
        if size < 40:
            raise WavFormatError(
                f"its WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is {size} bytes long; "
                "at least 40 expected"
            )
        (cb_size,) = struct.unpack(endian + "H", body[16:18])
        if cb_size < 22:
            raise WavFormatError(
                f"its WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk declares {cb_size} "
                "extension bytes; at least 22 expected"
            )
        guid = body[24:40]
        if guid[4:] != (_GUID_TAIL_BIG if endian == ">" else _GUID_TAIL):
            raise WavEncodingError(
                f"its WAVE_FORMAT_EXTENSIBLE subformat {guid.hex()} is not "
                "PCM or IEEE float"
            )
        (tag,) = struct.unpack(endian + "I", guid[:4])
    if tag not in (_PCM, _IEEE_FLOAT):
        raise WavEncodingError(f"its samples are {_format_name(tag)}")
    if n_channels == 0:
        raise WavFormatError("its 'fmt ' chunk declares 0 channels")
    if not 1 <= sr <= MAX_SAMPLE_RATE:
        raise WavFormatError(
            f"its sample rate is {sr} Hz; 1 to {MAX_SAMPLE_RATE} Hz expected"
        )
    if block_align == 0 or block_align % n_channels:
        raise WavFormatError(
            f"its block align of {block_align} bytes a frame is not a positive "
            f"multiple of its {n_channels} channel(s)"
        )
    container = block_align // n_channels
    if not 1 <= bits <= 8 * container:
        raise WavFormatError(
            f"its {bits} bits per sample do not fit the {container}-byte "
            f"samples its block align gives ({block_align} bytes for "
            f"{n_channels} channel(s))"
        )
    if tag == _IEEE_FLOAT:
        if (bits, container) not in ((32, 4), (64, 8)):
            raise WavFormatError(
                f"its float samples are {bits} bits in {container} bytes; "
                "32 bits in 4 or 64 bits in 8 expected"
            )
        return sr, n_channels, container, "f"
    if container > 8:
        raise WavFormatError(
            f"its PCM samples are {container} bytes wide; 1 to 8 expected"
        )
    return sr, n_channels, container, "u" if container == 1 else "i"


def _riff_header(f, file_size):
    """Return ``(endian, is_rf64, riff_end)`` from the first 12 bytes."""
    if file_size == 0:
        raise WavFormatError("the file is empty (0 bytes)")
    head = f.read(12)
    magic = head[:4]
    if magic not in (b"RIFF", b"RIFX", b"RF64"):
        raise WavFormatError(
            f"it starts with {magic!r}, not b'RIFF', b'RIFX' or b'RF64'"
        )
    if len(head) < 12:
        raise WavTruncatedError(
            f"it is truncated: the file is {file_size} bytes long, shorter than "
            "the 12-byte RIFF header"
        )
    if head[8:12] != b"WAVE":
        raise WavFormatError(f"its RIFF form type is {head[8:12]!r}, not b'WAVE'")
    endian = ">" if magic == b"RIFX" else "<"
    (riff_size,) = struct.unpack(endian + "I", head[4:8])
    return endian, magic == b"RF64", 8 + riff_size


class _ChunkWalk:
    """State of the walk over the chunks of one WAV file.

    :meth:`run` reads one chunk header at a time and hands the chunk to the
    handler for its name; the handlers check the sizes the chunk declares and
    record what the file holds (its format, where its samples are) or a note
    about what was skipped.
    """

    def __init__(self, f, file_size):
        self.f = f
        self.file_size = file_size
        self.endian, self.is_rf64, self.riff_end = _riff_header(f, file_size)
        self.rf64_data_size = None
        self.fmt = None
        self.layout = None
        self.notes = []
        self.pos = 12

    def run(self):
        """Walk the chunks and return the :class:`WavLayout` with its notes."""
        for _ in range(_MAX_CHUNKS):
            if self._finished():
                return replace(self.layout, notes=tuple(self.notes))
            header = self._chunk_header()
            if header is None:
                return replace(self.layout, notes=tuple(self.notes))
            chunk_id, size = header
            if not self._handle(chunk_id, size):
                return replace(self.layout, notes=tuple(self.notes))
            # chunks of an odd size are followed by a pad byte
            self.pos += 8 + size + (size & 1)
        if not self._finished():
            if self.layout is None:
                raise WavFormatError(
                    f"no 'data' chunk among its first {_MAX_CHUNKS} chunks"
                )
            self.notes.append(f"Chunks after the first {_MAX_CHUNKS} ignored.")
        return replace(self.layout, notes=tuple(self.notes))

    def _finished(self):
        """Whether the walk is over: the samples are found and no chunk follows."""
        if self.layout is None:
            if self.pos >= self.file_size:
                missing = "no 'fmt ' chunk and " if self.fmt is None else ""
                raise WavFormatError(f"it has {missing}no 'data' chunk")
            return False
        # the samples are found: stop at the end of the RIFF form
        left = min(self.file_size, self.riff_end) - self.pos
        if left >= 8:
            return False
        if self.riff_end > self.file_size:
            self.notes.append(
                f"The RIFF header declares {self.riff_end} bytes but the file "
                f"holds {self.file_size}; the data chunk is complete."
            )
        elif left > 0:
            self.notes.append(f"{left} byte(s) after the last chunk ignored.")
        return True

    def _stop_or_raise(self, note, error):
        """Note ``note`` and stop once the samples are found; raise ``error`` before."""
        if self.layout is None:
            raise error
        self.notes.append(note)

    def _chunk_header(self):
        """Return ``(chunk_id, size)`` of the chunk at ``pos``, or None to stop."""
        pos = self.pos
        self.f.seek(pos)
        header = self.f.read(8)
        if len(header) < 8:
            self._stop_or_raise(
                f"Incomplete chunk header at byte {pos} ignored.",
                WavTruncatedError(
                    "it is truncated: the file ends inside the chunk header at "
                    f"byte {pos} ({len(header)} of 8 bytes present)"
                ),
            )
            return None
        chunk_id = header[:4]
        if not all(0x20 <= c < 0x7F for c in chunk_id):
            cause = (
                "the size of the chunk before them is wrong"
                if pos > 12
                else "no chunk follows the RIFF header"
            )
            self._stop_or_raise(
                f"The {min(self.file_size, self.riff_end) - pos} byte(s) from "
                f"byte {pos} do not start with a chunk name ({chunk_id!r}); they "
                "were ignored.",
                WavFormatError(
                    f"the bytes at byte {pos} do not start a chunk ({chunk_id!r} "
                    f"is not a chunk name): {cause}"
                ),
            )
            return None
        (size,) = struct.unpack(self.endian + "I", header[4:])
        if chunk_id == b"data" and self.is_rf64 and size == 0xFFFFFFFF:
            if self.rf64_data_size is None:
                raise WavFormatError(
                    "it is an RF64 file without a 'ds64' chunk giving the size "
                    "of its data chunk"
                )
            size = self.rf64_data_size
        return chunk_id, size

    def _handle(self, chunk_id, size):
        """Hand the chunk to its handler; return False to stop the walk."""
        available = self.file_size - self.pos - 8
        if chunk_id == b"data" and self.layout is None:
            self._on_data(size, available)
        elif size > available:
            self._stop_or_raise(
                f"Chunk {chunk_id!r} at byte {self.pos} declares {size} bytes but "
                f"only {available} follow; it was ignored.",
                WavTruncatedError(
                    f"it is truncated, or its header is wrong: its chunk "
                    f"{chunk_id!r} at byte {self.pos} declares {size} bytes but "
                    f"only {available} follow its header"
                ),
            )
            return False
        elif chunk_id == b"fmt ":
            self._on_fmt(size)
        elif chunk_id == b"ds64" and self.is_rf64 and self.pos == 12:
            self._on_ds64(size)
        elif chunk_id not in _QUIET_CHUNKS:
            self.notes.append(
                f"Chunk {chunk_id!r} (non-data) not understood, skipping it."
            )
        return True

    def _on_data(self, size, available):
        if self.fmt is None:
            raise WavFormatError("its 'data' chunk comes before its 'fmt ' chunk")
        if size > available:
            raise WavTruncatedError(
                f"it is truncated, or its header is wrong: its data chunk "
                f"declares {size} bytes but only {available} follow its header"
            )
        sr, n_channels, container, kind = self.fmt
        block_align = n_channels * container
        n_frames, partial = divmod(size, block_align)
        if partial:
            self.notes.append(
                f"The data chunk ends with {partial} byte(s) of an incomplete "
                f"{block_align}-byte frame; they were ignored."
            )
        self.layout = WavLayout(
            sr,
            n_channels,
            container,
            kind,
            self.endian == ">",
            self.pos + 8,
            n_frames,
            (),
        )

    def _on_fmt(self, size):
        if self.fmt is not None:
            self.notes.append(f"Second 'fmt ' chunk at byte {self.pos} ignored.")
        elif size < 16:
            raise WavFormatError(
                f"its 'fmt ' chunk is {size} bytes long; at least 16 expected"
            )
        else:
            self.fmt = _parse_fmt(self.f.read(min(size, 40)), size, self.endian)

    def _on_ds64(self, size):
        if size < 24:
            raise WavFormatError(
                f"its RF64 'ds64' chunk is {size} bytes long; at least 24 expected"
            )
        riff_size, self.rf64_data_size = struct.unpack("<QQ", self.f.read(16))
        self.riff_end = 8 + riff_size


def parse_wav(f, file_size):
    """Walk the chunks of the open file ``f`` and return its :class:`WavLayout`.

    Raises :class:`WavFormatError` (or :class:`WavTruncatedError`) with a
    message that says what is wrong; reads at most a few dozen bytes a chunk.
    Problems after a complete data chunk are returned as notes instead.
    """
    return _ChunkWalk(f, file_size).run()


def _raw_dtype(layout):
    """NumPy dtype of one stored sample, widened for 3, 5, 6 and 7 bytes."""
    order = ">" if layout.big_endian else "<"
    if layout.kind == "u":
        return np.dtype(np.uint8)
    if layout.kind == "f":
        return np.dtype(f"{order}f{layout.container}")
    width = 2 if layout.container == 2 else 4 if layout.container <= 4 else 8
    return np.dtype(f"{order}i{width}")


def _offset_and_scale(layout, raw_dtype):
    """Return ``(offset, scale)``: ``(stored - offset) * scale`` lies in [-1, 1)."""
    if layout.kind == "f":
        return 0, 1.0
    if layout.kind == "u":
        return 128, 2.0**-7
    # odd widths are left-justified in the wider integer: its full scale applies
    return 0, 2.0 ** (1 - 8 * raw_dtype.itemsize)


class _BlockReader:
    """Read the data chunk a block of frames at a time into reused buffers."""

    def __init__(self, f, layout):
        self.f = f
        self.layout = layout
        self.dtype = _raw_dtype(layout)
        n_channels = layout.n_channels
        self.block_frames = max(1, min(_BLOCK_SAMPLES // n_channels, layout.n_frames))
        self.raw = np.empty(self.block_frames * layout.block_align, np.uint8)
        self.wide = None
        if self.dtype.itemsize != layout.container:
            # zero-filled once: only the bytes of the stored sample are rewritten
            self.wide = np.zeros(
                (self.block_frames * n_channels, self.dtype.itemsize), np.uint8
            )
        f.seek(layout.data_offset)

    def read(self, n_frames):
        """Return the next ``n_frames`` frames as an (n_frames, n_channels) view."""
        layout = self.layout
        n_bytes = n_frames * layout.block_align
        view = memoryview(self.raw)[:n_bytes]
        filled = 0
        while filled < n_bytes:
            got = self.f.readinto(view[filled:])
            if not got:
                raise WavTruncatedError(
                    "it is truncated: the file ended inside its data chunk while "
                    "it was read (it changed after its header was read)"
                )
            filled += got
        raw = self.raw[:n_bytes]
        if self.wide is None:
            samples = raw.view(self.dtype)
        else:
            n = n_frames * layout.n_channels
            k = layout.container
            cells = self.wide[:n]
            if layout.big_endian:
                cells[:, :k] = raw.reshape(n, k)
            else:
                cells[:, -k:] = raw.reshape(n, k)
            samples = cells.view(self.dtype)
        return samples.reshape(n_frames, layout.n_channels)


def _convert_block(samples, target, *, offset, scale, averaged, channel):
    """Write ``(samples - offset) * scale`` into ``target``, averaging channels."""
    dtype = target.dtype
    if averaged:
        n_channels = samples.shape[1]
        np.sum(samples, axis=1, dtype=dtype, out=target)
        if offset:
            target -= offset * n_channels
        if scale != 1.0:
            target *= scale
        target /= n_channels
        return
    source = samples.T if target.ndim == 2 else samples[:, channel]
    if offset:
        np.subtract(source, offset, out=target, dtype=dtype, casting="unsafe")
        target *= scale
    else:
        np.multiply(source, scale, out=target, dtype=dtype, casting="unsafe")


def decode(f, layout, *, dtype, channel=None, mono=True):
    """Decode the samples of ``f`` into a new array of floats.

    Returns ``(signal, n_non_finite, n_overflow)``. ``signal`` has shape
    ``(n_frames,)`` when ``channel`` is given or ``mono`` is true (channels
    averaged), else ``(n_channels, n_frames)``. For a float file,
    ``n_non_finite`` counts its NaN and infinite samples over all channels and
    ``n_overflow`` the values of ``signal`` that are not finite although the
    samples they come from are (float64 samples beyond the float32 range);
    both are 0 for PCM.
    """
    n_channels, n_frames = layout.n_channels, layout.n_frames
    reader = _BlockReader(f, layout)
    offset, scale = _offset_and_scale(layout, reader.dtype)
    averaged = channel is None and mono and n_channels > 1
    if channel is None and not mono:
        out = np.empty((n_channels, n_frames), dtype)
    else:
        out = np.empty(n_frames, dtype)
    is_float = layout.kind == "f"
    n_bad = n_out_bad = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, n_frames, reader.block_frames):
            stop = min(start + reader.block_frames, n_frames)
            samples = reader.read(stop - start)
            target = out[:, start:stop] if out.ndim == 2 else out[start:stop]
            _convert_block(
                samples,
                target,
                offset=offset,
                scale=scale,
                averaged=averaged,
                channel=channel or 0,
            )
            if is_float:
                n_bad += samples.size - int(np.count_nonzero(np.isfinite(samples)))
                n_out_bad += target.size - int(np.count_nonzero(np.isfinite(target)))
    return out, n_bad, (n_out_bad if not n_bad else 0)
