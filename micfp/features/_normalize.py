"""Normalisation of log spectra per clip or per recording.

Both forms are legal at test time: a clip is normalised by statistics of its
own values, a recording by statistics of its own clips, never by those of
other recordings or of the training set.
"""

from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import Substitution
from ..utils._validation import check_finite_audio, validate_audio_data

__all__ = ["SpectralNormalizer", "normalize_by_clip", "normalize_by_group"]

STATISTICS = ("mean", "median")

# What the normalisation functions and SpectralNormalizer accept.
NORMALIZE_CONSTRAINTS = {
    "statistic": [StrOptions(set(STATISTICS))],
    "scale": ["boolean"],
}


def _centre(X, axis, statistic):
    if statistic == "mean":
        return X.mean(axis=axis, keepdims=True)
    return np.median(X, axis=axis, keepdims=True)


def _check_groups(groups, n_rows):
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n_rows:
        raise ValueError(
            f"groups must hold one value per clip: X has {n_rows} rows, "
            f"groups has shape {groups.shape}."
        )
    return groups


@validate_params(
    {"X": ["array-like"], "statistic": NORMALIZE_CONSTRAINTS["statistic"]},
    prefer_skip_nested_validation=True,
)
def normalize_by_clip(X, *, statistic="mean"):
    """Subtract from each row its own mean (or median) over the features.

    On log power spectra this removes each clip's level (a gain is a constant
    in the log domain) and keeps the spectral shape.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
        Log spectra, one clip a row.
    statistic : {"mean", "median"}, default="mean"
        What is subtracted.

    Returns
    -------
    X_out : ndarray of shape (n_clips, n_features)
        Each row less its own centre.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import normalize_by_clip
    >>> normalize_by_clip(np.array([[1.0, 3.0], [10.0, 12.0]]))
    array([[-1.,  1.],
           [-1.,  1.]])
    """
    X = np.asarray(X)
    return X - _centre(X, 1, statistic)


@validate_params(
    {"X": ["array-like"], "groups": ["array-like"], **NORMALIZE_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def normalize_by_group(X, groups, *, statistic="mean", scale=False):
    """Centre (and scale) each feature over the rows of each group alone.

    With ``groups`` the recording of each clip, every recording is normalised
    by statistics of its own clips: cepstral mean normalisation, on spectra.
    It removes what is constant along a recording (its room, its level, and
    also the device's own fixed response), and keeps what varies between its
    clips.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
        Features, one clip a row.
    groups : array-like of shape (n_clips,)
        The group (recording) of each row.
    statistic : {"mean", "median"}, default="mean"
        The centre subtracted per group and feature.
    scale : bool, default=False
        Also divide by the standard deviation per group and feature (left as
        it is where that is zero).

    Returns
    -------
    X_out : ndarray of shape (n_clips, n_features)
        Each row less the centre of its group (divided by the group's
        deviation with ``scale=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.features import normalize_by_group
    >>> X = np.array([[1.0, 0.0], [3.0, 2.0], [10.0, 5.0], [12.0, 9.0]])
    >>> normalize_by_group(X, ["a", "a", "b", "b"])
    array([[-1., -1.],
           [ 1.,  1.],
           [-1., -2.],
           [ 1.,  2.]])
    """
    X = np.asarray(X)
    groups = _check_groups(groups, X.shape[0])
    _, inverse = np.unique(groups, return_inverse=True)
    out = np.empty_like(X)
    for g in range(inverse.max(initial=-1) + 1):
        rows = np.flatnonzero(inverse == g)
        block = X[rows]
        block = block - _centre(block, 0, statistic)
        if scale:
            std = block.std(axis=0, keepdims=True)
            np.divide(block, std, out=block, where=std > 0)
        out[rows] = block
    return out


_X = """
X : array-like of shape (n_clips, n_features)
    Log spectra, one clip a row.
"""
_GROUPS = """
groups : array-like of shape (n_clips,) or None, default=None
    The recording of each clip; required with ``by="recording"``.
"""
_fit_doc = Substitution(
    fit_parameters="\n".join([_X.strip(), "y : None\n    Ignored.", _GROUPS.strip()])
)
_transform_doc = Substitution(transform_parameters=_X.strip() + "\n" + _GROUPS.strip())


class SpectralNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Normalise log spectra per clip or per recording, with no training statistics.

    ``by="clip"`` subtracts each clip's mean (or median) log power: level
    normalisation, a gain being a constant in the log domain.
    ``by="recording"`` centres (and optionally scales) each feature over the
    clips of each recording, given as ``groups``, using that recording's own
    clips only, so it is as legal on a questioned recording as on a training
    one. Nothing is learnt from the training set.

    ``groups`` reaches the step through scikit-learn's metadata routing:
    enable it with ``sklearn.set_config(enable_metadata_routing=True)``,
    request it with ``set_fit_request(groups=True)`` and
    ``set_transform_request(groups=True)``, and pass ``groups=`` to the
    Pipeline's ``fit``, ``predict`` and ``predict_proba``.

    Parameters
    ----------
    by : {"clip", "recording"}, default="clip"
        Statistics of each clip's own features, or of each recording's own
        clips.
    statistic : {"mean", "median"}, default="mean"
        The centre subtracted.
    scale : bool, default=False
        With ``by="recording"``: also divide by the standard deviation of each
        feature over the recording's clips.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when ``X`` has string column names.

    See Also
    --------
    normalize_by_clip, normalize_by_group : The functions applied.
    WelchSpectrum : Log spectra to normalise.

    Notes
    -----
    Where it helps and where it hurts: per-recording centring removes the
    recording's room and level, but also the device's fixed frequency
    response, which is constant along a recording too; what is left is how
    the clips vary around their recording's mean. It helps when the
    recordings differ in room and level more than the devices differ in
    response, and hurts when the response is what tells the devices apart.
    Compare both with the accuracy benchmark before using it.

    A recording of a single clip becomes all zeros under
    ``by="recording"``.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from micfp.features import SpectralNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 5))
    >>> y, groups = np.repeat([0, 1], 20), np.repeat([0, 1, 2, 3], 10)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     norm = SpectralNormalizer(by="recording")
    ...     norm = norm.set_fit_request(groups=True).set_transform_request(groups=True)
    ...     pipe = make_pipeline(norm, LogisticRegression())
    ...     pipe = pipe.fit(X, y, groups=groups)
    ...     pipe.predict(X, groups=groups).shape
    (40,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "by": [StrOptions({"clip", "recording"})],
        **NORMALIZE_CONSTRAINTS,
    }

    def __init__(self, by="clip", *, statistic="mean", scale=False):
        self.by = by
        self.statistic = statistic
        self.scale = scale

    @_fit_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, groups=None):
        """Check the parameters and the input.

        Parameters
        ----------
        {fit_parameters}

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._validate(X, groups, reset=True)
        return self

    @_transform_doc
    def transform(self, X, groups=None):
        """Normalise each clip, or each recording's clips.

        Parameters
        ----------
        {transform_parameters}

        Returns
        -------
        X_out : ndarray of shape (n_clips, n_features)
            The normalised features.
        """
        check_is_fitted(self)
        X = self._validate(X, groups, reset=False)
        if self.by == "clip":
            return normalize_by_clip(X, statistic=self.statistic)
        return normalize_by_group(X, groups, statistic=self.statistic, scale=self.scale)

    @_fit_doc
    def fit_transform(self, X, y=None, groups=None):
        """Fit, then normalise the same clips with the same ``groups``.

        Parameters
        ----------
        {fit_parameters}

        Returns
        -------
        X_out : ndarray of shape (n_clips, n_features)
            The normalised features.
        """
        return self.fit(X, y, groups=groups).transform(X, groups=groups)

    def _validate(self, X, groups, *, reset):
        X = validate_audio_data(self, X, reset=reset)
        check_finite_audio(X, what="values")
        if self.by != "recording":
            return X
        if groups is None:
            raise ValueError(
                "SpectralNormalizer(by='recording') needs groups, the recording "
                "of each clip, in fit and transform: enable metadata routing "
                "(sklearn.set_config(enable_metadata_routing=True)), call "
                "set_fit_request(groups=True) and set_transform_request("
                "groups=True) on this step, and pass groups=... to the "
                "Pipeline's fit, predict and predict_proba."
            )
        _check_groups(groups, X.shape[0])
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
