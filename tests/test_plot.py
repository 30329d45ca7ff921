import re
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from micfp.exceptions import DegradedResultWarning  # noqa: E402
from micfp.plot import (  # noqa: E402
    AccuracyVsDurationDisplay,
    BaseDisplay,
    ChangeCurveDisplay,
    ECEDisplay,
    PAVDisplay,
    TippettDisplay,
    TrainingCurveDisplay,
    TSNEDisplay,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _blobs(n_per_class=8, n_classes=3, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [rng.normal(10.0 * k, 1.0, (n_per_class, n_features)) for k in range(n_classes)]
    )
    y = np.repeat([f"dev{k}" for k in range(n_classes)], n_per_class)
    return X, y


FAST_TSNE = {"max_iter": 250}

HISTORY = [
    {"epoch": 1, "train_loss": 1.5, "valid_loss": 1.6, "dur": 0.1},
    {"epoch": 2, "train_loss": 1.0, "valid_loss": 1.2, "dur": 0.1},
    {"epoch": 3, "train_loss": 0.7, "valid_loss": 1.1, "dur": 0.1},
]


# --------------------------------------------------------------------------- #
# Optional dependency
# --------------------------------------------------------------------------- #


def test_import_does_not_load_matplotlib():
    code = "import sys, micfp, micfp.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "call",
    [
        lambda: TSNEDisplay.from_features(*_blobs(), perplexity=2),
        lambda: TSNEDisplay([[0, 0], [1, 1]], [0, 1]).plot(),
        lambda: AccuracyVsDurationDisplay([1, 2], [0.5, 0.6]).plot(),
        lambda: TrainingCurveDisplay.from_history(HISTORY),
    ],
    ids=["tsne", "tsne_display", "accuracy", "training"],
)
def test_missing_matplotlib_names_the_extra(monkeypatch, call):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=re.escape('pip install "micfp[plot]"')):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda ax: TSNEDisplay([[0, 0], [1, 1]], [0, 1]).plot(ax=ax),
        lambda ax: AccuracyVsDurationDisplay([1, 2], [0.5, 0.6]).plot(ax=ax),
        lambda ax: TrainingCurveDisplay.from_history(HISTORY, ax=ax),
    ],
    ids=["tsne_display", "accuracy", "training"],
)
def test_ax_must_be_axes(call):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None"):
        call("not an axes")


# --------------------------------------------------------------------------- #
# t-SNE
# --------------------------------------------------------------------------- #


def test_tsne_one_scatter_per_class_with_legend():
    X, y = _blobs()
    display = TSNEDisplay.from_features(
        X, y, perplexity=5, random_state=0, tsne_kw=FAST_TSNE
    )
    assert isinstance(display, TSNEDisplay)
    assert display.embedding_.shape == (len(y), 2)
    assert display.perplexity_ == 5.0
    assert display.classes_.tolist() == ["dev0", "dev1", "dev2"]
    assert len(display.scatters_) == 3
    assert list(display.ax_.collections) == display.scatters_
    for cls, scatter in zip(display.classes_, display.scatters_, strict=True):
        np.testing.assert_allclose(scatter.get_offsets(), display.embedding_[y == cls])
        assert scatter.get_label() == cls
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["dev0", "dev1", "dev2"]
    colors = {tuple(s.get_facecolor()[0]) for s in display.scatters_}
    assert len(colors) == 3
    assert display.figure_ is display.ax_.figure


def test_tsne_is_reproducible_with_random_state():
    X, y = _blobs()
    first = TSNEDisplay.from_features(
        X, y, perplexity=5, random_state=3, tsne_kw=FAST_TSNE
    )
    second = TSNEDisplay.from_features(
        X, y, perplexity=5, random_state=3, tsne_kw=FAST_TSNE
    )
    np.testing.assert_array_equal(first.embedding_, second.embedding_)


def test_tsne_honours_ax_and_redraws_without_rerunning():
    X, y = _blobs()
    fig, (left, right) = plt.subplots(1, 2)
    display = TSNEDisplay.from_features(
        X, y, perplexity=5, random_state=0, ax=left, tsne_kw=FAST_TSNE
    )
    assert display.ax_ is left
    assert display.figure_ is fig
    embedding = display.embedding_
    display.plot(ax=right, legend=False)
    assert display.ax_ is right
    assert display.embedding_ is not None
    np.testing.assert_array_equal(display.embedding_, embedding)
    assert len(right.collections) == 3
    assert right.get_legend() is None


def test_tsne_caps_perplexity_with_a_warning():
    X, y = _blobs(n_per_class=5, n_classes=2)
    n_samples = len(y)
    with pytest.warns(
        DegradedResultWarning,
        match=re.escape(f"perplexity=30 is too high for {n_samples} samples"),
    ):
        display = TSNEDisplay.from_features(X, y, random_state=0, tsne_kw=FAST_TSNE)
    assert display.perplexity_ == pytest.approx((n_samples - 1) / 3)
    assert display.embedding_.shape == (n_samples, 2)


def test_tsne_perplexity_at_the_cap_does_not_warn():
    X, y = _blobs(n_per_class=5, n_classes=2)
    cap = (len(y) - 1) / 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        display = TSNEDisplay.from_features(
            X, y, perplexity=cap, random_state=0, tsne_kw=FAST_TSNE
        )
    assert display.perplexity_ == cap


def test_tsne_single_feature_and_float32():
    X, y = _blobs(n_features=1)
    display = TSNEDisplay.from_features(
        X.astype(np.float32), y, perplexity=3, random_state=0, tsne_kw=FAST_TSNE
    )
    assert display.embedding_.shape == (len(y), 2)
    assert np.all(np.isfinite(display.embedding_))


def test_tsne_many_classes_get_distinct_colors():
    n_classes = 25
    embedding = np.random.default_rng(0).normal(size=(2 * n_classes, 2))
    labels = np.repeat(np.arange(n_classes), 2)
    display = TSNEDisplay(embedding, labels).plot()
    colors = {tuple(s.get_facecolor()[0]) for s in display.scatters_}
    assert len(colors) == n_classes
    assert display.perplexity_ is None


def test_tsne_display_cmap_and_scatter_kw():
    display = TSNEDisplay([[0, 0], [1, 1], [2, 2]], ["x", "y", "y"]).plot(
        cmap="Set1", scatter_kw={"s": 30, "marker": "s"}
    )
    set1 = matplotlib.colormaps["Set1"]
    for k, scatter in enumerate(display.scatters_):
        np.testing.assert_allclose(scatter.get_facecolor()[0], to_rgba(set1(k)))
        np.testing.assert_allclose(scatter.get_sizes(), [30])


@pytest.mark.parametrize(
    "kwargs, err_msg",
    [
        ({"perplexity": 0}, "perplexity must be positive; got 0"),
        ({"perplexity": -2.0}, "perplexity must be positive; got -2.0"),
        ({"tsne_kw": {"perplexity": 5}}, "tsne_kw may not set 'perplexity'"),
        ({"tsne_kw": {"random_state": 0}}, "tsne_kw may not set 'random_state'"),
        ({"tsne_kw": {"n_components": 3}}, "tsne_kw may not set 'n_components'"),
        ({"scatter_kw": {"c": "red"}}, "scatter_kw may not set 'c'"),
    ],
)
def test_tsne_bad_parameters(kwargs, err_msg):
    X, y = _blobs()
    kwargs = {"perplexity": 3, "tsne_kw": FAST_TSNE, **kwargs}
    with pytest.raises(ValueError, match=re.escape(err_msg)):
        TSNEDisplay.from_features(X, y, random_state=0, **kwargs)


@pytest.mark.parametrize(
    "X, y, err_msg",
    [
        (np.zeros((4, 3)), [0, 1, 0], "X and y must have the same length; got 4 and 3"),
        (np.zeros((1, 3)), [0], "Found array with 1 sample(s)"),
        (np.zeros((4, 3)), [[0, 1, 0, 1]], "y must be 1-D"),
        (np.zeros((0, 3)), [], "Found array with 0 sample(s)"),
        (np.array([[0.0, np.nan], [1.0, 2.0]]), [0, 1], "X contains NaN"),
    ],
)
def test_tsne_bad_input(X, y, err_msg):
    with pytest.raises(ValueError, match=re.escape(err_msg)):
        TSNEDisplay.from_features(X, y, perplexity=0.3)


@pytest.mark.parametrize(
    "embedding, labels, err_msg",
    [
        (np.zeros((3, 3)), [0, 1, 2], "embedding must have 2 columns"),
        (np.zeros((3, 2)), [0, 1], "embedding and labels must have the same length"),
        (np.zeros((3, 2)), [], "labels is empty"),
    ],
)
def test_tsne_display_bad_input(embedding, labels, err_msg):
    with pytest.raises(ValueError, match=re.escape(err_msg)):
        TSNEDisplay(embedding, labels).plot()


# --------------------------------------------------------------------------- #
# Accuracy against duration
# --------------------------------------------------------------------------- #


def test_accuracy_vs_duration_draws_sorted_line_and_band():
    durations = np.array([4.0, 0.5, 2.0, 1.0])
    accuracy = np.array([0.95, 0.55, 0.9, 0.7])
    std = np.array([0.1, 0.6, 0.05, 0.02])
    display = AccuracyVsDurationDisplay(durations, accuracy, accuracy_std=std).plot()
    ax = display.ax_
    assert display.line_ is ax.lines[0]
    assert display.band_ is ax.collections[0]
    order = np.argsort(durations)
    assert len(ax.lines) == 1
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), durations[order])
    np.testing.assert_array_equal(line.get_ydata(), accuracy[order])
    assert len(ax.collections) == 1
    band = ax.collections[0]
    np.testing.assert_allclose(
        band.get_facecolor()[0][:3], to_rgba(line.get_color())[:3]
    )
    vertices = band.get_paths()[0].vertices
    lower = np.clip(accuracy - std, 0, 1)
    upper = np.clip(accuracy + std, 0, 1)
    for d, lo, hi in zip(durations, lower, upper, strict=True):
        ys = vertices[np.isclose(vertices[:, 0], d), 1]
        assert np.any(np.isclose(ys, lo))
        assert np.any(np.isclose(ys, hi))
    assert vertices[:, 1].min() >= 0.0
    assert vertices[:, 1].max() <= 1.0
    assert ax.get_xlabel() == "Test duration (s)"
    assert ax.get_ylabel() == "Accuracy"
    assert ax.get_legend() is None


def test_accuracy_vs_duration_two_calls_share_an_axes():
    durations = [0.5, 1.0, 2.0]
    ax = AccuracyVsDurationDisplay(durations, [0.6, 0.7, 0.8], label="test").plot().ax_
    second = AccuracyVsDurationDisplay(
        durations, [0.5, 0.6, 0.9], label="training", xlabel="Duration (s)"
    ).plot(ax=ax)
    assert second.ax_ is ax
    assert second.band_ is None
    assert [line.get_label() for line in ax.lines] == ["test", "training"]
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["test", "training"]
    assert ax.get_xlabel() == "Duration (s)"
    assert not ax.collections


def test_accuracy_vs_duration_honours_ax():
    _, (left, right) = plt.subplots(1, 2)
    display = AccuracyVsDurationDisplay([1.0, 2.0], [0.5, 0.6]).plot(ax=right)
    assert display.ax_ is right
    assert display.figure_ is right.figure
    assert not left.lines
    assert len(right.lines) == 1


def test_accuracy_vs_duration_plots_the_model_selection_result():
    from sklearn.linear_model import LogisticRegression

    from micfp.io import Recordings
    from micfp.model_selection import accuracy_vs_duration

    rng = np.random.default_rng(0)
    offset = {"low": -0.05, "high": 0.05}
    devices = ["low", "high"]

    def take(device):
        return offset[device] + 0.2 * rng.standard_normal(8000)

    train = Recordings([take(d) for d in devices], 8000, devices, [1, 1])
    test = Recordings([take(d) for d in devices], 8000, devices, [2, 2])
    settings = dict(durations=[0.1, 0.5], clip_length=400, n_repeats=2, random_state=0)
    result = accuracy_vs_duration(LogisticRegression(), train, test, **settings)
    ax = AccuracyVsDurationDisplay.from_results(result, label="recording").ax_
    AccuracyVsDurationDisplay.from_results(result, accuracy="clip", label="clip", ax=ax)
    assert ax.get_xlabel() == "Test duration (s)"
    assert len(ax.lines) == 2
    assert len(ax.collections) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), result["durations"])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), result["clip_accuracy"])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), result["recording_accuracy"])
    display = AccuracyVsDurationDisplay.from_estimator(
        LogisticRegression(), train, test, vary="train", **settings
    )
    assert display.ax_.get_xlabel() == "Training duration (s)"
    assert len(display.line_.get_ydata()) == 2


@pytest.mark.parametrize(
    "durations, accuracy, std, err_msg",
    [
        (
            [1, 2, 3],
            [0.5, 0.6],
            None,
            "durations and accuracy must have the same length; got 3 and 2",
        ),
        ([], [], None, "durations is empty"),
        (
            [1, 2],
            [0.5, 0.6],
            [0.1],
            "durations and accuracy_std must have the same length; got 2 and 1",
        ),
        (
            [1, 2],
            [50.0, 60.0],
            None,
            "accuracy must lie between 0 and 1 (a fraction, not a percentage); "
            "got values from 50 to 60",
        ),
        ([1, 2], [-0.1, 0.6], None, "accuracy must lie between 0 and 1"),
        ([1, 2], [0.5, 0.6], [0.1, -0.1], "accuracy_std must be non-negative"),
        ([0, 2], [0.5, 0.6], None, "durations must be positive"),
        ([1, 2], [0.5, np.nan], None, "accuracy must be finite everywhere"),
        ([[1, 2]], [[0.5, 0.6]], None, "durations must be 1-D"),
        (["a", "b"], [0.5, 0.6], None, "durations must hold numbers"),
    ],
)
def test_accuracy_vs_duration_bad_input(durations, accuracy, std, err_msg):
    with pytest.raises(ValueError, match=re.escape(err_msg)):
        AccuracyVsDurationDisplay(durations, accuracy, accuracy_std=std).plot()


# --------------------------------------------------------------------------- #
# Training curve
# --------------------------------------------------------------------------- #


def test_training_curve_draws_one_line_per_key():
    ax = TrainingCurveDisplay.from_history(HISTORY).ax_
    assert [line.get_label() for line in ax.lines] == ["train_loss", "valid_loss"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(
        ax.lines[1].get_ydata(), [row["valid_loss"] for row in HISTORY]
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["train_loss", "valid_loss"]
    assert ax.get_xlabel() == "Epoch"
    assert ax.get_ylabel() == "Loss"


def test_training_curve_reads_a_skorch_history_and_an_estimator():
    history_module = pytest.importorskip("skorch.history")
    history = history_module.History()
    for row in HISTORY:
        history.new_epoch()
        for key, value in row.items():
            history.record(key, value)
    ax = TrainingCurveDisplay.from_history(history, keys="train_loss").ax_
    np.testing.assert_array_equal(
        ax.lines[0].get_ydata(), [row["train_loss"] for row in HISTORY]
    )
    estimator = SimpleNamespace(history_=history)
    display = TrainingCurveDisplay.from_estimator(estimator)
    assert list(display.lines_) == ["train_loss", "valid_loss"]


def test_training_curve_skips_epochs_without_a_key_and_counts_from_one():
    history = [
        {"train_loss": 2.0},
        {"train_loss": 1.5, "valid_acc": 0.4},
        {"train_loss": 1.0, "valid_acc": None},
        {"train_loss": 0.8, "valid_acc": 0.7},
    ]
    ax = TrainingCurveDisplay.from_history(
        history, keys=["train_loss", "valid_acc"]
    ).ax_
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [2, 4])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.4, 0.7])
    assert ax.get_ylabel() == ""


def test_training_curve_warns_about_missing_keys():
    with pytest.warns(UserWarning, match=re.escape("['valid_acc']")):
        ax = TrainingCurveDisplay.from_history(
            HISTORY, keys=("train_loss", "valid_acc")
        ).ax_
    assert [line.get_label() for line in ax.lines] == ["train_loss"]


def test_training_curve_honours_ax():
    _, (left, right) = plt.subplots(1, 2)
    ax = TrainingCurveDisplay.from_history(HISTORY, ax=left).ax_
    assert ax is left
    assert len(left.lines) == 2
    assert not right.lines


@pytest.mark.parametrize(
    "history, keys, error, err_msg",
    [
        (
            HISTORY,
            ("valid_acc",),
            ValueError,
            "None of the keys ['valid_acc'] is in the history; "
            "available keys: ['dur', 'epoch', 'train_loss', 'valid_loss']",
        ),
        ([], ("train_loss",), ValueError, "history is empty"),
        (HISTORY, (), ValueError, "keys is empty"),
        (
            {"train_loss": [1.0]},
            ("train_loss",),
            TypeError,
            "history must be a list of per-epoch dicts "
            "(such as a skorch History); got a dict",
        ),
        (3.0, ("train_loss",), TypeError, "got a float"),
        ([{"epoch": 1}, 2.0], ("train_loss",), TypeError, "entry 1 is a float"),
        (
            [{"batches": [{"loss": 1.0}]}],
            ("batches",),
            TypeError,
            "history key 'batches' must hold numbers",
        ),
    ],
)
def test_training_curve_bad_input(history, keys, error, err_msg):
    with pytest.raises(error, match=re.escape(err_msg)):
        TrainingCurveDisplay.from_history(history, keys=keys)


def test_training_curve_from_a_fitted_network_and_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from micfp.neural import MLPClassifier

    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.repeat([0, 1], 10)
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier((4,), max_epochs=3, random_state=0)
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(pipe, keys="train_loss")
    np.testing.assert_array_equal(
        display.lines_["train_loss"].get_ydata(),
        [row["train_loss"] for row in pipe[-1].history_],
    )
    with pytest.raises(TypeError, match="without one"):
        TrainingCurveDisplay.from_estimator(StandardScaler())


def test_training_curve_display_redraws_its_curves():
    first = TrainingCurveDisplay.from_history(HISTORY)
    _, ax = plt.subplots()
    again = TrainingCurveDisplay(first.curves).plot(ax=ax)
    assert again.ax_ is ax
    np.testing.assert_array_equal(
        again.lines_["valid_loss"].get_ydata(), [1.6, 1.2, 1.1]
    )
    with pytest.raises(ValueError, match="curves must be a non-empty dict"):
        TrainingCurveDisplay({}).plot()
    with pytest.raises(ValueError, match="same length"):
        TrainingCurveDisplay({"loss": ([1, 2], [0.5])}).plot()


@pytest.mark.parametrize(
    "results, kwargs, error, err_msg",
    [
        ({}, {"accuracy": "segment"}, ValueError, "accuracy must be one of"),
        ([1.0], {}, TypeError, "results must be the dict"),
        ({"durations": [1.0]}, {}, ValueError, "results lacks"),
        (
            {
                "durations": [1.0],
                "vary": "both",
                "recording_accuracy": [0.5],
                "recording_accuracy_std": [0.1],
            },
            {},
            ValueError,
            "results['vary'] must be 'test' or 'train'",
        ),
    ],
)
def test_accuracy_vs_duration_from_results_bad_input(results, kwargs, error, err_msg):
    with pytest.raises(error, match=re.escape(err_msg)):
        AccuracyVsDurationDisplay.from_results(results, **kwargs)


def test_tsne_from_estimator_transforms_first():
    from sklearn.decomposition import PCA

    X, y = _blobs()
    pca = PCA(n_components=2).fit(X)
    display = TSNEDisplay.from_estimator(
        pca, X, y, perplexity=5, random_state=0, tsne_kw=FAST_TSNE
    )
    expected = TSNEDisplay.from_features(
        pca.transform(X), y, perplexity=5, random_state=0, tsne_kw=FAST_TSNE
    )
    np.testing.assert_allclose(display.embedding_, expected.embedding_)
    with pytest.raises(TypeError, match="fitted transformer"):
        TSNEDisplay.from_estimator(object(), X, y)


@pytest.mark.parametrize(
    "display",
    [
        lambda: TSNEDisplay([[0, 0], [1, 1]], [0, 1]),
        lambda: AccuracyVsDurationDisplay([1, 2], [0.5, 0.6]),
        lambda: TrainingCurveDisplay({"loss": ([1, 2], [0.5, 0.4])}),
        lambda: ChangeCurveDisplay([0.5, 1.0, 1.5], [0.1, 0.9, 0.2]),
        lambda: TippettDisplay([-1.0, 2.0, -0.5, 1.5], [0, 1, 0, 1]),
        lambda: ECEDisplay([-1.0, 2.0, -0.5, 1.5], [0, 1, 0, 1]),
        lambda: PAVDisplay([-1.0, 2.0, -0.5, 1.5], [0, 1, 0, 1]),
    ],
    ids=["tsne", "accuracy", "training", "change", "tippett", "ece", "pav"],
)
def test_every_display_follows_the_display_api(display):
    display = display()
    assert isinstance(display, BaseDisplay)
    assert isinstance(display, BaseDisplay)
    assert display.plot() is display
    assert display.figure_ is display.ax_.figure
    _, ax = plt.subplots()
    assert display.plot(ax=ax).ax_ is ax


def test_base_display_is_abstract():
    with pytest.raises(TypeError, match="plot"):
        BaseDisplay()
