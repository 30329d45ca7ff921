"""Wavelet de-noising transformers: the de-noised signal or the noise residual."""

from functools import partial
from numbers import Integral
from typing import ClassVar

import numpy as np
import pywt
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._chunking import map_row_chunks
from ..utils._validation import check_clips, needs_scaling
from ._wavelet import (
    NOISE_ESTIMATES,
    SHRINK_MODES,
    THRESHOLD_RULES,
    denoise_batch,
    resolve_level,
)


class _BaseWaveletDenoising(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Wavelet shrinkage of each clip; subclasses choose what comes out."""

    _output = "denoised"

    _parameter_constraints: ClassVar[dict] = {
        "wavelet": [StrOptions(set(pywt.wavelist(kind="discrete")))],
        "level": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [StrOptions(set(THRESHOLD_RULES))],
        "mode": [StrOptions(set(SHRINK_MODES))],
        "noise_estimate": [StrOptions(set(NOISE_ESTIMATES))],
        "extension": [StrOptions(set(pywt.Modes.modes))],
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the clip length.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips, one a row.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        check_clips(self, X, reset=True)
        return self

    def _denoise_chunk(self, X, level, scale):
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

    def transform(self, X):
        """De-noise each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips of the length seen in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_clips, n_samples)
            Float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self)
        X, peak = check_clips(self, X, reset=False, return_peak=True)
        level = resolve_level(X.shape[1], self.wavelet, self.level)
        out = np.empty_like(X)
        func = partial(
            self._denoise_chunk, level=level, scale=needs_scaling(peak, X.dtype)
        )
        return map_row_chunks(func, X, out=out, n_jobs=self.n_jobs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class WaveletDenoiser(_BaseWaveletDenoising):
    """Wavelet de-noising of each clip: the content estimate ``f`` of ``s = f + e``.

    The whole batch is decomposed with one ``pywt.wavedec`` call, the detail
    coefficients of each clip are shrunk by a threshold estimated from that
    clip, and one ``pywt.waverec`` call rebuilds the clips.
    :class:`NoiseResidual` returns what this transformer removes.

    Parameters
    ----------
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
    n_jobs : int or None, default=None
        Number of joblib workers over chunks of clips; ``None`` means 1 unless
        in a ``joblib.parallel_config`` context, -1 means all processors.
        Clips are processed in chunks of a few MiB either way, which bounds
        the temporary memory.

    Attributes
    ----------
    n_features_in_ : int
        Clip length seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when ``X`` has string column names.

    See Also
    --------
    NoiseResidual : The removed part, ``X - WaveletDenoiser().fit_transform(X)``.
    wavelet_denoise : The function this transformer applies.
    skimage.restoration.denoise_wavelet : Reference implementation of the
        universal and Bayes rules, one signal at a time.

    Notes
    -----
    Input: ``X`` must be 2-D, one clip a row, of real numbers; integers,
    booleans, float16 and numbers in an object array become float64, float32
    stays float32. Complex data, arrays that are not 2-D, empty arrays, NaN
    and infinite samples raise :class:`~micfp.exceptions.AudioValueError`.

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

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.denoise import WaveletDenoiser
    >>> rng = np.random.default_rng(0)
    >>> tone = np.sin(2 * np.pi * 50 * np.arange(4096) / 44100)
    >>> X = tone + 0.05 * rng.standard_normal((4, 4096))
    >>> denoised = WaveletDenoiser(level=5).fit_transform(X)
    >>> denoised.shape
    (4, 4096)
    >>> bool(np.std(denoised - tone) < np.std(X - tone))
    True
    """

    _output = "denoised"


class NoiseResidual(_BaseWaveletDenoising):
    """Device noise of each clip: the clip minus its wavelet de-noised version.

    With a clip ``s = f + e`` (content ``f``, device noise ``e``), an automatic
    wavelet de-noising estimates ``f`` and the residual ``e = s - f`` is the
    device fingerprint of Qi et al. Defaults fit their setting: 4096-sample
    clips, ``db8``, five levels, universal threshold, soft shrinkage. The whole
    batch goes through one ``pywt.wavedec`` / ``pywt.waverec`` call a chunk.

    Parameters
    ----------
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
    n_jobs : int or None, default=None
        Number of joblib workers over chunks of clips; ``None`` means 1 unless
        in a ``joblib.parallel_config`` context, -1 means all processors.
        Clips are processed in chunks of a few MiB either way, which bounds
        the temporary memory.

    Attributes
    ----------
    n_features_in_ : int
        Clip length seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when ``X`` has string column names.

    See Also
    --------
    WaveletDenoiser : The de-noised clips instead of the residual.
    micfp.features.LogSpectrum : The log-magnitude spectrum usually taken of
        the residual next.

    Notes
    -----
    Input: ``X`` must be 2-D, one clip a row, of real numbers; integers,
    booleans, float16 and numbers in an object array become float64, float32
    stays float32. Complex data, arrays that are not 2-D, empty arrays, NaN
    and infinite samples raise :class:`~micfp.exceptions.AudioValueError`.

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

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.denoise import NoiseResidual
    >>> rng = np.random.default_rng(0)
    >>> tone = np.sin(2 * np.pi * 50 * np.arange(4096) / 44100)
    >>> X = (tone + 0.05 * rng.standard_normal((4, 4096))).astype(np.float32)
    >>> residual = NoiseResidual().fit_transform(X)
    >>> residual.shape, residual.dtype
    ((4, 4096), dtype('float32'))
    >>> bool(abs(np.std(residual) - 0.05) < 0.01)
    True
    """

    _output = "residual"
