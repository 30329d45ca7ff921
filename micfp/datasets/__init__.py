"""Simulated recording devices for experiments with a known ground truth."""

from ._coding import apply_coding, encode_audio
from ._simulator import make_recordings
from ._spliced import make_spliced

__all__ = ["apply_coding", "encode_audio", "make_recordings", "make_spliced"]
