"""Reading audio files into recordings."""

from ._recordings import Recordings

__all__ = ["Recordings"]
