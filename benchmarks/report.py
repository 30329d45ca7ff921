"""Turn a benchmark results file into markdown and reStructuredText tables.

``nox -s bench`` runs every ``benchmarks/bench_*.py`` script with
``--json benchmarks/results/results.json``, then this script, which writes
``benchmarks/results/results.md`` and, after a complete run at the default
sizes, ``docs/benchmarks/results.inc``, which ``docs/benchmarks.rst``
includes. Each script's table comes with when it ran, for how long, the load
average of the machine at its start and end, and whether it ran at quick
sizes.

``--merge-rst PATH`` puts the runs of a results file into an existing page
instead, replacing the sections of those scripts and keeping the others, for
a script run after the complete run.

Run: ``python benchmarks/report.py RESULTS_JSON [--markdown PATH] [--rst PATH]
[--merge-rst PATH]``
"""

import argparse
import datetime
import json
import re
from pathlib import Path

import _harness

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def _plain(text):
    """Replace Sphinx roles by their target, as inline code."""
    return _ROLE.sub(r"`\1`", text)


def _load(before, after):
    if not before or not after:
        return "load average unknown"
    return f"load average {before[0]:.2f} at the start, {after[0]:.2f} at the end"


def _when(run):
    started = datetime.datetime.fromisoformat(run["started"])
    return started.strftime("%Y-%m-%d %H:%M %Z").strip()


def _summary(run):
    quick = "; **quick sizes** (targets are for the default sizes)"
    load = _load(run["load_before"], run["load_after"])
    return (
        f"{_when(run)}, {run['seconds']:.0f} s, {load}{quick if run['quick'] else ''}"
    )


def _machine(runs):
    machine = runs[0]["machine"]
    libraries = ", ".join(
        f"{name} {machine[name]}"
        for name in ("numpy", "scipy", "sklearn", "torch")
        if name in machine
    )
    return (
        f"{machine['platform']}, {machine['cpus']} CPUs "
        f"({machine['usable_cpus']} usable), Python {machine['python']}, {libraries}"
    )


def _dates(runs):
    days = sorted({run["started"][:10] for run in runs})
    return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"


def _counts(runs):
    rows = [row for run in runs for row in run["rows"]]
    met = sum(row["met"] is True for row in rows)
    missed = sum(row["met"] is False for row in rows)
    return len(rows), met, missed


def _missed(runs):
    return [
        (run["benchmark"], row["measurement"])
        for run in runs
        for row in run["rows"]
        if row["met"] is False
    ]


# markdown -------------------------------------------------------------------


def _md_cell(text):
    return text.replace("|", "\\|")


def to_markdown(runs, source):
    """Return the results as a markdown document."""
    n_rows, met, missed = _counts(runs)
    lines = [
        "# micfp benchmark results",
        "",
        f"Measured {_dates(runs)} on {_machine(runs)}; generated from "
        f"`{source}`. {n_rows} rows: {met} targets met, {missed} missed, "
        f"{n_rows - met - missed} without a target.",
        "",
        "Timings are medians of several repeats, micfp and its reference taking "
        "turns; on a shared machine read the ratios, not the absolute times. "
        "The ratio is the quantity its target bounds.",
    ]
    if _missed(runs):
        lines += ["", "Targets missed:", ""]
        lines += [f"- {name}: {what}" for name, what in _missed(runs)]
    for run in runs:
        lines += [
            "",
            f"## {run['benchmark']}: {_plain(run['title'])}",
            "",
            f"`{run['command']}`: {_summary(run)}.",
        ]
        if run["notes"]:
            lines += ["", "```", *[n for n in run["notes"] if n], "```"]
        head = [title for _, title in _harness.COLUMNS]
        lines += [
            "",
            "| " + " | ".join(head) + " |",
            "|" + "|".join("---" for _ in head) + "|",
        ]
        for row in run["rows"]:
            cells = [_md_cell(c) for c in _harness.cells(row)]
            lines.append("| " + " | ".join(cells) + " |")
        notes = [(row["measurement"], row["note"]) for row in run["rows"]]
        if any(note for _, note in notes):
            lines.append("")
            lines += [f"- {_md_cell(m)}: {n}" for m, n in notes if n]
    return "\n".join(lines) + "\n"


# reStructuredText -----------------------------------------------------------

_LITERAL = re.compile(r"(``[^`]+``)")
_SPECIAL = re.compile(r"([\\*`|_])")


def _rst_text(text):
    """Escape ``text`` for reStructuredText, keeping ````literal```` parts."""
    text = _ROLE.sub(r"``\1``", text)
    parts = _LITERAL.split(text)
    return "".join(
        part if part.startswith("``") else _SPECIAL.sub(r"\\\1", part) for part in parts
    )


def _rst_header(runs, source):
    n_rows, met, missed = _counts(runs)
    return (
        f"Measured {_rst_text(_dates(runs))} on {_rst_text(_machine(runs))}; "
        f"{n_rows} rows: {met} targets met, {missed} missed, "
        f"{n_rows - met - missed} without a target. Generated by "
        f"``benchmarks/report.py`` from ``{source}``."
    )


def _rst_section(run):
    """Return one script's rubric, command, notes and table."""
    lines = [
        f".. rubric:: {run['benchmark']}.py: {_rst_text(run['title'])}",
        "",
        f"``{run['command']}``: {_rst_text(_summary(run).replace('**', ''))}.",
    ]
    notes = [n for n in run["notes"] if n]
    if notes:
        lines += ["", ".. code-block:: text", "", *[f"   {n}" for n in notes]]
    lines += ["", ".. list-table::", "   :header-rows: 1", ""]
    for cells in [
        [title for _, title in _harness.COLUMNS],
        *[_harness.cells(row) for row in run["rows"]],
    ]:
        lines.append(f"   * - {_rst_text(cells[0])}")
        lines += [f"     - {_rst_text(c)}" for c in cells[1:]]
    notes = [(row["measurement"], row["note"]) for row in run["rows"]]
    if any(note for _, note in notes):
        lines.append("")
        lines += [f"- {_rst_text(m)}: {_rst_text(n)}" for m, n in notes if n]
    return "\n".join(lines)


def to_rst(runs, source):
    """Return the results as reStructuredText, without section titles.

    The text is meant for ``.. include::`` inside a page: scripts are set off
    by rubrics, so the page's own section levels are left alone.
    """
    parts = [_rst_header(runs, source), *[_rst_section(run) for run in runs]]
    return "\n\n".join(parts) + "\n"


_RUBRIC = re.compile(r"^\.\. rubric:: (\w+)\.py:", re.MULTILINE)


def merge_rst(text, runs):
    """Put the sections of ``runs`` into the text of an earlier :func:`to_rst`.

    Sections of other scripts stay as they were; a script's new section
    replaces its old one or joins in name order. The header keeps the counts
    of the earlier complete run and says which scripts ran later.
    """
    starts = [match.start() for match in _RUBRIC.finditer(text)]
    header = text[: starts[0]].strip() if starts else text.strip()
    sections = {
        _RUBRIC.match(text, start).group(1): text[start:stop].strip()
        for start, stop in zip(starts, [*starts[1:], len(text)], strict=True)
    }
    later = ", ".join(
        f"``{run['benchmark']}.py`` ({run['started'][:10]})" for run in runs
    )
    note = f"Run later, their rows outside these counts: {later}."
    header = re.sub(r"\s*Run later, their rows outside these counts: .*\.$", "", header)
    for run in runs:
        sections[run["benchmark"]] = _rst_section(run)
    parts = [f"{header} {note}", *[sections[name] for name in sorted(sections)]]
    return "\n\n".join(parts) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="results file (JSON)")
    parser.add_argument("--markdown", type=Path, metavar="PATH")
    parser.add_argument("--rst", type=Path, metavar="PATH")
    parser.add_argument(
        "--merge-rst",
        type=Path,
        metavar="PATH",
        help="replace the sections of these runs in an existing --rst output, "
        "keeping the other scripts' sections",
    )
    args = parser.parse_args(argv)
    runs = sorted(
        json.loads(args.results.read_text())["runs"], key=lambda r: r["benchmark"]
    )
    if not runs:
        parser.error(f"{args.results} holds no runs")
    try:
        source = args.results.resolve().relative_to(Path.cwd())
    except ValueError:
        source = args.results
    for path, render in ((args.markdown, to_markdown), (args.rst, to_rst)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(runs, source.as_posix()))
            print(f"wrote {path}")
    if args.merge_rst is not None:
        args.merge_rst.write_text(merge_rst(args.merge_rst.read_text(), runs))
        print(f"merged into {args.merge_rst}")
    n_rows, met, missed = _counts(runs)
    print(f"{len(runs)} scripts, {n_rows} rows: {met} targets met, {missed} missed")
    for name, what in _missed(runs):
        print(f"  missed: {name}: {what}")


if __name__ == "__main__":
    main()
