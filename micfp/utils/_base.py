"""Base class of the transformers that take audio clips, one clip a row."""

from abc import ABCMeta, abstractmethod
from functools import partial

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._chunking import map_row_chunks
from ._framing import window_gain
from ._threads import single_blas_thread
from ._validation import check_clips, needs_scaling

__all__ = ["BaseClipTransformer"]


class BaseClipTransformer(TransformerMixin, BaseEstimator, metaclass=ABCMeta):
    """Validate clips, then transform them chunk by chunk with one hook.

    ``fit`` validates the parameters (``_parameter_constraints``) and the
    clips, then calls :meth:`_fit_clips`. ``transform`` checks that the
    transformer is fitted, validates the clips and measures their peaks,
    decides whether rows with huge samples need scaling by a power of two
    (:func:`~micfp.utils._validation.needs_scaling`), calls
    :meth:`_prepare_transform` once, then applies :meth:`_transform_chunk` to
    chunks of rows that fit scikit-learn's ``working_memory``, spread over
    ``n_jobs`` joblib threads; float32 stays float32.

    To write a transformer of clips:

    - declare ``__init__`` (arguments stored as they are, ``n_jobs`` among
      them) and ``_parameter_constraints``;
    - implement ``_transform_chunk(X, *, scale, **prepared)``: the pure,
      batched work on a chunk of validated clips ``(n_rows, n_samples)``,
      returning ``(n_rows, n_features_out)``. ``scale`` says whether rows
      may hold samples so large that their squares overflow, to be handled
      with :func:`~micfp.utils._validation.overflow_shift`;
    - where needed, override ``_fit_clips(X)`` to set fitted attributes
      (ending with ``_``), ``_prepare_transform(X)`` to compute what every
      chunk shares (a window, a filter bank) as a dict of keyword arguments
      of ``_transform_chunk`` (a ``"window"`` among them sets the gain of
      the overflow check), ``_scaling_gain(prepared)`` for another gain
      (the largest factor applied to a sample before the sums), and
      ``_row_bytes(X)`` for the working memory a row needs when it
      exceeds the row itself. A pure function of the module can serve as
      the hook: ``_transform_chunk = staticmethod(_feature)``;
    - declare ``verbose`` among the ``__init__`` arguments (and
      ``"verbose": ["verbose"]`` in ``_parameter_constraints``) to report
      progress over the chunks of ``transform`` when it is positive
      (:func:`~micfp.utils.progress`: a bar on a terminal, plain lines
      elsewhere); transformers without it stay silent;
    - set ``_single_blas_thread = True`` when a chunk's work is small matrix
      products, which then run on one BLAS thread while ``n_jobs`` spreads
      the chunks;
    - implement ``get_feature_names_out``.
    """

    _single_blas_thread = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and fix the layout for clips like `X`.

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
        self._fit_clips(check_clips(self, X, reset=True))
        return self

    def transform(self, X):
        """Transform each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Audio clips of the length seen in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_clips, n_features_out)
            Float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self)
        X, peak = check_clips(self, X, reset=False, return_peak=True)
        prepared = self._prepare_transform(X)
        gain = self._scaling_gain(prepared)
        func = partial(
            self._transform_chunk,
            scale=needs_scaling(peak, X.dtype, gain=gain),
            **prepared,
        )
        run = partial(
            map_row_chunks,
            func,
            X,
            n_jobs=self.n_jobs,
            row_bytes=self._row_bytes(X),
            verbose=getattr(self, "verbose", 0),
            desc=type(self).__name__,
        )
        if not self._single_blas_thread:
            return run().astype(X.dtype, copy=False)
        with single_blas_thread():
            return run().astype(X.dtype, copy=False)

    def _fit_clips(self, X):
        """Set the fitted attributes from validated clips; none by default."""

    def _prepare_transform(self, X):
        """Keyword arguments of :meth:`_transform_chunk` shared by every chunk."""
        return {}

    def _scaling_gain(self, prepared):
        """Largest factor applied to a sample before the sums.

        The peak of the ``"window"`` that :meth:`_prepare_transform` returns,
        1 without one.
        """
        return window_gain(prepared.get("window"))

    def _row_bytes(self, X):
        """Working memory a row needs in ``_transform_chunk``, in bytes."""
        return X.shape[1] * X.itemsize

    @abstractmethod
    def _transform_chunk(self, X, *, scale):
        """Transform a chunk of validated clips."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
