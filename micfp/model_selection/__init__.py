"""Leakage-free evaluation: splits by recording, recording-level scores."""

from ._duration import accuracy_vs_duration
from ._scorer import make_recording_scorer
from ._split import cross_validate_recordings, split_recordings

__all__ = [
    "accuracy_vs_duration",
    "cross_validate_recordings",
    "make_recording_scorer",
    "split_recordings",
]
