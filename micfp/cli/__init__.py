"""The ``micfp`` command line: a case from reference folders to a report.

``micfp fit`` trains a model on folders of reference recordings (and, with
``--population``, calibrates likelihood ratios on recordings of other
devices) and saves it in micfp's safe format; ``micfp identify`` names the
device of questioned files or rejects them as unknown; ``micfp verify``
gives the log10 likelihood ratio that a reference device made a questioned
file; ``micfp scan`` looks for device changes along files; ``micfp report``
gathers results into a case report in JSON and self-contained HTML.
``micfp --help`` and ``micfp <command> --help`` describe every option;
:func:`main` runs the same commands from Python.
"""

from ._main import main
from ._model import verbal_equivalent
from ._report import REPORT_SCHEMA, build_report, render_html, validate_report

__all__ = [
    "REPORT_SCHEMA",
    "build_report",
    "main",
    "render_html",
    "validate_report",
    "verbal_equivalent",
]
