"""Softmax regression and multilayer perceptrons, trained through skorch."""

from numbers import Integral, Real
from typing import ClassVar

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _BaseNeuralClassifier, _check_sizes, _fill_doc
from ._modules import _ACTIVATIONS, MLPModule


@_fill_doc
class MLPClassifier(_BaseNeuralClassifier):
    """Multilayer perceptron (or softmax regression) classifier in PyTorch.

    With no hidden layer the network is softmax regression, and
    ``weight_decay`` is its weight-decay cost term; with one to three hidden
    layers it is the MLP of the study that identifies recording devices from
    the FFT of their background-noise residual [1]_. ``n_parts > 1`` gives that study's
    "model averaging" variant: the input vector is cut into contiguous parts,
    each goes through its own hidden layer(s), and their outputs are
    concatenated before the remaining layers.

    Unlike :class:`sklearn.neural_network.MLPClassifier`, training runs in
    PyTorch through skorch (CPU or CUDA, float32 by default, mini-batches
    sliced without copying rows one by one), the number of passes is
    ``max_epochs``, and dropout, batch norm, step learning-rate schedules and
    the split input are available. The learned network is ``net_.module_``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer; ``()`` gives softmax regression.

    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation after each hidden layer.

    dropout : float, default=0.0
        Dropout probability after each hidden layer.

    batch_norm : bool, default=False
        Batch-normalize each hidden layer before its activation.

    n_parts : int, default=1
        Number of contiguous parts the input is cut into ("model averaging");
        1 keeps the input whole. Each part gets an equal share of the width of
        the first ``part_depth`` hidden layers, so the concatenated width
        equals the layer's width in ``hidden_layer_sizes``.

    part_depth : int, default=1
        Number of leading hidden layers that are private to each part when
        ``n_parts > 1``; must not exceed the number of hidden layers.

    {common_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    CNNClassifier : Convolutional network over a spectrum or a waveform.
    sklearn.neural_network.MLPClassifier : Scikit-learn's perceptron, in NumPy.

    References
    ----------
    .. [1] "Identification of audio recording devices from background noise"
       (conference paper): softmax regression, MLPs of 1 to 3 hidden layers and
       model averaging on log-magnitude FFTs of wavelet noise residuals.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import MLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 8))
    >>> y = np.where(X[:, 0] > 0, "phone", "recorder")
    >>> clf = MLPClassifier((16,), max_epochs=30, lr=0.01, n_threads=1,
    ...                     random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _default_max_epochs = 200
    _default_weight_decay = 1e-4

    _parameter_constraints: ClassVar[dict] = {
        **_BaseNeuralClassifier._parameter_constraints,
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "n_parts": [Interval(Integral, 1, None, closed="left")],
        "part_depth": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        n_parts=1,
        part_depth=1,
        max_epochs=200,
        lr=0.001,
        batch_size=200,
        weight_decay=1e-4,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.n_parts = n_parts
        self.part_depth = part_depth
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
        hidden = _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        if self.n_parts == 1:
            return
        if self.part_depth > len(hidden):
            raise ValueError(
                f"part_depth={self.part_depth} needs at least that many hidden "
                f"layers; hidden_layer_sizes={tuple(hidden)} has {len(hidden)}."
            )
        narrow = [size for size in hidden[: self.part_depth] if size < self.n_parts]
        if n_features < self.n_parts or narrow:
            raise ValueError(
                f"n_parts={self.n_parts} needs at least {self.n_parts} input "
                f"features and hidden layers at least that wide; got "
                f"n_features={n_features} and hidden_layer_sizes={tuple(hidden)}."
            )

    def _build_module(self, n_features, n_classes):
        return MLPModule(n_features, n_classes, **self._architecture(MLPModule))
