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

Run: ``python benchmarks/bench_cepstral.py [--repeats 7] [--quick] [--json PATH]``
"""

import _harness
import librosa
import numpy as np
from threadpoolctl import threadpool_limits

from micfp.features import MFCC
from micfp.mixture import GaussianSupervector, fit_ubm


def _median_times(funcs, repeats, blas="default"):
    """Time ``funcs`` taking turns; return the timings and the outputs.

    The call that gives the outputs is also the warm-up of the timed calls.
    """
    if blas != "default":
        with threadpool_limits(limits=1, user_api="blas"):
            return _median_times(funcs, repeats)
    results = {name: func() for name, func in funcs.items()}
    return _harness.time_alternately(funcs, repeats, warmup=False), results


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


def bench_mfcc(repeats, rng, n_clips):
    rows = []
    sr, n_samples = 44100, 4096
    for dtype in (np.float32, np.float64):
        X = _clips(n_clips, n_samples, sr, dtype, rng)
        mfcc = MFCC(
            sr, n_coefficients=13, n_filters=40, frame_duration=0.03, hop_duration=0.015
        )
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
                _harness.faster(
                    f"MFCC {n_clips}x{n_samples} {np.dtype(dtype).name}, BLAS {blas}",
                    times["micfp"],
                    times["reference"],
                    at_least=1.5,
                    compared_with="librosa.feature.mfcc (one call)",
                    note=f"max relative difference {error:.2e}",
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


def bench_supervector(repeats, rng, n_clips):
    n_frames, width, n_components = 64, 39, 64
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
            _harness.faster(
                f"GSV {n_clips}x{n_frames}x{width}, UBM {n_components}, BLAS {blas}",
                times["micfp"],
                times["reference"],
                at_least=5,
                compared_with="loop of predict_proba + adapt",
                note=f"max relative difference {error:.2e}",
            )
        )
    return rows


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=7),
            p.add_argument("--n-mfcc", type=int, default=1000, help="MFCC clips"),
            p.add_argument("--n-gsv", type=int, default=900, help="supervector clips"),
        ),
        quick={"repeats": 2, "n_mfcc": 100, "n_gsv": 90},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    run.note(f"median of {args.repeats} repeats, micfp and reference taking turns")
    rng = np.random.default_rng(0)
    rows = bench_mfcc(args.repeats, rng, args.n_mfcc)
    rows += bench_supervector(args.repeats, rng, args.n_gsv)
    run.finish(rows)


if __name__ == "__main__":
    main()
