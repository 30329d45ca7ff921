"""The model a case is run with: a fitted pipeline and what it was fitted on."""

import hashlib
from pathlib import Path

import numpy as np

from .._version import __version__
from ..baselines import make_device_classifier
from ..clips import extract_clips
from ..io import load_recordings, read_audio
from ..openset import OpenSetClassifier
from ..persistence import InvalidModelFileError, load_model, save_model

MODEL_FORMAT = "micfp-case-model"
MODEL_FORMAT_VERSION = 1
_HASH_BLOCK = 1 << 20


def file_sha256(path):
    """Return the SHA-256 of a file's bytes as a hex string."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


UNKNOWN = "unknown"


def _open_set_classifier(sr, target_frr):
    return OpenSetClassifier(
        make_device_classifier(sr),
        threshold="auto",
        target_frr=target_frr,
        unknown_label=UNKNOWN,
    )


class CaseModel:
    """A fitted classifier with the settings and provenance of its fit.

    Parameters
    ----------
    classifier : OpenSetClassifier
        Fitted classifier from clips to device labels, with ``predict_proba``
        and a rejection threshold learnt on the reference recordings.
    sr : int
        Sample rate of the clips it was fitted on, in Hz.
    clip_length : int
        Samples a clip.
    references : list of dict
        ``{"device", "path", "sha256"}`` of every reference recording.
    """

    def __init__(self, classifier, *, sr, clip_length, references):
        self.classifier = classifier
        self.sr = sr
        self.clip_length = clip_length
        self.references = references

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
                "sr": self.sr,
                "clip_length": self.clip_length,
                "references": self.references,
            },
            path,
        )

    def describe(self, path):
        """Return the JSON description of the model stored at ``path``."""
        return {
            "path": str(path),
            "sha256": file_sha256(path),
            "micfp_version": __version__,
            "devices": self.devices,
            "sr": self.sr,
            "clip_length": self.clip_length,
            "method": " -> ".join(type(step).__name__ for _, step in self.steps())
            + f" with open-set rejection ({self.classifier.method} known-ness, "
            f"target false rejection {self.classifier.target_frr:g})",
            "n_reference_recordings": len(self.references),
        }

    def steps(self):
        """Return the ``(name, step)`` pairs of the wrapped pipeline."""
        return self.classifier.estimator_.steps

    def identify(self, path, *, max_clips=None):
        """Return the soft-vote device probabilities of one questioned file."""
        signal, sr = read_audio(path, sr=self.sr)
        n_available = signal.size // self.clip_length
        if n_available == 0:
            raise ValueError(
                f"{str(path)!r} is {signal.size / sr:.3f} s long, shorter than "
                f"one clip of {self.clip_length} samples "
                f"({self.clip_length / sr:.3f} s)"
            )
        n_clips = n_available if max_clips is None else min(max_clips, n_available)
        clips = signal[: n_clips * self.clip_length].reshape(n_clips, -1)
        proba = self.classifier.predict_proba(clips).mean(axis=0)
        decision = self.classifier.decision_function(clips)
        devices = self.devices
        closest = devices[int(np.argmax(proba))]
        known = bool(decision.mean() >= 0)
        return {
            "file": _file_record(path, signal.size / sr, sr),
            "device": closest if known else UNKNOWN,
            "closest_device": closest,
            "probabilities": {d: float(p) for d, p in zip(devices, proba, strict=True)},
            "knownness": float(decision.mean()),
            "rejected_clip_fraction": float(np.mean(decision < 0)),
            "n_clips": int(n_clips),
        }


def _file_record(path, duration, sr):
    return {
        "path": str(path),
        "sha256": file_sha256(path),
        "duration": float(duration),
        "analysis_sr": int(sr),
    }


def fit_case_model(
    references,
    *,
    sr=None,
    clip_length=4096,
    n_clips=200,
    target_frr=0.05,
    random_state=0,
    log=print,
):
    """Fit a :class:`CaseModel` on a folder of reference recordings."""
    recordings = load_recordings(references, sr=sr)
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
    log(f"fitting on {X.shape[0]} clips of {clip_length} samples")
    classifier = _open_set_classifier(recordings.sr, target_frr)
    classifier.fit(X, y, groups=groups)
    log(
        "rejection threshold learnt on held-out reference recordings "
        f"(target false rejection {target_frr:g})"
    )
    references = [
        {"device": str(d), "path": str(p), "sha256": file_sha256(p)}
        for d, p in zip(recordings.devices, recordings.paths, strict=True)
    ]
    return CaseModel(
        classifier, sr=recordings.sr, clip_length=clip_length, references=references
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
    if stored.get("micfp_version") != __version__:
        raise InvalidModelFileError(
            f"{str(path)!r} was written by micfp {stored.get('micfp_version')} and "
            f"this is micfp {__version__}; refit it with `micfp fit` so that the "
            "case is run with the code it was validated with"
        )
    return CaseModel(
        stored["classifier"],
        sr=stored["sr"],
        clip_length=stored["clip_length"],
        references=stored["references"],
    )
