"""Device embeddings of excerpts and recordings: clip features pooled."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import check_is_fitted, validate_data

from ..baselines import make_device_embedding
from ..exceptions import ScoreValueError

STATISTICS = ("mean", "std", "floor", "median")


def _check_statistics(statistics):
    names = (statistics,) if isinstance(statistics, str) else tuple(statistics)
    unknown = [name for name in names if name not in STATISTICS]
    if not names or unknown:
        raise ValueError(
            f"statistics must be a non-empty sequence of names among "
            f"{sorted(STATISTICS)}; got {statistics!r}."
        )
    return names


def _pool(E, statistics, quantile):
    """Pool ``E`` of shape (n_items, n_clips, n_features) over its clips."""
    pooled = []
    for name in statistics:
        if name == "mean":
            pooled.append(E.mean(axis=1))
        elif name == "std":
            pooled.append(E.std(axis=1))
        elif name == "floor":
            pooled.append(np.quantile(E, quantile, axis=1).astype(E.dtype))
        else:
            pooled.append(np.median(E, axis=1))
    return np.concatenate(pooled, axis=-1)


@validate_params(
    {
        "X": ["array-like"],
        "groups": ["array-like"],
        "statistics": [str, list, tuple],
        "quantile": [Interval(Real, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def pool_by_group(X, groups, *, statistics=("mean",), quantile=0.1):
    """Pool the rows of each group into one embedding per group.

    Clip (or excerpt) embeddings of one recording become that recording's
    embedding: the statistics of its rows, feature by feature, concatenated
    in the order given.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)
        Embeddings, one a row, finite.
    groups : array-like of shape (n_rows,)
        The group (recording) of each row.
    statistics : sequence of {"mean", "std", "floor", "median"}, \
            default=("mean",)
        ``"floor"`` is the ``quantile`` of each feature over the group's rows:
        with log spectra, the noise floor a device shows in its quietest
        clips.
    quantile : float, default=0.1
        Quantile of ``"floor"``, in [0, 1].

    Returns
    -------
    X_pooled : ndarray of shape (n_groups, n_features * len(statistics))
        One row per group, groups in sorted order.
    group_labels : ndarray of shape (n_groups,)
        The group of each row of ``X_pooled``.

    Raises
    ------
    ScoreValueError
        If ``X`` is not 2-D or holds NaN or infinite values, or ``groups``
        does not have one entry per row.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.verification import pool_by_group
    >>> X = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    >>> pooled, labels = pool_by_group(X, ["a", "b", "a"], statistics=("mean", "std"))
    >>> pooled
    array([[ 3.,  30.,  2.,  20.],
           [ 3.,  30.,  0.,   0.]])
    >>> labels
    array(['a', 'b'], dtype='<U1')
    """
    statistics = _check_statistics(statistics)
    X = check_embeddings(X, "X")
    groups = np.asarray(groups)
    if groups.shape != (X.shape[0],):
        raise ScoreValueError(
            f"groups must have one entry per row of X ({X.shape[0]}); got shape "
            f"{groups.shape}."
        )
    labels, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    if np.all(counts == counts[0]):
        pooled = _pool(
            X[order].reshape(len(labels), counts[0], -1), statistics, quantile
        )
    else:
        pooled = np.stack(
            [
                _pool(X[order[s : s + c]][None], statistics, quantile)[0]
                for s, c in zip(starts, counts, strict=True)
            ]
        )
    return pooled, labels


def check_embeddings(X, name, *, n_features=None):
    """Return ``X`` as a finite 2-D float array, naming it in errors."""
    try:
        X = np.asarray(X)
        if X.dtype.kind not in "fc":
            X = X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoreValueError(f"{name} cannot be read as numbers: {exc}") from exc
    if X.dtype.kind == "c":
        raise ScoreValueError(f"{name} must hold real numbers; got complex values.")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ScoreValueError(
            f"{name} must be a non-empty 2-D array, one embedding a row; got "
            f"shape {X.shape}."
        )
    if not np.isfinite(X).all():
        rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
        raise ScoreValueError(
            f"{name} contains NaN or infinite values in rows {rows[:5].tolist()} "
            "(first ones); embeddings must be finite."
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ScoreValueError(
            f"{name} has {X.shape[1]} features, but the back-end was fitted on "
            f"{n_features}."
        )
    return X


class DeviceEmbedder(TransformerMixin, BaseEstimator):
    """Fixed-size device embedding of each excerpt: clip features pooled.

    Each row (an excerpt of a recording, of any length of at least
    ``clip_length`` samples) is cut into consecutive clips of ``clip_length``
    samples; ``transformer`` maps every clip to a feature vector, and the
    statistics of those vectors over the row's clips, concatenated, are the
    row's embedding. With the default clip features (a Welch log spectrum
    and a noise-floor log spectrum, standardised), the mean is the device's
    average colouring of what it recorded and its typical floor, and the
    ``"floor"`` (a low quantile over the clips) what shows in the quietest
    clips, where the content is weakest.

    Use :func:`pool_by_group` to pool the embeddings of the excerpts of one
    recording into one embedding per recording.

    Parameters
    ----------
    transformer : transformer or Pipeline or None, default=None
        Maps clips of ``clip_length`` samples to features, cloned in
        :meth:`fit`, on the clips of the training rows. ``None`` uses
        :func:`micfp.baselines.make_device_embedding` (``sr=None``, which
        only names the bins): the Welch log spectrum of 1024-sample segments
        and the 20th-percentile noise floor of 256-sample frames, 642
        standardised values per clip.
    clip_length : int, default=4096
        Samples per clip. Samples after the last whole clip of a row are
        not used.
    statistics : sequence of {"mean", "std", "floor", "median"}, \
            default=("mean", "floor")
        Statistics of the clip features, concatenated in this order.
    quantile : float, default=0.1
        Quantile of ``"floor"``.

    Attributes
    ----------
    transformer_ : transformer
        The fitted clone of ``transformer``.
    n_clips_ : int
        Clips per row.
    n_features_in_ : int
        Row length seen in ``fit``.

    See Also
    --------
    pool_by_group : Pooling per recording.
    PLDAScorer : Scores pairs of embeddings.

    Examples
    --------
    >>> from micfp.datasets import make_recordings
    >>> from micfp.verification import DeviceEmbedder
    >>> rec = make_recordings(2, 1, duration=1.0, sr=16000, random_state=0)
    >>> X = [signal[:16000] for signal in rec.signals]
    >>> embedder = DeviceEmbedder().fit(X)
    >>> embedder.transform(X).shape
    (2, 1284)
    >>> embedder.n_clips_
    3
    """

    _parameter_constraints: ClassVar[dict] = {
        "transformer": [HasMethods(["fit", "transform"]), None],
        "clip_length": [Interval(Integral, 1, None, closed="left")],
        "statistics": [str, list, tuple],
        "quantile": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        transformer=None,
        *,
        clip_length=4096,
        statistics=("mean", "floor"),
        quantile=0.1,
    ):
        self.transformer = transformer
        self.clip_length = clip_length
        self.statistics = statistics
        self.quantile = quantile

    def _clips(self, X):
        n_clips = X.shape[1] // self.clip_length
        used = X[:, : n_clips * self.clip_length]
        return used.reshape(X.shape[0] * n_clips, self.clip_length), n_clips

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the clip transformer on the clips of the rows.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_samples)
            Excerpts, one a row, at least ``clip_length`` samples long.
        y : array-like of shape (n_rows,), default=None
            Device of each row, for a supervised clip transformer such as
            :class:`~micfp.neural.DeviceEmbeddingNet`: each clip is fitted
            with the label of its row. ``None`` fits the transformer on the
            clips alone.

        Returns
        -------
        self : object
            The fitted embedder.
        """
        _check_statistics(self.statistics)
        if y is None:
            X = validate_data(self, X, dtype=[np.float64, np.float32])
        else:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        if X.shape[1] < self.clip_length:
            raise ValueError(
                f"Rows of X have {X.shape[1]} samples, fewer than "
                f"clip_length={self.clip_length}; pass longer excerpts or a "
                "shorter clip_length."
            )
        if self.transformer is None:
            self.transformer_ = make_device_embedding(sr=None)
        else:
            self.transformer_ = clone(self.transformer)
        clips, self.n_clips_ = self._clips(X)
        if y is None:
            self.transformer_.fit(clips)
        else:
            self.transformer_.fit(clips, np.repeat(y, self.n_clips_))
        return self

    def transform(self, X):
        """Embed each row.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_samples)
            Excerpts of the length seen in :meth:`fit`.

        Returns
        -------
        X_out : ndarray of shape (n_rows, n_features_out)
            The statistics of the clip features of each row.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        clips, n_clips = self._clips(X)
        features = np.asarray(self.transformer_.transform(clips))
        features = features.reshape(X.shape[0], n_clips, -1)
        return _pool(features, _check_statistics(self.statistics), self.quantile)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
