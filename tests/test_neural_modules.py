"""The PyTorch modules behind micfp's neural classifiers."""

import numpy as np
import pytest
import torch
from torch import nn

from micfp.neural import CNNClassifier, MLPClassifier, PSTNNClassifier, RNNClassifier
from micfp.neural._base import _Batches
from micfp.neural._modules import DeepShallowLoss, _AttentionFusion


def _linears(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def _module(estimator, n_features, n_classes):
    """The module ``estimator`` builds, with its parameters, for this data."""
    return estimator._build_module(n_features, n_classes)


@pytest.mark.parametrize(
    "estimator, n_features",
    [
        (MLPClassifier([6, 4], n_parts=2), 8),
        (CNNClassifier([2, 3], hidden_layer_sizes=[5]), 16),
        (RNNClassifier(3, recurrent_sizes=[4]), 12),
        (PSTNNClassifier(6, frame_width=3, spatial_hidden_sizes=[5]), 18),
    ],
    ids=lambda value: type(value).__name__,
)
def test_module_takes_its_architecture_from_the_estimator(estimator, n_features):
    module = _module(estimator, n_features, 2)
    arguments = estimator._architecture(type(module))
    params = estimator.get_params()
    assert arguments, "the module takes no architecture parameter"
    for name, value in arguments.items():
        given = params[name]
        expected = tuple(given) if isinstance(given, list) else given
        assert value == expected, name
        assert not isinstance(value, list), name


def test_no_hidden_layer_is_softmax_regression():
    module = _module(MLPClassifier(hidden_layer_sizes=()), 7, 3)
    (linear,) = _linears(module)
    assert (linear.in_features, linear.out_features) == (7, 3)


def test_model_averaging_splits_input_and_first_layer_width():
    module = _module(MLPClassifier((6, 4), n_parts=3), 10, 2).double()
    assert module.part_bounds == [0, 4, 7, 10]
    firsts = [_linears(part)[0] for part in module.parts]
    assert [(f.in_features, f.out_features) for f in firsts] == [
        (4, 2),
        (3, 2),
        (3, 2),
    ]
    assert _linears(module.body)[0].in_features == 6
    # Each part sees only its own columns: changing part 2's columns leaves
    # the outputs of parts 1 and 3 unchanged.
    X = torch.randn(5, 10, dtype=torch.float64)
    X_changed = X.clone()
    X_changed[:, 4:7] += 1.0
    with torch.no_grad():
        for i, (start, stop) in enumerate([(0, 4), (4, 7), (7, 10)]):
            a = module.parts[i](X[:, start:stop])
            b = module.parts[i](X_changed[:, start:stop])
            assert torch.equal(a, b) == (i != 1)


def test_model_averaging_can_keep_several_layers_private():
    estimator = MLPClassifier((4, 4, 3), n_parts=2, part_depth=2)
    module = _module(estimator, 8, 2)
    assert [len(_linears(part)) for part in module.parts] == [2, 2]
    assert _linears(module.body)[0].in_features == 4
    assert module(torch.randn(3, 8)).shape == (3, 2)


@pytest.mark.parametrize("n_features", [1, 2, 5, 64, 4096])
def test_cnn_handles_short_and_long_rows(n_features):
    estimator = CNNClassifier((2, 3), kernel_size=9, pool_size=4)
    module = _module(estimator, n_features, 4)
    module.eval()
    assert module(torch.randn(2, n_features)).shape == (2, 4)


def test_cnn_pooling_shrinks_a_long_row():
    estimator = CNNClassifier((2, 2, 2), kernel_size=9, pool_size=4)
    module = _module(estimator, 4096, 2)
    # 4096 / 4**3 positions of 2 channels reach the first dense layer.
    assert _linears(module.body)[0].in_features == 2 * 4096 // 4**3


@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_reads_rows_frame_major(bidirectional):
    torch.manual_seed(0)
    estimator = RNNClassifier(3, recurrent_sizes=(4, 5), bidirectional=bidirectional)
    module = _module(estimator, 12, 2)
    frames = torch.randn(2, 4, 3)
    with torch.no_grad():
        state = module.recurrent(frames)
        expected = module.head(module.body(state))
        got = module(frames.reshape(2, 12))
    assert state.shape == (2, 5 * (2 if bidirectional else 1))
    torch.testing.assert_close(got, expected)


def test_rnn_output_depends_on_frame_order():
    torch.manual_seed(0)
    module = _module(RNNClassifier(3, recurrent_sizes=(4,)), 12, 2).double()
    frames = torch.randn(1, 4, 3, dtype=torch.float64)
    reversed_frames = frames.flip(1)
    with torch.no_grad():
        a = module(frames.reshape(1, -1))
        b = module(reversed_frames.reshape(1, -1))
    assert not torch.allclose(a, b)


def test_attention_fusion_is_a_convex_combination():
    torch.manual_seed(0)
    fusion = _AttentionFusion()
    spatial, temporal = torch.randn(4, 6), torch.randn(4, 6)
    fused = fusion(spatial, temporal)
    stacked = torch.stack([spatial, temporal], dim=1)
    weights = torch.softmax(fusion.conv(stacked).mean(dim=-1), dim=1)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(4))
    torch.testing.assert_close(
        fused, weights[:, :1] * spatial + weights[:, 1:] * temporal
    )


@pytest.mark.parametrize("spatial", ["dnn", "cnn", "resnet"])
@pytest.mark.parametrize("fusion", ["attention", "concat"])
def test_pstnn_returns_fused_temporal_and_spatial_logits(spatial, fusion):
    estimator = PSTNNClassifier(
        6,
        frame_width=3,
        spatial=spatial,
        spatial_hidden_sizes=(5,),
        spatial_channels=(2, 3),
        embedding_size=7,
        recurrent_sizes=(4,),
        fusion=fusion,
        backend_hidden_sizes=(6, 5),
        dropout=0.0,
    )
    module = _module(estimator, 6 + 5 * 3, 4)
    module.eval()
    outputs = module(torch.randn(3, 21))
    assert [tuple(o.shape) for o in outputs] == [(3, 4)] * 3


def test_pstnn_branches_read_their_own_columns():
    torch.manual_seed(0)
    estimator = PSTNNClassifier(
        6,
        frame_width=3,
        spatial_hidden_sizes=(),
        embedding_size=5,
        recurrent_sizes=(4,),
        backend_hidden_sizes=(),
        dropout=0.0,
    )
    module = _module(estimator, 6 + 4 * 3, 2).double()
    module.eval()
    X = torch.randn(2, 18, dtype=torch.float64)
    X_frames_changed = X.clone()
    X_frames_changed[:, 6:] += 1.0
    with torch.no_grad():
        _, temporal_a, spatial_a = module(X)
        _, temporal_b, spatial_b = module(X_frames_changed)
    assert torch.equal(spatial_a, spatial_b)
    assert not torch.allclose(temporal_a, temporal_b)


@pytest.mark.parametrize("l1, l2", [(0.25, 0.5), (0.25, 0.25), (0.0, 0.0), (1.0, 0.0)])
def test_deep_and_shallow_loss_weights_the_three_heads(l1, l2):
    torch.manual_seed(0)
    fused, temporal, spatial = (torch.randn(5, 3) for _ in range(3))
    target = torch.tensor([0, 1, 2, 1, 0])
    ce = nn.functional.cross_entropy
    expected = (
        l1 * ce(temporal, target)
        + l2 * ce(spatial, target)
        + (1 - l1 - l2) * ce(fused, target)
    )
    loss = DeepShallowLoss(l1, l2)((fused, temporal, spatial), target)
    torch.testing.assert_close(loss, expected)


class _Data:
    def __init__(self, n):
        self.X = torch.arange(n)
        self.y = torch.arange(n) * 10


@pytest.mark.parametrize(
    "n, batch_size, sizes",
    [
        (10, 4, [4, 4, 2]),
        (9, 4, [4, 5]),  # a trailing batch of one row joins the previous one
        (1, 4, [1]),
        (3, 8, [3]),
    ],
)
def test_batches_cover_every_row_once(n, batch_size, sizes):
    batches = _Batches(_Data(n), batch_size=batch_size, shuffle=True)
    torch.manual_seed(0)
    seen = [(X, y) for X, y in batches]
    assert len(batches) == len(sizes)
    assert [len(X) for X, _ in seen] == sizes
    rows = torch.cat([X for X, _ in seen])
    assert sorted(rows.tolist()) == list(range(n))
    assert all(torch.equal(y, X * 10) for X, y in seen)


def test_batches_follow_a_subset_of_rows():
    subset = torch.utils.data.Subset(_Data(10), np.array([7, 2, 5]))
    ((X, y),) = list(_Batches(subset, batch_size=8))
    assert X.tolist() == [7, 2, 5]
    assert y.tolist() == [70, 20, 50]
