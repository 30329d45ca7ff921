import numpy as np
import pytest
from sklearn.base import clone

from micfp.datasets import make_spliced
from micfp.exceptions import AudioValueError
from micfp.io import Recordings
from micfp.metrics import boundary_precision_recall_fscore
from micfp.segmentation import DeviceChangeDetector, track_enf

SR = 8000


@pytest.fixture(scope="module")
def pristine():
    rec, _ = make_spliced(
        16,
        sr=SR,
        n_splices=0,
        n_devices=16,
        segment_duration=(8.0, 12.0),
        random_state=0,
    )
    return rec


@pytest.fixture(scope="module")
def detector(pristine):
    return DeviceChangeDetector(sr=SR).fit(pristine, pristine.devices)


@pytest.fixture(scope="module")
def spliced():
    # Devices of another seed: unseen in fitting.
    return make_spliced(
        6,
        sr=SR,
        n_splices=1,
        segment_duration=(10.0, 12.0),
        pairing="different_model",
        random_state=1,
    )


def test_fit_sets_attributes(detector, pristine):
    assert detector.threshold_ > 0
    assert detector.n_context_ == round(3.0 / detector.hop_duration_)
    assert abs(detector.hop_duration_ - 0.25) < 0.05
    p = detector.n_features_
    assert detector.whitener_.shape == detector.projection_.shape == (p, p)
    assert detector.eigenvalues_.shape == (p,)
    assert np.all(detector.eigenvalues_ >= 0)
    assert np.all(np.diff(detector.eigenvalues_) <= 0)
    # n devices span at most n - 1 directions.
    n_devices = np.unique(pristine.devices).size
    assert np.count_nonzero(detector.eigenvalues_) <= n_devices - 1
    assert detector.fit_duration_ == pytest.approx(pristine.durations.sum())


def test_device_space_finds_the_direction_devices_differ_in():
    from micfp.segmentation._features import device_space

    rng = np.random.default_rng(0)
    n_features, n_context = 6, 4
    offsets = rng.normal(0, 1, 20)
    # Devices differ along feature 2 only; every feature varies within a recording.
    stats = []
    for offset in offsets:
        s = rng.normal(0, 1, (400, n_features))
        s[:, 2] += 3 * offset
        stats.append(s)
    whitener, eigenvalues = device_space(stats, np.arange(20), n_context, 0.0)
    top = whitener[:, 0] / np.linalg.norm(whitener[:, 0])
    assert abs(top[2]) > 0.99
    assert eigenvalues[0] > 4 and np.all(eigenvalues[1:] < 0.2 * eigenvalues[0])
    # Pooling recordings by device: one device's offsets are no longer "between".
    same = device_space(stats, np.repeat([0, 1], 10), n_context, 0.0)[1]
    assert same[0] < eigenvalues[0]


def test_labels_pool_recordings_of_one_device(pristine):
    by_recording = DeviceChangeDetector(sr=SR).fit(pristine)
    assert np.count_nonzero(by_recording.eigenvalues_) > 3
    pooled = DeviceChangeDetector(sr=SR).fit(pristine, np.arange(16) % 4)
    assert np.count_nonzero(pooled.eigenvalues_) <= 3


def test_finds_splices_between_unseen_devices(pristine, spliced):
    detector = DeviceChangeDetector(sr=SR).fit(pristine, pristine.devices)
    rec, truth = spliced
    found = [detector.predict(x) for x in rec.signals]
    _, recall, _ = boundary_precision_recall_fscore(truth, found, tolerance=1.0)
    assert recall >= 0.5


def test_splice_score_ranks_spliced_above_pristine(detector, spliced):
    rec, _ = spliced
    clean, _ = make_spliced(
        6, sr=SR, n_splices=0, segment_duration=(10.0, 12.0), random_state=1
    )
    spliced_scores = detector.splice_score(rec)
    clean_scores = detector.splice_score(clean)
    assert np.median(spliced_scores) > np.median(clean_scores)


def test_change_curve_is_on_the_hop_grid(detector, spliced):
    x = spliced[0].signals[0]
    times, curve = detector.change_curve(x)
    assert times.shape == curve.shape
    np.testing.assert_allclose(np.diff(times), detector.hop_duration_)
    assert times[0] == pytest.approx(3.0, abs=detector.hop_duration_)
    assert times[-1] <= len(x) / SR - 3.0 + detector.hop_duration_
    assert np.all(curve >= 0)
    # The boundaries are peaks of the curve above the threshold.
    found = detector.predict(x)
    assert np.all(np.isin(np.round(found, 6), np.round(times, 6)))
    assert np.all(curve[np.isin(np.round(times, 6), np.round(found, 6))] >= 1.0)


def test_gain_step_leaves_no_trace_with_remove_gain(pristine):
    x = pristine.signals[1][: 16 * SR].copy()
    stepped = x.copy()
    stepped[8 * SR :] *= 4.0
    det = DeviceChangeDetector(sr=SR).fit(pristine)
    _, a = det.change_curve(x)
    _, b = det.change_curve(stepped)
    # Only the hop whose frames straddle the step differs.
    assert b.max() < 1.5 * a.max()


def test_float32_gives_the_same_boundaries(detector, spliced):
    x = spliced[0].signals[1]
    a = detector.predict(x)
    b = detector.predict(x.astype(np.float32))
    np.testing.assert_allclose(a, b)


def test_false_alarm_rate_orders_thresholds(pristine):
    strict = DeviceChangeDetector(sr=SR, false_alarms_per_hour=0.1).fit(pristine)
    loose = DeviceChangeDetector(sr=SR, false_alarms_per_hour=100.0).fit(pristine)
    assert strict.device_scale_ > loose.device_scale_


def test_recordings_object_and_list_fit_alike(pristine):
    a = DeviceChangeDetector(sr=SR).fit(pristine)
    b = DeviceChangeDetector(sr=SR).fit(list(pristine.signals))
    assert a.threshold_ == b.threshold_


def test_segment_scores_are_log10_lrs_for_the_same_device(detector, spliced):
    rec, truth = spliced
    scores = [
        detector.segment_scores(x, b) for x, b in zip(rec.signals, truth, strict=True)
    ]
    assert all(s[0] == 0.0 and len(s) == 2 for s in scores)
    other = np.array([s[1] for s in scores])
    halves = []
    for x, b in zip(rec.signals, truth, strict=True):
        first = x[: int(b[0] * SR)]
        halves.append(detector.segment_scores(first, [b[0] / 2])[1])
    assert np.median(halves) > 0 > np.median(other)


def test_segment_scores_default_to_predicted_boundaries(detector, spliced):
    x = spliced[0].signals[0]
    assert len(detector.segment_scores(x)) == len(detector.predict(x)) + 1


@pytest.mark.parametrize("method", ["pelt", "kernel"])
def test_ruptures_back_ends(pristine, spliced, method):
    pytest.importorskip("ruptures")
    det = DeviceChangeDetector(sr=SR, method=method).fit(pristine.subset([0, 1, 2]))
    assert det.penalty_ > 0
    x = spliced[0].signals[0]
    found = det.predict(x)
    assert found.ndim == 1 and np.all(np.diff(found) > 0)
    assert np.all((found > 0) & (found < len(x) / SR))


def test_shorter_than_two_windows_gives_an_empty_result(detector):
    x = np.random.default_rng(0).normal(0, 1e-3, 4 * SR)
    assert detector.predict(x).size == 0
    times, curve = detector.change_curve(x)
    assert times.size == curve.size == 0
    assert detector.splice_score([x]).tolist() == [0.0]


def test_shorter_than_one_hop_raises(detector):
    with pytest.raises(AudioValueError, match="fewer than one hop"):
        detector.predict(np.zeros(100))


def test_digital_silence_gives_no_boundary(detector):
    assert detector.predict(np.zeros(20 * SR)).size == 0
    assert detector.splice_score([np.zeros(20 * SR)]).tolist() == [0.0]


def test_inserted_silence_is_an_edit(detector, pristine):
    x = pristine.signals[0][: 16 * SR].copy()
    x[8 * SR :] = 0.0
    found = detector.predict(x)
    assert np.min(np.abs(found - 8.0)) <= 0.5


def _hum(seconds, phase_jump_at=None, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(seconds * SR) / SR
    phase = 2 * np.pi * 50.0 * t
    if phase_jump_at is not None:
        phase[t >= phase_jump_at] += 2.0
    return 1e-3 * rng.standard_normal(t.size) + 1e-2 * np.sin(phase)


def test_enf_phase_jump_is_found_where_the_device_is_unchanged():
    train = [_hum(30, seed=s) for s in range(4)]
    det = DeviceChangeDetector(sr=SR, enf=50).fit(train)
    x = _hum(30, phase_jump_at=14.0, seed=9)
    found = det.predict(x)
    assert found.size == 1 and abs(found[0] - 14.0) <= 0.5
    assert det.enf_threshold_ > 0


def test_track_enf_follows_a_frequency_step():
    t = np.arange(40 * SR) / SR
    f = np.where(t < 20, 50.0, 50.05)
    x = 1e-2 * np.sin(2 * np.pi * np.cumsum(f) / SR)
    times, frequency, snr = track_enf(x, SR)
    assert times.shape == frequency.shape == snr.shape
    np.testing.assert_allclose(frequency[times < 18], 50.0, atol=0.005)
    np.testing.assert_allclose(frequency[times > 22], 50.05, atol=0.005)


def test_track_enf_too_short():
    with pytest.raises(AudioValueError, match="frame_duration"):
        track_enf(np.zeros(SR), SR)


def test_clone_keeps_parameters():
    det = DeviceChangeDetector(sr=SR, window_duration=1.5, enf=60)
    params = clone(det).get_params()
    assert params["window_duration"] == 1.5 and params["enf"] == 60


@pytest.mark.parametrize(
    "params, message",
    [
        ({"window_duration": 0.0}, "The 'window_duration' parameter"),
        ({"hop_duration": -1.0}, "The 'hop_duration' parameter"),
        ({"method": "dynp"}, "The 'method' parameter"),
        ({"enf": 55}, "The 'enf' parameter"),
        ({"false_alarms_per_hour": 0}, "The 'false_alarms_per_hour' parameter"),
        ({"fmin": 3000.0}, "fmin must be below a quarter of sr"),
    ],
)
def test_bad_parameters(pristine, params, message):
    with pytest.raises(ValueError, match=message):
        DeviceChangeDetector(sr=SR, **params).fit(pristine)


@pytest.mark.parametrize(
    "X, message",
    [
        ([], "at least one recording"),
        (np.zeros(SR * 10), "single 1-D array"),
        ([np.zeros((2, SR))], "must be 1-D"),
        ([np.full(SR * 10, np.nan)], "finite"),
        ([np.array(["a"] * 10)], "real numbers"),
        ([np.zeros(SR)], "at least two windows"),
        (Recordings([np.zeros(SR * 10)], 16000, [0], [1]), "sr=16000"),
    ],
)
def test_bad_recordings(X, message):
    with pytest.raises(AudioValueError, match=message):
        DeviceChangeDetector(sr=SR).fit(X)


def test_bad_device_labels(pristine):
    with pytest.raises(ValueError, match="one device label per recording"):
        DeviceChangeDetector(sr=SR).fit(pristine, [0, 1])
    with pytest.raises(ValueError, match="at least two devices"):
        DeviceChangeDetector(sr=SR).fit(pristine, np.zeros(len(pristine)))


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DeviceChangeDetector(sr=SR).predict(np.zeros(SR))


def test_tail_threshold_gives_the_rate_asked_for():
    from micfp.segmentation._search import tail_threshold

    rng = np.random.default_rng(0)
    hours = 1000.0
    peaks = rng.exponential(2.0, 200_000) + 1.0
    for rate in (0.5, 5.0):
        threshold = tail_threshold(peaks[:20_000], hours / 10, rate)
        observed = np.sum(peaks > threshold) / hours
        assert 0.6 * rate < observed < 1.6 * rate


def test_pick_peaks_keeps_separated_maxima_above_threshold():
    from micfp.segmentation._search import pick_peaks

    curve = np.array([0, 5, 0, 0, 0, 0, 3, 4, 4, 0, 0, 0, 0, 0.5, 0, 9, 0.0])
    assert pick_peaks(curve, 1.0, 2).tolist() == [1, 7, 15]
    assert pick_peaks(curve, 1.0, 8).tolist() == [1, 15]
    assert pick_peaks(curve, 4.5, 2).tolist() == [1, 15]
    assert pick_peaks(np.empty(0), 1.0, 2).size == 0


def test_round_trips_through_pickle_and_the_safe_format(detector, spliced, tmp_path):
    import pickle

    from micfp.persistence import load_model, save_model

    x = spliced[0].signals[0]
    save_model(detector, tmp_path / "detector.micfp")
    for loaded in (
        pickle.loads(pickle.dumps(detector)),
        load_model(tmp_path / "detector.micfp"),
    ):
        np.testing.assert_array_equal(
            loaded.change_curve(x)[1], detector.change_curve(x)[1]
        )
        np.testing.assert_array_equal(loaded.predict(x), detector.predict(x))


def test_same_input_same_output(pristine, spliced):
    a = DeviceChangeDetector(sr=SR, n_jobs=1).fit(pristine)
    b = DeviceChangeDetector(sr=SR, n_jobs=2).fit(pristine)
    x = spliced[0].signals[2]
    np.testing.assert_array_equal(a.change_curve(x)[1], b.change_curve(x)[1])
    assert a.threshold_ == b.threshold_
