"""DeviceLRSystem: source-disjoint fitting, case LRs, refusals."""

import csv
import io
import itertools
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.preprocessing import StandardScaler

from micfp.calibration import (
    DeviceLRSystem,
    IsotonicLRCalibrator,
    validation_report,
)
from micfp.exceptions import CalibrationError
from micfp.metrics import cllr, cllr_cal


class MeanCosine(BaseEstimator):
    """Minimal back-end of the verification interface: centred cosine."""

    def fit(self, X, y):
        self.mean_ = np.asarray(X).mean(axis=0)
        return self

    def score_matrix(self, X_enrol, X_test, *, enrol_groups=None):
        enrol = np.asarray(X_enrol) - self.mean_
        test = np.asarray(X_test) - self.mean_
        groups = np.zeros(len(enrol)) if enrol_groups is None else enrol_groups
        labels, inverse = np.unique(groups, return_inverse=True)
        models = np.stack(
            [enrol[inverse == k].mean(axis=0) for k in range(len(labels))]
        )
        models /= np.linalg.norm(models, axis=1, keepdims=True)
        test /= np.linalg.norm(test, axis=1, keepdims=True)
        return models @ test.T


def _devices(n_devices, n_recordings=5, dim=16, noise=1.0, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_devices, dim))
    X = np.repeat(centres, n_recordings, axis=0)
    X = X + noise * rng.normal(size=X.shape)
    y = np.repeat(np.arange(n_devices) + 1000 * seed, n_recordings)
    groups = np.tile(np.arange(n_recordings), n_devices)
    return X, y, groups


def _system(**kwargs):
    return DeviceLRSystem(scorer=MeanCosine(), random_state=0, **kwargs)


def test_roles_are_disjoint_and_counted_in_devices():
    X, y, groups = _devices(30)
    system = _system().fit(X, y, groups=groups)
    assert len(system.background_devices_) == 15
    assert len(system.calibration_devices_) == 15
    assert not np.intersect1d(
        system.background_devices_, system.calibration_devices_
    ).size
    # 15 reference sets (3 recordings) against 15 x 2 questioned recordings.
    assert system.n_calibration_trials_ == {"target": 30, "non_target": 15 * 30 - 30}
    trials = system.calibration_trials_
    assert set(trials["reference_device"]) == set(system.calibration_devices_)
    np.testing.assert_array_equal(
        trials["y_true"], trials["reference_device"] == trials["questioned_device"]
    )


def test_case_lrs_on_unseen_devices_are_calibrated():
    X, y, groups = _devices(60, seed=1)
    system = _system().fit(X, y, groups=groups)
    X_test, y_test, g_test = _devices(40, seed=2)
    trials = system.score_trials(X_test, y_test, g_test)
    assert cllr(trials["y_true"], trials["llr"]) < 0.3
    assert cllr_cal(trials["y_true"], trials["llr"]) < 0.1
    assert trials["y_true"].sum() == 40 * 2


def test_predict_llr_for_one_and_several_reference_devices():
    X, y, groups = _devices(30)
    system = _system().fit(X, y, groups=groups)
    X_new, y_new, _ = _devices(3, seed=5)
    one = system.predict_llr(X_new[:3], X_new[3:])
    assert one.shape == (1, 12)
    assert np.all(one[0, :2] > 0) and np.median(one[0, 2:]) < 0
    several = system.predict_llr(X_new[:6], X_new[10:], reference_groups=y_new[:6])
    assert several.shape == (2, 5)


def test_cyclic_reference_sets_question_every_recording_in_turn():
    X, y, groups = _devices(30)
    first = _system().fit(X, y, groups=groups)
    system = _system(calibration_reference_sets="cyclic").fit(X, y, groups=groups)
    np.testing.assert_array_equal(
        system.calibration_devices_, first.calibration_devices_
    )
    # 15 devices x 5 sets of 3 recordings; each set against the 2 other
    # recordings of its device and the 14 x 5 recordings of the others.
    assert system.n_calibration_trials_ == {
        "target": 15 * 5 * 2,
        "non_target": 15 * 5 * 14 * 5,
    }
    trials = system.calibration_trials_
    np.testing.assert_array_equal(
        trials["y_true"], trials["reference_device"] == trials["questioned_device"]
    )
    # Each recording of a device is questioned against the 2 sets without it.
    device = system.calibration_devices_[0]
    targets = (trials["reference_device"] == device) & (trials["y_true"] == 1)
    assert len(targets.nonzero()[0]) == 10
    # The calibrator saw these trials, not those of the first sets only.
    refit = clone(system.calibrator_).fit(trials["score"][:, None], trials["y_true"])
    np.testing.assert_allclose(system.calibrator_.coef_, refit.coef_)
    assert not np.allclose(system.calibrator_.coef_, first.calibrator_.coef_)


def test_cyclic_sets_score_exactly_the_recordings_outside_the_set():
    X, y, groups = _devices(24, n_recordings=4)
    system = _system(calibration_reference_sets="cyclic", n_reference=2)
    system.fit(X, y, groups=groups)
    device = system.calibration_devices_[3]
    rows = np.flatnonzero(y == device)
    # Sets {0, 1}, {1, 2}, {2, 3}, {3, 0}; one of them scored by hand.
    reference = rows[[1, 2]]
    expected = system.scorer_.score_matrix(X[reference], X[rows[[0, 3]]])
    trials = system.calibration_trials_
    targets = np.flatnonzero(
        (trials["reference_device"] == device) & (trials["y_true"] == 1)
    )
    assert len(targets) == 4 * 2
    scores = trials["score"][targets]
    assert any(np.allclose(scores[k : k + 2], expected[0]) for k in range(0, 8, 2))


def test_reference_pooling_by_score_averages_the_scores():
    X, y, groups = _devices(30)
    system = _system(reference_pooling="score").fit(X, y, groups=groups)
    X_new, _, _ = _devices(2, seed=5)
    llr = system.predict_llr(X_new[:3], X_new[3:])
    scores = system.scorer_.score_matrix(X_new[:3], X_new[3:]).mean(axis=0)
    expected = system.calibrator_.transform(scores[:, None])[:, 0]
    np.testing.assert_allclose(llr[0], expected)
    pooled = _system().fit(X, y, groups=groups).predict_llr(X_new[:3], X_new[3:])
    assert not np.allclose(llr, pooled)


@pytest.mark.parametrize(
    "param, value",
    [("reference_pooling", "median"), ("calibration_reference_sets", "all")],
)
def test_bad_trial_options(param, value):
    X, y, groups = _devices(30)
    with pytest.raises(ValueError, match=param):
        _system(**{param: value}).fit(X, y, groups=groups)


def test_embedder_is_fitted_on_background_devices_only():
    X, y, groups = _devices(30)
    system = _system(embedder=StandardScaler()).fit(X, y, groups=groups)
    background = np.isin(y, system.background_devices_)
    np.testing.assert_allclose(system.embedder_.mean_, X[background].mean(axis=0))


def test_any_calibrator_and_device_counts():
    X, y, groups = _devices(24)
    system = _system(
        calibrator=IsotonicLRCalibrator(), calibration_devices=12, n_reference=2
    ).fit(X, y, groups=groups)
    assert len(system.calibration_devices_) == 12
    assert isinstance(system.calibrator_, IsotonicLRCalibrator)


def test_refuses_too_few_devices():
    X, y, groups = _devices(12)
    with pytest.raises(CalibrationError, match="too few devices to calibrate: 6 of"):
        _system().fit(X, y, groups=groups)
    with pytest.raises(CalibrationError, match="leave 1 to fit"):
        _system(calibration_devices=11, min_calibration_devices=2).fit(X, y, groups)


def test_refuses_devices_without_enough_recordings():
    X, y, groups = _devices(30, n_recordings=3)
    with pytest.raises(CalibrationError, match="more than n_reference=3 recordings"):
        _system().fit(X, y, groups=groups)


def test_refuses_test_devices_seen_in_fit():
    X, y, groups = _devices(30)
    system = _system().fit(X, y, groups=groups)
    with pytest.raises(CalibrationError, match="test devices must be new"):
        system.score_trials(X, y, groups)


def test_rows_and_labels_must_match():
    X, y, groups = _devices(30)
    with pytest.raises(CalibrationError, match="one device label per row"):
        _system().fit(X, y[:-1])
    with pytest.raises(CalibrationError, match="one recording per row"):
        _system().fit(X, y, groups=groups[:-1])


def _report(**kwargs):
    X, y, groups = _devices(40, seed=1)
    system = _system().fit(X, y, groups=groups)
    matched = _devices(20, seed=2)
    X_m, y_m, g_m = _devices(20, seed=3)
    mismatched = (X_m + 0.8 * np.random.default_rng(9).normal(size=X_m.shape), y_m, g_m)
    unseen = _devices(20, seed=4, noise=1.3)
    conditions = {"matched": matched, "room": mismatched, "new models": unseen}
    kwargs.setdefault("kinds", {"new models": "generalisation"})
    return validation_report(
        system, conditions, population="simulated devices", **kwargs
    )


def test_validation_report_fills_the_matrix_in_devices():
    report = _report(criteria={"cllr": 0.5, "cllr_cal": 0.05})
    results = report.to_dict()
    assert json.loads(report.to_json()) == results
    assert set(results["matrix"]) == {
        "accuracy",
        "discrimination",
        "calibration",
        "robustness",
        "generalisation",
    }
    matched = results["conditions"]["matched"]
    assert matched["n_devices"] == 20
    assert matched["n_target_trials"] == 20 * 2
    accuracy = results["matrix"]["accuracy"][0]
    assert accuracy["value"] == pytest.approx(matched["metrics"]["cllr"])
    assert accuracy["passed"] == (accuracy["value"] <= 0.5)
    assert [e["condition"] for e in results["matrix"]["robustness"]] == ["room"]
    assert results["conditions"]["room"]["metrics"]["cllr"] > matched["metrics"]["cllr"]
    verdicts = [c["passed"] for c in results["conditions"].values()]
    assert results["passed"] == all(verdicts)


def test_validation_report_html_is_self_contained(tmp_path):
    pytest.importorskip("matplotlib")
    report = _report()
    page = report.to_html(tmp_path / "report.html")
    assert page.count("data:image/png;base64,") == 3
    assert "http" not in page.replace("charset", "")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reference": "lab"}, "reference must be one of"),
        ({"kinds": {"room": "coherence"}}, "kinds maps conditions"),
        ({"criteria": {"accuracy": 0.2}}, "criteria names metrics"),
        ({"criteria": {"cllr": "low"}}, "must be a number"),
    ],
)
def test_validation_report_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _report(**kwargs)


def test_validation_report_csv_lets_another_tool_recompute(tmp_path):
    report = _report()
    text = report.to_csv(tmp_path / "trials.csv")
    assert (tmp_path / "trials.csv").read_text(encoding="utf-8") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    header = "condition,reference_device,questioned_device,y_true,score,llr_log10"
    assert text.splitlines()[0] == header
    results = report.to_dict()["conditions"]
    for name, group in itertools.groupby(rows, key=lambda row: row["condition"]):
        group = list(group)
        trials = report.trials[name]
        y = np.array([int(row["y_true"]) for row in group])
        llr = np.array([float(row["llr_log10"]) for row in group])
        score = np.array([float(row["score"]) for row in group])
        # Every digit is kept: the file gives back the trials exactly.
        np.testing.assert_array_equal(llr, trials["llr"])
        np.testing.assert_array_equal(score, trials["score"])
        assert cllr(y, llr) == results[name]["metrics"]["cllr"]
        devices = {row["reference_device"] for row in group}
        assert len(devices) == results[name]["n_reference_devices"]
    assert {row["condition"] for row in rows} == set(results)
