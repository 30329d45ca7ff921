"""Parallel transforms: n_jobs=2 against n_jobs=1 on the same clips.

``NoiseResidual(wavelet="db8", level=5)`` and ``MFCC(sr=44100)`` transform
18000 x 4096 float32 clips (the size of the noise-residual study's training
set) with ``n_jobs=2`` and with ``n_jobs=1``. Both settings run in this one
process, taking turns, after one warm-up call each (a first parallel call may
start joblib's workers); the table gives the medians and the speed-up of
``n_jobs=2``, with the target of at least 1.6 times faster. The outputs of
both settings are checked to agree before timing.

The speed-up needs two idle cores: on a machine shared with other jobs, read
it together with the load average printed below the table. BLAS, OpenMP and
PyTorch thread counts are left as they are: micfp runs each chunk's matrix
products on one BLAS thread, and ``n_jobs`` spreads the chunks.

Run: ``python benchmarks/bench_parallel.py [--repeats 5] [--n-clips 18000]
[--quick] [--json PATH]``
"""

import _harness
import numpy as np

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


def _case(name, make, X, repeats):
    one, two = make(1).fit(X[:1]), make(2).fit(X[:1])
    out_one, out_two = one.transform(X), two.transform(X)
    # chunks may differ in size between the settings, and float32 matrix
    # products with them in the last bits
    np.testing.assert_allclose(out_two, out_one, rtol=1e-4, atol=1e-6)
    difference = float(np.abs(out_two - out_one).max() / np.abs(out_one).max())
    del out_one, out_two
    t = _harness.time_alternately(
        {"n_jobs=2": lambda: two.transform(X), "n_jobs=1": lambda: one.transform(X)},
        repeats,
    )
    return _harness.faster(
        f"{name}, {X.shape[0]} x {X.shape[1]} float32, n_jobs=2",
        t["n_jobs=2"],
        t["n_jobs=1"],
        at_least=TARGET,
        compared_with="same, n_jobs=1",
        note=f"max relative difference between the outputs {difference:.1e}",
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
    X = _clips(args.n_clips)
    run.note(
        f"{X.shape[0]} x {X.shape[1]} float32 clips ({X.nbytes / 2**20:.0f} MiB); "
        f"median of {args.repeats} repeats, n_jobs=2 and n_jobs=1 taking turns"
    )
    rows = [
        _case(
            'NoiseResidual(wavelet="db8", level=5)',
            lambda n_jobs: NoiseResidual(wavelet="db8", level=5, n_jobs=n_jobs),
            X,
            args.repeats,
        ),
        _case(
            "MFCC(sr=44100)",
            lambda n_jobs: MFCC(sr=44100, n_jobs=n_jobs),
            X,
            args.repeats,
        ),
    ]
    run.finish(rows)


if __name__ == "__main__":
    main()
