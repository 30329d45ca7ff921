"""scikit-learn's estimator checks, run over every public micfp estimator."""

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from micfp.features import LogSpectrum
from micfp.utils import all_estimators
from micfp.verification import CosineScorer

# Small, fast settings per estimator; anything not listed uses its defaults.
FAST_PARAMS = {
    "SegmentVotingClassifier": {"estimator": LogisticRegression()},
    "OpenSetClassifier": {"estimator": LogisticRegression()},
    # One-sample clips fit the checks' rows of 1-10 columns.
    "DeviceEmbedder": {"transformer": LogSpectrum(n_fft=1), "clip_length": 1},
    "NormalizedScorer": {"scorer": CosineScorer(), "top_n": 1},
    # Frames of 2 samples fit the checks' rows of 2-10 columns.
    "FrameStatistics": {"sr": 1000, "frame_duration": 0.002, "hop_duration": 0.001},
    "MFCC": {
        "sr": 1000,
        "n_coefficients": 2,
        "n_filters": 2,
        "frame_duration": 0.002,
        "hop_duration": 0.001,
        "deltas": 2,
    },
    # One value a frame divides every width; rows of 1-10 frames.
    "GaussianSupervector": {"n_components": 2, "frame_width": 1},
    # Each row one frame: the checks' blobs are points, not sequences of frames.
    "GMMUBMClassifier": {"n_components": 2, "frame_width": None, "adapt": "wm"},
    # A real decomposition and real frames on the checks' short rows.
    "NoiseResidual": {"wavelet": "haar", "level": 2},
    "WaveletDenoiser": {"wavelet": "haar", "level": 2},
    "BandEnergyDifference": {"frame_length": 4, "hop_length": 1},
    # Segments and frames that fit the checks' rows of 1-10 columns.
    "WelchSpectrum": {"segment_length": 1},
    "MultitaperSpectrum": {"segment_length": 2, "n_tapers": 1, "time_bandwidth": 0.5},
    "NoiseFloorSpectrum": {"frame_length": 1},
    # Tiny networks, float64 (float32 products depend on the batch size), one
    # thread (faster for tiny layers), one-value frames that fit every width.
    "MLPClassifier": {
        "hidden_layer_sizes": (8,),
        "max_epochs": 10,
        "lr": 0.03,
        "batch_size": 50,
        "dtype": "float64",
        "n_threads": 1,
    },
    "CNNClassifier": {
        "channels": (4,),
        "kernel_size": 3,
        "pool_size": 2,
        "hidden_layer_sizes": (8,),
        "max_epochs": 10,
        "lr": 0.03,
        "batch_size": 50,
        "dtype": "float64",
        "n_threads": 1,
    },
    "RNNClassifier": {
        "frame_width": 1,
        "recurrent_sizes": (4,),
        "hidden_layer_sizes": (8,),
        "max_epochs": 10,
        "lr": 0.03,
        "batch_size": 50,
        "dtype": "float64",
        "n_threads": 1,
    },
    # One-sample frames fit every width of the checks' rows.
    "DeviceEmbeddingNet": {
        "frame_length": 1,
        "channels": (4,),
        "embedding_size": 4,
        "max_epochs": 10,
        "lr": 0.03,
        "batch_size": 50,
        "dtype": "float64",
        "n_threads": 1,
    },
    "PSTNNClassifier": {
        "supervector_size": 1,
        "frame_width": 1,
        "spatial_hidden_sizes": (),
        "embedding_size": 8,
        "recurrent_sizes": (4,),
        "backend_hidden_sizes": (),
        "max_epochs": 10,
        "lr": 0.03,
        "batch_size": 50,
        "dtype": "float64",
        "n_threads": 1,
    },
}

# A source-disjoint LR system splits the devices (classes) into background and
# calibration devices and needs at least 10 calibration devices by default (2 at
# the least): the checks' data of 1-3 classes are refused by design, with a
# CalibrationError that names the number of devices.
_TOO_FEW_DEVICES = (
    "the checks' data hold 1-3 devices; a source-disjoint LR system refuses "
    "fewer than 2 background plus min_calibration_devices calibration devices"
)

# Expected failures, each with its reason. The goal is none.
EXPECTED_FAILED_CHECKS = {
    "DeviceLRSystem": dict.fromkeys(
        [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_nan_inf",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ],
        _TOO_FEW_DEVICES,
    ),
}

# Estimators whose input is not a 2-D array of rows, with the reason; their own
# tests check parameters, cloning and validation.
NOT_ROW_ESTIMATORS = {
    # Fits on a list of recordings of any lengths; predicts boundary times of
    # one recording.
    "DeviceChangeDetector",
}


def _instances():
    for name, cls in all_estimators():
        if name not in NOT_ROW_ESTIMATORS:
            yield cls(**FAST_PARAMS.get(name, {}))


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    list(_instances()),
    expected_failed_checks=_expected_failed_checks,
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_all_estimators_hides_base_classes():
    names = [name for name, _ in all_estimators()]
    assert names == sorted(names)
    assert not [name for name in names if name.startswith(("Base", "_"))]


def test_all_estimators_filters_by_type():
    transformers = dict(all_estimators(type_filter="transformer"))
    everything = dict(all_estimators())
    assert set(transformers) <= set(everything)


def test_all_estimators_rejects_unknown_type():
    with pytest.raises(ValueError, match="type_filter must be None or among"):
        all_estimators(type_filter="clusterer")
