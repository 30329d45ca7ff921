"""Validation report of an LR system: the Meuwly matrix as JSON, HTML and CSV."""

import base64
import csv
import datetime
import html
import io
import json
from numbers import Real

import numpy as np

from ..metrics import cllr, cllr_cal, cllr_min, devpav, eer, misleading_rate
from ..utils._docstring import Substitution

# Performance characteristics of the matrix and the metric of each.
CHARACTERISTICS = {
    "accuracy": ("cllr",),
    "discrimination": ("eer", "cllr_min"),
    "calibration": ("cllr_cal", "devpav"),
}
METRICS = {
    "cllr": "Cllr (bits)",
    "cllr_min": "Cllr_min (bits)",
    "cllr_cal": "Cllr_cal (bits)",
    "devpav": "devPAV (log10)",
    "eer": "EER",
    "misleading_h1": "misleading evidence under H1",
    "misleading_h2": "misleading evidence under H2",
}
KINDS = ("robustness", "generalisation")
# Columns of the CSV export, from the trials of each condition.
CSV_COLUMNS = (
    "condition",
    "reference_device",
    "questioned_device",
    "y_true",
    "score",
    "llr_log10",
)


_PATH_DOC = """
path : str or path-like or None, default=None
    File to write (UTF-8); nothing is written when None.
"""
# The sections of the methods that return text and may write it.
_WRITE_DOC = f"""
Parameters
----------
{_PATH_DOC.strip()}

Returns
-------
text : str
"""


def _csv_value(value):
    """Text of a CSV cell: integers as such, floats with every digit (repr)."""
    value = value.item() if isinstance(value, np.generic) else value
    return repr(value) if isinstance(value, float) else value


def _write_text(path, text):
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)


def _condition_metrics(trials):
    y, llr, score = trials["y_true"], trials["llr"], trials["score"]
    return {
        "cllr": cllr(y, llr),
        "cllr_min": cllr_min(y, llr),
        "cllr_cal": cllr_cal(y, llr),
        "devpav": devpav(y, llr),
        "eer": float(eer(y, score)),
        "misleading_h1": misleading_rate(y, llr, proposition="H1"),
        "misleading_h2": misleading_rate(y, llr, proposition="H2"),
    }


def _check_criteria(criteria):
    criteria = dict(criteria or {})
    for name, limit in criteria.items():
        if name not in METRICS:
            raise ValueError(
                f"criteria names metrics among {sorted(METRICS)}; got {name!r}."
            )
        if not isinstance(limit, Real) or isinstance(limit, bool):
            raise ValueError(
                f"criteria[{name!r}] must be a number (the largest acceptable "
                f"value); got {limit!r}."
            )
    return {name: float(limit) for name, limit in criteria.items()}


def _entry(per_condition, name, metric, criteria):
    """One cell of the validation matrix: a metric of a condition, judged."""
    return {
        "metric": metric,
        "condition": name,
        "value": per_condition[name]["metrics"][metric],
        "criterion": criteria.get(metric),
        "passed": per_condition[name]["judged"].get(metric),
    }


def _judge(metrics, criteria):
    """Pass (True) or fail (False) of each metric that has a criterion."""
    return {
        name: bool(metrics[name] <= limit)
        for name, limit in criteria.items()
        if np.isfinite(metrics[name])
    }


class LRValidationReport:
    """Validation of an LR system on named conditions (Meuwly et al. 2017).

    Built by :func:`validation_report`. ``to_dict`` gives the JSON document,
    ``to_html`` a self-contained page with the plots embedded, ``to_csv``
    every trial's score and log10 LR for other tools.

    Parameters
    ----------
    results : dict
        The JSON-able document, stored as ``results``.
    trials : dict of str to dict
        The trials of each condition, stored as ``trials``.

    Attributes
    ----------
    results : dict
        The JSON-able document: ``matrix`` (performance characteristic →
        list of metric, condition, value, criterion and pass/fail: accuracy,
        discrimination and calibration on the reference condition, Cllr of
        each robustness and generalisation condition),
        ``conditions`` (per condition: kind, metrics, pass/fail, numbers of
        devices and trials), ``criteria``, ``population``, ``passed`` and
        units.
    trials : dict of str to dict
        Per condition, the trials of :meth:`DeviceLRSystem.score_trials`.

    See Also
    --------
    validation_report : Builds the report.

    Examples
    --------
    >>> from micfp.calibration import LRValidationReport
    >>> report = LRValidationReport({"passed": True}, {})
    >>> print(report.to_json())
    {
      "passed": true
    }
    """

    def __init__(self, results, trials):
        self.results = results
        self.trials = trials

    def to_dict(self):
        """Return the report as a JSON-able dict (a deep copy of ``results``).

        Returns
        -------
        results : dict
            Plain dicts, lists, strings, numbers, booleans and None.
        """
        return json.loads(json.dumps(self.results))

    @Substitution(write=_WRITE_DOC)
    def to_json(self, path=None):
        """Return the report as JSON text, and write it to ``path`` if given.

        {write}
            The JSON document.
        """
        text = json.dumps(self.results, indent=2)
        _write_text(path, text)
        return text

    @Substitution(write=_WRITE_DOC)
    def to_csv(self, path=None):
        """Return every trial as CSV text, and write it to ``path`` if given.

        One row per trial of every condition, with the columns
        ``condition``, ``reference_device``, ``questioned_device``,
        ``y_true`` (1 when H1, same device, is true; 0 for H2), ``score``
        (the back-end's uncalibrated score) and ``llr_log10`` (the
        calibrated likelihood ratio, base 10; ``inf`` and ``-inf`` where
        unbounded). Numbers are written with all their digits, so that
        another tool (lir, a spreadsheet, R) can recompute Cllr, Tippett
        plots or its own calibration from the file.

        {write}
            The CSV document, with a header row.

        Examples
        --------
        >>> import numpy as np
        >>> from micfp.calibration import LRValidationReport
        >>> trials = {"y_true": np.array([1, 0]), "score": np.array([0.9, 0.1]),
        ...           "llr": np.array([1.5, -0.25]),
        ...           "reference_device": np.array([7, 7]),
        ...           "questioned_device": np.array([7, 8])}
        >>> print(LRValidationReport({}, {"matched": trials}).to_csv())
        condition,reference_device,questioned_device,y_true,score,llr_log10
        matched,7,7,1,0.9,1.5
        matched,7,8,0,0.1,-0.25
        <BLANKLINE>
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for name, trials in self.trials.items():
            columns = (
                trials["reference_device"],
                trials["questioned_device"],
                trials["y_true"],
                trials["score"],
                trials["llr"],
            )
            for values in zip(*columns, strict=True):
                writer.writerow([name, *(_csv_value(value) for value in values)])
        text = buffer.getvalue()
        _write_text(path, text)
        return text

    def _figures(self):
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from ..plot import ECEDisplay, PAVDisplay, TippettDisplay

        images = {}
        for name, trials in self.trials.items():
            figure, axes = plt.subplots(1, 3, figsize=(15, 4.2))
            for display, ax in zip(
                (TippettDisplay, ECEDisplay, PAVDisplay), axes, strict=True
            ):
                display.from_predictions(
                    trials["y_true"], trials["llr"], name=name, ax=ax
                )
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=80)
            plt.close(figure)
            images[name] = base64.b64encode(buffer.getvalue()).decode("ascii")
        return images

    @Substitution(path=_PATH_DOC)
    def to_html(self, path=None):
        """Return a self-contained HTML page, and write it to ``path`` if given.

        The Tippett, ECE and PAV plots of every condition are embedded as
        base64 PNG images (needs matplotlib).

        Parameters
        ----------
        {path}

        Returns
        -------
        page : str
            The HTML page.
        """
        r = self.results
        esc = html.escape

        def verdict(value):
            if value is None:
                return "—"
            return "pass" if value else "<b>fail</b>"

        rows = []
        for characteristic, entries in r["matrix"].items():
            for entry in entries:
                limit = entry["criterion"]
                rows.append(
                    f"<tr><td>{esc(characteristic)}</td><td>"
                    f"{esc(METRICS[entry['metric']])}</td><td>"
                    f"{esc(entry['condition'])}</td><td>{entry['value']:.4f}</td><td>"
                    f"{'—' if limit is None else f'&le; {limit:g}'}</td><td>"
                    f"{verdict(entry['passed'])}</td></tr>"
                )
        condition_rows = []
        for name, c in r["conditions"].items():
            cells = "".join(f"<td>{c['metrics'][m]:.4f}</td>" for m in METRICS)
            condition_rows.append(
                f"<tr><td>{esc(name)}</td><td>{esc(c['kind'])}</td>"
                f"<td>{c['n_devices']}</td><td>{c['n_target_trials']}</td>"
                f"<td>{c['n_non_target_trials']}</td>{cells}"
                f"<td>{verdict(c['passed'])}</td></tr>"
            )
        header = "".join(f"<th>{esc(label)}</th>" for label in METRICS.values())
        images = "".join(
            f"<h3>{esc(name)}</h3><img alt='Tippett, ECE and PAV plots of "
            f"{esc(name)}' src='data:image/png;base64,{data}'/>"
            for name, data in self._figures().items()
        )
        page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>LR system validation report</title>
<style>body{{font-family:sans-serif;max-width:80em;margin:auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:2px 6px}}
img{{max-width:100%}}</style></head><body>
<h1>LR system validation report</h1>
<p>Created {esc(r["created"])}. Log likelihood ratios are {esc(r["llr_units"])};
costs in bits. Relevant population: {esc(r["population"] or "not stated")}.
Reference condition: {esc(r["reference"])}. Overall: {verdict(r["passed"])}.</p>
<p>System: {esc(r["system"]["description"])}; fitted on
{r["system"]["n_background_devices"]} background devices and calibrated on
{r["system"]["n_calibration_devices"]} other devices; every condition tests
devices new to both.</p>
<h2>Validation matrix</h2>
<table><tr><th>characteristic</th><th>metric</th><th>condition</th><th>value</th>
<th>criterion</th><th>decision</th></tr>{"".join(rows)}</table>
<h2>Conditions</h2>
<table><tr><th>condition</th><th>kind</th><th>devices</th><th>target trials</th>
<th>non-target trials</th>{header}<th>decision</th></tr>
{"".join(condition_rows)}</table>
<h2>Plots</h2>{images}
</body></html>
"""
        _write_text(path, page)
        return page


def validation_report(
    system,
    conditions,
    *,
    reference=None,
    kinds=None,
    criteria=None,
    population=None,
):
    """Validate a fitted LR system on named test conditions.

    Fills the validation matrix of Meuwly, Ramos and Haraksim (2017) for the
    reference (matched) condition, with accuracy (Cllr), discrimination (EER,
    Cllr_min) and calibration (Cllr_cal, devPAV), and reports the same
    metrics for every other condition, as robustness (the same devices'
    population under a session mismatch: room, gain, lossy coding) or
    generalisation (devices of unseen models). Every condition must hold
    devices new to the system; numbers of devices are reported beside the
    numbers of trials, which are not independent.

    Parameters
    ----------
    system : DeviceLRSystem
        A fitted system.
    conditions : dict of str to tuple
        Condition name to ``(X, y, groups)`` test data, as
        :meth:`DeviceLRSystem.score_trials` takes it.
    reference : str or None, default=None
        The matched condition of the matrix; the first one when None.
    kinds : dict of str to {"robustness", "generalisation"} or None, \
            default=None
        Kind of each other condition; ``"robustness"`` when not given.
    criteria : dict of str to float or None, default=None
        Largest acceptable value of metrics among ``"cllr"``, ``"cllr_min"``,
        ``"cllr_cal"``, ``"devpav"``, ``"eer"``, ``"misleading_h1"``,
        ``"misleading_h2"``; each condition passes when all its judged
        metrics do. Whether the system is good enough is for the user (and
        the court) to set, not micfp.
    population : str or None, default=None
        The relevant population, in words (models, units, conditions).

    Returns
    -------
    report : LRValidationReport
        With ``results`` (JSON-able), ``to_json``, ``to_html`` and ``to_csv``.

    Raises
    ------
    ValueError
        For no conditions, an unknown reference, kind or criterion.
    micfp.exceptions.CalibrationError
        For test devices that took part in fitting the system.

    References
    ----------
    D. Meuwly, D. Ramos and R. Haraksim, "A guideline for the validation of
    likelihood ratio methods used for forensic evidence evaluation", Forensic
    Science International 276:142-153, 2017.

    Examples
    --------
    Embeddings of simulated devices, each a point with recordings around it;
    40 devices fit the system and 20 new ones test it, as recorded and with
    extra noise (a session mismatch):

    >>> import numpy as np
    >>> from micfp.calibration import DeviceLRSystem, validation_report
    >>> rng = np.random.default_rng(0)
    >>> def devices(n, first, noise=0.8):
    ...     y = np.repeat(np.arange(first, first + n), 5)
    ...     X = rng.normal(size=(n, 8))[y - first] + noise * rng.normal(size=(5 * n, 8))
    ...     return X, y, np.tile(np.arange(5), n)
    >>> X, y, groups = devices(40, 0)
    >>> system = DeviceLRSystem(random_state=0).fit(X, y, groups=groups)
    >>> report = validation_report(
    ...     system,
    ...     {"matched": devices(20, 100), "noisy": devices(20, 200, noise=1.5)},
    ...     criteria={"cllr": 0.5},
    ... )
    >>> report.results["conditions"]["matched"]["n_devices"]
    20
    >>> [entry["condition"] for entry in report.results["matrix"]["robustness"]]
    ['noisy']
    """
    if not conditions:
        raise ValueError("conditions must name at least one test condition.")
    names = list(conditions)
    reference = names[0] if reference is None else reference
    if reference not in conditions:
        raise ValueError(f"reference must be one of {names}; got {reference!r}.")
    kinds = dict(kinds or {})
    for name, kind in kinds.items():
        if name not in conditions or name == reference or kind not in KINDS:
            raise ValueError(
                f"kinds maps conditions other than the reference to one of "
                f"{list(KINDS)}; got {name!r}: {kind!r}."
            )
    criteria = _check_criteria(criteria)

    all_trials, per_condition = {}, {}
    for name in names:
        X, y, groups = conditions[name]
        trials = system.score_trials(X, y, groups)
        metrics = _condition_metrics(trials)
        judged = _judge(metrics, criteria)
        n_target = int(trials["y_true"].sum())
        per_condition[name] = {
            "kind": "reference" if name == reference else kinds.get(name, KINDS[0]),
            "metrics": metrics,
            "judged": judged,
            "passed": all(judged.values()) if judged else None,
            "n_devices": len(np.unique(y)),
            "n_reference_devices": len(np.unique(trials["reference_device"])),
            "n_target_trials": n_target,
            "n_non_target_trials": len(trials["y_true"]) - n_target,
        }
        all_trials[name] = trials
    matrix = {
        characteristic: [_entry(per_condition, reference, m, criteria) for m in metrics]
        for characteristic, metrics in CHARACTERISTICS.items()
    }
    for kind in KINDS:
        matrix[kind] = [
            _entry(per_condition, name, "cllr", criteria)
            for name, condition in per_condition.items()
            if condition["kind"] == kind
        ]
    verdicts = [c["passed"] for c in per_condition.values() if c["passed"] is not None]
    results = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "llr_units": "log10",
        "cost_units": "bits",
        "population": population,
        "reference": reference,
        "criteria": criteria,
        "matrix": matrix,
        "conditions": per_condition,
        "passed": all(verdicts) if verdicts else None,
        "system": {
            "description": repr(system),
            "n_background_devices": len(system.background_devices_),
            "n_calibration_devices": len(system.calibration_devices_),
        },
    }
    return LRValidationReport(results, all_trials)
