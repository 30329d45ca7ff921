"""Time :func:`micfp.datasets.make_recordings` against its targets.

Run ``python benchmarks/bench_simulator.py [--repeats N]``. Each configuration
is generated several times (the configurations take turns); the table gives
the median wall time, the median CPU time of the process, the target and
whether the wall median meets it. The reference point is the time budget of
the target (there is no other simulator to compare with), so the ratio column
is the wall median divided by the target: at most 1 meets it. On a shared
machine the CPU time tells how much of the wall time is the simulator's own
work.
"""

import argparse
import time

import numpy as np

from micfp.datasets import make_recordings

# (label, keyword arguments, target in seconds)
CONFIGURATIONS = [
    (
        "9 devices x 3 x 60 s, 44.1 kHz",
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # Configurations take turns within each repeat, so that a change in the
    # load of the shared machine touches all of them alike.
    wall = {label: [] for label, _, _ in CONFIGURATIONS}
    cpu = {label: [] for label, _, _ in CONFIGURATIONS}
    for seed in range(args.repeats):
        for label, kwargs, _ in CONFIGURATIONS:
            start, start_cpu = time.perf_counter(), time.process_time()
            rec = make_recordings(random_state=seed, **kwargs)
            wall[label].append(time.perf_counter() - start)
            cpu[label].append(time.process_time() - start_cpu)
            del rec

    header = (
        f"{'configuration':<34} {'wall s':>7} {'cpu s':>7} {'target s':>9} "
        f"{'ratio':>6}  met"
    )
    print(header)
    print("-" * len(header))
    for label, _, target in CONFIGURATIONS:
        median = float(np.median(wall[label]))
        met = "yes" if median <= target else "no"
        print(
            f"{label:<34} {median:7.2f} {np.median(cpu[label]):7.2f} "
            f"{target:9.1f} {median / target:6.2f}  {met}"
        )
    print(
        "\nwall s and cpu s: medians over the repeats; ratio: wall median over "
        "target (at most 1 meets it)."
    )


if __name__ == "__main__":
    main()
