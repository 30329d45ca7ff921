"""make_pstnn_pipeline: features and PSTNN in one scikit-learn Pipeline."""

import re

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold

from micfp.neural import make_pstnn_pipeline

SR = 8000
SMALL = dict(
    n_components=2,
    spatial_hidden_sizes=(),
    embedding_size=8,
    recurrent_sizes=(6,),
    backend_hidden_sizes=(6,),
    max_epochs=8,
    lr=0.01,
    n_threads=1,
    dtype="float64",
    random_state=0,
)


def _clips(n_per_class=8, n_samples=3000):
    rng = np.random.default_rng(0)
    white = rng.normal(0, 0.1, (n_per_class, n_samples))
    dark = np.cumsum(rng.normal(0, 0.1, (n_per_class, n_samples)), axis=1) * 0.05
    X = np.vstack([white, dark])
    y = np.repeat(["white", "dark"], n_per_class)
    groups = np.tile(np.arange(n_per_class) // 2, 2)
    return X, y, groups


def test_union_output_matches_the_classifier_layout():
    X, y, _ = _clips()
    pipe = make_pstnn_pipeline(SR, **SMALL)
    features = pipe[:-1].fit_transform(X, y)
    pstnn = pipe["pstnn"]
    frame_width = 13 * 3
    assert pstnn.frame_width == frame_width
    assert pstnn.supervector_size == 2 * frame_width
    names = pipe[:-1].get_feature_names_out()
    assert len(names) == features.shape[1]
    n_supervector = sum(name.startswith("supervector__") for name in names)
    assert n_supervector == pstnn.supervector_size
    assert all(name.startswith("frames__") for name in names[n_supervector:])
    assert (features.shape[1] - n_supervector) % frame_width == 0


def test_pipeline_fits_predicts_and_runs_through_pandas():
    X, y, _ = _clips()
    pipe = make_pstnn_pipeline(SR, **SMALL).set_output(transform="pandas")
    pipe.fit(X, y)
    assert set(pipe.predict(X)) <= {"white", "dark"}
    assert pipe.predict_proba(X).shape == (len(X), 2)
    frame = pipe[:-1].transform(X)
    assert list(frame.columns) == list(pipe[:-1].get_feature_names_out())
    np.testing.assert_array_equal(pipe["pstnn"].feature_names_in_, frame.columns)


def test_scale_false_leaves_out_the_scaler():
    pipe = make_pstnn_pipeline(SR, scale=False, **SMALL)
    assert [name for name, _ in pipe.steps] == ["mfcc", "union", "pstnn"]


def test_extra_parameters_reach_the_classifier():
    pipe = make_pstnn_pipeline(SR, fusion="concat", spatial="cnn", **SMALL)
    assert pipe["pstnn"].fusion == "concat"
    assert pipe["pstnn"].spatial == "cnn"


def test_grid_search_tunes_network_and_matching_feature_sizes():
    X, y, groups = _clips()
    grid = [
        {"pstnn__fusion": ["attention", "concat"]},
        {
            "union__supervector__n_components": [3],
            "pstnn__supervector_size": [3 * 39],
        },
    ]
    search = GridSearchCV(make_pstnn_pipeline(SR, **SMALL), grid, cv=GroupKFold(2))
    search.fit(X, y, groups=groups)
    assert len(search.cv_results_["params"]) == 3
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_mismatched_supervector_size_is_caught_through_feature_names():
    X, y, _ = _clips()
    pipe = make_pstnn_pipeline(SR, **SMALL).set_output(transform="pandas")
    pipe.set_params(union__supervector__n_components=3)
    message = "start with 117 columns named 'supervector__...', but supervector_size=78"
    with pytest.raises(ValueError, match=re.escape(message)):
        pipe.fit(X, y)


def test_frames_that_do_not_fit_the_declared_width_raise():
    X, y, _ = _clips()
    pipe = make_pstnn_pipeline(SR, **SMALL)
    pipe.set_params(pstnn__frame_width=40, pstnn__supervector_size=80)
    with pytest.raises(ValueError, match="must hold whole frames of frame_width=40"):
        pipe.fit(X, y)
