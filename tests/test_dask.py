"""Grid search through joblib's Dask backend on a local cluster."""

import numpy as np
import pytest
from sklearn import config_context
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


def _search():
    pipe = make_pipeline(
        NoiseResidual(level=2), LogSpectrum(), StandardScaler(), LogisticRegression()
    )
    grid = {
        "noiseresidual__wavelet": ["db2", "sym4"],
        "logisticregression__C": [0.01, 1.0],
    }
    return GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3), n_jobs=-1)


class _TaskInputs(distributed.diagnostics.plugin.SchedulerPlugin):
    """Records the data keys every task depends on when it starts."""

    name = "task-inputs"

    async def start(self, scheduler):
        self.scheduler = scheduler
        self.inputs = {}

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "processing":
            task = self.scheduler.tasks[key]
            self.inputs[str(key)] = {str(dep.key) for dep in task.dependencies}


def _recorded_inputs(dask_scheduler):
    return dask_scheduler.plugins[_TaskInputs.name].inputs


def _scattered_keys(dask_scheduler, min_bytes):
    return [
        str(key)
        for key, task in dask_scheduler.tasks.items()
        if task.run_spec is None and (task.nbytes or 0) >= min_bytes
    ]


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.register_plugin(_TaskInputs())
        yield client


def test_grid_search_on_a_local_cluster_equals_the_sequential_run(client):
    X, y, groups = _clips()
    with (
        joblib.parallel_backend("dask", scatter=[X, y]),
        distributed.get_task_stream(client) as stream,
    ):
        search = _search().fit(X, y, groups=groups)
        scattered = client.run_on_scheduler(_scattered_keys, min_bytes=X.nbytes)
    inputs = client.run_on_scheduler(_recorded_inputs)
    # The 4 candidates x 3 folds ran as tasks (joblib batches several fits
    # into one) on the cluster.
    assert len(stream.data) >= 2
    # X travelled once, as scattered data that every batch of fits refers to,
    # instead of being serialized into each task.
    assert len(scattered) == 1
    assert all(scattered[0] in inputs[str(task["key"])] for task in stream.data)

    local = _search().set_params(n_jobs=None).fit(X, y, groups=groups)
    assert search.best_params_ == local.best_params_
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(search.cv_results_[key], local.cv_results_[key])


def test_transformer_chunks_run_on_the_cluster(client):
    X, _, _ = _clips()
    X = np.tile(X, (100, 1))  # 4.7 MiB: several chunks of 1 MiB
    expected = NoiseResidual(level=2).fit_transform(X)
    with (
        config_context(working_memory=1),
        joblib.parallel_backend("dask"),
        distributed.get_task_stream(client) as stream,
    ):
        got = NoiseResidual(level=2, n_jobs=-1).fit_transform(X)
    np.testing.assert_array_equal(got, expected)
    assert len(stream.data) >= 2
