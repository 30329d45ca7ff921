"""Features of audio clips that carry device traces."""

from ._spectrum import LogSpectrum, log_spectrum

__all__ = [
    "LogSpectrum",
    "log_spectrum",
]
