"""Normalisation of log spectra per clip and per recording."""

import re

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from micfp.exceptions import AudioValueError
from micfp.features import SpectralNormalizer, normalize_by_clip, normalize_by_group


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    groups = np.repeat(["r1", "r2", "r3"], 10)
    return X, groups


@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_by_clip_removes_a_gain(data, statistic):
    X, _ = data
    shifted = X + np.arange(len(X))[:, None]
    out = SpectralNormalizer(statistic=statistic).fit_transform(shifted)
    np.testing.assert_allclose(out, normalize_by_clip(X, statistic=statistic))
    centre = np.mean if statistic == "mean" else np.median
    np.testing.assert_allclose(centre(out, axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("statistic", ["mean", "median"])
@pytest.mark.parametrize("scale", [False, True])
def test_by_group_uses_each_groups_rows_only(data, statistic, scale):
    X, groups = data
    out = normalize_by_group(X, groups, statistic=statistic, scale=scale)
    centre = np.mean if statistic == "mean" else np.median
    for g in np.unique(groups):
        block = X[groups == g] - centre(X[groups == g], axis=0)
        if scale:
            block = block / block.std(axis=0)
        np.testing.assert_allclose(out[groups == g], block)
        # Another group's values do not change this group's output.
    changed = X.copy()
    changed[groups == "r3"] *= 100
    again = normalize_by_group(changed, groups, statistic=statistic, scale=scale)
    np.testing.assert_allclose(again[groups != "r3"], out[groups != "r3"])


def test_by_group_removes_a_per_recording_offset(data):
    X, groups = data
    offsets = np.where(groups == "r2", 5.0, 0.0)[:, None] * np.linspace(0, 1, 6)
    norm = SpectralNormalizer(by="recording")
    np.testing.assert_allclose(
        norm.fit_transform(X + offsets, groups=groups),
        norm.transform(X, groups=groups),
    )


def test_constant_feature_is_left_when_scaling():
    X = np.column_stack([np.ones(4), np.arange(4.0)])
    out = normalize_by_group(X, [0, 0, 1, 1], scale=True)
    np.testing.assert_allclose(out, [[0, -1], [0, 1], [0, -1], [0, 1]])


def test_routed_through_a_pipeline(data):
    X, groups = data
    y = np.tile([0, 1], 15)
    with sklearn.config_context(enable_metadata_routing=True):
        norm = SpectralNormalizer(by="recording").set_fit_request(groups=True)
        norm.set_transform_request(groups=True)
        pipe = make_pipeline(norm, LogisticRegression()).fit(X, y, groups=groups)
        direct = LogisticRegression().fit(normalize_by_group(X, groups), y)
        np.testing.assert_allclose(
            pipe.predict_proba(X, groups=groups),
            direct.predict_proba(normalize_by_group(X, groups)),
        )
        with pytest.raises(ValueError, match=re.escape("needs groups")):
            pipe.predict(X)


def test_missing_or_wrong_groups(data):
    X, groups = data
    norm = SpectralNormalizer(by="recording")
    with pytest.raises(
        ValueError, match=re.escape("set_transform_request(groups=True)")
    ):
        norm.fit(X)
    fitted = clone(norm).fit(X, groups=groups)
    with pytest.raises(ValueError, match="needs groups"):
        fitted.transform(X)
    with pytest.raises(
        ValueError, match=re.escape("X has 30 rows, groups has shape (29,)")
    ):
        fitted.transform(X, groups=groups[:-1])


def test_bad_values_and_parameters(data):
    X, _ = data
    X = X.copy()
    X[3, 2] = np.nan
    with pytest.raises(AudioValueError, match="NaN or infinite values"):
        SpectralNormalizer().fit(X)
    with pytest.raises(ValueError, match="The 'by' parameter"):
        SpectralNormalizer(by="device").fit(data[0])
    with pytest.raises(ValueError, match="The 'statistic' parameter"):
        SpectralNormalizer(statistic="max").fit(data[0])


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda X, g: normalize_by_clip(X, statistic="max"),
            "The 'statistic' parameter of normalize_by_clip",
        ),
        (
            lambda X, g: normalize_by_group(X, g, scale="yes"),
            "The 'scale' parameter of normalize_by_group",
        ),
        (
            lambda X, g: normalize_by_group(X, g[:-1]),
            "X has 30 rows, groups has shape (29,)",
        ),
    ],
)
def test_function_parameter_errors(data, call, match):
    X, groups = data
    with pytest.raises(ValueError, match=re.escape(match)):
        call(X, groups)


def test_feature_names_and_dtype(data):
    X, _ = data
    norm = SpectralNormalizer().fit(X.astype(np.float32))
    assert norm.transform(X.astype(np.float32)).dtype == np.float32
    assert list(norm.get_feature_names_out()) == [f"x{i}" for i in range(6)]
