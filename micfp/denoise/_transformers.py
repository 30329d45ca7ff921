"""Wavelet de-noising transformers: the de-noised signal or the noise residual."""

from numbers import Integral
from typing import ClassVar

from sklearn.base import (
    OneToOneFeatureMixin,
)

from ..utils._base import BaseClipTransformer
from ..utils._docstring import CLIP_ATTRIBUTES, CLIP_INPUT, N_JOBS, Substitution
from ._wavelet import WAVELET_CONSTRAINTS, denoise_batch, resolve_level

_PARAMETERS = """
wavelet : str, default="db8"
    Any discrete wavelet PyWavelets knows (``pywt.wavelist(kind="discrete")``).
level : int or None, default=5
    Number of decomposition levels; ``None`` takes the largest useful level
    (``pywt.dwt_max_level``). A level too high for the clip length is
    capped with a :class:`~micfp.exceptions.DegradedResultWarning`, and
    clips too short for one level pass through unchanged, with a warning.
threshold : {"universal", "bayes", "sure", "minimax"}, default="universal"
    Threshold rule: VisuShrink's universal threshold ``σ √(2 ln n)``,
    BayesShrink's ``σ² / σ_signal`` per level, SureShrink's hybrid
    Stein-risk threshold per level, or the minimax threshold
    ``σ (0.3936 + 0.1829 log2 n)``. See
    :func:`~micfp.denoise.wavelet_denoise` for the exact formulas.
mode : {"soft", "hard", "garrote"}, default="soft"
    Shrinkage applied to the detail coefficients.
noise_estimate : {"clip", "level"}, default="clip"
    Noise level ``σ``: the median absolute value of the finest detail
    coefficients divided by 0.6745, once a clip (``"clip"``), or the same
    estimate on each level's own coefficients (``"level"``).
extension : str, default="symmetric"
    Signal extension mode of PyWavelets (``pywt.Modes.modes``).
"""  # noqa: RUF001

_NOTES = """
Digital silence: a clip of zeros has no detail coefficients to measure,
so its noise level and thresholds are zero; its de-noised clip and its
residual are zeros (there is no device noise to extract). A constant clip
gives a residual of rounding errors only.

Huge samples: rows whose samples exceed ``2 ** 256`` (``2 ** 32`` in
float32) are de-noised scaled by a power of two and scaled back, which is
exact, as every threshold and shrinkage is proportional to the clip.
Where the result itself would exceed the largest float of the dtype
(samples within a few times of it), ``transform`` raises
:class:`~micfp.exceptions.AudioValueError`.
"""


# Shared sections of the transformers' docstrings; the examples start from
# noisy tones.
_wavelet_doc = Substitution(
    wavelet_parameters=_PARAMETERS,
    n_jobs=N_JOBS,
    notes=CLIP_INPUT.strip() + "\n\n" + _NOTES.strip(),
    clip_attributes=CLIP_ATTRIBUTES,
    noisy_tones="""
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tone = np.sin(2 * np.pi * 50 * np.arange(4096) / 44100)
    >>> X = tone + 0.05 * rng.standard_normal((4, 4096))
    """,
)


class _BaseWaveletDenoising(OneToOneFeatureMixin, BaseClipTransformer):
    """Wavelet shrinkage of each clip; subclasses choose what comes out."""

    _output = "denoised"

    _parameter_constraints: ClassVar[dict] = {
        **WAVELET_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        wavelet="db8",
        *,
        level=5,
        threshold="universal",
        mode="soft",
        noise_estimate="clip",
        extension="symmetric",
        n_jobs=None,
    ):
        self.wavelet = wavelet
        self.level = level
        self.threshold = threshold
        self.mode = mode
        self.noise_estimate = noise_estimate
        self.extension = extension
        self.n_jobs = n_jobs

    def _prepare_transform(self, X):
        return {"level": resolve_level(X.shape[1], self.wavelet, self.level)}

    def _transform_chunk(self, X, *, scale, level):
        return denoise_batch(
            X,
            wavelet=self.wavelet,
            level=level,
            threshold=self.threshold,
            mode=self.mode,
            noise_estimate=self.noise_estimate,
            extension=self.extension,
            output=self._output,
            name="X",
            scale=scale,
        )


@_wavelet_doc
class WaveletDenoiser(_BaseWaveletDenoising):
    """Wavelet de-noising of each clip: the content estimate ``f`` of ``s = f + e``.

    The whole batch is decomposed with one ``pywt.wavedec`` call, the detail
    coefficients of each clip are shrunk by a threshold estimated from that
    clip, and one ``pywt.waverec`` call rebuilds the clips.
    :class:`NoiseResidual` returns what this transformer removes.

    Parameters
    ----------
    {wavelet_parameters}
    {n_jobs}

    Attributes
    ----------
    {clip_attributes}

    See Also
    --------
    NoiseResidual : The removed part, ``X - WaveletDenoiser().fit_transform(X)``.
    wavelet_denoise : The function this transformer applies.
    skimage.restoration.denoise_wavelet : Reference implementation of the
        universal and Bayes rules, one signal at a time.

    Notes
    -----
    {notes}

    Examples
    --------
    {noisy_tones}
    >>> from micfp.denoise import WaveletDenoiser
    >>> denoised = WaveletDenoiser(level=5).fit_transform(X)
    >>> denoised.shape
    (4, 4096)
    >>> bool(np.std(denoised - tone) < np.std(X - tone))
    True
    """

    _output = "denoised"


@_wavelet_doc
class NoiseResidual(_BaseWaveletDenoising):
    """Device noise of each clip: the clip minus its wavelet de-noised version.

    With a clip ``s = f + e`` (content ``f``, device noise ``e``), an automatic
    wavelet de-noising estimates ``f`` and the residual ``e = s - f`` is the
    device fingerprint of Qi et al. Defaults fit their setting: 4096-sample
    clips, ``db8``, five levels, universal threshold, soft shrinkage. The whole
    batch goes through one ``pywt.wavedec`` / ``pywt.waverec`` call a chunk.

    Parameters
    ----------
    {wavelet_parameters}
    {n_jobs}

    Attributes
    ----------
    {clip_attributes}

    See Also
    --------
    WaveletDenoiser : The de-noised clips instead of the residual.
    micfp.features.LogSpectrum : The log-magnitude spectrum usually taken of
        the residual next.

    Notes
    -----
    {notes}

    Examples
    --------
    {noisy_tones}
    >>> from micfp.denoise import NoiseResidual
    >>> X = X.astype(np.float32)
    >>> residual = NoiseResidual().fit_transform(X)
    >>> residual.shape, residual.dtype
    ((4, 4096), dtype('float32'))
    >>> bool(abs(np.std(residual) - 0.05) < 0.01)
    True
    """

    _output = "residual"
