import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from micfp.voting import (
    SegmentVotingClassifier,
    clip_votes,
    group_labels,
    vote_by_group,
)
from micfp.voting._segments import cut_segments, segment_starts


def test_soft_vote_is_the_normalized_geometric_mean():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=10)
    groups = np.array([3, 1, 3, 2, 1, 1, 2, 3, 3, 2])
    ids, out = vote_by_group(proba, groups, voting="soft")
    assert ids.tolist() == [1, 2, 3]
    for row, g in zip(out, ids, strict=True):
        geo = np.exp(np.log(proba[groups == g]).mean(axis=0))
        np.testing.assert_allclose(row, geo / geo.sum())


def test_hard_vote_counts_argmax():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.4, 0.1]])
    ids, out = vote_by_group(proba, ["a", "a", "a"], voting="hard")
    assert ids.tolist() == ["a"]
    np.testing.assert_allclose(out, [[2 / 3, 1 / 3, 0.0]])


def test_soft_vote_is_not_vetoed_by_one_zero():
    proba = np.array([[0.0, 1.0], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    _, out = vote_by_group(proba, np.zeros(4), voting="soft")
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_soft_and_hard_can_disagree():
    # one very confident clip outweighs two lukewarm ones in the product rule
    proba = np.array([[0.99, 0.01], [0.4, 0.6], [0.4, 0.6]])
    groups = np.zeros(3)
    assert vote_by_group(proba, groups, voting="soft")[1].argmax() == 0
    assert vote_by_group(proba, groups, voting="hard")[1].argmax() == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"voting": "mean"}, "voting must be one of"),
        ({"groups": np.zeros((3, 1))}, "groups must be 1-D"),
        ({"groups": np.zeros(2)}, "inconsistent numbers of samples"),
    ],
)
def test_vote_bad_input(kwargs, match):
    args = {"proba": np.full((3, 2), 0.5), "groups": np.zeros(3)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        vote_by_group(**args)


# --- SegmentVotingClassifier -------------------------------------------------


def _excerpts(n_per_class=30, width=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.array(["a", "b", "c"]), n_per_class)
    centre = {"a": -1.0, "b": 0.0, "c": 1.0}
    X = rng.normal(size=(len(y), width)) + np.array([centre[c] for c in y])[:, None]
    return X, y


def test_segment_starts_span_the_row():
    assert segment_starts(100, 10, 1).tolist() == [0]
    starts = segment_starts(100, 10, 5)
    assert starts[0] == 0 and starts[-1] == 90
    assert np.all(np.diff(starts) >= 10)


def test_cut_segments_matches_slices():
    X = np.arange(40.0).reshape(2, 20)
    seg = cut_segments(X, 5, 3)
    starts = segment_starts(20, 5, 3)
    expected = np.stack([X[r, s : s + 5] for r in range(2) for s in starts])
    np.testing.assert_array_equal(seg, expected)


def test_fit_on_segments_trains_on_segments():
    X, y = _excerpts(width=60)
    clf = SegmentVotingClassifier(LogisticRegression(), fit_on="segments", n_segments=4)
    clf.fit(X, y)
    assert clf.segment_length_ == 15
    assert clf.estimator_.n_features_in_ == 15
    assert clf.n_features_in_ == 60
    assert clf.classes_.tolist() == ["a", "b", "c"]


def test_soft_vote_equals_mean_log_proba_of_segments():
    X, y = _excerpts(width=40)
    clf = SegmentVotingClassifier(LogisticRegression(), fit_on="segments", n_segments=4)
    clf.fit(X, y)
    seg_proba = clf.estimator_.predict_proba(cut_segments(X, 10, 4))
    # the documented floor of 1e-12 before the logarithm
    log_proba = np.log(np.clip(seg_proba, 1e-12, None))
    mean_log = log_proba.reshape(len(X), 4, -1).mean(axis=1)
    expected = np.exp(mean_log) / np.exp(mean_log).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-10)


def test_hard_vote_counts_segment_labels():
    X, y = _excerpts(width=30)
    clf = SegmentVotingClassifier(
        LogisticRegression(), fit_on="segments", n_segments=3, voting="hard"
    )
    clf.fit(X, y)
    labels = clf.estimator_.predict(cut_segments(X, 10, 3)).reshape(len(X), 3)
    counts = (labels[:, :, None] == clf.classes_).sum(axis=1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[counts.argmax(axis=1)])
    # as in scikit-learn's VotingClassifier, hard votes are not probabilities
    assert not hasattr(clf, "predict_proba")


def test_more_voters_help_on_noisy_segments():
    X, y = _excerpts(width=200, seed=1)
    X_test, y_test = _excerpts(width=200, seed=2)
    single = SegmentVotingClassifier(
        LogisticRegression(), fit_on="segments", n_segments=1, segment_length=10
    ).fit(X, y)
    voted = SegmentVotingClassifier(
        LogisticRegression(), fit_on="segments", n_segments=10, segment_length=10
    ).fit(X, y)
    assert voted.score(X_test, y_test) > single.score(X_test, y_test)


def test_groups_give_one_decision_per_recording():
    X, y = _excerpts(width=10)
    clf = SegmentVotingClassifier(LogisticRegression(), fit_on="rows").fit(X, y)
    groups = np.repeat(np.arange(9), 10)
    pred = clf.predict(X, groups=groups)
    proba = clf.predict_proba(X, groups=groups)
    for g in range(9):
        assert len(set(pred[groups == g])) == 1
        _, expected = vote_by_group(
            clf.estimator_.predict_proba(X[groups == g]), np.zeros(10)
        )
        np.testing.assert_allclose(proba[groups == g][0], expected[0])
    # each group holds one class here, so the vote recovers every recording
    np.testing.assert_array_equal(pred, y)


def test_hard_voting_with_estimator_without_predict_proba():
    from sklearn.svm import LinearSVC

    X, y = _excerpts(width=20)
    clf = SegmentVotingClassifier(
        LinearSVC(), voting="hard", fit_on="segments", n_segments=2
    )
    assert clf.fit(X, y).predict(X).shape == (len(X),)
    assert not hasattr(clf, "predict_proba")


def test_grid_search_over_voters():
    X, y = _excerpts(width=40)
    search = GridSearchCV(
        SegmentVotingClassifier(LogisticRegression(), fit_on="segments"),
        {"n_segments": [1, 4]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_["n_segments"] in (1, 4)


@pytest.mark.parametrize(
    "params, fit_X, predict_kwargs, match",
    [
        ({"fit_on": "rows", "segment_length": 3}, None, {}, "must be None or equal"),
        ({"fit_on": "segments", "segment_length": 100}, None, {}, "longer than"),
        ({"voting": "best"}, None, {}, "'voting' parameter"),
        ({"n_segments": 0}, None, {}, "'n_segments' parameter"),
        ({}, None, {"groups": [0, 1]}, "groups must have one entry per row"),
    ],
)
def test_classifier_bad_input(params, fit_X, predict_kwargs, match):
    X, y = _excerpts(width=20)
    clf = SegmentVotingClassifier(LogisticRegression(), **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y).predict(X, **predict_kwargs)


def test_wrong_width_at_predict_is_rejected():
    X, y = _excerpts(width=20)
    clf = SegmentVotingClassifier(DummyClassifier()).fit(X, y)
    with pytest.raises(ValueError, match="X has 30 features"):
        clf.predict(np.zeros((2, 30)))


def test_rows_mode_uses_one_segment_per_row():
    X, y = _excerpts(width=20)
    clf = SegmentVotingClassifier(LogisticRegression(), n_segments=5).fit(X, y)
    assert clf.n_segments_ == 1
    np.testing.assert_allclose(
        clf.predict_proba(X), clf.estimator_.predict_proba(X), rtol=1e-12
    )


@parametrize_with_checks(
    [SegmentVotingClassifier(LogisticRegression(), fit_on="segments")],
    expected_failed_checks=lambda est: {
        "check_classifiers_train": (
            "the check's 0.83 accuracy threshold assumes tabular features; "
            "cutting rows of 2 features into 3 one-sample segments makes every "
            "voter see a different feature. The default fit_on='rows' passes it."
        )
    },
    xfail_strict=True,
)
def test_segments_mode_checks(estimator, check):
    check(clone(estimator))


def test_clip_votes_soft_are_probabilities_and_hard_one_hot_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 30)]
    clf = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(clip_votes(clf, X), clf.predict_proba(X))
    hard = clip_votes(clf, X, voting="hard")
    assert hard.shape == (30, 3)
    np.testing.assert_array_equal(hard.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[hard.argmax(axis=1)], clf.predict(X))


def test_clip_votes_rejects_unknown_voting():
    clf = DummyClassifier().fit([[0], [1]], [0, 1])
    with pytest.raises(ValueError, match=r"voting must be one of \['hard', 'soft'\]"):
        clip_votes(clf, [[0]], voting="mean")


def test_group_labels_follow_the_order_of_vote_by_group():
    y = ["b", "a", "b", "c"]
    groups = [9, 2, 9, 5]
    ids, _ = vote_by_group(np.full((4, 2), 0.5), groups)
    assert ids.tolist() == [2, 5, 9]
    assert group_labels(y, groups).tolist() == ["a", "c", "b"]


@pytest.mark.parametrize(
    "y, groups, message",
    [
        (["a", "b"], [1, 1], "group 1 holds more than one"),
        (["a", "a", "a"], [1, 1], "inconsistent numbers of samples"),
        ([["a"], ["a"]], [1, 1], "must be 1-D"),
    ],
)
def test_group_labels_rejects_bad_input(y, groups, message):
    with pytest.raises(ValueError, match=message):
        group_labels(y, groups)
