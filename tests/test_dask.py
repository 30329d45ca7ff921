"""Grid search through joblib's Dask backend on a local cluster."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def _clips(seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], 12)
    # the two "devices" differ by the colour of a weak noise floor
    white = rng.standard_normal((24, 256))
    coloured = np.cumsum(rng.standard_normal((24, 256)), axis=1) / 16
    tone = np.sin(2 * np.pi * 0.05 * np.arange(256))
    X = tone + 0.05 * np.where(y[:, None] == 0, white, coloured)
    return X, y, np.repeat(np.arange(6), 4)


def test_grid_search_runs_on_a_local_dask_cluster():
    X, y, groups = _clips()
    pipe = make_pipeline(
        NoiseResidual(level=2), LogSpectrum(), StandardScaler(), LogisticRegression()
    )
    grid = {"noiseresidual__wavelet": ["db2", "sym4"]}
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_backend("dask"),
        distributed.get_task_stream(client) as tasks,
    ):
        search = GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3), n_jobs=-1)
        search.fit(X, y, groups=groups)
    # 2 candidates x 3 folds ran as tasks on the cluster
    assert len(tasks.data) >= 6

    local = GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3)).fit(X, y, groups=groups)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
