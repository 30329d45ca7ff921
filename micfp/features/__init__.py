"""Features of audio clips that carry device traces."""

from ._band_energy import BandEnergyDifference, band_energy_difference
from ._cepstrum import MFCC, cepstral_coefficients
from ._filterbank import hz_to_mel, linear_filterbank, mel_filterbank, mel_to_hz
from ._frame_stats import FrameStatistics, frame_signal, rms, zero_crossing_rate
from ._spectral import dct_matrix, delta, power_spectrogram, power_to_db
from ._spectrum import LogSpectrum, log_spectrum

__all__ = [
    "MFCC",
    "BandEnergyDifference",
    "FrameStatistics",
    "LogSpectrum",
    "band_energy_difference",
    "cepstral_coefficients",
    "dct_matrix",
    "delta",
    "frame_signal",
    "hz_to_mel",
    "linear_filterbank",
    "log_spectrum",
    "mel_filterbank",
    "mel_to_hz",
    "power_spectrogram",
    "power_to_db",
    "rms",
    "zero_crossing_rate",
]
