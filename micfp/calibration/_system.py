"""A device LR system: embedding, scoring back-end and calibrator, source-disjoint."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import CalibrationError
from ._calibrators import LogisticLRCalibrator


def _reference_split(devices, groups, n_reference):
    """Split rows into reference recordings and questioned rows.

    Each device with more than ``n_reference`` recordings gets its first
    ``n_reference`` recordings (in sorted order of ``groups``) as reference;
    every other row is questioned. Returns ``(reference_rows, questioned_rows)``
    as index arrays.
    """
    reference = np.zeros(len(devices), dtype=bool)
    for device in np.unique(devices):
        rows = devices == device
        recordings = np.unique(groups[rows])
        if len(recordings) > n_reference:
            reference |= rows & np.isin(groups, recordings[:n_reference])
    return np.flatnonzero(reference), np.flatnonzero(~reference)


def _cyclic_reference_sets(devices, groups, n_reference):
    """Every device's reference sets of ``n_reference`` consecutive recordings.

    With the recordings of a device in sorted order of ``groups``, set ``k``
    holds recordings ``k, k + 1, ..., k + n_reference - 1`` (modulo their
    number): a device with ``n > n_reference`` recordings gives ``n`` sets,
    and each recording is questioned ``n - n_reference`` times. Returns
    ``(rows, set_of_row, device_of_set)``, the rows of every set one after
    another, the set each belongs to and the device of each set.
    """
    rows, set_of_row, device_of_set = [], [], []
    for device in np.unique(devices):
        device_rows = np.flatnonzero(devices == device)
        recordings = np.unique(groups[device_rows])
        n = len(recordings)
        if n <= n_reference:
            continue
        for k in range(n):
            chosen = recordings[(k + np.arange(n_reference)) % n]
            members = device_rows[np.isin(groups[device_rows], chosen)]
            rows.append(members)
            set_of_row.append(np.full(len(members), len(device_of_set)))
            device_of_set.append(device)
    if not rows:
        return (np.empty(0, dtype=int),) * 2 + (np.asarray(devices[:0]),)
    return np.concatenate(rows), np.concatenate(set_of_row), np.asarray(device_of_set)


def _check_rows(X, y, groups):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise CalibrationError(
            f"y must hold one device label per row of X; got {y.shape} for "
            f"{len(X)} rows."
        )
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    if groups.shape != y.shape:
        raise CalibrationError(
            f"groups must hold one recording per row of X; got {groups.shape} for "
            f"{len(y)} rows."
        )
    return X, y, groups


class DeviceLRSystem(BaseEstimator):
    """Log10 LR that a questioned recording was made by a reference device.

    The system answers the question of a case: given reference recordings R
    of one device and a questioned recording Q, how much more probable is Q
    if that device made it (H1) than if another device of the relevant
    population did (H2)? An embedding maps recordings to vectors, a
    verification back-end scores R against Q (higher = same device), and a
    calibrator turns the score into a log10 likelihood ratio.

    The roles are source-disjoint: :meth:`fit` splits the devices it is given
    at random into background devices, which fit the embedding and the
    back-end, and calibration devices, which fit the calibrator; test devices
    must be new to both (:meth:`score_trials` checks it). Calibration trials
    take ``n_reference`` recordings of a calibration device as reference
    and score them against other recordings of every calibration device
    (see ``calibration_reference_sets``): the same form as a case.

    Parameters
    ----------
    embedder : transformer or None, default=None
        Maps rows of ``X`` (audio excerpts, say) to embeddings, fitted on the
        background devices with their labels; None when ``X`` already holds
        embeddings.
    scorer : verification back-end or None, default=None
        An object with ``fit(X_background, y_device)`` and
        ``score_matrix(X_enrol, X_test, enrol_groups=...)`` returning scores
        of shape (n_models, n_test), higher = same device, such as the
        back-ends of :mod:`micfp.verification`; None uses
        :class:`micfp.verification.CosineScorer`.
    calibrator : calibrator or None, default=None
        Turns scores into log10 LRs; None uses
        ``LogisticLRCalibrator(bounds="elub")``.
    n_reference : int, default=3
        Reference recordings per device in the calibration trials.
    reference_pooling : {"embedding", "score"}, default="embedding"
        How the rows of a reference set become one score against a
        questioned row: ``"embedding"`` enrols them together as one model
        (the back-end's ``enrol_groups``), ``"score"`` scores each row on
        its own and averages the scores.
    calibration_reference_sets : {"first", "cyclic"}, default="first"
        Reference sets of the calibration trials. ``"first"``: one per
        calibration device, its first ``n_reference`` recordings, against
        the other recordings of every calibration device. ``"cyclic"``: one
        per recording of each calibration device, ``n_reference``
        consecutive recordings in turn (a device with 5 recordings gives 5
        sets), each against every recording outside the set: more trials
        from the same devices, every recording in turn reference and
        questioned.
    calibration_devices : float or int, default=0.5
        Devices set apart for calibration: a share of the devices (float in
        (0, 1)) or a number.
    min_calibration_devices : int, default=10
        Fewest calibration devices the system accepts; fewer raise
        :class:`~micfp.exceptions.CalibrationError`, since trials from a few
        devices are dependent and their LRs overconfident.
    random_state : int, RandomState instance or None, default=None
        Seeds the split of devices into roles.

    Attributes
    ----------
    embedder_ : transformer or None
        The fitted clone of ``embedder``.
    scorer_ : object
        The fitted back-end.
    calibrator_ : calibrator
        The fitted calibrator.
    background_devices_ : ndarray
        Devices that fitted the embedding and the back-end.
    calibration_devices_ : ndarray
        Devices that fitted the calibrator.
    calibration_trials_ : dict of str to ndarray
        The calibration trials: ``y_true``, ``score``, ``reference_device``
        and ``questioned_device``, one entry per trial.
    n_calibration_trials_ : dict
        Numbers of ``"target"`` and ``"non_target"`` calibration trials.
    n_features_in_ : int
        Number of columns of ``X``.

    See Also
    --------
    LogisticLRCalibrator : The default calibrator.
    micfp.verification.CosineScorer : The default back-end.

    Examples
    --------
    Embeddings of 40 devices with 4 recordings each: each device is a point
    and its recordings scatter around it.

    >>> import numpy as np
    >>> from micfp.calibration import DeviceLRSystem
    >>> rng = np.random.default_rng(0)
    >>> def devices(n):
    ...     centres = rng.normal(size=(n, 8))
    ...     return np.repeat(centres, 4, axis=0) + 0.8 * rng.normal(size=(4 * n, 8))
    >>> X = devices(40)
    >>> y, groups = np.repeat(np.arange(40), 4), np.tile(np.arange(4), 40)
    >>> system = DeviceLRSystem(random_state=0).fit(X, y, groups=groups)
    >>> len(system.background_devices_), len(system.calibration_devices_)
    (20, 20)

    A case with two new devices: three reference recordings of the first,
    questioned against its fourth recording and four of the second device.

    >>> new = devices(2)
    >>> llr = system.predict_llr(new[:3], new[3:])  # log10 LRs
    >>> bool(llr[0, 0] > 0 > llr[0, 1:].max())
    True
    """

    _parameter_constraints = {
        "embedder": [HasMethods(["fit", "transform"]), None],
        "scorer": [HasMethods(["fit", "score_matrix"]), None],
        "calibrator": [HasMethods(["fit", "transform"]), None],
        "n_reference": [Interval(Integral, 1, None, closed="left")],
        "reference_pooling": [StrOptions({"embedding", "score"})],
        "calibration_reference_sets": [StrOptions({"first", "cyclic"})],
        "calibration_devices": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "min_calibration_devices": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        embedder=None,
        scorer=None,
        calibrator=None,
        *,
        n_reference=3,
        reference_pooling="embedding",
        calibration_reference_sets="first",
        calibration_devices=0.5,
        min_calibration_devices=10,
        random_state=None,
    ):
        self.embedder = embedder
        self.scorer = scorer
        self.calibrator = calibrator
        self.n_reference = n_reference
        self.reference_pooling = reference_pooling
        self.calibration_reference_sets = calibration_reference_sets
        self.calibration_devices = calibration_devices
        self.min_calibration_devices = min_calibration_devices
        self.random_state = random_state

    def _embed(self, X):
        return X if self.embedder_ is None else self.embedder_.transform(X)

    def _split_devices(self, devices):
        n_devices = len(devices)
        if isinstance(self.calibration_devices, Integral):
            n_calibration = int(self.calibration_devices)
        else:
            n_calibration = round(self.calibration_devices * n_devices)
        if n_calibration < self.min_calibration_devices:
            raise CalibrationError(
                f"too few devices to calibrate: {n_calibration} of the {n_devices} "
                f"devices would calibrate, and min_calibration_devices="
                f"{self.min_calibration_devices}. Give more devices (LRs from few "
                "devices are overconfident)."
            )
        if n_devices - n_calibration < 2:
            raise CalibrationError(
                f"too few devices: {n_devices} devices leave "
                f"{n_devices - n_calibration} to fit the embedding and back-end "
                "after calibration; at least 2 are needed."
            )
        order = check_random_state(self.random_state).permutation(n_devices)
        return (
            np.sort(devices[order[n_calibration:]]),
            np.sort(devices[order[:n_calibration]]),
        )

    def _score(self, E_reference, reference_groups, E_questioned):
        """Scores of each reference set (sorted labels) against questioned rows."""
        if self.reference_pooling == "embedding":
            return self.scorer_.score_matrix(
                E_reference, E_questioned, enrol_groups=reference_groups
            )
        _, inverse, counts = np.unique(
            reference_groups, return_inverse=True, return_counts=True
        )
        scores = self.scorer_.score_matrix(E_reference, E_questioned)
        pooled = np.zeros((len(counts), scores.shape[1]))
        np.add.at(pooled, inverse, scores)
        return pooled / counts[:, None]

    def _trials(self, E, devices, groups, reference_sets="first"):
        if reference_sets == "first":
            reference, questioned = _reference_split(devices, groups, self.n_reference)
            sets = devices[reference]
            set_device = np.unique(sets)
        else:
            reference, sets, set_device = _cyclic_reference_sets(
                devices, groups, self.n_reference
            )
            questioned = np.arange(len(devices))
        if not len(reference) or not len(questioned):
            raise CalibrationError(
                "no trials: every device needs more than n_reference="
                f"{self.n_reference} recordings for a reference set and a "
                "questioned recording."
            )
        scores = self._score(E[reference], sets, E[questioned])
        # A row of a reference set is never questioned against that set.
        keep = np.ones(scores.shape, dtype=bool)
        if reference_sets != "first":
            keep[sets, reference] = False
        model, column = np.nonzero(keep)
        reference_device = set_device[model]
        questioned_device = devices[questioned][column]
        return {
            "y_true": (reference_device == questioned_device).astype(int),
            "score": scores[keep],
            "reference_device": reference_device,
            "questioned_device": questioned_device,
            "questioned_row": questioned[column],
        }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None):
        """Fit embedding and back-end, then the calibrator, on disjoint devices.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_columns)
            Recordings (or excerpts) of one length, one a row, as the embedder
            takes them, or embeddings when ``embedder`` is None; finite.
        y : array-like of shape (n_rows,)
            Device of each row.
        groups : array-like of shape (n_rows,) or None, default=None
            Recording of each row (rows of one recording are never on both
            sides of a trial); None makes each row its own recording.

        Returns
        -------
        self : DeviceLRSystem
            The fitted system.

        Raises
        ------
        micfp.exceptions.CalibrationError
            For fewer than ``min_calibration_devices`` calibration devices,
            fewer than 2 background devices, no device with more than
            ``n_reference`` recordings, and errors of the calibrator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        X, y, groups = _check_rows(X, y, groups)
        background, calibration = self._split_devices(np.unique(y))
        self.background_devices_, self.calibration_devices_ = background, calibration
        in_background = np.isin(y, background)
        X_bg, y_bg = X[in_background], y[in_background]
        self.embedder_ = None
        if self.embedder is not None:
            self.embedder_ = clone(self.embedder).fit(X_bg, y_bg)
        scorer = self.scorer
        if scorer is None:
            from ..verification import CosineScorer

            scorer = CosineScorer()
        self.scorer_ = clone(scorer).fit(self._embed(X_bg), y_bg)
        in_calibration = ~in_background
        trials = self._trials(
            self._embed(X[in_calibration]),
            y[in_calibration],
            groups[in_calibration],
            self.calibration_reference_sets,
        )
        calibrator = self.calibrator
        if calibrator is None:
            calibrator = LogisticLRCalibrator(bounds="elub")
        self.calibrator_ = clone(calibrator).fit(
            trials["score"][:, None], trials["y_true"]
        )
        self.calibration_trials_ = {
            key: trials[key]
            for key in ("y_true", "score", "reference_device", "questioned_device")
        }
        n_target = int(trials["y_true"].sum())
        self.n_calibration_trials_ = {
            "target": n_target,
            "non_target": len(trials["y_true"]) - n_target,
        }
        return self

    def predict_llr(self, X_reference, X_questioned, *, reference_groups=None):
        """Log10 LRs that each questioned row was made by the reference device.

        Parameters
        ----------
        X_reference : array-like of shape (n_reference_rows, n_columns)
            Reference recordings of one device, or of several devices told
            apart by ``reference_groups``.
        X_questioned : array-like of shape (n_questioned, n_columns)
            Questioned recordings.
        reference_groups : array-like of shape (n_reference_rows,) or None, \
                default=None
            Device of each reference row; None means one device.

        Returns
        -------
        llr : ndarray of shape (n_devices, n_questioned)
            Log10 LRs, one row per reference device (in sorted order of
            ``reference_groups``).
        """
        check_is_fitted(self)
        X_reference, X_questioned = (
            validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
            for X in (X_reference, X_questioned)
        )
        reference = self._embed(X_reference)
        if reference_groups is None:
            reference_groups = np.zeros(len(reference), dtype=int)
        scores = self._score(reference, reference_groups, self._embed(X_questioned))
        return self.calibrator_.transform(scores.reshape(-1, 1)).reshape(scores.shape)

    def score_trials(self, X, y, groups=None):
        """Scores and log10 LRs of case-like trials among new test devices.

        Each test device with more than ``n_reference`` recordings gives a
        reference set; every other row of every test device is questioned
        against each reference set.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_columns)
            Recordings of test devices, in the form of :meth:`fit`.
        y : array-like of shape (n_rows,)
            Device of each row; none may have taken part in :meth:`fit`.
        groups : array-like of shape (n_rows,) or None, default=None
            Recording of each row; None makes each row its own recording.

        Returns
        -------
        trials : dict of str to ndarray
            ``y_true`` (1 same device), ``score``, ``llr`` (log10),
            ``reference_device``, ``questioned_device`` and ``questioned_row``
            (row of ``X``), one entry per trial.

        Raises
        ------
        micfp.exceptions.CalibrationError
            When a test device fitted the embedding, back-end or calibrator,
            or no trial can be formed.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        X, y, groups = _check_rows(X, y, groups)
        seen = np.intersect1d(
            np.unique(y), np.r_[self.background_devices_, self.calibration_devices_]
        )
        if len(seen):
            raise CalibrationError(
                f"test devices must be new to the system; {len(seen)} of them "
                f"fitted it (first ones: {seen[:5].tolist()})."
            )
        trials = self._trials(self._embed(X), y, groups)
        trials["llr"] = self.calibrator_.transform(trials["score"][:, None])[:, 0]
        return trials
