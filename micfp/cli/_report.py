"""The case report: a versioned JSON document and its self-contained HTML view."""

import base64
import datetime
import html
import io
import json
import platform
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

from .._version import __version__

REPORT_SCHEMA = json.loads(
    resources.files(__package__).joinpath("report_schema.json").read_text("utf-8")
)
REPORT_SCHEMA_VERSION = REPORT_SCHEMA["properties"]["schema_version"]["const"]

_LIMITATIONS = (
    "Likelihood ratios from `verify` are calibrated on the population devices "
    "for excerpts of the model's excerpt duration, under the recording "
    "conditions of the population files; they do not hold for other "
    "conditions (codec, duration, room, level) without a validation; the "
    "model's validation figures were measured under the population's "
    "conditions only.",
    "`scan` takes the reference recordings as unedited; a change it reports "
    "is a change of the device traces, which an edit, but also a change of "
    "room or equipment within one recording, can cause.",
    "Probabilities from `identify` are classifier outputs over the reference "
    "devices only; they are not likelihood ratios. The open-set rejection was "
    "tuned on the reference devices alone; its rate of accepting other "
    "devices is measured on the population's devices (when the model has a "
    "population) and may differ for devices unlike them.",
    "The model was fitted on the reference recordings listed in this report; "
    "its accuracy on other recording conditions (codec, room, level, content, "
    "duration) has not been established by this report.",
    "micfp's methods were validated on simulated devices; validate the system "
    "on data that reflects the conditions of the case before relying on it.",
)


def _package_versions():
    versions = {"micfp": __version__, "python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "PyWavelets", "torch"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


_RESULT_KEYS = {
    "identify": (
        "device",
        "closest_device",
        "probabilities",
        "knownness",
        "rejected_clip_fraction",
        "n_clips",
    ),
    "verify": (
        "log10_lr",
        "verbal",
        "excerpt_log10_lr",
        "excerpt_duration",
        "n_population_devices",
    ),
    "scan": (
        "boundary_times",
        "segment_scores",
        "splice_score",
        "threshold",
        "curve_times",
        "curve",
    ),
}


def build_report(documents, *, title="micfp case report"):
    """Gather results of ``micfp`` commands into one case report.

    Parameters
    ----------
    documents : list of dict
        Results written by ``micfp identify``, ``verify`` and ``scan`` (the
        ``command`` key tells which).
    title : str, default="micfp case report"
        Title of the report.

    Returns
    -------
    report : dict
        A document that follows ``REPORT_SCHEMA`` (``micfp/cli/report_schema.json``).

    Raises
    ------
    ValueError
        If a document does not come from one of those commands.

    Examples
    --------
    >>> from micfp.cli import build_report
    >>> report = build_report([], title="case 12")
    >>> report["schema"], report["title"], report["results"]
    ('micfp-case-report', 'case 12', [])
    """
    models, files, results = {}, {}, []
    for document in documents:
        kind = document.get("command") if isinstance(document, dict) else None
        if kind not in _RESULT_KEYS:
            raise ValueError(
                "a results file must come from `micfp identify`, `verify` or "
                f"`scan`; got one with command {kind!r}"
            )
        model = document["model"]
        models[model["sha256"]] = model
        for result in document["results"]:
            for record in [result["file"], *result.get("references", [])]:
                files[record["sha256"]] = record
            entry = {
                "kind": kind,
                "model_sha256": model["sha256"],
                "file_sha256": result["file"]["sha256"],
                **{key: result[key] for key in _RESULT_KEYS[kind]},
            }
            if kind == "verify":
                entry["reference_sha256"] = [r["sha256"] for r in result["references"]]
            results.append(entry)
    return {
        "schema": "micfp-case-report",
        "schema_version": REPORT_SCHEMA_VERSION,
        "title": title,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "versions": _package_versions(),
        "models": list(models.values()),
        "files": list(files.values()),
        "results": results,
        "limitations": list(_LIMITATIONS),
    }


def validate_report(report):
    """Check a report against ``REPORT_SCHEMA`` with ``jsonschema``.

    Parameters
    ----------
    report : dict
        A report built by the command line or read from its JSON file.

    Raises
    ------
    jsonschema.ValidationError
        If the report does not follow the schema.
    ImportError
        If ``jsonschema`` is not installed (``pip install jsonschema``).

    Examples
    --------
    >>> from micfp.cli import build_report, validate_report
    >>> validate_report(build_report([]))  # silent when the report is valid
    """
    try:
        import jsonschema
    except ImportError as exc:  # pragma: no cover - installed with the tests
        raise ImportError(
            "validate_report needs jsonschema: pip install jsonschema"
        ) from exc
    jsonschema.validate(report, REPORT_SCHEMA)


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _embed(fig, alt):
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(alt)}" '
        f'src="data:image/png;base64,{encoded}"></figure>'
    )


def _identify_figure(result, name):
    plt = _pyplot()
    if plt is None:
        return ""
    devices = list(result["probabilities"])
    values = [result["probabilities"][d] for d in devices]
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(devices) + 1.2))
    ax.barh(devices, values, color="#4c72b0")
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean clip probability")
    ax.set_ylabel("reference device")
    ax.set_title(f"Device probabilities of {name}")
    ax.invert_yaxis()
    return _embed(fig, f"Device probabilities of {name}")


def _verify_figure(result, name):
    plt = _pyplot()
    if plt is None:
        return ""
    values = result["excerpt_log10_lr"]
    fig, ax = plt.subplots(figsize=(6, 2.2))
    limit = max(6.0, max(abs(v) for v in values) + 0.5)
    for bound, shade in ((1, 0.12), (2, 0.09), (3, 0.06), (4, 0.03)):
        ax.axvspan(-bound, bound, color="0.5", alpha=shade, lw=0)
    ax.axvline(0, color="0.3", lw=1)
    ax.plot(
        values,
        [0] * len(values),
        "o",
        color="#c44e52",
        alpha=0.7,
        label=f"excerpts of {result['excerpt_duration']:g} s",
    )
    ax.axvline(result["log10_lr"], color="#c44e52", lw=2, label="median")
    ax.set_xlim(-limit, limit)
    ax.set_yticks([])
    ax.set_xlabel("log10 likelihood ratio (H1: the reference device made it)")
    ax.set_title(f"Likelihood ratios of {name}")
    ax.legend(title="log10 LR", loc="upper left", fontsize="small")
    return _embed(fig, f"Likelihood ratios of {name}")


def _scan_figure(result, name):
    if _pyplot() is None:
        return ""
    from ..plot import ChangeCurveDisplay

    display = ChangeCurveDisplay.from_predictions(
        result["curve_times"],
        result["curve"],
        boundary_times=result["boundary_times"],
        threshold=result["threshold"],
    )
    display.ax_.set_title(f"Change curve of {name}")
    return _embed(display.figure_, f"Change curve of {name}")


def _validation_figure(validation, name):
    plt = _pyplot()
    if plt is None:
        return ""
    from sklearn.metrics import DetCurveDisplay

    from ..plot import TippettDisplay

    y_true, title = validation["y_true"], f"{validation['trials']} trials"
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    TippettDisplay.from_predictions(y_true, validation["llr"], ax=left)
    left.set_title(f"Tippett plot, {title}")
    DetCurveDisplay.from_predictions(
        y_true, validation["score"], name="back-end scores", ax=right
    )
    right.set_title(f"DET curve of the scores, {title}")
    return _embed(fig, f"Tippett plot and DET curve of {name}")


_VALIDATION_SOURCE = {
    "held-out": "population devices held out from the likelihood-ratio "
    "system, new to its embedding, back-end and calibrator: an independent "
    "test on the model's background data.",
    "calibration": "population devices of the system's calibration, which "
    "took no part in its embedding and back-end but fitted its calibrator. "
    "The discrimination (EER, Cllr_min, DET curve) is that of devices the "
    "back-end never saw; Cllr and the Tippett plot show how well the "
    "calibration fits its own trials: optimistic, not an independent test "
    "(`micfp fit --validation-devices N` gives one).",
}


def _lr_validation_html(validation, name):
    if validation is None:
        return (
            "<p>No likelihood-ratio system (the model was fitted without a "
            "population), hence no validation figures for <code>verify</code>."
            "</p>"
        )
    metrics = validation["metrics"]
    rows = [
        ("Cllr (bits)", f"{metrics['cllr']:.3f}"),
        ("Cllr_min (bits)", f"{metrics['cllr_min']:.3f}"),
        ("EER", f"{100 * metrics['eer']:.1f} %"),
        ("misleading evidence under H1", f"{100 * metrics['misleading_h1']:.1f} %"),
        ("misleading evidence under H2", f"{100 * metrics['misleading_h2']:.1f} %"),
    ]
    return (
        "<p>Validation of the log10 likelihood ratios of <code>verify</code> on "
        f"{validation['n_target_trials']} same-device and "
        f"{validation['n_non_target_trials']} different-device trials among "
        f"{validation['n_devices']} "
        f"{html.escape(_VALIDATION_SOURCE[validation['trials']])} Trials share "
        "devices and are not independent: the number of devices limits the "
        "precision of these figures.</p>"
        + _table(["metric", "value"], rows)
        + _validation_figure(validation, name)
    )


def _open_set_html(validation):
    if validation is None:
        return (
            "<p>The open-set rejection of <code>identify</code> was not tested "
            "on devices outside the references (no population).</p>"
        )
    accepted, total = validation["accepted_recordings"], validation["n_recordings"]
    return (
        "<p>Open-set rejection of <code>identify</code>, on devices it never "
        f"saw: {accepted} of {total} recordings ({100 * accepted / total:.1f} %) "
        f"of {validation['n_devices']} population devices were accepted as "
        "made by a reference device, a false acceptance each; "
        f"{100 * validation['clip_acceptance_rate']:.1f} % of their clips "
        "were.</p>"
    )


def _validation_html(model):
    validation = model["validation"]
    return _lr_validation_html(
        validation["likelihood_ratio"], model["path"]
    ) + _open_set_html(validation["open_set"])


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _identify_html(result, name, files):
    closest = html.escape(result["closest_device"])
    verdict = (
        f"Closest reference device: <b>{closest}</b>"
        if result["device"] != "unknown"
        else f"<b>Unknown device</b>: unlike every reference device (the closest "
        f"is {closest})"
    )
    return (
        f"<p>{verdict}. Mean clip probability of {closest}: "
        f"{result['probabilities'][result['closest_device']]:.3f} over "
        f"{result['n_clips']} clips; "
        f"{100 * result['rejected_clip_fraction']:.0f} % of the clips were "
        "rejected as unknown. These are classifier probabilities over the "
        "reference devices, not likelihood ratios.</p>"
    ) + _identify_figure(result, name)


def _verify_html(result, name, files):
    references = ", ".join(
        html.escape(files[sha]["path"]) for sha in result["reference_sha256"]
    )
    return (
        f"<p>H1: the device of the reference recordings ({references}) made "
        f"{html.escape(name)}; H2: another device of the relevant population "
        f"({result['n_population_devices']} devices) made it. "
        f"<b>log10 LR = {result['log10_lr']:.2f}</b> (LR = "
        f"{10 ** result['log10_lr']:.3g}), {html.escape(result['verbal'])}: the "
        f"median over {len(result['excerpt_log10_lr'])} excerpts of "
        f"{result['excerpt_duration']:g} s.</p>"
    ) + _verify_figure(result, name)


def _scan_html(result, name, files):
    boundaries = result["boundary_times"]
    if boundaries:
        found = "Device change(s) detected at " + ", ".join(
            f"{t:.2f} s" for t in boundaries
        )
        rows = [
            (index + 1, f"{start:.2f}", f"{score:.2f}")
            for index, (start, score) in enumerate(
                zip([0.0, *boundaries], result["segment_scores"], strict=True)
            )
        ]
        found += ". Log10 likelihood ratio, from the detector's model and not "
        found += "calibrated, that each segment comes from the device of the first "
        found += "(positive: the same device; negative: another):"
        table = _table(["segment", "starts at (s)", "score"], rows)
    else:
        found, table = "No device change detected", ""
    return (
        f"<p>{found} (largest change {result['splice_score']:.2f}, threshold "
        f"{result['threshold']:.2f}).</p>{table}"
    ) + _scan_figure(result, name)


_RENDERERS = {"identify": _identify_html, "verify": _verify_html, "scan": _scan_html}

_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; }
th { background: #eee; }
code { font-size: 0.9em; }
img { max-width: 100%; }
"""


def render_html(report):
    """Render a case report as one self-contained HTML page.

    Plots are embedded as PNG data URIs (when matplotlib is installed), so
    the page opens without network access or side files.

    Parameters
    ----------
    report : dict
        A report built by the command line.

    Returns
    -------
    page : str
        The HTML document.

    Examples
    --------
    >>> from micfp.cli import build_report, render_html
    >>> page = render_html(build_report([], title="case 12"))
    >>> page.startswith("<!DOCTYPE html>"), "<h1>case 12</h1>" in page
    (True, True)
    """
    files = {f["sha256"]: f for f in report["files"]}
    parts = [
        f"<h1>{html.escape(report['title'])}</h1>",
        f"<p>Created {html.escape(report['created'])} with micfp "
        f"{html.escape(report['versions']['micfp'])} "
        f"(report schema {html.escape(report['schema_version'])}).</p>",
        "<h2>Files examined</h2>",
        _table(
            ["file", "SHA-256", "duration (s)"],
            [(f["path"], f["sha256"], f"{f['duration']:.2f}") for f in files.values()],
        ),
        "<h2>Models</h2>",
        _table(
            ["model file", "SHA-256", "method", "devices", "sample rate (Hz)"],
            [
                (
                    m["path"],
                    m["sha256"],
                    m["method"],
                    ", ".join(m["devices"]),
                    m["sr"],
                )
                for m in report["models"]
            ],
        ),
    ]
    for model in report["models"]:
        parts.append(f"<h3>Validation of {html.escape(model['path'])}</h3>")
        parts.append(_validation_html(model))
    parts.append("<h2>Results</h2>")
    for result in report["results"]:
        name = files[result["file_sha256"]]["path"]
        parts.append(f"<h3>{html.escape(result['kind'])}: {html.escape(name)}</h3>")
        parts.append(_RENDERERS[result["kind"]](result, name, files))
    parts.append("<h2>Limitations</h2><ul>")
    parts.extend(f"<li>{html.escape(text)}</li>" for text in report["limitations"])
    parts.append("</ul><h2>Versions</h2>")
    parts.append(_table(["package", "version"], report["versions"].items()))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(report['title'])}</title>\n<style>{_STYLE}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
