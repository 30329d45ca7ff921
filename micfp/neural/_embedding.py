"""A learned device embedding: x-vector network on log-spectrogram frames.

The network reads raw clips. A fixed front-end cuts each clip into windowed
frames and takes their log power spectra; 1-D convolutions over the frames
(the frequency bins are the channels) give frame-level features; statistics
pooling (mean and standard deviation over the frames) turns any number of
frames into one vector; an affine layer gives the embedding. Training scores
the length-normalised embedding against length-normalised class weights, with
an additive cosine margin on the true class (AM-softmax).
"""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F

from ..exceptions import AudioValueError
from ..utils._framing import window_array
from ._base import _BaseNeuralClassifier, _check_sizes, _fill_doc, _torch_threads

# Added to the power of every bin before the logarithm: far below the power
# of 16-bit quantization noise in one bin.
_POWER_FLOOR = 1e-12
# Added to the variance before the square root of statistics pooling, so that
# constant frames keep a finite gradient.
_VARIANCE_FLOOR = 1e-5


class _LogSpectrogram(nn.Module):
    """Log power spectra of frames: ``(n, n_samples) -> (n, n_bins, n_frames)``."""

    def __init__(self, frame_length, hop_length, window):
        super().__init__()
        self.frame_length = frame_length
        self.hop_length = hop_length
        values = window_array(window, frame_length, np.float64)
        if values is None:
            values = np.ones(frame_length)
        self.register_buffer("window", torch.as_tensor(values), persistent=False)

    def forward(self, X):
        frames = X.unfold(-1, self.frame_length, self.hop_length) * self.window
        power = torch.view_as_real(torch.fft.rfft(frames)).square().sum(-1)
        return torch.log(power + _POWER_FLOOR).transpose(1, 2)


class _CosineHead(nn.Module):
    """``scale`` times the cosine between embeddings and per-class weight vectors."""

    def __init__(self, n_in, n_classes, scale):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_classes, n_in))
        nn.init.xavier_uniform_(self.weight)
        self.scale = scale

    def forward(self, embedding):
        cosine = F.normalize(embedding, dim=1) @ F.normalize(self.weight, dim=1).T
        return self.scale * cosine


class EmbeddingModule(nn.Module):
    """x-vector network over log-spectrogram frames, with a cosine head.

    ``embed`` returns the embedding (before length normalisation); ``forward``
    returns ``scale`` times its cosine with each class's weight vector.
    """

    def __init__(
        self,
        n_classes,
        *,
        frame_length=512,
        hop_length=256,
        window="hann",
        channels=(128, 128, 128),
        kernel_size=3,
        embedding_size=64,
        scale=30.0,
        dropout=0.0,
    ):
        super().__init__()
        self.spectrogram = _LogSpectrogram(frame_length, hop_length, window)
        n_in = frame_length // 2 + 1
        self.input_norm = nn.BatchNorm1d(n_in)
        layers = []
        for n_out in channels:
            layers += [
                nn.Conv1d(n_in, n_out, kernel_size, padding="same"),
                nn.ReLU(),
                nn.BatchNorm1d(n_out),
            ]
            n_in = n_out
        self.frames = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.embedding = nn.Linear(2 * n_in, embedding_size)
        self.head = _CosineHead(embedding_size, n_classes, scale)

    def embed(self, X):
        maps = self.frames(self.input_norm(self.spectrogram(X)))
        mean = maps.mean(dim=-1)
        std = torch.sqrt(maps.var(dim=-1, unbiased=False) + _VARIANCE_FLOOR)
        return self.embedding(self.dropout(torch.cat([mean, std], dim=1)))

    def forward(self, X):
        return self.head(self.embed(X))


class AdditiveMarginLoss(nn.Module):
    """Cross-entropy after subtracting ``scale * margin`` from the true class's logit.

    With logits ``scale * cos(theta)`` from :class:`EmbeddingModule`, this is
    the additive-margin softmax loss; ``margin=0`` gives the normalised
    softmax.
    """

    def __init__(self, margin=0.2, scale=30.0):
        super().__init__()
        self.margin = margin
        self.scale = scale

    def forward(self, logits, target):
        shift = F.one_hot(target, logits.shape[1]).to(logits.dtype)
        return F.cross_entropy(logits - self.scale * self.margin * shift, target)


# Parameters that fix the shapes of the trunk's weights: a pretrained network
# must share them to initialise another.
_TRUNK_PARAMETERS = (
    "frame_length",
    "hop_length",
    "window",
    "channels",
    "kernel_size",
    "embedding_size",
)


@_fill_doc
class DeviceEmbeddingNet(
    TransformerMixin, ClassNamePrefixFeaturesOutMixin, _BaseNeuralClassifier
):
    """Learned device embedding of raw clips (x-vector network, AM-softmax).

    The network reads raw clips (one clip a row). It cuts each clip into
    frames of ``frame_length`` samples every ``hop_length`` samples, windows
    them and takes their log power spectra; the spectra are standardised bin
    by bin (batch norm) and read by 1-D convolutions along the frames, the
    frequency bins being the input channels (a time-delay network, as in
    x-vectors [1]_). Statistics pooling concatenates the mean and the standard
    deviation of the last convolution's outputs over the frames, so the clip
    length is free, and an affine layer gives the ``embedding_size``-wide
    embedding.

    Training is classification of the devices with the additive-margin
    softmax [2]_: logits are ``scale`` times the cosine between the
    L2-normalised embedding and an L2-normalised weight vector per device,
    with ``scale * margin`` taken off the true device's logit. Embeddings of
    one device then gather in a narrow cone, so that cosines between
    embeddings compare devices never seen in training.

    ``transform`` returns the L2-normalised embedding (for a back-end such as
    LDA, cosine scoring or verification), ``predict_proba`` the softmax of the
    cosine logits without the margin. ``pretrained`` starts training from the
    weights of a network fitted on other devices (fine-tuning).

    Parameters
    ----------
    frame_length : int, default=512
        Samples a frame of the log spectrogram; ``frame_length // 2 + 1``
        frequency bins. Clips must hold at least one frame.

    hop_length : int or None, default=None
        Samples between frame starts; ``None`` means ``frame_length // 2``.

    window : str or tuple, default="hann"
        Window of the frames, a :func:`scipy.signal.get_window` specification
        (periodic).

    channels : tuple of int, default=(128, 128, 128)
        Output channels of each frame-level convolution (each followed by a
        ReLU and batch norm).

    kernel_size : int, default=3
        Frames each convolution spans (zero-padded at the clip's edges, so
        the number of frames is kept).

    embedding_size : int, default=64
        Width of the embedding.

    margin : float, default=0.2
        Additive cosine margin of the true device during training; 0 gives
        the normalised softmax.

    scale : float, default=30.0
        Scale of the cosine logits.

    dropout : float, default=0.0
        Dropout probability on the pooled statistics.

    pretrained : DeviceEmbeddingNet, FrozenEstimator or None, default=None
        A fitted network (or a :class:`sklearn.frozen.FrozenEstimator`
        around one, which cloning keeps fitted) whose weights start the
        training, all but the device weights of the head, which are new. It
        must have the same ``frame_length``, ``hop_length``, ``window``,
        ``channels``, ``kernel_size`` and ``embedding_size``.

    {common_parameters}

    Attributes
    ----------
    {common_attributes}

    See Also
    --------
    micfp.baselines.make_device_embedding : Welch and noise-floor spectra, the
        representation of micfp's recommended recipe.
    CNNClassifier : Convolutional network over one spectrum a clip.

    References
    ----------
    .. [1] D. Snyder, D. Garcia-Romero, G. Sell, D. Povey and S. Khudanpur,
       "X-vectors: robust DNN embeddings for speaker recognition", ICASSP 2018.
    .. [2] F. Wang, W. Liu, H. Liu and J. Cheng, "Additive margin softmax for
       face verification", arXiv:1801.05599, 2018.
       :doi:`10.48550/arXiv.1801.05599`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import DeviceEmbeddingNet
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["bright", "dark"], 20)
    >>> noise = rng.normal(size=(40, 512))
    >>> X = np.where(y[:, None] == "dark", np.cumsum(noise, axis=1) / 10, noise)
    >>> net = DeviceEmbeddingNet(frame_length=64, channels=(16,), embedding_size=8,
    ...                          batch_size=8, max_epochs=10, random_state=0).fit(X, y)
    >>> net.transform(X).shape
    (40, 8)
    >>> float(np.linalg.norm(net.transform(X[:1])))
    1.0
    >>> net.score(X, y)
    1.0
    """

    _default_max_epochs = 20
    _default_weight_decay = 0.0

    _parameter_constraints: ClassVar[dict] = {
        **_BaseNeuralClassifier._parameter_constraints,
        "frame_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple],
        "channels": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "embedding_size": [Interval(Integral, 1, None, closed="left")],
        "margin": [Interval(Real, 0, None, closed="left")],
        "scale": [Interval(Real, 0, None, closed="neither")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pretrained": [HasMethods(["get_network_state"]), None],
    }

    def __init__(
        self,
        frame_length=512,
        *,
        hop_length=None,
        window="hann",
        channels=(128, 128, 128),
        kernel_size=3,
        embedding_size=64,
        margin=0.2,
        scale=30.0,
        dropout=0.0,
        pretrained=None,
        max_epochs=20,
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
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.window = window
        self.channels = channels
        self.kernel_size = kernel_size
        self.embedding_size = embedding_size
        self.margin = margin
        self.scale = scale
        self.dropout = dropout
        self.pretrained = pretrained
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

    def _hop(self):
        if self.hop_length is None:
            return max(self.frame_length // 2, 1)
        return self.hop_length

    def _pretrained_net(self):
        """Return the fitted network inside ``pretrained``, checked against this one."""
        source = getattr(self.pretrained, "estimator", self.pretrained)
        if not isinstance(source, DeviceEmbeddingNet):
            raise ValueError(
                "pretrained must be a fitted DeviceEmbeddingNet or a FrozenEstimator "
                f"around one; got {type(source).__name__}."
            )
        check_is_fitted(source, "net_")
        mine = {name: getattr(self, name) for name in _TRUNK_PARAMETERS}
        theirs = {name: getattr(source, name) for name in _TRUNK_PARAMETERS}
        mine["hop_length"], theirs["hop_length"] = self._hop(), source._hop()
        mine["channels"] = tuple(mine["channels"])
        theirs["channels"] = tuple(theirs["channels"])
        differ = {k: (theirs[k], mine[k]) for k in mine if mine[k] != theirs[k]}
        if differ:
            shown = ", ".join(f"{k}={a!r} (here {b!r})" for k, (a, b) in differ.items())
            raise ValueError(
                f"pretrained has another architecture than this network: {shown}."
            )
        return source

    def _check_layout(self, n_features):
        _check_sizes(self.channels, "channels", allow_empty=False)
        if n_features < self.frame_length:
            raise AudioValueError(
                f"frame_length={self.frame_length} is too large for clips of "
                f"n_features={n_features} samples: they need at least one frame."
            )
        if self.pretrained is not None:
            self._pretrained_net()

    def _criterion(self):
        return AdditiveMarginLoss, {"margin": self.margin, "scale": self.scale}

    def _build_module(self, n_features, n_classes):
        return EmbeddingModule(
            n_classes,
            frame_length=self.frame_length,
            hop_length=self._hop(),
            window=self.window,
            channels=tuple(self.channels),
            kernel_size=self.kernel_size,
            embedding_size=self.embedding_size,
            scale=self.scale,
            dropout=self.dropout,
        )

    def _make_net(self, n_features, seed, device=None):
        # The base class builds the net with ``seed=None`` only to restore a
        # saved state (set_network_state), whose weights replace any start.
        net = super()._make_net(n_features, seed, device)
        if self.pretrained is None or seed is None:
            return net
        net.initialize()
        start = self._pretrained_net().net_.module_.state_dict()
        trunk = {k: v for k, v in start.items() if not k.startswith("head.")}
        net.module_.load_state_dict(trunk, strict=False)
        # fit() would initialise the module again without warm_start.
        net.warm_start = True
        return net

    @property
    def _n_features_out(self):
        return self.net_.module_.embedding.out_features

    def transform(self, X):
        """L2-normalised embedding of each clip.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Raw clips, one a row.

        Returns
        -------
        embedding : ndarray of shape (n_samples, embedding_size)
            Unit-length embeddings (float64): their dot products are cosines.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        module = self.net_.module_
        module.train(False)
        device = next(module.parameters()).device
        with _torch_threads(self.n_threads), torch.inference_mode():
            parts = [
                F.normalize(module.embed(batch.to(device)), dim=1).cpu()
                for batch in self._to_tensor(X).split(self.batch_size)
            ]
        return torch.cat(parts).numpy().astype(np.float64, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The network sees the power spectra of frames, not the samples: on
        # generic points (scikit-learn's blobs) it cannot tell x from -x.
        tags.classifier_tags.poor_score = True
        return tags
