"""The ``micfp`` command line: a case from reference folders to a report.

``micfp fit`` trains a model on folders of reference recordings and saves it
in micfp's safe format; ``micfp identify`` names the device of questioned
files; ``micfp report`` gathers results into a case report in JSON and
self-contained HTML. ``micfp --help`` and ``micfp <command> --help`` describe
every option. :func:`main` runs the same commands from Python.
"""

from ._main import main
from ._report import REPORT_SCHEMA, render_html, validate_report

__all__ = ["REPORT_SCHEMA", "main", "render_html", "validate_report"]
