"""Turn a benchmark results file into markdown and reStructuredText tables.

``nox -s bench`` runs every ``benchmarks/bench_*.py`` script with
``--json benchmarks/results/results.json``, then this script, which writes
``benchmarks/results/results.md`` and, after a complete run at the default
sizes, ``docs/benchmarks/results.inc`` (a section of tables a script),
``summary.inc`` (every target, result and verdict in one table),
``rows.json`` (every script's rows, which the summary is made from) and
``scaling.json`` (the scaling rows, which the page draws) beside it, for
``docs/benchmarks.rst``. Each script's table comes with when it ran, for how
long, the load average of the machine at its start and end, and whether it
ran at quick sizes.

``--merge-rst PATH`` puts the runs of a results file into an existing page
instead, replacing the sections of those scripts and keeping the others, for
a script run after the complete run; the summary and the chart's data beside
it follow.

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


# A target that bounds micfp's own figure ("<= 0.5 s"), not a ratio.
_BOUND = re.compile(r"(\w+ )?<= [\d.]+ [^\dx ]\S*")

# Scripts whose rows the documentation also draws as a chart.
SCALING = ("bench_parallel", "bench_long_recording", "bench_import")


def _with_units(value, units):
    return (
        value if value == _harness.NOT_APPLICABLE or not units else f"{value} {units}"
    )


def _rst_cells(row):
    """Return a row's six cells for the page, units beside the figures."""
    measurement, compared, micfp, reference, ratio, target, met, units = _harness.cells(
        row
    )
    units = "" if units == _harness.NOT_APPLICABLE else units
    if compared != _harness.NOT_APPLICABLE:
        reference = f"{compared}: {_with_units(reference, units)}"
    return [measurement, _with_units(micfp, units), reference, ratio, target, met]


def _list_table(header, rows, widths):
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for cells in [header, *rows]:
        lines.append(f"   * - {_rst_text(cells[0])}")
        lines += [f"     - {_rst_text(c)}" for c in cells[1:]]
    return lines


def to_rst_summary(runs):
    """Return one table of every target: script, target, result and verdict.

    Rows of one script that share a target are one line: the result is the
    range of their ratios, the verdict how many of them met it.
    """
    groups = {}
    for run in runs:
        for row in run["rows"]:
            if row["met"] is None:
                continue
            groups.setdefault((run["benchmark"], row["target"]), []).append(row)
    rows = []
    for (benchmark, target), members in groups.items():
        ratios = sorted(r["ratio"] for r in members if r["ratio"] is not None)
        if _BOUND.fullmatch(target):
            # The target bounds micfp's own figure: show the figures.
            figures = sorted(r["micfp"] for r in members if r["micfp"] is not None)
            units = members[0]["units"] or ""
            low, high = (_harness.fmt(figures[0]), _harness.fmt(figures[-1]))
            result = f"{low} {units}" if low == high else f"{low} to {high} {units}"
        elif not ratios:
            result = f"{len(members)} check{'s' if len(members) > 1 else ''}"
        elif ratios[0] == ratios[-1]:
            result = _harness.fmt(ratios[0])
        else:
            result = f"{_harness.fmt(ratios[0])} to {_harness.fmt(ratios[-1])}"
        met = sum(r["met"] is True for r in members)
        verdict = "yes" if met == len(members) else "no"
        if " " not in target:
            target = f"{members[0]['measurement']}: {target}"
        rows.append(
            [f"{benchmark}.py", target, result, f"{verdict} ({met} of {len(members)})"]
        )
    header = ["script", "target", "result", "met"]
    return "\n".join(_list_table(header, rows, "22 38 20 20")) + "\n"


def _rst_header(runs, source):
    n_rows, met, missed = _counts(runs)
    return (
        f"Measured {_rst_text(_dates(runs))} on {_rst_text(_machine(runs))}; "
        f"{n_rows} rows: {met} targets met, {missed} missed, "
        f"{n_rows - met - missed} without a target. Generated by "
        f"``benchmarks/report.py`` from ``{source}``."
    )


def _rst_section(run):
    """Return one script's section: title, command, notes and table."""
    title = f"{run['benchmark']}.py"
    lines = [
        title,
        "~" * len(title),
        "",
        f"{_rst_text(run['title'])} ``{run['command']}``: "
        f"{_rst_text(_summary(run).replace('**', ''))}.",
    ]
    notes = [n for n in run["notes"] if n]
    if notes:
        lines += ["", ".. code-block:: text", "", *[f"   {n}" for n in notes]]
    header = ["measurement", "micfp", "reference", "ratio", "target", "met"]
    rows = [_rst_cells(row) for row in run["rows"]]
    lines += ["", *_list_table(header, rows, "30 13 27 8 14 8")]
    notes = [(row["measurement"], row["note"]) for row in run["rows"]]
    if any(note for _, note in notes):
        lines.append("")
        lines += [f"- {_rst_text(m)}: {_rst_text(n)}" for m, n in notes if n]
    return "\n".join(lines)


def to_rst(runs, source):
    """Return the results as reStructuredText, one section a script.

    The text is meant for ``.. include::`` inside a section of a page: each
    script's title is a subsection (underlined with ``~``), so that every
    table appears in the page's contents.
    """
    parts = [_rst_header(runs, source), *[_rst_section(run) for run in runs]]
    return "\n\n".join(parts) + "\n"


_LATER = re.compile(r"``([\w.]+)`` \(([\d-]+)\)")
_SECTION = re.compile(r"^(\w+)\.py\n~+$", re.MULTILINE)


def merge_rst(text, runs):
    """Put the sections of ``runs`` into the text of an earlier :func:`to_rst`.

    Sections of other scripts stay as they were; a script's new section
    replaces its old one or joins in name order. The header keeps the counts
    of the earlier complete run and says which scripts ran later.
    """
    starts = [match.start() for match in _SECTION.finditer(text)]
    header = text[: starts[0]].strip() if starts else text.strip()
    sections = {
        _SECTION.match(text, start).group(1): text[start:stop].strip()
        for start, stop in zip(starts, [*starts[1:], len(text)], strict=True)
    }
    earlier = re.search(r"Run later, their rows outside these counts: (.*)\.$", header)
    later = dict(_LATER.findall(earlier.group(1))) if earlier else {}
    later.update({f"{run['benchmark']}.py": run["started"][:10] for run in runs})
    listed = ", ".join(f"``{name}`` ({date})" for name, date in sorted(later.items()))
    note = f"Run later, their rows outside these counts: {listed}."
    header = re.sub(r"\s*Run later, their rows outside these counts: .*\.$", "", header)
    for run in runs:
        sections[run["benchmark"]] = _rst_section(run)
    parts = [f"{header} {note}", *[sections[name] for name in sorted(sections)]]
    return "\n\n".join(parts) + "\n"


def to_rows(runs, earlier=None):
    """Return every script's rows as JSON, the source of the summary and chart.

    With ``earlier`` (the text of an earlier output), the scripts of ``runs``
    replace theirs and the other scripts' rows stay.
    """
    data = json.loads(earlier) if earlier else {}
    for run in runs:
        data[run["benchmark"]] = {"title": run["title"], "rows": run["rows"]}
    return json.dumps(dict(sorted(data.items())), indent=1) + "\n"


def _runs_of(rows_json):
    """Rebuild minimal runs (name, title, rows) from :func:`to_rows` output."""
    return [
        {"benchmark": name, "title": entry["title"], "rows": entry["rows"]}
        for name, entry in json.loads(rows_json).items()
    ]


def to_chart_data(runs):
    """Return the scaling rows as JSON, for the page's chart.

    Each row's ``value`` is what its target bounds: micfp's figure for a
    bound such as ``<= 0.5 s``, the ratio otherwise. Rows without a target
    are left out, except the control of ``bench_parallel``, which says what
    two threads could give.
    """
    data = {}
    for run in runs:
        if run["benchmark"] not in SCALING:
            continue
        for row in run["rows"]:
            bound = bool(row["target"] and _BOUND.fullmatch(row["target"]))
            value = row["micfp"] if bound else row["ratio"]
            keep = row["target"] is not None or run["benchmark"] == "bench_parallel"
            if keep and isinstance(value, (int, float)):
                data.setdefault(run["benchmark"], []).append(
                    {
                        "measurement": row["measurement"],
                        "value": value,
                        "target": row["target"],
                        "met": row["met"],
                    }
                )
    return json.dumps(data, indent=1) + "\n"


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
    outputs = [(args.markdown, to_markdown(runs, source.as_posix()))]
    page, rows = None, None
    if args.rst is not None:
        page = args.rst
        outputs.append((page, to_rst(runs, source.as_posix())))
        rows = to_rows(runs)
    if args.merge_rst is not None:
        page = args.merge_rst
        outputs.append((page, merge_rst(page.read_text(), runs)))
        earlier = page.with_name("rows.json")
        rows = to_rows(runs, earlier.read_text() if earlier.exists() else None)
    if page is not None:
        # Every script's rows, the summary of every target and the chart's
        # data go beside the page's tables: the page includes the summary
        # first and draws the chart.
        every_run = _runs_of(rows)
        outputs += [
            (page.with_name("rows.json"), rows),
            (page.with_name("summary.inc"), to_rst_summary(every_run)),
            (page.with_name("scaling.json"), to_chart_data(every_run)),
        ]
    for path, text in outputs:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    n_rows, met, missed = _counts(runs)
    print(f"{len(runs)} scripts, {n_rows} rows: {met} targets met, {missed} missed")
    for name, what in _missed(runs):
        print(f"  missed: {name}: {what}")


if __name__ == "__main__":
    main()
