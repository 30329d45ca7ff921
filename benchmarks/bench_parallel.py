"""Parallel transforms: n_jobs=2 against n_jobs=1 on the same clips.

``NoiseResidual(wavelet="db8", level=5)`` and ``MFCC(sr=44100)`` transform
18000 x 4096 float32 clips (the size of the noise-residual study's training
set) with ``n_jobs=2`` and with ``n_jobs=1``. Both settings run in this one
process, taking turns, after one warm-up call each (a first parallel call may
start joblib's workers); the table gives the medians and the speed-up of
``n_jobs=2``, with the target of at least 1.6 times faster. The outputs of
both settings are checked to agree before timing.

The speed-up needs two idle cores. So that a table says what the machine
could give at the time, a control runs in the same alternation: ``np.sort``
of each clip, in chunks of 64 rows (1 MiB, as micfp's chunks here) on joblib
threads, written into a preallocated output (NumPy releases the GIL while it
sorts), with two threads and with one. Its speed-up is the ceiling for
micfp's at that moment: near 2 on two idle cores, near 1 when other jobs hold
a core. The last row gives it; each micfp row notes the control measured
beside it and micfp's speed-up as a fraction of it. BLAS, OpenMP and PyTorch
thread counts are left as they are: micfp runs each chunk's matrix products
on one BLAS thread, and ``n_jobs`` spreads the chunks. micfp sizes its
chunks from scikit-learn's ``working_memory``, whose default (1024 MiB) makes
the clips of this benchmark one chunk; every call here runs inside
``sklearn.config_context(working_memory=1)``, chunks of about 1 MiB.

Run: ``python benchmarks/bench_parallel.py [--repeats 5] [--n-clips 18000]
[--quick] [--json PATH]``
"""

import _harness
import numpy as np
from joblib import Parallel, delayed
from sklearn import config_context

from micfp.denoise import NoiseResidual
from micfp.features import MFCC

TARGET = 1.6
N_SAMPLES = 4096


def _clips(n_clips, seed=0):
    """Float32 clips in [-1, 1]: a tone over noise, of varying level."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_clips, N_SAMPLES), dtype=np.float32)
    t = np.arange(N_SAMPLES, dtype=np.float32) / 44100
    for start in range(0, n_clips, 2000):
        n = min(2000, n_clips - start)
        freq = rng.uniform(100, 5000, (n, 1)).astype(np.float32)
        level = rng.uniform(0.01, 0.3, (n, 1)).astype(np.float32)
        noise = rng.standard_normal((n, N_SAMPLES), dtype=np.float32)
        X[start : start + n] = level * (np.sin(2 * np.pi * freq * t) + 0.1 * noise)
    return X


def _control(X, out, n_jobs):
    """Sort each row of ``X`` into ``out``, chunks of rows on joblib threads."""
    slices = [slice(i, min(i + 64, len(X))) for i in range(0, len(X), 64)]
    results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
        delayed(np.sort)(X[sl], axis=-1) for sl in slices
    )
    for sl, result in zip(slices, results, strict=True):
        out[sl] = result
    return out


def _case(name, make, X, repeats, control):
    one, two = make(1).fit(X[:1]), make(2).fit(X[:1])
    out_one, out_two = one.transform(X), two.transform(X)
    # chunks may differ in size between the settings, and float32 matrix
    # products with them in the last bits
    np.testing.assert_allclose(out_two, out_one, rtol=1e-4, atol=1e-6)
    difference = float(np.abs(out_two - out_one).max() / np.abs(out_one).max())
    del out_one, out_two
    out = np.empty_like(X)
    t = _harness.time_alternately(
        {
            "n_jobs=2": lambda: two.transform(X),
            "n_jobs=1": lambda: one.transform(X),
            "control 2": lambda: _control(X, out, 2),
            "control 1": lambda: _control(X, out, 1),
        },
        repeats,
    )
    control["2"] += t["control 2"].samples
    control["1"] += t["control 1"].samples
    ceiling = t["control 1"].median / t["control 2"].median
    speedup = t["n_jobs=1"].median / t["n_jobs=2"].median
    return _harness.faster(
        f"{name}, {X.shape[0]} x {X.shape[1]} float32, n_jobs=2",
        t["n_jobs=2"],
        t["n_jobs=1"],
        at_least=TARGET,
        compared_with="same, n_jobs=1",
        note=(
            f"control beside it {ceiling:.2f}x, so micfp reached "
            f"{speedup / ceiling:.0%} of what two threads gave; max relative "
            f"difference between the outputs {difference:.1e}"
        ),
    )


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=5),
            p.add_argument("--n-clips", type=int, default=18000),
        ),
        quick={"repeats": 2, "n_clips": 1000},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    with config_context(working_memory=1):
        _run_cases(run, args)


def _run_cases(run, args):
    X = _clips(args.n_clips)
    run.note(
        f"{X.shape[0]} x {X.shape[1]} float32 clips ({X.nbytes / 2**20:.0f} MiB); "
        f"median of {args.repeats} repeats, n_jobs=2 and n_jobs=1 taking turns"
    )
    control = {"2": [], "1": []}
    rows = [
        _case(
            'NoiseResidual(wavelet="db8", level=5)',
            lambda n_jobs: NoiseResidual(wavelet="db8", level=5, n_jobs=n_jobs),
            X,
            args.repeats,
            control,
        ),
        _case(
            "MFCC(sr=44100)",
            lambda n_jobs: MFCC(sr=44100, n_jobs=n_jobs),
            X,
            args.repeats,
            control,
        ),
    ]
    two, one = (_harness.Timing(float(np.median(s)), s) for s in control.values())
    control_row = _harness.faster(
        "control: np.sort in chunks on joblib threads, 2 threads",
        two,
        one,
        at_least=TARGET,
        compared_with="same, 1 thread",
        note="what two threads could give on this machine during the run",
    )
    control_row.target, control_row.met = "", None
    rows.append(control_row)
    run.finish(rows)


if __name__ == "__main__":
    main()
