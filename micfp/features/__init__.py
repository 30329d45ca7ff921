"""Features of audio clips that carry device traces."""

from ._band_energy import BandEnergyDifference, band_energy_difference
from ._cepstrum import MFCC, cepstral_coefficients
from ._frame_stats import FrameStatistics
from ._spectrum import LogSpectrum, log_spectrum

__all__ = [
    "MFCC",
    "BandEnergyDifference",
    "FrameStatistics",
    "LogSpectrum",
    "band_energy_difference",
    "cepstral_coefficients",
    "log_spectrum",
]
