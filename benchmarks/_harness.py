"""Shared pieces of the benchmark scripts: timing, result rows, tables, JSON.

Every ``bench_*.py`` script builds its measurements as :class:`Row` objects
and hands them to :meth:`Run.finish`, which prints the table and, with
``--json PATH``, writes the run (rows, machine, load, date) to a results
file that ``benchmarks/report.py`` turns into markdown and reStructuredText.
The file holds one run per script: a new run of a script replaces its
earlier one, so rerunning a script updates its table.

A row holds the micfp figure, the reference figure beside it, their ratio and
the target the ratio (or the micfp figure) is held to, as text. The target
says which ratio the row shows: ``>= 3x faster`` is the reference's time over
micfp's, ``time <= 1.2x reference`` is micfp's time over the reference's,
``peak <= 3x input`` is the peak over the input size.

Timings come from :func:`time_alternately`: the functions measured against
each other run in turn, repeat after repeat, after one warm-up call each, and
the median of each is kept, so that load from other processes on a shared
machine falls on both sides alike.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

NOT_APPLICABLE = "—"


@dataclass
class Timing:
    """Median and individual wall times of one function, in seconds."""

    median: float
    samples: list[float]


@dataclass
class Row:
    """One measurement: micfp beside its reference, with the target."""

    measurement: str
    micfp: float | str | None
    reference: float | str | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    units: str = ""
    compared_with: str = ""
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    def to_dict(self):
        """Return the row as JSON-ready values (NaN becomes None)."""
        out = asdict(self)
        for key in ("micfp", "reference", "ratio"):
            value = out[key]
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
        return out


def _median_and_samples(value):
    if isinstance(value, Timing):
        return value.median, value.samples
    return float(value), None


def _with_samples(row, micfp, reference):
    for name, value in (("micfp", micfp), ("reference", reference)):
        if isinstance(value, Timing):
            row.samples[name] = value.samples
    return row


def faster(
    measurement, micfp, reference, *, at_least, compared_with, units="s", note=""
):
    """Row whose target is a speed-up: reference time over micfp time.

    ``micfp`` and ``reference`` are times (floats or :class:`Timing`).
    """
    ours, _ = _median_and_samples(micfp)
    theirs, _ = _median_and_samples(reference)
    ratio = theirs / ours
    row = Row(
        measurement,
        ours,
        theirs,
        ratio,
        f">= {at_least:g}x faster",
        bool(ratio >= at_least),
        units,
        compared_with,
        note,
    )
    return _with_samples(row, micfp, reference)


def time_ratio(
    measurement, micfp, reference, *, at_most, compared_with, units="s", note=""
):
    """Row whose target bounds micfp's time over the reference's time."""
    ours, _ = _median_and_samples(micfp)
    theirs, _ = _median_and_samples(reference)
    ratio = ours / theirs
    row = Row(
        measurement,
        ours,
        theirs,
        ratio,
        f"time <= {at_most:g}x reference",
        bool(ratio <= at_most),
        units,
        compared_with,
        note,
    )
    return _with_samples(row, micfp, reference)


def time_alternately(funcs, repeats, *, warmup=True):
    """Time several functions in turn, ``repeats`` rounds; medians.

    Parameters
    ----------
    funcs : dict of str to callable
        The functions, called without arguments.
    repeats : int
        Rounds; each round calls every function once, in order.
    warmup : bool, default=True
        Call each function once before timing (first calls may fill caches,
        plan FFTs or start workers).

    Returns
    -------
    timings : dict of str to Timing
    """
    if warmup:
        for func in funcs.values():
            func()
    samples = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            samples[name].append(time.perf_counter() - start)
    return {name: Timing(float(np.median(s)), s) for name, s in samples.items()}


def parse_args(description, configure=None, *, quick=None, argv=None):
    """Parse a script's arguments, with the common ``--quick`` and ``--json``.

    Parameters
    ----------
    description : str
        The script's docstring; its first line describes the script.
    configure : callable, optional
        Adds the script's own options to the parser.
    quick : dict, optional
        Defaults of the script's options under ``--quick``: small sizes that
        run in seconds. Options given explicitly still win.
    argv : list of str, optional
        Arguments; None reads ``sys.argv``.

    Returns
    -------
    args : argparse.Namespace
    """
    parser = argparse.ArgumentParser(
        description=description.splitlines()[0],
        epilog="Targets are stated for the default sizes.",
    )
    if configure is not None:
        configure(parser)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and few repeats, for a smoke test of the script",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="write this run to a JSON results file, in place of an earlier "
        "run of this script",
    )
    known, _ = parser.parse_known_args(argv)
    if known.quick and quick:
        parser.set_defaults(**quick)
    return parser.parse_args(argv)


def _version(module_name):
    module = sys.modules.get(module_name)
    return getattr(module, "__version__", None) if module is not None else None


def machine():
    """Return the CPUs, platform and library versions of this run."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info = {
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    # Versions of what the script imported; nothing is imported for this.
    for name in ("micfp", "numpy", "scipy", "sklearn", "pywt", "librosa", "torch"):
        version = _version(name)
        if version is not None:
            info[name] = version
    return info


def load_average():
    """Return the 1, 5 and 15 minute load averages, or None where unknown."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


class Run:
    """What one script run measured, with when and where.

    Create it at the start of the script (it notes the time and the load),
    then call :meth:`finish` with the rows.
    """

    def __init__(self, args, doc):
        self.args = args
        self.benchmark = Path(sys.argv[0]).stem
        self.title = doc.strip().splitlines()[0]
        self.started = datetime.datetime.now().astimezone()
        self.clock = time.perf_counter()
        self.load_before = load_average()
        self.notes = []

    def note(self, text):
        """Print a line and keep it with the results."""
        print(text, flush=True)
        self.notes.append(text)

    def finish(self, rows, *, footnotes=()):
        """Print the table and footnotes, and write the run to ``--json``."""
        record = {
            "benchmark": self.benchmark,
            "title": self.title,
            "command": shlex.join(
                ["python", f"benchmarks/{self.benchmark}.py", *sys.argv[1:]]
            ),
            "quick": bool(getattr(self.args, "quick", False)),
            "started": self.started.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - self.clock, 1),
            "load_before": self.load_before,
            "load_after": load_average(),
            "machine": machine(),
            "notes": self.notes + list(footnotes),
            "rows": [{"benchmark": self.benchmark, **row.to_dict()} for row in rows],
        }
        print()
        print(format_table(rows))
        for line in footnotes:
            print(line)
        load = record["load_before"], record["load_after"]
        quick = "; quick sizes (targets are for the default sizes)"
        print(
            f"\n{record['machine']['cpus']} CPUs; load average {_load_text(*load)}; "
            f"{record['seconds']:.0f} s{quick if record['quick'] else ''}"
        )
        if self.args.json is not None:
            append_json(self.args.json, record)
            print(f"run written to {self.args.json}")
        return record


def _load_text(before, after):
    if before is None or after is None:
        return "unknown"
    return f"{before[0]:.2f} at the start, {after[0]:.2f} at the end (1 min)"


def fmt(value):
    """Return a figure as text: 4 significant digits, yes/no, or a dash."""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return NOT_APPLICABLE
    return f"{value:.4g}"


COLUMNS = [
    ("measurement", "measurement"),
    ("compared_with", "reference"),
    ("micfp", "micfp"),
    ("reference", "ref"),
    ("ratio", "ratio"),
    ("target", "target"),
    ("met", "met"),
    ("units", "units"),
]


def cells(row):
    """Return the text of a row's cells, in the order of :data:`COLUMNS`."""
    row = row if isinstance(row, dict) else row.to_dict()
    figures = ("micfp", "reference", "ratio", "met")
    return [
        fmt(row[key]) if key in figures else (row[key] or NOT_APPLICABLE)
        for key, _ in COLUMNS
    ]


def format_table(rows):
    """Return the rows as a plain-text table, then their notes."""
    body = [cells(row) for row in rows]
    head = [title for _, title in COLUMNS]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    numeric = {2, 3, 4}

    def line(values):
        return "  ".join(
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(head), "-" * len(line(head))]
    out += [line(r) for r in body]
    notes = [(row.measurement, row.note) for row in rows if row.note]
    if notes:
        out.append("")
        out += [f"{name}: {note}" for name, note in notes]
    return "\n".join(out)


def append_json(path, record):
    """Add one run to the results file at ``path`` (created if missing).

    A run of the same benchmark already in the file is replaced, so the file
    holds the latest run of each script: rerunning one script updates its
    table and leaves the other scripts' runs as they were. The new run goes
    last. The file is written to a temporary name beside it, then renamed, so
    an interrupted write leaves the previous file whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"runs": []}
    if path.exists() and path.stat().st_size > 0:
        data = json.loads(path.read_text())
    data["runs"] = [
        run for run in data["runs"] if run["benchmark"] != record["benchmark"]
    ]
    data["runs"].append(record)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    partial.replace(path)
