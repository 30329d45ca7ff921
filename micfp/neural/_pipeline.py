"""The whole PSTNN recipe, from clips to device labels, in one Pipeline."""

from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from ._pstnn import PSTNNClassifier


def make_pstnn_pipeline(
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
    normalize=False,
    ubm=None,
    scale=True,
    random_state=None,
    n_jobs=None,
    **pstnn_params,
):
    """Clips -> MFCC frames -> [supervector | frames] -> PSTNN, in one Pipeline.

    MFCC frames are computed once; a :class:`~sklearn.pipeline.FeatureUnion`
    puts the clip's Gaussian mean supervector (a UBM of ``n_components``
    Gaussians fitted on the training frames, MAP-adapted per clip) before the
    frames themselves, the layout :class:`PSTNNClassifier` reads.
    ``supervector_size`` and ``frame_width`` of the classifier are set to
    match. Clips want a second or more of audio, so that a clip holds enough
    frames for both the supervector and the recurrent branch.

    Parameters
    ----------
    sr : float, default=44100
        Sample rate of the clips in Hz.
    n_components : int, default=64
        Gaussians of the background model (64 was best in Zeng et al.).
    n_coefficients, n_filters, frame_duration, hop_duration, deltas, cmn : optional
        Passed to :class:`micfp.features.MFCC`; the defaults give 39 values
        (13 coefficients with first and second differences) per 30 ms frame
        every 15 ms, as in Zeng et al.
    relevance_factor, normalize, ubm : optional
        Passed to :class:`micfp.mixture.GaussianSupervector`.
    scale : bool, default=True
        Standardize every column (fitted on the training clips) before the
        network; the layout is unchanged.
    random_state : int, RandomState instance or None, default=None
        Seeds the background model and the network.
    n_jobs : int or None, default=None
        Parallel jobs over chunks of clips for the features.
    **pstnn_params
        Further parameters of :class:`PSTNNClassifier` (architecture,
        ``max_epochs``, ``device``...).

    Returns
    -------
    pipeline : Pipeline
        Steps ``"mfcc"``, ``"union"`` (``"supervector"`` and ``"frames"``),
        ``"scale"`` (when ``scale=True``) and ``"pstnn"``.

    See Also
    --------
    PSTNNClassifier : The network at the end of the pipeline.
    micfp.baselines.make_gsv_svm : The same supervectors into an SVM.

    Notes
    -----
    To tune the feature sizes with :class:`~sklearn.model_selection.\
GridSearchCV`, change the classifier's layout with them, in one grid dict
    per size, e.g. ``{"union__supervector__n_components": [8],
    "pstnn__supervector_size": [8 * 39]}``. Network parameters are tuned as
    usual (``"pstnn__fusion"``, ``"pstnn__lr"``...).

    Examples
    --------
    >>> import numpy as np
    >>> from micfp.neural import make_pstnn_pipeline
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(0, 0.1, (20, 4000))
    >>> X[10:] = np.cumsum(X[10:], axis=1) * 0.05  # a darker "device"
    >>> y = np.repeat(["a", "b"], 10)
    >>> pipe = make_pstnn_pipeline(8000, n_components=2, embedding_size=16,
    ...                            spatial_hidden_sizes=(), backend_hidden_sizes=(8,),
    ...                            recurrent_sizes=(8,), max_epochs=15, lr=0.01,
    ...                            n_threads=1, random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['mfcc', 'union', 'scale', 'pstnn']
    >>> pipe.fit(X, y).score(X, y) > 0.9
    True
    >>> pipe["pstnn"].supervector_size  # 2 components x 39 MFCC values
    78
    """
    from ..features import MFCC
    from ..mixture import GaussianSupervector

    frame_width = n_coefficients * (1 + deltas)
    mfcc = MFCC(
        sr,
        n_coefficients=n_coefficients,
        n_filters=n_filters,
        frame_duration=frame_duration,
        hop_duration=hop_duration,
        deltas=deltas,
        cmn=cmn,
        output="frames",
        n_jobs=n_jobs,
    )
    supervector = GaussianSupervector(
        n_components,
        frame_width=frame_width,
        relevance_factor=relevance_factor,
        normalize=normalize,
        ubm=ubm,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    union = FeatureUnion([("supervector", supervector), ("frames", "passthrough")])
    pstnn = PSTNNClassifier(
        n_components * frame_width,
        frame_width=frame_width,
        random_state=random_state,
        **pstnn_params,
    )
    steps = [("mfcc", mfcc), ("union", union)]
    if scale:
        steps.append(("scale", StandardScaler()))
    steps.append(("pstnn", pstnn))
    return Pipeline(steps)
