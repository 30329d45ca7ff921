"""Damaged and hostile files given to read_audio and load_recordings.

Every file either reads as a valid signal or raises an AudioFileError that
names it and says what is wrong (an AudioValueError for the documented
sample-level problems); no file is modified, and no size a header declares is
allocated before it is checked against the file.
"""

import hashlib
import os
import re
import struct
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from micfp.exceptions import AudioFileError, AudioValueError, DegradedResultWarning
from micfp.io import load_recordings, read_audio

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
PEAK_LIMIT = 10 * 2**20

# --------------------------------------------------------------------------
# Files built byte by byte


def _chunk(chunk_id, body, endian="<"):
    pad = b"\x00" if len(body) % 2 else b""
    return chunk_id + struct.pack(endian + "I", len(body)) + body + pad


def _fmt_body(tag=1, channels=1, sr=8000, block_align=2, bits=16, byte_rate=None):
    if byte_rate is None:
        byte_rate = (sr * block_align) & 0xFFFFFFFF
    return struct.pack("<HHIIHH", tag, channels, sr, byte_rate, block_align, bits)


def _extensible_body(sub_tag=1, channels=2, block_align=6, bits=24, guid_tail=None):
    tail = guid_tail or b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    body = _fmt_body(0xFFFE, channels, 8000, block_align, bits)
    return body + struct.pack("<HHI", 22, bits, 0) + struct.pack("<I", sub_tag) + tail


def _wav(chunks, magic=b"RIFF"):
    body = b"WAVE" + b"".join(chunks)
    return magic + struct.pack("<I", len(body)) + body


SAMPLES = (np.arange(100, dtype=np.int16) - 50) * 300


def _canonical():
    """16-bit mono, 100 samples: the 44-byte header every edit below starts from."""
    return _wav([_chunk(b"fmt ", _fmt_body()), _chunk(b"data", SAMPLES.tobytes())])


def _patched(offset, fmt, value, content=None):
    content = bytearray(_canonical() if content is None else content)
    content[offset : offset + struct.calcsize(fmt)] = struct.pack(fmt, value)
    return bytes(content)


def _with_fmt(**fields):
    return _wav([_chunk(b"fmt ", _fmt_body(**fields)), _chunk(b"data", bytes(200))])


def _rf64(data_size):
    ds64 = struct.pack("<QQQI", 1000, data_size, 0, 0)
    body = b"WAVE" + _chunk(b"ds64", ds64) + _chunk(b"fmt ", _fmt_body())
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + bytes(200)
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body


# Offsets in the canonical file
RIFF_SIZE, FMT_SIZE, TAG, CHANNELS, RATE, BLOCK_ALIGN, BITS, DATA_SIZE = (
    4,
    16,
    20,
    22,
    24,
    32,
    34,
    40,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(50)

HOSTILE = {
    # not WAV at all
    "empty": (lambda: b"", r"the file is empty \(0 bytes\)"),
    "text": (
        lambda: b"hello, this is text\n" * 5,
        r"it starts with b'hello, this is t', the start of no audio format",
    ),
    "png": (lambda: PNG, r"it starts with b'\\x89PNG\\r"),
    "random": (
        lambda: b"\x00" + np.random.default_rng(0).bytes(999),
        r"it starts with b'\\x00",
    ),
    "riff_not_wave": (
        lambda: _canonical().replace(b"WAVE", b"WAVX", 1),
        r"its RIFF form type is b'WAVX', not b'WAVE'",
    ),
    "riff_avi_without_streams": (
        lambda: _canonical().replace(b"WAVE", b"AVI ", 1),
        r"as AVI audio: FFmpeg cannot open it",
    ),
    # cut short
    "riff_header_cut": (
        lambda: _canonical()[:10],
        r"it is truncated: the file is 10 bytes long, shorter than the 12-byte",
    ),
    "chunk_header_cut": (
        lambda: _canonical()[:16],
        r"it is truncated: the file ends inside the chunk header at byte 12 "
        r"\(4 of 8 bytes",
    ),
    "fmt_cut": (
        lambda: _canonical()[:30],
        r"it is truncated.*b'fmt ' at byte 12 declares 16 bytes but only 10 follow",
    ),
    "samples_cut": (
        lambda: _canonical()[:100],
        r"it is truncated.*data chunk declares 200 bytes but only 56 follow",
    ),
    "no_chunks": (lambda: _canonical()[:12], r"it has no 'fmt ' chunk and no 'data'"),
    "no_data": (lambda: _canonical()[:36], r"it has no 'data' chunk"),
    "no_fmt": (
        lambda: _wav([_chunk(b"data", bytes(20))]),
        r"its 'data' chunk comes before its 'fmt ' chunk",
    ),
    # chunk sizes that lie
    "data_too_long": (
        lambda: _patched(DATA_SIZE, "<I", 202),
        r"data chunk declares 202 bytes but only 200 follow",
    ),
    "data_4gib": (
        lambda: _patched(DATA_SIZE, "<I", 2**32 - 1),
        r"data chunk declares 4294967295 bytes but only 200 follow",
    ),
    "fmt_too_short": (
        lambda: _patched(FMT_SIZE, "<I", 14),
        r"its 'fmt ' chunk is 14 bytes long; at least 16 expected",
    ),
    "fmt_too_long": (
        lambda: _patched(FMT_SIZE, "<I", 18),
        r"the bytes at byte 38 do not start a chunk \(b'ta\\xc8\\x00' is not a chunk "
        r"name\): the size of the chunk before them is wrong",
    ),
    "fmt_4gib": (
        lambda: _patched(FMT_SIZE, "<I", 2**32 - 1),
        r"b'fmt ' at byte 12 declares 4294967295 bytes but only 224",
    ),
    "list_4gib": (
        lambda: _wav([b"LIST" + struct.pack("<I", 2**32 - 1), _canonical()[12:]]),
        r"b'LIST' at byte 12 declares 4294967295 bytes but only 232",
    ),
    "rf64_huge": (lambda: _rf64(2**62), r"declares 4611686018427387904 bytes"),
    "rf64_no_ds64": (
        lambda: b"RF64" + _canonical()[4:36] + b"data" + b"\xff" * 4 + bytes(200),
        r"RF64 file without a 'ds64' chunk",
    ),
    "garbage_chunk_id": (
        lambda: _wav([b"\x01\x02\x03\x04" + bytes(4), _canonical()[12:]]),
        r"bytes at byte 12 do not start a chunk.*no chunk follows the RIFF header",
    ),
    "endless_chunks": (
        lambda: _wav([_chunk(b"JUNK", b"")] * 5000),
        r"no 'data' chunk among its first 4096 chunks",
    ),
    # impossible fmt fields
    "zero_channels": (lambda: _with_fmt(channels=0), r"declares 0 channels"),
    "sr_zero": (
        lambda: _with_fmt(sr=0),
        r"its sample rate is 0 Hz; 1 to 10000000 Hz expected",
    ),
    "sr_negative": (
        lambda: _patched(RATE, "<i", -8000),
        r"its sample rate is 4294959296 Hz",
    ),
    "sr_max": (lambda: _with_fmt(sr=2**32 - 1), r"its sample rate is 4294967295 Hz"),
    "block_align_zero": (
        lambda: _with_fmt(block_align=0),
        r"block align of 0 bytes a frame is not a positive multiple",
    ),
    "block_align_odd": (
        lambda: _with_fmt(channels=2, block_align=3),
        r"block align of 3 bytes a frame is not a positive multiple of its 2 channel",
    ),
    "bits_zero": (lambda: _with_fmt(bits=0), r"its 0 bits per sample do not fit"),
    "bits_too_many": (
        lambda: _with_fmt(bits=24),
        r"its 24 bits per sample do not fit the 2-byte samples its block align gives",
    ),
    "pcm_too_wide": (
        lambda: _with_fmt(block_align=10, bits=80),
        r"its PCM samples are 10 bytes wide; 1 to 8 expected",
    ),
    "float16": (
        lambda: _with_fmt(tag=3),
        r"its float samples are 16 bits in 2 bytes; 32 bits in 4 or 64 bits in 8",
    ),
    # codings micfp's parser leaves to libsndfile, which refuses these headers
    "adpcm": (
        lambda: _with_fmt(tag=2),
        r"as WAV audio: its samples are Microsoft ADPCM .*, which libsndfile cannot "
        r"decode \(Error in ADPCM WAV file",
    ),
    "unknown_tag": (
        lambda: _with_fmt(tag=0x1234),
        r"its samples are format tag 0x1234, which libsndfile cannot decode",
    ),
    "extensible_short": (
        lambda: _with_fmt(tag=0xFFFE),
        r"WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is 16 bytes long; at least 40",
    ),
    "extensible_no_extension": (
        lambda: _wav(
            [
                _chunk(b"fmt ", _fmt_body(0xFFFE) + struct.pack("<H", 0) + bytes(22)),
                _chunk(b"data", bytes(200)),
            ]
        ),
        r"declares 0 extension bytes; at least 22 expected",
    ),
    "extensible_bad_guid": (
        lambda: _wav(
            [
                _chunk(b"fmt ", _extensible_body(guid_tail=b"\x01" * 12)),
                _chunk(b"data", bytes(600)),
            ]
        ),
        r"subformat 01000000(01){12} is not PCM or IEEE float, which libsndfile",
    ),
}


def _fingerprint(path):
    """Content hash and modification time of ``path`` (not following links)."""
    info = os.lstat(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # a folder, a broken link, a file this user cannot read
        digest = None
    return digest, info.st_mode, info.st_size, info.st_mtime_ns


def _fingerprints(root):
    return {p: _fingerprint(p) for p in sorted(root.rglob("*"))}


def _traced_peak(func):
    """Peak bytes allocated while ``func`` runs, whether it returns or raises."""
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            func()
    except (AudioFileError, AudioValueError):
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def _unreadable(path):
    """Make ``path`` unreadable; return the message reading it must give."""
    if IS_ROOT:
        # root reads a file whatever its mode: a broken link cannot be read
        path.symlink_to(path.with_name("gone.wav"))
        return r"is a symbolic link to '.*gone.wav', which does not exist"
    path.write_bytes(_canonical())
    path.chmod(0)
    return r"Cannot open '.*': Permission denied"


# --------------------------------------------------------------------------
# read_audio: one hostile file at a time


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file(tmp_path, kind):
    build, message = HOSTILE[kind]
    path = tmp_path / f"{kind}.wav"
    path.write_bytes(build())
    before = _fingerprint(path)
    with pytest.raises(AudioFileError) as info:
        read_audio(path)
    text = str(info.value)
    assert text.startswith(f"Cannot read {str(path)!r}")
    assert re.search(message, text), text
    assert info.value.__cause__ is None
    assert _fingerprint(path) == before


def test_hostile_table_starts_from_a_valid_file(tmp_path):
    path = tmp_path / "canonical.wav"
    path.write_bytes(_canonical())
    y, sr = read_audio(path, dtype=np.float64)
    assert sr == 8000
    np.testing.assert_array_equal(y, SAMPLES / 2.0**15)
    _, scipy_data = wavfile.read(path)
    np.testing.assert_array_equal(scipy_data, SAMPLES)


def test_folder_with_a_wav_name(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(AudioFileError, match=r"folder.wav' is not a file"):
        read_audio(tmp_path / "folder.wav")


def test_broken_link(tmp_path):
    (tmp_path / "link.wav").symlink_to(tmp_path / "missing.wav")
    with pytest.raises(
        AudioFileError,
        match=r"link.wav' is a symbolic link to '.*missing.wav', which does not exist",
    ):
        read_audio(tmp_path / "link.wav")


def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.wav"
    message = _unreadable(path)
    before = _fingerprint(path)
    with pytest.raises(AudioFileError, match=message) as info:
        read_audio(path)
    assert str(path) in str(info.value)
    assert _fingerprint(path) == before


def test_unlistable_device_folder(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.wav").write_bytes(_canonical())
    real_iterdir = type(tmp_path).iterdir

    def iterdir(self):
        if self.name == "a":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(type(tmp_path), "iterdir", iterdir)
    with pytest.raises(
        AudioFileError, match=r"Cannot list folder '.*a': Permission denied"
    ) as info:
        load_recordings(tmp_path)
    assert isinstance(info.value.__cause__, PermissionError)


@pytest.mark.parametrize(
    "build",
    [
        lambda: _patched(DATA_SIZE, "<I", 2**32 - 1),
        lambda: _patched(FMT_SIZE, "<I", 2**32 - 1),
        lambda: _wav([b"LIST" + struct.pack("<I", 2**32 - 1), _canonical()[12:]]),
        lambda: _rf64(2**62),
    ],
)
def test_header_claiming_gigabytes_allocates_nothing_big(tmp_path, build):
    path = tmp_path / "liar.wav"
    content = build()
    path.write_bytes(content + bytes(1024 - len(content)))
    assert path.stat().st_size == 1024
    assert _traced_peak(lambda: read_audio(path)) < PEAK_LIMIT


# --------------------------------------------------------------------------
# load_recordings: good and bad files side by side


def _mixed_folder(root):
    """Three good files and one bad file of each kind; return the bad paths."""
    for device, value in [("a", 0.25), ("b", -0.5)]:
        (root / device).mkdir(parents=True)
        wavfile.write(
            root / device / "good-1.wav", 8000, np.full(50, value, np.float32)
        )
    wavfile.write(root / "a" / "good-2.wav", 8000, np.full(50, 0.125, np.float32))
    bad = {}
    for i, kind in enumerate(sorted(HOSTILE)):
        build, message = HOSTILE[kind]
        path = root / "ab"[i % 2] / f"bad-{kind}.wav"
        path.write_bytes(build())
        bad[str(path)] = message
    path = root / "b" / "bad-unreadable.wav"
    bad[str(path)] = _unreadable(path)
    path = root / "b" / "bad-nan.wav"
    wavfile.write(path, 8000, np.array([0.0, np.nan], np.float32))
    bad[str(path)] = r"holds 1 NaN or infinite sample"
    # a folder named like a WAV file is a sub-folder: not read, not reported
    (root / "a" / "folder.wav").mkdir()
    return bad


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_mixed_folder(tmp_path, n_jobs):
    bad = _mixed_folder(tmp_path)
    before = _fingerprints(tmp_path)

    with pytest.raises((AudioFileError, AudioValueError)) as info:
        load_recordings(tmp_path, n_jobs=n_jobs)
    named = [path for path in bad if repr(path) in str(info.value)]
    assert len(named) == 1
    assert re.search(bad[named[0]], str(info.value))

    with pytest.warns(DegradedResultWarning, match=rf"{len(bad)} of {len(bad) + 3}"):
        rec = load_recordings(tmp_path, on_error="skip", n_jobs=n_jobs)
    assert rec.devices.tolist() == ["a", "a", "b"]
    assert rec.names == ["good-1", "good-2", "good-1"]
    np.testing.assert_array_equal([s[0] for s in rec.signals], [0.25, 0.125, -0.5])
    assert sorted(path for path, _ in rec.skipped) == sorted(bad)
    for path, reason in rec.skipped:
        assert repr(path) in reason
        assert re.search(bad[path], reason), reason

    assert _fingerprints(tmp_path) == before


# --------------------------------------------------------------------------
# Mutations of valid files, drawn by hypothesis


def _base_files():
    """Valid files of several layouts.

    Each comes with the offsets of its chunk size fields, the end of its
    header (where the samples start) and the end of its data chunk.
    """
    rng = np.random.default_rng(1)
    pcm16 = (rng.integers(-3000, 3000, 64)).astype("<i2").tobytes()
    pcm24 = rng.integers(0, 256, 32 * 2 * 3, dtype=np.uint8).tobytes()
    float32 = rng.uniform(-1, 1, 48).astype("<f4").tobytes()
    u8 = rng.integers(0, 256, 40, dtype=np.uint8).tobytes()
    layouts = [
        [_chunk(b"fmt ", _fmt_body()), _chunk(b"data", pcm16)],
        [_chunk(b"fmt ", _extensible_body()), _chunk(b"data", pcm24)],
        [
            _chunk(b"LIST", b"INFOabcd"),
            _chunk(b"fmt ", _fmt_body(3, 1, 16000, 4, 32)),
            _chunk(b"data", float32),
            _chunk(b"id3 ", b"tag"),
        ],
        [_chunk(b"fmt ", _fmt_body(1, 2, 22050, 2, 8)), _chunk(b"data", u8)],
    ]
    bases = []
    for chunks in layouts:
        content = _wav(chunks)
        sizes, pos = [RIFF_SIZE], 12
        for chunk in chunks:
            sizes.append(pos + 4)
            pos += len(chunk)
        header_end = content.index(b"data") + 8
        (data_size,) = struct.unpack("<I", content[header_end - 4 : header_end])
        bases.append((content, sizes, header_end, header_end + data_size))
    return bases


BASES = _base_files()


def _check_outcome(path, *, mono=True):
    """Read ``path``: a valid signal, or an error naming it; the file unchanged."""
    before = _fingerprint(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", wavfile.WavFileWarning)
        try:
            y, sr = read_audio(path, mono=mono)
        except AudioFileError as exc:
            assert str(path) in str(exc)
            assert exc.__cause__ is None or isinstance(exc.__cause__, OSError)
            outcome = "file error"
        except AudioValueError as exc:
            assert str(path) in str(exc)
            assert re.search(
                r"holds no samples|NaN or infinite|beyond the range", str(exc)
            )
            outcome = "value error"
        else:
            assert isinstance(y, np.ndarray)
            assert y.dtype == np.float32
            assert y.ndim == (1 if mono else 2)
            assert y.shape[-1] > 0
            assert np.isfinite(y).all()
            assert isinstance(sr, int) and sr > 0
            outcome = "signal"
    assert _fingerprint(path) == before
    return outcome


FUZZ = settings(max_examples=80, deadline=None)


@FUZZ
@given(data=st.data(), base=st.sampled_from(range(len(BASES))))
def test_truncated_anywhere(tmp_path_factory, data, base):
    content, _, _, data_end = BASES[base]
    cut = data.draw(st.integers(0, len(content) - 1))
    path = tmp_path_factory.mktemp("cut") / "cut.wav"
    path.write_bytes(content[:cut])
    # a cut in the chunks after the samples loses metadata only
    expected = "file error" if cut < data_end else "signal"
    assert _check_outcome(path) == expected


@FUZZ
@given(
    data=st.data(),
    base=st.sampled_from(range(len(BASES))),
    mono=st.booleans(),
)
def test_header_bytes_overwritten(tmp_path_factory, data, base, mono):
    content, _, header_end, _ = BASES[base]
    edited = bytearray(content)
    positions = data.draw(
        st.lists(st.integers(0, header_end - 1), min_size=1, max_size=4)
    )
    for position in positions:
        edited[position] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("flip") / "flip.wav"
    path.write_bytes(bytes(edited))
    _check_outcome(path, mono=mono)


@FUZZ
@given(
    data=st.data(),
    base=st.sampled_from(range(len(BASES))),
    size=st.one_of(
        st.integers(0, 2**32 - 1),
        st.integers(0, 300),
        st.sampled_from([2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]),
    ),
)
def test_chunk_sizes_overwritten(tmp_path_factory, data, base, size):
    content, sizes, _, _ = BASES[base]
    offset = data.draw(st.sampled_from(sizes))
    edited = bytearray(content)
    edited[offset : offset + 4] = struct.pack("<I", size)
    path = tmp_path_factory.mktemp("size") / "size.wav"
    path.write_bytes(bytes(edited))
    _check_outcome(path)
    assert _traced_peak(lambda: read_audio(path)) < PEAK_LIMIT


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"RIFF", b"RIFX", b"RF64"]),
    middle=st.sampled_from([b"", b"\x00\x01\x00\x00WAVE", b"\xff\xff\xff\xffWAVE"]),
    tail=st.binary(max_size=300),
)
def test_random_bytes_with_a_wav_name(tmp_path_factory, prefix, middle, tail):
    path = tmp_path_factory.mktemp("random") / "random.wav"
    path.write_bytes(prefix + middle + tail)
    _check_outcome(path)
