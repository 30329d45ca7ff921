"""Simulated recording devices for experiments with a known ground truth."""

from ._simulator import make_recordings
from ._spliced import make_spliced

__all__ = ["make_recordings", "make_spliced"]
