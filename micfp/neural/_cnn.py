"""1-D convolutional classifier over spectra or waveforms, trained through skorch."""

from numbers import Integral, Real
from typing import ClassVar

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseNeuralClassifier, _check_sizes, _fill_doc
from ._modules import _ACTIVATIONS, CNNModule


@_fill_doc
class CNNClassifier(_BaseNeuralClassifier):
    """1-D convolutional network classifier in PyTorch.

    Each row (a log spectrum, or a raw waveform as in the "CNN on the raw
    signal" comparison of the background-noise study) is read as a one-channel
    sequence. Convolution blocks (convolution, batch norm, activation, max
    pooling) extract local patterns; fully connected layers classify them.
    Pooling shrinks to the length that is left, so short rows still work.

    Parameters
    ----------
    channels : tuple of int, default=(16, 32, 64)
        Number of filters of each convolution block.

    kernel_size : int, default=9
        Length of the convolution kernels.

    pool_size : int, default=4
        Max-pooling window and stride after each convolution.

    hidden_layer_sizes : tuple of int, default=(128,)
        Widths of the fully connected layers after the convolutions.

    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation after each convolution and hidden layer.

    dropout : float, default=0.0
        Dropout probability after each fully connected hidden layer.

    batch_norm : bool, default=True
        Batch-normalize each convolution block and hidden layer.

    {common_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    MLPClassifier : Fully connected network on the same features.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(64)
    >>> freq = rng.choice([4, 12], size=40)
    >>> X = np.sin(2 * np.pi * freq[:, None] * t / 64) + 0.1 * rng.normal(size=(40, 64))
    >>> clf = CNNClassifier((4,), hidden_layer_sizes=(8,), max_epochs=20, lr=0.01,
    ...                     n_threads=1, random_state=0)
    >>> clf.fit(X, freq).score(X, freq) > 0.9
    True
    """

    _default_max_epochs = 100

    _parameter_constraints: ClassVar[dict] = {
        **_BaseNeuralClassifier._parameter_constraints,
        "channels": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        channels=(16, 32, 64),
        *,
        kernel_size=9,
        pool_size=4,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        batch_norm=True,
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
        self.channels = channels
        self.kernel_size = kernel_size
        self.pool_size = pool_size
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
        _check_sizes(self.channels, "channels", allow_empty=False)
        _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _build_module(self, n_features, n_classes):
        return CNNModule(n_features, n_classes, **self._architecture(CNNModule))
