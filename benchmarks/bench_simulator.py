"""Time :func:`micfp.datasets.make_recordings` against its targets.

Run ``python benchmarks/bench_simulator.py [--repeats N] [--duration S]``.
Each configuration (nine devices, three takes of ``--duration`` seconds at
44.1 kHz; in float64, in float32, with two threads, with automatic gain
control) is generated several times, the configurations taking turns; the
table gives the median wall time against the target of 10 s for takes of
60 s (scaled with the duration: the budget is per second of audio). There is
no other simulator to compare with, so the reference figure is the budget and
the ratio is the wall median over it: at most 1 meets it. The median CPU time
of the process is noted beside: on a shared machine it tells how much of the
wall time is the simulator's own work.
"""

import time

import _harness
import numpy as np

from micfp.datasets import make_recordings

BUDGET_S = 10.0  # for 9 devices x 3 takes x 60 s
BUDGET_DURATION = 60.0


def configurations(duration):
    """(label, keyword arguments) of each timed configuration."""
    base = {"n_devices": 9, "n_recordings": 3, "duration": duration, "sr": 44100}
    return [
        (f"9 devices x 3 x {duration:g} s, 44.1 kHz", base),
        ("same, dtype=float32", {**base, "dtype": np.float32}),
        ("same, n_jobs=2 (threads)", {**base, "n_jobs": 2}),
        ("same, agc=True", {**base, "agc": True}),
    ]


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=3),
            p.add_argument("--duration", type=float, default=BUDGET_DURATION),
        ),
        quick={"repeats": 1, "duration": 5.0},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    cases = configurations(args.duration)
    budget = BUDGET_S * args.duration / BUDGET_DURATION
    run.note(
        f"make_recordings, median of {args.repeats} repeats; budget {budget:.3g} s "
        f"({BUDGET_S:g} s per 9 x 3 takes of {BUDGET_DURATION:g} s)"
    )

    # Configurations take turns within each repeat, so that a change in the
    # load of the shared machine touches all of them alike.
    wall = {label: [] for label, _ in cases}
    cpu = {label: [] for label, _ in cases}
    for seed in range(args.repeats):
        for label, kwargs in cases:
            start, start_cpu = time.perf_counter(), time.process_time()
            rec = make_recordings(random_state=seed, **kwargs)
            wall[label].append(time.perf_counter() - start)
            cpu[label].append(time.process_time() - start_cpu)
            del rec

    rows = []
    for label, _ in cases:
        median = float(np.median(wall[label]))
        rows.append(
            _harness.Row(
                label,
                median,
                budget,
                median / budget,
                f"wall <= {budget:.3g} s",
                median <= budget,
                "s",
                "time budget",
                note=f"median CPU time of the process {np.median(cpu[label]):.2f} s",
                samples={"micfp": wall[label]},
            )
        )
    run.finish(rows)


if __name__ == "__main__":
    main()
