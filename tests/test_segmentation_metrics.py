import itertools

import numpy as np
import pytest

from micfp.metrics import boundary_hausdorff, boundary_precision_recall_fscore

pyannote_core = pytest.importorskip("pyannote.core")
segmentation = pytest.importorskip("pyannote.metrics.segmentation")
ruptures_metrics = pytest.importorskip("ruptures.metrics")


def _timeline(boundaries, duration):
    edges = [0.0, *boundaries, duration]
    return pyannote_core.Timeline(
        [pyannote_core.Segment(a, b) for a, b in itertools.pairwise(edges)]
    )


def _random_case(rng, duration=100.0):
    true = np.sort(
        rng.choice(np.arange(1, duration - 1, 0.25), rng.integers(0, 6), False)
    )
    pred = np.sort(
        rng.choice(np.arange(1, duration - 1, 0.25) + 0.07, rng.integers(0, 6), False)
    )
    return true, pred


@pytest.mark.parametrize("tolerance", [0.5, 1.0, 3.0, 20.0])
def test_matches_pyannote_pooled_over_recordings(tolerance):
    rng = np.random.default_rng(0)
    precision = segmentation.SegmentationPrecision(tolerance=tolerance)
    recall = segmentation.SegmentationRecall(tolerance=tolerance)
    trues, preds = [], []
    for _ in range(30):
        true, pred = _random_case(rng)
        trues.append(true)
        preds.append(pred)
        precision(_timeline(true, 100.0), _timeline(pred, 100.0))
        recall(_timeline(true, 100.0), _timeline(pred, 100.0))
    p, r, f = boundary_precision_recall_fscore(trues, preds, tolerance=tolerance)
    assert p == pytest.approx(abs(precision))
    assert r == pytest.approx(abs(recall))
    assert f == pytest.approx(2 * p * r / (p + r))


def test_matches_ruptures_where_no_two_boundaries_compete():
    rng = np.random.default_rng(1)
    sr_hop = 100  # ruptures counts samples; 100 a second here
    for _ in range(30):
        true = np.sort(rng.choice(np.arange(5, 95, 10.0), rng.integers(1, 6), False))
        pred = np.sort(true[rng.random(true.size) < 0.7] + rng.uniform(-2, 2, 0).sum())
        pred = np.concatenate([pred + rng.uniform(-1.5, 1.5, pred.size), [2.0]])
        pred = np.sort(pred)
        n = 100 * sr_hop
        bk_true = [*np.round(true * sr_hop).astype(int).tolist(), n]
        bk_pred = [*np.round(pred * sr_hop).astype(int).tolist(), n]
        p_ref, r_ref = ruptures_metrics.precision_recall(bk_true, bk_pred, margin=100)
        # ruptures' margin is strict: |d| < margin samples.
        p, r, _ = boundary_precision_recall_fscore(
            np.array(bk_true[:-1]) / sr_hop,
            np.array(bk_pred[:-1]) / sr_hop,
            tolerance=1.0 - 0.5 / sr_hop,
        )
        assert (p, r) == pytest.approx((p_ref, r_ref))


def test_hausdorff_matches_ruptures_in_seconds():
    rng = np.random.default_rng(2)
    for _ in range(20):
        true = np.sort(rng.uniform(1, 99, rng.integers(1, 5)))
        pred = np.sort(rng.uniform(1, 99, rng.integers(1, 5)))
        ref = ruptures_metrics.hausdorff(
            [*np.round(true * 1000).astype(int).tolist(), 100_000],
            [*np.round(pred * 1000).astype(int).tolist(), 100_000],
        )
        got = boundary_hausdorff(
            np.round(true * 1000) / 1000, np.round(pred * 1000) / 1000
        )
        assert got == pytest.approx(ref / 1000)


def test_empty_cases_are_documented_values():
    assert boundary_precision_recall_fscore([], []) == (1.0, 1.0, 1.0)
    assert boundary_precision_recall_fscore([], [3.0]) == (0.0, 1.0, 0.0)
    assert boundary_precision_recall_fscore([3.0], []) == (1.0, 0.0, 0.0)
    assert boundary_hausdorff([], []) == 0.0
    assert boundary_hausdorff([1.0], []) == np.inf


def test_each_true_boundary_matches_one_detection():
    assert boundary_precision_recall_fscore([10.0], [9.8, 10.1]) == (0.5, 1.0, 2 / 3)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (([1.0], [1.0]), {"tolerance": -1.0}, ValueError, "The 'tolerance' parameter"),
        (([[1.0]], [[1.0], [2.0]]), {}, ValueError, "the same number of recordings"),
        (([np.nan], [1.0]), {}, ValueError, "finite times in seconds"),
        (([[[1.0]]], [[[1.0]]]), {}, ValueError, "1-D arrays of finite times"),
        ((3.0, [1.0]), {}, ValueError, "The 'true_times' parameter"),
    ],
)
def test_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        boundary_precision_recall_fscore(*args, **kwargs)
