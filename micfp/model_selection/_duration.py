"""How recording-level accuracy grows with test and training duration."""

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..clips import extract_clips
from ..io import Recordings
from ..utils import progress
from ..voting import group_labels, vote_by_group


def _excerpts(recordings, n_samples, rng):
    """One excerpt of ``n_samples`` at a random start in every recording."""
    signals = []
    for signal in recordings.signals:
        start = rng.integers(0, len(signal) - n_samples + 1)
        signals.append(signal[start : start + n_samples])
    return Recordings(
        signals, recordings.sr, recordings.devices, recordings.recording_ids
    )


def _scores(classes, proba, y, groups, voting):
    clip_acc = np.mean(classes[proba.argmax(axis=1)] == y)
    _, group_proba = vote_by_group(proba, groups, voting=voting)
    rec_acc = np.mean(classes[group_proba.argmax(axis=1)] == group_labels(y, groups))
    return clip_acc, rec_acc


def _fit_predict(estimator, train, X_test, clip_length, seed):
    X, y, _ = extract_clips(train, length=clip_length, strategy="sequential")
    model = clone(estimator)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    model.fit(X, y)
    return model.classes_, model.predict_proba(X_test)


def _check_durations(durations, recordings, clip_length, name):
    durations = np.asarray(durations, dtype=float)
    if durations.ndim != 1 or len(durations) == 0:
        raise ValueError("durations must be a non-empty 1-D sequence of seconds.")
    shortest = min(len(s) for s in recordings.signals) / recordings.sr
    clip_seconds = clip_length / recordings.sr
    if durations.min() < clip_seconds or durations.max() > shortest:
        raise ValueError(
            f"durations must lie between one clip ({clip_seconds:.3f} s, "
            f"clip_length={clip_length} at {recordings.sr} Hz) and the shortest "
            f"{name} recording ({shortest:.3f} s); got {durations.tolist()}."
        )
    return durations


def accuracy_vs_duration(
    estimator,
    train,
    test,
    *,
    durations,
    vary="test",
    clip_length=4096,
    n_clips=None,
    voting="soft",
    n_repeats=5,
    random_state=None,
    n_jobs=None,
    verbose=0,
):
    """Measure how accuracy grows with the duration of test or training audio.

    ``vary="test"``: the estimator is fitted once on clips of the full
    training recordings; then, for each duration, an excerpt of that length is
    drawn from every test recording, cut into consecutive clips, and the clips
    vote. ``vary="train"``: for each duration, the estimator is fitted on
    consecutive clips of an excerpt of that length from every training
    recording, and decides each full test recording by voting over all its
    clips. Each measurement is repeated ``n_repeats`` times with excerpts at
    other random positions; the mean and standard deviation over repeats are
    returned. It answers "what minimum recording length is needed?".

    Parameters
    ----------
    estimator : estimator or Pipeline
        Clip classifier with ``predict_proba``; cloned, never modified.
    train, test : Recordings
        Training and test recordings (split by recording, see
        :func:`split_recordings`).
    durations : sequence of float
        Durations in seconds, each at least one clip and at most the shortest
        recording of the varied set.
    vary : {"test", "train"}, default="test"
        Which side's duration varies.
    clip_length : int, default=4096
        Samples per clip.
    n_clips : int or None, default=None
        With ``vary="test"``, random clips drawn from each full training
        recording (None: all consecutive clips).
    voting : {"soft", "hard"}, default="soft"
        Voting rule over a recording's clips.
    n_repeats : int, default=5
        Excerpt draws per duration.
    random_state : int, RandomState instance or None, default=None
        Seeds excerpt positions, clip draws and the estimator's
        ``random_state`` when it has one.
    n_jobs : int or None, default=None
        With ``vary="train"``, fits run in parallel (joblib).
    verbose : int, default=0
        When positive, report the measurements done so far (one per duration
        and repeat) on stderr: a bar on a terminal, plain lines elsewhere
        (see :func:`micfp.utils.progress`).

    Returns
    -------
    result : dict
        ``"durations"`` (seconds), ``"recording_accuracy"``,
        ``"recording_accuracy_std"``, ``"clip_accuracy"`` and
        ``"clip_accuracy_std"``, arrays of shape (n_durations,), and
        ``"vary"``. :meth:`micfp.plot.AccuracyVsDurationDisplay.from_results`
        draws it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from micfp.io import Recordings
    >>> from micfp.model_selection import accuracy_vs_duration
    >>> rng = np.random.default_rng(0)
    >>> offset = {"low": -0.05, "high": 0.05}  # devices that differ by DC offset
    >>> def take(device):
    ...     return offset[device] + 0.2 * rng.standard_normal(8000)
    >>> devices = ["low", "high"]
    >>> train = Recordings([take(d) for d in devices], 8000, devices, [1, 1])
    >>> test = Recordings([take(d) for d in devices], 8000, devices, [2, 2])
    >>> result = accuracy_vs_duration(
    ...     LogisticRegression(), train, test, durations=[0.1, 0.5],
    ...     clip_length=400, n_repeats=2, random_state=0,
    ... )
    >>> result["recording_accuracy"].tolist()
    [1.0, 1.0]
    """
    if vary not in ("test", "train"):
        raise ValueError(f"vary must be 'test' or 'train'; got {vary!r}.")
    if not isinstance(n_repeats, Integral) or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive integer; got {n_repeats!r}.")
    if not isinstance(verbose, Integral) or verbose < 0:
        raise ValueError(
            f"verbose must be a non-negative integer or a bool; got {verbose!r}."
        )
    if train.sr != test.sr:
        raise ValueError(
            f"train and test must share one sample rate; got {train.sr} and "
            f"{test.sr} Hz."
        )
    varied = test if vary == "test" else train
    durations = _check_durations(durations, varied, clip_length, vary)
    rng = check_random_state(random_state)
    seed = rng.randint(np.iinfo(np.int32).max)
    excerpt_rng = np.random.default_rng(seed)

    results = np.empty((len(durations), n_repeats, 2))
    desc = f"accuracy against {vary} duration"
    if vary == "test":
        X_train, y_train, _ = extract_clips(
            train,
            length=clip_length,
            n_clips=n_clips,
            strategy="random" if n_clips else "sequential",
            random_state=seed,
        )
        model = clone(estimator)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        model.fit(X_train, y_train)
        steps = [(i, r) for i in range(len(durations)) for r in range(n_repeats)]
        for i, r in progress(steps, verbose=verbose, desc=desc, unit="measurement"):
            part = _excerpts(test, int(durations[i] * test.sr), excerpt_rng)
            X, y, groups = extract_clips(
                part, length=clip_length, strategy="sequential"
            )
            proba = model.predict_proba(X)
            results[i, r] = _scores(model.classes_, proba, y, groups, voting)
    else:
        X_test, y_test, g_test = extract_clips(
            test, length=clip_length, strategy="sequential"
        )
        jobs = [
            (i, r, _excerpts(train, int(seconds * train.sr), excerpt_rng))
            for i, seconds in enumerate(durations)
            for r in range(n_repeats)
        ]
        outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_fit_predict)(estimator, part, X_test, clip_length, seed)
            for _, _, part in jobs
        )
        outputs = progress(
            outputs, verbose=verbose, total=len(jobs), desc=desc, unit="measurement"
        )
        for (i, r, _), (classes, proba) in zip(jobs, outputs, strict=True):
            results[i, r] = _scores(classes, proba, y_test, g_test, voting)

    return {
        "vary": vary,
        "durations": durations,
        "recording_accuracy": results[:, :, 1].mean(axis=1),
        "recording_accuracy_std": results[:, :, 1].std(axis=1),
        "clip_accuracy": results[:, :, 0].mean(axis=1),
        "clip_accuracy_std": results[:, :, 0].std(axis=1),
    }
