"""Accuracy of the neural classifiers on simulated devices, with the seed protocols.

Reproduces the *shape* of two sources' comparison tables on
``micfp.datasets.make_recordings`` (nine devices, three takes each): training
clips come from takes 1-2 and test clips from take 3, so no recording is on
both sides of the split.

- **Tables II-IV of the background-noise study** (4096-sample clips): softmax
  regression and MLPs of 1-3 hidden layers on log |FFT| of the wavelet noise
  residual; the same without noise extraction, with a CNN on the raw signal;
  and "model averaging" (input split into parts) against whole-input MLPs.
- **Tables 6-8 of Zeng et al.** (one-second clips, 39-value MFCC frames and a
  64-component Gaussian supervector): the spatial branch alone (a DNN on the
  supervector), the temporal branch alone (a Bi-LSTM on the frames), the
  fused PSTNN; attention against concatenation; the deep-and-shallow loss
  against a single loss on the fused output.

The table gives clip accuracy, recording accuracy (soft vote over a test
take's clips; 9 recordings, so steps of 11 %) and the number each source
reports on real devices, then which of the sources' orderings hold here.
Network widths are smaller than the sources' to keep the run short on a CPU;
the simulator is used as it is.

In the results table each classifier's row holds its clip accuracy (micfp
column) beside the source's number (reference column), and each ordering's
row the accuracies of the two sides it compares; the orderings are the
targets.

Run: ``python benchmarks/bench_neural_accuracy.py [--seed 0] [--duration 60]
[--n-clips 300] [--n-long-clips 60] [--epochs 30] [--threads 1] [--quick]
[--json PATH]``
"""

import time

import _harness
import numpy as np
import torch
from sklearn.preprocessing import StandardScaler

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.neural import (
    CNNClassifier,
    MLPClassifier,
    PSTNNClassifier,
    RNNClassifier,
    make_pstnn_pipeline,
)
from micfp.voting import vote_by_group

WIDTH = 256


def _accuracies(model, X_test, y_test, groups):
    proba = model.predict_proba(X_test)
    clip = float(np.mean(model.classes_[proba.argmax(axis=1)] == y_test))
    ids, group_proba = vote_by_group(proba, groups)
    truth = np.array([y_test[groups == g][0] for g in ids])
    recording = float(np.mean(model.classes_[group_proba.argmax(axis=1)] == truth))
    return clip, recording


def _split(recordings, length, n_clips, seed):
    train = recordings.subset(recordings.recording_ids <= 2)
    test = recordings.subset(recordings.recording_ids == 3)
    X_train, y_train, _ = extract_clips(
        train, length=length, n_clips=n_clips, random_state=seed
    )
    X_test, y_test, g_test = extract_clips(
        test, length=length, n_clips=n_clips, random_state=seed + 1
    )
    return X_train, y_train, X_test, y_test, g_test


def _scaled(make_features, X_train, X_test):
    steps = [*make_features(), StandardScaler()]
    F_train, F_test = X_train, X_test
    for step in steps:
        F_train = step.fit_transform(F_train)
        F_test = step.transform(F_test)
    return F_train.astype(np.float32), F_test.astype(np.float32)


def seed_a(recordings, args):
    """Rows of Tables II-IV: 4096-sample clips, FFT features, MLPs and a CNN."""
    X_train, y_train, X_test, y_test, g_test = _split(
        recordings, 4096, args.n_clips, args.seed
    )
    residual = _scaled(lambda: [NoiseResidual(), LogSpectrum()], X_train, X_test)
    raw = _scaled(lambda: [LogSpectrum()], X_train, X_test)
    scale = X_train.std()
    waveform = (X_train / scale).astype(np.float32), (X_test / scale).astype(np.float32)

    common = dict(max_epochs=args.epochs, random_state=args.seed)

    def mlp(depth, **params):
        return MLPClassifier((WIDTH,) * depth, **common, **params)

    cases = [
        ("II", "noise residual", "softmax regression", mlp(0), residual, 87),
        ("II", "noise residual", "MLP, 1 hidden layer", mlp(1), residual, 92),
        ("II", "noise residual", "MLP, 2 hidden layers", mlp(2), residual, 91),
        ("II", "noise residual", "MLP, 3 hidden layers", mlp(3), residual, 93),
        ("III", "raw signal", "softmax regression", mlp(0), raw, 79),
        ("III", "raw signal", "MLP, 1 hidden layer", mlp(1), raw, 84),
        (
            "III",
            "raw signal",
            "CNN on the waveform",
            CNNClassifier(
                (8, 16, 32),
                kernel_size=9,
                pool_size=4,
                hidden_layer_sizes=(128,),
                **common,
            ),
            waveform,
            90,
        ),
    ]
    for depth, paper in [(1, 92), (2, 92), (3, 93)]:
        cases.append(
            (
                "IV",
                "noise residual",
                f"model averaging, {depth} layer{'s' if depth > 1 else ''}",
                mlp(depth, n_parts=4, part_depth=1),
                residual,
                paper,
            )
        )
    rows = []
    for table, features, name, model, (F_train, F_test), paper in cases:
        start = time.perf_counter()
        model.fit(F_train, y_train)
        clip, rec = _accuracies(model, F_test, y_test, g_test)
        rows.append(
            (
                f"A {table}",
                features,
                name,
                clip,
                rec,
                paper,
                time.perf_counter() - start,
            )
        )
        _print_row(rows[-1])
    return rows


def seed_b(recordings, args):
    """Rows of Tables 6-8: one-second clips, supervector and MFCC frames."""
    X_train, y_train, X_test, y_test, g_test = _split(
        recordings, recordings.sr, args.n_long_clips, args.seed
    )
    start = time.perf_counter()
    features = make_pstnn_pipeline(recordings.sr, random_state=args.seed)[:-1]
    F_train = features.fit_transform(X_train).astype(np.float32)
    F_test = features.transform(X_test).astype(np.float32)
    print(f"  (supervector and frame features: {time.perf_counter() - start:.0f} s)")
    frame_width = 39
    size = 64 * frame_width
    common = dict(max_epochs=args.epochs, random_state=args.seed)
    network = dict(
        supervector_size=size,
        frame_width=frame_width,
        spatial_hidden_sizes=(WIDTH, WIDTH),
        embedding_size=WIDTH,
        backend_hidden_sizes=(WIDTH // 2, WIDTH // 4),
        **common,
    )
    cases = [
        (
            "6",
            "supervector",
            "spatial branch alone (DNN)",
            MLPClassifier(
                (WIDTH,) * 3, dropout=0.2, batch_norm=True, lr_schedule="step", **common
            ),
            slice(0, size),
            96.6,
        ),
        (
            "6",
            "MFCC frames",
            "temporal branch alone (Bi-LSTM)",
            RNNClassifier(
                frame_width,
                bidirectional=True,
                hidden_layer_sizes=(WIDTH,),
                dropout=0.2,
                lr_schedule="step",
                **common,
            ),
            slice(size, None),
            None,
        ),
        (
            "6",
            "both",
            "PSTNN, attention, deep-and-shallow",
            PSTNNClassifier(**network),
            slice(None),
            97.5,
        ),
        (
            "7",
            "both",
            "PSTNN, concatenation",
            PSTNNClassifier(fusion="concat", **network),
            slice(None),
            None,
        ),
        (
            "8",
            "both",
            "PSTNN, single loss on the fused output",
            PSTNNClassifier(temporal_weight=0.0, spatial_weight=0.0, **network),
            slice(None),
            None,
        ),
    ]
    rows = []
    for table, kind, name, model, columns, paper in cases:
        start = time.perf_counter()
        model.fit(F_train[:, columns], y_train)
        clip, rec = _accuracies(model, F_test[:, columns], y_test, g_test)
        rows.append(
            (f"B {table}", kind, name, clip, rec, paper, time.perf_counter() - start)
        )
        _print_row(rows[-1])
    return rows


HEADER = (
    f"{'table':<6}{'features':<16}{'classifier':<40}"
    f"{'clip %':>7}{'rec %':>7}{'paper %':>9}{'time s':>8}"
)


def _print_row(row):
    table, features, name, clip, rec, paper, seconds = row
    paper = "-" if paper is None else f"{paper:g}"
    print(
        f"{table:<6}{features:<16}{name:<40}"
        f"{100 * clip:>7.1f}{100 * rec:>7.1f}{paper:>9}{seconds:>8.0f}",
        flush=True,
    )


def _orderings(rows):
    """List the sources' orderings that ``rows`` can check.

    Each is ``(claim, left accuracy, right accuracy, left model, right model,
    slack)``, models as ``(features, classifier)``. A claim holds when the left
    model's clip accuracy exceeds the right one's, or, where ``slack`` is not
    None, comes within ``slack`` of it.
    """
    clip = {(row[1], row[2]): row[3] for row in rows}
    residual, raw = "noise residual", "raw signal"
    mlps = [f"MLP, {d} hidden layer{'s' if d > 1 else ''}" for d in (1, 2, 3)]
    claims = []
    if (residual, "softmax regression") in clip:
        worst_mlp = min(mlps, key=lambda m: clip[residual, m])
        claims += [
            (
                "MLPs (1-3 layers) beat softmax on the noise residual (worst MLP)",
                (residual, worst_mlp),
                (residual, "softmax regression"),
                None,
            ),
            (
                "noise residual beats raw signal, softmax",
                (residual, "softmax regression"),
                (raw, "softmax regression"),
                None,
            ),
            (
                "noise residual beats raw signal, MLP",
                (residual, mlps[0]),
                (raw, mlps[0]),
                None,
            ),
            (
                "CNN on the waveform beats the raw-spectrum MLP",
                (raw, "CNN on the waveform"),
                (raw, mlps[0]),
                None,
            ),
        ]
        for depth, mlp in zip((1, 2, 3), mlps, strict=True):
            averaging = f"model averaging, {depth} layer{'s' if depth > 1 else ''}"
            claims.append(
                (
                    f"{averaging}: within 1 point of the whole input, or better",
                    (residual, averaging),
                    (residual, mlp),
                    0.01,
                )
            )
    fused = ("both", "PSTNN, attention, deep-and-shallow")
    if fused in clip:
        claims += [
            (
                "fusion beats the spatial branch alone",
                fused,
                ("supervector", "spatial branch alone (DNN)"),
                None,
            ),
            (
                "fusion beats the temporal branch alone",
                fused,
                ("MFCC frames", "temporal branch alone (Bi-LSTM)"),
                None,
            ),
            (
                "attention beats concatenation",
                fused,
                ("both", "PSTNN, concatenation"),
                None,
            ),
            (
                "deep-and-shallow loss beats a single loss",
                fused,
                ("both", "PSTNN, single loss on the fused output"),
                None,
            ),
        ]
    return [
        (claim, clip[left], clip[right], left, right, slack)
        for claim, left, right, slack in claims
    ]


def _result_rows(rows):
    """Harness rows: one per classifier, then one per ordering."""
    out = []
    for table, features, name, clip, rec, paper, seconds in rows:
        out.append(
            _harness.Row(
                f"{table}, {features}: {name}, clip accuracy",
                100 * clip,
                paper,
                None,
                "",
                None,
                "%",
                "source, real devices" if paper is not None else "",
                note=f"recording accuracy {100 * rec:.1f} %; fit {seconds:.0f} s",
            )
        )
    for claim, left, right, _, (_, right_name), slack in _orderings(rows):
        holds = left > right if slack is None else left >= right - slack
        out.append(
            _harness.Row(
                claim,
                100 * left,
                100 * right,
                left / right,
                "> reference" if slack is None else ">= reference - 1 point",
                bool(holds),
                "%",
                right_name,
            )
        )
    return out


def main(argv=None):
    args = _harness.parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--seed", type=int, default=0),
            p.add_argument("--duration", type=float, default=60.0),
            p.add_argument(
                "--n-clips", type=int, default=300, help="4096-sample clips a take"
            ),
            p.add_argument(
                "--n-long-clips", type=int, default=60, help="one-second clips a take"
            ),
            p.add_argument("--epochs", type=int, default=30),
            p.add_argument(
                "--threads",
                type=int,
                default=None,
                help="PyTorch CPU threads (default: PyTorch's)",
            ),
            p.add_argument("--only", choices=["A", "B"], default=None),
        ),
        quick={"duration": 10.0, "n_clips": 30, "n_long_clips": 5, "epochs": 2},
        argv=argv,
    )
    run = _harness.Run(args, __doc__)
    if args.threads:
        torch.set_num_threads(args.threads)

    start = time.perf_counter()
    recordings = make_recordings(duration=args.duration, random_state=args.seed)
    run.note(
        f"9 simulated devices x 3 takes x {args.duration:g} s (seed {args.seed}, "
        f"{time.perf_counter() - start:.0f} s); train takes 1-2, test take 3; "
        f"{args.epochs} epochs; {torch.get_num_threads()} threads"
    )
    print(HEADER)
    print("-" * len(HEADER))
    rows = []
    if args.only in (None, "A"):
        rows += seed_a(recordings, args)
    if args.only in (None, "B"):
        rows += seed_b(recordings, args)
    run.finish(_result_rows(rows))


if __name__ == "__main__":
    main()
