"""Features of audio clips that carry device traces."""

from ._band_energy import BandEnergyDifference, band_energy_difference
from ._cepstrum import MFCC, cepstral_coefficients
from ._filterbank import hz_to_mel, linear_filterbank, mel_filterbank, mel_to_hz
from ._frame_stats import FrameStatistics, frame_signal, rms, zero_crossing_rate
from ._noise_floor import NoiseFloorSpectrum, noise_floor_spectrum
from ._normalize import SpectralNormalizer, normalize_by_clip, normalize_by_group
from ._spectral import dct_matrix, delta, power_spectrogram, power_to_db
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
    "dct_matrix",
    "delta",
    "frame_signal",
    "hz_to_mel",
    "linear_filterbank",
    "log_spectrum",
    "long_term_average_spectrum",
    "mel_filterbank",
    "mel_to_hz",
    "multitaper_spectrum",
    "noise_floor_spectrum",
    "normalize_by_clip",
    "normalize_by_group",
    "power_spectrogram",
    "power_to_db",
    "rms",
    "welch_spectrum",
    "zero_crossing_rate",
]
