"""Simulated recording devices for experiments with a known ground truth."""

from ._simulator import make_recordings

__all__ = ["make_recordings"]
