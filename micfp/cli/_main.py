"""Argument parsing, subcommands and exit codes of the ``micfp`` command."""

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from .._version import __version__
from ..exceptions import AudioError
from ..persistence import InvalidModelFileError
from ._model import fit_case_model, load_case_model
from ._report import build_report, render_html, validate_report

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_MODEL = 4

_EXIT_CODES = f"""exit status:
  {EXIT_OK}  success
  {EXIT_USAGE}  the command line is wrong (unknown option, missing argument)
  {EXIT_INPUT}  an input file or folder is missing, unreadable or unsupported
  {EXIT_MODEL}  the model file is not a micfp case model, is damaged, or was
     written by another micfp version (refit it with `micfp fit`)
"""

_DESCRIPTION = """\
Identify the recording device of questioned audio from reference recordings.

A case runs in steps:
  micfp fit REFERENCES -o model.micfp [--population POPULATION]
                                    learn the devices of a reference folder (and
                                    calibrate likelihood ratios on a population)
  micfp identify model.micfp Q.wav ...    name the most likely device, or "unknown"
  micfp verify model.micfp Q.wav --reference R1.wav R2.wav ...
                                    log10 likelihood ratio: same device or not
  micfp scan model.micfp Q.wav ...        look for device changes (splices)
  micfp report RESULTS.json ... -o case   write case.json and case.html

REFERENCES holds one folder per device, each with at least two of that
device's recordings (REFERENCES/<device>/<recording>.wav). A questioned file
whose clips look unlike every reference device is reported as "unknown"; the
rejection threshold is learnt on held-out reference recordings. Probabilities
over the reference devices are classifier outputs, not likelihood ratios;
`verify` gives calibrated log10 likelihood ratios, from a model fitted with
--population (recordings of at least 20 devices of the relevant population,
at least 4 recordings each, that are neither reference nor questioned devices).
`fit` measures that system on its own population (Cllr, EER, Tippett and DET
plots, shown in the report): on its calibration trials, or with
--validation-devices N on N population devices it never saw; and how often
the population's recordings, of devices that are not references, are wrongly
accepted as made by a reference device.
"""

logger = logging.getLogger("micfp.cli")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=32)


def _int_from(lowest):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, got {value}")
        return value

    return parse


_positive_int = _int_from(1)


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="micfp",
        description=_DESCRIPTION,
        epilog=_EXIT_CODES,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"micfp {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only, no progress"
    )
    noise.add_argument(
        "-v", "--verbose", action="store_true", help="print details of every step"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fit = commands.add_parser(
        "fit",
        help="learn the devices of a reference folder and save the model",
        description="Learn the devices of a reference folder and save the model "
        "in micfp's safe format (a zip of JSON and arrays; nothing is unpickled "
        "when it is loaded).",
        formatter_class=_Formatter,
        epilog=_EXIT_CODES,
    )
    fit.add_argument(
        "references",
        type=Path,
        help="folder with one sub-folder of recordings a device",
    )
    fit.add_argument(
        "-o", "--output", type=Path, required=True, help="model file to write"
    )
    fit.add_argument(
        "--population",
        type=Path,
        default=None,
        help="folder with one sub-folder of recordings a device of the relevant "
        "population, to fit and calibrate the likelihood ratios of `verify`",
    )
    fit.add_argument(
        "--excerpt-duration",
        type=float,
        default=10.0,
        help="seconds of the excerpts that `verify` compares; the calibration "
        "holds for questioned excerpts of this duration (default: %(default)s)",
    )
    fit.add_argument(
        "--validation-devices",
        type=_int_from(0),
        default=0,
        help="population devices held out from the likelihood-ratio system to "
        "test it on devices it has never seen; with 0, the model's validation "
        "figures come from its calibration trials (default: %(default)s)",
    )
    fit.add_argument(
        "--sr",
        type=_positive_int,
        default=None,
        help="resample every recording to this rate in Hz (default: all files "
        "must share one rate)",
    )
    fit.add_argument(
        "--clip-length",
        type=_positive_int,
        default=4096,
        help="samples a clip (default: %(default)s)",
    )
    fit.add_argument(
        "--n-clips",
        type=_positive_int,
        default=200,
        help="clips drawn from each reference recording (default: %(default)s)",
    )
    fit.add_argument(
        "--target-frr",
        type=float,
        default=0.05,
        help="share of clips of reference devices that the open-set rejection "
        "may refuse (default: %(default)s)",
    )
    fit.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the clip draw and the model (default: %(default)s)",
    )

    identify = commands.add_parser(
        "identify",
        help="name the most likely reference device of questioned files",
        description="Name the most likely reference device of each questioned "
        "file. Every non-overlapping clip of a file is classified and the clip "
        "probabilities are averaged (soft vote).",
        formatter_class=_Formatter,
        epilog=_EXIT_CODES,
    )
    identify.add_argument("model", type=Path, help="model file written by micfp fit")
    identify.add_argument("files", type=Path, nargs="+", help="questioned files")
    identify.add_argument(
        "-o", "--output", type=Path, help="write the results as JSON to this file"
    )
    identify.add_argument(
        "--max-clips",
        type=_positive_int,
        default=None,
        help="classify at most this many clips of a file (default: all)",
    )

    verify = commands.add_parser(
        "verify",
        help="log10 likelihood ratio that a reference device made a file",
        description="Compare a questioned file with reference recordings of one "
        "device. H1: the reference device made the questioned file; H2: another "
        "device of the population did. The questioned file is cut into excerpts "
        "of the model's excerpt duration; each gets a calibrated log10 LR, and "
        "their median is reported with its verbal equivalent (ENFSI scale).",
        formatter_class=_Formatter,
        epilog=_EXIT_CODES,
    )
    verify.add_argument("model", type=Path, help="model file written by micfp fit")
    verify.add_argument("questioned", type=Path, help="questioned file")
    verify.add_argument(
        "--reference",
        type=Path,
        nargs="+",
        required=True,
        help="reference recordings of the device (one or more files)",
    )
    verify.add_argument(
        "-o", "--output", type=Path, help="write the result as JSON to this file"
    )

    scan = commands.add_parser(
        "scan",
        help="look for device changes (splices) along files",
        description="Look for points where the recording device changes along "
        "each file. The detector was fitted on the reference recordings, taken "
        "as unedited, with a threshold for about one false change an hour.",
        formatter_class=_Formatter,
        epilog=_EXIT_CODES,
    )
    scan.add_argument("model", type=Path, help="model file written by micfp fit")
    scan.add_argument("files", type=Path, nargs="+", help="files to scan")
    scan.add_argument(
        "-o", "--output", type=Path, help="write the results as JSON to this file"
    )

    report = commands.add_parser(
        "report",
        help="gather results into a case report (JSON and HTML)",
        description="Gather the JSON results of earlier commands into one case "
        "report: OUTPUT.json (a versioned schema, for tools) and OUTPUT.html "
        "(self-contained, for people).",
        formatter_class=_Formatter,
        epilog=_EXIT_CODES,
    )
    report.add_argument(
        "results", type=Path, nargs="+", help="JSON files written by micfp commands"
    )
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="path without suffix; OUTPUT.json and OUTPUT.html are written",
    )
    report.add_argument("--title", default="micfp case report", help="report title")
    return parser


def _configure_logging(args):
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else 20
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("micfp: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _cmd_fit(args):
    if not args.references.is_dir():
        raise FileNotFoundError(f"reference folder {str(args.references)!r} not found")
    if args.population is not None and not args.population.is_dir():
        raise FileNotFoundError(f"population folder {str(args.population)!r} not found")
    if args.validation_devices and args.population is None:
        raise ValueError(
            "--validation-devices holds out devices of the population: give "
            "--population FOLDER"
        )
    model = fit_case_model(
        args.references,
        population=args.population,
        excerpt_duration=args.excerpt_duration,
        validation_devices=args.validation_devices,
        sr=args.sr,
        clip_length=args.clip_length,
        n_clips=args.n_clips,
        target_frr=args.target_frr,
        random_state=args.random_state,
        log=logger.info,
        verbose=0 if args.quiet else 1,
    )
    model.save(args.output)
    logger.info("model saved to %s", args.output)
    return {"command": "fit", "model": str(args.output)}


def _cmd_identify(args):
    model = load_case_model(args.model)
    _check_files(args.files, "questioned file")
    results = []
    for index, path in enumerate(args.files, start=1):
        logger.info("[%d/%d] identifying %s", index, len(args.files), path)
        results.append(model.identify(path, max_clips=args.max_clips))
        best = results[-1]
        logger.info(
            "  %s: closest reference device %s (mean clip probability %.3f, "
            "%.0f %% of %d clips rejected as unknown)",
            "known" if best["device"] != "unknown" else "UNKNOWN",
            best["closest_device"],
            best["probabilities"][best["closest_device"]],
            100 * best["rejected_clip_fraction"],
            best["n_clips"],
        )
    document = {
        "command": "identify",
        "micfp_version": __version__,
        "model": model.describe(args.model),
        "results": results,
    }
    _write_json(document, args.output)
    return document


def _check_files(paths, what):
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{what} {str(path)!r} not found")


def _cmd_verify(args):
    model = load_case_model(args.model)
    _check_files([args.questioned], "questioned file")
    _check_files(args.reference, "reference file")
    logger.info(
        "comparing %s with %d reference recording(s)",
        args.questioned,
        len(args.reference),
    )
    result = model.verify(args.questioned, args.reference)
    logger.info(
        "  log10 LR %.2f (median of %d excerpts of %g s): %s",
        result["log10_lr"],
        len(result["excerpt_log10_lr"]),
        result["excerpt_duration"],
        result["verbal"],
    )
    document = {
        "command": "verify",
        "micfp_version": __version__,
        "model": model.describe(args.model),
        "results": [result],
    }
    _write_json(document, args.output)
    return document


def _cmd_scan(args):
    model = load_case_model(args.model)
    _check_files(args.files, "file")
    results = []
    for index, path in enumerate(args.files, start=1):
        logger.info("[%d/%d] scanning %s", index, len(args.files), path)
        results.append(model.scan(path))
        found = results[-1]["boundary_times"]
        logger.info(
            "  %s",
            "no device change found"
            if not found
            else "device change(s) at " + ", ".join(f"{t:.2f} s" for t in found),
        )
    document = {
        "command": "scan",
        "micfp_version": __version__,
        "model": model.describe(args.model),
        "results": results,
    }
    _write_json(document, args.output)
    return document


def _cmd_report(args):
    documents = []
    for path in args.results:
        try:
            documents.append(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"{str(path)!r} is not a micfp results file: {exc}"
            ) from exc
    report = build_report(documents, title=args.title)
    validate_report(report)
    json_path = args.output.with_name(args.output.name + ".json")
    html_path = args.output.with_name(args.output.name + ".html")
    _write_json(report, json_path)
    html_path.write_text(render_html(report), encoding="utf-8")
    logger.info("report written to %s and %s", json_path, html_path)
    return report


def _write_json(document, path):
    if path is None:
        return
    path.write_text(json.dumps(document, indent=2, default=_json_default) + "\n")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_COMMANDS = {
    "fit": _cmd_fit,
    "identify": _cmd_identify,
    "verify": _cmd_verify,
    "scan": _cmd_scan,
    "report": _cmd_report,
}


def main(argv=None):
    """Run the ``micfp`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 for a wrong command line, 3 for a missing,
        unreadable or unsupported input, 4 for a model file that is not a
        micfp case model or comes from another micfp version.

    Examples
    --------
    >>> from micfp.cli import main
    >>> main(["--version"])
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args)
    try:
        _COMMANDS[args.command](args)
    except InvalidModelFileError as exc:
        logger.error("error: %s", exc)
        return EXIT_MODEL
    except (AudioError, OSError, ValueError) as exc:
        logger.error("error: %s", exc)
        return EXIT_INPUT
    return EXIT_OK
