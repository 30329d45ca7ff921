"""Verification trials: pairs of recordings, same device or not."""

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ..exceptions import ScoreValueError


def _per_row(values, name, n_rows):
    values = np.asarray(values)
    if values.shape != (n_rows,):
        raise ScoreValueError(
            f"{name} must have one entry per row ({n_rows}); got shape {values.shape}."
        )
    return values


@validate_params(
    {
        "devices": ["array-like"],
        "recordings": ["array-like"],
        "enrol": ["array-like", None],
        "models": ["array-like", dict, None],
    },
    prefer_skip_nested_validation=True,
)
def make_trials(devices, recordings, *, enrol=None, models=None):
    """Target and non-target trials between rows from different recordings.

    A trial pairs an enrolment row with a test row; it is a target trial
    when both come from one device. Rows of one recording are never paired:
    they share the room, the gain and the content, which makes such targets
    trivially easy. Same-model trials (two units of one model, the hardest
    non-targets) are flagged so that they can be reported apart.

    Parameters
    ----------
    devices : array-like of shape (n_rows,)
        Device of each row (an excerpt or a recording).
    recordings : array-like of shape (n_rows,)
        Recording of each row; the pair ``(device, recording)`` identifies
        a recording, so take numbers that restart per device work.
    enrol : array-like of bool of shape (n_rows,) or None, default=None
        Which rows are enrolment rows; every enrolment row is paired with
        every other row (the test rows) of another recording. ``None`` pairs
        every two rows of different recordings once (``i < j``).
    models : array-like of shape (n_rows,), dict or None, default=None
        Model of each row's device, or a dict from device to model. Needed
        for ``same_model``.

    Returns
    -------
    trials : Bunch
        - ``enrol_index``, ``test_index``: ndarray of int of shape
          (n_trials,), the rows of each trial.
        - ``y_true``: ndarray of bool, True for target trials.
        - ``same_model``: ndarray of bool, True for non-target trials of two
          devices of one model; None without ``models``.

    Raises
    ------
    ScoreValueError
        If the arguments do not have one entry per row, a device of
        ``models`` is missing, or the trials would lack targets (no device
        with two recordings) or non-targets (one device).

    Examples
    --------
    >>> from micfp.verification import make_trials
    >>> devices = ["a", "a", "a", "b", "b"]
    >>> recordings = [1, 1, 2, 1, 2]
    >>> trials = make_trials(devices, recordings, models={"a": "X", "b": "X"})
    >>> list(zip(trials.enrol_index.tolist(), trials.test_index.tolist()))[:4]
    [(0, 2), (0, 3), (0, 4), (1, 2)]
    >>> trials.y_true[:4].tolist(), trials.same_model[:4].tolist()
    ([True, False, False, True], [False, True, True, False])
    """
    devices = np.asarray(devices)
    if devices.ndim != 1:
        raise ScoreValueError(f"devices must be 1-D; got shape {devices.shape}.")
    n_rows = len(devices)
    recordings = _per_row(recordings, "recordings", n_rows)
    _, device_codes = np.unique(devices, return_inverse=True)
    pairs = np.stack([device_codes, np.unique(recordings, return_inverse=True)[1]])
    _, recording_codes = np.unique(pairs, axis=1, return_inverse=True)
    recording_codes = recording_codes.ravel()

    if enrol is None:
        first, second = np.triu_indices(n_rows, k=1)
    else:
        enrol = _per_row(enrol, "enrol", n_rows).astype(bool)
        first, second = np.nonzero(enrol[:, None] & ~enrol[None, :])
    crossing = recording_codes[first] != recording_codes[second]
    first, second = first[crossing], second[crossing]
    y_true = device_codes[first] == device_codes[second]
    if not y_true.any():
        raise ScoreValueError(
            "recordings must give at least one device two recordings (one for "
            "enrolment, one for test); the trials have no target."
        )
    if y_true.all():
        raise ScoreValueError(
            "devices must hold at least two devices; the trials have no non-target."
        )
    same_model = None
    if models is not None:
        if isinstance(models, dict):
            missing = sorted(set(devices.tolist()) - set(models))
            if missing:
                raise ScoreValueError(f"models has no model for devices {missing[:5]}.")
            models = np.array([models[d] for d in devices.tolist()])
        models = _per_row(models, "models", n_rows)
        same_model = (models[first] == models[second]) & ~y_true
    return Bunch(
        enrol_index=first, test_index=second, y_true=y_true, same_model=same_model
    )
