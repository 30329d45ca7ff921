"""Compressed and container formats: read by content, provenance, nothing lost.

Every file is generated here with soundfile (libsndfile) or PyAV (FFmpeg)
encoders; what micfp returns is compared with what those libraries decode
when called directly.
"""

import hashlib
import io
import re
import sys
import tracemalloc
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from micfp.datasets import apply_coding, encode_audio, make_recordings
from micfp.exceptions import AudioError, AudioFileError, DegradedResultWarning
from micfp.io import AudioInfo, load_recordings, read_audio, write_audio

sf = pytest.importorskip("soundfile")
av = pytest.importorskip("av")

SR = 16000
RNG = np.random.default_rng(0)
STEREO = np.stack(
    [0.3 * np.sin(2 * np.pi * 440 * np.arange(SR) / SR), 0.05 * RNG.standard_normal(SR)]
).astype(np.float32)

# (libsndfile format, subtype) written with soundfile
SOUNDFILE_KINDS = {
    "flac": ("FLAC", "PCM_16"),
    "flac24": ("FLAC", "PCM_24"),
    "vorbis": ("OGG", "VORBIS"),
    "opus_sf": ("OGG", "OPUS"),
    "mp3_sf": ("MP3", "MPEG_LAYER_III"),
    "aiff": ("AIFF", "PCM_16"),
    "w64": ("W64", "PCM_24"),
    "caf": ("CAF", "ALAC_16"),
    "au": ("AU", "PCM_16"),
    "ulaw": ("WAV", "ULAW"),
    "alaw": ("WAV", "ALAW"),
    "ima_adpcm": ("WAV", "IMA_ADPCM"),
    "ms_adpcm": ("WAV", "MS_ADPCM"),
}
CONTAINER_OF = {"MPEG_LAYER_III": "MP3", "OGG": "OGG"}


def _soundfile_bytes(kind, channels=2):
    fmt, subtype = SOUNDFILE_KINDS[kind]
    rate = 48000 if subtype == "OPUS" else SR
    buffer = io.BytesIO()
    data = STEREO[:channels].T
    sf.write(buffer, data, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def _encode_all(out, stream, frames):
    for frame in frames:
        for packet in stream.encode(frame):
            out.mux(packet)


def _av_bytes(container, encoder, *, rate=SR, bit_rate=32000, video=False):
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        # every stream is added before the first packet is written
        if video:
            v = out.add_stream("mpeg4", rate=10)
            v.width = v.height = 32
            v.pix_fmt = "yuv420p"
        stream = out.add_stream(encoder, rate=rate, layout="mono")
        stream.bit_rate = bit_rate
        if video:
            images = []
            for i in range(10):
                image = np.zeros((32, 32, 3), np.uint8)
                images.append(av.VideoFrame.from_ndarray(image, format="rgb24"))
                images[-1].pts = i
                images[-1].time_base = Fraction(1, 10)
            _encode_all(out, v, [*images, None])
        x = STEREO[0, :rate]
        frame = av.AudioFrame.from_ndarray(x[None, :], format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        _encode_all(out, stream, [frame, None])
    return buffer.getvalue()


# files written by FFmpeg's encoders; MP3 and Ogg Opus are decoded by libsndfile
LIBSNDFILE_READS = {"mp3", "opus"}
AV_KINDS = {
    "m4a": lambda: encode_audio(STEREO[0], SR, "aac")[0],
    "mp3": lambda: encode_audio(STEREO[0], SR, "mp3")[0],
    "amr": lambda: encode_audio(STEREO[0], SR, "amr_nb")[0],
    "opus": lambda: encode_audio(STEREO[0], SR, "opus")[0],
    "adts": lambda: _av_bytes("adts", "aac"),
    "wma": lambda: _av_bytes("asf", "wmav2"),
    "3gp": lambda: _av_bytes("3gp", "libopencore_amrnb", rate=8000, bit_rate=12200),
    "mp4_video": lambda: _av_bytes("mp4", "aac", video=True),
}


def _direct_soundfile(path, dtype):
    data, rate = sf.read(path, dtype=dtype, always_2d=True)
    return data.T, rate


def _direct_av(path, dtype):
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        blocks = []
        for frame in container.decode(stream):
            array = frame.to_ndarray()
            n_channels = len(frame.layout.channels)
            array = array if frame.format.is_planar else array.reshape(-1, n_channels).T
            if array.dtype.kind == "i":
                array = array / 2.0 ** (8 * array.dtype.itemsize - 1)
            blocks.append(array.astype(dtype))
        return np.concatenate(blocks, axis=1), stream.codec_context.sample_rate


def _write(tmp_path, kind, name=None):
    data = _soundfile_bytes(kind) if kind in SOUNDFILE_KINDS else AV_KINDS[kind]()
    path = tmp_path / (name or f"{kind}.bin")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", sorted(SOUNDFILE_KINDS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soundfile_formats_read_by_content_as_soundfile_decodes(tmp_path, kind, dtype):
    # the .bin name says nothing: the format is found from the bytes
    path = _write(tmp_path, kind)
    expected, rate = _direct_soundfile(path, dtype)
    y, sr, info = read_audio(path, mono=False, dtype=dtype, return_info=True)
    assert sr == rate
    assert y.dtype == dtype
    fmt, subtype = SOUNDFILE_KINDS[kind]
    if subtype == "MPEG_LAYER_III":
        # libsndfile's MP3 samples differ in the last bit with the number of
        # frames a call reads (it reads whole files and blocks differently)
        np.testing.assert_allclose(y, expected, rtol=0, atol=2.0**-22)
    else:
        assert_array_equal(y, expected)
    assert info.container == CONTAINER_OF.get(subtype, fmt)
    assert info.codec == subtype
    assert (info.sr, info.n_channels, info.n_frames) == (rate, 2, expected.shape[1])
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size == path.stat().st_size
    assert info.decoder.startswith("soundfile ")
    assert info.bitrate > 0
    if subtype.startswith(("PCM", "ALAC")):
        assert info.bit_depth == int(subtype.split("_")[1])
    else:
        assert info.bit_depth is None


@pytest.mark.parametrize("kind", sorted(AV_KINDS))
def test_ffmpeg_formats_read_by_content_as_pyav_decodes(tmp_path, kind):
    path = _write(tmp_path, kind)
    direct = _direct_soundfile if kind in LIBSNDFILE_READS else _direct_av
    expected, rate = direct(path, np.float64)
    y, sr, info = read_audio(path, mono=False, dtype=np.float64, return_info=True)
    assert sr == rate
    if kind == "mp3":
        np.testing.assert_allclose(y, expected, rtol=0, atol=2.0**-22)
    else:
        assert_array_equal(y, expected)
    assert info.n_frames == expected.shape[1]
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.bit_depth is None and info.bitrate > 0
    assert info.decoder.startswith(
        "soundfile " if kind in LIBSNDFILE_READS else "PyAV "
    )
    assert info.duration == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize(
    "kind, container, codec",
    [
        ("m4a", "M4A", "aac"),
        ("amr", "AMR-NB", "amrnb"),
        ("wma", "ASF", "wmav2"),
        ("3gp", "3GP", "amrnb"),
        ("adts", "AAC", "aac"),
        ("opus", "OGG", "OPUS"),
        ("mp3", "MP3", "MPEG_LAYER_III"),
        ("mp4_video", "MP4", "aac"),
    ],
)
def test_provenance_names_container_and_codec(tmp_path, kind, container, codec):
    info = read_audio(_write(tmp_path, kind), return_info=True)[2]
    assert (info.container, info.codec) == (container, codec)
    assert info.to_dict()["duration"] == info.duration


def test_channel_mono_and_average(tmp_path):
    path = _write(tmp_path, "flac")
    both, _ = read_audio(path, mono=False, dtype=np.float64)
    assert_array_equal(read_audio(path, channel=1, dtype=np.float64)[0], both[1])
    assert_array_equal(
        read_audio(path, dtype=np.float64)[0], both.mean(axis=0, dtype=np.float64)
    )
    with pytest.raises(AudioError, match=r"has 2 channel\(s\); channel=2"):
        read_audio(path, channel=2)


def test_resampling_only_on_request(tmp_path):
    path = _write(tmp_path, "amr")
    y, sr = read_audio(path)
    assert sr == 8000
    y2, sr2 = read_audio(path, sr=16000)
    assert sr2 == 16000 and abs(len(y2) - 2 * len(y)) <= 1


def test_wav_provenance(tmp_path):
    path = tmp_path / "a.wav"
    write_audio(path, STEREO, SR, subtype="PCM_16")
    info = read_audio(path, return_info=True)[2]
    assert info == AudioInfo(
        path=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        size=path.stat().st_size,
        container="WAV",
        codec="PCM_16",
        sr=SR,
        n_channels=2,
        n_frames=SR,
        bit_depth=16,
        bitrate=SR * 2 * 16,
        decoder="micfp",
    )


# --------------------------------------------------------------------------
# Missing extra


def _without_extra(monkeypatch):
    # a None entry makes "import soundfile" raise ImportError
    monkeypatch.setitem(sys.modules, "soundfile", None)
    monkeypatch.setitem(sys.modules, "av", None)


@pytest.mark.parametrize(
    "kind, package",
    [("flac", "soundfile"), ("m4a", r"av \(PyAV\)"), ("ulaw", "soundfile")],
)
def test_missing_extra_names_it(tmp_path, kind, package, monkeypatch):
    path = _write(tmp_path, kind)
    _without_extra(monkeypatch)
    with pytest.raises(
        ImportError, match=rf"needs the optional package {package}.*micfp\[formats\]"
    ):
        read_audio(path)


def test_folder_of_unsupported_files_names_types_and_extra(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    for i in range(2):
        (tmp_path / "a" / f"{i}.flac").write_bytes(_soundfile_bytes("flac"))
    _without_extra(monkeypatch)
    with pytest.raises(ImportError, match=r"micfp\[formats\]"):
        load_recordings(tmp_path)
    with (
        pytest.raises(
            AudioFileError,
            match=r"The 2 .flac file\(s\) need soundfile or PyAV.*micfp\[formats\]",
        ),
        warnings.catch_warnings(),
    ):
        load_recordings(tmp_path, on_error="skip")


# --------------------------------------------------------------------------
# Folders: nothing left out silently


def test_mixed_folder_reads_every_audio_type(tmp_path):
    (tmp_path / "phone").mkdir()
    write_audio(tmp_path / "phone" / "1.wav", STEREO[0], SR)
    write_audio(tmp_path / "phone" / "2.wav", STEREO[0], SR)
    _write(tmp_path / "phone", "mp3_sf", name="3.mp3")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = load_recordings(tmp_path)
    assert rec.names == ["1", "2", "3"]
    assert rec.recording_ids.tolist() == [1, 2, 3]
    assert [p.container for p in rec.provenance] == ["WAV", "WAV", "MP3"]
    assert rec.skipped == ()
    assert rec.subset(rec.recording_ids <= 2).provenance == rec.provenance[:2]

    with pytest.warns(DegradedResultWarning, match=r"1 of 3 file.*3.mp3"):
        only_wav = load_recordings(tmp_path, extensions=[".WAV"])
    assert only_wav.names == ["1", "2"]
    assert only_wav.skipped == (
        (
            str(tmp_path / "phone" / "3.mp3"),
            "its extension '.mp3' is not among extensions=['.wav']",
        ),
    )


def test_audio_with_an_unknown_name_is_read_by_content(tmp_path):
    (tmp_path / "a").mkdir()
    _write(tmp_path / "a", "flac", name="take.dat")
    (tmp_path / "a" / "notes.txt").write_text("case notes")
    with pytest.warns(DegradedResultWarning, match="notes.txt"):
        rec = load_recordings(tmp_path)
    assert rec.names == ["take"] and rec.provenance[0].container == "FLAC"


def test_readme_quickstart_on_loaded_files(tmp_path):
    simulated = make_recordings(n_devices=4, n_recordings=3, duration=5, random_state=0)
    for signal, device, take in zip(
        simulated.signals, simulated.devices, simulated.recording_ids, strict=True
    ):
        (tmp_path / f"device{device}").mkdir(exist_ok=True)
        write_audio(
            tmp_path / f"device{device}" / f"take-{take}.wav", signal, simulated.sr
        )
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)[0]
    line = re.search(r"^recordings = make_recordings\(.*\)$", block, flags=re.MULTILINE)
    assert line is not None
    block = block.replace(
        line.group(0), f"recordings = load_recordings({str(tmp_path)!r})"
    )
    namespace = {"load_recordings": load_recordings}
    exec(compile(block, "README.md", "exec"), namespace)
    assert sorted(set(namespace["test"].recording_ids.tolist())) == [3]
    assert len(namespace["train"]) == 8


# --------------------------------------------------------------------------
# Coding conditions


@pytest.mark.parametrize("codec", ["aac", "mp3", "amr_nb", "opus"])
def test_apply_coding_changes_the_signal_but_keeps_it(codec):
    rec = make_recordings(
        n_devices=2, n_recordings=1, duration=1, sr=16000, random_state=0
    )
    coded = apply_coding(rec, codec)
    for a, b in zip(rec.signals, coded.signals, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert not np.array_equal(a, b)
        # aligned: the coded signal follows the original
        assert np.corrcoef(a, b)[0, 1] > 0.5
    assert_array_equal(coded.devices, rec.devices)


def test_bitrate_changes_the_coding():
    x = STEREO[0]
    low, _ = encode_audio(x, SR, "mp3", bitrate=32000)
    high, _ = encode_audio(x, SR, "mp3", bitrate=128000)
    assert len(low) < len(high)


# --------------------------------------------------------------------------
# Hostile files for each format


ALL_KINDS = sorted(SOUNDFILE_KINDS) + sorted(AV_KINDS)


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("cut", [0.5, 40, 0])
def test_truncated_files_raise_or_say_so(tmp_path, kind, cut):
    data = _write(tmp_path, kind).read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    path = tmp_path / f"cut-{kind}.wav"
    path.write_bytes(data[:n])
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            y, _ = read_audio(path)
    except AudioError as exc:
        assert repr(str(path)) in str(exc)
    else:
        assert n > 0 and np.isfinite(y).all()


@pytest.mark.parametrize("suffix", [".flac", ".m4a", ".mp3", ".amr", ".ogg", ".wav"])
def test_non_audio_with_an_audio_name(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(b"%PDF-1.7 not audio at all" * 10)
    with pytest.raises(
        AudioFileError, match=rf"x\{suffix}'.*Its name ends in '\{suffix}'"
    ):
        read_audio(path)


def _flac_declaring(n_frames):
    data = bytearray(_soundfile_bytes("flac", channels=1))
    # STREAMINFO: 36 bits of total samples end at byte 8 + 18 + 5 - 1 of the block
    start = 4 + 4 + 13
    packed = int.from_bytes(data[start : start + 5], "big")
    packed = (packed & ~((1 << 36) - 1)) | (n_frames & ((1 << 36) - 1))
    data[start : start + 5] = packed.to_bytes(5, "big")
    return bytes(data)


@pytest.mark.parametrize("declared", [100, None])
def test_decoder_output_is_bounded(declared):
    from micfp.io._decoders import _FRAMES_PER_BYTE, _Sink

    sink = _Sink(
        "x.m4a",
        1,
        declared=declared,
        file_size=10,
        dtype=np.dtype(np.float32),
        mono=True,
        channel=None,
    )
    limit = 2 * declared if declared else 10 * _FRAMES_PER_BYTE
    sink.add(np.zeros((limit, 1), np.float32))
    with pytest.raises(
        AudioFileError, match=rf"x.m4a': the decoder gives more than {limit}"
    ):
        sink.add(np.zeros((1, 1), np.float32))


SEEDS = {kind: None for kind in ALL_KINDS}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(ALL_KINDS),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8),
    cut=st.floats(0.05, 1.0),
)
def test_fuzzed_files_read_or_raise_micfp_errors(tmp_path, kind, edits, cut):
    if SEEDS[kind] is None:
        SEEDS[kind] = _write(tmp_path, kind).read_bytes()
    data = bytearray(SEEDS[kind])
    for where, value in edits:
        data[min(len(data) - 1, int(where * len(data)))] = value
    data = bytes(data[: max(1, int(cut * len(data)))])
    path = tmp_path / f"fuzz-{kind}"
    path.write_bytes(data)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            y, _ = read_audio(path)
    except AudioError as exc:
        assert repr(str(path)) in str(exc)
    else:
        assert y.ndim == 1 and np.isfinite(y).all()
        assert len(y) <= 2 * 48000 * 2


def test_non_finite_float_samples_raise(tmp_path):
    data = STEREO.T.copy()
    data[5, 1] = np.nan
    data[7, 0] = np.inf
    path = tmp_path / "nan.aiff"
    sf.write(path, data, SR, format="AIFF", subtype="FLOAT")
    with pytest.raises(AudioError, match=r"nan.aiff' holds 2 NaN or infinite"):
        read_audio(path, mono=False)


def _lying(kind):
    """A file whose header declares 2**31 - 1 samples a channel more than it holds."""
    data = bytearray(_soundfile_bytes(kind, channels=1))
    huge = (2**31 - 1).to_bytes(4, "big")
    if kind == "aiff":
        # COMM: id, size, channels (2 bytes), then the number of frames
        at = data.index(b"COMM") + 10
        data[at : at + 4] = huge
    elif kind == "au":
        data[8:12] = huge  # data size in bytes
    else:
        return _flac_declaring(2**35)
    return bytes(data)


@pytest.mark.parametrize("kind", ["aiff", "au", "flac"])
def test_lying_headers_are_bounded(tmp_path, kind):
    path = tmp_path / f"lying.{kind}"
    path.write_bytes(_lying(kind))
    tracemalloc.start()
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            y, _ = read_audio(path)
    except AudioError as exc:
        # libsndfile refuses the file or reads none of it (AU), or micfp
        # reads what it holds: never an allocation of the declared size
        # (128 GiB for the FLAC file)
        assert f"lying.{kind}" in str(exc)
    else:
        assert len(y) == SR
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 4 * 32 * path.stat().st_size + 2**22


@pytest.mark.parametrize("name", ["pipe:0", "concat:a.m4a", "é ü.m4a", "file:x.flac"])
def test_names_that_look_like_protocols_are_files(tmp_path, monkeypatch, name):
    kind = "flac" if name.endswith(".flac") else "m4a"
    _write(tmp_path, kind, name=name)
    monkeypatch.chdir(tmp_path)
    y, _, info = read_audio(name, return_info=True)
    assert info.path == name and len(y) > 0
