"""Speed and memory of NoiseResidual and LogSpectrum against their references.

Three measurements, each side by side in this one run:

1. ``LogSpectrum()`` on 18000 x 4096 float32 clips (the size of Qi et al.'s
   training set) against the bare ``np.log1p(np.abs(scipy.fft.rfft(X)))``;
   target: at most 1.2 times its time.
2. ``NoiseResidual(wavelet="db8", level=5, threshold="universal", mode="soft")``
   on 1000 x 4096 float64 clips against ``skimage.restoration.denoise_wavelet``
   applied row by row with the same settings (VisuShrink); target: at least
   3 times faster, with the same output (largest relative difference shown).
3. Peak memory of ``NoiseResidual().transform`` on a 2 GiB batch, in a fresh
   subprocess per measurement: the peak resident size (``VmHWM`` of
   ``/proc/self/status``, the per-process form of ``ru_maxrss``, which a
   child can inherit from the parent it was forked from) minus the size
   before the batch was allocated, divided by the batch size; target: at
   most 3 (the input and the output alone take 2). tracemalloc's peak is
   shown as a cross-check.

Timings are medians of ``--repeats`` runs, with micfp and the reference
alternating, so that load from other processes hits both alike.

Run: ``python benchmarks/bench_denoise_spectrum.py [--repeats 7] [--memory-gib 2]``
"""

import argparse
import json
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.fft

from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum

NR_PARAMS = {"wavelet": "db8", "level": 5, "threshold": "universal", "mode": "soft"}


def _alternate(first, second, repeats):
    """Median seconds of two callables, run alternately ``repeats`` times."""
    times = np.empty((repeats, 2))
    for i in range(repeats):
        for j, func in enumerate((first, second)):
            start = time.perf_counter()
            func()
            times[i, j] = time.perf_counter() - start
    return np.median(times, axis=0)


def bench_log_spectrum(repeats):
    X = np.random.default_rng(0).standard_normal((18000, 4096), dtype=np.float32)
    X *= 0.1
    spectrum = LogSpectrum().fit(X[:1])

    def reference():
        return np.log1p(np.abs(scipy.fft.rfft(X, axis=-1)))

    ours, ref = spectrum.transform(X), reference()
    difference = np.abs(ours - ref).max()
    t_ours, t_ref = _alternate(lambda: spectrum.transform(X), reference, repeats)
    return {
        "name": "LogSpectrum, 18000 x 4096 float32",
        "micfp_s": t_ours,
        "reference_s": t_ref,
        "ratio": t_ours / t_ref,
        "ratio_label": "micfp / reference time",
        "target": "<= 1.2",
        "met": t_ours / t_ref <= 1.2,
        "note": f"max |difference| {difference:.1e}",
    }


def bench_noise_residual(repeats):
    from skimage.restoration import denoise_wavelet

    rng = np.random.default_rng(1)
    t = np.arange(4096) / 44100
    tones = np.sin(2 * np.pi * rng.uniform(50, 4000, (1000, 1)) * t)
    X = 0.3 * tones + 0.02 * rng.standard_normal((1000, 4096))
    residual = NoiseResidual(**NR_PARAMS).fit(X[:1])

    def reference():
        return np.stack(
            [
                row
                - denoise_wavelet(
                    row,
                    wavelet="db8",
                    wavelet_levels=5,
                    method="VisuShrink",
                    mode="soft",
                )
                for row in X
            ]
        )

    ours, ref = residual.transform(X), reference()
    scale = np.abs(ref).max(axis=1)
    relative = (np.abs(ours - ref).max(axis=1) / scale).max()
    t_ours, t_ref = _alternate(lambda: residual.transform(X), reference, repeats)
    return {
        "name": "NoiseResidual db8/5/universal/soft, 1000 x 4096 float64",
        "micfp_s": t_ours,
        "reference_s": t_ref,
        "ratio": t_ref / t_ours,
        "ratio_label": "speed-up over skimage row by row",
        "target": ">= 3",
        "met": t_ref / t_ours >= 3,
        "note": f"max relative difference per row {relative:.1e}",
    }


_MEMORY_CHILD = """
import json, resource, sys, time, tracemalloc
import numpy as np
from micfp.denoise import NoiseResidual


def high_water_mark():
    # VmHWM belongs to this process's address space, which exec starts afresh;
    # ru_maxrss can carry the high-water mark of the parent that forked it.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


n_bytes, dtype = int(sys.argv[1]), np.dtype(sys.argv[2])
n_samples = 4096
n_clips = n_bytes // (n_samples * dtype.itemsize)
estimator = NoiseResidual(wavelet="db8", level=5).fit(np.zeros((1, n_samples), dtype))
before = high_water_mark()
tracemalloc.start()
X = np.empty((n_clips, n_samples), dtype=dtype)
rng = np.random.default_rng(0)
for start in range(0, n_clips, 4096):
    X[start : start + 4096] = rng.standard_normal(
        (min(4096, n_clips - start), n_samples), dtype=dtype
    )
start = time.perf_counter()
residual = estimator.transform(X)
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1]
peak = high_water_mark()
print(json.dumps({"n_clips": n_clips, "input_bytes": X.nbytes,
                  "peak_bytes": peak - before, "traced_bytes": traced,
                  "seconds": seconds}))
"""


def bench_memory(gib, dtype):
    n_bytes = int(gib * 2**30)
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(n_bytes), dtype],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = result["peak_bytes"] / result["input_bytes"]
    traced = result["traced_bytes"] / result["input_bytes"]
    return {
        "name": (
            f"NoiseResidual peak memory, {result['input_bytes'] / 2**30:.2f} GiB "
            f"{dtype} ({result['n_clips']} x 4096)"
        ),
        "micfp_s": result["seconds"],
        "reference_s": float("nan"),
        "ratio": ratio,
        "ratio_label": "peak resident memory above start / input size",
        "target": "<= 3",
        "met": ratio <= 3,
        "note": (
            f"peak {result['peak_bytes'] / 2**30:.2f} GiB above start "
            f"(VmHWM); tracemalloc peak {traced:.2f} x input"
        ),
    }


def main(argv=None):
    """Run the three measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--memory-gib", type=float, default=2.0)
    parser.add_argument("--memory-dtypes", nargs="+", default=["float32", "float64"])
    args = parser.parse_args(argv)

    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}; "
        f"{args.repeats} alternating repeats, medians\n"
    )
    # Memory first, while this process is still small.
    memory_rows = [bench_memory(args.memory_gib, d) for d in args.memory_dtypes]
    with warnings.catch_warnings():
        # scikit-image's warnings do not concern the comparison.
        warnings.simplefilter("ignore", UserWarning)
        rows = [bench_log_spectrum(args.repeats), bench_noise_residual(args.repeats)]
    rows += memory_rows

    header = (
        f"{'measurement':<58} {'micfp s':>8} {'ref s':>8} {'ratio':>7}  target  met"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['name']:<58} {row['micfp_s']:8.3f} {row['reference_s']:8.3f} "
            f"{row['ratio']:7.2f}  {row['target']:<6}  {'yes' if row['met'] else 'NO'}"
        )
    print()
    for row in rows:
        print(f"{row['name']}: ratio is {row['ratio_label']}; {row['note']}")
    return rows


if __name__ == "__main__":
    main()
