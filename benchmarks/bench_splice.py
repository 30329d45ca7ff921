"""Splice detection: DeviceChangeDetector against change-point peers.

Data from :func:`micfp.datasets.make_spliced` at ``--sr`` (16 kHz by default;
the timing rows run at 44.1 kHz). Every method is fitted, or has its penalty
set, on unedited training recordings only, whose devices are not those of
any test set (another seed draws other models). The penalty of a peer is
the smallest of a grid (49 values, 1e-2 to 1e4, log-spaced; found by
bisection, the number of boundaries falling as the penalty grows) that gives
at most one boundary an hour on the training recordings; micfp's detector sets
its threshold for the same rate (``false_alarms_per_hour=1``). The training
recordings come from ``max(8, --n-train)`` devices; micfp's detector is
given their device labels (the peers are unsupervised).

Test sets, each of ``--n-test`` recordings of unseen devices:

- ``different models``: 0-3 splices, segments of 5-30 s, consecutive
  segments from different models, one scene per recording (the default
  conditions: speech, no gain control); pristine recordings among them;
- ``same model``: 1-3 splices between two units of one model, 5-30 s;
- ``2-s segments``: 6-10 splices, segments of 2 s, different models;
- ``controls``: unedited recordings with content changes (speech, music and
  room tone), automatic gain control, 0-2 gain steps and 0-2 pauses, for
  false alarms; the methods are fitted again on training recordings of the
  same kind, and ``controls, spliced`` has 1-3 splices in those conditions;
- ``mains hum``: as ``different models`` with a wandering 50 Hz hum
  (``enf=50``), for the detector with and without ``enf=50``.

Peers (ruptures, the same hop of 0.25 s): ``KernelCPD(kernel="rbf")`` and
``Pelt(model="l2")`` (``min_size`` 1 s, ``jump=1``) on the per-hop mean log
power spectrum (64 bands) and on per-hop MFCC means (librosa, 20
coefficients), each dimension standardised with the training recordings'
mean and deviation; and the local noise-level curve of Pan, Zhang and Lyu
(ICASSP 2012: per hop, the noise variance that makes the kurtosis of 64 DCT
bands of 4-ms frames most nearly constant), segmented by ``Pelt(model="l2")``.

Rows: boundary F1 within ±1 s and ±0.5 s (pooled over a set), false
boundaries an hour on unedited recordings, the spliced-vs-pristine EER of
micfp's recording score, and, at 44.1 kHz, the time and traced peak memory
(tracemalloc, NumPy included) of ``predict`` on one hour of float32 audio
(a 60-s simulated recording repeated).

Run: ``python benchmarks/bench_splice.py [--quick] [--json PATH] [--sr HZ]
[--n-train N] [--n-test N] [--hours H]``
"""

import time
import tracemalloc

import _harness
import numpy as np
import scipy.fft
import scipy.signal
from sklearn.metrics import roc_curve

from micfp.datasets import make_spliced
from micfp.metrics import boundary_precision_recall_fscore
from micfp.segmentation import DeviceChangeDetector

HOP_S = 0.25
PENALTIES = np.geomspace(1e-2, 1e4, 49)
RATE = 1.0
GOALS = {"f1_1": 0.90, "f1_05": 0.75, "fa": 1.0, "eer": 0.05, "margin": 0.15}


# --- peers -------------------------------------------------------------------


def _frames(x, n_fft, hop):
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    return frames * scipy.signal.get_window("hann", n_fft)


def _per_hop(values, frames_per_hop):
    n = len(values) // frames_per_hop
    return values[: n * frames_per_hop].reshape(n, frames_per_hop, -1).mean(axis=1)


def log_spectrum_hops(x, sr):
    n_fft = 512 if sr <= 24000 else 1024
    hop = n_fft // 2
    power = np.abs(scipy.fft.rfft(_frames(x, n_fft, hop), axis=-1)) ** 2
    bands = np.array_split(np.arange(1, n_fft // 2 + 1), 64)
    pooled = np.stack([power[:, b].mean(axis=1) for b in bands], axis=1)
    return _per_hop(np.log10(pooled + 1e-15), round(HOP_S * sr / hop)), hop


def mfcc_hops(x, sr):
    import librosa

    n_fft = 512 if sr <= 24000 else 1024
    hop = n_fft // 2
    mfcc = librosa.feature.mfcc(
        y=np.asarray(x, dtype=np.float32),
        sr=sr,
        n_mfcc=20,
        n_fft=n_fft,
        hop_length=hop,
        center=False,
    ).T
    return _per_hop(mfcc, round(HOP_S * sr / hop)), hop


def noise_level_hops(x, sr):
    """Pan, Zhang and Lyu's local noise variance, log10, once a hop."""
    size = 64
    blocks = np.asarray(x[: len(x) // size * size], dtype=np.float64).reshape(-1, size)
    coef = scipy.fft.dct(blocks, norm="ortho", axis=1)[:, 1:]
    per_hop = max(2, round(HOP_S * sr / size))
    n = len(coef) // per_hop
    coef = coef[: n * per_hop].reshape(n, per_hop, -1)
    var = coef.var(axis=1) + 1e-20
    kurt = np.mean((coef - coef.mean(axis=1, keepdims=True)) ** 4, axis=1) / var**2
    y = np.sqrt(np.maximum(kurt - 3.0, 0.0))
    # y_k = a - b / var_k with a = sqrt(kappa - 3), b = a * noise variance.
    inv = 1.0 / var
    mean_inv, mean_y = inv.mean(axis=1), y.mean(axis=1)
    cov = np.mean((inv - mean_inv[:, None]) * (y - mean_y[:, None]), axis=1)
    slope = cov / (inv.var(axis=1) + 1e-30)
    b = -slope
    a = mean_y + b * mean_inv
    noise = np.where(a > 0, b / np.maximum(a, 1e-12), 0.0)
    noise = np.clip(noise, 1e-20, None)
    return np.log10(noise)[:, None], per_hop * size


class Peer:
    """A ruptures search on per-hop features, penalty set on training recordings."""

    def __init__(self, name, features, algorithm):
        self.name, self.features, self.algorithm = name, features, algorithm

    def _signal(self, x, sr):
        values, _ = self.features(x, sr)
        return (values - self.mean_) / self.scale_

    def _fit_one(self, signal):
        import ruptures

        min_size = round(1.0 / HOP_S)
        if self.algorithm == "kernel":
            algo = ruptures.KernelCPD(kernel="rbf", min_size=min_size)
        else:
            algo = ruptures.Pelt(model="l2", min_size=min_size, jump=1)
        return algo.fit(signal)

    def fit(self, signals, sr, devices=None):
        """Standardise on the training recordings and set the penalty.

        The peers are unsupervised: ``devices`` is not used.
        """
        raw = [self.features(x, sr)[0] for x in signals]
        stacked = np.concatenate(raw)
        self.mean_, self.scale_ = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
        fitted = [self._fit_one((r - self.mean_) / self.scale_) for r in raw]
        hours = sum(len(x) for x in signals) / sr / 3600
        # The smallest penalty of the grid meeting the rate, by bisection (the
        # number of boundaries falls as the penalty grows).
        low, high = 0, len(PENALTIES) - 1
        while low < high:
            mid = (low + high) // 2
            n_false = sum(len(f.predict(pen=PENALTIES[mid])) - 1 for f in fitted)
            if n_false / hours <= RATE:
                high = mid
            else:
                low = mid + 1
        self.penalty_ = PENALTIES[low]
        return self

    def predict(self, x, sr):
        """Boundary times of one recording in seconds."""
        signal = self._signal(x, sr)
        if len(signal) < 2 * round(1.0 / HOP_S) + 1:
            return np.empty(0)
        ends = self._fit_one(signal).predict(pen=self.penalty_)[:-1]
        return np.asarray(ends, dtype=float) * HOP_S


# --- evaluation --------------------------------------------------------------


def eer(labels, scores):
    fpr, tpr, _ = roc_curve(labels, scores)
    fnr = 1 - tpr
    i = np.nanargmin(np.abs(fnr - fpr))
    return float((fpr[i] + fnr[i]) / 2)


def evaluate(method, recordings, truth, sr):
    found = [method.predict(x, sr) for x in recordings.signals]
    f1_1 = boundary_precision_recall_fscore(truth, found, tolerance=1.0)[2]
    f1_05 = boundary_precision_recall_fscore(truth, found, tolerance=0.5)[2]
    pristine = [i for i, b in enumerate(truth) if len(b) == 0]
    hours = sum(len(recordings.signals[i]) for i in pristine) / sr / 3600
    false = sum(len(found[i]) for i in pristine)
    return f1_1, f1_05, false, hours


class Micfp:
    """DeviceChangeDetector behind the peers' interface."""

    name = "micfp DeviceChangeDetector"

    def __init__(self, **params):
        self.params = params

    def fit(self, signals, sr, devices=None):
        """Fit the detector on unedited recordings and their devices."""
        self.detector_ = DeviceChangeDetector(sr=sr, **self.params).fit(
            signals, devices
        )
        return self

    def predict(self, x, sr):
        """Boundary times of one recording in seconds."""
        return self.detector_.predict(x)


def methods():
    return [
        Micfp(),
        Peer("KernelCPD rbf, log spectrum", log_spectrum_hops, "kernel"),
        Peer("Pelt l2, log spectrum", log_spectrum_hops, "pelt"),
        Peer("KernelCPD rbf, MFCC means", mfcc_hops, "kernel"),
        Peer("Pelt l2, MFCC means", mfcc_hops, "pelt"),
        Peer("Pelt l2, noise level (Pan 2012)", noise_level_hops, "pelt"),
    ]


def _n_fit_devices(args):
    """Devices of the training recordings: as many as there are recordings."""
    return max(8, args.n_train)


def datasets(args):
    sr, n = args.sr, args.n_test
    common = {"sr": sr, "n_devices": 8, "n_jobs": 1}
    seg = (5.0, 30.0)
    controls = {"content": "mixed", "agc": True, "gain_steps": (0, 2), "pauses": (0, 2)}
    fitting = {**common, "n_devices": _n_fit_devices(args)}
    train = make_spliced(args.n_train, n_splices=0, random_state=100, **fitting)[0]
    train_c = make_spliced(
        args.n_train, n_splices=0, random_state=101, **fitting, **controls
    )[0]
    test = {
        "different models": make_spliced(
            n,
            segment_duration=seg,
            pairing="different_model",
            random_state=200,
            **common,
        ),
        "same model": make_spliced(
            n,
            n_splices=(1, 3),
            segment_duration=seg,
            n_same_model_pairs=4,
            pairing="same_model",
            random_state=201,
            **common,
        ),
        "2-s segments": make_spliced(
            n,
            n_splices=(6, 10),
            segment_duration=2.0,
            pairing="different_model",
            random_state=202,
            **common,
        ),
        "controls": make_spliced(
            n, n_splices=0, random_state=203, **common, **controls
        ),
        "controls, spliced": make_spliced(
            n,
            n_splices=(1, 3),
            segment_duration=seg,
            pairing="different_model",
            random_state=204,
            **common,
            **controls,
        ),
    }
    return train, train_c, test


def timing_rows(args, run):
    sr = 44100
    train, _ = make_spliced(
        3,
        sr=sr,
        n_splices=0,
        segment_duration=20.0,
        random_state=300,
        dtype=np.float32,
    )
    minute = make_spliced(
        1,
        sr=sr,
        n_splices=0,
        segment_duration=60.0,
        random_state=301,
        dtype=np.float32,
    )[0].signals[0][: 60 * sr]
    x = np.tile(minute, round(args.hours * 60))
    rows = []
    for enf in (None, 50):
        det = DeviceChangeDetector(sr=sr, enf=enf).fit(train)
        det.predict(x[: 60 * sr])
        tracemalloc.start()
        start = time.perf_counter()
        det.predict(x)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        budget = 60.0 * args.hours
        label = f"{args.hours:g} h at 44.1 kHz, float32" + (", enf=50" if enf else "")
        rows.append(
            _harness.Row(
                f"predict time, {label}",
                seconds,
                budget,
                seconds / budget,
                f"<= {budget:g} s",
                seconds <= budget,
                "s",
                "60 s an hour",
                note=f"load {_harness.load_average()}",
            )
        )
        ratio = (x.nbytes + peak) / x.nbytes
        rows.append(
            _harness.Row(
                f"peak memory over audio, {label}",
                ratio,
                None,
                ratio,
                "<= 1.5x audio",
                ratio <= 1.5,
                "x",
                "",
                note=f"audio {x.nbytes / 1e6:.0f} MB, traced peak {peak / 1e6:.0f} MB",
            )
        )
    return rows


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--sr", type=int, default=16000),
            p.add_argument("--n-train", type=int, default=40),
            p.add_argument("--n-test", type=int, default=40),
            p.add_argument("--hours", type=float, default=1.0),
        ),
        quick={"n_train": 6, "n_test": 6, "hours": 0.05},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    sr = args.sr
    train, train_c, test = datasets(args)
    run.note(
        f"training: {len(train)} + {len(train_c)} unedited recordings "
        f"({train.durations.sum() / 60:.1f} + {train_c.durations.sum() / 60:.1f} min)"
    )
    rows = []
    results = {}
    for method in methods():
        for fit_set, names in (
            (train, ["different models", "same model", "2-s segments"]),
            (train_c, ["controls", "controls, spliced"]),
        ):
            method.fit(fit_set.signals, sr, fit_set.devices)
            for name in names:
                rec, truth = test[name]
                results[method.name, name] = evaluate(method, rec, truth, sr)
        run.note(f"{method.name}: done")

    micfp_name = Micfp.name
    best_peer = max(
        (results[m.name, "different models"][0], m.name) for m in methods()[1:]
    )
    for name in test:
        for method in methods():
            f1_1, f1_05, false, hours = results[method.name, name]
            is_micfp = method.name == micfp_name
            if name != "controls":
                target = ""
                met = None
                if is_micfp and name == "different models":
                    target = f"F1 >= {GOALS['f1_1']} and >= best peer + 0.15"
                    met = f1_1 >= GOALS["f1_1"] and f1_1 >= best_peer[0] + 0.15
                rows.append(
                    _harness.Row(
                        f"{name}: boundary F1 ±1 s (±0.5 s), {method.name}",
                        f1_1,
                        f1_05,
                        None,
                        target,
                        met,
                        "",
                        "F1 at ±0.5 s in the reference column",
                    )
                )
            if hours > 0:
                rate = false / hours
                rows.append(
                    _harness.Row(
                        f"{name}: false boundaries an hour, {method.name}",
                        rate,
                        None,
                        None,
                        "<= 1 an hour" if is_micfp else "",
                        rate <= GOALS["fa"] if is_micfp else None,
                        "/h",
                        "",
                        note=f"{false} in {hours * 60:.1f} min",
                    )
                )

    # Spliced-vs-pristine EER of the recording score (different models).
    det = DeviceChangeDetector(sr=sr).fit(train, train.devices)
    for name in ("different models", "mains hum"):
        if name == "mains hum":
            rec, truth = make_spliced(
                args.n_test,
                sr=sr,
                n_devices=8,
                segment_duration=(5.0, 30.0),
                pairing="different_model",
                enf=50,
                random_state=205,
                n_jobs=1,
            )
            train_h = make_spliced(
                args.n_train,
                sr=sr,
                n_devices=_n_fit_devices(args),
                n_splices=0,
                enf=50,
                random_state=102,
                n_jobs=1,
            )[0]
            det_h = DeviceChangeDetector(sr=sr).fit(train_h, train_h.devices)
            det_e = DeviceChangeDetector(sr=sr, enf=50).fit(train_h, train_h.devices)
            for label, d in (("without enf", det_h), ("with enf=50", det_e)):
                found = [d.predict(x) for x in rec.signals]
                f1 = boundary_precision_recall_fscore(truth, found, tolerance=1.0)[2]
                f05 = boundary_precision_recall_fscore(truth, found, tolerance=0.5)[2]
                rows.append(
                    _harness.Row(
                        f"mains hum: boundary F1 ±1 s (±0.5 s), micfp {label}",
                        f1,
                        f05,
                        None,
                        "",
                        None,
                        "",
                        "F1 at ±0.5 s in the reference column",
                    )
                )
            continue
        rec, truth = test[name]
        labels = np.array([len(b) > 0 for b in truth])
        if labels.all() or not labels.any():
            continue
        value = eer(labels, det.splice_score(rec))
        rows.append(
            _harness.Row(
                f"{name}: spliced-vs-pristine EER, micfp splice_score",
                value,
                None,
                None,
                "<= 0.05",
                value <= GOALS["eer"],
                "",
                note=f"{labels.sum()} spliced, {(~labels).sum()} pristine",
            )
        )
    run.note(
        f"best peer at ±1 s on different models: {best_peer[1]} {best_peer[0]:.3f}"
    )
    rows.extend(timing_rows(args, run))
    run.finish(rows)


if __name__ == "__main__":
    main()
