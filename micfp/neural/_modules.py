"""PyTorch modules behind micfp's neural classifiers.

Every module takes a 2-D batch ``(n_clips, n_features)``, the layout scikit-learn
passes around, and recovers any structure (frames, supervector image) from sizes
given at construction. Modules return logits; the skorch wrapper applies the
softmax at prediction time. The keyword-only arguments of a module are the
architecture parameters of its estimator, under the same names; their
defaults live in the estimator alone.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

_ACTIVATIONS = {
    "gelu": nn.GELU,
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
}


def _split_sizes(total, n_parts):
    """Sizes of ``n_parts`` contiguous parts of ``total``, as equal as possible."""
    return [len(part) for part in np.array_split(np.arange(total), n_parts)]


def _dense_stack(n_in, sizes, *, activation, dropout, batch_norm):
    """Fully connected layers ``n_in -> sizes[0] -> ... -> sizes[-1]``.

    Each layer is linear, optionally batch-normalized, activated and dropped out.
    Returns the stack and its output width (``n_in`` when ``sizes`` is empty).
    """
    layers = []
    for size in sizes:
        layers.append(nn.Linear(n_in, size))
        if batch_norm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(_ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = size
    return nn.Sequential(*layers), n_in


def _dense_head(n_in, n_classes, sizes, **stack):
    """Fully connected layers (see :func:`_dense_stack`), then the output layer.

    Returns the stack and the linear layer that gives the ``n_classes`` logits.
    """
    body, width = _dense_stack(n_in, sizes, **stack)
    return body, nn.Linear(width, n_classes)


class MLPModule(nn.Module):
    """Multilayer perceptron, with the optional split input of "model averaging".

    With ``n_parts > 1`` the input columns are cut into ``n_parts`` contiguous
    parts; the first ``part_depth`` hidden layers are private to each part (each
    part gets an equal share of every such layer's width), and the parts'
    outputs are concatenated before the remaining, shared layers.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        *,
        hidden_layer_sizes,
        activation,
        dropout,
        batch_norm,
        n_parts,
        part_depth,
    ):
        super().__init__()
        stack = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        hidden = list(hidden_layer_sizes)
        n_in = n_features
        self.part_bounds = None
        self.parts = None
        if n_parts > 1:
            widths = _split_sizes(n_features, n_parts)
            self.part_bounds = np.concatenate([[0], np.cumsum(widths)]).tolist()
            private = [_split_sizes(size, n_parts) for size in hidden[:part_depth]]
            self.parts = nn.ModuleList(
                _dense_stack(width, [sizes[i] for sizes in private], **stack)[0]
                for i, width in enumerate(widths)
            )
            n_in = hidden[part_depth - 1]
            hidden = hidden[part_depth:]
        self.body, self.head = _dense_head(n_in, n_classes, hidden, **stack)

    def forward(self, X):
        if self.parts is not None:
            bounds = self.part_bounds
            X = torch.cat(
                [
                    part(X[:, start:stop])
                    for part, start, stop in zip(
                        self.parts, bounds[:-1], bounds[1:], strict=True
                    )
                ],
                dim=1,
            )
        return self.head(self.body(X))


class CNNModule(nn.Module):
    """1-D convolutional network over a row (a spectrum or a waveform).

    Each block is a convolution (``same``-style zero padding), optional batch
    norm, the activation and max pooling; pooling shrinks to the length left, so
    short rows pass through. Fully connected layers follow.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        *,
        channels,
        kernel_size,
        pool_size,
        hidden_layer_sizes,
        activation,
        dropout,
        batch_norm,
    ):
        super().__init__()
        blocks = []
        n_in, length = 1, n_features
        for n_out in channels:
            padding = kernel_size // 2
            blocks.append(nn.Conv1d(n_in, n_out, kernel_size, padding=padding))
            length = length + 2 * padding - kernel_size + 1
            if batch_norm:
                blocks.append(nn.BatchNorm1d(n_out))
            blocks.append(_ACTIVATIONS[activation]())
            pool = min(pool_size, length)
            if pool > 1:
                blocks.append(nn.MaxPool1d(pool))
                length //= pool
            n_in = n_out
        self.features = nn.Sequential(*blocks)
        stack = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        self.body, self.head = _dense_head(
            n_in * length, n_classes, hidden_layer_sizes, **stack
        )

    def forward(self, X):
        maps = self.features(X.unsqueeze(1))
        return self.head(self.body(maps.flatten(1)))


class _LSTMStack(nn.Module):
    """LSTM layers of possibly different widths; returns the last hidden state.

    The output concatenates the final hidden state of each direction of the
    last layer: ``hidden_sizes[-1]`` values, twice that when bidirectional.
    """

    def __init__(self, n_in, hidden_sizes, *, bidirectional, dropout):
        super().__init__()
        directions = 2 if bidirectional else 1
        layers = []
        for size in hidden_sizes:
            layers.append(
                nn.LSTM(n_in, size, batch_first=True, bidirectional=bidirectional)
            )
            n_in = size * directions
        self.layers = nn.ModuleList(layers)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.n_out = n_in

    def forward(self, frames):
        out = frames
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out, (hidden, _) = layer(out)
            if i < last:
                out = self.dropout(out)
        return hidden.transpose(0, 1).flatten(1)


class RNNModule(nn.Module):
    """LSTM or Bi-LSTM over frames flattened frame-major, then dense layers."""

    def __init__(
        self,
        n_features,
        n_classes,
        *,
        frame_width,
        recurrent_sizes,
        bidirectional,
        hidden_layer_sizes,
        activation,
        dropout,
        batch_norm,
    ):
        super().__init__()
        self.frame_width = frame_width
        self.recurrent = _LSTMStack(
            frame_width, recurrent_sizes, bidirectional=bidirectional, dropout=dropout
        )
        stack = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        self.body, self.head = _dense_head(
            self.recurrent.n_out, n_classes, hidden_layer_sizes, **stack
        )

    def forward(self, X):
        frames = X.reshape(X.shape[0], -1, self.frame_width)
        return self.head(self.body(self.recurrent(frames)))


def _pool2d(shape, size=2):
    """Max pooling of ``size`` along each axis still long enough, or None."""
    kernel = tuple(min(size, n) for n in shape)
    if kernel == (1, 1):
        return None, shape
    return nn.MaxPool2d(kernel), tuple(
        n // k for n, k in zip(shape, kernel, strict=True)
    )


class _ResidualBlock(nn.Module):
    """``depth`` 3x3 convolutions with batch norm and a skip connection."""

    def __init__(self, n_in, n_out, depth=4):
        super().__init__()
        layers = []
        for i in range(depth):
            layers.append(nn.Conv2d(n_in if i == 0 else n_out, n_out, 3, padding=1))
            layers.append(nn.BatchNorm2d(n_out))
            if i < depth - 1:
                layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)
        self.skip = nn.Identity() if n_in == n_out else nn.Conv2d(n_in, n_out, 1)

    def forward(self, X):
        return F.relu(self.body(X) + self.skip(X))


class _SupervectorImage(nn.Module):
    """Spatial branch on a supervector seen as an ``n_components x width`` image."""

    def __init__(self, shape, embedding_size, *, kind, channels, dropout):
        super().__init__()
        self.shape = shape
        layers = []
        n_in = 1
        if kind == "cnn":
            for n_out in channels:
                layers += [nn.Conv2d(n_in, n_out, 5, padding=2), nn.ReLU()]
                pool, shape = _pool2d(shape)
                if pool is not None:
                    layers.append(pool)
                n_in = n_out
        else:
            for n_out in channels:
                layers.append(_ResidualBlock(n_in, n_out))
                n_in = n_out
            pool, shape = _pool2d(shape)
            if pool is not None:
                layers.append(pool)
        self.features = nn.Sequential(*layers)
        self.embed, _ = _dense_stack(
            n_in * shape[0] * shape[1],
            [embedding_size],
            activation="relu",
            dropout=dropout,
            batch_norm=False,
        )

    def forward(self, supervector):
        image = supervector.reshape(supervector.shape[0], 1, *self.shape)
        return self.embed(self.features(image).flatten(1))


class _AttentionFusion(nn.Module):
    """Weights two representations by a convolution and pooling over their stack.

    The spatial and temporal representations are stacked as two channels; a
    1-D convolution across the representation, global average pooling and a
    softmax over the two channels give one weight per branch and clip, and the
    fused representation is the weighted sum.
    """

    def __init__(self, kernel_size=3):
        super().__init__()
        self.conv = nn.Conv1d(2, 2, kernel_size, padding=kernel_size // 2)

    def forward(self, spatial, temporal):
        stacked = torch.stack([spatial, temporal], dim=1)
        weights = torch.softmax(self.conv(stacked).mean(dim=-1), dim=1)
        return (weights.unsqueeze(-1) * stacked).sum(dim=1)


class PSTNNModule(nn.Module):
    """Parallel spatial and temporal network with fusion and three heads.

    The input row is ``[supervector | frames]``: ``supervector_size`` values
    (``n_components`` means of ``frame_width`` values each), then frames of
    ``frame_width`` values, frame-major. ``forward`` returns the logits of the
    fused back-end, of the temporal head and of the spatial head, in that order.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        *,
        supervector_size,
        frame_width,
        spatial,
        spatial_hidden_sizes,
        spatial_channels,
        embedding_size,
        recurrent_sizes,
        bidirectional,
        fusion,
        backend_hidden_sizes,
        activation,
        dropout,
        batch_norm,
    ):
        super().__init__()
        self.supervector_size = supervector_size
        self.frame_width = frame_width
        stack = dict(activation=activation, dropout=dropout, batch_norm=batch_norm)
        if spatial == "dnn":
            self.spatial, _ = _dense_stack(
                supervector_size, [*spatial_hidden_sizes, embedding_size], **stack
            )
        else:
            if spatial_channels is None:
                spatial_channels = (6, 16, 40) if spatial == "cnn" else (16,) * 4
            self.spatial = _SupervectorImage(
                (supervector_size // frame_width, frame_width),
                embedding_size,
                kind=spatial,
                channels=spatial_channels,
                dropout=dropout,
            )
        recurrent = _LSTMStack(
            frame_width, recurrent_sizes, bidirectional=bidirectional, dropout=dropout
        )
        embed, _ = _dense_stack(recurrent.n_out, [embedding_size], **stack)
        self.temporal = nn.Sequential(recurrent, embed)
        self.spatial_head = nn.Linear(embedding_size, n_classes)
        self.temporal_head = nn.Linear(embedding_size, n_classes)
        self.fusion = _AttentionFusion() if fusion == "attention" else None
        fused_width = embedding_size if fusion == "attention" else 2 * embedding_size
        self.backend, self.head = _dense_head(
            fused_width, n_classes, backend_hidden_sizes, **stack
        )

    def forward(self, X):
        supervector = X[:, : self.supervector_size]
        frames = X[:, self.supervector_size :].reshape(X.shape[0], -1, self.frame_width)
        spatial = self.spatial(supervector)
        temporal = self.temporal(frames)
        if self.fusion is None:
            fused = torch.cat([spatial, temporal], dim=1)
        else:
            fused = self.fusion(spatial, temporal)
        return (
            self.head(self.backend(fused)),
            self.temporal_head(temporal),
            self.spatial_head(spatial),
        )


class DeepShallowLoss(nn.Module):
    """``l1 * L_temporal + l2 * L_spatial + (1 - l1 - l2) * L_fused``.

    Each term is the cross-entropy of one of :class:`PSTNNModule`'s three heads.
    """

    def __init__(self, temporal_weight, spatial_weight):
        super().__init__()
        self.temporal_weight = temporal_weight
        self.spatial_weight = spatial_weight

    def forward(self, logits, target):
        fused, temporal, spatial = logits
        fused_weight = 1.0 - self.temporal_weight - self.spatial_weight
        loss = fused_weight * F.cross_entropy(fused, target)
        if self.temporal_weight:
            loss = loss + self.temporal_weight * F.cross_entropy(temporal, target)
        if self.spatial_weight:
            loss = loss + self.spatial_weight * F.cross_entropy(spatial, target)
        return loss
