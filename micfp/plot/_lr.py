"""Displays of likelihood ratios: Tippett plot, empirical cross-entropy, PAV plot.

Every display takes log likelihood ratios (log10 by default, ``base=10``) and
labels 1 for H1 (same source) and 0 for H2 (different sources), and draws
log10 LRs.
"""

import numpy as np

from ..utils import check_binary_scores, pav_llr
from ..utils._docstring import Substitution
from ._base import _AXES_DOC, BaseDisplay, _ax_parameter, _draw_doc, _plot_doc


def _check_llr(y_true, llr, base):
    if not (isinstance(base, int | float) and base > 1):
        raise ValueError(f"base must be a number greater than 1; got {base!r}.")
    y_true, llr = check_binary_scores(y_true, llr, misleading_infinity="raise")
    return y_true, llr * np.log10(base)


def _finite_range(llr, margin=0.5):
    finite = llr[np.isfinite(llr)]
    if not finite.size:
        return -1.0, 1.0
    return finite.min() - margin, finite.max() + margin


# The parameters of every display of this module, in the constructor's order.
_lr_display_doc = Substitution(
    axes=_AXES_DOC,
    parameters="""
    Parameters
    ----------
    llr : array-like of shape (n_trials,)
        Log likelihood ratios in base ``base``.
    y_true : array-like of shape (n_trials,)
        1 where H1 (same source) is true, 0 where H2 is.
    base : float, default=10
        Base of the logarithm of ``llr``; the display works in log10 LRs.
    name : str, default=None
        Name of the system, used in the legend.
    """,
)


class _LRDisplay(BaseDisplay):
    """Shared constructor and ``from_predictions`` / ``from_estimator``."""

    def __init__(self, llr, y_true, *, base=10, name=None):
        self.llr = llr
        self.y_true = y_true
        self.base = base
        self.name = name

    def _prepare(self, ax):
        y_true, llr = _check_llr(self.y_true, self.llr, self.base)
        return y_true, llr, self._prepare_axes(ax)

    @classmethod
    @_draw_doc
    def from_predictions(cls, y_true, llr, *, base=10, name=None, ax=None, **kwargs):
        """Draw the display from labels and log likelihood ratios.

        Parameters
        ----------
        y_true : array-like of shape (n_trials,)
            1 where H1 (same source) is true, 0 where H2 is.
        llr : array-like of shape (n_trials,)
            Log likelihood ratios in base ``base``.
        base : float, default=10
            Base of the logarithm of ``llr``; the plot shows log10 LRs.
        name : str, default=None
            Name of the system, used in the legend.
        {ax}
        **kwargs : dict
            Passed to :meth:`plot`.

        {drawn}
        """
        return cls(llr, y_true, base=base, name=name).plot(ax=ax, **kwargs)

    @classmethod
    @_draw_doc
    def from_estimator(cls, estimator, X, y, *, name=None, ax=None, **kwargs):
        """Draw the display from a fitted calibrator and test trials.

        Parameters
        ----------
        estimator : fitted transformer
            A calibrator of :mod:`micfp.calibration`, or any transformer whose
            first output column is log10 LRs.
        X : array-like of shape (n_trials, n_scores)
            Test scores.
        y : array-like of shape (n_trials,)
            1 where H1 (same source) is true, 0 where H2 is.
        name : str, default=None
            Name of the system; the estimator's class name when None.
        {ax}
        **kwargs : dict
            Passed to :meth:`plot`.

        {drawn}
        """
        llr = np.asarray(estimator.transform(X))
        llr = llr[:, 0] if llr.ndim == 2 else llr
        name = type(estimator).__name__ if name is None else name
        return cls.from_predictions(y, llr, name=name, ax=ax, **kwargs)


@_lr_display_doc
class TippettDisplay(_LRDisplay):
    """Tippett plot: the share of trials whose log10 LR exceeds each value.

    One curve per proposition: for H1 trials (same source) the curve should
    stay high far to the right, for H2 trials it should fall early. Where the
    H1 curve starts below 1 at 0 and the H2 curve is above 0 at 0, the
    difference is the rate of misleading evidence.

    {parameters}

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curves, keyed ``"H1"`` and ``"H2"``.
    {axes}

    See Also
    --------
    micfp.metrics.misleading_rate : The rates read off at log10 LR = 0.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import TippettDisplay
    >>> display = TippettDisplay.from_predictions(
    ...     [1, 1, 0, 0], [2.0, -0.5, -1.0, 0.5], name="system")
    >>> sorted(display.lines_)
    ['H1', 'H2']
    >>> plt.close(display.figure_)
    """

    @_plot_doc
    def plot(self, *, ax=None):
        """Draw the curves.

        {plot}
        """
        y_true, llr, ax = self._prepare(ax)
        low, high = _finite_range(llr)
        prefix = "" if self.name is None else f"{self.name}, "
        self.lines_ = {}
        for label, proposition in ((1, "H1"), (0, "H2")):
            values = np.sort(np.clip(llr[y_true == label], low, high))
            # Drawn "post": from each value on, the share strictly above it.
            share = 1.0 - np.arange(1, len(values) + 1) / len(values)
            x = np.r_[low, values, high]
            y = np.r_[1.0, share, 0.0]
            (self.lines_[proposition],) = ax.step(
                x,
                y,
                where="post",
                label=f"{prefix}{proposition} true ({len(values)} trials)",
            )
        ax.axvline(0.0, color="0.6", linestyle=":", linewidth=1)
        ax.set_xlim(low, high)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("log$_{10}$ LR")
        ax.set_ylabel("proportion of trials with log$_{10}$ LR > x")
        ax.legend(loc="best")
        return self


def _empirical_cross_entropy(y_true, llr, prior_log_odds):
    """ECE in bits for each log10 prior odds (Ramos et al.); log10 LRs in."""
    ln10 = np.log(10)
    prior = 1.0 / (1.0 + 10.0 ** (-prior_log_odds))
    posterior = (llr[None, :] + prior_log_odds[:, None]) * ln10
    h1 = np.logaddexp(0.0, -posterior[:, y_true == 1]).mean(axis=1)
    h2 = np.logaddexp(0.0, posterior[:, y_true == 0]).mean(axis=1)
    return (prior * h1 + (1 - prior) * h2) / np.log(2)


@_lr_display_doc
class ECEDisplay(_LRDisplay):
    """Empirical cross-entropy (ECE) against the prior odds.

    Three curves over log10 prior odds of H1: the system's LRs, the same
    after PAV (the best monotone recalibration on these trials: what
    discrimination allows), and LR = 1 (a neutral system). At prior odds 1
    the system's curve equals Cllr and the PAV curve Cllr_min; the gap between
    them is the calibration loss at every prior.

    {parameters}

    Attributes
    ----------
    prior_log_odds_ : ndarray of shape (n_points,)
        The log10 prior odds of the curves.
    ece_ : dict of str to ndarray
        ECE in bits, keyed ``"system"``, ``"pav"`` and ``"neutral"``.
    lines_ : dict of str to matplotlib Line2D
        The curves, with the keys of ``ece_``.
    {axes}

    References
    ----------
    D. Ramos, J. Gonzalez-Rodriguez, G. Zadora and C. Aitken, "Information-
    theoretical assessment of the performance of likelihood ratio computation
    methods", Journal of Forensic Sciences 58(6):1503-1518, 2013.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.metrics import cllr
    >>> from micfp.plot import ECEDisplay
    >>> y, llr = [1, 1, 0, 0], [2.0, -0.5, -1.0, 0.5]
    >>> display = ECEDisplay.from_predictions(y, llr, prior_range=(-1, 1))
    >>> middle = len(display.prior_log_odds_) // 2
    >>> bool(abs(display.ece_["system"][middle] - cllr(y, llr)) < 1e-9)
    True
    >>> plt.close(display.figure_)
    """

    @_ax_parameter
    def plot(self, *, ax=None, prior_range=(-3.0, 3.0), n_points=301):
        """Draw the curves.

        Parameters
        ----------
        {ax}
        prior_range : (float, float), default=(-3.0, 3.0)
            Range of log10 prior odds of H1.
        n_points : int, default=301
            Number of prior odds, evenly spaced (odd, so that 0 is one).

        Returns
        -------
        self : ECEDisplay
            The display, with ``ece_``, ``lines_``, ``ax_``, ``figure_`` set.
        """
        low, high = prior_range
        if not low < high or int(n_points) < 2:
            raise ValueError(
                "prior_range must be (low, high) with low < high and n_points "
                f"at least 2; got {prior_range!r} and {n_points!r}."
            )
        y_true, llr, ax = self._prepare(ax)
        grid = np.linspace(low, high, int(n_points))
        self.prior_log_odds_ = grid
        self.ece_ = {
            "system": _empirical_cross_entropy(y_true, llr, grid),
            "pav": _empirical_cross_entropy(y_true, pav_llr(llr, y_true), grid),
            "neutral": _empirical_cross_entropy(y_true, np.zeros_like(llr), grid),
        }
        labels = {
            "system": self.name or "LRs",
            "pav": "after PAV",
            "neutral": "LR = 1",
        }
        styles = {"system": "-", "pav": "--", "neutral": ":"}
        self.lines_ = {}
        for key, values in self.ece_.items():
            (self.lines_[key],) = ax.plot(
                grid, values, linestyle=styles[key], label=labels[key]
            )
        ax.set_xlim(low, high)
        ax.set_ylim(0, None)
        ax.set_xlabel("log$_{10}$ prior odds of H1")
        ax.set_ylabel("empirical cross-entropy (bits)")
        ax.legend(loc="best")
        return self


@_lr_display_doc
class PAVDisplay(_LRDisplay):
    """The PAV transform: log10 LRs after PAV against log10 LRs as they are.

    A well-calibrated system lies on the diagonal; a curve flatter than the
    diagonal means overstated LRs, a shifted one a bias towards one
    proposition. devPAV is the mean distance between curve and diagonal.
    Infinite PAV values are drawn at the edge of the axes.

    {parameters}

    Attributes
    ----------
    pav_llr_ : ndarray of shape (n_trials,)
        Log10 LRs after PAV, in the order of ``llr``.
    line_ : matplotlib Line2D
        The PAV curve.
    {axes}

    See Also
    --------
    micfp.metrics.devpav : The area between the curve and the diagonal.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from micfp.plot import PAVDisplay
    >>> display = PAVDisplay.from_predictions(
    ...     [0, 1, 0, 1, 1, 0], [-2.0, -1.0, 0.0, 1.0, 2.0, 2.5])
    >>> display.pav_llr_.shape
    (6,)
    >>> plt.close(display.figure_)
    """

    @_plot_doc
    def plot(self, *, ax=None):
        """Draw the curve and the diagonal.

        {plot}
        """
        y_true, llr, ax = self._prepare(ax)
        self.pav_llr_ = pav_llr(llr, y_true)
        low, high = _finite_range(np.r_[llr, self.pav_llr_])
        order = np.argsort(llr, kind="stable")
        x = np.clip(llr[order], low, high)
        y = np.clip(self.pav_llr_[order], low, high)
        ax.plot([low, high], [low, high], color="0.6", linestyle=":", label="identity")
        (self.line_,) = ax.plot(x, y, marker=".", label=self.name or "PAV transform")
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_xlabel("log$_{10}$ LR")
        ax.set_ylabel("log$_{10}$ LR after PAV")
        ax.legend(loc="best")
        return self
