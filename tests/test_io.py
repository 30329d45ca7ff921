import re
import struct
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.io import wavfile
from sklearn.utils._param_validation import InvalidParameterError

from micfp.exceptions import AudioFileError, AudioValueError, DegradedResultWarning
from micfp.io import Recordings, load_recordings, read_audio, write_audio

# --------------------------------------------------------------------------
# Helpers: WAV files built byte by byte, independently of micfp and scipy


def _wav_bytes(samples, sr, *, bits, fmt_tag=1, extensible=False, extra_chunk=b""):
    """Little-endian WAV bytes of integer ``samples`` (n_samples, n_channels)."""
    samples = np.asarray(samples)
    channels = samples.shape[1]
    width = bits // 8
    if bits == 24:
        as_int = samples.astype("<i4").reshape(-1, 1).view(np.uint8)
        data = as_int.reshape(-1, 4)[:, :3].tobytes()
    else:
        data = samples.astype(f"<i{width}").tobytes()
    block = channels * width
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, sr, sr * block, block, bits)
    if extensible:
        guid = (
            struct.pack("<I", fmt_tag)
            + b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        )
        fmt = struct.pack("<HHIIHH", 0xFFFE, channels, sr, sr * block, block, bits)
        fmt += struct.pack("<HHI", 22, bits, 0) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra_chunk
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _tone(freq, sr, n, amplitude=0.5):
    return amplitude * np.sin(2 * np.pi * freq * np.arange(n) / sr)


def _peak_frequency(signal, sr):
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return np.argmax(spectrum) * sr / len(signal)


# --------------------------------------------------------------------------
# read_audio: formats


def test_read_uint8_centred_at_128(tmp_path):
    data = np.array([0, 1, 64, 127, 128, 129, 200, 255], dtype=np.uint8)
    wavfile.write(tmp_path / "u8.wav", 8000, data)
    y, sr = read_audio(tmp_path / "u8.wav", dtype=np.float64)
    assert sr == 8000
    assert_array_equal(y, (data.astype(np.float64) - 128) / 128)


@pytest.mark.parametrize(
    "dtype, full_scale", [(np.int16, 2.0**15), (np.int32, 2.0**31)]
)
@pytest.mark.parametrize("out_dtype", [np.float32, np.float64])
def test_read_signed_pcm(tmp_path, dtype, full_scale, out_dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(0)
    data = rng.integers(info.min, info.max, size=500, endpoint=True).astype(dtype)
    data[:3] = [info.min, info.max, 0]
    wavfile.write(tmp_path / "pcm.wav", 22050, data)
    y, sr = read_audio(tmp_path / "pcm.wav", dtype=out_dtype)
    expected = data.astype(np.float64) / full_scale
    assert y.dtype == out_dtype
    assert sr == 22050
    # scaling by a power of two is exact: only the cast to out_dtype rounds
    assert_array_equal(y, expected.astype(out_dtype))
    assert y.min() == -1.0
    exact = np.finfo(out_dtype).nmant >= np.iinfo(dtype).bits - 1
    # 2**31 - 1 has more significant bits than float32 holds: it rounds up to 1
    assert (y.max() < 1.0) if exact else (y.max() == 1.0)


@pytest.mark.parametrize("extensible", [False, True])
def test_read_pcm24(tmp_path, extensible):
    rng = np.random.default_rng(1)
    data = rng.integers(-(2**23), 2**23 - 1, size=(300, 2), endpoint=True)
    data[:2, 0] = [-(2**23), 2**23 - 1]
    path = tmp_path / "pcm24.wav"
    path.write_bytes(_wav_bytes(data, 48000, bits=24, extensible=extensible))
    y, sr = read_audio(path, mono=False, dtype=np.float64)
    assert sr == 48000
    assert y.shape == (2, 300)
    assert_array_equal(y, data.T / 2.0**23)


def test_read_pcm16_extensible(tmp_path):
    data = np.array([[-32768, 0], [32767, 100]])
    path = tmp_path / "ext16.wav"
    path.write_bytes(_wav_bytes(data, 8000, bits=16, extensible=True))
    y, _ = read_audio(path, mono=False, dtype=np.float64)
    assert_array_equal(y, data.T / 2.0**15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_float_exact(tmp_path, dtype):
    data = np.random.default_rng(2).uniform(-1, 1, 400).astype(dtype)
    wavfile.write(tmp_path / "f.wav", 16000, data)
    y, _ = read_audio(tmp_path / "f.wav", dtype=dtype)
    assert_array_equal(y, data)


def test_read_float_keeps_values_beyond_full_scale(tmp_path):
    data = np.array([1.5, -2.0, 0.25], dtype=np.float32)
    wavfile.write(tmp_path / "f.wav", 16000, data)
    y, _ = read_audio(tmp_path / "f.wav")
    assert_array_equal(y, data)


def test_default_dtype_is_float32(tmp_path):
    wavfile.write(tmp_path / "a.wav", 8000, np.zeros(10, np.int16))
    y, _ = read_audio(tmp_path / "a.wav")
    assert y.dtype == np.float32


# --------------------------------------------------------------------------
# read_audio: channels and resampling


def _stereo(tmp_path):
    left = np.arange(-500, 500, dtype=np.int16) * 30
    right = (np.arange(1000, dtype=np.int16) % 77 - 38) * 100
    path = tmp_path / "stereo.wav"
    wavfile.write(path, 8000, np.stack([left, right], axis=1))
    return path, left / 2.0**15, right / 2.0**15


def test_stereo_mono_averages_channels(tmp_path):
    path, left, right = _stereo(tmp_path)
    y, _ = read_audio(path, dtype=np.float64)
    assert y.shape == (1000,)
    assert_allclose(y, (left + right) / 2, rtol=0, atol=1e-15)


def test_stereo_not_mono_keeps_channels_on_rows(tmp_path):
    path, left, right = _stereo(tmp_path)
    y, _ = read_audio(path, mono=False, dtype=np.float64)
    assert y.shape == (2, 1000)
    assert y.flags.c_contiguous
    assert_array_equal(y[0], left)
    assert_array_equal(y[1], right)


def test_mono_file_not_mono_is_2d(tmp_path):
    wavfile.write(tmp_path / "m.wav", 8000, np.arange(10, dtype=np.int16))
    y, _ = read_audio(tmp_path / "m.wav", mono=False)
    assert y.shape == (1, 10)


def test_many_channels(tmp_path):
    data = np.arange(60, dtype=np.int16).reshape(10, 6) * 100
    wavfile.write(tmp_path / "six.wav", 8000, data)
    y, _ = read_audio(tmp_path / "six.wav", mono=False, dtype=np.float64)
    assert_array_equal(y, data.T / 2.0**15)
    y_mono, _ = read_audio(tmp_path / "six.wav", dtype=np.float64)
    assert_allclose(y_mono, data.mean(axis=1) / 2.0**15, atol=1e-15)


@pytest.mark.parametrize(
    "file_sr, target_sr, freq", [(8000, 16000, 440.0), (44100, 16000, 1000.0)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_resampling_preserves_length_ratio_and_frequency(
    tmp_path, file_sr, target_sr, freq, dtype
):
    n = file_sr  # one second
    wavfile.write(tmp_path / "t.wav", file_sr, _tone(freq, file_sr, n))
    y, sr = read_audio(tmp_path / "t.wav", sr=target_sr, dtype=dtype)
    assert sr == target_sr
    assert y.dtype == dtype
    assert len(y) == target_sr
    resolution = target_sr / len(y)
    assert abs(_peak_frequency(y, sr) - freq) <= resolution
    # away from the edges the resampled tone is the tone at the new rate
    middle = slice(target_sr // 4, 3 * target_sr // 4)
    assert_allclose(y[middle], _tone(freq, target_sr, target_sr)[middle], atol=2e-3)


def test_resampling_multichannel_keeps_channels(tmp_path):
    data = np.stack([_tone(300, 8000, 800), _tone(900, 8000, 800)], axis=1)
    wavfile.write(tmp_path / "s.wav", 8000, data)
    y, sr = read_audio(tmp_path / "s.wav", sr=12000, mono=False)
    assert y.shape == (2, 1200)
    assert abs(_peak_frequency(y[0], sr) - 300) <= 10
    assert abs(_peak_frequency(y[1], sr) - 900) <= 10


def test_same_rate_is_not_resampled(tmp_path):
    wavfile.write(tmp_path / "t.wav", 8000, _tone(440, 8000, 800))
    y_native, _ = read_audio(tmp_path / "t.wav")
    y_same, sr = read_audio(tmp_path / "t.wav", sr=8000)
    assert sr == 8000
    assert_array_equal(y_native, y_same)


# --------------------------------------------------------------------------
# read_audio: bad input


def _make_bad(tmp_path, kind):
    path = tmp_path / f"{kind}.wav"
    if kind == "missing":
        return path
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("this is not audio, only text")
    elif kind == "truncated":
        wavfile.write(path, 8000, np.zeros(1000, np.int16))
        path.write_bytes(path.read_bytes()[:1000])
    elif kind == "header_cut":
        wavfile.write(path, 8000, np.zeros(1000, np.int16))
        path.write_bytes(path.read_bytes()[:30])
    elif kind == "adpcm":
        path.write_bytes(_wav_bytes(np.zeros((4, 1)), 8000, bits=16, fmt_tag=2))
    elif kind == "empty":
        wavfile.write(path, 8000, np.zeros(0, np.int16))
    elif kind == "nan":
        wavfile.write(path, 8000, np.array([0.0, np.nan, 0.5], np.float32))
    elif kind == "inf":
        wavfile.write(path, 8000, np.array([[0.0, 1.0], [-np.inf, 0.5]]))
    return path


@pytest.mark.parametrize(
    "kind, error, message",
    [
        ("missing", AudioFileError, "does not exist"),
        ("folder", AudioFileError, "is not a file.*load_recordings"),
        ("text", AudioFileError, "Cannot read .*: it starts with b'this"),
        (
            "truncated",
            AudioFileError,
            "as a WAV file: it is truncated.*declares 2000 bytes but only 956 follow"
            ".*export the file again",
        ),
        (
            "header_cut",
            AudioFileError,
            "as a WAV file: it is truncated.*b'fmt ' at byte 12 declares 16 bytes "
            "but only 10",
        ),
        (
            "adpcm",
            AudioFileError,
            "Cannot read .*Microsoft ADPCM \\(format tag 0x0002\\), which libsndfile",
        ),
        ("empty", AudioValueError, "holds no samples"),
        ("nan", AudioValueError, "holds 1 NaN or infinite sample.* out of 3"),
        ("inf", AudioValueError, "holds 1 NaN or infinite sample.* out of 4"),
    ],
)
def test_read_bad_files(tmp_path, kind, error, message):
    path = _make_bad(tmp_path, kind)
    with pytest.raises(error, match=message) as info:
        read_audio(path)
    assert f"{kind}.wav" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("kind", ["text", "header_cut", "adpcm", "truncated"])
def test_format_errors_chain_nothing(tmp_path, kind):
    # the message says everything: no struct or NumPy error behind it
    with pytest.raises(AudioFileError) as info:
        read_audio(_make_bad(tmp_path, kind))
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_open_error_chains_the_os_error(tmp_path, monkeypatch):
    import micfp.io._wav as wav_module

    wavfile.write(tmp_path / "a.wav", 8000, np.zeros(10, np.int16))

    def refuse(path, mode):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(wav_module, "open", refuse, raising=False)
    with pytest.raises(
        AudioFileError, match=r"Cannot open '.*a.wav': Permission"
    ) as info:
        read_audio(tmp_path / "a.wav")
    assert isinstance(info.value.__cause__, PermissionError)


def test_unknown_chunk_is_reported_with_file_name(tmp_path):
    chunk = b"bext" + struct.pack("<I", 4) + b"abcd"
    data = np.array([[1], [2], [3]]) * 1000
    path = tmp_path / "meta.wav"
    path.write_bytes(_wav_bytes(data, 8000, bits=16, extra_chunk=chunk))
    with pytest.warns(wavfile.WavFileWarning, match="meta.wav.*not understood"):
        y, _ = read_audio(path, dtype=np.float64)
    assert_array_equal(y, data[:, 0] / 2.0**15)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"dtype": np.int16}, ValueError, "dtype must be numpy.float32 or"),
        ({"dtype": "float16"}, ValueError, "dtype must be numpy.float32 or"),
        ({"dtype": "nonsense"}, ValueError, "dtype must be numpy.float32 or"),
        ({"sr": 0}, InvalidParameterError, "'sr' parameter of read_audio"),
        ({"sr": 8000.5}, InvalidParameterError, "'sr' parameter of read_audio"),
        ({"mono": "yes"}, InvalidParameterError, "'mono' parameter"),
    ],
)
def test_read_bad_arguments(tmp_path, kwargs, error, message):
    wavfile.write(tmp_path / "a.wav", 8000, np.zeros(10, np.int16))
    with pytest.raises(error, match=message):
        read_audio(tmp_path / "a.wav", **kwargs)


# --------------------------------------------------------------------------
# write_audio


@pytest.mark.parametrize(
    "subtype, file_dtype, step",
    [
        ("PCM_U8", np.uint8, 2.0**-7),
        ("PCM_16", np.int16, 2.0**-15),
        ("PCM_32", np.int32, 2.0**-31),
        ("FLOAT", np.float32, None),
        ("DOUBLE", np.float64, None),
    ],
)
def test_write_read_round_trip(tmp_path, subtype, file_dtype, step):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(2, 300))
    if step is not None:
        x = np.round(x / step) * step
        x = np.clip(x, -1, 1 - step)
    path = tmp_path / "x.wav"
    write_audio(path, x, 11025, subtype=subtype)
    _, raw = wavfile.read(path)
    assert raw.dtype == file_dtype
    assert raw.shape == (300, 2)
    y, sr = read_audio(path, mono=False, dtype=np.float64)
    assert sr == 11025
    expected = x.astype(np.float32) if subtype == "FLOAT" else x
    assert_array_equal(y, expected)


def test_write_quantizes_by_rounding(tmp_path):
    step = 2.0**-15
    x = np.array([0.4 * step, 0.6 * step, -1.4 * step])
    write_audio(tmp_path / "q.wav", x, 8000)
    _, raw = wavfile.read(tmp_path / "q.wav")
    assert_array_equal(raw, [0, 1, -1])


def test_write_clips_with_warning(tmp_path):
    x = np.array([1.0, -1.0, 1.5, 0.0])
    with pytest.warns(DegradedResultWarning, match="2 sample.*clipped"):
        write_audio(tmp_path / "c.wav", x, 8000)
    _, raw = wavfile.read(tmp_path / "c.wav")
    assert_array_equal(raw, [32767, -32768, 32767, 0])


@pytest.mark.parametrize(
    "signal, error, message",
    [
        (np.zeros(0), AudioValueError, "holds no samples"),
        (np.zeros((2, 0)), AudioValueError, "holds no samples"),
        (np.zeros((1, 2, 3)), AudioValueError, "must have shape"),
        (np.array([0.0, np.nan]), AudioValueError, "NaN or infinite"),
        (np.array(["a", "b"]), AudioValueError, "must hold real numbers"),
    ],
)
def test_write_bad_signal(tmp_path, signal, error, message):
    with pytest.raises(error, match=message):
        write_audio(tmp_path / "x.wav", signal, 8000)
    assert not (tmp_path / "x.wav").exists()


def test_write_bad_subtype(tmp_path):
    with pytest.raises(InvalidParameterError, match="'subtype' parameter"):
        write_audio(tmp_path / "x.wav", np.zeros(4), 8000, subtype="PCM_24")


# --------------------------------------------------------------------------
# load_recordings


def _write(path, n=100, sr=8000, value=0.25):
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, sr, np.full(n, value, np.float32))


def test_load_device_folders_sorted_naturally(tmp_path):
    _write(tmp_path / "zoom" / "rec-10.wav", n=10, value=0.1)
    _write(tmp_path / "zoom" / "rec-2.wav", n=20, value=0.2)
    _write(tmp_path / "Phone" / "take.WAV", n=30, value=0.3)
    (tmp_path / "zoom" / "notes.txt").write_text("not read, but listed")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "zoom" / "._rec-2.wav").write_bytes(b"resource fork")
    with pytest.warns(DegradedResultWarning, match=r"1 of 4 file.*notes.txt"):
        rec = load_recordings(tmp_path)
    assert isinstance(rec, Recordings)
    assert rec.sr == 8000
    assert rec.devices.tolist() == ["Phone", "zoom", "zoom"]
    assert rec.names == ["take", "rec-2", "rec-10"]
    assert rec.recording_ids.tolist() == [1, 1, 2]
    assert rec.skipped == (
        (
            str(tmp_path / "zoom" / "notes.txt"),
            "it is not audio of a format micfp reads",
        ),
    )
    assert rec.paths == [
        str(tmp_path / "Phone" / "take.WAV"),
        str(tmp_path / "zoom" / "rec-2.wav"),
        str(tmp_path / "zoom" / "rec-10.wav"),
    ]
    assert [len(s) for s in rec.signals] == [30, 20, 10]
    assert_allclose([s[0] for s in rec.signals], [0.3, 0.2, 0.1], rtol=1e-7)
    assert all(s.dtype == np.float32 for s in rec.signals)


def test_load_pattern_with_recording_group(tmp_path):
    for name in ["mic-3.wav", "mic-1.wav", "lav-12.wav", "lav-2.wav"]:
        _write(tmp_path / name)
    rec = load_recordings(
        tmp_path, pattern=r"(?P<device>[^-]+)-(?P<recording>\d+)\.wav"
    )
    assert rec.devices.tolist() == ["lav", "lav", "mic", "mic"]
    assert rec.names == ["2", "12", "1", "3"]
    assert rec.recording_ids.tolist() == [1, 2, 1, 2]


def test_load_pattern_number_as_device(tmp_path):
    for name in ["mic-3.wav", "mic-10.wav", "other-3.wav"]:
        _write(tmp_path / name)
    rec = load_recordings(tmp_path, pattern=re.compile(r"[^-]+-(?P<device>\d+)\.wav"))
    assert rec.devices.tolist() == ["3", "3", "10"]
    assert rec.names == ["mic-3", "other-3", "mic-10"]
    assert rec.recording_ids.tolist() == [1, 2, 1]


def test_load_parallel_equals_sequential(tmp_path):
    rng = np.random.default_rng(4)
    for device in ["a", "b"]:
        for take in range(3):
            path = tmp_path / device / f"{take}.wav"
            path.parent.mkdir(exist_ok=True)
            wavfile.write(path, 8000, rng.uniform(-1, 1, 200).astype(np.float32))
    seq = load_recordings(tmp_path)
    par = load_recordings(tmp_path, n_jobs=2)
    assert_array_equal(seq.devices, par.devices)
    assert_array_equal(seq.recording_ids, par.recording_ids)
    assert seq.paths == par.paths
    for a, b in zip(seq.signals, par.signals, strict=True):
        assert_array_equal(a, b)


def test_load_resamples_mixed_rates_to_sr(tmp_path):
    _write(tmp_path / "a" / "1.wav", n=800, sr=8000)
    _write(tmp_path / "b" / "1.wav", n=1600, sr=16000)
    rec = load_recordings(tmp_path, sr=16000, dtype=np.float64)
    assert rec.sr == 16000
    assert [len(s) for s in rec.signals] == [1600, 1600]
    assert all(s.dtype == np.float64 for s in rec.signals)


def test_load_channel(tmp_path):
    data = np.stack([np.full(50, 1000), np.full(50, -2000)], axis=1).astype(np.int16)
    (tmp_path / "a").mkdir()
    wavfile.write(tmp_path / "a" / "st.wav", 8000, data)
    mixed = load_recordings(tmp_path, dtype=np.float64)
    second = load_recordings(tmp_path, channel=1, dtype=np.float64)
    assert_array_equal(mixed.signals[0], np.full(50, -500 / 2.0**15))
    assert_array_equal(second.signals[0], np.full(50, -2000 / 2.0**15))
    with pytest.raises(AudioValueError, match=r"st.wav.*2 channel.*channel=2"):
        load_recordings(tmp_path, channel=2)


def test_load_unmatched_warn_skips_with_list(tmp_path):
    for name in ["mic-1.wav", "mic-2.wav", "scratch.wav"]:
        _write(tmp_path / name)
    with pytest.warns(DegradedResultWarning, match="1 of 3 file.*scratch.wav"):
        rec = load_recordings(
            tmp_path, pattern=r"(?P<device>\w+)-\d+\.wav", unmatched="warn"
        )
    assert len(rec) == 2
    assert rec.skipped == (
        (
            str(tmp_path / "scratch.wav"),
            "its name does not match pattern " + repr(r"(?P<device>\w+)-\d+\.wav"),
        ),
    )


def _layout(tmp_path, kind):
    root = tmp_path / "root"
    if kind == "missing":
        return root, {}
    root.mkdir()
    if kind == "file":
        root.rmdir()
        _write(root)
    elif kind == "only_text":
        (root / "readme.txt").write_text("no audio")
    elif kind == "device_without_audio":
        _write(root / "a" / "1.wav")
        (root / "b").mkdir()
        (root / "b" / "1.txt").write_bytes(b"")
    elif kind == "loose_wav":
        _write(root / "a" / "1.wav")
        _write(root / "stray.wav")
    elif kind == "no_wav_flat":
        (root / "readme.txt").write_text("no audio")
        return root, {"pattern": r"(?P<device>.+)\.wav"}
    elif kind == "no_device_group":
        _write(root / "a-1.wav")
        return root, {"pattern": r"(?P<dev>.+)-\d\.wav"}
    elif kind == "bad_regex":
        _write(root / "a-1.wav")
        return root, {"pattern": r"(?P<device>.+"}
    elif kind == "unmatched":
        _write(root / "a-1.wav")
        _write(root / "odd name.wav")
        return root, {"pattern": r"(?P<device>\w+)-\d\.wav"}
    elif kind == "none_matched_warn":
        _write(root / "odd name.wav")
        return root, {"pattern": r"(?P<device>\w+)-\d\.wav", "unmatched": "warn"}
    elif kind == "duplicate":
        _write(root / "a-1-x.wav")
        _write(root / "a-1-y.wav")
        return root, {"pattern": r"(?P<device>\w)-(?P<recording>\d)-.\.wav"}
    elif kind == "mixed_rates":
        _write(root / "a" / "1.wav", sr=8000)
        _write(root / "a" / "2.wav", sr=8000)
        _write(root / "b" / "1.wav", sr=44100)
    elif kind == "corrupt":
        _write(root / "a" / "1.wav")
        (root / "a" / "2.wav").write_bytes(b"RIFF....WAVEjunk")
    elif kind == "mp3_empty":
        _write(root / "a" / "1.wav")
        (root / "b").mkdir()
        (root / "b" / "1.mp3").write_bytes(b"")
    elif kind == "empty_audio":
        (root / "a").mkdir()
        wavfile.write(root / "a" / "silent.wav", 8000, np.zeros(0, np.int16))
    return root, {}


@pytest.mark.parametrize(
    "kind, error, message",
    [
        ("missing", AudioFileError, r"root' does not exist"),
        ("file", AudioFileError, r"root' is not a folder.*read_audio"),
        ("empty", AudioFileError, r"root' is empty"),
        ("only_text", AudioFileError, r"no device folders and no audio file"),
        (
            "device_without_audio",
            AudioFileError,
            r"b' holds no audio file of the audio formats micfp reads \(.*FLAC.*\); "
            r"it holds 1 .txt file",
        ),
        ("loose_wav", AudioFileError, r"audio files directly \(stray.wav\).*pattern="),
        (
            "no_wav_flat",
            AudioFileError,
            r"root' holds no audio file of the audio formats micfp reads",
        ),
        ("no_device_group", AudioFileError, r"no named group 'device'"),
        ("bad_regex", AudioFileError, r"not a valid regular expression"),
        ("unmatched", AudioFileError, r"1 audio file.*odd name.wav.*unmatched='warn'"),
        ("none_matched_warn", AudioFileError, r"do not match pattern"),
        ("duplicate", AudioFileError, r"recording '1': a-1-x.wav, a-1-y.wav"),
        (
            "mixed_rates",
            AudioFileError,
            r"different sample rates \(8000 Hz: .*1.wav, .*2.wav; 44100 Hz: .*sr=",
        ),
        ("corrupt", AudioFileError, r"2.wav' as a WAV file"),
        ("mp3_empty", AudioFileError, r"1.mp3': the file is empty"),
        ("empty_audio", AudioValueError, r"silent.wav' holds no samples"),
    ],
)
def test_load_bad_input(tmp_path, kind, error, message):
    root, kwargs = _layout(tmp_path, kind)
    with pytest.raises(error, match=message):
        load_recordings(root, **kwargs)


def test_load_bad_input_in_parallel_names_the_file(tmp_path):
    root, _ = _layout(tmp_path, "corrupt")
    with pytest.raises(AudioFileError, match=r"2.wav' as a WAV file"):
        load_recordings(root, n_jobs=2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sr": -1}, "'sr' parameter of load_recordings"),
        ({"pattern": 3}, "'pattern' parameter of load_recordings"),
        ({"channel": -1}, "'channel' parameter of load_recordings"),
        ({"unmatched": "skip"}, "'unmatched' parameter of load_recordings"),
    ],
)
def test_load_bad_arguments(tmp_path, kwargs, message):
    _write(tmp_path / "a" / "1.wav")
    with pytest.raises(InvalidParameterError, match=message):
        load_recordings(tmp_path, **kwargs)


def test_load_never_warns_on_clean_folder(tmp_path):
    _write(tmp_path / "a" / "1.wav")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_recordings(tmp_path)


def test_load_reports_skipped_chunks_once(tmp_path):
    chunk = b"bext" + struct.pack("<I", 4) + b"abcd"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "meta.wav").write_bytes(
        _wav_bytes(np.ones((5, 1)), 8000, bits=16, extra_chunk=chunk)
    )
    _write(tmp_path / "a" / "plain.wav")
    with pytest.warns(wavfile.WavFileWarning) as record:
        rec = load_recordings(tmp_path)
    assert len(record) == 1
    assert re.search(r"1 file\(s\).*meta.wav: Chunk", str(record[0].message))
    assert record[0].filename == __file__
    assert len(rec.signals[0]) == 5


# --------------------------------------------------------------------------
# read_audio: byte orders, containers and RF64, built byte by byte


def _chunk(chunk_id, body, endian="<"):
    pad = b"\x00" if len(body) % 2 else b""
    return chunk_id + struct.pack(endian + "I", len(body)) + body + pad


def _encode_pcm(stored, container, *, big_endian=False):
    """Bytes of integers ``stored`` (n_frames, n_channels), ``container`` bytes each."""
    order = ">i8" if big_endian else "<i8"
    octets = np.asarray(stored, np.int64).astype(order).reshape(-1, 1).view(np.uint8)
    octets = octets.reshape(-1, 8)
    octets = octets[:, 8 - container :] if big_endian else octets[:, :container]
    return octets.tobytes()


def _riff_wav(
    stored, sr, *, container, bits=None, tag=1, magic=b"RIFF", data=None, extra=b""
):
    endian = ">" if magic == b"RIFX" else "<"
    n_channels = stored.shape[1]
    block = n_channels * container
    fmt = struct.pack(
        endian + "HHIIHH", tag, n_channels, sr, sr * block, block, bits or 8 * container
    )
    if data is None:
        data = _encode_pcm(stored, container, big_endian=endian == ">")
    body = (
        b"WAVE" + _chunk(b"fmt ", fmt, endian) + extra + _chunk(b"data", data, endian)
    )
    return magic + struct.pack(endian + "I", len(body)) + body


def _random_stored(container, shape, seed=0, bits=None):
    """Random container values; ``bits`` < 8 * container are left-justified."""
    bits = bits or 8 * container
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    values = np.random.default_rng(seed).integers(low, high, size=shape, endpoint=True)
    values[0, 0], values[-1, -1] = low, high
    return values << (8 * container - bits)


@pytest.mark.parametrize("container", [2, 3, 4, 8])
def test_read_big_endian_rifx(tmp_path, container):
    stored = _random_stored(container, (200, 2), seed=container)
    path = tmp_path / "rifx.wav"
    path.write_bytes(_riff_wav(stored, 8000, container=container, magic=b"RIFX"))
    y, sr = read_audio(path, mono=False, dtype=np.float64)
    assert sr == 8000
    assert_array_equal(y, stored.T / 2.0 ** (8 * container - 1))


def test_read_big_endian_float(tmp_path):
    values = np.random.default_rng(5).uniform(-1, 1, size=(100, 1)).astype(">f4")
    path = tmp_path / "rifx-float.wav"
    path.write_bytes(
        _riff_wav(
            values, 8000, container=4, tag=3, magic=b"RIFX", data=values.tobytes()
        )
    )
    y, _ = read_audio(path)
    assert_array_equal(y, values[:, 0])


@pytest.mark.parametrize(
    "container, bits", [(2, 12), (3, 20), (5, 40), (6, 48), (7, 56), (8, 64)]
)
def test_read_wide_and_partly_used_containers(tmp_path, container, bits):
    # samples are left-justified: the container's full scale applies
    stored = _random_stored(container, (300, 1), seed=bits, bits=bits)
    path = tmp_path / "odd.wav"
    path.write_bytes(_riff_wav(stored, 8000, container=container, bits=bits))
    y, _ = read_audio(path, dtype=np.float64)
    assert_allclose(y, stored[:, 0] / 2.0 ** (8 * container - 1), rtol=1e-15)
    assert y.min() == -1.0


def test_read_rf64(tmp_path):
    stored = _random_stored(2, (500, 2), seed=6)
    data = _encode_pcm(stored, 2)
    fmt = struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16)
    ds64 = struct.pack("<QQQI", 0, len(data), 500, 0)
    body = b"WAVE" + _chunk(b"ds64", ds64) + _chunk(b"fmt ", fmt)
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + data
    riff_size = len(body)
    body = body.replace(ds64, struct.pack("<QQQI", riff_size, len(data), 500, 0))
    path = tmp_path / "rf64.wav"
    path.write_bytes(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, _ = read_audio(path, mono=False, dtype=np.float64)
    assert_array_equal(y, stored.T / 2.0**15)


@pytest.mark.parametrize("container", [1, 2, 3, 4])
@pytest.mark.parametrize("n_channels", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_long_file_in_blocks(tmp_path, container, n_channels, dtype):
    # 40 000 frames span several decoding blocks, with a short last one
    n = 40_001
    if container == 1:
        stored = np.random.default_rng(7).integers(0, 256, size=(n, n_channels))
        centred, full_scale = stored - 128, 128.0
    else:
        stored = _random_stored(container, (n, n_channels), seed=7)
        centred, full_scale = stored, 2.0 ** (8 * container - 1)
    path = tmp_path / "long.wav"
    path.write_bytes(_riff_wav(stored, 44100, container=container))
    channels, _ = read_audio(path, mono=False, dtype=dtype)
    assert channels.shape == (n_channels, n)
    assert channels.flags.c_contiguous
    assert_array_equal(channels, (centred.T / full_scale).astype(dtype))
    mono, _ = read_audio(path, dtype=dtype)
    assert mono.shape == (n,) and mono.dtype == dtype
    expected = centred.mean(axis=1) / full_scale
    atol = 0 if dtype == np.float64 and n_channels in (1, 2) else 1e-7
    assert_allclose(mono, expected, rtol=1e-6, atol=atol)
    (tmp_path / "dev").mkdir()
    path.rename(tmp_path / "dev" / "long.wav")
    last = load_recordings(tmp_path, channel=n_channels - 1, dtype=dtype)
    assert_array_equal(last.signals[0], (centred[:, -1] / full_scale).astype(dtype))


def test_read_counts_non_finite_samples_in_every_block(tmp_path):
    data = np.zeros(100_000, np.float32)
    data[[3, 50_000, -1]] = [np.nan, np.inf, -np.inf]
    wavfile.write(tmp_path / "f.wav", 8000, data)
    with pytest.raises(AudioValueError, match=r"holds 3 NaN or infinite .* 100000"):
        read_audio(tmp_path / "f.wav")


def test_read_float64_beyond_float32_range(tmp_path):
    wavfile.write(tmp_path / "big.wav", 8000, np.array([0.5, 1e300, -1e300]))
    with pytest.raises(
        AudioValueError,
        match=r"big.wav' holds samples beyond the range of float32.*"
        r"2 of the returned.*dtype=numpy.float64",
    ):
        read_audio(tmp_path / "big.wav")
    y, _ = read_audio(tmp_path / "big.wav", dtype=np.float64)
    assert_array_equal(y, [0.5, 1e300, -1e300])


# --------------------------------------------------------------------------
# read_audio: damage that leaves every sample readable is reported, not fatal


def _lenient_case(kind):
    """Return the bytes of a damaged file and the warning it must give."""
    stored = np.arange(-50, 50).reshape(-1, 1) * 300
    good = _riff_wav(stored, 8000, container=2)
    data_size_at = len(good) - 200 - 4
    edited = bytearray(good)
    if kind == "data_shorter":
        # the data chunk declares 10 samples fewer: the rest is not a chunk
        edited[data_size_at : data_size_at + 4] = struct.pack("<I", 180)
        return bytes(edited), 90, r"do not start with a chunk name|declares"
    if kind == "partial_frame":
        edited[data_size_at : data_size_at + 4] = struct.pack("<I", 199)
        return bytes(edited), 99, r"1 byte\(s\) of an incomplete 2-byte frame"
    if kind == "riff_too_long":
        edited[4:8] = struct.pack("<I", 0xFFFFFFF0)
        return bytes(edited), 100, r"RIFF header declares 4294967288 bytes"
    if kind == "trailing_bytes":
        edited[4:8] = struct.pack("<I", len(good) - 8 + 3)
        return bytes(edited) + b"abc", 100, r"3 byte\(s\) after the last chunk"
    if kind == "chunk_after_data":
        tail = _chunk(b"id3 ", b"tags")
        edited[4:8] = struct.pack("<I", len(good) - 8 + len(tail))
        return bytes(edited) + tail, 100, r"Chunk b'id3 ' \(non-data\) not understood"
    if kind == "odd_chunk_before_data":
        odd = _riff_wav(stored, 8000, container=2, extra=_chunk(b"bext", b"abc"))
        return odd, 100, r"Chunk b'bext'"
    if kind == "second_fmt":
        fmt = struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16)
        twice = _riff_wav(stored, 8000, container=2, extra=_chunk(b"fmt ", fmt))
        return twice, 100, r"Second 'fmt ' chunk at byte 36 ignored"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "data_shorter",
        "partial_frame",
        "riff_too_long",
        "trailing_bytes",
        "chunk_after_data",
        "odd_chunk_before_data",
        "second_fmt",
    ],
)
def test_read_damage_outside_samples_warns(tmp_path, kind):
    content, n, message = _lenient_case(kind)
    path = tmp_path / f"{kind}.wav"
    path.write_bytes(content)
    with pytest.warns(wavfile.WavFileWarning, match=rf"{kind}.wav: .*({message})"):
        y, sr = read_audio(path, dtype=np.float64)
    assert sr == 8000
    assert_array_equal(y, np.arange(-50, -50 + n) * 300 / 2.0**15)


@pytest.mark.parametrize(
    "field, value",
    [("riff_size", 0), ("byte_rate", 12345)],
)
def test_read_ignores_unused_header_fields(tmp_path, field, value):
    stored = np.arange(10).reshape(-1, 1) * 1000
    content = bytearray(_riff_wav(stored, 8000, container=2))
    at = {"riff_size": 4, "byte_rate": 28}[field]
    content[at : at + 4] = struct.pack("<I", value)
    (tmp_path / "a.wav").write_bytes(bytes(content))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, _ = read_audio(tmp_path / "a.wav", dtype=np.float64)
    assert_array_equal(y, stored[:, 0] / 2.0**15)


def test_read_metadata_chunks_pass_silently(tmp_path):
    extra = (
        _chunk(b"LIST", b"INFOISFT\x03\x00\x00\x00ab\x00")
        + _chunk(b"fact", struct.pack("<I", 4))
        + _chunk(b"JUNK", bytes(27))
    )
    stored = np.array([[1], [-2], [3], [-4]]) * 4096
    (tmp_path / "m.wav").write_bytes(_riff_wav(stored, 8000, container=2, extra=extra))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, _ = read_audio(tmp_path / "m.wav", dtype=np.float64)
    assert_array_equal(y, stored[:, 0] / 2.0**15)


# --------------------------------------------------------------------------
# read_audio: memory


def _traced_peak(func):
    import tracemalloc

    tracemalloc.start()
    try:
        result = func()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def ten_second_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    files = {}
    for container in (2, 3):
        for n_channels in (1, 2):
            stored = _random_stored(container, (441_000, n_channels), seed=8)
            path = folder / f"{container}-{n_channels}.wav"
            path.write_bytes(_riff_wav(stored, 44100, container=container))
            files[container, n_channels] = path
    return files


@pytest.mark.parametrize("container", [2, 3])
@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("mono", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_holds_one_decoded_copy(
    ten_second_files, container, n_channels, mono, dtype
):
    path = ten_second_files[container, n_channels]
    peak, (y, _) = _traced_peak(lambda: read_audio(path, mono=mono, dtype=dtype))
    assert y.shape[-1] == 441_000
    assert peak < 1.25 * y.nbytes


# --------------------------------------------------------------------------
# Recordings.skipped and load_recordings(on_error=...)


def test_recordings_skipped_defaults_to_empty_and_survives_subset():
    rec = Recordings([np.zeros(4)] * 2, 4, ["a", "b"], [1, 1])
    assert rec.skipped == ()
    assert "skipped" not in repr(rec)
    rec = Recordings(
        [np.zeros(4)] * 2, 4, ["a", "b"], [1, 1], skipped=[("x.wav", "bad")]
    )
    assert rec.skipped == (("x.wav", "bad"),)
    assert rec.subset([1]).skipped == rec.skipped
    assert repr(rec).endswith("total_duration=2.0s, skipped=1)")


@pytest.mark.parametrize("skipped", [["x.wav"], [("x.wav", "bad", "extra")], 3])
def test_recordings_skipped_must_hold_pairs(skipped):
    with pytest.raises(ValueError, match=r"skipped must hold \(path, reason\) pairs"):
        Recordings([np.zeros(4)], 4, ["a"], [1], skipped=skipped)


def _good_and_bad(tmp_path):
    _write(tmp_path / "a" / "1.wav", value=0.1)
    _write(tmp_path / "a" / "2.wav", value=0.2)
    _write(tmp_path / "b" / "1.wav", value=0.3)
    (tmp_path / "b" / "2.wav").write_text("not audio")
    wavfile.write(tmp_path / "b" / "3.wav", 8000, np.zeros(0, np.int16))
    return tmp_path


def test_load_on_error_raise_is_the_default(tmp_path):
    root = _good_and_bad(tmp_path)
    with pytest.raises(AudioFileError, match=r"b/2.wav': it starts with b'not audio'"):
        load_recordings(root)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_load_on_error_skip(tmp_path, n_jobs):
    root = _good_and_bad(tmp_path)
    with pytest.warns(
        DegradedResultWarning, match=r"2 of 5 file\(s\) in .* were not read.*b/2.wav"
    ):
        rec = load_recordings(root, on_error="skip", n_jobs=n_jobs)
    assert rec.devices.tolist() == ["a", "a", "b"]
    assert rec.names == ["1", "2", "1"]
    # a file that cannot be read keeps its take number
    assert rec.recording_ids.tolist() == [1, 2, 1]
    assert_allclose([s[0] for s in rec.signals], [0.1, 0.2, 0.3], rtol=1e-7)
    assert [p for p, _ in rec.skipped] == [
        str(root / "b" / n) for n in ("2.wav", "3.wav")
    ]
    assert re.search(r"2.wav': it starts with b'not audio', the", rec.skipped[0][1])
    assert re.search(r"3.wav' holds no samples", rec.skipped[1][1])
    assert rec.paths == [
        str(root / d / n) for d, n in [("a", "1.wav"), ("a", "2.wav"), ("b", "1.wav")]
    ]


def test_load_on_error_skip_missing_channel(tmp_path):
    (tmp_path / "a").mkdir()
    stereo = np.zeros((20, 2), np.int16)
    wavfile.write(tmp_path / "a" / "st.wav", 8000, stereo)
    wavfile.write(tmp_path / "a" / "mono.wav", 8000, stereo[:, 0])
    with pytest.warns(DegradedResultWarning, match="1 of 2"):
        rec = load_recordings(tmp_path, channel=1, on_error="skip")
    assert rec.names == ["st"]
    assert rec.recording_ids.tolist() == [2]
    assert re.search(r"mono.wav' has 1 channel.*channel=1", rec.skipped[0][1])


def test_load_on_error_skip_with_nothing_readable_raises(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "1.wav").write_bytes(b"")
    (tmp_path / "a" / "2.wav").write_text("text")
    with pytest.raises(
        AudioFileError, match=r"None of the 2 audio file\(s\) .* could be read: .*empty"
    ):
        load_recordings(tmp_path, on_error="skip")


def test_load_on_error_skip_clean_folder_does_not_warn(tmp_path):
    _write(tmp_path / "a" / "1.wav")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = load_recordings(tmp_path, on_error="skip")
    assert rec.skipped == ()


def test_load_bad_on_error(tmp_path):
    _write(tmp_path / "a" / "1.wav")
    with pytest.raises(
        InvalidParameterError,
        match=r"'on_error' parameter of load_recordings must be a str among "
        r"\{('raise', 'skip'|'skip', 'raise')\}. Got 'ignore'",
    ):
        load_recordings(tmp_path, on_error="ignore")
