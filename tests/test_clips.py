import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from numpy.testing import assert_array_equal
from sklearn.model_selection import GroupKFold
from sklearn.utils._param_validation import InvalidParameterError

from micfp.clips import extract_clips
from micfp.exceptions import AudioValueError, DegradedResultWarning
from micfp.io import Recordings

STRATEGIES = ["random", "sequential", "quietest", "loudest"]


def _recordings(lengths=(5000, 7300, 4096), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    signals = [rng.uniform(-1, 1, n).astype(dtype) for n in lengths]
    return Recordings(
        signals=signals,
        sr=8000,
        devices=["ab"[i % 2] for i in range(len(lengths))],
        recording_ids=list(range(1, len(lengths) + 1)),
        paths=[f"/data/rec{i}.wav" for i in range(len(lengths))],
    )


def _assert_clips_are_source_slices(rec_signals, X, groups, starts, length):
    for row, g, s in zip(X, groups, starts, strict=True):
        assert_array_equal(row, rec_signals[g][s : s + length])


# --------------------------------------------------------------------------
# shapes, labels, groups


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_dtype_and_alignment(strategy, dtype):
    rec = _recordings(lengths=(5000, 9000, 3000), dtype=dtype)
    X, y, groups, starts = extract_clips(
        rec,
        length=1000,
        n_clips=2,
        strategy=strategy,
        random_state=0,
        return_starts=True,
    )
    assert X.shape == (6, 1000)
    assert X.dtype == dtype
    assert X.flags.c_contiguous
    assert groups.dtype.kind == "i"
    assert_array_equal(groups, [0, 0, 1, 1, 2, 2])
    assert_array_equal(y, rec.devices[groups])
    _assert_clips_are_source_slices(rec.signals, X, groups, starts, 1000)
    # the clips are gathered into a new array, not views of the recordings
    assert not any(np.shares_memory(X, s) for s in rec.signals)


def test_three_outputs_by_default():
    out = extract_clips(_recordings(), length=1000, n_clips=1, random_state=0)
    assert len(out) == 3


def test_list_input_has_no_labels():
    signals = [np.arange(3000.0), np.arange(2000.0)]
    X, y, groups = extract_clips(signals, length=1000, strategy="sequential")
    assert y is None
    assert_array_equal(groups, [0, 0, 0, 1, 1])
    assert_array_equal(X[3], np.arange(1000.0))


def test_tuple_and_integer_input():
    signals = (np.arange(10, dtype=np.int16), np.arange(10, 20, dtype=np.int16))
    X, _, _ = extract_clips(signals, length=5, strategy="sequential")
    assert X.dtype == np.int16
    assert_array_equal(X, np.arange(20).reshape(4, 5))


def test_mixed_dtypes_use_the_common_type():
    signals = [np.ones(10, np.float32), np.full(10, 0.1, np.float64)]
    X, _, _ = extract_clips(signals, length=10, strategy="sequential")
    assert X.dtype == np.float64
    assert_array_equal(X[1], signals[1])


def test_groups_work_with_group_kfold():
    rec = _recordings(lengths=(4000, 4000, 4000, 4000))
    X, y, groups = extract_clips(rec, length=1000, strategy="sequential")
    for train, test in GroupKFold(n_splits=2).split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])


# --------------------------------------------------------------------------
# random


def test_random_is_reproducible_and_seed_dependent():
    rec = _recordings(lengths=(50_000, 60_000))
    kwargs = {"length": 512, "n_clips": 20, "return_starts": True}
    a = extract_clips(rec, random_state=3, **kwargs)
    b = extract_clips(rec, random_state=3, **kwargs)
    c = extract_clips(rec, random_state=4, **kwargs)
    assert_array_equal(a[0], b[0])
    assert_array_equal(a[3], b[3])
    assert not np.array_equal(a[3], c[3])
    rng = np.random.RandomState(3)
    d = extract_clips(rec, random_state=rng, **kwargs)
    assert_array_equal(a[3], d[3])


def test_random_starts_are_distinct_sorted_and_valid():
    rec = _recordings(lengths=(3000,))
    _, _, _, starts = extract_clips(
        rec, length=1000, n_clips=1500, random_state=0, return_starts=True
    )
    assert len(starts) == 1500
    assert len(np.unique(starts)) == 1500
    assert np.all(np.diff(starts) > 0)
    assert starts.min() >= 0
    assert starts.max() <= 3000 - 1000


def test_random_draws_every_valid_start_when_asked_for_all():
    rec = _recordings(lengths=(1100,))
    _, _, _, starts = extract_clips(
        rec, length=1000, n_clips=101, random_state=0, return_starts=True
    )
    assert_array_equal(starts, np.arange(101))


def test_random_start_distribution_is_uniform():
    # 2000 draws of one start among 4 valid starts, chi-square against uniform
    signal = np.zeros(1003)
    starts = np.concatenate(
        [
            extract_clips(
                [signal], length=1000, n_clips=1, random_state=seed, return_starts=True
            )[3]
            for seed in range(2000)
        ]
    )
    counts = np.bincount(starts, minlength=4)
    chi2 = ((counts - 500) ** 2 / 500).sum()
    assert chi2 < 16.27  # 99.9% quantile of chi-square with 3 degrees of freedom


def test_random_with_hop_draws_from_the_grid():
    rec = _recordings(lengths=(20_000,))
    _, _, _, starts = extract_clips(
        rec, length=1000, n_clips=10, hop=1000, random_state=0, return_starts=True
    )
    assert np.all(starts % 1000 == 0)
    assert len(np.unique(starts)) == 10


@pytest.mark.parametrize("hop", [None, 1000, 250])
def test_random_without_n_clips_takes_as_many_as_fit_without_overlap(hop):
    rec = _recordings(lengths=(5500, 3000))
    _, _, groups = extract_clips(rec, length=1000, hop=hop, random_state=0)
    assert_array_equal(np.bincount(groups), [5, 3])


# --------------------------------------------------------------------------
# sequential


@pytest.mark.parametrize(
    "hop, expected",
    [
        (None, [0, 1000, 2000, 3000]),
        (700, [0, 700, 1400, 2100, 2800, 3500]),
        (1500, [0, 1500, 3000]),
    ],
)
def test_sequential_starts_at_multiples_of_hop(hop, expected):
    rec = _recordings(lengths=(4500,))
    X, _, groups, starts = extract_clips(
        rec, length=1000, strategy="sequential", hop=hop, return_starts=True
    )
    assert_array_equal(starts, expected)
    _assert_clips_are_source_slices(rec.signals, X, groups, starts, 1000)


def test_sequential_n_clips_takes_the_first():
    rec = _recordings(lengths=(10_000,))
    _, _, _, starts = extract_clips(
        rec,
        length=1000,
        n_clips=3,
        strategy="sequential",
        hop=500,
        return_starts=True,
    )
    assert_array_equal(starts, [0, 500, 1000])


def test_sequential_ignores_random_state():
    rec = _recordings()
    a = extract_clips(rec, length=1000, strategy="sequential", random_state=0)
    b = extract_clips(rec, length=1000, strategy="sequential", random_state=1)
    assert_array_equal(a[0], b[0])


# --------------------------------------------------------------------------
# quietest and loudest


def _with_quiet_and_loud_parts(n=32_000, length=1000):
    rng = np.random.default_rng(5)
    signal = 0.1 * rng.standard_normal(n)
    signal[7000:9000] *= 0.01  # two quiet clips at 7000 and 8000
    signal[20_000:21_000] *= 5.0  # one loud clip at 20000
    return signal


@pytest.mark.parametrize("hop", [None, 500])
def test_quietest_finds_the_quiet_part(hop):
    signal = _with_quiet_and_loud_parts()
    _, _, _, starts = extract_clips(
        [signal],
        length=1000,
        n_clips=2,
        strategy="quietest",
        hop=hop,
        return_starts=True,
    )
    assert_array_equal(starts, [7000, 8000])


@pytest.mark.parametrize("hop", [None, 250])
def test_loudest_finds_the_loud_part(hop):
    signal = _with_quiet_and_loud_parts()
    _, _, _, starts = extract_clips(
        [signal],
        length=1000,
        n_clips=1,
        strategy="loudest",
        hop=hop,
        return_starts=True,
    )
    assert_array_equal(starts, [20_000])


@pytest.mark.parametrize("strategy", ["quietest", "loudest"])
@pytest.mark.parametrize("hop", [37, 300, 1000, 1300])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_energy_ranking_matches_brute_force(strategy, hop, dtype):
    rng = np.random.default_rng(6)
    # amplitude varies slowly so that energies differ between windows
    envelope = np.repeat(rng.uniform(0.01, 1.0, 40), 250)
    signal = (envelope * rng.standard_normal(envelope.size)).astype(dtype)
    length, n_clips = 1000, 4
    grid = np.arange(0, signal.size - length + 1, hop)
    windows = sliding_window_view(signal.astype(np.float64), length)[::hop]
    energy = (windows**2).mean(axis=1)
    order = np.argsort(energy if strategy == "quietest" else -energy)
    expected = np.sort(grid[order[:n_clips]])
    X, _, groups, starts = extract_clips(
        [signal],
        length=length,
        n_clips=n_clips,
        strategy=strategy,
        hop=hop,
        return_starts=True,
    )
    assert_array_equal(starts, expected)
    _assert_clips_are_source_slices([signal], X, groups, starts, length)


@pytest.mark.parametrize("hop", [250, 1000])
def test_energy_ranking_of_faint_windows_after_loud_audio(hop):
    # 150 000 loud samples, then windows of noise at 3e-7, 1e-7 and 2e-7: a
    # running sum over the whole recording rounds at about 3e-11, more than
    # the faint windows' sums of squares (1e-11 to 1e-10), losing their order
    rng = np.random.default_rng(7)
    signal = rng.standard_normal(160_000)
    for i, level in enumerate([3e-7, 1e-7, 2e-7]):
        part = slice(150_000 + 1000 * i, 151_000 + 1000 * i)
        signal[part] = level * rng.standard_normal(1000)
    grid = np.arange(0, signal.size - 1000 + 1, hop)
    energy = (sliding_window_view(signal, 1000)[::hop] ** 2).mean(axis=1)
    for n_clips in (1, 2, 3):
        expected = np.sort(grid[np.argsort(energy)[:n_clips]])
        _, _, _, starts = extract_clips(
            [signal],
            length=1000,
            n_clips=n_clips,
            strategy="quietest",
            hop=hop,
            return_starts=True,
        )
        assert_array_equal(starts, expected)
    assert 151_000 in starts


def test_digital_silence_is_the_quietest():
    rng = np.random.default_rng(8)
    signal = rng.standard_normal(100_000)
    signal[60_000:61_000] = 0.0
    signal[61_000:62_000] *= 1e-9
    _, _, _, starts = extract_clips(
        [signal],
        length=1000,
        n_clips=1,
        strategy="quietest",
        hop=100,
        return_starts=True,
    )
    assert_array_equal(starts, [60_000])


def test_energy_strategies_without_n_clips_take_every_candidate():
    rec = _recordings(lengths=(4500,))
    seq = extract_clips(rec, length=1000, strategy="sequential", return_starts=True)
    quiet = extract_clips(rec, length=1000, strategy="quietest", return_starts=True)
    assert_array_equal(seq[3], quiet[3])


# --------------------------------------------------------------------------
# shortage and errors


@pytest.mark.parametrize(
    "strategy, hop, available",
    [
        ("random", 500, 1),
        ("sequential", 100, 3),
        ("quietest", None, 1),
        ("loudest", 150, 2),
    ],
)
def test_too_few_candidates_takes_all_with_warning(strategy, hop, available):
    rec = _recordings(lengths=(1200, 5000))
    with pytest.warns(
        DegradedResultWarning,
        match=rf"n_clips=5 is more than 1 recording.*recording 0 \(id 1"
        rf", file '/data/rec0.wav'\): {available}\)",
    ) as record:
        _, _, groups = extract_clips(
            rec, length=1000, n_clips=5, strategy=strategy, hop=hop, random_state=0
        )
    assert record[0].filename == __file__
    assert_array_equal(np.bincount(groups), [available, 5])


def test_short_recording_is_named():
    rec = _recordings(lengths=(5000, 999))
    with pytest.raises(
        AudioValueError,
        match=r"recording 1 \(id 2, file '/data/rec1.wav'\) has 999 "
        r"samples, fewer than one clip of length=1000",
    ):
        extract_clips(rec, length=1000)


@pytest.mark.parametrize(
    "recordings, message",
    [
        ([], "recordings is empty"),
        ([np.zeros((2, 5000))], r"recording 0 must be a 1-D array.*\(2, 5000\)"),
        ([np.zeros(5000), np.zeros(5000, complex)], "recording 1 must hold real"),
        ([np.array(["a"] * 5000)], "recording 0 must hold real"),
        ([np.zeros(5000), np.zeros(10)], r"recording 1 has 10 samples"),
    ],
)
def test_bad_recordings(recordings, message):
    with pytest.raises(AudioValueError, match=message):
        extract_clips(recordings, length=1000)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"length": 0}, "'length' parameter of extract_clips must be an int"),
        ({"length": 10.5}, "'length' parameter of extract_clips"),
        ({"n_clips": 0}, "'n_clips' parameter of extract_clips"),
        ({"strategy": "middle"}, "'strategy' parameter of extract_clips"),
        ({"hop": 0}, "'hop' parameter of extract_clips"),
        ({"random_state": "seed"}, "'random_state' parameter of extract_clips"),
        ({"return_starts": "no"}, "'return_starts' parameter of extract_clips"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        extract_clips(_recordings(), **kwargs)


def test_bad_recordings_type():
    with pytest.raises(InvalidParameterError, match="'recordings' parameter"):
        extract_clips(np.zeros((3, 5000)), length=1000)


@pytest.mark.parametrize("strategy", ["random", "sequential"])
def test_many_short_clips_gathered_in_several_chunks(strategy):
    # more clips than one gather chunk holds (1 MiB of float32 rows of 64)
    signal = np.random.default_rng(9).standard_normal(300_000).astype(np.float32)
    X, _, _, starts = extract_clips(
        [signal, signal[::-1]],
        length=64,
        strategy=strategy,
        random_state=0,
        return_starts=True,
    )
    assert X.shape == (2 * (300_000 // 64), 64)
    half = len(X) // 2
    index = starts[:, None] + np.arange(64)
    assert_array_equal(X[:half], signal[index[:half]])
    assert_array_equal(X[half:], signal[::-1][index[half:]])


def test_short_recording_with_string_id_is_quoted():
    rec = Recordings([np.zeros(10)], 8000, ["mic"], ["take-3"])
    with pytest.raises(AudioValueError, match=r"recording 0 \(id 'take-3'\) has 10"):
        extract_clips(rec, length=100)
