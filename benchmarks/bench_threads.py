"""Threads under contention: fit and transform times, quiet and beside a busy process.

Each workload runs in two conditions, taking turns repeat after repeat (one
repeat quiet first, the next contended first):

- **quiet**: nothing started by this script runs beside it (other users of a
  shared machine may; the load average of every row says how busy it was);
- **contended**: one other process, started by this script, multiplies
  300 x 300 matrices in a loop on one BLAS thread, so it keeps one core busy.

Workloads, each under the thread settings compared:

1. **Softmax MLP fit**: ``micfp.neural.MLPClassifier(hidden_layer_sizes=())``
   on 18000 x 2049 float32 rows of 9 devices (the log spectra of 18000 clips of
   4096 samples), 60 epochs, batch size 200; with ``n_threads=None``
   (PyTorch's own setting, one thread per core) and ``n_threads=1`` (micfp's
   default).
2. **MFCC** ``transform`` of 6000 clips of 4096 samples at 44.1 kHz, and
   **Gaussian supervector** ``transform`` of 2700 clips of 64 frames x 39 values
   with a 64-component UBM; on one BLAS thread and with BLAS's own number of
   threads (micfp's default with one worker: the MFCC keeps BLAS's threads,
   the supervectors limit each chunk's products to one).

A row gives the contended median time, the quiet median time and their ratio,
held to at most 2x: a second busy process on a core should cost a program at
most what sharing that core costs, not the 20x that threads waiting for a
descheduled sibling can cost.

Run: ``python benchmarks/bench_threads.py [--repeats 4] [--n-fit 18000]
[--epochs 60] [--n-mfcc 6000] [--n-gsv 2700] [--quick] [--json PATH]``
"""

import contextlib
import os
import subprocess
import sys
import time

import _harness
import numpy as np
import torch
from bench_neural import _features
from threadpoolctl import threadpool_info, threadpool_limits

import micfp.utils._threads as thread_limits
from micfp.features import MFCC
from micfp.mixture import GaussianSupervector, fit_ubm
from micfp.neural import MLPClassifier

# The busy neighbour: one BLAS thread multiplying matrices until this script
# ends (it also stops by itself when its parent is gone).
_BUSY = """
import os, numpy as np
parent = os.getppid()
a = np.random.default_rng(0).standard_normal((300, 300))
while os.getppid() == parent:
    for _ in range(50):
        a = a @ a
        a /= np.abs(a).max()
"""
_ONE_THREAD = {
    name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}


@contextlib.contextmanager
def _condition(name):
    """Run the block quiet, or beside one busy process when ``contended``."""
    if name == "quiet":
        yield
        return
    busy = subprocess.Popen(
        [sys.executable, "-c", _BUSY], env={**os.environ, **_ONE_THREAD}
    )
    try:
        time.sleep(0.5)  # let it start and take its core
        yield
    finally:
        busy.terminate()
        busy.wait()


def _loadavg(*, full=False):
    """Return the 1-minute load average from /proc/loadavg, or the whole line."""
    with open("/proc/loadavg") as file:
        line = file.read().strip()
    return line if full else line.split()[0]


class _NoLimit:
    """Stands in for micfp's BLAS limiter: BLAS keeps its own thread count."""

    def limit(self, **kwargs):
        return contextlib.nullcontext()


@contextlib.contextmanager
def _blas(setting):
    if setting == "one BLAS thread":
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        return
    original = thread_limits._controller
    thread_limits._controller = _NoLimit
    try:
        yield
    finally:
        thread_limits._controller = original


def _measure(workloads, repeats):
    """Time every (workload, setting) in both conditions, taking turns.

    ``workloads`` maps a name to ``(setting_context, func)``. Returns, for each
    name, the times and the 1-minute load averages of each condition.
    """
    results = {
        name: {cond: {"times": [], "load": []} for cond in ("quiet", "contended")}
        for name in workloads
    }
    for repeat in range(repeats):
        # Quiet first, then contended first: load that drifts over the run
        # falls on both conditions alike.
        order = ("quiet", "contended") if repeat % 2 == 0 else ("contended", "quiet")
        for cond in order:
            with _condition(cond):
                for name, (setting, func) in workloads.items():
                    slot = results[name][cond]
                    slot["load"].append(_loadavg())
                    with setting():
                        start = time.perf_counter()
                        func()
                        slot["times"].append(time.perf_counter() - start)
    return results


def neural_workloads(n_fit, epochs):
    X, y = _features(n_fit, 2049, seed=0)

    def fit(n_threads):
        MLPClassifier(
            (), max_epochs=epochs, batch_size=200, n_threads=n_threads, random_state=0
        ).fit(X, y)

    threads = torch.get_num_threads()
    label = f"softmax MLP fit {n_fit}x2049, {epochs} epochs"
    return {
        f"{label}, n_threads=None ({threads} threads)": (
            contextlib.nullcontext,
            lambda: fit(None),
        ),
        f"{label}, n_threads=1 (default)": (contextlib.nullcontext, lambda: fit(1)),
    }


def _clips(n_clips, n_samples, rng):
    t = np.arange(n_samples) / 44100
    tones = np.sin(2 * np.pi * rng.uniform(100, 5000, (n_clips, 1)) * t)
    noise = rng.standard_normal((n_clips, n_samples))
    return (0.1 * tones + 0.02 * noise).astype(np.float32)


def transformer_workloads(n_mfcc, n_gsv):
    rng = np.random.default_rng(1)
    X = _clips(n_mfcc, 4096, rng)
    mfcc = MFCC(44100).fit(X)

    n_frames, width, n_components = 64, 39, 64
    centers = rng.normal(0, 3, (n_components, width))
    which = rng.integers(0, n_components, (n_gsv, n_frames))
    frames = centers[which] + rng.normal(0, 1, (n_gsv, n_frames, width))
    F = frames.reshape(n_gsv, -1)
    ubm = fit_ubm(F[:300], frame_width=width, n_components=n_components, random_state=0)
    gsv = GaussianSupervector(frame_width=width, ubm=ubm).fit(F)

    workloads = {}
    for setting in ("one BLAS thread", "BLAS default threads"):
        blas = lambda setting=setting: _blas(setting)  # noqa: E731
        workloads[f"MFCC {n_mfcc}x4096, {setting}"] = (
            blas,
            lambda: mfcc.transform(X),
        )
        workloads[f"GSV {n_gsv}x{n_frames}x{width}, UBM 64, {setting}"] = (
            blas,
            lambda: gsv.transform(F),
        )
    return workloads


def _rows(results):
    rows = []
    for name, conds in results.items():
        quiet = _harness.Timing(
            float(np.median(conds["quiet"]["times"])), conds["quiet"]["times"]
        )
        busy = _harness.Timing(
            float(np.median(conds["contended"]["times"])), conds["contended"]["times"]
        )
        load_quiet = ", ".join(conds["quiet"]["load"])
        load_busy = ", ".join(conds["contended"]["load"])
        rows.append(
            _harness.time_ratio(
                name,
                busy,
                quiet,
                at_most=2,
                compared_with="same, quiet",
                note=f"1-min load average at each quiet run {load_quiet}; "
                f"at each contended run {load_busy}",
            )
        )
    return rows


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=4),
            p.add_argument("--n-fit", type=int, default=18000),
            p.add_argument("--epochs", type=int, default=60),
            p.add_argument("--n-mfcc", type=int, default=6000),
            p.add_argument("--n-gsv", type=int, default=2700),
        ),
        quick={"repeats": 2, "n_fit": 1800, "epochs": 6, "n_mfcc": 200, "n_gsv": 90},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    blas = sorted(
        {f"{lib['internal_api']} {lib['num_threads']}" for lib in threadpool_info()}
    )
    run.note(
        f"{os.cpu_count()} CPUs; PyTorch {torch.get_num_threads()} threads; "
        f"thread pools: {', '.join(blas)}; median of {args.repeats} repeats, "
        "quiet and contended taking turns"
    )
    run.note(f"/proc/loadavg at the start: {_loadavg(full=True)}")
    workloads = neural_workloads(args.n_fit, args.epochs)
    workloads.update(transformer_workloads(args.n_mfcc, args.n_gsv))
    for _, func in workloads.values():
        func()  # warm-up: FFT plans, thread pools, first allocations
    results = _measure(workloads, args.repeats)
    run.note(f"/proc/loadavg at the end: {_loadavg(full=True)}")
    run.finish(_rows(results))


if __name__ == "__main__":
    main()
