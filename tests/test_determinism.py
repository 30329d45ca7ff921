"""Determinism: one random_state gives one result, whatever n_jobs is."""

import inspect

import joblib
import numpy as np
import pytest
import torch
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from test_common import FAST_PARAMS, NOT_ROW_ESTIMATORS
from test_persistence import (
    PIPELINES,
    SR,
    clip_data,
    estimator_data,
    estimator_instance,
    feature_data,
    outputs,
)

from micfp.baselines import make_bed_svm, make_gmm_ubm, make_gsv_svm
from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.features import LogSpectrum
from micfp.io import load_recordings, write_audio
from micfp.model_selection import (
    accuracy_vs_duration,
    cross_validate_recordings,
    split_recordings,
)
from micfp.neural import make_pstnn_pipeline
from micfp.utils import all_estimators

ESTIMATORS = {
    name: cls for name, cls in all_estimators() if name not in NOT_ROW_ESTIMATORS
}
NEURAL = ["CNNClassifier", "MLPClassifier", "PSTNNClassifier", "RNNClassifier"]


def assert_same_outputs(first, second):
    assert first.keys() == second.keys()
    for method, value in first.items():
        np.testing.assert_array_equal(second[method], value, err_msg=method)


def assert_same_weights(first, second):
    state = second.net_.module_.state_dict()
    for key, tensor in first.net_.module_.state_dict().items():
        assert torch.equal(state[key], tensor), key


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_same_random_state_same_estimator(name):
    X, y = estimator_data(name)
    first = estimator_instance(name, ESTIMATORS[name]).fit(X, y)
    second = estimator_instance(name, ESTIMATORS[name]).fit(X, y)
    assert_same_outputs(outputs(first, X), outputs(second, X))
    if name in NEURAL:
        assert_same_weights(first, second)


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_random_state_same_pipeline(name):
    X, y, groups = clip_data()
    first = PIPELINES[name]().fit(X, y)
    second = PIPELINES[name]().fit(X, y)
    assert_same_outputs(outputs(first, X, groups), outputs(second, X, groups))


@pytest.fixture
def torch_generator():
    """Restore torch's global generator after the test."""
    state = torch.random.get_rng_state()
    yield
    torch.random.set_rng_state(state)


@pytest.mark.parametrize("name", NEURAL)
def test_networks_depend_on_their_seed_only(name, torch_generator):
    X, y = feature_data()
    cls = ESTIMATORS[name]
    torch.manual_seed(1)
    expected = estimator_instance(name, cls).fit(X, y).predict_proba(X)
    torch.manual_seed(2)
    state = torch.random.get_rng_state()
    again = estimator_instance(name, cls).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(again, expected)
    # Fitting neither depends on nor moves torch's global generator.
    assert torch.equal(torch.random.get_rng_state(), state)
    other = cls(**{**FAST_PARAMS[name], "random_state": 1}).fit(X, y)
    assert not np.array_equal(other.predict_proba(X), expected)


@pytest.mark.parametrize("name", NEURAL)
def test_networks_are_reproducible_on_two_threads(name):
    # Results are bit for bit for one number of threads; another number may
    # sum in another order (convolutions do), so it is part of the setup.
    X, y = feature_data()
    params = {**FAST_PARAMS[name], "n_threads": 2, "dtype": "float32"}
    first = ESTIMATORS[name](**params, random_state=0).fit(X, y)
    second = ESTIMATORS[name](**params, random_state=0).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert_same_weights(first, second)


def test_simulator_is_reproducible():
    kwargs = {"duration": 0.25, "sr": SR, "random_state": 3, "return_params": True}
    first, params = make_recordings(3, 2, **kwargs)
    second, params_again = make_recordings(3, 2, **kwargs)
    assert params == params_again
    for a, b in zip(first.signals, second.signals, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.devices, second.devices)
    np.testing.assert_array_equal(first.recording_ids, second.recording_ids)
    other, _ = make_recordings(3, 2, **{**kwargs, "random_state": 4})
    assert not np.array_equal(other.signals[0], first.signals[0])


@pytest.mark.parametrize("strategy", ["random", "sequential", "loudest", "quietest"])
def test_clip_extraction_is_reproducible(strategy):
    recordings = make_recordings(2, 2, duration=0.5, sr=SR, random_state=0)
    kwargs = {"length": 256, "n_clips": 5, "strategy": strategy}
    first = extract_clips(recordings, random_state=7, return_starts=True, **kwargs)
    second = extract_clips(recordings, random_state=7, return_starts=True, **kwargs)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    if strategy == "random":
        other = extract_clips(recordings, random_state=8, return_starts=True, **kwargs)
        assert not np.array_equal(other[-1], first[-1])


# --- n_jobs -------------------------------------------------------------------


@pytest.fixture
def parallel_calls(monkeypatch):
    """Count the joblib.Parallel runs with more than one worker.

    Chunks of clips are made small, so that the few rows of a test are cut
    into several and n_jobs=2 has parallel work to do; the chunks depend on
    the rows alone, so n_jobs=1 processes the same ones.
    """
    calls = []
    run = joblib.Parallel.__call__

    def counting(self, iterable):
        if joblib.effective_n_jobs(self.n_jobs) > 1:
            calls.append(self.n_jobs)
        return run(self, iterable)

    monkeypatch.setattr(joblib.Parallel, "__call__", counting)
    with config_context(working_memory=2**14 / 2**20):
        yield calls


def _with_n_jobs():
    return sorted(
        name
        for name, cls in ESTIMATORS.items()
        if "n_jobs" in inspect.signature(cls).parameters
    )


def test_n_jobs_estimators_are_found():
    # At least those the scaling guide lists; any other is tested as well.
    assert {
        "BandEnergyDifference",
        "GMMUBMClassifier",
        "GaussianSupervector",
        "LogSpectrum",
        "MFCC",
        "NoiseResidual",
        "WaveletDenoiser",
    } <= set(_with_n_jobs())


def _long_rows(dtype):
    """Rows long enough that every estimator cuts them into several chunks."""
    rng = np.random.default_rng(0)
    X = rng.normal(0, 0.1, (40, 8192))
    X[20:] = np.cumsum(X[20:], axis=1) * 0.01
    return X.astype(dtype), np.repeat(["a", "b"], 20)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", _with_n_jobs())
def test_n_jobs_does_not_change_estimators(name, dtype, parallel_calls):
    X, y = _long_rows(dtype)
    # One value a frame: many frames a clip, hence several chunks of clips.
    extra = {"frame_width": 1} if name == "GMMUBMClassifier" else {}
    serial = estimator_instance(name, ESTIMATORS[name], n_jobs=1, **extra).fit(X, y)
    expected = outputs(serial, X)
    assert not parallel_calls
    parallel = estimator_instance(name, ESTIMATORS[name], n_jobs=2, **extra).fit(X, y)
    got = outputs(parallel, X)
    assert parallel_calls, "n_jobs=2 ran no parallel work on these rows"
    assert_same_outputs(expected, got)
    assert all(got[m].dtype == expected[m].dtype for m in got)


N_JOBS_PIPELINES = {
    "gmm_ubm": lambda n_jobs: make_gmm_ubm(
        SR, n_components=2, random_state=0, n_jobs=n_jobs
    ),
    "gsv_svm": lambda n_jobs: make_gsv_svm(
        SR, n_components=2, random_state=0, n_jobs=n_jobs
    ),
    "bed_svm": lambda n_jobs: make_bed_svm(SR, frame_length=256, n_jobs=n_jobs),
    "pstnn": lambda n_jobs: make_pstnn_pipeline(
        SR,
        n_components=2,
        spatial_hidden_sizes=(),
        embedding_size=8,
        recurrent_sizes=(4,),
        backend_hidden_sizes=(),
        max_epochs=3,
        n_threads=1,
        random_state=0,
        n_jobs=n_jobs,
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(N_JOBS_PIPELINES))
def test_n_jobs_does_not_change_pipelines(name, dtype, parallel_calls):
    X, y, _ = clip_data()
    X = X.astype(dtype)
    expected = outputs(N_JOBS_PIPELINES[name](1).fit(X, y), X)
    got = outputs(N_JOBS_PIPELINES[name](2).fit(X, y), X)
    assert parallel_calls
    assert_same_outputs(expected, got)


def test_n_jobs_does_not_change_the_simulator(parallel_calls):
    kwargs = {"duration": 0.25, "sr": SR, "random_state": 0, "return_params": True}
    serial, params = make_recordings(3, 2, n_jobs=1, **kwargs)
    parallel, params_parallel = make_recordings(3, 2, n_jobs=2, **kwargs)
    assert parallel_calls
    assert params == params_parallel
    for a, b in zip(serial.signals, parallel.signals, strict=True):
        np.testing.assert_array_equal(a, b)


def test_n_jobs_does_not_change_loading(tmp_path, parallel_calls):
    recordings = make_recordings(2, 2, duration=0.1, sr=SR, random_state=0)
    for signal, device, take in zip(
        recordings.signals, recordings.devices, recordings.recording_ids, strict=True
    ):
        (tmp_path / f"dev{device}").mkdir(exist_ok=True)
        write_audio(tmp_path / f"dev{device}" / f"take{take}.wav", signal, SR)
    serial = load_recordings(tmp_path, n_jobs=1)
    parallel = load_recordings(tmp_path, n_jobs=2)
    assert parallel_calls
    for a, b in zip(serial.signals, parallel.signals, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(serial.devices, parallel.devices)
    np.testing.assert_array_equal(serial.recording_ids, parallel.recording_ids)


def test_n_jobs_does_not_change_cross_validation(parallel_calls):
    X, y, groups = clip_data()
    model = make_pipeline(StandardScaler(), LogisticRegression())
    serial = cross_validate_recordings(model, X, y, groups, cv=3, n_jobs=1)
    parallel = cross_validate_recordings(model, X, y, groups, cv=3, n_jobs=2)
    assert parallel_calls
    for key in ("test_clip_accuracy", "test_recording_accuracy"):
        np.testing.assert_array_equal(serial[key], parallel[key])


def test_n_jobs_does_not_change_the_duration_analysis(parallel_calls):
    recordings = make_recordings(2, 3, duration=0.5, sr=SR, random_state=0)
    train, test = split_recordings(recordings, test_ids=[3])
    model = make_pipeline(LogSpectrum(n_fft=256), LogisticRegression())
    kwargs = {
        "durations": [0.15, 0.4],
        "vary": "train",
        "clip_length": 1000,
        "n_repeats": 2,
        "random_state": 5,
    }
    serial = accuracy_vs_duration(model, train, test, n_jobs=1, **kwargs)
    again = accuracy_vs_duration(model, train, test, n_jobs=1, **kwargs)
    parallel = accuracy_vs_duration(model, train, test, n_jobs=2, **kwargs)
    assert parallel_calls
    for key in serial:
        np.testing.assert_array_equal(again[key], serial[key])
        np.testing.assert_array_equal(parallel[key], serial[key])
