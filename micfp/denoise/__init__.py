"""Device-noise extraction by wavelet de-noising.

A clip is modelled as ``s = f + e``, content ``f`` plus device noise ``e``.
:class:`WaveletDenoiser` estimates ``f`` by wavelet shrinkage and
:class:`NoiseResidual` returns ``e = s - f``, the device fingerprint.
"""

from ._transformers import NoiseResidual, WaveletDenoiser
from ._wavelet import wavelet_denoise

__all__ = ["NoiseResidual", "WaveletDenoiser", "wavelet_denoise"]
