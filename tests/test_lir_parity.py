"""Parity with lir 1.3.1, the reference implementation of LR calibration and metrics.

lir is an oracle for these tests only: same seeded scores, same settings,
results equal within 1e-9.
"""

import numpy as np
import pytest

pytest.importorskip(
    "lir",
    reason="lir, the reference implementation, is not installed (lir==1.3.1)",
)
from lir.algorithms.bayeserror import elub as lir_elub
from lir.algorithms.isotonic_regression import IsotonicCalibrator
from lir.algorithms.kde import KDECalibrator
from lir.algorithms.logistic_regression import LogitCalibrator
from lir.data.models import LLRData
from lir.metrics import cllr as lir_cllr
from lir.metrics import cllr_cal as lir_cllr_cal
from lir.metrics import cllr_min as lir_cllr_min
from lir.metrics.devpav import devpav as lir_devpav

from micfp.calibration import (
    IsotonicLRCalibrator,
    KDELRCalibrator,
    LogisticLRCalibrator,
    elub_bounds,
)
from micfp.metrics import cllr, cllr_cal, cllr_min, devpav

TOLERANCE = 1e-9
SEEDS = range(5)


def _scores(seed):
    """Seeded, imbalanced, overlapping scores with a random scale and shift."""
    rng = np.random.default_rng(seed)
    y = (rng.random(500) < 0.3).astype(int)
    scores = rng.normal(2.0 * y, 1.0) * rng.uniform(0.3, 3.0) + rng.normal()
    test = np.r_[rng.normal(1.0, 3.0, 300), scores]
    return scores, y, test


@pytest.mark.parametrize("seed", SEEDS)
def test_metrics_match_lir(seed):
    llr, y, _ = _scores(seed)
    data = LLRData(features=llr, labels=y)
    assert cllr(y, llr) == pytest.approx(lir_cllr(data), abs=TOLERANCE)
    assert cllr_min(y, llr) == pytest.approx(lir_cllr_min(data), abs=TOLERANCE)
    assert cllr_cal(y, llr) == pytest.approx(lir_cllr_cal(data), abs=TOLERANCE)
    assert devpav(y, llr) == pytest.approx(lir_devpav(llr, y), abs=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_elub_bounds_match_lir(seed):
    scores, y, _ = _scores(seed)
    llr = LogisticLRCalibrator().fit(scores[:, None], y).transform(scores[:, None])
    # lir clips its argument in place: give it a copy.
    expected = lir_elub(llr[:, 0].copy(), y, add_misleading=1)
    np.testing.assert_allclose(elub_bounds(y, llr[:, 0]), expected, atol=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("C", [np.inf, 0.01])
def test_logistic_matches_lir(seed, C):
    # Both solved to convergence by Newton's method: lir passes its keywords to
    # scikit-learn, whose default lbfgs stops about 1e-3 short of the optimum.
    scores, y, test = _scores(seed)
    lir_calibrator = LogitCalibrator(C=C, solver="newton-cholesky", tol=1e-12)
    expected = lir_calibrator.fit(scores, y).transform(test)
    ours = LogisticLRCalibrator(C=C).fit(scores[:, None], y).transform(test[:, None])
    np.testing.assert_allclose(ours[:, 0], expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("add_misleading", [0, 1, 3])
def test_isotonic_matches_lir(seed, add_misleading):
    scores, y, test = _scores(seed)
    lir_calibrator = IsotonicCalibrator(add_misleading=add_misleading)
    expected = lir_calibrator.fit(scores, y).transform(test)
    ours = IsotonicLRCalibrator(add_misleading=add_misleading)
    ours = ours.fit(scores[:, None], y).transform(test[:, None])[:, 0]
    np.testing.assert_array_equal(np.isposinf(ours), np.isposinf(expected))
    np.testing.assert_array_equal(np.isneginf(ours), np.isneginf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bandwidth", ["silverman", 0.4, (0.3, 0.7)])
def test_kde_matches_lir(seed, bandwidth):
    scores, y, test = _scores(seed)
    expected = KDECalibrator(bandwidth).fit(scores, y).transform(test)
    ours = KDELRCalibrator(bandwidth=bandwidth)
    ours = ours.fit(scores[:, None], y).transform(test[:, None])[:, 0]
    np.testing.assert_allclose(ours, expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("seed", SEEDS)
def test_tied_scores_match_lir(seed):
    # Rounded scores: many trials of both propositions share a score.
    scores, y, test = _scores(seed)
    scores, test = np.round(scores, 1), np.round(test, 1)
    data = LLRData(features=scores, labels=y)
    assert cllr_min(y, scores) == pytest.approx(lir_cllr_min(data), abs=TOLERANCE)
    expected = IsotonicCalibrator(add_misleading=1).fit(scores, y).transform(test)
    ours = IsotonicLRCalibrator(add_misleading=1).fit(scores[:, None], y)
    np.testing.assert_allclose(
        ours.transform(test[:, None])[:, 0], expected, rtol=0, atol=TOLERANCE
    )
