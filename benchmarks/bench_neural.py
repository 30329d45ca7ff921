"""Speed of micfp's neural classifiers against scikit-learn, side by side.

Two measurements, each the median of several repeats with micfp and the
reference run alternately:

- **MLP training epoch**: one epoch of an MLP with hidden layers
  (256, 256, 256) on 18000 x 2049 float32 rows (the size of the noise-residual
  FFT features of the background-noise study), batch size 200, Adam,
  ``micfp.neural.MLPClassifier(max_epochs=1)`` against
  ``sklearn.neural_network.MLPClassifier(max_iter=1)``. Target: micfp at most
  0.7 times scikit-learn's time.
- **Prediction of 900 clips** of 4096 samples through noise residual -> log
  spectrum -> scaler -> MLP (the fitted Pipeline's ``predict``), in ms per
  clip. Target: at most 0.5 ms per clip. The same Pipeline ending in
  scikit-learn's MLP is timed beside it for reference.

scikit-learn uses the threads its BLAS library takes by default; micfp is
timed with PyTorch's default threads and with ``n_threads=1`` (on a shared
machine, a second thread that must wait for a busy core can slow PyTorch down
several times). The machine may be shared: read the ratios, not the absolute
times.

Run: ``python benchmarks/bench_neural.py [--repeats 5] [--n-train 18000]
[--n-predict 900] [--quick] [--json PATH]``
"""

import pickle
import warnings

import _harness
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.neural import MLPClassifier

LAYERS = (256, 256, 256)
BATCH = 200
N_CLASSES = 9


def _features(n, width, seed):
    """Random float32 rows standing in for log spectra, labels of 9 devices."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, size=n)
    X = rng.normal(size=(n, width)).astype(np.float32)
    X[:, :N_CLASSES] += 2 * np.eye(N_CLASSES, dtype=np.float32)[y]
    return X, y


def _clips(n, seed):
    """Noisy clips of 4096 samples in [-1, 1], float32."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, size=n)
    X = 0.05 * rng.normal(size=(n, 4096)) + 0.01 * np.sin(
        np.arange(4096) * (0.01 + 0.01 * y[:, None])
    )
    return X.astype(np.float32), y


def bench_epoch(n_train, repeats):
    X, y = _features(n_train, 2049, seed=0)

    def micfp_epoch(n_threads):
        MLPClassifier(
            LAYERS, max_epochs=1, batch_size=BATCH, n_threads=n_threads, random_state=0
        ).fit(X, y)

    def sklearn_epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            SklearnMLP(LAYERS, max_iter=1, batch_size=BATCH, random_state=0).fit(X, y)

    return _harness.time_alternately(
        {
            "micfp": lambda: micfp_epoch(None),
            "micfp, n_threads=1": lambda: micfp_epoch(1),
            "sklearn": sklearn_epoch,
        },
        repeats,
    )


def _one_thread_copy(pipeline):
    """Copy the fitted pipeline, its network set to predict on one thread."""
    copy = pickle.loads(pickle.dumps(pipeline))
    copy[-1].n_threads = 1
    return copy


def bench_predict(repeats, n_clips):
    X_train, y_train = _clips(n_clips, seed=1)
    X_test, _ = _clips(n_clips, seed=2)

    def pipeline(classifier):
        return make_pipeline(
            NoiseResidual(), LogSpectrum(), StandardScaler(), classifier
        ).fit(X_train, y_train)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = pipeline(MLPClassifier(LAYERS, max_epochs=2, random_state=0))
        theirs = pipeline(SklearnMLP(LAYERS, max_iter=2, random_state=0))
    ours_1 = _one_thread_copy(ours)
    times = _harness.time_alternately(
        {
            "micfp": lambda: ours.predict(X_test),
            "micfp, n_threads=1": lambda: ours_1.predict(X_test),
            "sklearn": lambda: theirs.predict(X_test),
        },
        repeats,
    )
    return {
        name: _harness.Timing(
            1000 * t.median / len(X_test), [1000 * x / len(X_test) for x in t.samples]
        )
        for name, t in times.items()
    }


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--repeats", type=int, default=5),
            p.add_argument("--n-train", type=int, default=18000),
            p.add_argument("--n-predict", type=int, default=900),
        ),
        quick={"repeats": 1, "n_train": 600, "n_predict": 90},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    threads = torch.get_num_threads()
    run.note(
        f"torch {torch.__version__}, {threads} threads; "
        f"median of {args.repeats} repeats"
    )
    epoch = bench_epoch(args.n_train, args.repeats)
    predict = bench_predict(args.repeats, args.n_predict)

    # (key in the timings, how micfp's network runs)
    variants = [("micfp", f"{threads} threads"), ("micfp, n_threads=1", "n_threads=1")]
    rows = []
    for name, label in variants:
        rows.append(
            _harness.time_ratio(
                f"MLP epoch, {args.n_train} x 2049 float32, {label}",
                epoch[name],
                epoch["sklearn"],
                at_most=0.7,
                compared_with="sklearn MLPClassifier, max_iter=1",
            )
        )
    for name, label in variants:
        ours, theirs = predict[name], predict["sklearn"]
        rows.append(
            _harness.Row(
                f"predict {args.n_predict} clips, {label}",
                ours.median,
                theirs.median,
                ours.median / theirs.median,
                "<= 0.5 ms/clip",
                bool(ours.median <= 0.5),
                "ms/clip",
                "same Pipeline, sklearn MLP",
                samples={"micfp": ours.samples, "reference": theirs.samples},
            )
        )
    run.finish(rows)


if __name__ == "__main__":
    main()
