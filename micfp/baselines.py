"""Ready-made pipelines for the classical device-identification baselines.

Each function returns an unfitted :class:`~sklearn.pipeline.Pipeline` from
clips (one fixed-length clip a row, as :func:`micfp.clips.extract_clips`
gives them) to a device label:

- :func:`make_gmm_ubm`: MFCC frames -> GMM-UBM classifier (Reynolds et al.).
- :func:`make_gsv_svm`: MFCC frames -> Gaussian mean supervector -> linear SVM
  (Campbell et al.).
- :func:`make_bed_svm`: band energy difference -> standardization -> SVM
  (Luo, Korus and Huang).
- :func:`make_classical_pipeline`: mean MFCC, zero-crossing rate and RMS ->
  standardization -> PCA -> any classifier.

and micfp's recommended recipe, with the representation behind it:

- :func:`make_device_classifier`: Welch and noise-floor log spectra ->
  standardization -> shrinkage LDA, with ``predict_proba``.
- :func:`make_device_embedding`: the same spectra, standardized: a
  fixed-size vector per clip for verification and change detection.

The first three are the baselines Zeng et al. (2021) compare their end-to-end
network with; the last is the pipeline of a study of studio microphones.
Evaluate them with splits by recording (``groups`` from ``extract_clips`` with
:class:`~sklearn.model_selection.GroupKFold`, or whole takes held out): clips
of one recording on both sides of a split share its content and room, and
leak.
"""

from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .features import (
    MFCC,
    BandEnergyDifference,
    FrameStatistics,
    NoiseFloorSpectrum,
    WelchSpectrum,
)
from .mixture import GaussianSupervector, GMMUBMClassifier
from .utils._docstring import Substitution

__all__ = [
    "make_bed_svm",
    "make_classical_pipeline",
    "make_device_classifier",
    "make_device_embedding",
    "make_gmm_ubm",
    "make_gsv_svm",
]


_SR = """
sr : float, default=44100
    Sample rate of the clips in Hz.
"""

_MFCC = """
n_coefficients, n_filters, frame_duration, hop_duration, deltas, cmn : optional
    Passed to :class:`~micfp.features.MFCC`; the defaults give 39 values
    a 30 ms frame every 15 ms, as in Zeng et al.
"""

_UBM = """
ubm : GaussianMixture or None, default=None
    A background model fitted elsewhere (:func:`micfp.mixture.fit_ubm`).
"""

_SEED_AND_JOBS = """
random_state : int, RandomState instance or None, default=None
    Seeds the background model.
n_jobs : int or None, default=None
    Parallel jobs over chunks of clips.
"""


def _mfcc_and_mixture(mixture, sr, n_components, mfcc_params, n_jobs, **params):
    """MFCC frames and a mixture estimator fitted on frames of their width."""
    mfcc = MFCC(sr, **mfcc_params, output="frames", n_jobs=n_jobs)
    width = mfcc_params["n_coefficients"] * (1 + mfcc_params["deltas"])
    return mfcc, mixture(n_components, frame_width=width, n_jobs=n_jobs, **params)


def _mfcc_params(n_coefficients, n_filters, frame_duration, hop_duration, deltas, cmn):
    return {
        "n_coefficients": n_coefficients,
        "n_filters": n_filters,
        "frame_duration": frame_duration,
        "hop_duration": hop_duration,
        "deltas": deltas,
        "cmn": cmn,
    }


@Substitution(sr=_SR, mfcc=_MFCC, ubm=_UBM, seed_and_jobs=_SEED_AND_JOBS)
def make_gmm_ubm(
    sr=44100,
    *,
    n_components=64,
    n_coefficients=13,
    n_filters=40,
    frame_duration=0.03,
    hop_duration=0.015,
    deltas=2,
    cmn=False,
    relevance_factor=16.0,
    adapt="m",
    ubm=None,
    random_state=None,
    n_jobs=None,
):
    """GMM-UBM baseline: MFCC frames scored by device models adapted from a UBM.

    Parameters
    ----------
    {sr}
    n_components : int, default=64
        Gaussians in the universal background model.
    {mfcc}
    relevance_factor : float, default=16.0
        MAP relevance factor.
    adapt : str, default="m"
        Parameters adapted per device (see
        :class:`~micfp.mixture.GMMUBMClassifier`).
    {ubm}
    {seed_and_jobs}

    Returns
    -------
    pipeline : Pipeline
        Steps ``"mfcc"`` and ``"gmm_ubm"``.

    See Also
    --------
    make_gsv_svm : The supervector baseline.

    Examples
    --------
    >>> from micfp.baselines import make_gmm_ubm
    >>> pipe = make_gmm_ubm(16000, n_components=8)
    >>> [name for name, _ in pipe.steps]
    ['mfcc', 'gmm_ubm']
    """
    mfcc, gmm = _mfcc_and_mixture(
        GMMUBMClassifier,
        sr,
        n_components,
        _mfcc_params(
            n_coefficients, n_filters, frame_duration, hop_duration, deltas, cmn
        ),
        n_jobs,
        relevance_factor=relevance_factor,
        adapt=adapt,
        ubm=ubm,
        random_state=random_state,
    )
    return Pipeline([("mfcc", mfcc), ("gmm_ubm", gmm)])


@Substitution(sr=_SR, mfcc=_MFCC, ubm=_UBM, seed_and_jobs=_SEED_AND_JOBS)
def make_gsv_svm(
    sr=44100,
    *,
    n_components=64,
    n_coefficients=13,
    n_filters=40,
    frame_duration=0.03,
    hop_duration=0.015,
    deltas=2,
    cmn=False,
    relevance_factor=16.0,
    normalize=True,
    ubm=None,
    C=1.0,
    random_state=None,
    n_jobs=None,
):
    """GSV-SVM baseline: Gaussian mean supervectors of MFCC frames, linear SVM.

    MFCC with deltas (39 values a frame by default), a universal background
    model of `n_components` diagonal Gaussians, each clip's MAP-adapted means
    concatenated (64 x 39 = 2496 values), scaled by ``sqrt(w_c) / sigma_c``,
    and a linear support vector classifier, whose kernel on these scaled
    supervectors approximates the KL divergence between the clips' models.

    Parameters
    ----------
    {sr}
    n_components : int, default=64
        Gaussians in the universal background model (64, 128 or 256 in Zeng
        et al., 64 best).
    {mfcc}
    relevance_factor : float, default=16.0
        MAP relevance factor.
    normalize : bool, default=True
        Campbell's scaling of the supervector.
    {ubm}
    C : float, default=1.0
        SVM regularization.
    {seed_and_jobs}

    Returns
    -------
    pipeline : Pipeline
        Steps ``"mfcc"``, ``"gsv"`` and ``"svm"``.

    See Also
    --------
    make_gmm_ubm, make_bed_svm : The other baselines.

    References
    ----------
    .. [1] W. M. Campbell, D. E. Sturim and D. A. Reynolds, "Support vector
       machines using GMM supervectors for speaker verification", IEEE Signal
       Processing Letters 13(5), 2006. :doi:`10.1109/LSP.2006.870086`
    .. [2] C. Zeng, D. Zhu, Z. Wang et al., "Spatial and temporal learning
       representation for end-to-end recording device identification",
       EURASIP J. Adv. Signal Process. 2021:41, 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.baselines import make_gsv_svm
    >>> X = np.random.default_rng(0).normal(0, 0.1, (12, 8000))
    >>> y = np.repeat(["a", "b"], 6)
    >>> pipe = make_gsv_svm(16000, n_components=4, random_state=0).fit(X, y)
    >>> [name for name, _ in pipe.steps]
    ['mfcc', 'gsv', 'svm']
    >>> pipe[:-1].transform(X).shape  # 4 components x 39 MFCC values
    (12, 156)
    """
    mfcc, gsv = _mfcc_and_mixture(
        GaussianSupervector,
        sr,
        n_components,
        _mfcc_params(
            n_coefficients, n_filters, frame_duration, hop_duration, deltas, cmn
        ),
        n_jobs,
        relevance_factor=relevance_factor,
        normalize=normalize,
        ubm=ubm,
        random_state=random_state,
    )
    return Pipeline([("mfcc", mfcc), ("gsv", gsv), ("svm", SVC(kernel="linear", C=C))])


def make_bed_svm(
    sr=44100,
    *,
    frame_length=512,
    hop_length=None,
    fmin=None,
    fmax=None,
    kernel="rbf",
    C=1.0,
    gamma="scale",
    n_jobs=None,
):
    """BED-SVM baseline: band energy difference, standardized, into an SVM.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    frame_length : int, default=512
        Frame and FFT length in samples of
        :class:`~micfp.features.BandEnergyDifference`.
    hop_length : int or None, default=None
        Hop in samples; ``None`` means half a frame.
    fmin, fmax : float or None, default=None
        Band of the FFT bins used, in Hz.
    kernel : {"rbf", "linear", "poly", "sigmoid"}, default="rbf"
        SVM kernel. The kernel and the standardization are micfp's choices.
    C : float, default=1.0
        SVM regularization.
    gamma : {"scale", "auto"} or float, default="scale"
        RBF kernel width.
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips for the feature.

    Returns
    -------
    pipeline : Pipeline
        Steps ``"bed"``, ``"scale"`` and ``"svm"``.

    See Also
    --------
    make_gsv_svm : The supervector baseline.

    References
    ----------
    .. [1] D. Luo, P. Korus and J. Huang, "Band energy difference for source
       attribution in audio forensics", IEEE Trans. Inf. Forensics Security
       13(9), 2018. :doi:`10.1109/TIFS.2018.2812185`

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.baselines import make_bed_svm
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(0, 0.1, (12, 4096))
    >>> X[6:] = np.cumsum(X[6:], axis=1) * 0.05
    >>> y = np.repeat([0, 1], 6)
    >>> make_bed_svm(16000).fit(X, y).score(X, y)
    1.0
    """
    bed = BandEnergyDifference(
        frame_length=frame_length,
        hop_length=hop_length,
        sr=sr,
        fmin=fmin,
        fmax=fmax,
        n_jobs=n_jobs,
    )
    svm = SVC(kernel=kernel, C=C, gamma=gamma)
    return Pipeline([("bed", bed), ("scale", StandardScaler()), ("svm", svm)])


def make_classical_pipeline(
    sr=44100,
    classifier=None,
    *,
    n_coefficients=13,
    n_filters=40,
    frame_duration=0.03,
    hop_duration=0.015,
    n_components=8,
):
    """Mean MFCC, zero-crossing rate and RMS -> scaler -> PCA -> classifier.

    The feature set of a comparison of eight classifiers on studio
    microphones. The scaler and the PCA are fitted on the training clips only,
    inside the pipeline, so cross-validation never fits them on test clips.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    classifier : estimator or None, default=None
        Final step; ``None`` means ``SVC()``.
    n_coefficients, n_filters, frame_duration, hop_duration : optional
        Passed to :class:`~micfp.features.MFCC` (and the frame sizes to
        :class:`~micfp.features.FrameStatistics`).
    n_components : int, default=8
        Principal components kept.

    Returns
    -------
    pipeline : Pipeline
        Steps ``"features"`` (a FeatureUnion of ``"mfcc"`` and
        ``"frame_stats"``), ``"scale"``, ``"pca"`` and ``"classifier"``.

    See Also
    --------
    micfp.features.FrameStatistics : The zero-crossing rate and RMS.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from micfp.baselines import make_classical_pipeline
    >>> pipe = make_classical_pipeline(16000, KNeighborsClassifier())
    >>> [name for name, _ in pipe.steps]
    ['features', 'scale', 'pca', 'classifier']
    """
    mfcc = MFCC(
        sr,
        n_coefficients=n_coefficients,
        n_filters=n_filters,
        frame_duration=frame_duration,
        hop_duration=hop_duration,
        output="mean",
    )
    stats = FrameStatistics(
        sr, frame_duration=frame_duration, hop_duration=hop_duration, output="mean"
    )
    features = FeatureUnion([("mfcc", mfcc), ("frame_stats", stats)])
    return Pipeline(
        [
            ("features", features),
            ("scale", StandardScaler()),
            ("pca", PCA(n_components=n_components)),
            ("classifier", SVC() if classifier is None else classifier),
        ]
    )


def make_device_embedding(
    sr=44100,
    *,
    segment_length=1024,
    frame_length=256,
    percentile=20.0,
    n_jobs=None,
):
    """Device representation of a clip: Welch and noise-floor log spectra, scaled.

    Two variance-reduced spectral estimates of the raw clip side by side:
    the Welch log power spectral density (segments of ``segment_length``
    samples), which carries the device's response and the colour of
    everything it records, and the noise floor (the ``percentile``-th
    percentile over frames of ``frame_length`` samples), which carries what
    the device adds where the content is quiet. A StandardScaler fitted on
    the training clips makes every bin comparable. The output has
    ``segment_length // 2 + frame_length // 2 + 2`` columns whatever the
    devices, 642 by default.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    segment_length : int, default=1024
        Welch segment length in samples.
    frame_length : int, default=256
        Noise-floor frame length in samples.
    percentile : float, default=20.0
        Percentile of the noise floor, in [0, 100].
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips.

    Returns
    -------
    pipeline : Pipeline
        Steps ``"spectra"`` (a FeatureUnion of ``"welch"`` and
        ``"noise_floor"``) and ``"scale"``; ``transform`` gives the
        embedding.

    See Also
    --------
    make_device_classifier : This embedding with a classifier.
    micfp.features.WelchSpectrum, micfp.features.NoiseFloorSpectrum :
        The two estimates.

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.baselines import make_device_embedding
    >>> X = np.random.default_rng(0).normal(0, 0.1, (6, 4096))
    >>> make_device_embedding(16000).fit_transform(X).shape
    (6, 642)
    """
    spectra = FeatureUnion(
        [
            ("welch", WelchSpectrum(segment_length, sr=sr, n_jobs=n_jobs)),
            (
                "noise_floor",
                NoiseFloorSpectrum(
                    frame_length, percentile=percentile, sr=sr, n_jobs=n_jobs
                ),
            ),
        ]
    )
    return Pipeline([("spectra", spectra), ("scale", StandardScaler())])


def make_device_classifier(
    sr=44100,
    *,
    segment_length=1024,
    frame_length=256,
    percentile=20.0,
    shrinkage="auto",
    n_jobs=None,
):
    """Recommended pipeline of micfp: raw clips to device labels and probabilities.

    :func:`make_device_embedding` (Welch log spectrum of 1024-sample
    segments and the 20th-percentile noise floor of 256-sample frames,
    standardized) followed by linear discriminant analysis with
    Ledoit-Wolf shrinkage of the shared covariance. It works on the raw
    clip, without a de-noising step, and its ``predict_proba`` feeds
    :class:`~micfp.voting.SegmentVotingClassifier` and
    :func:`~micfp.voting.vote_by_group`. Evaluate it by recording
    (``benchmarks/bench_accuracy.py`` compares it with the seed pipelines on
    simulated devices it was not tuned on).

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    segment_length, frame_length, percentile : optional
        As in :func:`make_device_embedding`.
    shrinkage : "auto", float or None, default="auto"
        Shrinkage of :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`
        (``solver="lsqr"``).
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips.

    Returns
    -------
    pipeline : Pipeline
        Steps ``"spectra"``, ``"scale"`` and ``"lda"``.

    See Also
    --------
    make_device_embedding : The representation alone.
    make_gsv_svm, make_bed_svm : Seed baselines, kept for comparison.

    Examples
    --------
    >>> from micfp.baselines import make_device_classifier
    >>> from micfp.clips import extract_clips
    >>> from micfp.datasets import make_recordings
    >>> rec = make_recordings(3, 2, duration=2.0, sr=16000, random_state=0)
    >>> X, y, groups = extract_clips(rec, n_clips=20, random_state=0)
    >>> pipe = make_device_classifier(16000).fit(X[groups % 2 == 0], y[groups % 2 == 0])
    >>> pipe.predict_proba(X[:2]).shape
    (2, 3)
    >>> [name for name, _ in pipe.steps]
    ['spectra', 'scale', 'lda']
    """
    embedding = make_device_embedding(
        sr,
        segment_length=segment_length,
        frame_length=frame_length,
        percentile=percentile,
        n_jobs=n_jobs,
    )
    lda = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage)
    return Pipeline([*embedding.steps, ("lda", lda)])
