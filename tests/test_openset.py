"""Open-set identification with OpenSetClassifier, and the OSCR metric."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from micfp.exceptions import ScoreValueError
from micfp.metrics import oscr
from micfp.openset import OpenSetClassifier
from micfp.verification import PLDAScorer


def _data(seed=0, n_devices=6, n_recordings=6, rows=5, n_features=8):
    rng = np.random.default_rng(seed)
    centres = 4 * rng.standard_normal((n_devices, n_features))
    y = np.repeat(np.arange(n_devices), n_recordings * rows)
    groups = np.repeat(np.arange(n_devices * n_recordings), rows)
    offsets = 0.5 * rng.standard_normal((n_devices * n_recordings, n_features))
    X = centres[y] + offsets[groups] + rng.standard_normal((len(y), n_features))
    return X, y, groups


def _pipeline():
    return make_pipeline(StandardScaler(), LogisticRegression())


def test_closed_set_by_default():
    X, y, _ = _data()
    clf = OpenSetClassifier(_pipeline()).fit(X, y)
    plain = _pipeline().fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), plain.predict(X))
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X))
    assert clf.threshold_ is None
    assert not hasattr(clf, "decision_function")


@pytest.mark.parametrize("method", ["msp", "prototype", "backend"])
def test_auto_threshold_rejects_about_target_frr_of_new_known_recordings(method):
    X, y, groups = _data(n_devices=8, n_recordings=8)
    known = y < 6
    train = known & (groups % 8 < 6)
    new_known = known & (groups % 8 >= 6)
    clf = OpenSetClassifier(
        _pipeline(),
        method=method,
        threshold="auto",
        target_frr=0.1,
        scorer=PLDAScorer(n_components=4),
    ).fit(X[train], y[train], groups=groups[train])
    frr = np.mean(clf.predict(X[new_known]) == -1)
    assert frr <= 0.35
    decision = clf.decision_function(X[new_known])
    np.testing.assert_allclose(
        decision, clf.score_samples(X[new_known]) - clf.threshold_
    )
    np.testing.assert_array_equal(clf.predict(X[new_known]) == -1, decision < 0)
    if method != "msp":
        assert np.mean(clf.predict(X[~known]) == -1) >= 0.8


def test_threshold_is_the_quantile_of_held_out_known_recordings():
    X, y, groups = _data()
    clf = OpenSetClassifier(
        _pipeline(), method="prototype", threshold="auto", target_frr=0.2, cv=3
    ).fit(X, y, groups=groups)
    held_out = []
    for train, test in StratifiedGroupKFold(n_splits=3).split(X, y, groups):
        fold = OpenSetClassifier(_pipeline(), method="prototype").fit(
            X[train], y[train]
        )
        held_out.append(fold.score_samples(X[test]))
    assert clf.threshold_ == pytest.approx(np.quantile(np.concatenate(held_out), 0.2))


def test_fixed_threshold_and_string_labels():
    X, y, _ = _data()
    labels = np.array(["phone", "tablet", "recorder", "laptop", "camera", "radio"])[y]
    clf = OpenSetClassifier(_pipeline(), method="msp", threshold=0.9).fit(X, labels)
    assert clf.threshold_ == 0.9
    far = X[:3] + 100 * np.ones(X.shape[1]) * np.array([1, -1] * 4)
    pred = clf.predict(np.vstack([X[:3], far]))
    assert pred.dtype == object
    msp = clf.predict_proba(np.vstack([X[:3], far])).max(axis=1)
    assert [p == -1 for p in pred] == (msp < 0.9).tolist()
    clf = OpenSetClassifier(
        _pipeline(), threshold=0.0, unknown_label="unknown", method="prototype"
    ).fit(X, labels)
    assert clf.predict(X[:2]).dtype.kind == "U"


def test_frozen_scorer_is_used_as_fitted():
    X, y, _ = _data(n_devices=10)
    background = y >= 6
    scorer = PLDAScorer(n_components=3).fit(X[background], y[background])
    components = scorer.components_.copy()
    clf = OpenSetClassifier(
        LogisticRegression(), method="backend", scorer=FrozenEstimator(scorer)
    ).fit(X[~background], y[~background])
    np.testing.assert_array_equal(scorer.components_, components)
    expected = scorer.score_matrix(
        X[~background], X[:4], enrol_groups=y[~background]
    ).max(axis=0)
    np.testing.assert_allclose(clf.score_samples(X[:4]), expected)


@pytest.mark.parametrize(
    "fit_kwargs, params, error, match",
    [
        ({}, {"threshold": "auto"}, ScoreValueError, "groups is required"),
        (
            {"groups": [0, 1]},
            {"threshold": "auto"},
            ScoreValueError,
            "groups must have one entry per row",
        ),
        (
            {"groups": "per device"},
            {"threshold": "auto"},
            ScoreValueError,
            "at least two recordings",
        ),
        ({}, {"threshold": 0.5, "unknown_label": 0}, ValueError, "unknown_label=0"),
        ({}, {"threshold": "high"}, ValueError, "threshold"),
        ({}, {"target_frr": 1.0}, ValueError, "target_frr"),
    ],
)
def test_fit_errors(fit_kwargs, params, error, match):
    X, y, _ = _data()
    if fit_kwargs.get("groups") == "per device":
        fit_kwargs = {"groups": y}
    with pytest.raises(error, match=match):
        OpenSetClassifier(_pipeline(), **params).fit(X, y, **fit_kwargs)


def test_msp_needs_predict_proba():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="method='msp' needs an estimator"):
        OpenSetClassifier(LinearSVC(), method="msp").fit(X, y)


def test_oscr_examples():
    y_true = np.array([0, 1, 2, -1, -1])
    y_pred = np.array([0, 1, 2, 0, 1])
    assert oscr(y_true, y_pred, [5, 4, 3, 2, 1]) == pytest.approx(1.0)
    assert oscr(y_true, y_pred, [1, 2, 3, 4, 5]) == pytest.approx(0.0)
    # A wrong prediction caps the rate at the closed-set accuracy.
    assert oscr(y_true, [0, 1, 0, 0, 1], [5, 4, 3, 2, 1]) == pytest.approx(2 / 3)
    # Ties move together: one step from (0, 0) to (1, 1).
    assert oscr(y_true, y_pred, [1, 1, 1, 1, 1]) == pytest.approx(0.5)


def test_oscr_of_uninformative_scores_is_half_the_accuracy():
    rng = np.random.default_rng(0)
    y_true = np.r_[rng.integers(0, 3, 5000), -np.ones(5000, dtype=int)]
    y_pred = np.where(rng.random(10000) < 0.8, y_true, (y_true + 1) % 3)
    assert oscr(y_true, y_pred, rng.random(10000)) == pytest.approx(0.4, abs=0.02)


@pytest.mark.parametrize(
    "args, match",
    [
        (([0, 1], [0, 1], [0.1, 0.2]), "y_true must hold two classes"),
        (([0, -1], [0], [0.1, 0.2]), "y_pred must have the shape"),
        (([0, -1], [0, 0], [0.1, np.nan]), "y_score contains NaN"),
    ],
)
def test_oscr_errors(args, match):
    with pytest.raises(ScoreValueError, match=match):
        oscr(*args)
