"""Clip extraction: micfp.clips.extract_clips against reference ways of cutting clips.

Nine recordings of 60 s at 44.1 kHz (float32), 4096-sample clips. Each strategy
is timed against what a user would otherwise write with scikit-learn, librosa
or plain NumPy:

- random, 1000 clips a recording: ``sklearn.feature_extraction.image.
  extract_patches_2d`` on the recording as a one-column image, and a Python
  loop over random starts;
- sequential, all non-overlapping clips: ``librosa.util.frame`` (a strided
  view) copied out, and a Python loop of slices;
- quietest, 100 clips a recording: ranking by ``librosa.feature.rms`` (frames
  of the clip length, no centring) then gathering, and a Python loop computing
  each window's mean square.

Each row prints the median of several repeats (micfp and the reference run
alternately, after one warm-up call each), the ratio micfp / reference and
whether micfp is at least as fast (ratio <= 1). The reference outputs are
checked against micfp's (same clips) before timing.

Run: ``python benchmarks/bench_clips.py [--repeats 5] [--duration 60]
[--quick] [--json PATH]``
"""

import _harness
import librosa
import numpy as np
from sklearn.feature_extraction.image import extract_patches_2d

from micfp.clips import extract_clips
from micfp.io import Recordings

SR = 44_100
LENGTH = 4096


# random ---------------------------------------------------------------------


def _random_sklearn(signals, n_clips, seed):
    return np.concatenate(
        [
            extract_patches_2d(
                s[:, None], (LENGTH, 1), max_patches=n_clips, random_state=seed
            )[..., 0]
            for s in signals
        ]
    )


def _random_loop(signals, n_clips, seed):
    rng = np.random.default_rng(seed)
    clips = []
    for s in signals:
        starts = rng.choice(len(s) - LENGTH + 1, n_clips, replace=False)
        clips.extend(s[start : start + LENGTH] for start in starts)
    return np.stack(clips)


# sequential -----------------------------------------------------------------


def _sequential_librosa(signals):
    return np.concatenate(
        [
            librosa.util.frame(s, frame_length=LENGTH, hop_length=LENGTH, axis=0)
            for s in signals
        ]
    )


def _sequential_loop(signals):
    return np.stack(
        [
            s[start : start + LENGTH]
            for s in signals
            for start in range(0, len(s) - LENGTH + 1, LENGTH)
        ]
    )


# quietest -------------------------------------------------------------------


def _quietest_librosa(signals, n_clips):
    clips = []
    for s in signals:
        rms = librosa.feature.rms(
            y=s, frame_length=LENGTH, hop_length=LENGTH, center=False
        )[0]
        starts = np.sort(np.argsort(rms, kind="stable")[:n_clips]) * LENGTH
        clips.append(
            librosa.util.frame(s, frame_length=LENGTH, hop_length=1, axis=0)[starts]
        )
    return np.concatenate(clips)


def _quietest_loop(signals, n_clips):
    clips = []
    for s in signals:
        grid = range(0, len(s) - LENGTH + 1, LENGTH)
        energy = [np.mean(np.square(s[g : g + LENGTH], dtype=np.float64)) for g in grid]
        starts = np.sort(np.argsort(energy, kind="stable")[:n_clips]) * LENGTH
        clips.extend(s[start : start + LENGTH] for start in starts)
    return np.stack(clips)


def _recordings(duration, seed=0):
    rng = np.random.default_rng(seed)
    n = int(duration * SR)
    signals = []
    for _ in range(9):
        # noise with a slowly varying level, so that clip energies differ
        level = np.repeat(rng.uniform(0.001, 0.5, n // SR + 1), SR)[:n]
        signals.append((level * rng.standard_normal(n)).astype(np.float32))
    return Recordings(signals, SR, [f"d{i}" for i in range(9)], [1] * 9)


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=5),
            p.add_argument("--duration", type=float, default=60.0),
        ),
        quick={"repeats": 2, "duration": 5.0},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    rec = _recordings(args.duration)
    signals = rec.signals
    # random clips may overlap (every sample a candidate start); a quick run's
    # short recordings have fewer disjoint clips to rank than the default 100
    n_random = 1000
    n_quiet = min(100, int(args.duration * SR) // LENGTH // 2)

    # the references cut the same clips as micfp (random ones aside: they draw
    # from other generators, so only their shapes are compared)
    X_seq = extract_clips(rec, length=LENGTH, strategy="sequential")[0]
    np.testing.assert_array_equal(X_seq, _sequential_librosa(signals))
    np.testing.assert_array_equal(X_seq, _sequential_loop(signals))
    X_quiet = extract_clips(rec, length=LENGTH, n_clips=n_quiet, strategy="quietest")[0]
    np.testing.assert_array_equal(X_quiet, _quietest_librosa(signals, n_quiet))
    np.testing.assert_array_equal(X_quiet, _quietest_loop(signals, n_quiet))
    X_rand = extract_clips(rec, length=LENGTH, n_clips=n_random, random_state=0)[0]
    assert X_rand.shape == _random_sklearn(signals, n_random, 0).shape
    assert X_rand.shape == _random_loop(signals, n_random, 0).shape

    cases = [
        (
            f"random, {n_random}/rec",
            lambda: extract_clips(rec, length=LENGTH, n_clips=n_random, random_state=0),
            [
                (
                    "sklearn extract_patches_2d",
                    lambda: _random_sklearn(signals, n_random, 0),
                ),
                ("python loop", lambda: _random_loop(signals, n_random, 0)),
            ],
        ),
        (
            "sequential, all",
            lambda: extract_clips(rec, length=LENGTH, strategy="sequential"),
            [
                ("librosa.util.frame + copy", lambda: _sequential_librosa(signals)),
                ("python loop", lambda: _sequential_loop(signals)),
            ],
        ),
        (
            f"quietest, {n_quiet}/rec",
            lambda: extract_clips(
                rec, length=LENGTH, n_clips=n_quiet, strategy="quietest"
            ),
            [
                ("librosa rms + frame", lambda: _quietest_librosa(signals, n_quiet)),
                ("python loop", lambda: _quietest_loop(signals, n_quiet)),
            ],
        ),
    ]

    total = sum(len(s) for s in signals) / SR
    run.note(
        f"9 recordings x {args.duration:g} s at {SR} Hz ({total:.0f} s of float32 "
        f"audio), clips of {LENGTH} samples, median of {args.repeats} repeats"
    )
    rows = []
    for name, ours, references in cases:
        for ref_name, ref in references:
            timings = _harness.time_alternately(
                {"micfp": ours, "reference": ref}, args.repeats
            )
            rows.append(
                _harness.time_ratio(
                    name,
                    timings["micfp"],
                    timings["reference"],
                    at_most=1,
                    compared_with=ref_name,
                )
            )
    run.finish(rows)


if __name__ == "__main__":
    main()
