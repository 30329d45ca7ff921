"""Errors and warnings raised by micfp.

Every error is a :class:`ValueError`, so callers that already catch the
scikit-learn or NumPy error type keep working, while ``except AudioError``
catches exactly what micfp raises about audio.
"""

__all__ = [
    "AudioError",
    "AudioFileError",
    "AudioTypeError",
    "AudioValueError",
    "CalibrationError",
    "DegradedResultWarning",
    "ScoreValueError",
]


class AudioError(ValueError):
    """Base class of the errors micfp raises about audio input."""


class AudioFileError(AudioError):
    """A path, folder or file that cannot be read as the audio asked for.

    Raised for a missing path, an empty folder, a file that is not a WAV file
    or is truncated, and a set of files that cannot be loaded together (mixed
    sample rates without a target rate).

    Examples
    --------
    >>> from micfp.exceptions import AudioFileError
    >>> issubclass(AudioFileError, ValueError)
    True
    """


class AudioValueError(AudioError):
    """Audio samples that cannot be used as they are.

    Raised for zero-length audio, NaN or infinite samples, and a recording too
    short for the clip length asked for.

    Examples
    --------
    >>> from micfp.exceptions import AudioValueError
    >>> issubclass(AudioValueError, ValueError)
    True
    """


class AudioTypeError(AudioValueError, TypeError):
    """Input holding objects that are not numbers, such as dicts.

    NumPy raises a :class:`TypeError` when it converts such objects to floats;
    this error is both that and an :class:`AudioValueError`, so that either
    ``except`` clause catches it.

    Examples
    --------
    >>> from micfp.exceptions import AudioTypeError, AudioValueError
    >>> issubclass(AudioTypeError, AudioValueError)
    True
    >>> issubclass(AudioTypeError, TypeError)
    True
    """


class ScoreValueError(ValueError):
    """Scores, labels or trials that cannot be evaluated or scored as they are.

    Raised for NaN or infinite scores or embeddings, labels of a single class
    where both target and non-target trials are needed, arrays whose lengths
    do not match, and too few devices or recordings for what is asked (a
    back-end fitted on one device, a held-out recording missing for a known
    device).

    Examples
    --------
    >>> from micfp.exceptions import ScoreValueError
    >>> issubclass(ScoreValueError, ValueError)
    True
    """


class CalibrationError(ScoreValueError):
    """Scores or likelihood ratios that cannot be calibrated or evaluated as LRs.

    Raised for labels of a single class or other than 0 and 1, NaN scores,
    infinite scores or likelihood ratios that are misleading (``+inf`` under
    H2, ``-inf`` under H1) where no finite answer exists, and calibration data
    from too few sources.

    Examples
    --------
    >>> from micfp.exceptions import CalibrationError, ScoreValueError
    >>> issubclass(CalibrationError, ScoreValueError)
    True
    """


class DegradedResultWarning(UserWarning):
    """A valid but degraded result, such as a wavelet level capped for a short row.

    Examples
    --------
    >>> from micfp.exceptions import DegradedResultWarning
    >>> issubclass(DegradedResultWarning, UserWarning)
    True
    """
