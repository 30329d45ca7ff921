import itertools
import json

import numpy as np
import pytest

from micfp.datasets import make_recordings, make_spliced
from micfp.io import Recordings

SR = 8000
FAST = {"sr": SR, "segment_duration": (1.0, 2.0), "n_devices": 4}


def _make(n=4, **kwargs):
    return make_spliced(n, **{**FAST, **kwargs})


def test_returns_recordings_and_boundaries_inside_each_recording():
    rec, boundaries, params = _make(6, random_state=0, return_params=True)
    assert isinstance(rec, Recordings)
    assert len(rec) == len(boundaries) == len(params["recordings"]) == 6
    for x, b, info in zip(rec.signals, boundaries, params["recordings"], strict=True):
        assert x.ndim == 1 and np.all(np.abs(x) <= 1.0)
        assert np.all(np.diff(b) > 0)
        assert np.all((b > 0) & (b < len(x) / SR))
        segments = info["segments"]
        assert len(segments) == len(b) + 1
        np.testing.assert_allclose([s[0] for s in segments[1:]], b)
        devices = [s[2] for s in segments]
        assert all(a != c for a, c in itertools.pairwise(devices))
        lengths = np.diff([s[0] for s in segments] + [segments[-1][1]])
        if len(b):
            assert np.all((lengths >= 1.0 - 1 / SR) & (lengths <= 2.0 + 1 / SR))
    json.dumps(params)


def test_same_seed_same_output_and_n_jobs_does_not_matter():
    a, ba = _make(3, random_state=5)
    b, bb = _make(3, random_state=5, n_jobs=2)
    for x, y in zip(a.signals, b.signals, strict=True):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(ba, bb, strict=True):
        np.testing.assert_array_equal(x, y)


def test_fixed_number_of_splices_and_pristine():
    _, boundaries = _make(3, n_splices=2, random_state=0)
    assert [len(b) for b in boundaries] == [2, 2, 2]
    _, boundaries = _make(3, n_splices=0, random_state=0)
    assert all(len(b) == 0 for b in boundaries)


@pytest.mark.parametrize("same_scene", [True, False])
def test_segments_share_the_scene_unless_asked(same_scene):
    _, _, params = _make(
        3, n_splices=2, same_scene=same_scene, random_state=2, return_params=True
    )
    for info in params["recordings"]:
        scenes = [json.dumps(scene, sort_keys=True) for scene in info["scenes"]]
        assert len(scenes) == 3
        assert (len(set(scenes)) == 1) == same_scene


def test_same_model_pairing_joins_two_units_of_one_model():
    _, _, params = _make(
        3,
        n_splices=2,
        n_same_model_pairs=1,
        pairing="same_model",
        random_state=0,
        return_params=True,
    )
    for info in params["recordings"]:
        assert info["same_model"]
        assert len({s[2] for s in info["segments"]}) == 2
        assert len(set(info["models"])) == 1


def test_different_model_pairing_never_joins_one_model():
    _, _, params = _make(
        5,
        n_splices=2,
        n_devices=6,
        n_same_model_pairs=3,
        pairing="different_model",
        random_state=0,
        return_params=True,
    )
    for info in params["recordings"]:
        models = info["models"]
        assert all(a != b for a, b in itertools.pairwise(models))
        assert not info["same_model"]


def test_devices_are_those_of_make_recordings():
    _, _, params = _make(1, random_state=3, return_params=True)
    _, reference = make_recordings(
        4, 1, duration=0.1, sr=SR, random_state=3, return_params=True
    )
    assert params["models"] == reference["models"]


def test_gain_steps_and_pauses_are_reported():
    rec, _boundaries, params = _make(
        2, n_splices=0, gain_steps=2, pauses=1, random_state=0, return_params=True
    )
    for x, info in zip(rec.signals, params["recordings"], strict=True):
        assert len(info["gain_steps"]) == 2
        assert all(3.0 <= abs(g) <= 10.0 for _, g in info["gain_steps"])
        assert len(info["pauses"]) == 1
        assert 0.0 <= info["pauses"][0][0] <= len(x) / SR


def test_enf_hum_wanders_around_the_mains_frequency():
    from micfp.segmentation import track_enf

    rec, _, params = make_spliced(
        1,
        sr=SR,
        n_splices=0,
        segment_duration=(20.0, 20.0),
        enf=60,
        content="silence",
        random_state=0,
        return_params=True,
    )
    assert params["recordings"][0]["enf_hz"] == 60
    _, frequency, _ = track_enf(rec.signals[0], SR, mains_hz=60)
    assert np.all(np.abs(frequency - 60.0) < 0.2)
    assert np.ptp(frequency) > 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_splices": (3, 1)}, "n_splices must be a number or a (low, high) pair"),
        ({"n_splices": (1, 2, 3)}, "n_splices must be"),
        ({"segment_duration": (2.0, 1.0)}, "segment_duration must be"),
        ({"segment_duration": 0.01}, "segment_duration must give at least 256"),
        ({"devices_per_recording": (1, 2)}, "devices_per_recording must be"),
        ({"n_same_model_pairs": 3}, "2 * n_same_model_pairs must not exceed"),
        ({"pairing": "same_model"}, "pairing='same_model' needs n_same_model_pairs"),
        (
            {"pairing": "different_model", "n_devices": 2, "n_same_model_pairs": 1},
            "pairing='different_model' needs at least 2 models",
        ),
        ({"pairing": "twins"}, "The 'pairing' parameter"),
        ({"enf": 55}, "The 'enf' parameter"),
        ({"content": "noise"}, "The 'content' parameter"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(
        ValueError,
        match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*"),
    ):
        _make(1, **kwargs)
