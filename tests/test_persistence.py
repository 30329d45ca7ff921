"""Saving fitted models: pickle, joblib and the safe format of micfp.persistence."""

import io
import json
import pickle
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import Bunch
from test_common import FAST_PARAMS, NOT_ROW_ESTIMATORS

from micfp.baselines import (
    make_bed_svm,
    make_classical_pipeline,
    make_gmm_ubm,
    make_gsv_svm,
)
from micfp.mixture import GaussianSupervector
from micfp.neural import MLPClassifier, make_pstnn_pipeline
from micfp.persistence import (
    InvalidModelFileError,
    UnsupportedValueError,
    UntrustedTypeError,
    get_untrusted_types,
    load_model,
    save_model,
)
from micfp.utils import all_estimators
from micfp.voting import SegmentVotingClassifier

SR = 8000
METHODS = ("transform", "predict", "predict_proba", "decision_function")
MFCC_SMALL = {
    "n_components": 2,
    "n_coefficients": 6,
    "n_filters": 12,
    "random_state": 0,
}


def estimator_instance(name, cls, **params):
    """The estimator with its FAST_PARAMS, seeded where it draws at random."""
    estimator = cls(**{**FAST_PARAMS.get(name, {}), **params})
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    return estimator


def feature_data():
    """Thirty rows of 32 values, three string-labelled classes."""
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b", "c"], 10)
    X = rng.normal(size=(30, 32)) + np.repeat([0.0, 1.0, 2.0], 10)[:, None]
    return X, y


def estimator_data(name):
    """Data an estimator can be fitted on: ``feature_data`` unless it needs others.

    Likelihood-ratio calibrators take one score column and two classes (H1,
    H2); an LR system needs enough devices to split them into background and
    calibration devices, with more than three rows each.
    """
    rng = np.random.default_rng(0)
    if name.endswith("LRCalibrator"):
        y = np.repeat([0, 1], 15)
        return rng.normal(2.0 * y, 1.0)[:, None], y
    if name == "DeviceLRSystem":
        y = np.repeat(np.arange(24), 5)
        centres = rng.normal(size=(24, 8))
        return centres[y] + rng.normal(size=(120, 8)), y
    return feature_data()


def clip_data():
    """Clips of two "devices" (white and darkened noise), four per recording."""
    rng = np.random.default_rng(0)
    white = rng.normal(0, 0.1, (12, 2000))
    dark = np.cumsum(rng.normal(0, 0.1, (12, 2000)), axis=1) * 0.05
    X = np.vstack([white, dark])
    y = np.repeat(["white", "dark"], 12)
    groups = np.arange(24) // 4
    return X, y, groups


PIPELINES = {
    "gmm_ubm": lambda: make_gmm_ubm(SR, **MFCC_SMALL),
    "gsv_svm": lambda: make_gsv_svm(SR, **MFCC_SMALL),
    "bed_svm": lambda: make_bed_svm(SR, frame_length=256),
    "classical": lambda: make_classical_pipeline(SR, n_components=4),
    "pstnn": lambda: make_pstnn_pipeline(
        SR,
        **MFCC_SMALL,
        spatial_hidden_sizes=(),
        embedding_size=8,
        recurrent_sizes=(4,),
        backend_hidden_sizes=(),
        max_epochs=3,
        n_threads=1,
    ),
    "voting": lambda: SegmentVotingClassifier(
        make_classical_pipeline(SR, LogisticRegression(), n_components=4)
    ),
    "voting_segments": lambda: SegmentVotingClassifier(
        make_pipeline(StandardScaler(), LogisticRegression()),
        fit_on="segments",
        n_segments=4,
    ),
}


def outputs(model, X, groups=None):
    """Every output of ``model`` on ``X``, by method name."""
    result = {m: getattr(model, m)(X) for m in METHODS if hasattr(model, m)}
    if isinstance(model, SegmentVotingClassifier):
        result["predict_groups"] = model.predict(X, groups=groups)
    if hasattr(model, "score_matrix"):
        result["score_matrix"] = model.score_matrix(X, X)
    if hasattr(model, "predict_llr"):
        result["predict_llr"] = model.predict_llr(X[:3], X)
    assert result
    return result


@pytest.fixture(scope="module")
def fitted():
    """Every estimator and library pipeline, fitted, with data to call it on."""
    cases = {}
    for name, cls in all_estimators():
        if name in NOT_ROW_ESTIMATORS:
            continue
        X, y = estimator_data(name)
        cases[name] = (estimator_instance(name, cls).fit(X, y), X, None)
    X, y, groups = clip_data()
    for name, make in PIPELINES.items():
        cases[name] = (make().fit(X, y), X, groups)
    return cases


def _pickle(model, tmp_path):
    return pickle.loads(pickle.dumps(model))


def _joblib(model, tmp_path):
    joblib.dump(model, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib")


def _safe(model, tmp_path):
    save_model(model, tmp_path / "model.micfp")
    return load_model(tmp_path / "model.micfp")


CASES = [name for name, _ in all_estimators() if name not in NOT_ROW_ESTIMATORS] + list(
    PIPELINES
)


@pytest.mark.parametrize("round_trip", [_pickle, _joblib, _safe])
@pytest.mark.parametrize("name", CASES)
def test_round_trip_gives_identical_outputs(fitted, name, round_trip, tmp_path):
    model, X, groups = fitted[name]
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is type(model)
    assert loaded is not model
    expected = outputs(model, X, groups)
    got = outputs(loaded, X, groups)
    assert got.keys() == expected.keys()
    for method, value in expected.items():
        np.testing.assert_array_equal(got[method], value, err_msg=method)
        assert got[method].dtype == value.dtype


def test_safe_format_rebuilds_the_network_parts(fitted):
    model = fitted["PSTNNClassifier"][0]
    file = io.BytesIO()
    save_model(model, file)
    loaded = load_model(file)
    assert loaded.get_params() == model.get_params()
    assert loaded.n_epochs_ == model.n_epochs_ == len(loaded.history_)
    assert loaded.history_ is loaded.net_.history
    assert list(loaded.history_) == list(model.history_)
    for key, tensor in model.net_.module_.state_dict().items():
        assert torch.equal(loaded.net_.module_.state_dict()[key], tensor), key
    # A loaded network refits like a new one.
    X, y = feature_data()
    refit = loaded.fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(refit, clone(model).fit(X, y).predict_proba(X))


def test_safe_format_keeps_pandas_feature_names():
    X, y = feature_data()
    frame = pd.DataFrame(X, columns=[f"band{i}" for i in range(X.shape[1])])
    labels = pd.Series(y, dtype=object)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, labels)
    assert model.classes_.dtype == object
    file = io.BytesIO()
    save_model(model, file)
    loaded = load_model(file)
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    assert loaded.classes_.dtype == object
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))


def test_safe_format_round_trips_plain_values():
    shared = np.arange(6.0).reshape(2, 3)
    rng = np.random.RandomState(3)
    generator = np.random.default_rng(4)
    values = {
        "none": None,
        "flags": [True, False],
        "big": 2**80,
        "floats": (0.1, -0.0, 1e300, float("inf"), float("-inf")),
        "nan": float("nan"),
        "text": "micro\u00e9phone",
        "bytes": b"\x00\xff",
        "slice": slice(2, None, np.int64(3)),
        "sets": [{3, 1, 2}, frozenset({"a"})],
        (1, "tuple key"): {"nested": [1, [2, (3,)]]},
        "fortran": np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)),
        "arrays": [
            np.array([1, 2], dtype=np.int8),
            np.array([True]),
            np.array(["ab", "c"]),
            np.array([b"x"]),
            np.array(["2024-01-01"], dtype="datetime64[ns]"),
            np.array([1 + 2j]),
            np.array(7.5),
            np.empty((0, 3)),
        ],
        "labels": np.array(["dev", 3, None, 1.5], dtype=object),
        "scalars": [
            np.float32(0.1),
            np.int16(-3),
            np.bool_(True),
            np.str_("s"),
            np.str_(""),
            np.bytes_(b""),
            np.datetime64("2024-05-01T12:00", "s"),
        ],
        "dtypes": [np.dtype("float32"), np.dtype(">i4"), np.dtype("U3")],
        "types": [float, int, str, np.float32, np.int64, np.floating],
        "shared": [shared, shared],
        "bunch": Bunch(first=np.arange(3), second="b"),
        "masked": np.ma.MaskedArray([1.0, 2.0], mask=[False, True], fill_value=-1.0),
        "random_state": rng,
        "generator": generator,
    }
    file = io.BytesIO()
    save_model(values, file)
    loaded = load_model(file)
    assert set(loaded) == set(values)
    for key in ("none", "flags", "big", "text", "bytes", "sets", (1, "tuple key")):
        assert loaded[key] == values[key]
        assert type(loaded[key]) is type(values[key])
    assert loaded["floats"] == values["floats"]
    assert np.signbit(loaded["floats"][1])
    assert type(loaded["nan"]) is float and np.isnan(loaded["nan"])
    assert loaded["slice"] == values["slice"]
    np.testing.assert_array_equal(loaded["fortran"], values["fortran"])
    assert loaded["fortran"].flags.f_contiguous
    for got, expected in zip(loaded["arrays"], values["arrays"], strict=True):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    assert loaded["labels"].dtype == object
    assert loaded["labels"].tolist() == values["labels"].tolist()
    for got, expected in zip(loaded["scalars"], values["scalars"], strict=True):
        assert type(got) is type(expected) and got == expected
    assert loaded["dtypes"] == values["dtypes"]
    assert all(a is b for a, b in zip(loaded["types"], values["types"], strict=True))
    assert loaded["shared"][0] is loaded["shared"][1]
    assert type(loaded["bunch"]) is Bunch
    assert list(loaded["bunch"]) == ["first", "second"]
    np.testing.assert_array_equal(loaded["bunch"].first, np.arange(3))
    assert loaded["bunch"].second == "b"
    assert type(loaded["masked"]) is np.ma.MaskedArray
    np.testing.assert_array_equal(loaded["masked"].mask, [False, True])
    assert loaded["masked"].filled().tolist() == [1.0, -1.0]
    assert loaded["random_state"].randint(1000, size=5).tolist() == (
        rng.randint(1000, size=5).tolist()
    )
    assert loaded["generator"].integers(1000, size=5).tolist() == (
        generator.integers(1000, size=5).tolist()
    )


def test_safe_format_saves_a_grid_search():
    X, y, groups = clip_data()
    search = GridSearchCV(
        make_bed_svm(SR, frame_length=256), {"svm__C": [0.1, 1.0]}, cv=GroupKFold(2)
    ).fit(X, y, groups=groups)
    loaded = load_model(_saved(search))
    expected = search.decision_function(X)
    np.testing.assert_array_equal(loaded.decision_function(X), expected)
    for key, value in search.cv_results_.items():
        np.testing.assert_array_equal(loaded.cv_results_[key], value, err_msg=key)


def test_safe_format_saves_an_ensemble_of_micfp_models():
    X, y, _ = clip_data()
    voting = VotingClassifier(
        [("bed", PIPELINES["bed_svm"]()), ("classical", PIPELINES["classical"]())]
    ).fit(X, y)
    assert isinstance(voting.named_estimators_, Bunch)
    loaded = load_model(_saved(voting))
    assert list(loaded.named_estimators_) == ["bed", "classical"]
    assert loaded.named_estimators_.bed is loaded.estimators_[0]
    np.testing.assert_array_equal(loaded.predict(X), voting.predict(X))


def test_safe_format_keeps_shared_estimators_shared():
    scaler = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    file = io.BytesIO()
    save_model({"first": scaler, "second": [scaler]}, file)
    loaded = load_model(file)
    assert loaded["first"] is loaded["second"][0]


class Gain:
    """A user's class, defined where it can be imported by name."""

    def __init__(self, factor):
        self.factor = factor


GAIN = f"{__name__}.Gain"


class Gains(list):
    """A user's list subclass, whose content is no attribute."""


def _identity(x):
    return x


@pytest.mark.parametrize(
    "model, path",
    [
        (FunctionTransformer(func=np.log1p), "model.func: it is a function (log1p)"),
        (
            make_pipeline(FunctionTransformer(_identity), StandardScaler()),
            "model.steps[0][1].func: it is a function (_identity)",
        ),
        ({"f": lambda x: x}, "model['f']: it is a function (<lambda>)"),
        ([Gain(2)], f"model[0]: it is an instance of {GAIN}, which is not trusted"),
        (Gains([1]), f"model: it is an instance of {GAIN}s, which is not trusted"),
        (
            np.zeros(2, dtype=[("a", "f8")]),
            "model: it is an array of dtype dtype([('a', '<f8')])",
        ),
        (np.matrix([[1.0]]), "model: it is an instance of numpy.matrix"),
        (io.BytesIO(), "model: it is an instance of _io.BytesIO"),
        (torch.zeros(2), "model: it is an instance of torch.Tensor"),
    ],
)
def test_save_refuses_what_it_cannot_load_safely(model, path, tmp_path):
    target = tmp_path / "model.micfp"
    with pytest.raises(UnsupportedValueError, match=re.escape(f"Cannot save {path}")):
        save_model(model, target)
    assert not target.exists()


def test_save_refuses_a_trusted_sequence_subclass():
    with pytest.raises(UnsupportedValueError, match="a subclass of a sequence"):
        save_model(Gains([1]), io.BytesIO(), trusted=[Gains])


def test_save_refuses_a_container_that_holds_itself():
    loop = []
    loop.append(loop)
    with pytest.raises(UnsupportedValueError, match=r"model\[0\]: .* holds itself"):
        save_model(loop, io.BytesIO())


def test_trusted_classes_save_and_load_only_when_trusted():
    file = io.BytesIO()
    save_model({"gain": Gain(3)}, file, trusted=[Gain])
    assert get_untrusted_types(file) == [GAIN]
    assert get_untrusted_types(file, trusted=GAIN) == []
    with pytest.raises(UntrustedTypeError, match=re.escape(f"trusted=['{GAIN}']")):
        load_model(file)
    for trusted in ([GAIN], Gain, GAIN):
        assert load_model(file, trusted=trusted)["gain"].factor == 3


@pytest.mark.parametrize("trusted", [[1], [None], 2.5])
def test_trusted_must_name_classes(trusted):
    with pytest.raises(TypeError, match="trusted must hold classes or full class"):
        save_model(StandardScaler(), io.BytesIO(), trusted=trusted)


def test_saving_and_loading_without_a_network_does_not_import_torch():
    code = (
        "import io, sys\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from micfp.persistence import load_model, save_model\n"
        "f = io.BytesIO()\n"
        "save_model(StandardScaler().fit([[0.0], [1.0]]), f)\n"
        "load_model(f)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_load_warns_when_scikit_learn_versions_differ():
    file = io.BytesIO()
    save_model(StandardScaler().fit([[0.0], [1.0]]), file)
    manifest = _manifest(file)
    manifest["model"]["attributes"]["_sklearn_version"] = "0.1"
    with pytest.warns(InconsistentVersionWarning):
        load_model(_rewrite(file, manifest=manifest))


# Tampered files. A payload unpickles to a call of ``open(marker, "w")``, which
# creates the marker file: loading must refuse it without making the call.


class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def _saved(model):
    file = io.BytesIO()
    save_model(model, file)
    return file


def _manifest(file):
    with zipfile.ZipFile(io.BytesIO(file.getvalue())) as archive:
        return json.loads(archive.read("manifest.json"))


def _rewrite(file, *, manifest=None, members=None, drop=()):
    """A copy of the archive with a new manifest or members."""
    members = dict(members or {})
    if manifest is not None:
        members["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(file.getvalue())) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for name in source.namelist():
            if name not in drop and name not in members:
                target.writestr(name, source.read(name))
        for name, data in members.items():
            target.writestr(name, data)
    out.seek(0)
    return out


@pytest.fixture(scope="module")
def small_network():
    X, y = feature_data()
    return MLPClassifier(
        (4,), max_epochs=2, n_threads=1, dtype="float64", random_state=0
    ).fit(X, y)


def _object_node(cls_name, **attributes):
    return {"kind": "object", "id": 0, "class": cls_name, "attributes": attributes}


@pytest.mark.parametrize(
    "name",
    [
        "os.system",
        "builtins.eval",
        "builtins.open",
        "subprocess.Popen",
        "posix.system",
        "micfp.io._recordings.Recordings",  # micfp, but not an estimator
        "sklearn.utils._param_validation.Integral",  # numbers.Integral, imported
        "sklearn.base.copy",  # a module reached through sklearn.base
        "sklearn.tests.test_base.MyEstimator",  # test code is not trusted
        "sklearn.no_such_module.Thing",
        "not a name",
    ],
)
def test_untrusted_class_names_are_refused_before_anything_runs(name, tmp_path):
    marker = tmp_path / "marker"
    args = {"kind": "list", "items": ["touch", str(marker)]}
    node = _object_node(name, args=args, cmd=f"touch {marker}")
    manifest = _manifest(_saved(StandardScaler()))
    manifest["model"] = {"kind": "list", "items": [node]}
    file = _rewrite(_saved(StandardScaler()), manifest=manifest)
    assert get_untrusted_types(file) == [name]
    with pytest.raises(UntrustedTypeError, match=re.escape(repr(name))) as info:
        load_model(file)
    assert info.value.types == [name]
    assert isinstance(info.value, ValueError)
    assert not marker.exists()


def test_modules_of_untrusted_names_are_not_imported(tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    module = "micfp_import_side_effect"
    (tmp_path / f"{module}.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\nclass Thing:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest = _manifest(_saved(StandardScaler()))
    manifest["model"] = _object_node(f"{module}.Thing")
    file = _rewrite(_saved(StandardScaler()), manifest=manifest)
    assert get_untrusted_types(file) == [f"{module}.Thing"]
    with pytest.raises(UntrustedTypeError):
        load_model(file)
    assert not marker.exists()
    assert module not in sys.modules


@pytest.mark.parametrize("name", ["builtins.eval", "os.system", "sklearn.base.copy"])
def test_trusting_a_name_that_is_no_class_still_builds_nothing(name):
    manifest = _manifest(_saved(StandardScaler()))
    manifest["model"] = _object_node(name)
    file = _rewrite(_saved(StandardScaler()), manifest=manifest)
    with pytest.raises(InvalidModelFileError, match="is not a class that can be"):
        load_model(file, trusted=[name])


def test_object_array_payload_is_refused(tmp_path):
    marker = tmp_path / "marker"
    file = _saved(StandardScaler().fit([[0.0], [1.0]]))
    manifest = _manifest(file)
    name = manifest["model"]["attributes"]["mean_"]["file"]
    payload = io.BytesIO()
    np.save(payload, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    tampered = _rewrite(file, members={name: payload.getvalue()})
    with pytest.raises(InvalidModelFileError, match="is not a valid array"):
        load_model(tampered)
    assert not marker.exists()


def test_pickled_object_in_the_weights_is_refused(small_network, tmp_path):
    marker = tmp_path / "marker"
    file = _saved(small_network)
    name = _manifest(file)["model"]["weights"]
    payload = io.BytesIO()
    torch.save({"module.0.weight": _Payload(marker)}, payload)
    assert not marker.exists()
    tampered = _rewrite(file, members={name: payload.getvalue()})
    with pytest.raises(InvalidModelFileError, match="is not a file of tensors"):
        load_model(tampered)
    assert not marker.exists()


@pytest.mark.parametrize(
    "weights, match",
    [
        ({"w": 1}, "does not map names to tensors"),
        ([torch.zeros(1)], "does not map names to tensors"),
        ({"w": torch.zeros(1)}, "the network cannot be rebuilt"),
    ],
)
def test_weights_must_be_the_networks_tensors(small_network, weights, match):
    file = _saved(small_network)
    name = _manifest(file)["model"]["weights"]
    data = io.BytesIO()
    torch.save(weights, data)
    with pytest.raises(InvalidModelFileError, match=match):
        load_model(_rewrite(file, members={name: data.getvalue()}))


def test_weights_of_the_wrong_shape_are_refused(small_network):
    file = _saved(small_network)
    name = _manifest(file)["model"]["weights"]
    state = {k: v[..., :1] for k, v in small_network.net_.module_.state_dict().items()}
    data = io.BytesIO()
    torch.save(state, data)
    with pytest.raises(InvalidModelFileError, match="the network cannot be rebuilt"):
        load_model(_rewrite(file, members={name: data.getvalue()}))


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the absence of CUDA")
def test_network_trained_on_cuda_loads_on_the_cpu(small_network):
    file = _saved(small_network)
    manifest = _manifest(file)
    manifest["model"]["attributes"]["device"] = "cuda"
    with pytest.warns(UserWarning, match="no CUDA device is available"):
        loaded = load_model(_rewrite(file, manifest=manifest))
    assert loaded.device == "cuda"
    assert torch.device(loaded.net_.device).type == "cpu"
    X, _ = feature_data()
    expected = small_network.predict_proba(X)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no cuda device")
def test_cuda_network_round_trips_through_the_safe_format():
    X, y = feature_data()
    model = MLPClassifier((8,), max_epochs=3, device="cuda", random_state=0).fit(X, y)
    loaded = load_model(_saved(model))
    assert next(loaded.net_.module_.parameters()).is_cuda
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_corrupted_archives_are_refused(small_network):
    data = _saved(small_network).getvalue()
    with pytest.raises(InvalidModelFileError, match="not a zip archive"):
        load_model(io.BytesIO(b"\x00" * 100))
    with pytest.raises(InvalidModelFileError, match="not a zip archive"):
        load_model(io.BytesIO(data[: len(data) // 2]))
    # A flipped byte inside the stored array: its checksum no longer matches.
    start = data.index(b"\x93NUMPY")
    header_end = data.index(b"\n", start) + 1
    flipped = bytearray(data)
    flipped[header_end] ^= 0xFF
    with pytest.raises(InvalidModelFileError, match=r"damaged|not a valid array"):
        load_model(io.BytesIO(bytes(flipped)))
    with pytest.raises(InvalidModelFileError, match=r"holds no 'manifest.json'"):
        load_model(_rewrite(_saved(StandardScaler()), drop=["manifest.json"]))


def _scaler_manifest():
    return _manifest(_saved(StandardScaler().fit([[0.0], [1.0]])))


def _set(path, value):
    """A change to the manifest: set the item at ``path`` (keys) to ``value``."""

    def change(manifest):
        node = manifest
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return manifest

    return change


MODEL = ("model",)
ATTRS = ("model", "attributes")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda m: [m], "manifest: not a JSON object"),
        (_set(("format",), "zip"), "not a micfp model file"),
        (_set(("version",), "1"), "no format version"),
        (_set(("version",), 99), "format version 99 is newer"),
        (lambda m: {k: v for k, v in m.items() if k != "model"}, "no model"),
        (_set(MODEL, [1, 2]), "model: a node cannot be a JSON list"),
        (_set(MODEL, {"a": 1}), "model: unknown kind None"),
        (_set((*MODEL, "kind"), "pickle"), "model: unknown kind 'pickle'"),
        (_set((*MODEL, "code"), "x"), "'object' nodes have the keys"),
        (_set((*MODEL, "id"), "0"), "'id' must be a non-negative integer"),
        (_set((*MODEL, "class"), 3), "'class' must be a string"),
        (_set((*MODEL, "attributes"), []), "'attributes' must be a JSON object"),
        (
            _set((*ATTRS, "copy"), {"kind": "ref", "id": 7}),
            "model.copy: refers to no earlier node",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "list", "items": {}}),
            "model.copy: 'items' must be a list",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "dict", "items": [[1]]}),
            "a dict item must be a [key, value] pair",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "dict", "items": [[[1], 2]]}),
            "a node cannot be a JSON list",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "float", "value": "1e999"}),
            "is not a non-finite float",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "dtype", "value": "|O"}),
            "'|O' is not a plain dtype",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "dtype", "value": "[('a', '<f8')]"}),
            "is not a plain dtype",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "scalar", "dtype": "<f8", "hex": "00"}),
            "1 bytes do not make one float64 value",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "scalar", "dtype": "<f8", "hex": "zz"}),
            "'hex' is not hexadecimal",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "type", "value": "os.system"}),
            "'os.system' is not a known scalar type",
        ),
        (
            _set(
                (*ATTRS, "copy"),
                {"kind": "object_array", "id": 9, "shape": [2], "items": [1]},
            ),
            "1 items do not fill the shape (2,)",
        ),
        (
            _set(
                (*ATTRS, "copy"),
                {"kind": "object_array", "id": 9, "shape": [-1], "items": []},
            ),
            "'shape' must be a list of non-negative integers",
        ),
        (
            _set(
                (*ATTRS, "copy"),
                {"kind": "set", "items": [{"kind": "list", "items": []}]},
            ),
            "a set of unhashable items",
        ),
        (
            _set((*ATTRS, "mean_", "file"), "arrays/missing.npy"),
            "the archive holds no 'arrays/missing.npy'",
        ),
        (
            _set((*ATTRS, "copy"), {"kind": "random_state", "id": 9, "state": 1}),
            "not the state of a RandomState",
        ),
        (
            _set(
                (*ATTRS, "copy"),
                {"kind": "random_state", "id": 9, "state": {"kind": "ref", "id": 9}},
            ),
            "refers to a value that is still being built",
        ),
        (
            _set(
                (*ATTRS, "copy"),
                {"kind": "generator", "id": 9, "state": {"kind": "list", "items": []}},
            ),
            "not the state of a known bit generator",
        ),
        (_set((*MODEL, "kind"), "network"), "'network' nodes have the keys"),
        (
            lambda m: {**m, "model": {**m["model"], "kind": "mapping", "items": []}},
            "StandardScaler is not a dict",
        ),
        (
            lambda m: {
                **m,
                "model": {
                    **m["model"],
                    "kind": "network",
                    "weights": "w",
                    "history": [],
                },
            },
            "model.history_: a node cannot be a JSON list",
        ),
        (
            lambda m: {
                **m,
                "model": {
                    **m["model"],
                    "kind": "network",
                    "weights": "w",
                    "history": {"kind": "list", "items": []},
                },
            },
            "sklearn.preprocessing._data.StandardScaler is not a micfp network",
        ),
    ],
)
def test_manifests_that_break_the_format_are_refused(change, match):
    file = _saved(StandardScaler().fit([[0.0], [1.0]]))
    manifest = change(_scaler_manifest())
    with pytest.raises(InvalidModelFileError, match=re.escape(match)):
        load_model(_rewrite(file, manifest=manifest))


@pytest.mark.parametrize(
    "text, match",
    [
        (b"\xff\xfe", "its manifest is not valid JSON"),
        (b"{", "its manifest is not valid JSON"),
        (b'{"format": NaN}', "NaN is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON|nested too deeply"),
    ],
)
def test_unreadable_manifests_are_refused(text, match):
    file = _rewrite(_saved(StandardScaler()), members={"manifest.json": text})
    with pytest.raises(InvalidModelFileError, match=match):
        load_model(file)
    with pytest.raises(InvalidModelFileError, match=match):
        get_untrusted_types(file)


@pytest.mark.parametrize("depth", [400, 5000])
def test_deeply_nested_manifests_fail_cleanly(depth):
    node = '{"kind": "list", "items": [' * depth + "1" + "]}" * depth
    text = '{"format": "micfp-model", "version": 1, "model": ' + node + "}"
    file = _rewrite(_saved(StandardScaler()), members={"manifest.json": text.encode()})
    try:
        model = load_model(file)
    except InvalidModelFileError as error:
        assert re.search("nested too deeply|not valid JSON", str(error))
    else:
        for _ in range(depth):
            (model,) = model
        assert model == 1


def test_files_and_paths(tmp_path):
    X = np.random.default_rng(0).normal(size=(10, 60))
    gsv = GaussianSupervector(2, frame_width=3, random_state=0).fit(X)
    for target in (tmp_path / "a.micfp", str(tmp_path / "b.micfp")):
        save_model(gsv, target)
        np.testing.assert_array_equal(load_model(target).transform(X), gsv.transform(X))
        assert get_untrusted_types(target) == []
    with open(tmp_path / "c.micfp", "wb") as handle:
        save_model(gsv, handle)
    with open(tmp_path / "c.micfp", "rb") as handle:
        np.testing.assert_array_equal(load_model(handle).transform(X), gsv.transform(X))
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.micfp")


GUIDE = Path(__file__).parents[1] / "docs" / "user_guide" / "persistence.rst"


def test_user_guide_code_runs(tmp_path, monkeypatch):
    text = GUIDE.read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text)
    assert len(blocks) == text.count(".. code-block:: python") > 0
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(textwrap.dedent(block), str(GUIDE), "exec"), namespace)
    assert (tmp_path / "device_model.micfp").is_file()
