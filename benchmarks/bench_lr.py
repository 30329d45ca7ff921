"""Calibrated likelihood ratios on simulated devices unseen by embedding and calibrator.

A case asks: was this questioned recording made by the device that made these
three reference recordings? Devices come from separate simulator draws and
take separate roles:

- a pool of devices with 5 recordings each, which DeviceLRSystem splits at
  random into background devices (they fit the embedding and the
  back-end) and calibration devices (they fit the calibrator, on case-like
  trials: 3 reference recordings against other recordings);
- test devices of a new draw (some of them two units of one model): each
  gives 3 reference recordings and 2 questioned recordings of 10 s, scored
  against every test device's reference set;
- test devices of another draw whose recordings pass through the simulator's
  lossy codec stage (a session mismatch the system never saw): the
  robustness row.

The system's settings are chosen on the pool devices alone, never on the
test devices: the pool devices are cut into 4 folds; for each fold a system
of every candidate setting is fitted on the other folds' devices (split
again into background and calibration devices) and scored on the fold's
devices, in trials of the test's form; the setting with the lowest Cllr of
the logistic calibrator with ELUB bounds, averaged over the folds, is
refitted on the whole pool. The candidates: the back-end (LDA + cosine,
PLDA, and each with s-norm on a background cohort), how the 3 reference
recordings are combined (one enrolled model, or the mean of the 3 scores),
the calibration trials (the first 3 recordings of each calibration device
as one reference set, or every run of 3 consecutive recordings in turn, 5
sets a device), and the share of the pool devices that calibrate (1/2 or
3/10; the others fit the back-end). The notes list the validation Cllr of
every candidate and the one chosen.

Rows: Cllr, Cllr_min, Cllr_cal (bits) and EER of the logistic, isotonic and
KDE calibrators (all with ELUB bounds; the logistic one also without), of
the logistic calibrator with ELUB bounds on the best LDA + cosine setting
(the back-end of earlier runs), of the chosen back-end's raw score read as
a log10 LR without calibration, and of lir's logistic calibrator (lir 1.3.1,
``LogitCalibrator()``, its default settings) fitted on the same calibration
scores; the same for trials of two units of one model (targets against the
twin's recordings); the robustness row; and the time to fit and apply each
calibrator to 1e6 scores, beside lir's.

Run: ``python benchmarks/bench_lr.py [--seed 0] [--sr 16000] [--quick]
[--json PATH]``
"""

import itertools
import time

import _harness
import numpy as np
from sklearn.frozen import FrozenEstimator

from micfp.calibration import (
    DeviceLRSystem,
    IsotonicLRCalibrator,
    KDELRCalibrator,
    LogisticLRCalibrator,
)
from micfp.datasets import make_recordings
from micfp.metrics import cllr, cllr_cal, cllr_min, eer
from micfp.verification import (
    DeviceEmbedder,
    LDACosineScorer,
    NormalizedScorer,
    PLDAScorer,
)

LIR_SETTINGS = {
    "logistic": "lir 1.3.1 LogitCalibrator(C=inf), lbfgs",
    "isotonic": "lir 1.3.1 IsotonicCalibrator(add_misleading=1)",
}
QUESTIONED_DURATION = 10.0
N_RECORDINGS = 5
N_REFERENCE = 3

SIZES = {"pool": 80, "test": 30, "pairs": 5, "n_scores": 10**6, "min_calibration": 10}
QUICK_SIZES = {
    "pool": 32,
    "test": 10,
    "pairs": 2,
    "n_scores": 10**5,
    "min_calibration": 4,
}
N_FOLDS = 4
CANDIDATES = {
    "back-end": {
        "LDA + cosine": LDACosineScorer(),
        "PLDA": PLDAScorer(),
        "LDA + cosine, s-norm": NormalizedScorer(LDACosineScorer(), method="s-norm"),
        "PLDA, s-norm": NormalizedScorer(PLDAScorer(), method="s-norm"),
    },
    "reference_pooling": {"one model": "embedding", "mean score": "score"},
    "calibration_reference_sets": {"first 3": "first", "cyclic": "cyclic"},
    "calibration_devices": {"1/2 calibrate": 0.5, "3/10 calibrate": 0.3},
}


def simulate(n_devices, args, seed, first_label, **kwargs):
    """Simulate 10-s recordings: rows, devices, takes and each device's twin."""
    rec, params = make_recordings(
        n_devices,
        N_RECORDINGS,
        duration=QUESTIONED_DURATION,
        sr=args.sr,
        random_state=seed,
        return_params=True,
        n_jobs=-1,
        **kwargs,
    )
    X = np.stack(rec.signals)
    # Labels of separate draws must differ: devices are told apart by label.
    twin = {
        d["device"] + first_label: None
        if d["twin"] is None
        else d["twin"] + first_label
        for d in params["devices"]
    }
    devices = np.asarray(rec.devices) + first_label
    return X, devices, np.asarray(rec.recording_ids), twin


def metrics(y, llr, score):
    return {
        "cllr": cllr(y, llr),
        "cllr_min": cllr_min(y, llr),
        "cllr_cal": cllr_cal(y, llr),
        "eer": float(eer(y, score)),
    }


GOALS = {"cllr": ("Cllr", 0.20), "cllr_cal": ("Cllr_cal", 0.05)}


def accuracy_rows(label, results, n_devices, note=""):
    rows = []
    for name, values in results.items():
        is_goal = name == "logistic" and label.startswith("10-s")
        for key, (title, goal) in GOALS.items():
            rows.append(
                _harness.Row(
                    f"{title}, {label}, {name}",
                    values[key],
                    target=f"{title} <= {goal:g}" if is_goal else "reported",
                    met=bool(values[key] <= goal) if is_goal else None,
                    units="bits",
                    note=(
                        f"Cllr_min {values['cllr_min']:.4f}, EER "
                        f"{100 * values['eer']:.2f} %, {n_devices} devices. {note}"
                    ).strip()
                    if key == "cllr"
                    else "",
                )
            )
    return rows


def lr_results(systems, trials_by_name, lir_logit):
    """Metrics per system, the raw score and lir on one set of trials."""
    results = {}
    for name, trials in trials_by_name.items():
        results[name] = metrics(trials["y_true"], trials["llr"], trials["score"])
    any_trials = next(iter(trials_by_name.values()))
    y, score = any_trials["y_true"], any_trials["score"]
    results["raw score as log10 LR"] = metrics(y, score, score)
    if lir_logit is not None:
        results["lir LogitCalibrator()"] = metrics(y, lir_logit.transform(score), score)
    return results


def score_all(systems, embeddings, data):
    """Trials of each system on test devices: ``data`` is ``simulate``'s output."""
    return {
        name: system.score_trials(embeddings, data[1], data[2])
        for name, system in systems.items()
    }


def subset(trials, keep):
    return {key: value[keep] for key, value in trials.items()}


def timing_rows(args):
    rng = np.random.default_rng(args.seed)
    n = args.sizes["n_scores"]
    y = (rng.random(n) < 0.1).astype(int)
    scores = rng.normal(2.0 * y, 1.0)
    column = scores[:, None]
    funcs = {
        "logistic": lambda: LogisticLRCalibrator().fit(column, y).transform(column),
        "isotonic": lambda: IsotonicLRCalibrator().fit(column, y).transform(column),
    }
    try:
        from lir.algorithms.isotonic_regression import IsotonicCalibrator
        from lir.algorithms.logistic_regression import LogitCalibrator

        funcs["lir logistic"] = lambda: (
            LogitCalibrator(C=np.inf).fit(scores, y).transform(scores)
        )
        funcs["lir isotonic"] = lambda: (
            IsotonicCalibrator(add_misleading=1).fit(scores, y).transform(scores)
        )
    except ImportError:
        pass
    load_before = _harness.load_average()
    timings = _harness.time_alternately(funcs, 1 if args.quick else 5)
    load = _harness._load_text(load_before, _harness.load_average())
    rows = []
    for name in ("logistic", "isotonic"):
        ours = timings[name].median
        theirs = timings.get(f"lir {name}")
        rows.append(
            _harness.Row(
                f"fit + transform of {n:.0e} scores, {name}",
                ours,
                None if theirs is None else theirs.median,
                None if theirs is None else theirs.median / ours,
                "< 1 s",
                bool(ours < 1.0),
                "s",
                LIR_SETTINGS[name] if theirs else "",
                note=f"ratio: lir's time over micfp's; median of "
                f"{len(timings[name].samples)} runs, load average {load}",
                samples={
                    "micfp": timings[name].samples,
                    **({"reference": theirs.samples} if theirs else {}),
                },
            )
        )
    return rows


def system_settings():
    """Every candidate setting: its name, DeviceLRSystem's parameters and key.

    Settings of one key (back-end and share of calibration devices) fit the
    same back-end on the same background devices.
    """
    for choice in itertools.product(*(c.items() for c in CANDIDATES.values())):
        names, values = zip(*choice, strict=True)
        params = dict(zip(CANDIDATES, values, strict=True))
        params["scorer"] = params.pop("back-end")
        yield ", ".join(names), params, (names[0], names[-1])


def make_system(params, calibrator, args):
    return DeviceLRSystem(
        calibrator=calibrator,
        n_reference=N_REFERENCE,
        min_calibration_devices=args.sizes["min_calibration"],
        random_state=args.seed,
        **params,
    )


def select_settings(E, devices, recordings, args, run):
    """Choose the system's settings by cross-validation over the pool devices."""
    start = time.perf_counter()
    order = np.random.default_rng(args.seed).permutation(np.unique(devices))
    folds = np.array_split(order, N_FOLDS)
    settings = {name: params for name, params, _ in system_settings()}
    validation = {name: [] for name in settings}
    for held_out in folds:
        test = np.isin(devices, held_out)
        # Each back-end is fitted once a fold and share: the systems that
        # differ only in their trials reuse it, frozen.
        fitted = {}
        for name, params, key in system_settings():
            if key in fitted:
                params = {**params, "scorer": fitted[key]}
            system = make_system(params, LogisticLRCalibrator(bounds="elub"), args)
            system.fit(E[~test], devices[~test], groups=recordings[~test])
            fitted.setdefault(key, FrozenEstimator(system.scorer_))
            trials = system.score_trials(E[test], devices[test], recordings[test])
            validation[name].append(cllr(trials["y_true"], trials["llr"]))
    validation = {name: float(np.mean(values)) for name, values in validation.items()}
    chosen = min(validation, key=validation.get)
    run.note(
        f"settings chosen on the {len(order)} pool devices ({N_FOLDS} folds of "
        f"devices, about {len(order) // N_FOLDS} held out each), mean validation "
        f"Cllr of logistic + ELUB, in {time.perf_counter() - start:.0f} s:"
    )
    for name, value in sorted(validation.items(), key=lambda item: item[1]):
        run.note(f"  {value:.4f}  {name}")
    run.note(f"chosen: {chosen}")
    # The best setting of the back-end used before this selection, for
    # comparison in every condition.
    lda = [n for n, p in settings.items() if type(p["scorer"]) is LDACosineScorer]
    best_lda = min(lda, key=validation.get)
    run.note(f"compared with the best LDA + cosine setting: {best_lda}")
    return settings[chosen], settings[best_lda]


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--seed", type=int, default=0),
            p.add_argument("--sr", type=int, default=16000),
        ),
        argv=argv,
    )
    args.sizes = QUICK_SIZES if args.quick else SIZES
    sizes = args.sizes
    run = _harness.Run(args, __doc__)

    start = time.perf_counter()
    pool = simulate(sizes["pool"], args, args.seed + 11, 0)
    test = simulate(
        sizes["test"], args, args.seed + 12, 10000, n_same_model_pairs=sizes["pairs"]
    )
    coded = simulate(sizes["test"], args, args.seed + 13, 20000, coding=True)
    run.note(
        f"simulated {sizes['pool']} pool devices, {sizes['test']} test devices "
        f"({sizes['pairs']} same-model "
        f"pairs) and {sizes['test']} coded test devices, {N_RECORDINGS} recordings "
        f"of {QUESTIONED_DURATION:g} s at {args.sr} Hz, in "
        f"{time.perf_counter() - start:.0f} s"
    )

    start = time.perf_counter()
    embedder = DeviceEmbedder().fit(pool[0][:2])
    E_pool, E_test, E_coded = (
        embedder.transform(data[0]) for data in (pool, test, coded)
    )
    run.note(f"embeddings in {time.perf_counter() - start:.0f} s")

    calibrators = {
        "logistic": LogisticLRCalibrator(bounds="elub"),
        "logistic, no bounds": LogisticLRCalibrator(),
        "isotonic": IsotonicLRCalibrator(bounds="elub"),
        "KDE": KDELRCalibrator(bounds="elub"),
    }
    params, lda_params = select_settings(E_pool, pool[1], pool[2], args, run)
    systems = {
        name: make_system(params, calibrator, args).fit(E_pool, pool[1], groups=pool[2])
        for name, calibrator in calibrators.items()
    }
    systems["logistic, best LDA + cosine setting"] = make_system(
        lda_params, LogisticLRCalibrator(bounds="elub"), args
    ).fit(E_pool, pool[1], groups=pool[2])
    logistic = systems["logistic"]
    run.note(
        f"{len(logistic.background_devices_)} background and "
        f"{len(logistic.calibration_devices_)} calibration devices; calibration "
        f"trials {logistic.n_calibration_trials_}"
    )

    lir_logit = None
    try:
        from lir.algorithms.logistic_regression import LogitCalibrator

        cal_trials = logistic.calibration_trials_
        lir_logit = LogitCalibrator().fit(cal_trials["score"], cal_trials["y_true"])
    except ImportError:
        run.note("lir is not installed: its row is left out")

    rows = []
    trials = score_all(systems, E_test, test)
    rows += accuracy_rows(
        "10-s questioned, unseen devices",
        lr_results(systems, trials, lir_logit),
        sizes["test"],
    )
    twin = test[3]
    reference, questioned = (
        trials["logistic"]["reference_device"],
        trials["logistic"]["questioned_device"],
    )
    is_twin = np.array(
        [twin.get(int(r)) == int(q) for r, q in zip(reference, questioned, strict=True)]
    )
    keep = (reference == questioned) | is_twin
    rows += accuracy_rows(
        "same-model units only",
        lr_results(systems, {n: subset(t, keep) for n, t in trials.items()}, lir_logit),
        2 * sizes["pairs"],
        note="targets against the other unit of the same model",
    )
    coded_trials = score_all(systems, E_coded, coded)
    rows += accuracy_rows(
        "robustness: lossy codec on unseen devices",
        lr_results(systems, coded_trials, lir_logit),
        sizes["test"],
        note="calibrated on uncoded recordings",
    )
    rows += timing_rows(args)
    run.finish(rows)


if __name__ == "__main__":
    main()
