"""Time :func:`micfp.datasets.make_recordings` against its targets.

Run ``python benchmarks/bench_simulator.py [--repeats N]``. Each configuration
is generated several times; the table gives the median wall time, the target
and whether the median meets it. The reference point is the time budget of
the target (there is no other simulator to compare with), so the ratio column
is the median divided by the target: below 1 meets it.
"""

import argparse
import time

import numpy as np

from micfp.datasets import make_recordings

# (label, keyword arguments, target in seconds)
CONFIGURATIONS = [
    (
        "9 devices x 3 takes x 60 s, 44.1 kHz",
        {"n_devices": 9, "n_recordings": 3, "duration": 60.0, "sr": 44100},
        10.0,
    ),
    (
        "same, dtype=float32",
        {
            "n_devices": 9,
            "n_recordings": 3,
            "duration": 60.0,
            "sr": 44100,
            "dtype": np.float32,
        },
        10.0,
    ),
    (
        "same, n_jobs=2 (threads)",
        {
            "n_devices": 9,
            "n_recordings": 3,
            "duration": 60.0,
            "sr": 44100,
            "n_jobs": 2,
        },
        10.0,
    ),
    (
        "same, agc=True",
        {
            "n_devices": 9,
            "n_recordings": 3,
            "duration": 60.0,
            "sr": 44100,
            "agc": True,
        },
        10.0,
    ),
]


def _median_time(kwargs, repeats):
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        rec = make_recordings(random_state=seed, **kwargs)
        times.append(time.perf_counter() - start)
        del rec
    return float(np.median(times)), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    header = f"{'configuration':<40} {'median s':>9} {'target s':>9} {'ratio':>6}  met"
    print(header)
    print("-" * len(header))
    for label, kwargs, target in CONFIGURATIONS:
        median, times = _median_time(kwargs, args.repeats)
        met = "yes" if median <= target else "no"
        print(
            f"{label:<40} {median:9.2f} {target:9.1f} {median / target:6.2f}  {met}"
            f"   (runs: {', '.join(f'{t:.2f}' for t in times)})"
        )


if __name__ == "__main__":
    main()
