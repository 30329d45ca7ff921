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
    "Probabilities from `identify` are classifier outputs over the reference "
    "devices only; they are not likelihood ratios. The open-set rejection was "
    "tuned on the reference devices alone, so its rate of accepting devices "
    "outside the references is not known from this case's data.",
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


_IDENTIFY_KEYS = (
    "device",
    "closest_device",
    "probabilities",
    "knownness",
    "rejected_clip_fraction",
    "n_clips",
)


def build_report(documents, *, title="micfp case report"):
    """Gather results of ``micfp`` commands into one case report.

    Parameters
    ----------
    documents : list of dict
        Results written by ``micfp identify`` (the ``command`` key tells
        the kind).
    title : str, default="micfp case report"
        Title of the report.

    Returns
    -------
    report : dict
        A document that follows ``REPORT_SCHEMA`` (``micfp/cli/report_schema.json``).
    """
    models, files, results = {}, {}, []
    for document in documents:
        if not isinstance(document, dict) or document.get("command") != "identify":
            found = document.get("command") if isinstance(document, dict) else None
            raise ValueError(
                "a results file must come from `micfp identify`; got one with "
                f"command {found!r}"
            )
        model = document["model"]
        models[model["sha256"]] = model
        for result in document["results"]:
            files[result["file"]["sha256"]] = result["file"]
            results.append(
                {
                    "kind": "identify",
                    "model_sha256": model["sha256"],
                    **{k: result[k] for k in _IDENTIFY_KEYS},
                    "file_sha256": result["file"]["sha256"],
                }
            )
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
    """
    try:
        import jsonschema
    except ImportError as exc:  # pragma: no cover - installed with the tests
        raise ImportError(
            "validate_report needs jsonschema: pip install jsonschema"
        ) from exc
    jsonschema.validate(report, REPORT_SCHEMA)


def _probability_figure(result, name):
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    devices = list(result["probabilities"])
    values = [result["probabilities"][d] for d in devices]
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(devices) + 1.2))
    ax.barh(devices, values, color="#4c72b0")
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean clip probability")
    ax.set_title(f"Device probabilities of {name}")
    ax.invert_yaxis()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="Device probabilities of {html.escape(name)}" ' + (
        f'src="data:image/png;base64,{encoded}">'
    )


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; text-align: left; }
th { background: #eee; }
code { font-size: 0.9em; }
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
        "<h2>Results</h2>",
    ]
    for result in report["results"]:
        name = files[result["file_sha256"]]["path"]
        parts.append(f"<h3>{html.escape(name)}</h3>")
        closest = result["closest_device"]
        verdict = (
            f"Closest reference device: <b>{html.escape(closest)}</b>"
            if result["device"] != "unknown"
            else "<b>Unknown device</b>: unlike every reference device (the "
            f"closest is {html.escape(closest)})"
        )
        parts.append(
            f"<p>{verdict}. Mean clip probability of {html.escape(closest)}: "
            f"{result['probabilities'][closest]:.3f} over {result['n_clips']} "
            f"clips; {100 * result['rejected_clip_fraction']:.0f} % of the clips "
            "were rejected as unknown.</p>"
        )
        figure = _probability_figure(result, name)
        if figure is not None:
            parts.append(f"<figure>{figure}</figure>")
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
