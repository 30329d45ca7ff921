"""Device embeddings, scoring back-ends and trials."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.covariance import ledoit_wolf_shrinkage
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import StandardScaler

from micfp.baselines import make_device_embedding
from micfp.datasets import make_recordings
from micfp.exceptions import ScoreValueError
from micfp.features import LogSpectrum
from micfp.metrics import eer
from micfp.verification import (
    CosineScorer,
    DeviceEmbedder,
    LDACosineScorer,
    NormalizedScorer,
    PLDAScorer,
    make_trials,
    pool_by_group,
)


def _devices(seed=0, n_devices=12, n_rows=6, n_features=10, spread=0.5):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_devices), n_rows)
    X = rng.standard_normal((n_devices, n_features))[y]
    X += spread * rng.standard_normal(X.shape)
    return X, y


# pool_by_group and DeviceEmbedder


@pytest.mark.parametrize("sizes", [(3, 3, 3), (1, 4, 2)])
def test_pool_by_group_equals_a_loop(sizes):
    rng = np.random.default_rng(0)
    groups = np.repeat(["c", "a", "b"], sizes)
    X = rng.standard_normal((len(groups), 4))
    stats = ("mean", "std", "floor", "median")
    pooled, labels = pool_by_group(X, groups, statistics=stats, quantile=0.2)
    assert labels.tolist() == ["a", "b", "c"]
    for row, label in zip(pooled, labels, strict=True):
        rows = X[groups == label]
        expected = np.concatenate(
            [
                rows.mean(0),
                rows.std(0),
                np.quantile(rows, 0.2, axis=0),
                np.median(rows, axis=0),
            ]
        )
        np.testing.assert_allclose(row, expected)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"groups": [0, 1]}, ScoreValueError, "groups must have one entry per row"),
        ({"statistics": ("mean", "max")}, ValueError, "statistics must be"),
        ({"statistics": ()}, ValueError, "statistics must be"),
    ],
)
def test_pool_by_group_errors(kwargs, error, match):
    args = {"X": np.ones((3, 2)), "groups": [0, 0, 1], **kwargs}
    with pytest.raises(error, match=match):
        pool_by_group(**args)


def test_pool_by_group_rejects_nan():
    with pytest.raises(ScoreValueError, match=r"X contains NaN .* rows \[1\]"):
        pool_by_group([[0.0], [np.nan]], [0, 1])


def test_device_embedder_pools_clip_features_per_row():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 4096 * 3 + 100)) * 0.01
    embedder = DeviceEmbedder(statistics=("mean", "floor"), quantile=0.25).fit(X)
    out = embedder.transform(X)
    clips = X[:, : 3 * 4096].reshape(9, 4096)
    features = make_device_embedding(sr=None).fit(clips).transform(clips)
    features = features.reshape(3, 3, -1)
    expected = np.concatenate(
        [features.mean(1), np.quantile(features, 0.25, axis=1)], axis=1
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    assert embedder.n_clips_ == 3 and out.shape == (3, 2 * 642)


def test_device_embedder_takes_any_clip_transformer():
    X = np.random.default_rng(3).standard_normal((2, 4096)) * 0.01
    embedder = DeviceEmbedder(LogSpectrum(n_fft=512), clip_length=2048).fit(X)
    assert embedder.transform(X).shape == (2, 2 * 257)


class _RecordsLabels(StandardScaler):
    """A clip transformer that keeps the labels it was fitted with."""

    def fit(self, X, y=None):
        self.labels_seen_ = None if y is None else np.asarray(y)
        return super().fit(X)


def test_device_embedder_fits_clips_with_the_label_of_their_row():
    X = np.random.default_rng(4).standard_normal((3, 1024))
    embedder = DeviceEmbedder(_RecordsLabels(), clip_length=256).fit(X, ["a", "b", "a"])
    np.testing.assert_array_equal(
        embedder.transformer_.labels_seen_, np.repeat(["a", "b", "a"], 4)
    )
    assert (
        DeviceEmbedder(_RecordsLabels(), clip_length=256)
        .fit(X)
        .transformer_.labels_seen_
        is None
    )


def test_device_embedder_refuses_labels_of_another_length():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DeviceEmbedder(clip_length=256).fit(np.zeros((3, 1024)), ["a", "b"])


def test_device_embedder_batch_equals_rows_and_keeps_float32():
    rng = np.random.default_rng(2)
    X = (rng.standard_normal((4, 2048)) * 0.1).astype(np.float32)
    embedder = DeviceEmbedder(
        StandardScaler(), clip_length=256, statistics=("mean", "std")
    ).fit(X)
    out = embedder.transform(X)
    assert out.dtype == np.float32
    rows = np.vstack([embedder.transform(X[[i]]) for i in range(4)])
    np.testing.assert_allclose(out, rows, rtol=1e-6)


def test_device_embedder_refuses_rows_shorter_than_a_clip():
    with pytest.raises(ValueError, match="fewer than clip_length=4096"):
        DeviceEmbedder().fit(np.zeros((2, 4000)))


def test_device_embedder_separates_simulated_devices():
    rec = make_recordings(12, 3, duration=4.0, sr=8000, random_state=0)
    n = 2 * 8000
    X = np.stack([s[i * n : (i + 1) * n] for s in rec.signals for i in range(2)])
    devices = np.repeat(rec.devices, 2)
    recordings = np.repeat(rec.recording_ids, 2)
    E = DeviceEmbedder().fit(X).transform(X)
    background = devices < 8
    plda = PLDAScorer().fit(E[background], devices[background])
    trials = make_trials(devices[~background], recordings[~background])
    S = plda.score_matrix(E[~background], E[~background])
    assert eer(trials.y_true, S[trials.enrol_index, trials.test_index]) < 0.25


# back-ends


def test_cosine_scorer_is_centred_cosine_similarity():
    X, y = _devices()
    scorer = CosineScorer().fit(X, y)
    S = scorer.score_matrix(X[:5], X[5:20])
    mean = X.mean(0)
    np.testing.assert_allclose(S, cosine_similarity(X[:5] - mean, X[5:20] - mean))
    raw = CosineScorer(center=False).fit(X, y).score_matrix(X[:5], X[5:20])
    np.testing.assert_allclose(raw, cosine_similarity(X[:5], X[5:20]))


def test_cosine_scorer_enrols_a_group_by_its_mean_direction():
    X, y = _devices()
    scorer = CosineScorer().fit(X, y)
    S = scorer.score_matrix(X[:12], X[20:25], enrol_groups=y[:12])
    units = scorer.transform(X[:12])
    models = np.stack([units[y[:12] == d].mean(0) for d in (0, 1)])
    np.testing.assert_allclose(S, cosine_similarity(models, scorer.transform(X[20:25])))


def test_lda_cosine_scorer_is_cosine_after_lda():
    X, y = _devices(n_features=6)
    scorer = LDACosineScorer(n_components=4).fit(X, y)
    lda = LinearDiscriminantAnalysis(
        solver="eigen", shrinkage="auto", n_components=4
    ).fit(X, y)
    Z = lda.transform(X)
    Z -= Z.mean(0)
    np.testing.assert_allclose(
        scorer.score_matrix(X[:3], X[3:9]), cosine_similarity(Z[:3], Z[3:9])
    )
    assert scorer.get_feature_names_out().tolist()[:2] == [
        "ldacosinescorer0",
        "ldacosinescorer1",
    ]


@pytest.mark.parametrize("n_enrol", [1, 3])
def test_plda_score_is_the_two_covariance_likelihood_ratio(n_enrol):
    X, y = _devices(n_features=5, spread=0.7)
    plda = PLDAScorer(n_components=4).fit(X, y)
    b = plda.between_variance_
    enrol, test = plda.transform(X[:n_enrol]), plda.transform(X[30:33])
    S = plda.score_matrix(X[:n_enrol], X[30:33], enrol_groups=[0] * n_enrol)
    # Brute force: every dimension independent, within variance 1.
    for j, t in enumerate(test):
        llr = 0.0
        for k in range(len(b)):
            values = np.r_[enrol[:, k], t[k]]
            n = len(values)
            same = np.full((n, n), b[k]) + np.eye(n)
            different = same.copy()
            different[:-1, -1] = different[-1, :-1] = 0.0
            llr += multivariate_normal(np.zeros(n), same).logpdf(values)
            llr -= multivariate_normal(np.zeros(n), different).logpdf(values)
        assert S[0, j] == pytest.approx(llr)


def test_plda_diagonalises_both_covariances():
    X, y = _devices(n_devices=40, n_rows=30, n_features=4, spread=0.5)
    plda = PLDAScorer().fit(X, y)
    means = np.stack([X[y == d].mean(0) for d in range(40)])
    residuals = X - means[y]
    within = residuals.T @ residuals / (len(X) - 40)
    alpha = ledoit_wolf_shrinkage(residuals, assume_centered=True)
    level = np.trace(within) / 4
    within = (1 - alpha) * within + (alpha * level + 1e-9 * level) * np.eye(4)
    between = np.cov(means.T, bias=True)
    V = plda.components_
    np.testing.assert_allclose(V.T @ within @ V, np.eye(4), atol=1e-10)
    values = np.diag(V.T @ between @ V)
    np.testing.assert_allclose(V.T @ between @ V, np.diag(values), atol=1e-10)
    np.testing.assert_allclose(plda.between_variance_, values - 1 / 30)
    assert plda.n_components_ == 4 and np.all(np.diff(values) <= 0)


@pytest.mark.parametrize(
    "scorer",
    [CosineScorer(), LDACosineScorer(), PLDAScorer(), NormalizedScorer(PLDAScorer())],
    ids=lambda s: type(s).__name__,
)
def test_back_ends_tell_devices_apart(scorer):
    X, y = _devices(n_devices=30, n_rows=4, n_features=8, spread=0.6)
    background = y < 20
    scorer.set_params(**({"top_n": 20} if isinstance(scorer, NormalizedScorer) else {}))
    scorer.fit(X[background], y[background])
    evaluation = ~background
    trials = make_trials(y[evaluation], np.arange(evaluation.sum()))
    E = X[evaluation]
    S = scorer.score_matrix(E, E)
    assert eer(trials.y_true, S[trials.enrol_index, trials.test_index]) < 0.1


def test_s_norm_formula_and_as_norm_with_the_whole_cohort():
    X, y = _devices()
    snorm = NormalizedScorer(CosineScorer(), method="s-norm").fit(X, y)
    raw = CosineScorer().fit(X, y)
    A, B = X[:4] + 0.1, X[10:16] - 0.1
    S = raw.score_matrix(A, B)
    se, st = raw.score_matrix(A, X), raw.score_matrix(X, B)
    expected = 0.5 * (
        (S - se.mean(1)[:, None]) / se.std(1)[:, None]
        + (S - st.mean(0)[None, :]) / st.std(0)[None, :]
    )
    np.testing.assert_allclose(snorm.score_matrix(A, B), expected)
    full = NormalizedScorer(CosineScorer(), top_n=len(X)).fit(X, y)
    np.testing.assert_allclose(full.score_matrix(A, B), expected)
    top = NormalizedScorer(CosineScorer(), top_n=5).fit(X, y).score_matrix(A, B)
    best = -np.sort(-se, axis=1)[:, :5]
    assert not np.allclose(top, expected)
    np.testing.assert_allclose(
        top[:, 0] * 2,
        (S[:, 0] - best.mean(1)) / best.std(1)
        + (S[:, 0] - np.sort(st[:, 0])[-5:].mean()) / np.sort(st[:, 0])[-5:].std(),
    )


@pytest.mark.parametrize(
    "make, X, y, match",
    [
        (CosineScorer, [[0.0, 1.0], [np.nan, 1.0]], [0, 1], "X contains NaN"),
        (CosineScorer, [[0.0, 1.0], [1.0, 1.0]], [0, 0], "one class"),
        (PLDAScorer, [[0.0, 1.0], [1.0, 1.0]], [0, 1], "one sample"),
        (PLDAScorer, [[0.0, np.inf], [1.0, 1.0]], [0, 1], "infinite"),
    ],
)
def test_fit_errors_name_the_argument(make, X, y, match):
    with pytest.raises(ScoreValueError, match=match):
        make().fit(X, y)


def test_score_matrix_errors_name_the_argument():
    X, y = _devices()
    scorer = PLDAScorer().fit(X, y)
    with pytest.raises(ScoreValueError, match="X_enrol has 3 features, but"):
        scorer.score_matrix(X[:2, :3], X[:2])
    bad = X[:2].copy()
    bad[1, 0] = np.nan
    with pytest.raises(ScoreValueError, match=r"X_test contains NaN .* rows \[1\]"):
        scorer.score_matrix(X[:2], bad)
    with pytest.raises(ScoreValueError, match="enrol_groups must have one entry"):
        scorer.score_matrix(X[:2], X[:2], enrol_groups=[0])
    with pytest.raises(ScoreValueError, match="X_test must be a non-empty 2-D"):
        scorer.score_matrix(X[:2], X[0])


def test_n_components_and_top_n_limits():
    X, y = _devices(n_devices=4)
    with pytest.raises(ValueError, match="n_components=5 exceeds"):
        PLDAScorer(n_components=5).fit(X, y)
    with pytest.raises(ValueError, match="n_components=4 exceeds"):
        LDACosineScorer(n_components=4).fit(X, y)
    with pytest.raises(ScoreValueError, match="top_n=100 exceeds the 24"):
        NormalizedScorer(CosineScorer()).fit(X, y)


# trials


def test_make_trials_cross_recordings_and_flag_same_model():
    devices = np.array([0, 0, 0, 1, 1, 2, 2])
    recordings = np.array([1, 1, 2, 1, 2, 1, 1])
    models = {0: "m", 1: "m", 2: "n"}
    trials = make_trials(devices, recordings, models=models)
    pairs = set(
        zip(trials.enrol_index.tolist(), trials.test_index.tolist(), strict=True)
    )
    assert (0, 1) not in pairs and (5, 6) not in pairs
    assert len(pairs) == 21 - 2
    recording_of = list(zip(devices, recordings, strict=True))
    for i, j, target, same in zip(
        trials.enrol_index,
        trials.test_index,
        trials.y_true,
        trials.same_model,
        strict=True,
    ):
        assert recording_of[i] != recording_of[j]
        assert target == (devices[i] == devices[j])
        assert same == (not target and models[devices[i]] == models[devices[j]])
    assert trials.same_model.sum() == 6


def test_make_trials_with_an_enrolment_mask():
    devices = [0, 0, 1, 1]
    recordings = [1, 2, 1, 2]
    trials = make_trials(devices, recordings, enrol=[True, False, True, False])
    assert trials.enrol_index.tolist() == [0, 0, 2, 2]
    assert trials.test_index.tolist() == [1, 3, 1, 3]
    assert trials.y_true.tolist() == [True, False, False, True]
    assert trials.same_model is None


def test_make_trials_take_takes_that_restart_per_device():
    # Take 1 of device "a" and take 1 of device "b" are different recordings.
    trials = make_trials(["a", "b", "a"], [1, 1, 2])
    assert len(trials.y_true) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"devices": [0, 1], "recordings": [1, 1]}, "have no target"),
        ({"devices": [0, 0], "recordings": [1, 2]}, "have no non-target"),
        ({"devices": [0, 0, 1], "recordings": [1, 2]}, "recordings must have one"),
        (
            {"devices": [0, 0, 1], "recordings": [1, 2, 1], "enrol": [True]},
            "enrol must have one entry per row",
        ),
        (
            {"devices": [0, 0, 1], "recordings": [1, 2, 1], "models": {0: "a"}},
            r"models has no model for devices \[1\]",
        ),
    ],
)
def test_make_trials_errors(kwargs, match):
    with pytest.raises(ScoreValueError, match=match):
        make_trials(**kwargs)
