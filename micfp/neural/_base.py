"""The scikit-learn face shared by micfp's neural classifiers.

A :class:`_BaseNeuralClassifier` stores its parameters, and ``fit`` builds a
:class:`skorch.NeuralNetClassifier` around the module a subclass describes. The
estimator wraps skorch rather than subclassing it, so that its parameters are
exactly the ones listed in ``__init__`` and scikit-learn's cloning, grid search
and checks see an ordinary estimator.
"""

import inspect
import warnings
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch.utils.data import Subset

from ..utils._docstring import Substitution
from ._log import PlainPrintLog

_COMMON_PARAMETERS_DOC = """\
max_epochs : int, default={max_epochs}
        Number of passes over the training data (fewer with early stopping).

    lr : float, default=0.001
        Learning rate of the optimizer.

    batch_size : int, default=200
        Number of clips per mini-batch, for training and prediction.

    weight_decay : float, default={weight_decay}
        L2 penalty on the weights, applied by the optimizer.

    optimizer : {{"adam", "sgd"}}, default="adam"
        Adam with betas (0.9, 0.999), or SGD with Nesterov momentum 0.9.

    lr_schedule : {{"constant", "step"}}, default="{lr_schedule}"
        ``"step"`` divides the learning rate by 10 every 20 epochs.

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training clips,
        stop when the validation loss has not improved for ``patience`` epochs,
        and keep the weights of the best epoch.

    validation_fraction : float, default=0.1
        Share of the training clips held out when ``early_stopping=True``.

    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.

    device : {{"cpu", "cuda", "auto"}}, default="cpu"
        Where to train and predict. ``"auto"`` takes CUDA when available.

    dtype : {{"float32", "float64"}}, default="float32"
        Floating-point type of the weights and of the data inside the network.

    n_threads : int or None, default=1
        Number of CPU threads PyTorch uses during ``fit`` and prediction,
        restored afterwards; ``None`` keeps PyTorch's setting (one thread per
        core). One thread keeps a fit steady beside other busy processes,
        where threads that wait for a core held by another program can slow
        every step down many times; raise it on a machine the fit has to
        itself (see the user guide on scaling).

    verbose : int, default=0
        Print one line of progress per epoch (skorch's log) when positive.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout, shuffling and the validation
        split. The same integer gives the same model, bit for bit, on CPU
        with the same number of threads (another ``n_threads`` may change
        the order of sums in convolutions). Torch's global random generators
        are left untouched."""

_COMMON_ATTRIBUTES_DOC = """\
classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    net_ : skorch.NeuralNetClassifier
        The fitted network; ``net_.module_`` is the PyTorch module.

    history_ : skorch.callbacks.History
        The training curve: one dict per epoch with ``train_loss``,
        ``dur`` (seconds), ``valid_loss`` and ``valid_acc`` with early
        stopping, and ``event_lr`` with the step schedule.

    n_epochs_ : int
        Number of epochs actually run."""


def _fill_doc(cls):
    """Put the shared parameter and attribute text into a class docstring."""
    if cls.__doc__ is None:  # docstrings stripped by ``python -OO``
        return cls
    cls.__doc__ = cls.__doc__.replace(
        "{common_parameters}",
        _COMMON_PARAMETERS_DOC.format(
            max_epochs=cls._default_max_epochs,
            weight_decay=cls._default_weight_decay,
            lr_schedule=cls._default_lr_schedule,
        ),
    ).replace("{common_attributes}", _COMMON_ATTRIBUTES_DOC)
    return cls


class _Batches:
    """Mini-batches sliced from whole tensors.

    skorch's default loader fetches rows one by one and stacks them; slicing the
    tensors with an index per batch gives the same batches much faster. A
    trailing batch of one row is merged into the previous one, so that batch
    norm always sees more than one row while training.
    """

    def __init__(self, dataset, batch_size=200, shuffle=False):
        indices = None
        if isinstance(dataset, Subset):
            indices = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
            dataset = dataset.dataset
        self.X = dataset.X
        self.y = dataset.y
        self.indices = indices
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.n_rows = len(self.X) if indices is None else len(indices)

    def _starts(self):
        starts = list(range(0, self.n_rows, self.batch_size))
        if len(starts) > 1 and self.n_rows - starts[-1] == 1:
            starts.pop()
        return starts

    def __len__(self):
        return len(self._starts())

    def __iter__(self):
        order = self.indices
        if self.shuffle:
            permutation = torch.randperm(self.n_rows)
            order = permutation if order is None else order[permutation]
        starts = self._starts()
        stops = [*starts[1:], self.n_rows]
        for start, stop in zip(starts, stops, strict=True):
            rows = slice(start, stop) if order is None else order[start:stop]
            X = self.X[rows]
            y = torch.zeros(len(X)) if self.y is None else self.y[rows]
            yield X, y


def _softmax(logits):
    return torch.softmax(logits, dim=-1)


@contextmanager
def _torch_threads(n_threads):
    """Run the block with ``n_threads`` PyTorch CPU threads (None: unchanged)."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _resolve_device(device):
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was asked for, but no CUDA device is available."
        )
    return device


_clips_doc = Substitution(
    clips="""
    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features, one clip per row.
    """
)


class _BaseNeuralClassifier(ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
    """Parameters, fitting and prediction shared by the neural classifiers.

    Subclasses list their architecture parameters and the common ones in
    ``__init__``, build their module in ``_build_module`` (from
    :meth:`_architecture`) and check the input layout in ``_check_layout``.
    """

    _default_max_epochs = 200
    _default_weight_decay = 0.0
    _default_lr_schedule = "constant"

    _parameter_constraints: ClassVar[dict] = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions({"adam", "sgd"})],
        "lr_schedule": [StrOptions({"constant", "step"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "dtype": [StrOptions({"float32", "float64"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    @abstractmethod
    def _build_module(self, n_features, n_classes):
        """Return the ``nn.Module`` for this input width and number of classes."""

    def _architecture(self, module_class):
        """Keyword arguments of ``module_class`` taken from this estimator.

        Each keyword-only argument of the module is the parameter of the same
        name; sequences (layer sizes) are passed as tuples.
        """
        names = [
            parameter.name
            for parameter in inspect.signature(module_class).parameters.values()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        return {name: _as_tuple(getattr(self, name)) for name in names}

    def _check_layout(self, n_features):
        """Raise a ValueError when ``n_features`` does not fit the architecture."""

    def _criterion(self):
        return torch.nn.CrossEntropyLoss, {}

    def _callbacks(self, seed):
        from skorch.callbacks import EarlyStopping, LRScheduler

        callbacks = []
        if self.lr_schedule == "step":
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.StepLR,
                        step_size=20,
                        gamma=0.1,
                    ),
                )
            )
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.patience,
                        load_best=True,
                        sink=print if self.verbose else _no_output,
                    ),
                )
            )
        return callbacks

    def _optimizer(self):
        if self.optimizer == "adam":
            return torch.optim.Adam, {"betas": (0.9, 0.999)}
        return torch.optim.SGD, {"momentum": 0.9, "nesterov": True}

    def _validate_X(self, X, *, reset, y=None):
        np_dtype = np.float64 if self.dtype == "float64" else np.float32
        if reset:
            return validate_data(self, X, y, dtype=np_dtype)
        return validate_data(self, X, reset=False, dtype=np_dtype)

    def _to_tensor(self, X):
        # np.require copies read-only input (memory maps), which torch cannot wrap.
        return torch.from_numpy(np.require(X, requirements=["C", "W"]))

    def _make_net(self, n_features, seed, device=None):
        """Build the skorch net, untrained, for ``n_features`` and ``classes_``.

        Building the module draws its initial weights from torch's global
        generator, so callers seed it (inside ``fork_rng``) first. ``device``
        overrides the ``device`` parameter.
        """
        from skorch import NeuralNetClassifier
        from skorch.dataset import ValidSplit

        device = _resolve_device(self.device if device is None else device)
        dtype = torch.float64 if self.dtype == "float64" else torch.float32
        criterion, criterion_params = self._criterion()
        optimizer, optimizer_params = self._optimizer()
        train_split = None
        if self.early_stopping:
            train_split = ValidSplit(
                self.validation_fraction, stratified=True, random_state=seed
            )
        module = self._build_module(n_features, len(self.classes_)).to(dtype)
        return NeuralNetClassifier(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=_Batches,
            iterator_valid=_Batches,
            iterator_train__shuffle=True,
            train_split=train_split,
            callbacks=self._callbacks(seed),
            callbacks__print_log=PlainPrintLog(),
            predict_nonlinearity=_softmax,
            device=device,
            verbose=self.verbose,
            **{f"optimizer__{k}": v for k, v in optimizer_params.items()},
            optimizer__weight_decay=self.weight_decay,
            **{f"criterion__{k}": v for k, v in criterion_params.items()},
        )

    def get_network_state(self):
        """Return the trained network as plain data: weights and history.

        The hook through which :func:`micfp.persistence.save_model` stores a
        network without pickling it, as skorch's ``save_params`` does. With the
        other fitted attributes (``classes_``, ``n_features_in_``, ...), the
        state rebuilds ``net_`` and ``history_`` in :meth:`set_network_state`.

        Returns
        -------
        state : dict
            ``"weights"``: the ``state_dict`` of ``net_.module_``, a dict of
            tensors on the CPU (sharing memory with the network when it is on
            the CPU); ``"history"``: the training history, a list of one dict
            per epoch.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.base import clone
        >>> from micfp.neural import MLPClassifier
        >>> X = np.random.default_rng(0).normal(size=(20, 4))
        >>> y = np.repeat([0, 1], 10)
        >>> clf = MLPClassifier(hidden_layer_sizes=(3,), max_epochs=2,
        ...                     random_state=0).fit(X, y)
        >>> state = clf.get_network_state()
        >>> len(state["history"])
        2
        >>> copy = clone(clf)
        >>> copy.classes_, copy.n_features_in_ = clf.classes_, clf.n_features_in_
        >>> bool(np.all(copy.set_network_state(state).predict(X) == clf.predict(X)))
        True
        """
        check_is_fitted(self)
        weights = {
            name: tensor.detach().cpu()
            for name, tensor in self.net_.module_.state_dict().items()
        }
        return {"weights": weights, "history": [dict(r) for r in self.history_]}

    def set_network_state(self, state):
        """Rebuild ``net_`` and ``history_`` from :meth:`get_network_state`.

        ``classes_`` and ``n_features_in_`` must already be set, and the
        parameters must describe the architecture the weights were trained
        with. The optimizer starts afresh, as a new ``fit`` would. A network
        trained on CUDA comes back on the CPU, with a warning, where CUDA is
        absent, as skorch does when it unpickles one.

        Parameters
        ----------
        state : dict
            ``"weights"`` (a ``state_dict`` of tensors) and ``"history"`` (a
            list of per-epoch dicts).

        Returns
        -------
        self : object
            The classifier, ready to predict.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If ``classes_`` or ``n_features_in_`` is missing.
        ValueError
            If ``state`` lacks a key, or the weights do not fit the module
            (a :class:`RuntimeError` from PyTorch for mismatched shapes).
        """
        from skorch.history import History

        missing = [a for a in ("classes_", "n_features_in_") if not hasattr(self, a)]
        if missing:
            raise NotFittedError(
                f"{type(self).__name__} needs {missing} set before its network "
                "state can be restored."
            )
        if not isinstance(state, dict) or not {"weights", "history"} <= state.keys():
            raise ValueError(
                "state must be a dict with the keys 'weights' and 'history', as "
                f"returned by get_network_state; got {type(state).__name__}."
            )
        device = None
        if self.device == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                "The network was trained with device='cuda', but no CUDA device "
                "is available; it is loaded on the CPU. Call "
                "set_params(device='cpu') before fitting it again here.",
                UserWarning,
                stacklevel=2,
            )
            device = "cpu"
        with torch.random.fork_rng(devices=range(torch.cuda.device_count())):
            net = self._make_net(self.n_features_in_, None, device).initialize()
        net.module_.load_state_dict(state["weights"])
        net.history_ = History(state["history"])
        self.net_ = net
        self.history_ = net.history
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on clips ``X`` with device labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features, one clip per row.
        y : array-like of shape (n_samples,)
            Device labels (strings or integers).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = self._validate_X(X, reset=True, y=y)
        self._check_layout(X.shape[1])
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; "
                f"got 1 class ({self.classes_[0]!r})."
            )
        seed = int(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        with (
            _torch_threads(self.n_threads),
            torch.random.fork_rng(devices=range(torch.cuda.device_count())),
        ):
            torch.manual_seed(seed)
            net = self._make_net(X.shape[1], seed)
            net.fit(self._to_tensor(X), torch.from_numpy(y_encoded.astype(np.int64)))

        self.net_ = net
        self.history_ = net.history
        self.n_epochs_ = len(net.history)
        return self

    @_clips_doc
    def predict_proba(self, X):
        """Probability of each device for each clip.

        {clips}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with _torch_threads(self.n_threads), torch.inference_mode():
            proba = self.net_.predict_proba(self._to_tensor(X))
        return proba.astype(np.float64, copy=False)

    @_clips_doc
    def predict(self, X):
        """Most probable device for each clip.

        {clips}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _no_output(*args, **kwargs):
    return None


def _as_tuple(value):
    return tuple(value) if isinstance(value, list | tuple | np.ndarray) else value


def _check_sizes(sizes, name, *, allow_empty=True):
    """Return ``sizes`` as a list of positive ints, or raise a ValueError."""
    sizes = list(sizes)
    if (not allow_empty and not sizes) or not all(
        isinstance(size, Integral) and size > 0 for size in sizes
    ):
        kind = "a non-empty" if not allow_empty else "a"
        raise ValueError(
            f"{name} must be {kind} sequence of positive integers; got {sizes!r}."
        )
    return [int(size) for size in sizes]
