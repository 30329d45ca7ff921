"""Features of audio clips that carry device traces."""

from ._band_energy import BandEnergyDifference, band_energy_difference
from ._cepstrum import MFCC, cepstral_coefficients
from ._frame_stats import FrameStatistics
from ._noise_floor import NoiseFloorSpectrum, noise_floor_spectrum
from ._normalize import SpectralNormalizer, normalize_by_clip, normalize_by_group
from ._spectrum import LogSpectrum, log_spectrum
from ._welch import (
    MultitaperSpectrum,
    WelchSpectrum,
    long_term_average_spectrum,
    multitaper_spectrum,
    welch_spectrum,
)

__all__ = [
    "MFCC",
    "BandEnergyDifference",
    "FrameStatistics",
    "LogSpectrum",
    "MultitaperSpectrum",
    "NoiseFloorSpectrum",
    "SpectralNormalizer",
    "WelchSpectrum",
    "band_energy_difference",
    "cepstral_coefficients",
    "log_spectrum",
    "long_term_average_spectrum",
    "multitaper_spectrum",
    "noise_floor_spectrum",
    "normalize_by_clip",
    "normalize_by_group",
    "welch_spectrum",
]
