"""Neural device classifiers: PyTorch networks behind scikit-learn estimators.

Importing this subpackage imports PyTorch and skorch; the rest of micfp does not.
"""

from ._cnn import CNNClassifier
from ._embedding import DeviceEmbeddingNet
from ._mlp import MLPClassifier
from ._pipeline import make_pstnn_pipeline
from ._pstnn import PSTNNClassifier
from ._rnn import RNNClassifier

__all__ = [
    "CNNClassifier",
    "DeviceEmbeddingNet",
    "MLPClassifier",
    "PSTNNClassifier",
    "RNNClassifier",
    "make_pstnn_pipeline",
]
