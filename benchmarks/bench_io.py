"""Reading long WAV files: peak memory and time of micfp.io.read_audio against scipy.

60 s recordings at 44.1 kHz, 16- and 24-bit PCM, mono and stereo, read as
float32 and float64, averaged to one channel (``mono=True``) and kept as
channels (``mono=False``). The reference is what one writes with SciPy:
:func:`scipy.io.wavfile.read`, then a conversion to float scaled by the full
scale of the container, then the channel average.

For each case the table prints the peak memory a read allocates, as
:mod:`tracemalloc` sees it (NumPy reports its buffers there), divided by the
size of the returned array: 1.00 means the read held nothing but its result.
With ``--rss`` (Linux) it also prints the growth of the peak resident set
size of a fresh process that reads the file once, in the same unit. The target is a
micfp ratio of at most 1.1. The last columns are median times of several
repeats, micfp and the reference run alternately, and their ratio. The two
results are checked to agree before anything is measured.

Run: ``python benchmarks/bench_io.py [--duration 60] [--repeats 5] [--rss]``
"""

import argparse
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from micfp.io import read_audio

SR = 44_100
TARGET = 1.1
_FULL_SCALE = {
    np.dtype(np.int16): 2.0**15,
    np.dtype(np.int32): 2.0**31,
}


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


def _scipy_read(path, dtype, mono):
    """Read as one would with scipy alone: read, scale, average channels."""
    _, data = wavfile.read(path)
    signal = data.astype(dtype)
    signal *= 1.0 / _FULL_SCALE[data.dtype]
    signal = signal[np.newaxis] if signal.ndim == 1 else signal.T
    if mono:
        return signal[0] if signal.shape[0] == 1 else signal.mean(axis=0)
    return np.ascontiguousarray(signal)


def _micfp_read(path, dtype, mono):
    return read_audio(path, mono=mono, dtype=dtype)[0]


READERS = {"micfp": _micfp_read, "scipy": _scipy_read}


def _peak_ratio(reader, path, dtype, mono):
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = reader(path, dtype, mono)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / out.nbytes


def _rss_ratio(reader_name, path, dtype, mono):
    """Growth of the peak RSS of a fresh process reading ``path`` once."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", reader_name, str(path), dtype, str(mono)],
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


def _child(reader_name, path, dtype, mono):
    reader = READERS[reader_name]
    # Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current one
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_kib("VmRSS")
    out = reader(path, np.dtype(dtype), mono == "True")
    print((_status_kib("VmHWM") - before) * 1024 / out.nbytes)


def _median_times(first, second, repeats):
    first()
    second()
    times = np.empty((repeats, 2))
    for r in range(repeats):
        for j, func in enumerate((first, second)):
            start = time.perf_counter()
            func()
            times[r, j] = time.perf_counter() - start
    return np.median(times, axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rss", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    rng = np.random.default_rng(0)
    n = int(args.duration * SR)
    rss_head = f" {'rss micfp':>9} {'rss scipy':>9}" if args.rss else ""
    header = (
        f"{'file':<16} {'output':<17} {'peak micfp':>10} {'peak scipy':>10}"
        f"{rss_head} {'micfp s':>8} {'scipy s':>8} {'ratio':>6}  peak <= {TARGET}"
    )
    print(
        f"{args.duration:g} s at {SR} Hz; peak = allocated bytes / output bytes; "
        f"times are medians of {args.repeats} repeats"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for bits in (16, 24):
            for channels in (1, 2):
                full = 2 ** (bits - 1)
                samples = rng.integers(-full, full, size=(n, channels))
                path = Path(tmp) / f"{bits}-{channels}.wav"
                _write_pcm(path, samples, bits)
                del samples
                for dtype in (np.dtype(np.float32), np.dtype(np.float64)):
                    for mono in (True, False) if channels > 1 else (True,):
                        ours = _micfp_read(path, dtype, mono)
                        ref = _scipy_read(path, dtype, mono)
                        np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-7)
                        del ours, ref
                        peaks = [
                            _peak_ratio(READERS[name], path, dtype, mono)
                            for name in ("micfp", "scipy")
                        ]
                        rss = ""
                        if args.rss:
                            rss = "".join(
                                f" {_rss_ratio(name, path, dtype.name, mono):9.2f}"
                                for name in ("micfp", "scipy")
                            )
                        t_ours, t_ref = _median_times(
                            lambda p=path, d=dtype, m=mono: _micfp_read(p, d, m),
                            lambda p=path, d=dtype, m=mono: _scipy_read(p, d, m),
                            args.repeats,
                        )
                        layout = "mono" if mono else "channels"
                        print(
                            f"{bits}-bit {'mono' if channels == 1 else 'stereo':<9} "
                            f"{dtype.name + ' ' + layout:<17} {peaks[0]:10.2f} "
                            f"{peaks[1]:10.2f}{rss} {t_ours:8.4f} {t_ref:8.4f} "
                            f"{t_ours / t_ref:6.2f}  "
                            f"{'yes' if peaks[0] <= TARGET else 'no'}"
                        )


if __name__ == "__main__":
    main()
