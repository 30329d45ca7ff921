import numpy as np
import pytest
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from micfp.io import Recordings
from micfp.model_selection import (
    accuracy_vs_duration,
    cross_validate_recordings,
    make_recording_scorer,
    split_recordings,
)
from micfp.voting import vote_by_group


def _recordings(n_devices=3, n_takes=3, n_samples=4000, sr=8000, noise=1.0, seed=0):
    rng = np.random.default_rng(seed)
    signals, devices, ids = [], [], []
    for d in range(n_devices):
        for t in range(1, n_takes + 1):
            signals.append(0.1 * (d - 1) + noise * rng.standard_normal(n_samples))
            devices.append(f"dev{d}")
            ids.append(t)
    return Recordings(signals, sr, devices, ids)


def _row_mean(X):
    return X.mean(axis=1, keepdims=True)


def _dc_classifier():
    """Devices of ``_recordings`` differ by DC offset: classify the clip mean."""
    return make_pipeline(
        FunctionTransformer(_row_mean), StandardScaler(), LogisticRegression()
    )


def _clips(n_groups=6, per_group=10, seed=0, shift=1.0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_groups) % 2, per_group)
    X = rng.normal(size=(len(y), 3)) + shift * y[:, None]
    groups = np.repeat(np.arange(n_groups), per_group)
    return X, y, groups


# --- split_recordings ---------------------------------------------------------


def test_split_by_take_number():
    rec = _recordings()
    train, test = split_recordings(rec, test_ids=3)
    assert sorted(set(train.recording_ids.tolist())) == [1, 2]
    assert set(test.recording_ids.tolist()) == {3}
    assert len(train) == 6 and len(test) == 3
    assert train.signals[0] is rec.signals[0]


def test_split_warns_when_a_device_is_missing_on_one_side():
    rec = _recordings().subset(np.arange(8))  # dev2 lacks take 3
    with pytest.warns(UserWarning, match=r"\['dev2'\] have no recording in the test"):
        split_recordings(rec, test_ids=[3])


@pytest.mark.parametrize(
    "test_ids, match",
    [([7], "No recording has an id in test_ids"), ([1, 2, 3], "none is left")],
)
def test_split_errors(test_ids, match):
    with pytest.raises(ValueError, match=match):
        split_recordings(_recordings(), test_ids=test_ids)


# --- make_recording_scorer ------------------------------------------------------


@pytest.fixture
def metadata_routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_scorer_without_metadata_routing_raises():
    X, y, groups = _clips()
    with pytest.raises(RuntimeError, match=r"set_config\(enable_metadata_routing"):
        make_recording_scorer()
    # what it prevents: a grid search that reports nan after warnings
    with pytest.raises(RuntimeError, match="cross_validate_recordings"):
        GridSearchCV(
            LogisticRegression(), {"C": [1.0]}, scoring=make_recording_scorer()
        ).fit(X, y, groups=groups)


@pytest.mark.usefixtures("metadata_routing")
def test_scorer_votes_then_scores():
    X, y, groups = _clips(shift=0.5)
    clf = LogisticRegression().fit(X, y)
    _, proba = vote_by_group(clf.predict_proba(X), groups)
    expected = accuracy_score(y[::10], clf.classes_[proba.argmax(axis=1)])
    assert make_recording_scorer()(clf, X, y, groups=groups) == expected


@pytest.mark.usefixtures("metadata_routing")
def test_scorer_hard_voting_and_metric_kwargs():
    X, y, groups = _clips(shift=0.3, seed=3)
    clf = LogisticRegression().fit(X, y)
    pred = clf.predict(X)
    votes = np.array([np.bincount(pred[groups == g], minlength=2) for g in range(6)])
    expected = f1_score(y[::10], votes.argmax(axis=1), average="macro")
    scorer = make_recording_scorer(f1_score, voting="hard", average="macro")
    assert scorer(clf, X, y, groups) == pytest.approx(expected)
    assert "f1_score" in repr(scorer)


@pytest.mark.usefixtures("metadata_routing")
def test_scorer_without_groups_explains_routing():
    X, y, _ = _clips()
    clf = DummyClassifier().fit(X, y)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        make_recording_scorer()(clf, X, y)


@pytest.mark.usefixtures("metadata_routing")
def test_scorer_rejects_mixed_labels_within_a_recording():
    X, y, _ = _clips()
    clf = DummyClassifier().fit(X, y)
    with pytest.raises(ValueError, match="same label"):
        make_recording_scorer()(clf, X, y, groups=np.zeros(len(y)))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"voting": "mean"}, ValueError, "voting must be"),
        ({"metric": "accuracy"}, TypeError, "metric must be callable"),
    ],
)
@pytest.mark.usefixtures("metadata_routing")
def test_scorer_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_recording_scorer(**kwargs)


def test_grid_search_selects_on_recording_accuracy():
    X, y, groups = _clips(n_groups=8, shift=0.4, seed=1)
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            LogisticRegression(),
            {"C": [1e-6, 1.0]},
            scoring=make_recording_scorer(),
            cv=GroupKFold(n_splits=4),
        ).fit(X, y, groups=groups)
    manual = []
    for C in (1e-6, 1.0):
        scores = []
        for tr, te in GroupKFold(n_splits=4).split(X, y, groups):
            clf = LogisticRegression(C=C).fit(X[tr], y[tr])
            with sklearn.config_context(enable_metadata_routing=True):
                scorer = make_recording_scorer()
            scores.append(scorer(clf, X[te], y[te], groups[te]))
        manual.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], manual)


@pytest.mark.usefixtures("metadata_routing")
def test_scorer_request_can_be_switched_off():
    scorer = make_recording_scorer().set_score_request(groups=False)
    request = scorer.get_metadata_routing()
    assert request.score.requests == {"groups": False}


# --- cross_validate_recordings --------------------------------------------------


def test_cross_validation_never_splits_a_recording():
    X, y, groups = _clips(n_groups=6)
    scores = cross_validate_recordings(
        LogisticRegression(), X, y, groups, cv=3, return_indices=True
    )
    for train, test in zip(
        scores["indices"]["train"], scores["indices"]["test"], strict=True
    ):
        assert not set(groups[train]) & set(groups[test])
    assert scores["test_clip_accuracy"].shape == (3,)
    assert scores["test_recording_accuracy"].shape == (3,)


def test_cross_validation_accepts_a_splitter():
    X, y, groups = _clips(n_groups=4)
    scores = cross_validate_recordings(
        LogisticRegression(), X, y, groups, cv=LeaveOneGroupOut()
    )
    assert len(scores["test_recording_accuracy"]) == 4
    assert set(scores["test_recording_accuracy"]) <= {0.0, 1.0}


# --- accuracy_vs_duration ----------------------------------------------------


def test_longer_test_excerpts_raise_recording_accuracy():
    rec = _recordings(noise=1.0, n_samples=8000)
    train, test = split_recordings(rec, test_ids=[3])
    result = accuracy_vs_duration(
        _dc_classifier(),
        train,
        test,
        durations=[0.025, 0.5],
        clip_length=200,
        n_repeats=4,
        random_state=0,
    )
    assert set(result) == {
        "vary",
        "durations",
        "recording_accuracy",
        "recording_accuracy_std",
        "clip_accuracy",
        "clip_accuracy_std",
    }
    assert result["recording_accuracy"][1] > result["recording_accuracy"][0]
    assert result["recording_accuracy"][1] == 1.0
    assert result["vary"] == "test"


def test_longer_training_excerpts_raise_accuracy():
    rec = _recordings(noise=1.0, n_samples=8000)
    train, test = split_recordings(rec, test_ids=[3])
    result = accuracy_vs_duration(
        _dc_classifier(),
        train,
        test,
        durations=[0.025, 1.0],
        vary="train",
        clip_length=200,
        n_repeats=3,
        random_state=0,
    )
    assert result["clip_accuracy"][1] > result["clip_accuracy"][0]
    assert result["durations"].tolist() == [0.025, 1.0]


def test_duration_analysis_is_reproducible():
    rec = _recordings(noise=2.0)
    train, test = split_recordings(rec, test_ids=[3])
    kwargs = {"durations": [0.05, 0.2], "clip_length": 200, "n_repeats": 2}
    a = accuracy_vs_duration(_dc_classifier(), train, test, random_state=1, **kwargs)
    b = accuracy_vs_duration(_dc_classifier(), train, test, random_state=1, **kwargs)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"durations": [10.0]}, "durations must lie between one clip"),
        ({"durations": [0.001]}, "durations must lie between one clip"),
        ({"durations": []}, "non-empty 1-D"),
        ({"vary": "both"}, "vary must be"),
        ({"n_repeats": 0}, "n_repeats must be a positive integer"),
    ],
)
def test_duration_analysis_errors(kwargs, match):
    train, test = split_recordings(_recordings(), test_ids=[3])
    args = {"durations": [0.1], "clip_length": 200}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        accuracy_vs_duration(_dc_classifier(), train, test, **args)


def test_duration_analysis_rejects_mixed_sample_rates():
    train, _ = split_recordings(_recordings(), test_ids=[3])
    test = _recordings(sr=16000)
    with pytest.raises(ValueError, match="share one sample rate"):
        accuracy_vs_duration(_dc_classifier(), train, test, durations=[0.1])
