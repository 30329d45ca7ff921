"""Two-dimensional t-SNE maps of features or learned representations."""

import warnings

import numpy as np
from sklearn.manifold import TSNE
from sklearn.utils.validation import check_array

from ..exceptions import DegradedResultWarning
from ._base import (
    BaseDisplay,
    _ax_parameter,
    _axes_attributes,
    _check_1d,
    _check_same_length,
    _import_pyplot,
)

# Arguments of TSNE that the display sets itself, with the argument to use instead.
_RESERVED_TSNE_KW = {
    "n_components": "a 2-D map (fixed)",
    "perplexity": "perplexity=",
    "random_state": "random_state=",
}


def _effective_perplexity(perplexity, n_samples):
    """Cap ``perplexity`` so that ``3 * perplexity`` neighbours exist.

    t-SNE calibrates each point's kernel over its ``3 * perplexity`` nearest
    neighbours; with fewer samples the calibration cannot reach the target.
    """
    if not perplexity > 0:
        raise ValueError(f"perplexity must be positive; got {perplexity!r}.")
    cap = (n_samples - 1) / 3
    if perplexity <= cap:
        return float(perplexity)
    warnings.warn(
        f"perplexity={perplexity:g} is too high for {n_samples} samples "
        "(t-SNE needs at most (n_samples - 1) / 3); "
        f"using perplexity={cap:.4g} instead.",
        DegradedResultWarning,
        stacklevel=3,
    )
    return cap


def _class_colors(n_classes, cmap):
    """One RGBA colour per class, distinct for up to 20 classes by default."""
    import matplotlib as mpl

    if cmap is None:
        if n_classes <= 10:
            cmap = "tab10"
        elif n_classes <= 20:
            cmap = "tab20"
        else:
            cmap = "turbo"
    if isinstance(cmap, str):
        cmap = mpl.colormaps[cmap]
    if isinstance(cmap, mpl.colors.ListedColormap) and n_classes <= cmap.N:
        return cmap(np.arange(n_classes))
    return cmap(np.linspace(0.0, 1.0, n_classes))


def _check_scatter_kw(scatter_kw):
    scatter_kw = {} if scatter_kw is None else dict(scatter_kw)
    for key in ("c", "color", "label"):
        if key in scatter_kw:
            raise ValueError(
                f"scatter_kw may not set {key!r}: colours and labels come "
                "from the classes; use cmap= to change the colours."
            )
    return scatter_kw


@_axes_attributes
class TSNEDisplay(BaseDisplay):
    """A t-SNE map of samples, one colour per class.

    Samples of one device that form a tight cluster, apart from the other
    devices, show features that identify the device well; overlapping
    clusters show the devices a classifier will confuse.

    Build it with :meth:`from_features`, which runs
    :class:`sklearn.manifold.TSNE` on features, or :meth:`from_estimator`,
    which first passes the samples through a fitted transformer (such as the
    feature steps of a Pipeline); or pass an embedding computed before and
    call :meth:`plot`, which draws it again without rerunning t-SNE.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, 2)
        Two-dimensional coordinates of each sample.
    labels : array-like of shape (n_samples,)
        Class (device) of each sample.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, 2)
        The coordinates drawn.
    classes_ : ndarray of shape (n_classes,)
        The distinct classes, sorted, in legend order.
    scatters_ : list of matplotlib PathCollection
        One scatter per class, in the order of ``classes_``.
    perplexity_ : float or None
        The perplexity t-SNE ran with (after capping), or None when the
        embedding was given.
    {axes}

    See Also
    --------
    sklearn.manifold.TSNE : The embedding itself.
    sklearn.metrics.ConfusionMatrixDisplay : Which devices a classifier
        confuses.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from micfp.plot import TSNEDisplay
    >>> embedding = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    >>> display = TSNEDisplay(embedding, ["dev1", "dev1", "dev2"]).plot()
    >>> display.classes_.tolist(), len(display.scatters_)
    (['dev1', 'dev2'], 2)
    >>> plt.close(display.figure_)
    """

    def __init__(self, embedding, labels):
        self.embedding = embedding
        self.labels = labels

    @_ax_parameter
    def plot(self, *, ax=None, cmap=None, legend=True, scatter_kw=None):
        """Draw the map.

        Parameters
        ----------
        {ax}
        cmap : str or matplotlib Colormap, default=None
            Colours of the classes. By default ``"tab10"`` up to 10 classes,
            ``"tab20"`` up to 20 and ``"turbo"`` beyond.
        legend : bool, default=True
            Whether to add a legend with one entry per class.
        scatter_kw : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.scatter`, such
            as ``{"s": 4, "alpha": 0.5}``.

        Returns
        -------
        self : TSNEDisplay
            The display, with ``ax_``, ``figure_``, ``scatters_`` set.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from micfp.plot import TSNEDisplay
        >>> display = TSNEDisplay([[0, 1], [2, 3]], [0, 1]).plot(legend=False)
        >>> display.ax_.get_legend() is None
        True
        >>> plt.close(display.figure_)
        """
        embedding = check_array(
            self.embedding, dtype=np.float64, input_name="embedding"
        )
        if embedding.shape[1] != 2:
            raise ValueError(
                "embedding must have 2 columns; "
                f"got an array of shape {embedding.shape}."
            )
        labels = _check_1d(self.labels, "labels", numeric=False)
        _check_same_length(embedding, labels, ("embedding", "labels"))
        scatter_kw = _check_scatter_kw(scatter_kw)
        ax = self._prepare_axes(ax)

        classes, inverse = np.unique(labels, return_inverse=True)
        colors = _class_colors(len(classes), cmap)
        scatter_kw.setdefault("s", 12)
        self.scatters_ = [
            ax.scatter(
                *embedding[inverse == k].T,
                color=colors[k],
                label=str(cls),
                **scatter_kw,
            )
            for k, cls in enumerate(classes)
        ]
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
        if legend:
            ax.legend(loc="best", markerscale=1.5)
        self.embedding_ = embedding
        self.classes_ = classes
        if not hasattr(self, "perplexity_"):
            self.perplexity_ = None
        return self

    @classmethod
    @_ax_parameter
    def from_features(
        cls,
        X,
        y,
        *,
        perplexity=30.0,
        random_state=None,
        ax=None,
        cmap=None,
        legend=True,
        tsne_kw=None,
        scatter_kw=None,
    ):
        """Embed features with t-SNE and draw the map.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of each sample: the output of a feature transformer, or
            a network's learned representation (for instance the activations
            of its last hidden layer).
        y : array-like of shape (n_samples,)
            Class (device) of each sample.
        perplexity : float, default=30.0
            Perplexity of t-SNE, about the number of neighbours each point
            attends to. Values above ``(n_samples - 1) / 3`` are lowered to it
            with a :class:`~micfp.exceptions.DegradedResultWarning`.
        random_state : int, RandomState instance or None, default=None
            Seed of t-SNE's optimization; an int gives the same map each run.
        {ax}
        cmap : str or matplotlib Colormap, default=None
            Colours of the classes; see :meth:`plot`.
        legend : bool, default=True
            Whether to add a legend with one entry per class.
        tsne_kw : dict, default=None
            Further arguments of :class:`sklearn.manifold.TSNE`, such as
            ``{"max_iter": 500, "metric": "cosine"}``. ``init`` defaults to
            ``"pca"``, or ``"random"`` for a single feature.
        scatter_kw : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.scatter`.

        Returns
        -------
        display : TSNEDisplay
            The display, with ``embedding_``, ``ax_`` and ``figure_``.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from micfp.plot import TSNEDisplay
        >>> rng = np.random.default_rng(0)
        >>> X = np.vstack([rng.normal(0, 1, (6, 4)), rng.normal(8, 1, (6, 4))])
        >>> y = np.repeat(["dev1", "dev2"], 6)
        >>> display = TSNEDisplay.from_features(
        ...     X, y, perplexity=3, random_state=0, tsne_kw={"max_iter": 250}
        ... )
        >>> display.embedding_.shape
        (12, 2)
        >>> plt.close(display.figure_)
        """
        _import_pyplot()
        X = check_array(X, ensure_min_samples=2, input_name="X")
        y = _check_1d(y, "y", numeric=False)
        _check_same_length(X, y, ("X", "y"))
        tsne_kw = {} if tsne_kw is None else dict(tsne_kw)
        for key, instead in _RESERVED_TSNE_KW.items():
            if key in tsne_kw:
                raise ValueError(
                    f"tsne_kw may not set {key!r}; the display sets it: {instead}."
                )
        _check_scatter_kw(scatter_kw)
        perplexity = _effective_perplexity(perplexity, X.shape[0])
        tsne_kw.setdefault("init", "pca" if X.shape[1] >= 2 else "random")
        tsne = TSNE(
            n_components=2,
            perplexity=perplexity,
            random_state=random_state,
            **tsne_kw,
        )
        display = cls(tsne.fit_transform(X), y)
        display.perplexity_ = perplexity
        return display.plot(ax=ax, cmap=cmap, legend=legend, scatter_kw=scatter_kw)

    @classmethod
    def from_estimator(cls, estimator, X, y, **kwargs):
        """Transform samples with a fitted transformer, embed and draw them.

        Parameters
        ----------
        estimator : fitted transformer or Pipeline of transformers
            Maps the samples to the features to show, such as ``pipe[:-1]``,
            the feature steps of a fitted Pipeline.
        X : array-like of shape (n_samples, ...)
            Samples in the input format of ``estimator`` (clips, for a
            Pipeline that starts with an audio transformer).
        y : array-like of shape (n_samples,)
            Class (device) of each sample.
        **kwargs
            Arguments of :meth:`from_features`: ``perplexity``,
            ``random_state``, ``ax``, ``cmap``, ``legend``, ``tsne_kw`` and
            ``scatter_kw``.

        Returns
        -------
        display : TSNEDisplay
            The display, with ``embedding_``, ``ax_`` and ``figure_``.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from sklearn.preprocessing import StandardScaler
        >>> from micfp.plot import TSNEDisplay
        >>> X = np.repeat([[0.0, 1.0], [9.0, 5.0]], 6, axis=0)
        >>> X += np.random.default_rng(0).normal(size=X.shape)
        >>> scaler = StandardScaler().fit(X)
        >>> display = TSNEDisplay.from_estimator(
        ...     scaler, X, np.repeat(["a", "b"], 6), perplexity=3, random_state=0
        ... )
        >>> display.classes_.tolist()
        ['a', 'b']
        >>> plt.close(display.figure_)
        """
        if not hasattr(estimator, "transform"):
            raise TypeError(
                "estimator must be a fitted transformer (with a transform "
                f"method), such as pipe[:-1]; got a {type(estimator).__name__}."
            )
        return cls.from_features(estimator.transform(X), y, **kwargs)
