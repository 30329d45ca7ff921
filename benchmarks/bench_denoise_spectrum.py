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

Run: ``python benchmarks/bench_denoise_spectrum.py [--repeats 7] [--memory-gib 2]
[--quick] [--json PATH]``
"""

import json
import subprocess
import sys
import warnings

import _harness
import numpy as np
import scipy.fft

from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum

NR_PARAMS = {"wavelet": "db8", "level": 5, "threshold": "universal", "mode": "soft"}


def bench_log_spectrum(repeats, n_clips):
    X = np.random.default_rng(0).standard_normal((n_clips, 4096), dtype=np.float32)
    X *= 0.1
    spectrum = LogSpectrum().fit(X[:1])

    def reference():
        return np.log1p(np.abs(scipy.fft.rfft(X, axis=-1)))

    ours, ref = spectrum.transform(X), reference()
    difference = np.abs(ours - ref).max()
    del ours, ref
    # the first calls above were the warm-up
    t = _harness.time_alternately(
        {"micfp": lambda: spectrum.transform(X), "reference": reference},
        repeats,
        warmup=False,
    )
    return _harness.time_ratio(
        f"LogSpectrum, {n_clips} x 4096 float32",
        t["micfp"],
        t["reference"],
        at_most=1.2,
        compared_with="np.log1p(np.abs(scipy.fft.rfft(X)))",
        note=f"max |difference| {difference:.1e}",
    )


def bench_noise_residual(repeats, n_clips):
    from skimage.restoration import denoise_wavelet

    rng = np.random.default_rng(1)
    t = np.arange(4096) / 44100
    tones = np.sin(2 * np.pi * rng.uniform(50, 4000, (n_clips, 1)) * t)
    X = 0.3 * tones + 0.02 * rng.standard_normal((n_clips, 4096))
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
    t = _harness.time_alternately(
        {"micfp": lambda: residual.transform(X), "reference": reference},
        repeats,
        warmup=False,
    )
    return _harness.faster(
        f"NoiseResidual db8/5/universal/soft, {n_clips} x 4096 float64",
        t["micfp"],
        t["reference"],
        at_least=3,
        compared_with="skimage denoise_wavelet, row by row",
        note=f"max relative difference per row {relative:.1e}",
    )


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
    peak = result["peak_bytes"] / 2**30
    size = result["input_bytes"] / 2**30
    traced = result["traced_bytes"] / result["input_bytes"]
    return _harness.Row(
        (
            f"NoiseResidual peak memory, {size:.2f} GiB {dtype} "
            f"({result['n_clips']} x 4096)"
        ),
        peak,
        size,
        peak / size,
        "peak <= 3x input",
        bool(peak / size <= 3),
        "GiB",
        "input size",
        note=(
            f"peak resident memory above the start (VmHWM); transform took "
            f"{result['seconds']:.2f} s; tracemalloc peak {traced:.2f} x input"
        ),
    )


def main(argv=None):
    """Run the three measurements and print the table."""
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=7),
            p.add_argument("--memory-gib", type=float, default=2.0),
            p.add_argument(
                "--memory-dtypes", nargs="+", default=["float32", "float64"]
            ),
            p.add_argument("--n-spectrum", type=int, default=18000),
            p.add_argument("--n-residual", type=int, default=1000),
        ),
        quick={
            "repeats": 2,
            "memory_gib": 0.05,
            "n_spectrum": 500,
            "n_residual": 50,
        },
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    run.note(
        f"numpy {np.__version__}, scipy {scipy.__version__}; "
        f"{args.repeats} alternating repeats, medians"
    )
    # Memory first, while this process is still small.
    memory_rows = [bench_memory(args.memory_gib, d) for d in args.memory_dtypes]
    with warnings.catch_warnings():
        # scikit-image's warnings do not concern the comparison.
        warnings.simplefilter("ignore", UserWarning)
        rows = [
            bench_log_spectrum(args.repeats, args.n_spectrum),
            bench_noise_residual(args.repeats, args.n_residual),
        ]
    rows += memory_rows
    run.finish(rows)
    return rows


if __name__ == "__main__":
    main()
