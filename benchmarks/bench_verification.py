"""Device verification and open-set identification on simulated devices.

Verification: was the questioned excerpt made by the device that made the
enrolment recording? Devices come from separate simulator draws, so the
roles never share a device:

- background devices fit the back-ends (and the peers' LDA, UBM, scaler);
- calibration devices choose micfp's back-end among a few candidates, by
  EER; the evaluation devices play no part in that choice;
- evaluation devices (some of them two units of one model) give the
  figures. Enrolment is one recording of each device (its 10-s excerpts
  pooled); questioned items are the 10-s excerpts of its other recordings,
  and of every other evaluation device's. 2-s questioned excerpts (the
  first 2 s of each 10-s one) are reported apart, as are trials of two
  units of one model (targets against same-model non-targets) and
  devices of an unseen family: devices with automatic gain control, a
  simulator setting that no background device has.

Peers, written here from public libraries (scipy, scikit-learn, librosa)
on the same excerpts: cosine on the mean log spectrum (Welch), cosine on
Gaussian supervectors (MFCC, a 32-component diagonal UBM, MAP-adapted
means), LDA + cosine on a Welch log spectrum with its noise floor (10th
percentile over frames), and a one-class SVM per enrolled device on the
log spectra of its clips.

The embedder's clip features are standardised on the background devices.
With ``--embedding learned``, the clip embedding is instead a
``micfp.neural.DeviceEmbeddingNet`` at its defaults, trained on the clips of
the background devices with their device labels (mean of the clip
embeddings per excerpt; the 2-s excerpts use the same network).

Open set: a new draw of 30 devices (3 same-model pairs), 20 known and 10
unknown. A logistic regression on micfp's embeddings of 10-s excerpts is
trained on recordings 1-3 of the known devices; the test items are whole
recordings (excerpt embeddings averaged): recordings 4-5 of the known
devices and all recordings of the unknown ones. Known-ness by maximum
softmax probability (the baseline), by distance to class prototypes, and
by the verification back-end fitted on the background devices; thresholds
learnt on held-out recordings of the known devices at 5 % false
rejection.

Speed: cosine and PLDA score matrices of 256-d embeddings.

With ``--seeds N`` the verification and open-set parts run for N seeds
(from ``--seed`` on: new devices, new draws of every role), and each row
gives the median over the seeds, with the range in its note.

Run: ``python benchmarks/bench_verification.py [--seed 0] [--seeds 1] [--duration 30]
[--sr 16000] [--embedding {recipe,learned}] [--det PATH] [--quick] [--json PATH]``
"""

import time

import _harness
import librosa
import numpy as np
from scipy.signal import spectrogram, welch
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from micfp.datasets import make_recordings
from micfp.metrics import eer, min_dcf, oscr
from micfp.neural import DeviceEmbeddingNet
from micfp.openset import OpenSetClassifier
from micfp.verification import (
    CosineScorer,
    DeviceEmbedder,
    LDACosineScorer,
    NormalizedScorer,
    PLDAScorer,
    make_trials,
    pool_by_group,
)

EXCERPT_DURATION = 10.0
SHORT_DURATION = 2.0
CLIP_LENGTH = 4096
P_TARGETS = (0.01, 0.05)


# ---------------------------------------------------------------- data


class Excerpts:
    """10-s excerpts of a set of recordings, with their labels."""

    def __init__(self, recordings, params, duration):
        sr = recordings.sr
        n = round(duration * sr)
        rows, devices, takes = [], [], []
        for signal, device, take in zip(
            recordings.signals,
            recordings.devices,
            recordings.recording_ids,
            strict=True,
        ):
            for start in range(0, len(signal) - n + 1, n):
                rows.append(signal[start : start + n])
                devices.append(device)
                takes.append(take)
        self.X = np.stack(rows)
        self.devices = np.array(devices)
        self.takes = np.array(takes)
        self.recording = self.devices * 1000 + self.takes
        model = {d["device"]: d["model"] for d in params["devices"]}
        self.models = np.array([model[d] for d in self.devices])
        self.sr = sr

    def short(self, duration):
        """Return the first ``duration`` seconds of every excerpt."""
        return self.X[:, : round(duration * self.sr)]


def simulate(n_devices, n_recordings, args, seed, **kwargs):
    rec, params = make_recordings(
        n_devices,
        n_recordings,
        duration=args.duration,
        sr=args.sr,
        random_state=seed,
        return_params=True,
        **kwargs,
    )
    return Excerpts(rec, params, EXCERPT_DURATION)


# ------------------------------------------------------------- peers


def welch_mean(X, sr):
    _, psd = welch(X, fs=sr, nperseg=512, axis=-1)
    return np.log(psd + 1e-20)


def welch_floor(X, sr):
    """Mean log spectrum and its 10th percentile over Hann frames (Welch's)."""
    _, _, power = spectrogram(
        X, fs=sr, window="hann", nperseg=512, noverlap=256, axis=-1
    )
    log_power = np.log(power + 1e-20)
    return np.concatenate(
        [log_power.mean(axis=-1), np.quantile(log_power, 0.1, axis=-1)], axis=-1
    )


def cosine(A, B, mean):
    A = A - mean
    B = B - mean
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    B /= np.linalg.norm(B, axis=1, keepdims=True)
    return A @ B.T


class Supervectors:
    """Gaussian supervectors: MFCC frames, a diagonal UBM, MAP-adapted means."""

    def __init__(self, sr, n_components=32, relevance=16.0, seed=0):
        self.sr = sr
        self.n_components = n_components
        self.relevance = relevance
        self.seed = seed

    def frames(self, X):
        """MFCC frames of each row, shape (n_rows, n_frames, 20)."""
        out = []
        for start in range(0, len(X), 64):
            mfcc = librosa.feature.mfcc(
                y=X[start : start + 64],
                sr=self.sr,
                n_mfcc=20,
                n_fft=512,
                hop_length=256,
            )
            out.append(np.swapaxes(mfcc, -1, -2))
        return np.concatenate(out)

    def fit(self, X):
        """Fit the UBM on frames of the background rows."""
        frames = self.frames(X).reshape(-1, 20)
        rng = np.random.default_rng(self.seed)
        sample = frames[rng.choice(len(frames), min(len(frames), 40000), replace=False)]
        self.ubm = GaussianMixture(
            self.n_components,
            covariance_type="diag",
            max_iter=50,
            reg_covar=1e-3,
            random_state=self.seed,
        ).fit(sample)
        return self

    def transform(self, X):
        """Supervector of each row."""
        ubm = self.ubm
        out = []
        for frames in self.frames(X):
            resp = ubm.predict_proba(frames)
            counts = resp.sum(axis=0)
            first = resp.T @ frames
            alpha = (counts / (counts + self.relevance))[:, None]
            means = alpha * first / np.maximum(counts, 1e-10)[:, None]
            means += (1 - alpha) * ubm.means_
            scaled = (means - ubm.means_) / np.sqrt(ubm.covariances_)
            out.append((np.sqrt(ubm.weights_)[:, None] * scaled).ravel())
        return np.stack(out)


def clip_spectra(X, sr):
    n = X.shape[1] // CLIP_LENGTH
    clips = X[:, : n * CLIP_LENGTH].reshape(-1, CLIP_LENGTH)
    return welch_mean(clips, sr).reshape(len(X), n, -1)


def ocsvm_scores(enrol_clips, test_clips, scaler):
    """One one-class SVM per enrolled device; mean decision over test clips."""
    n_test, n_clips, width = test_clips.shape
    test = scaler.transform(test_clips.reshape(-1, width))
    scores = []
    for clips in enrol_clips:
        svm = OneClassSVM(nu=0.1, gamma="scale").fit(scaler.transform(clips))
        scores.append(svm.decision_function(test).reshape(n_test, n_clips).mean(1))
    return np.stack(scores)


# ------------------------------------------------------------ trials


class Protocol:
    """Enrolment recordings and questioned excerpts of the evaluation devices."""

    def __init__(self, data):
        self.enrol_rows = data.takes == 1
        self.test_rows = ~self.enrol_rows
        self.enrol_devices = np.unique(data.devices[self.enrol_rows])
        devices = np.r_[self.enrol_devices, data.devices[self.test_rows]]
        recordings = np.r_[
            np.ones(len(self.enrol_devices), dtype=int), data.takes[self.test_rows]
        ]
        models = np.r_[
            [data.models[data.devices == d][0] for d in self.enrol_devices],
            data.models[self.test_rows],
        ]
        enrol = np.arange(len(devices)) < len(self.enrol_devices)
        trials = make_trials(devices, recordings, enrol=enrol, models=models)
        self.i = trials.enrol_index
        self.j = trials.test_index - len(self.enrol_devices)
        self.y = trials.y_true
        self.same_model = trials.same_model
        self.data = data

    def enrol(self, features):
        """Pool the features of each device's enrolment excerpts."""
        pooled, _ = pool_by_group(
            features[self.enrol_rows], self.data.devices[self.enrol_rows]
        )
        return pooled

    def test(self, features):
        """The features of the questioned excerpts."""
        return features[self.test_rows]

    def evaluate(self, S):
        """EER, minDCF and same-model EER of a score matrix."""
        scores = S[self.i, self.j]
        out = {"eer": eer(self.y, scores)}
        for p in P_TARGETS:
            out[f"dcf{p}"] = min_dcf(self.y, scores, p_target=p)
        keep = self.y | self.same_model
        if self.same_model.any():
            out["same_model_eer"] = eer(self.y[keep], scores[keep])
        out["scores"] = scores
        return out


# ------------------------------------------------------------ systems


def micfp_candidates(n_devices, n_rows):
    """Return the back-ends among which the calibration devices choose."""
    dims = min(20, n_devices - 1)
    top_n = min(100, n_rows)
    return {
        "PLDA": PLDAScorer(),
        f"PLDA, {dims} dims": PLDAScorer(n_components=dims),
        "PLDA + as-norm": NormalizedScorer(PLDAScorer(), top_n=top_n),
        f"PLDA, {dims} dims + as-norm": NormalizedScorer(
            PLDAScorer(n_components=dims), top_n=top_n
        ),
        "LDA + cosine": LDACosineScorer(),
    }


def verification(args, run, seed):
    sizes = args.sizes
    start = time.perf_counter()
    background = simulate(
        sizes["background"], 4, args, seed + 1, n_same_model_pairs=sizes["pairs"]
    )
    calibration = simulate(sizes["calibration"], 4, args, seed + 2)
    evaluation = simulate(
        sizes["evaluation"], 4, args, seed + 3, n_same_model_pairs=sizes["pairs"]
    )
    family = simulate(sizes["evaluation"], 4, args, seed + 4, agc=True)
    run.note(
        f"simulated {sizes['background']} background, {sizes['calibration']} "
        f"calibration, {sizes['evaluation']} evaluation and {sizes['evaluation']} "
        f"unseen-family (agc) devices, 4 recordings of {args.duration:g} s at "
        f"{args.sr} Hz, in {time.perf_counter() - start:.0f} s"
    )
    sets = {"calibration": calibration, "evaluation": evaluation, "family": family}
    protocols = {name: Protocol(data) for name, data in sets.items()}

    # micfp: embeddings, back-end chosen on the calibration devices.
    start = time.perf_counter()
    if args.embedding == "learned":
        net = DeviceEmbeddingNet(random_state=seed)
        embedder = DeviceEmbedder(net, statistics=("mean",)).fit(
            background.X, background.devices
        )
        short_embedder = DeviceEmbedder(
            FrozenEstimator(embedder.transformer_), statistics=("mean",)
        ).fit(background.short(SHORT_DURATION), background.devices)
    else:
        embedder = DeviceEmbedder().fit(background.X)
        short_embedder = DeviceEmbedder().fit(background.short(SHORT_DURATION))
    emb = {"background": embedder.transform(background.X)}
    for name, data in sets.items():
        emb[name] = embedder.transform(data.X)
    emb_short = short_embedder.transform(evaluation.short(SHORT_DURATION))
    run.note(f"micfp embeddings in {time.perf_counter() - start:.0f} s")
    fitted = {
        name: scorer.fit(emb["background"], background.devices)
        for name, scorer in micfp_candidates(
            sizes["background"], len(background.X)
        ).items()
    }

    def micfp_scores(scorer, name, short=False):
        p = protocols[name]
        test = p.test(emb_short) if short else p.test(emb[name])
        return scorer.score_matrix(p.enrol(emb[name]), test)

    calibration_eer = {
        label: protocols["calibration"].evaluate(micfp_scores(s, "calibration"))["eer"]
        for label, s in fitted.items()
    }
    chosen = min(calibration_eer, key=calibration_eer.get)
    run.note(
        "calibration EER of the candidates: "
        + ", ".join(f"{k} {100 * v:.2f} %" for k, v in calibration_eer.items())
        + f"; chosen: {chosen}"
    )
    backend = fitted[chosen]

    results = {"micfp": {}}
    for name in ("evaluation", "family"):
        results["micfp"][name] = protocols[name].evaluate(micfp_scores(backend, name))
    results["micfp"]["short"] = protocols["evaluation"].evaluate(
        micfp_scores(backend, "evaluation", short=True)
    )

    # Peers.
    start = time.perf_counter()
    sr = args.sr
    feats = {
        "cosine, mean log spectrum": welch_mean,
        "LDA + cosine, Welch + noise floor": welch_floor,
    }
    for label, func in feats.items():
        results[label] = {}
        background_features = func(background.X, sr)
        mean = background_features.mean(axis=0)
        transform = None
        if label.startswith("LDA"):
            lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto").fit(
                background_features, background.devices
            )
            transform = lda.transform
            mean = transform(background_features).mean(axis=0)
        for name in ("evaluation", "family", "short"):
            data = evaluation if name == "short" else sets[name]
            p = protocols["evaluation" if name == "short" else name]
            full = func(data.X, sr)
            test = func(data.short(SHORT_DURATION), sr) if name == "short" else full
            A, B = p.enrol(full), p.test(test)
            if transform is not None:
                A, B = transform(A), transform(B)
            results[label][name] = p.evaluate(cosine(A, B, mean))
    run.note(f"spectral peers in {time.perf_counter() - start:.0f} s")

    if not args.no_gsv:
        start = time.perf_counter()
        label = "cosine, GMM supervectors"
        gsv = Supervectors(sr, seed=seed).fit(background.X)
        mean = gsv.transform(background.X).mean(axis=0)
        results[label] = {}
        for name in ("evaluation", "family", "short"):
            data = evaluation if name == "short" else sets[name]
            p = protocols["evaluation" if name == "short" else name]
            full = gsv.transform(data.X)
            test = (
                gsv.transform(data.short(SHORT_DURATION)) if name == "short" else full
            )
            results[label][name] = p.evaluate(cosine(p.enrol(full), p.test(test), mean))
        run.note(f"supervector peer in {time.perf_counter() - start:.0f} s")

    start = time.perf_counter()
    label = "one-class SVM per device"
    background_clips = clip_spectra(background.X, sr)
    width = background_clips.shape[-1]
    scaler = StandardScaler().fit(background_clips.reshape(-1, width))
    results[label] = {}
    for name in ("evaluation", "family", "short"):
        data = evaluation if name == "short" else sets[name]
        p = protocols["evaluation" if name == "short" else name]
        clips = clip_spectra(data.X, sr)
        enrol_clips = [
            clips[p.enrol_rows & (data.devices == d)].reshape(-1, width)
            for d in p.enrol_devices
        ]
        test = (
            clip_spectra(data.short(SHORT_DURATION), sr) if name == "short" else clips
        )
        results[label][name] = p.evaluate(
            ocsvm_scores(enrol_clips, p.test(test), scaler)
        )
    run.note(f"one-class SVM peer in {time.perf_counter() - start:.0f} s")
    return results, chosen, embedder, emb["background"], background, protocols


def over_seeds(per_seed):
    """Median and range over seeds of every figure of nested result dicts.

    ``per_seed`` holds one nested dict a seed, with the same keys; score
    arrays are left out. Returns ``(median, spread)``, nested alike, the
    spread a ``(min, max)`` pair.
    """
    first = per_seed[0]
    if isinstance(first, dict):
        pairs = {
            key: over_seeds([d[key] for d in per_seed])
            for key, value in first.items()
            if not isinstance(value, np.ndarray)
        }
        return (
            {key: pair[0] for key, pair in pairs.items()},
            {key: pair[1] for key, pair in pairs.items()},
        )
    values = np.asarray(per_seed, dtype=float)
    return float(np.median(values)), (float(values.min()), float(values.max()))


def _range_note(spread, scale=1.0, digits=2):
    """Range of a figure over seeds, or nothing for one seed."""
    if spread is None or spread[0] == spread[1]:
        return ""
    low, high = (scale * value for value in spread)
    return f"range over the seeds {low:.{digits}f}-{high:.{digits}f}"


def _join(*parts):
    return "; ".join(part for part in parts if part)


def verification_rows(results, chosen, protocols, sizes, spread=None):
    rows = []
    spread = spread or {}

    def span(label, name, key):
        return spread.get(label, {}).get(name, {}).get(key)

    peers = {k: v for k, v in results.items() if k != "micfp"}
    ours = results["micfp"]
    n_eval = sizes["evaluation"]
    n_pairs = sizes["pairs"]

    def best_peer(name, key):
        label = min(peers, key=lambda k: peers[k][name][key])
        return label, peers[label][name][key]

    for name, text in (
        ("evaluation", f"10-s questioned, {n_eval} unseen devices"),
        ("short", f"2-s questioned, {n_eval} unseen devices"),
        ("family", f"10-s questioned, {n_eval} devices of an unseen family (agc)"),
    ):
        label, peer = best_peer(name, "eer")
        value = ours[name]["eer"]
        if name == "evaluation":
            target = "EER <= 5 % and <= 0.5x best peer"
            met = bool(value <= 0.05 and value <= 0.5 * peer)
        else:
            target, met = "reported", None
        rows.append(
            _harness.Row(
                f"EER, {text}",
                100 * value,
                100 * peer,
                value / peer if peer > 0 else float("nan"),
                target,
                met,
                "%",
                f"best peer: {label}",
                note=_join(
                    f"micfp back-end: {chosen}",
                    _range_note(span("micfp", name, "eer"), 100),
                ),
            )
        )
        for p in P_TARGETS:
            key = f"dcf{p}"
            label, peer = best_peer(name, key)
            rows.append(
                _harness.Row(
                    f"minDCF p_target={p}, {text}",
                    ours[name][key],
                    peer,
                    ours[name][key] / peer if peer > 0 else float("nan"),
                    "reported",
                    None,
                    "normalised",
                    f"best peer: {label}",
                    note=_range_note(span("micfp", name, key), digits=3),
                )
            )
    if "same_model_eer" in ours["evaluation"]:
        label, peer = best_peer("evaluation", "same_model_eer")
        value = ours["evaluation"]["same_model_eer"]
        rows.append(
            _harness.Row(
                f"EER, same-model pairs only ({n_pairs} pairs), 10 s",
                100 * value,
                100 * peer,
                value / peer if peer > 0 else float("nan"),
                "<= 15 % (reported)",
                bool(value <= 0.15),
                "%",
                f"best peer: {label}",
                note=_join(
                    "targets against non-targets of two units of one model",
                    _range_note(span("micfp", "evaluation", "same_model_eer"), 100),
                ),
            )
        )
    for label, res in peers.items():
        rows.append(
            _harness.Row(
                f"peer EER: {label}",
                None,
                100 * res["evaluation"]["eer"],
                None,
                "reported",
                None,
                "%",
                label,
                note=_join(
                    f"2 s {100 * res['short']['eer']:.2f} %, unseen family "
                    f"{100 * res['family']['eer']:.2f} %, minDCF(0.01) "
                    f"{res['evaluation']['dcf0.01']:.3f}",
                    _range_note(span(label, "evaluation", "eer"), 100),
                ),
            )
        )
    return rows


def open_set(args, run, embedder, background_embeddings, background, seed):
    n_devices, n_known = args.sizes["open_devices"], args.sizes["open_known"]
    start = time.perf_counter()
    data = simulate(n_devices, 5, args, seed + 5, n_same_model_pairs=3)
    E = embedder.transform(data.X)
    rng = np.random.default_rng(seed)
    known_devices = np.sort(rng.choice(n_devices, n_known, replace=False))
    known = np.isin(data.devices, known_devices)
    train = known & (data.takes <= 3)
    test_rows = ~train
    X_test, recordings = pool_by_group(E[test_rows], data.recording[test_rows])
    device_of = recordings // 1000
    is_known = np.isin(device_of, known_devices)
    run.note(
        f"open set: {n_devices} devices ({n_known} known, {n_devices - n_known} "
        f"unknown), {is_known.sum()} known and {(~is_known).sum()} unknown test "
        f"recordings, simulated and embedded in {time.perf_counter() - start:.0f} s"
    )

    def classifier():
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))

    plain = classifier().fit(E[train], data.devices[train])
    plain_accuracy = np.mean(plain.predict(X_test[is_known]) == device_of[is_known])
    backend = PLDAScorer().fit(background_embeddings, background.devices)
    out = {}
    for method in ("msp", "prototype", "backend"):
        clf = OpenSetClassifier(
            classifier(),
            method=method,
            threshold="auto",
            target_frr=0.05,
            scorer=FrozenEstimator(backend),
        ).fit(E[train], data.devices[train], groups=data.recording[train])
        knownness = clf.score_samples(X_test)
        closed = clf.estimator_.predict(X_test)
        y_true = np.where(is_known, device_of, -1)
        rejected = clf.predict(X_test) == -1
        out[method] = {
            "auroc": roc_auc_score(is_known, knownness),
            "oscr": oscr(y_true, closed, knownness),
            "accuracy": np.mean(closed[is_known] == device_of[is_known]),
            "rejection": np.mean(rejected[~is_known]),
            "frr": np.mean(rejected[is_known]),
        }
    return out, plain_accuracy, n_devices, n_known


def open_set_rows(out, plain_accuracy, n_devices, n_known, spread=None):
    rows = []
    spread = spread or {}

    def span(method, key):
        return spread.get(method, {}).get(key)

    msp = out["msp"]
    openness = f"{n_known} known, {n_devices - n_known} unknown devices"
    for method in ("backend", "prototype"):
        res = out[method]
        rows.append(
            _harness.Row(
                f"open-set AUROC, known-ness by {method} ({openness})",
                res["auroc"],
                msp["auroc"],
                res["auroc"] - msp["auroc"],
                ">= 0.95 and >= max-softmax + 0.10 (ratio = difference)",
                bool(res["auroc"] >= 0.95 and res["auroc"] >= msp["auroc"] + 0.10),
                "",
                "max softmax probability, same classifier",
                note=_range_note(span(method, "auroc"), digits=3),
            )
        )
        rows.append(
            _harness.Row(
                f"OSCR, {method}",
                res["oscr"],
                msp["oscr"],
                res["oscr"] / msp["oscr"],
                "reported",
                None,
                "",
                "max softmax probability",
            )
        )
        rows.append(
            _harness.Row(
                f"unknown recordings rejected at 5 % target FRR, {method}",
                100 * res["rejection"],
                100 * msp["rejection"],
                None,
                "reported",
                None,
                "%",
                "max softmax probability",
                note=_join(
                    f"false rejection of known test recordings "
                    f"{100 * res['frr']:.1f} % (max softmax {100 * msp['frr']:.1f} %)",
                    _range_note(span(method, "rejection"), 100, digits=1),
                ),
            )
        )
    accuracy = out["backend"]["accuracy"]
    rows.append(
        _harness.Row(
            "closed-set accuracy of known test recordings",
            100 * accuracy,
            100 * plain_accuracy,
            100 * (accuracy - plain_accuracy),
            "within 1 point of the plain classifier (ratio = difference)",
            bool(abs(accuracy - plain_accuracy) <= 0.01),
            "%",
            "the classifier without the wrapper",
        )
    )
    return rows


def speed_rows(args):
    rng = np.random.default_rng(args.seed)
    n_enrol, n_test = args.sizes["speed"]
    X = rng.standard_normal((n_enrol + n_test, 256))
    y = np.repeat(np.arange((n_enrol + n_test) // 4 + 1), 4)[: n_enrol + n_test]
    cosine_scorer = CosineScorer().fit(X, y)
    plda = PLDAScorer().fit(X, y)
    A, B = X[:n_enrol], X[n_enrol:]
    timings = _harness.time_alternately(
        {
            "cosine": lambda: cosine_scorer.score_matrix(A, B),
            "plda": lambda: plda.score_matrix(A, B),
        },
        args.repeats,
    )
    trials = n_enrol * n_test
    rate = trials / timings["cosine"].median
    return [
        _harness.Row(
            f"cosine trials per second, 256-d, {n_enrol} x {n_test} matrix",
            rate,
            1e6,
            rate / 1e6,
            ">= 1e6 trials/s",
            bool(rate >= 1e6),
            "trials/s",
            "target rate",
            note="score_matrix: validation, centring, normalisation, one product",
        ),
        _harness.time_ratio(
            f"PLDA ({plda.n_components_} dims) against cosine, same matrix",
            timings["plda"],
            timings["cosine"],
            at_most=5,
            compared_with="CosineScorer.score_matrix",
        ),
    ]


def save_det(path, results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import DetCurveDisplay

    fig, ax = plt.subplots(figsize=(6, 5))
    for label, res in results.items():
        scores = res["evaluation"]["scores"]
        y = res["evaluation"].get("y")
        DetCurveDisplay.from_predictions(y, scores, ax=ax, name=label)
    ax.set_title("10-s questioned excerpts, unseen devices")
    fig.savefig(path, dpi=120, bbox_inches="tight")


QUICK_SIZES = {
    "background": 12,
    "calibration": 4,
    "evaluation": 6,
    "pairs": 1,
    "open_devices": 9,
    "open_known": 6,
    "speed": (500, 2000),
}
SIZES = {
    "background": 40,
    "calibration": 10,
    "evaluation": 20,
    "pairs": 4,
    "open_devices": 30,
    "open_known": 20,
    "speed": (2000, 4000),
}


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--seed", type=int, default=0),
            p.add_argument(
                "--seeds",
                type=int,
                default=1,
                help="run the verification and open set with this many seeds, "
                "from --seed on, and report medians and ranges",
            ),
            p.add_argument("--duration", type=float, default=30.0),
            p.add_argument("--sr", type=int, default=16000),
            p.add_argument("--repeats", type=int, default=5),
            p.add_argument("--det", default=None, help="save DET curves to this PNG"),
            p.add_argument("--no-gsv", action="store_true", help="skip the GSV peer"),
            p.add_argument(
                "--embedding",
                choices=("recipe", "learned"),
                default="recipe",
                help="micfp's clip embedding: the recipe's spectra, or a "
                "DeviceEmbeddingNet trained on the background devices",
            ),
        ),
        quick={"duration": 20.0, "repeats": 2},
        argv=argv,
    )
    args.sizes = QUICK_SIZES if args.quick else SIZES
    run = _harness.Run(args, __doc__)
    seeds = range(args.seed, args.seed + args.seeds)
    per_seed, choices, open_sets = [], [], []
    for seed in seeds:
        results, chosen, embedder, background_embeddings, background, protocols = (
            verification(args, run, seed)
        )
        if args.det and seed == args.seed:
            for res in results.values():
                res["evaluation"]["y"] = protocols["evaluation"].y
            save_det(args.det, results)
            run.note(f"DET curves of seed {seed} written to {args.det}")
        per_seed.append(results)
        choices.append(chosen)
        open_sets.append(
            open_set(args, run, embedder, background_embeddings, background, seed)
        )
    results, spread = over_seeds(per_seed)
    if len(seeds) > 1:
        run.note(
            f"figures are medians over seeds {seeds[0]}-{seeds[-1]}, ranges in the "
            "notes"
        )
        for seed, chosen in zip(seeds, choices, strict=True):
            run.note(f"seed {seed}: back-end chosen on calibration devices: {chosen}")
    chosen = choices[0] if len(set(choices)) == 1 else "chosen per seed, see above"
    rows = verification_rows(results, chosen, protocols, args.sizes, spread)
    (out, open_spread), (plain, _) = (
        over_seeds([o[0] for o in open_sets]),
        over_seeds([o[1] for o in open_sets]),
    )
    rows += open_set_rows(out, plain, *open_sets[0][2:], spread=open_spread)
    rows += speed_rows(args)
    run.finish(rows)


if __name__ == "__main__":
    main()
