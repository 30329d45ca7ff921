"""LSTM and Bi-LSTM classifiers over frame sequences, trained through skorch."""

from numbers import Integral, Real
from typing import ClassVar

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseNeuralClassifier, _check_sizes, _fill_doc
from ._modules import _ACTIVATIONS, RNNModule


def _check_frames(n_features, frame_width, *, offset=0, what="X"):
    """Raise unless ``n_features - offset`` is a positive multiple of frame_width."""
    n_frame_values = n_features - offset
    if n_frame_values <= 0 or n_frame_values % frame_width:
        raise ValueError(
            f"{what} must hold whole frames of frame_width={frame_width} values "
            f"(frame-major); got n_features={n_features}, which leaves "
            f"{n_frame_values} values for frames."
        )


@_fill_doc
class RNNClassifier(_BaseNeuralClassifier):
    """LSTM or Bi-LSTM classifier over sequences of feature frames.

    Each row holds frames of ``frame_width`` values flattened frame-major (all
    values of frame 0, then frame 1, ...), the layout of
    :class:`micfp.features.MFCC` with ``output="frames"``. The rows are
    reshaped to ``(n_frames, frame_width)`` sequences and read by stacked
    LSTM layers (by default the two layers of 39 then 78 units of the PSTNN
    temporal branch); the final hidden state goes through fully connected
    layers.

    Parameters
    ----------
    frame_width : int, default=39
        Number of values per frame (13 MFCCs with first and second
        differences give 39). The number of columns of ``X`` must be a
        multiple of it.

    recurrent_sizes : tuple of int, default=(39, 78)
        Number of units of each LSTM layer.

    bidirectional : bool, default=False
        Read the sequence in both directions (Bi-LSTM); the representation is
        then twice as wide.

    hidden_layer_sizes : tuple of int, default=(128,)
        Widths of the fully connected layers after the recurrent ones.

    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation of the fully connected hidden layers.

    dropout : float, default=0.0
        Dropout probability between LSTM layers and after each hidden layer.

    batch_norm : bool, default=False
        Batch-normalize each fully connected hidden layer.

    {common_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    PSTNNClassifier : Adds a supervector branch and fuses the two.

    References
    ----------
    .. [1] C. Zeng, D. Zhu, Z. Wang et al., "Spatial and temporal learning
       representation for end-to-end recording device identification",
       EURASIP J. Adv. Signal Process. 2021:41.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import RNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=40)
    >>> frames = rng.normal(size=(40, 6, 3)) + y[:, None, None]
    >>> X = frames.reshape(40, -1)  # 6 frames of 3 values, frame-major
    >>> clf = RNNClassifier(frame_width=3, recurrent_sizes=(8,), max_epochs=20,
    ...                     lr=0.01, n_threads=1, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _default_max_epochs = 100

    _parameter_constraints: ClassVar[dict] = {
        **_BaseNeuralClassifier._parameter_constraints,
        "frame_width": [Interval(Integral, 1, None, closed="left")],
        "recurrent_sizes": ["array-like"],
        "bidirectional": ["boolean"],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        frame_width=39,
        *,
        recurrent_sizes=(39, 78),
        bidirectional=False,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        lr=0.001,
        batch_size=200,
        weight_decay=0.0,
        optimizer="adam",
        lr_schedule="constant",
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        device="cpu",
        dtype="float32",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        self.frame_width = frame_width
        self.recurrent_sizes = recurrent_sizes
        self.bidirectional = bidirectional
        self.hidden_layer_sizes = hidden_layer_sizes
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
        _check_sizes(self.recurrent_sizes, "recurrent_sizes", allow_empty=False)
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        _check_frames(n_features, self.frame_width)

    def _build_module(self, n_features, n_classes):
        return RNNModule(n_features, n_classes, **self._architecture(RNNModule))
