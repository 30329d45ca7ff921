"""The model a case is run with: fitted estimators and what they were fitted on."""

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from .._version import __version__
from ..baselines import make_device_classifier, make_device_embedding
from ..calibration import DeviceLRSystem
from ..clips import extract_clips
from ..exceptions import AudioError
from ..io import load_recordings, read_audio
from ..metrics import cllr, cllr_min, eer, misleading_rate
from ..openset import OpenSetClassifier
from ..persistence import InvalidModelFileError, load_model, save_model
from ..segmentation import DeviceChangeDetector
from ..utils import progress
from ..utils._framing import frame
from ..verification import DeviceEmbedder

MODEL_FORMAT = "micfp-case-model"
MODEL_FORMAT_VERSION = 2
UNKNOWN = "unknown"
_HASH_BLOCK = 1 << 20

# ENFSI Guideline for Evaluative Reporting in Forensic Science (2015): verbal
# equivalents of likelihood ratios, by the lower bound of their log10.
_VERBAL_SCALE = (
    (6, "extremely strong support"),
    (4, "very strong support"),
    (3, "strong support"),
    (2, "moderately strong support"),
    (1, "moderate support"),
    (0, "weak support"),
)


def verbal_equivalent(llr):
    """Return the ENFSI verbal equivalent of a log10 likelihood ratio.

    Parameters
    ----------
    llr : float
        Log10 likelihood ratio of H1 (the reference device made the
        questioned recording) against H2 (another device of the population).

    Returns
    -------
    text : str
        For example "moderate support for H1" for a log10 LR of 1.5, or
        "weak support for H2" for -0.5.

    Raises
    ------
    ValueError
        If ``llr`` is NaN.

    Examples
    --------
    >>> from micfp.cli import verbal_equivalent
    >>> verbal_equivalent(2.5)
    'moderately strong support for H1'
    >>> verbal_equivalent(-0.5)
    'weak support for H2'
    """
    size = abs(llr)
    for bound, words in _VERBAL_SCALE:
        if size >= bound:
            return f"{words} for {'H1' if llr >= 0 else 'H2'}"
    raise ValueError(f"llr must be a number; got {llr!r}")  # NaN


def file_sha256(path):
    """Return the SHA-256 of a file's bytes as a hex string."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _provenance(info):
    record = dataclasses.asdict(info)
    record["duration"] = info.duration
    return record


def _excerpts(signal, length, sr, name, what):
    """Non-overlapping excerpts of ``length`` samples, as rows."""
    n = signal.size // length
    if n == 0:
        raise ValueError(
            f"{name} is {signal.size / sr:.3f} s long ({signal.size} samples at "
            f"{sr} Hz), shorter than one {what} of {length} samples "
            f"({length / sr:.3f} s)"
        )
    return frame(signal, length, length)


class CaseModel:
    """Fitted estimators of a case with the settings and provenance of their fit.

    Parameters
    ----------
    classifier : OpenSetClassifier
        Clips to reference devices, with a rejection threshold learnt on
        held-out reference recordings.
    detector : DeviceChangeDetector or None
        Change detector fitted on the reference recordings.
    lr_system : DeviceLRSystem or None
        Likelihood-ratio system fitted on a population of devices.
    settings : dict
        ``sr``, ``clip_length`` and ``excerpt_duration``.
    provenance : dict
        ``references``, ``population`` and ``validation``: lists of file
        records.
    validation : dict
        The model on its own background data: ``likelihood_ratio``
        (:func:`lr_validation`) and ``open_set`` (:func:`open_set_validation`),
        each None for a model fitted without a population.
    """

    def __init__(
        self, classifier, *, detector, lr_system, settings, provenance, validation
    ):
        self.classifier = classifier
        self.detector = detector
        self.lr_system = lr_system
        self.settings = settings
        self.provenance = provenance
        self.validation = validation

    @property
    def sr(self):
        """Sample rate of the analysis, in Hz."""
        return self.settings["sr"]

    @property
    def devices(self):
        """Labels of the reference devices, in the classifier's order."""
        return [str(label) for label in self.classifier.classes_]

    def save(self, path):
        """Write the model in micfp's safe format."""
        save_model(
            {
                "format": MODEL_FORMAT,
                "format_version": MODEL_FORMAT_VERSION,
                "micfp_version": __version__,
                "classifier": self.classifier,
                "detector": self.detector,
                "lr_system": self.lr_system,
                "settings": self.settings,
                "provenance": self.provenance,
                "validation": self.validation,
            },
            path,
        )

    def describe(self, path):
        """Return the JSON description of the model stored at ``path``."""
        steps = self.classifier.estimator_.steps
        population = self.provenance["population"]
        return {
            "path": str(path),
            "sha256": file_sha256(path),
            "micfp_version": __version__,
            "devices": self.devices,
            "sr": self.sr,
            "clip_length": self.settings["clip_length"],
            "method": " -> ".join(type(step).__name__ for _, step in steps)
            + f" with open-set rejection ({self.classifier.method} known-ness, "
            f"target false rejection {self.classifier.target_frr:g})",
            "n_reference_recordings": len(self.provenance["references"]),
            "n_population_devices": len({r["device"] for r in population}),
            "validation": self.validation,
        }

    def _read(self, path):
        signal, _, info = read_audio(path, sr=self.sr, return_info=True)
        return signal, _provenance(info)

    def identify(self, path, *, max_clips=None):
        """Soft-vote device probabilities and known-ness of one questioned file."""
        signal, record = self._read(path)
        clips = _excerpts(
            signal, self.settings["clip_length"], self.sr, f"{str(path)!r}", "clip"
        )
        clips = clips[:max_clips]
        proba = self.classifier.predict_proba(clips).mean(axis=0)
        decision, known = _knownness(self.classifier, clips)
        devices = self.devices
        closest = devices[int(np.argmax(proba))]
        return {
            "file": record,
            "device": closest if known else UNKNOWN,
            "closest_device": closest,
            "probabilities": {d: float(p) for d, p in zip(devices, proba, strict=True)},
            "knownness": float(decision.mean()),
            "rejected_clip_fraction": float(np.mean(decision < 0)),
            "n_clips": len(clips),
        }

    def verify(self, questioned, references):
        """Log10 LRs that the reference device made the questioned file."""
        if self.lr_system is None:
            raise InvalidModelFileError(
                "this model has no likelihood-ratio system: refit it with "
                "`micfp fit ... --population FOLDER`, a folder of recordings of "
                "many devices of the relevant population"
            )
        length = round(self.settings["excerpt_duration"] * self.sr)
        signal, record = self._read(questioned)
        questioned_rows = _excerpts(
            signal, length, self.sr, f"{str(questioned)!r}", "excerpt"
        )
        reference_rows, reference_records = [], []
        for path in references:
            reference, info = self._read(path)
            reference_rows.append(
                _excerpts(reference, length, self.sr, f"{str(path)!r}", "excerpt")
            )
            reference_records.append(info)
        llr = self.lr_system.predict_llr(np.vstack(reference_rows), questioned_rows)[0]
        median = float(np.median(llr))
        return {
            "file": record,
            "references": reference_records,
            "log10_lr": median,
            "verbal": verbal_equivalent(median),
            "excerpt_log10_lr": [float(v) for v in llr],
            "excerpt_duration": self.settings["excerpt_duration"],
            "n_population_devices": len(
                {r["device"] for r in self.provenance["population"]}
            ),
        }

    def scan(self, path):
        """Device changes along one file, with the change curve."""
        if self.detector is None:
            raise InvalidModelFileError(
                "this model has no change detector: its reference recordings "
                "were too short to fit one (see the log of `micfp fit`)"
            )
        signal, record = self._read(path)
        times, curve = self.detector.change_curve(signal)
        boundaries = self.detector.predict(signal)
        scores = self.detector.segment_scores(signal, boundaries)
        return {
            "file": record,
            "boundary_times": [float(t) for t in boundaries],
            "segment_scores": [float(v) for v in scores],
            "splice_score": float(curve.max()) if curve.size else 0.0,
            "threshold": float(self.detector.threshold_),
            "curve_times": [float(t) for t in times],
            "curve": [float(v) for v in curve],
        }


def _knownness(classifier, clips):
    """Known-ness of each clip of a file, and whether the file is accepted.

    A file is accepted as made by a reference device when the mean known-ness
    of its clips reaches the open-set classifier's threshold (0).
    """
    decision = classifier.decision_function(clips)
    return decision, bool(decision.mean() >= 0)


def open_set_validation(classifier, recordings, *, clip_length, verbose=0):
    """How often the open-set classifier accepts devices it never saw.

    Every population recording is decided as ``identify`` decides a
    questioned file; the population's devices are none of the reference
    devices, so each acceptance is a false one.
    """
    knownness, accepted_clips, n_clips = [], 0, 0
    pairs = zip(recordings.signals, recordings.paths, strict=True)
    for signal, path in progress(
        pairs,
        verbose=verbose,
        total=len(recordings),
        desc="open-set rejection of population recordings",
        unit="recording",
    ):
        clips = _excerpts(signal, clip_length, recordings.sr, path, "clip")
        decision, _ = _knownness(classifier, clips)
        knownness.append(float(decision.mean()))
        accepted_clips += int(np.sum(decision >= 0))
        n_clips += len(clips)
    return {
        "n_devices": int(np.unique(recordings.devices).size),
        "n_recordings": len(recordings),
        "accepted_recordings": int(np.sum(np.asarray(knownness) >= 0)),
        "clip_acceptance_rate": accepted_clips / n_clips,
        "knownness": knownness,
    }


def _fit_detector(signals, sr, log):
    detector = DeviceChangeDetector(sr=sr)
    try:
        detector.fit(signals)
    except (AudioError, ValueError) as exc:
        log(f"warning: no change detector fitted, `micfp scan` is unavailable: {exc}")
        return None
    log(
        f"change detector fitted on {detector.fit_duration_ / 60:.1f} min of "
        "unedited audio; its threshold aims at "
        f"{detector.false_alarms_per_hour:g} false change an hour"
        + (
            ", a rate extrapolated from less than an hour of audio"
            if detector.fit_duration_ < 3600
            else ""
        )
    )
    return detector


def _excerpt_rows(recordings, length):
    """Excerpts of every recording as rows, with their devices and recordings."""
    rows, devices, groups = [], [], []
    for index, (signal, device) in enumerate(
        zip(recordings.signals, recordings.devices, strict=True)
    ):
        excerpts = _excerpts(
            signal, length, recordings.sr, recordings.paths[index], "excerpt"
        )
        rows.append(excerpts)
        devices += [device] * len(excerpts)
        groups += [index] * len(excerpts)
    return np.vstack(rows), np.asarray(devices), np.asarray(groups)


def _file_records(recordings):
    return [
        {"device": str(d), **_provenance(info)}
        for d, info in zip(recordings.devices, recordings.provenance, strict=True)
    ]


def _fit_lr_system(recordings, *, clip_length, excerpt_duration, random_state, log):
    X, devices, groups = _excerpt_rows(
        recordings, round(excerpt_duration * recordings.sr)
    )
    log(
        f"fitting the likelihood-ratio system on {len(X)} excerpts of "
        f"{excerpt_duration:g} s from {len(recordings)} recordings of "
        f"{np.unique(devices).size} population devices"
    )
    embedder = DeviceEmbedder(
        transformer=make_device_embedding(recordings.sr), clip_length=clip_length
    )
    system = DeviceLRSystem(embedder=embedder, random_state=random_state)
    system.fit(X, devices, groups=groups)
    log(
        f"  {len(system.background_devices_)} devices fitted the embedding and "
        f"back-end, {len(system.calibration_devices_)} the calibration "
        f"({system.n_calibration_trials_['target']} target and "
        f"{system.n_calibration_trials_['non_target']} non-target trials)"
    )
    return system


def _hold_out_devices(recordings, n_devices, random_state):
    """Split recordings into those of ``n_devices`` random devices and the rest."""
    devices = np.unique(recordings.devices)
    if n_devices >= devices.size:
        raise ValueError(
            f"--validation-devices {n_devices} leaves no population device to fit "
            f"the likelihood-ratio system: the population has {devices.size}"
        )
    rng = np.random.default_rng(random_state)
    held_out = np.isin(
        recordings.devices, rng.choice(devices, n_devices, replace=False)
    )
    return recordings.subset(~held_out), recordings.subset(held_out)


def lr_validation(system, held_out=None, *, excerpt_duration=None):
    """Trials, metrics and counts that show how well an LR system performs.

    With ``held_out`` recordings (of devices new to the system), their
    case-like trials (:meth:`DeviceLRSystem.score_trials`) test it. Without,
    the system's own calibration trials are used: their devices took no part
    in the embedding and back-end, but they fitted the calibrator, so the
    log10 LRs show how well the calibration fits rather than an independent
    test; the scores and the discrimination they show (EER, Cllr_min, DET)
    are those of devices the back-end never saw.
    """
    if held_out is None:
        trials = system.calibration_trials_
        y_true, score = trials["y_true"], trials["score"]
        llr = system.calibrator_.transform(score[:, None])[:, 0]
        source, n_devices = "calibration", len(system.calibration_devices_)
    else:
        X, devices, groups = _excerpt_rows(
            held_out, round(excerpt_duration * held_out.sr)
        )
        trials = system.score_trials(X, devices, groups)
        y_true, score, llr = trials["y_true"], trials["score"], trials["llr"]
        source, n_devices = "held-out", np.unique(devices).size
    n_target = int(np.sum(y_true))
    return {
        "trials": source,
        "n_devices": int(n_devices),
        "n_target_trials": n_target,
        "n_non_target_trials": len(y_true) - n_target,
        "metrics": {
            "cllr": float(cllr(y_true, llr)),
            "cllr_min": float(cllr_min(y_true, llr)),
            "eer": float(eer(y_true, score)),
            "misleading_h1": float(misleading_rate(y_true, llr, proposition="H1")),
            "misleading_h2": float(misleading_rate(y_true, llr, proposition="H2")),
        },
        "y_true": [int(v) for v in y_true],
        "score": [float(v) for v in score],
        "llr": [float(v) for v in llr],
    }


def fit_case_model(
    references,
    *,
    population=None,
    sr=None,
    clip_length=4096,
    n_clips=200,
    excerpt_duration=10.0,
    validation_devices=0,
    target_frr=0.05,
    random_state=0,
    log=print,
    verbose=0,
):
    """Fit a :class:`CaseModel` on reference folders (and a population)."""
    recordings = load_recordings(references, sr=sr, verbose=verbose)
    devices = np.unique(recordings.devices)
    if devices.size < 2:
        raise ValueError(
            f"{str(references)!r} holds {devices.size} device folder(s); at least 2 "
            "devices are needed to learn what distinguishes them"
        )
    log(
        f"read {len(recordings)} recordings of {devices.size} devices at "
        f"{recordings.sr} Hz ({recordings.durations.sum():.1f} s in all)"
    )
    takes = [
        np.unique(recordings.recording_ids[recordings.devices == d]).size
        for d in devices
    ]
    if min(takes) < 2:
        raise ValueError(
            "every device needs at least two reference recordings, so that the "
            "rejection threshold is learnt on recordings the classifier has not "
            f"seen; device {str(devices[int(np.argmin(takes))])!r} has one"
        )
    X, y, groups = extract_clips(
        recordings, length=clip_length, n_clips=n_clips, random_state=random_state
    )
    log(f"fitting the classifier on {X.shape[0]} clips of {clip_length} samples")
    classifier = OpenSetClassifier(
        make_device_classifier(recordings.sr),
        threshold="auto",
        target_frr=target_frr,
        unknown_label=UNKNOWN,
    ).fit(X, y, groups=groups)
    log(
        "rejection threshold learnt on held-out reference recordings "
        f"(target false rejection {target_frr:g})"
    )
    lr_system, unedited = None, list(recordings.signals)
    validation = {"likelihood_ratio": None, "open_set": None}
    population_records, validation_records = [], []
    if population is not None:
        others = load_recordings(population, sr=recordings.sr, verbose=verbose)
        unedited += others.signals
        rejection = validation["open_set"] = open_set_validation(
            classifier, others, clip_length=clip_length, verbose=verbose
        )
        log(
            f"open-set rejection: {rejection['accepted_recordings']} of the "
            f"{rejection['n_recordings']} recordings of {rejection['n_devices']} "
            "population devices accepted as a reference device"
        )
        held_out = None
        if validation_devices:
            others, held_out = _hold_out_devices(
                others, validation_devices, random_state
            )
            validation_records = _file_records(held_out)
        lr_system = _fit_lr_system(
            others,
            clip_length=clip_length,
            excerpt_duration=excerpt_duration,
            random_state=random_state,
            log=log,
        )
        population_records = _file_records(others)
        lrs = validation["likelihood_ratio"] = lr_validation(
            lr_system, held_out, excerpt_duration=excerpt_duration
        )
        log(
            f"likelihood ratios on {lrs['n_devices']} {lrs['trials']} devices: "
            f"Cllr {lrs['metrics']['cllr']:.3f} bits, EER "
            f"{100 * lrs['metrics']['eer']:.1f} %"
        )
    log("fitting the change detector on the reference and population recordings")
    detector = _fit_detector(unedited, recordings.sr, log)
    return CaseModel(
        classifier,
        detector=detector,
        lr_system=lr_system,
        settings={
            "sr": int(recordings.sr),
            "clip_length": int(clip_length),
            "excerpt_duration": float(excerpt_duration),
        },
        provenance={
            "references": _file_records(recordings),
            "population": population_records,
            "validation": validation_records,
        },
        validation=validation,
    )


def load_case_model(path):
    """Load a :class:`CaseModel` written by :meth:`CaseModel.save`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {str(path)!r} not found")
    try:
        stored = load_model(path)
    except InvalidModelFileError as exc:
        raise InvalidModelFileError(f"{str(path)!r}: {exc}") from exc
    if not isinstance(stored, dict) or stored.get("format") != MODEL_FORMAT:
        raise InvalidModelFileError(
            f"{str(path)!r} is a micfp model but not one written by `micfp fit`"
        )
    if stored.get("format_version") != MODEL_FORMAT_VERSION:
        raise InvalidModelFileError(
            f"{str(path)!r} is a case model of format version "
            f"{stored.get('format_version')} and this micfp reads version "
            f"{MODEL_FORMAT_VERSION}; refit it with `micfp fit`"
        )
    if stored.get("micfp_version") != __version__:
        raise InvalidModelFileError(
            f"{str(path)!r} was written by micfp {stored.get('micfp_version')} and "
            f"this is micfp {__version__}; refit it with `micfp fit` so that the "
            "case is run with the code it was validated with"
        )
    return CaseModel(
        stored["classifier"],
        detector=stored["detector"],
        lr_system=stored["lr_system"],
        settings=stored["settings"],
        provenance=stored["provenance"],
        validation=stored["validation"],
    )
