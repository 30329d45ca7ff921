"""MFCC and Gaussian supervectors against their references, side by side.

1. ``MFCC.transform`` of 1000 clips of 4096 samples at 44.1 kHz (30 ms frames
   every 15 ms, 13 coefficients from 40 mel bands: 5 frames a clip) against
   one call of ``librosa.feature.mfcc`` on the same batch with the same
   settings (``center=False``), in float32 and in float64. Target: 1.5x.
2. ``GaussianSupervector.transform`` of 900 clips of 64 frames x 39 values with
   a 64-component UBM against a loop over clips that calls
   ``GaussianMixture.predict_proba`` and MAP-adapts each clip in turn.
   Target: 5x.

Both sides run in the same process, alternately, and the table gives the
median of several repeats, the speed ratio and the largest difference between
the two outputs relative to the largest reference value. micfp runs the
matrix products of each chunk of clips on one BLAS thread (``n_jobs`` spreads
chunks over workers instead), so every case runs twice: with the default BLAS
threads on the reference side, as a user would call it, and with BLAS limited
to one thread on both sides. On a busy machine the first mode penalizes the
reference, whose small products wait on BLAS threads that are not scheduled.

Run: ``python benchmarks/bench_cepstral.py [--repeats 7]``
"""

import argparse
import time

import librosa
import numpy as np
from threadpoolctl import threadpool_limits

from micfp.features import MFCC
from micfp.mixture import GaussianSupervector, fit_ubm


def _median_times(funcs, repeats, blas="default"):
    if blas != "default":
        with threadpool_limits(limits=1, user_api="blas"):
            return _median_times(funcs, repeats)
    times = {name: [] for name in funcs}
    results = {}
    for _ in range(repeats):
        for name, func in funcs.items():
            start = time.perf_counter()
            results[name] = func()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}, results


def _clips(n_clips, n_samples, sr, dtype, rng):
    t = np.arange(n_samples) / sr
    tones = np.sin(2 * np.pi * rng.uniform(100, 5000, (n_clips, 1)) * t)
    noise = np.cumsum(rng.standard_normal((n_clips, n_samples)), axis=1)
    noise -= noise.mean(axis=1, keepdims=True)
    noise = noise / noise.std(axis=1, keepdims=True) + rng.standard_normal(
        (n_clips, n_samples)
    )
    X = rng.uniform(0.05, 0.3, (n_clips, 1)) * (0.5 * tones + 0.1 * noise)
    return X.astype(dtype)


def bench_mfcc(repeats, rng):
    rows = []
    sr, n_clips, n_samples = 44100, 1000, 4096
    for dtype in (np.float32, np.float64):
        X = _clips(n_clips, n_samples, sr, dtype, rng)
        mfcc = MFCC(sr, n_mfcc=13, n_mels=40, frame_length=0.03, hop_length=0.015)
        mfcc.fit(X)
        settings = {
            "sr": sr,
            "n_mfcc": 13,
            "n_mels": 40,
            "n_fft": mfcc.n_fft_,
            "hop_length": mfcc.hop_length_,
            "center": False,
        }
        mfcc.transform(X)  # warm the FFT plan caches of both sides alike
        librosa.feature.mfcc(y=X[:2], **settings)
        for blas in ("default", "1 thread"):
            times, out = _median_times(
                {
                    "micfp": lambda X=X, m=mfcc: m.transform(X),
                    "reference": lambda X=X, s=settings: librosa.feature.mfcc(y=X, **s),
                },
                repeats,
                blas,
            )
            reference = np.swapaxes(out["reference"], 1, 2).reshape(n_clips, -1)
            error = np.abs(out["micfp"] - reference).max() / np.abs(reference).max()
            rows.append(
                (
                    f"MFCC {n_clips}x{n_samples} {np.dtype(dtype).name}, BLAS {blas}",
                    "librosa.feature.mfcc (one call)",
                    times["micfp"],
                    times["reference"],
                    1.5,
                    error,
                )
            )
    return rows


def _loop_supervectors(ubm, frames, relevance_factor):
    out = np.empty((len(frames), ubm.means_.size))
    for i, clip in enumerate(frames):
        post = ubm.predict_proba(clip)
        n = post.sum(axis=0)
        first = post.T @ clip / np.maximum(n, 1e-300)[:, np.newaxis]
        alpha = (n / (n + relevance_factor))[:, np.newaxis]
        out[i] = (alpha * first + (1.0 - alpha) * ubm.means_).ravel()
    return out


def bench_supervector(repeats, rng):
    n_clips, n_frames, width, n_components = 900, 64, 39, 64
    centers = rng.normal(0, 3, (n_components, width))
    which = rng.integers(0, n_components, (n_clips, n_frames))
    frames = centers[which] + rng.normal(0, 1, (n_clips, n_frames, width))
    X = frames.reshape(n_clips, -1)
    ubm = fit_ubm(X[:300], frame_width=width, n_components=n_components, random_state=0)
    gsv = GaussianSupervector(frame_width=width, ubm=ubm).fit(X)
    rows = []
    for blas in ("default", "1 thread"):
        times, out = _median_times(
            {
                "micfp": lambda: gsv.transform(X),
                "reference": lambda: _loop_supervectors(gsv.ubm_, frames, 16.0),
            },
            repeats,
            blas,
        )
        error = np.abs(out["micfp"] - out["reference"]).max()
        error /= np.abs(out["reference"]).max()
        rows.append(
            (
                f"GSV {n_clips}x{n_frames}x{width}, UBM {n_components}, BLAS {blas}",
                "loop of predict_proba + adapt",
                times["micfp"],
                times["reference"],
                5.0,
                error,
            )
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = bench_mfcc(args.repeats, rng) + bench_supervector(args.repeats, rng)
    header = (
        f"{'case':<46} {'reference':<32} {'micfp s':>9} {'ref s':>9} "
        f"{'ratio':>7} {'target':>7} {'met':>4} {'max rel diff':>13}"
    )
    print(header)
    print("-" * len(header))
    for case, ref_name, ours, ref, target, error in rows:
        ratio = ref / ours
        print(
            f"{case:<46} {ref_name:<32} {ours:9.4f} {ref:9.4f} {ratio:7.2f} "
            f"{target:7.1f} {'yes' if ratio >= target else 'no':>4} {error:13.2e}"
        )


if __name__ == "__main__":
    main()
