"""Device verification: embeddings, scoring back-ends and trials.

Was this questioned recording made by that device? A device embedding
summarises each excerpt, a back-end fitted on background devices scores
enrolment embeddings against questioned ones (higher means "same device"),
and :func:`make_trials` builds the trials on which
:mod:`micfp.metrics` measures it.
"""

from ._backends import (
    BaseScorer,
    CosineScorer,
    LDACosineScorer,
    NormalizedScorer,
    PLDAScorer,
)
from ._embedding import DeviceEmbedder, pool_by_group
from ._trials import make_trials

__all__ = [
    "BaseScorer",
    "CosineScorer",
    "DeviceEmbedder",
    "LDACosineScorer",
    "NormalizedScorer",
    "PLDAScorer",
    "make_trials",
    "pool_by_group",
]
