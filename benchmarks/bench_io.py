"""Reading long WAV files: peak memory and time of micfp.io.read_audio against scipy.

60 s recordings at 44.1 kHz, 16- and 24-bit PCM, mono and stereo, read as
float32 and float64, averaged to one channel (``mono=True``) and kept as
channels (``mono=False``); and two files resampled to 16 kHz on reading
(``sr=16000``). The reference is what one writes with SciPy:
:func:`scipy.io.wavfile.read`, then a conversion to float scaled by the full
scale of the container, then the channel average (then
:func:`scipy.signal.resample_poly`, for the resampled files). The two results
are checked to agree before anything is measured.

Each case gives two rows. The memory row holds the peak memory a read
allocates, as :mod:`tracemalloc` sees it (NumPy reports its buffers there),
beside the size of the returned array; their ratio is 1.00 when the read held
nothing but its result. Target: at most 1.1. The reference's peak, in the
same unit, is in the row's note. With ``--rss`` (Linux) the note also gives
the growth of the peak resident set size of a fresh process that reads the
file once, for both sides. Resampling holds the resampler's input and output
at once, so the resampled cases report their peak without a target. The time
row holds the median times of several repeats, micfp and the reference taking
turns, and micfp's time over the reference's, with no target.

Compressed formats (FLAC, OGG Vorbis, MP3, AIFF through soundfile; M4A/AAC,
AMR-NB and WMA through PyAV) give two more rows each: micfp's peak memory and
median time against the same file decoded by calling soundfile
(``soundfile.read``) or PyAV (decoding every frame and concatenating)
directly, with the channels kept (``mono=False``) in float32. Target: both
ratios at most 1.2. The files are written by the same libraries' encoders.

Run: ``python benchmarks/bench_io.py [--duration 60] [--repeats 5] [--rss]
[--quick] [--json PATH]``
"""

import math
import struct
import subprocess
import sys
import tempfile
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import _harness
import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

from micfp.io import read_audio

FORMAT_TARGET = 1.2

SR = 44_100
RESAMPLED_SR = 16_000
TARGET = 1.1
MIB = 2**20
_FULL_SCALE = {
    np.dtype(np.int16): 2.0**15,
    np.dtype(np.int32): 2.0**31,
}


@dataclass(frozen=True)
class Case:
    """One read: the file's format and what is asked of the reader."""

    bits: int
    channels: int
    dtype: np.dtype
    mono: bool
    sr: int | None = None

    @property
    def file(self):
        """The file's bit depth and channels, as text."""
        return f"{self.bits}-bit {'mono' if self.channels == 1 else 'stereo'}"

    @property
    def label(self):
        """The file and what the reader returns, as text."""
        layout = "mono" if self.mono else "channels"
        rate = "" if self.sr is None else f" at {self.sr / 1000:g} kHz"
        return f"{self.file} -> {self.dtype.name} {layout}{rate}"


def _cases():
    cases = [
        Case(bits, channels, np.dtype(dtype), mono)
        for bits in (16, 24)
        for channels in (1, 2)
        for dtype in (np.float32, np.float64)
        for mono in ((True, False) if channels > 1 else (True,))
    ]
    cases += [
        Case(16, channels, np.dtype(np.float32), True, RESAMPLED_SR)
        for channels in (1, 2)
    ]
    return cases


def _write_pcm(path, samples, bits):
    """Write integer ``samples`` of shape (n_frames, n_channels) as PCM."""
    channels = samples.shape[1]
    if bits == 24:
        wide = samples.astype("<i4").reshape(-1, 1).view(np.uint8)
        data = wide.reshape(-1, 4)[:, :3].tobytes()
    else:
        data = samples.astype("<i2").tobytes()
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, SR, SR * block, block, bits)
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def _scipy_read(path, dtype, mono, sr):
    """Read as one would with scipy alone: read, scale, average, resample."""
    rate, data = wavfile.read(path)
    signal = data.astype(dtype)
    signal *= 1.0 / _FULL_SCALE[data.dtype]
    signal = signal[np.newaxis] if signal.ndim == 1 else signal.T
    if mono:
        signal = signal[0] if signal.shape[0] == 1 else signal.mean(axis=0)
    if sr is not None and sr != rate:
        g = math.gcd(sr, rate)
        signal = resample_poly(signal, sr // g, rate // g, axis=-1).astype(dtype)
    return np.ascontiguousarray(signal)


def _micfp_read(path, dtype, mono, sr):
    return read_audio(path, sr=sr, mono=mono, dtype=dtype)[0]


READERS = {"micfp": _micfp_read, "scipy": _scipy_read}


def _traced_peak(reader, path, case):
    """Bytes allocated at the peak of one read, and the returned array's."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = reader(path, case.dtype, case.mono, case.sr)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, out.nbytes


def _rss_ratio(reader_name, path, case):
    """Growth of the peak RSS of a fresh process reading ``path`` once."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            reader_name,
            str(path),
            case.dtype.name,
            str(case.mono),
            str(case.sr or 0),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout)


def _status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def _child(reader_name, path, dtype, mono, sr):
    reader = READERS[reader_name]
    # Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current one
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_kib("VmRSS")
    out = reader(path, np.dtype(dtype), mono == "True", int(sr) or None)
    print((_status_kib("VmHWM") - before) * 1024 / out.nbytes)


def measure(path, case, repeats, rss):
    """Return the memory row and the time row of one case."""
    ours = _micfp_read(path, case.dtype, case.mono, case.sr)
    ref = _scipy_read(path, case.dtype, case.mono, case.sr)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6 if case.sr else 1e-7)
    del ours, ref

    peak, output = _traced_peak(_micfp_read, path, case)
    scipy_peak, _ = _traced_peak(_scipy_read, path, case)
    ratio = peak / output
    note = f"scipy's peak {scipy_peak / MIB:.3g} MiB, {scipy_peak / output:.2f}x output"
    if rss:
        growth = {name: _rss_ratio(name, path, case) for name in READERS}
        note += (
            f"; peak RSS growth of a fresh process over output: "
            f"micfp {growth['micfp']:.2f}x, scipy {growth['scipy']:.2f}x"
        )
    if case.sr is not None:
        note += "; resampling holds its input and output at once: no target"
    memory = _harness.Row(
        f"{case.label}, peak memory",
        peak / MIB,
        output / MIB,
        ratio,
        "" if case.sr else f"peak <= {TARGET:g}x output",
        None if case.sr else bool(ratio <= TARGET),
        "MiB",
        "returned array",
        note=note,
    )

    times = _harness.time_alternately(
        {
            name: lambda r=reader: r(path, case.dtype, case.mono, case.sr)
            for name, reader in READERS.items()
        },
        repeats,
    )
    steps = "read + scale + mean" + (" + resample_poly" if case.sr else "")
    timing = _harness.Row(
        f"{case.label}, time",
        times["micfp"].median,
        times["scipy"].median,
        times["micfp"].median / times["scipy"].median,
        "",
        None,
        "s",
        f"scipy {steps}",
        samples={"micfp": times["micfp"].samples, "reference": times["scipy"].samples},
    )
    return [memory, timing]


def _soundfile_direct(path):
    import soundfile as sf

    return sf.read(path, dtype="float32", always_2d=True)[0].T


def _av_direct(path):
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        blocks = [frame.to_ndarray() for frame in container.decode(stream)]
    return np.concatenate(blocks, axis=1).astype(np.float32, copy=False)


def _write_formats(folder, duration):
    """Write one file per compressed format; return ``{label: (path, reference)}``."""
    import soundfile as sf

    from micfp.datasets import encode_audio

    rng = np.random.default_rng(1)
    t = np.arange(int(duration * SR)) / SR
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([tone, 0.05 * rng.standard_normal(len(t))], axis=1)
    files = {}
    for label, fmt, subtype in [
        ("FLAC 16-bit stereo", "FLAC", "PCM_16"),
        ("OGG Vorbis stereo", "OGG", "VORBIS"),
        ("MP3 stereo (libsndfile)", "MP3", "MPEG_LAYER_III"),
        ("AIFF 16-bit stereo", "AIFF", "PCM_16"),
    ]:
        path = Path(folder) / f"{fmt}-{subtype}"
        sf.write(path, stereo, SR, format=fmt, subtype=subtype)
        files[label] = (path, _soundfile_direct)
    for label, codec in [("M4A AAC mono", "aac"), ("AMR-NB mono", "amr_nb")]:
        data, suffix = encode_audio(tone, SR, codec)
        path = Path(folder) / f"{codec}{suffix}"
        path.write_bytes(data)
        files[label] = (path, _av_direct)
    return files


def _format_peak(reader, path):
    tracemalloc.start()
    try:
        out = reader(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, out.nbytes


def _micfp_channels(path):
    return read_audio(path, mono=False)[0]


def measure_format(label, path, direct, repeats):
    """Return the memory row and the time row of one compressed format."""
    ours = _micfp_channels(path)
    ref = direct(path)
    # MP3 through libsndfile differs in the last bit with the read size
    np.testing.assert_allclose(ours, ref, rtol=0, atol=2.0**-20)
    del ours, ref
    peak, output = _format_peak(_micfp_channels, path)
    ref_peak, _ = _format_peak(direct, path)
    reference = direct.__name__.strip("_").replace("_direct", "")
    memory = _harness.Row(
        f"{label}, peak memory",
        peak / MIB,
        ref_peak / MIB,
        peak / ref_peak,
        f"<= {FORMAT_TARGET:g}x {reference}",
        bool(peak / ref_peak <= FORMAT_TARGET),
        "MiB",
        f"{reference} called directly",
        note=f"output {output / MIB:.3g} MiB",
    )
    times = _harness.time_alternately(
        {"micfp": lambda: _micfp_channels(path), "direct": lambda: direct(path)},
        repeats,
    )
    ratio = times["micfp"].median / times["direct"].median
    timing = _harness.Row(
        f"{label}, time",
        times["micfp"].median,
        times["direct"].median,
        ratio,
        f"<= {FORMAT_TARGET:g}x {reference}",
        bool(ratio <= FORMAT_TARGET),
        "s",
        f"{reference} called directly",
        samples={"micfp": times["micfp"].samples, "reference": times["direct"].samples},
    )
    return [memory, timing]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(*argv[1:6])
        return

    def configure(parser):
        parser.add_argument("--duration", type=float, default=60.0)
        parser.add_argument("--repeats", type=int, default=5)
        parser.add_argument(
            "--rss",
            action="store_true",
            help="also measure the peak RSS of a fresh process (Linux)",
        )

    args = _harness.parse_args(
        __doc__, configure, quick={"duration": 20.0, "repeats": 2}, argv=argv
    )
    run = _harness.Run(args, __doc__)
    run.note(
        f"{args.duration:g} s at {SR} Hz; peak: bytes allocated (tracemalloc); "
        f"times: medians of {args.repeats} repeats, micfp and scipy taking turns"
    )
    rng = np.random.default_rng(0)
    n = int(args.duration * SR)
    cases = _cases()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for bits, channels in sorted({(c.bits, c.channels) for c in cases}):
            full = 2 ** (bits - 1)
            samples = rng.integers(-full, full, size=(n, channels))
            path = Path(tmp) / f"{bits}-{channels}.wav"
            _write_pcm(path, samples, bits)
            del samples
            for case in cases:
                if (case.bits, case.channels) == (bits, channels):
                    rows += measure(path, case, args.repeats, args.rss)
                    print(f"  {case.label}: peak {rows[-2].ratio:.2f}x", flush=True)
        for label, (path, direct) in _write_formats(tmp, args.duration).items():
            rows += measure_format(label, path, direct, args.repeats)
            print(
                f"  {label}: peak {rows[-2].ratio:.2f}x, time {rows[-1].ratio:.2f}x",
                flush=True,
            )
    run.finish(
        rows,
        footnotes=[
            "",
            "time rows: the ratio is micfp's time over scipy's (below 1: micfp "
            "is faster); they carry no target.",
        ],
    )


if __name__ == "__main__":
    main()
