"""Behaviour shared by micfp's neural classifiers: training, seeding, persistence."""

import io
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from micfp.neural import CNNClassifier, MLPClassifier, PSTNNClassifier, RNNClassifier

TRAINING = dict(dtype="float64", n_threads=1, batch_size=16, lr=0.01)

# Each estimator with small settings and an input width that fits its layout.
ESTIMATORS = {
    "mlp": (MLPClassifier((8,), **TRAINING), 6),
    "softmax": (MLPClassifier((), **TRAINING), 6),
    "averaging": (MLPClassifier((8, 4), n_parts=2, part_depth=2, **TRAINING), 6),
    "cnn": (
        CNNClassifier(
            (3,), kernel_size=3, pool_size=2, hidden_layer_sizes=(8,), **TRAINING
        ),
        6,
    ),
    "rnn": (
        RNNClassifier(3, recurrent_sizes=(4,), hidden_layer_sizes=(8,), **TRAINING),
        6,
    ),
    "bilstm": (
        RNNClassifier(
            2,
            recurrent_sizes=(3, 4),
            bidirectional=True,
            hidden_layer_sizes=(),
            **TRAINING,
        ),
        6,
    ),
    "pstnn": (
        PSTNNClassifier(
            supervector_size=4,
            frame_width=2,
            spatial_hidden_sizes=(6,),
            embedding_size=6,
            recurrent_sizes=(3,),
            backend_hidden_sizes=(5,),
            **TRAINING,
        ),
        8,
    ),
}
IDS = list(ESTIMATORS)


def _data(n_features, *, n_samples=40, labels=("phone", "recorder", "tablet"), seed=0):
    rng = np.random.default_rng(seed)
    y = np.asarray(labels)[rng.integers(0, len(labels), size=n_samples)]
    codes = np.unique(y, return_inverse=True)[1]
    X = rng.normal(size=(n_samples, n_features)) + codes[:, None]
    return X, y


def _make(key, **params):
    estimator, n_features = ESTIMATORS[key]
    return clone(estimator).set_params(**params), n_features


def _weights(clf):
    return {k: v.clone() for k, v in clf.net_.module_.state_dict().items()}


@pytest.mark.parametrize("key", IDS)
def test_string_labels_classes_and_probabilities(key):
    clf, n_features = _make(key, max_epochs=30, random_state=0)
    X, y = _data(n_features)
    clf.fit(X, y)
    assert clf.classes_.tolist() == ["phone", "recorder", "tablet"]
    assert clf.n_features_in_ == n_features
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = clf.predict(X)
    assert set(pred) <= set(clf.classes_)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # The classes are shifted apart, so a trained network beats chance by far.
    assert clf.score(X, y) > 0.6


@pytest.mark.parametrize("key", IDS)
def test_same_seed_gives_the_same_model_bit_for_bit(key):
    X, y = _data(ESTIMATORS[key][1])
    first = _make(key, max_epochs=3, random_state=7)[0].fit(X, y)
    second = _make(key, max_epochs=3, random_state=7)[0].fit(X, y)
    other = _make(key, max_epochs=3, random_state=8)[0].fit(X, y)
    a, b, c = _weights(first), _weights(second), _weights(other)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


@pytest.mark.parametrize("key", ["mlp", "pstnn"])
def test_global_random_generators_are_left_alone(key):
    clf, n_features = _make(key, max_epochs=2, random_state=0, dropout=0.5)
    X, y = _data(n_features)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    clf.fit(X, y)
    clf.predict(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    legacy_state = np.random.get_state()[1]  # noqa: NPY002
    np.testing.assert_array_equal(legacy_state, numpy_state)


@pytest.mark.parametrize("key", IDS)
def test_pickle_and_joblib_round_trips_predict_identically(key):
    clf, n_features = _make(key, max_epochs=3, random_state=0)
    X, y = _data(n_features)
    clf.fit(X, y)
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).predict_proba(X), expected)


@pytest.mark.parametrize("key", IDS)
def test_network_state_round_trips_into_a_clone(key):
    clf, n_features = _make(key, max_epochs=3, random_state=0)
    X, y = _data(n_features)
    clf.fit(X, y)
    state = clf.get_network_state()
    assert all(tensor.device.type == "cpu" for tensor in state["weights"].values())
    assert [r["epoch"] for r in state["history"]] == [1, 2, 3]
    copy = clone(clf)
    copy.classes_, copy.n_features_in_ = clf.classes_, clf.n_features_in_
    assert copy.set_network_state(state) is copy
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert len(copy.history_) == 3
    # The clone owns its weights: changing them leaves the original alone.
    before = _weights(clf)
    with torch.no_grad():
        for parameter in copy.net_.module_.parameters():
            parameter.add_(1.0)
    assert all(torch.equal(before[k], v) for k, v in _weights(clf).items())


def test_network_state_needs_a_fitted_classifier_and_both_keys():
    from sklearn.exceptions import NotFittedError

    clf, n_features = _make("mlp", max_epochs=2, random_state=0)
    with pytest.raises(NotFittedError):
        clf.get_network_state()
    X, y = _data(n_features)
    state = clf.fit(X, y).get_network_state()
    missing = re.escape("['classes_', 'n_features_in_']")
    with pytest.raises(NotFittedError, match=missing):
        clone(clf).set_network_state(state)
    copy = clone(clf)
    copy.classes_, copy.n_features_in_ = clf.classes_, clf.n_features_in_
    with pytest.raises(ValueError, match="keys 'weights' and 'history'"):
        copy.set_network_state({"weights": state["weights"]})
    with pytest.raises(RuntimeError, match="size mismatch"):
        copy.set_params(hidden_layer_sizes=(5,)).set_network_state(state)


def test_neural_base_is_abstract():
    import inspect
    from abc import ABCMeta

    from micfp.neural._base import _BaseNeuralClassifier

    assert isinstance(_BaseNeuralClassifier, ABCMeta)
    assert inspect.isabstract(_BaseNeuralClassifier)

    class Incomplete(_BaseNeuralClassifier):
        pass

    with pytest.raises(TypeError, match="_build_module"):
        Incomplete()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a CPU-only machine")
def test_model_saved_from_cuda_loads_on_cpu_only_machine():
    clf, n_features = _make("mlp", max_epochs=3, random_state=0)
    X, y = _data(n_features)
    clf.fit(X, y)
    expected = clf.predict_proba(X)
    # A net pickled on a GPU machine records device="cuda"; loading it where
    # CUDA is absent must map its tensors to the CPU.
    clf.net_.device = "cuda"
    payload = pickle.dumps(clf)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        restored = pickle.loads(payload)
    assert torch.device(restored.net_.device).type == "cpu"
    assert any("CUDA" in str(w.message) for w in caught)
    np.testing.assert_array_equal(restored.predict_proba(X), expected)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no cuda device")
@pytest.mark.parametrize("key", IDS)
def test_cuda_training_predicts_and_round_trips(key):
    clf, n_features = _make(key, max_epochs=5, random_state=0, device="cuda")
    X, y = _data(n_features)
    clf.fit(X, y)
    assert next(clf.net_.module_.parameters()).is_cuda
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(X), expected)


@pytest.mark.parametrize("key", IDS)
def test_history_records_one_entry_per_epoch(key):
    clf, n_features = _make(key, max_epochs=12, random_state=0)
    X, y = _data(n_features)
    clf.fit(X, y)
    assert clf.n_epochs_ == len(clf.history_) == 12
    losses = clf.history_[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_early_stopping_stops_on_validation_loss_and_keeps_best():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    y = rng.integers(0, 2, size=80)  # no signal: validation loss soon rises
    clf = MLPClassifier(
        (64,),
        early_stopping=True,
        patience=3,
        max_epochs=300,
        lr=0.05,
        validation_fraction=0.25,
        random_state=0,
        **{k: v for k, v in TRAINING.items() if k != "lr"},
    ).fit(X, y)
    assert clf.n_epochs_ < 300
    valid = clf.history_[:, "valid_loss"]
    assert np.argmin(valid) == clf.n_epochs_ - 1 - 3


def test_step_schedule_divides_learning_rate_by_ten_every_20_epochs():
    X, y = _data(6)
    clf = MLPClassifier(
        (4,), lr_schedule="step", max_epochs=45, random_state=0, **TRAINING
    ).fit(X, y)
    lrs = np.asarray(clf.history_[:, "event_lr"])
    np.testing.assert_allclose(
        lrs[[0, 19, 20, 39, 40, 44]], 0.01 * np.array([1, 1, 0.1, 0.1, 0.01, 0.01])
    )


def test_verbose_prints_epoch_progress(capsys):
    X, y = _data(6)
    MLPClassifier((4,), max_epochs=3, random_state=0, **TRAINING).fit(X, y)
    assert capsys.readouterr().out == ""
    MLPClassifier((4,), max_epochs=3, verbose=1, random_state=0, **TRAINING).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert "train_loss" in lines[0]
    assert len(lines) == 2 + 3


@pytest.mark.parametrize(
    "dtype, torch_dtype", [("float32", torch.float32), ("float64", torch.float64)]
)
def test_dtype_sets_the_network_precision(dtype, torch_dtype):
    X, y = _data(6)
    params = {**TRAINING, "dtype": dtype}
    clf = MLPClassifier((4,), max_epochs=2, random_state=0, **params).fit(X, y)
    assert all(p.dtype == torch_dtype for p in clf.net_.module_.parameters())
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float64


def test_n_threads_is_restored_after_fit_and_predict():
    before = torch.get_num_threads()
    X, y = _data(6)
    clf = MLPClassifier((4,), max_epochs=2, random_state=0, **TRAINING).fit(X, y)
    clf.predict(X)
    assert torch.get_num_threads() == before


def test_grid_search_tunes_a_neural_classifier():
    X, y = _data(6, n_samples=60)
    search = GridSearchCV(
        MLPClassifier(max_epochs=5, random_state=0, **TRAINING),
        {"hidden_layer_sizes": [(), (8,)]},
        cv=2,
    ).fit(X, y)
    assert search.best_params_["hidden_layer_sizes"] in [(), (8,)]
    assert search.predict(X).shape == (60,)


BAD_FIT = [
    (
        MLPClassifier(dtype="float16"),
        4,
        ValueError,
        "The 'dtype' parameter of MLPClassifier must be a str among",
    ),
    (
        MLPClassifier(device="tpu"),
        4,
        ValueError,
        "The 'device' parameter of MLPClassifier must be a str among",
    ),
    (
        MLPClassifier(max_epochs=0),
        4,
        ValueError,
        "The 'max_epochs' parameter of MLPClassifier must be an int in the range",
    ),
    (
        MLPClassifier((4, -1)),
        4,
        ValueError,
        "hidden_layer_sizes must be a sequence of positive integers; got [4, -1]",
    ),
    (
        MLPClassifier((4,), n_parts=2, part_depth=2),
        4,
        ValueError,
        "part_depth=2 needs at least that many hidden layers",
    ),
    (
        MLPClassifier((8,), n_parts=5),
        4,
        ValueError,
        "n_parts=5 needs at least 5 input features",
    ),
    (
        CNNClassifier(()),
        4,
        ValueError,
        "channels must be a non-empty sequence of positive integers",
    ),
    (
        RNNClassifier(3),
        4,
        ValueError,
        "X must hold whole frames of frame_width=3 values (frame-major); "
        "got n_features=4",
    ),
    (
        PSTNNClassifier(4, frame_width=2),
        4,
        ValueError,
        "X after the supervector_size=4 columns must hold whole frames of "
        "frame_width=2 values (frame-major); got n_features=4, which leaves 0",
    ),
    (
        PSTNNClassifier(4, frame_width=2),
        7,
        ValueError,
        "got n_features=7, which leaves 3 values for frames",
    ),
    (
        PSTNNClassifier(5, frame_width=2),
        9,
        ValueError,
        "supervector_size=5 must be a multiple of frame_width=2",
    ),
    (
        PSTNNClassifier(4, frame_width=2, temporal_weight=0.6, spatial_weight=0.5),
        8,
        ValueError,
        "temporal_weight + spatial_weight must not exceed 1; got 0.6 + 0.5",
    ),
    (
        PSTNNClassifier(4, frame_width=2, spatial="vgg"),
        8,
        ValueError,
        "The 'spatial' parameter of PSTNNClassifier must be a str among",
    ),
    (
        RNNClassifier(2, recurrent_sizes=()),
        4,
        ValueError,
        "recurrent_sizes must be a non-empty sequence",
    ),
]


@pytest.mark.parametrize("clf, n_features, error, message", BAD_FIT)
def test_bad_parameters_and_layouts_raise_clear_errors(clf, n_features, error, message):
    X, y = _data(n_features)
    with pytest.raises(error, match=re.escape(message)):
        clone(clf).fit(X, y)


@pytest.mark.parametrize("key", IDS)
def test_bad_data_raises_clear_errors(key):
    clf, n_features = _make(key, max_epochs=1, random_state=0)
    X, y = _data(n_features)
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class"):
        clf.fit(X, np.full(len(X), "phone"))
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.fit(X_nan, y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match=f"is expecting {n_features} features"):
        clf.predict(X[:, :-1])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict_proba(X_nan)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a CPU-only machine")
def test_cuda_device_without_cuda_raises():
    X, y = _data(4)
    with pytest.raises(ValueError, match="no CUDA device is available"):
        MLPClassifier(device="cuda", max_epochs=1).fit(X, y)


def test_auto_device_trains_where_it_can():
    X, y = _data(6)
    clf = MLPClassifier((4,), device="auto", max_epochs=1, **TRAINING).fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert next(clf.net_.module_.parameters()).device.type == expected


@pytest.mark.parametrize(
    "params",
    [
        {"spatial": "cnn", "spatial_channels": (2, 3)},
        {"spatial": "resnet", "spatial_channels": (2,)},
        {"fusion": "concat"},
        {"temporal_weight": 0.0, "spatial_weight": 0.0},
        {"bidirectional": False, "lr_schedule": "constant"},
    ],
)
def test_pstnn_variants_train_and_predict(params):
    clf, n_features = _make("pstnn", max_epochs=15, random_state=0, **params)
    X, y = _data(n_features)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.6
