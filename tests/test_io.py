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
        ("text", AudioFileError, "Cannot read .* as a WAV file.*not understood"),
        ("truncated", AudioFileError, "is truncated.*Reached EOF prematurely"),
        ("header_cut", AudioFileError, "Cannot read .* as a WAV file"),
        ("adpcm", AudioFileError, "Cannot read .*Unknown wave file format"),
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


@pytest.mark.parametrize(
    "kind, cause",
    [
        ("text", ValueError),
        ("header_cut", struct.error),
        ("adpcm", ValueError),
        ("truncated", wavfile.WavFileWarning),
    ],
)
def test_read_errors_chain_the_original(tmp_path, kind, cause):
    with pytest.raises(AudioFileError) as info:
        read_audio(_make_bad(tmp_path, kind))
    assert isinstance(info.value.__cause__, cause)


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
    (tmp_path / "zoom" / "notes.txt").write_text("ignored")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "zoom" / "._rec-2.wav").write_bytes(b"resource fork")
    rec = load_recordings(tmp_path)
    assert isinstance(rec, Recordings)
    assert rec.sr == 8000
    assert rec.devices.tolist() == ["Phone", "zoom", "zoom"]
    assert rec.recording_ids.tolist() == ["take", "rec-2", "rec-10"]
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
    assert rec.recording_ids.tolist() == ["2", "12", "1", "3"]
    assert rec.recording_ids.astype(int).tolist() == [2, 12, 1, 3]


def test_load_pattern_number_as_device(tmp_path):
    for name in ["mic-3.wav", "mic-10.wav", "other-3.wav"]:
        _write(tmp_path / name)
    rec = load_recordings(tmp_path, pattern=re.compile(r"[^-]+-(?P<device>\d+)\.wav"))
    assert rec.devices.tolist() == ["3", "3", "10"]
    assert rec.recording_ids.tolist() == ["mic-3", "other-3", "mic-10"]


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
    with pytest.warns(UserWarning, match="1 WAV file.*scratch.wav.*skipped"):
        rec = load_recordings(
            tmp_path, pattern=r"(?P<device>\w+)-\d+\.wav", unmatched="warn"
        )
    assert len(rec) == 2


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
    elif kind == "device_without_wav":
        _write(root / "a" / "1.wav")
        (root / "b").mkdir()
        (root / "b" / "1.mp3").write_bytes(b"")
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
        ("only_text", AudioFileError, r"no device folders and no WAV file"),
        ("device_without_wav", AudioFileError, r"b' holds no \.wav file"),
        ("loose_wav", AudioFileError, r"WAV files directly \(stray.wav\).*pattern="),
        ("no_wav_flat", AudioFileError, r"root' holds no \.wav file"),
        ("no_device_group", AudioFileError, r"no named group 'device'"),
        ("bad_regex", AudioFileError, r"not a valid regular expression"),
        ("unmatched", AudioFileError, r"1 WAV file.*odd name.wav.*unmatched='warn'"),
        ("none_matched_warn", AudioFileError, r"do not match pattern"),
        ("duplicate", AudioFileError, r"recording '1': a-1-x.wav, a-1-y.wav"),
        (
            "mixed_rates",
            AudioFileError,
            r"different sample rates \(8000 Hz: .*1.wav, .*2.wav; 44100 Hz: .*sr=",
        ),
        ("corrupt", AudioFileError, r"2.wav' as a WAV file"),
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
