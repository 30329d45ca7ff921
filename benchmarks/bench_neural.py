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

Run: ``python benchmarks/bench_neural.py [--repeats 5] [--n-train 18000]``
"""

import argparse
import pickle
import time
import warnings

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


def _median_times(funcs, repeats):
    """Median times of several functions, run in turn after one warm-up each."""
    for func in funcs:
        func()
    times = np.empty((repeats, len(funcs)))
    for r in range(repeats):
        for j, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            times[r, j] = time.perf_counter() - start
    return np.median(times, axis=0)


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

    return _median_times(
        [lambda: micfp_epoch(None), lambda: micfp_epoch(1), sklearn_epoch], repeats
    )


def _one_thread_copy(pipeline):
    """Copy the fitted pipeline, its network set to predict on one thread."""
    copy = pickle.loads(pickle.dumps(pipeline))
    copy[-1].n_threads = 1
    return copy


def bench_predict(repeats):
    X_train, y_train = _clips(900, seed=1)
    X_test, _ = _clips(900, seed=2)

    def pipeline(classifier):
        return make_pipeline(
            NoiseResidual(), LogSpectrum(), StandardScaler(), classifier
        ).fit(X_train, y_train)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = pipeline(MLPClassifier(LAYERS, max_epochs=2, random_state=0))
        theirs = pipeline(SklearnMLP(LAYERS, max_iter=2, random_state=0))
    ours_1 = _one_thread_copy(ours)
    times = _median_times(
        [
            lambda: ours.predict(X_test),
            lambda: ours_1.predict(X_test),
            lambda: theirs.predict(X_test),
        ],
        repeats,
    )
    return 1000 * times / len(X_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=18000)
    args = parser.parse_args()

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"median of {args.repeats} repeats"
    )
    epoch = bench_epoch(args.n_train, args.repeats)
    predict = bench_predict(args.repeats)

    header = f"{'measurement':<48}{'micfp':>9}{'sklearn':>9}{'ratio':>7}  target"
    print(header)
    print("-" * len(header))
    for label, ours in [("", epoch[0]), (", n_threads=1", epoch[1])]:
        ratio = ours / epoch[2]
        print(
            f"{f'MLP epoch, {args.n_train} x 2049 float32 (s){label}':<48}"
            f"{ours:>9.3f}{epoch[2]:>9.3f}{ratio:>7.2f}  "
            f"ratio <= 0.7: {'met' if ratio <= 0.7 else 'NOT met'}"
        )
    for label, ours in [("", predict[0]), (", n_threads=1", predict[1])]:
        print(
            f"{f'predict 900 clips (ms/clip){label}':<48}"
            f"{ours:>9.3f}{predict[2]:>9.3f}{ours / predict[2]:>7.2f}  "
            f"micfp <= 0.5 ms/clip: {'met' if ours <= 0.5 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
