"""Parallel spatial and temporal neural network (PSTNN), trained through skorch."""

from numbers import Integral, Real
from typing import ClassVar

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseNeuralClassifier, _check_sizes, _fill_doc
from ._modules import _ACTIVATIONS, DeepShallowLoss, PSTNNModule
from ._rnn import _check_frames


@_fill_doc
class PSTNNClassifier(_BaseNeuralClassifier):
    """Spatial (supervector) and temporal (MFCC frames) network with fusion.

    The parallel spatial and temporal network of Zeng et al. Each row of ``X``
    is ``[supervector | frames]``, the output of a :class:`~sklearn.pipeline.\
FeatureUnion` of :class:`micfp.mixture.GaussianSupervector` and
    :class:`micfp.features.MFCC` with ``output="frames"`` (see
    :func:`make_pstnn_pipeline`):

    - the first ``supervector_size`` columns are a Gaussian supervector,
      ``n_components`` adapted means of ``frame_width`` values each,
      component-major;
    - the remaining columns are MFCC frames of ``frame_width`` values each,
      flattened frame-major.

    The spatial branch (a DNN, or a CNN or ResNet over the supervector seen
    as an ``n_components x frame_width`` image) and the temporal branch (LSTM
    or Bi-LSTM layers and a dense layer) each give an ``embedding_size``-wide
    representation with its own classification head. The two are fused, by
    attention (a convolution over the stacked representations, average
    pooling and a softmax give one weight per branch) or by concatenation,
    and a back-end of fully connected layers of decreasing width classifies
    the result. Training minimizes the deep-and-shallow loss
    ``l1 * L_temporal + l2 * L_spatial + (1 - l1 - l2) * L_fused``, with
    ``l1 = temporal_weight`` and ``l2 = spatial_weight``; both at zero give
    the single loss of the fused output. Predictions come from the fused
    back-end.

    When ``X`` is a DataFrame whose column names carry a FeatureUnion's step
    prefixes (``set_output(transform="pandas")``), the leading block of one
    prefix must be ``supervector_size`` columns wide; plain arrays carry no
    such check, so keep ``supervector_size`` in step with the supervector.

    Parameters
    ----------
    supervector_size : int, default=2496
        Number of leading supervector columns (64 components x 39 values in
        the source). Must be a multiple of ``frame_width``.

    frame_width : int, default=39
        Number of values per MFCC frame, and per supervector component.

    spatial : {"dnn", "cnn", "resnet"}, default="dnn"
        Architecture of the spatial branch.

    spatial_hidden_sizes : tuple of int, default=(1024, 1024)
        Hidden layers of the "dnn" spatial branch before its
        ``embedding_size``-wide representation layer (so three layers of 1024
        by default, as in the source).

    spatial_channels : tuple of int or None, default=None
        Convolution widths: one per 5x5 convolution and 2x2 max pooling of the
        "cnn" branch (default ``(6, 16, 40)``), or one per residual block of
        four 3x3 convolutions with batch norm of the "resnet" branch (default
        ``(16, 16, 16, 16)``). Ignored by "dnn".

    embedding_size : int, default=1024
        Width of the spatial, temporal and (with attention) fused
        representations.

    recurrent_sizes : tuple of int, default=(39, 78)
        Units of each LSTM layer of the temporal branch.

    bidirectional : bool, default=True
        Bi-LSTM (True) or LSTM (False) temporal branch.

    fusion : {"attention", "concat"}, default="attention"
        Attention-weighted sum of the two representations, or their
        concatenation.

    backend_hidden_sizes : tuple of int, default=(512, 256)
        Fully connected layers between the fused representation and the
        output.

    temporal_weight : float, default=0.25
        Weight ``l1`` of the temporal head's cross-entropy.

    spatial_weight : float, default=0.5
        Weight ``l2`` of the spatial head's cross-entropy;
        ``temporal_weight + spatial_weight`` must not exceed 1.

    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation of the fully connected layers.

    dropout : float, default=0.2
        Dropout probability after fully connected layers and between LSTM
        layers.

    batch_norm : bool, default=True
        Batch-normalize the fully connected layers.

    {common_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    make_pstnn_pipeline : Builds the feature union and this classifier at once.
    RNNClassifier : The temporal branch alone.
    MLPClassifier : A DNN on the supervector alone.

    References
    ----------
    .. [1] C. Zeng, D. Zhu, Z. Wang et al., "Spatial and temporal learning
       representation for end-to-end recording device identification",
       EURASIP J. Adv. Signal Process. 2021:41.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import PSTNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=40)
    >>> supervector = rng.normal(size=(40, 2, 3)) + y[:, None, None]
    >>> frames = rng.normal(size=(40, 5, 3)) + y[:, None, None]
    >>> X = np.hstack([supervector.reshape(40, -1), frames.reshape(40, -1)])
    >>> clf = PSTNNClassifier(6, frame_width=3, spatial_hidden_sizes=(),
    ...                       embedding_size=8, recurrent_sizes=(4,),
    ...                       backend_hidden_sizes=(8,), max_epochs=20, lr=0.01,
    ...                       n_threads=1, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _default_max_epochs = 100
    _default_lr_schedule = "step"

    _parameter_constraints: ClassVar[dict] = {
        **_BaseNeuralClassifier._parameter_constraints,
        "supervector_size": [Interval(Integral, 1, None, closed="left")],
        "frame_width": [Interval(Integral, 1, None, closed="left")],
        "spatial": [StrOptions({"dnn", "cnn", "resnet"})],
        "spatial_hidden_sizes": ["array-like"],
        "spatial_channels": ["array-like", None],
        "embedding_size": [Interval(Integral, 1, None, closed="left")],
        "recurrent_sizes": ["array-like"],
        "bidirectional": ["boolean"],
        "fusion": [StrOptions({"attention", "concat"})],
        "backend_hidden_sizes": ["array-like"],
        "temporal_weight": [Interval(Real, 0, 1, closed="both")],
        "spatial_weight": [Interval(Real, 0, 1, closed="both")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        supervector_size=2496,
        *,
        frame_width=39,
        spatial="dnn",
        spatial_hidden_sizes=(1024, 1024),
        spatial_channels=None,
        embedding_size=1024,
        recurrent_sizes=(39, 78),
        bidirectional=True,
        fusion="attention",
        backend_hidden_sizes=(512, 256),
        temporal_weight=0.25,
        spatial_weight=0.5,
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        max_epochs=100,
        lr=0.001,
        batch_size=200,
        weight_decay=0.0,
        optimizer="adam",
        lr_schedule="step",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        device="cpu",
        dtype="float32",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        self.supervector_size = supervector_size
        self.frame_width = frame_width
        self.spatial = spatial
        self.spatial_hidden_sizes = spatial_hidden_sizes
        self.spatial_channels = spatial_channels
        self.embedding_size = embedding_size
        self.recurrent_sizes = recurrent_sizes
        self.bidirectional = bidirectional
        self.fusion = fusion
        self.backend_hidden_sizes = backend_hidden_sizes
        self.temporal_weight = temporal_weight
        self.spatial_weight = spatial_weight
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.dtype = dtype
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state

    def _check_layout(self, n_features):
        _check_sizes(self.spatial_hidden_sizes, "spatial_hidden_sizes")
        if self.spatial_channels is not None:
            _check_sizes(self.spatial_channels, "spatial_channels", allow_empty=False)
        _check_sizes(self.recurrent_sizes, "recurrent_sizes", allow_empty=False)
        _check_sizes(self.backend_hidden_sizes, "backend_hidden_sizes")
        if self.temporal_weight + self.spatial_weight > 1:
            raise ValueError(
                "temporal_weight + spatial_weight must not exceed 1; got "
                f"{self.temporal_weight} + {self.spatial_weight}."
            )
        if self.supervector_size % self.frame_width:
            raise ValueError(
                f"supervector_size={self.supervector_size} must be a multiple of "
                f"frame_width={self.frame_width} (n_components x frame_width)."
            )
        _check_frames(
            n_features,
            self.frame_width,
            offset=self.supervector_size,
            what=f"X after the supervector_size={self.supervector_size} columns",
        )
        self._check_feature_names()

    def _check_feature_names(self):
        """Check the supervector block against prefixed feature names, if any.

        A FeatureUnion with pandas output names its columns ``"<step>__..."``;
        the leading block of one prefix is then the supervector.
        """
        names = getattr(self, "feature_names_in_", None)
        if names is None or "__" not in names[0]:
            return
        prefixes = [str(name).split("__", 1)[0] for name in names]
        n_leading = next(
            (i for i, prefix in enumerate(prefixes) if prefix != prefixes[0]),
            len(prefixes),
        )
        if n_leading < len(prefixes) and n_leading != self.supervector_size:
            raise ValueError(
                f"X's feature names start with {n_leading} columns named "
                f"'{prefixes[0]}__...', but supervector_size="
                f"{self.supervector_size}; set supervector_size to the "
                "supervector's width (n_components x frame_width)."
            )

    def _criterion(self):
        return DeepShallowLoss, {
            "temporal_weight": self.temporal_weight,
            "spatial_weight": self.spatial_weight,
        }

    def _build_module(self, n_features, n_classes):
        return PSTNNModule(n_features, n_classes, **self._architecture(PSTNNModule))
