"""Data-parallel fits on dask arrays (fastbackprop/_dask.py, docs/dask.md).

The cheap checks run on dask's default scheduler in this process; the rest on one module-wide
LocalCluster of two worker processes (one thread each), as CI runs them. Every fit is tiny and
float64 with tanh, so the workers load the chunk kernel this process compiled (the on-disk cache)
instead of compiling their own.
"""
import os
import signal
import time
import tracemalloc
import warnings

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="the dask tests need dask[array] "
                                         "(pip install 'fastbackprop[dask]')")
da = pytest.importorskip("dask.array", reason="the dask tests need dask[array] "
                                              "(pip install 'fastbackprop[dask]')")
distributed = pytest.importorskip("distributed", reason="the dask tests need distributed "
                                                        "(pip install 'fastbackprop[dask]')")

from fastbackprop import Model, _dask  # noqa: E402

DIMS = [4, 8, 1]
FIT = dict(learning_rate=0.5, num_iterations=6, record_every=1, optimizer="adam", lambd=0.2)


def _data(m=1200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((DIMS[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(np.float64)
    return X, Y


def _close(actual, expected):
    scale = np.abs(expected).max()
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10 * scale)


@pytest.fixture(autouse=True)
def _quiet_overhead():
    """Tiny fits are all overhead: the warning has its own test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "this dask fit is dominated", UserWarning)
        yield


def test_reduction_tasks_add_as_one_pairwise_tree():
    """Runs of FAN_IN parts per task give the bits of the plain pairwise tree, for any count."""
    rng = np.random.default_rng(3)
    for n in list(range(1, 20)) + [63, 64, 65, 200]:
        grads = rng.standard_normal((n, 5)) * 10.0 ** rng.integers(-8, 8, (n, 5))
        parts = [(float(c), g, {}) for c, g in zip(rng.standard_normal(n) * 1e3, grads)]
        tree = _dask.tree(parts, _dask._pairwise_sum)
        plain = _dask.pairwise(parts, _dask._add)
        assert tree[0] == plain[0] and (tree[1] == plain[1]).all(), n
    sequential = sum(g for _, g, _ in parts)
    assert (plain[1] != sequential).any()  # the order matters at these scales: the test can fail


# -- dask's default scheduler, in this process --------------------------------------------------

def test_default_scheduler_equals_local_fit():
    X, Y = _data()
    Xd = da.from_array(X, chunks=(4, 300))
    local = Model(DIMS, "tanh", seed=0).fit(X, Y, **FIT)
    model = Model(DIMS, "tanh", seed=0).fit(Xd, Y, **FIT)
    _close(model._theta, local._theta)
    _close([c for _, c in model.costs], [c for _, c in local.costs])
    assert model.iterations == 6 and model._steps == 6
    # minibatches of whole chunks in order, gradient descent, Y as a dask array too
    local = Model(DIMS, "tanh", seed=0).fit(X, Y, learning_rate=0.5, num_iterations=3,
                                             batch_size=600, shuffle=False, record_every=1)
    model = Model(DIMS, "tanh", seed=0).fit(Xd, da.from_array(Y, chunks=(1, 300)),
                                             learning_rate=0.5, num_iterations=3,
                                             batch_size=600, shuffle=False, record_every=1)
    _close(model._theta, local._theta)
    _close([c for _, c in model.costs], [c for _, c in local.costs])
    assert model._steps == 6


def test_other_heads_and_weights_equal_local_fit():
    """A softmax head from integer labels, weighted (a dask weight vector): one head code, one
    compiled signature for all the non-plain heads."""
    X, _ = _data()
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, X.shape[1])
    w = rng.random(X.shape[1]) + 0.5
    dims = [4, 8, 3]
    local = Model(dims, "tanh", output="softmax", seed=0).fit(X, labels, sample_weight=w,
                                                              **FIT)
    model = Model(dims, "tanh", output="softmax", seed=0).fit(
        da.from_array(X, chunks=(4, 500)), da.from_array(labels, chunks=500),
        sample_weight=da.from_array(w, chunks=250), **FIT)
    _close(model._theta, local._theta)
    _close([c for _, c in model.costs], [c for _, c in local.costs])
    # minibatches of two chunks: each step divides by its batch's weight sum, as locally
    batches = dict(FIT, batch_size=600, shuffle=False, num_iterations=3)
    local = Model(dims, "tanh", output="softmax", seed=0).fit(X, labels, sample_weight=w,
                                                              **batches)
    model = Model(dims, "tanh", output="softmax", seed=0).fit(
        da.from_array(X, chunks=(4, 300)), labels, sample_weight=w, **batches)
    _close(model._theta, local._theta)
    _close([c for _, c in model.costs], [c for _, c in local.costs])


def test_refused_options_leave_the_model_alone():
    X, Y = _data()
    Xd = da.from_array(X, chunks=(4, 300))
    model = Model(DIMS, "tanh", seed=0)
    before = model._theta.copy()
    with pytest.raises(ValueError, match="whole number of X's chunks"):
        model.fit(Xd, Y, batch_size=400, shuffle=False)
    with pytest.raises(ValueError, match="shuffle=False"):
        model.fit(Xd, Y, batch_size=600)
    with pytest.raises(ValueError, match="keep_prob"):
        model.fit(Xd, Y, keep_prob=0.5)
    bad = X.copy()
    bad[2, 1000] = np.nan  # in the fourth chunk only
    with pytest.raises(ValueError, match="NaN or inf"):
        model.fit(da.from_array(bad, chunks=(4, 300)), Y)
    assert (model._theta == before).all() and model.iterations == 0


def test_a_failed_step_restores_and_ctrl_c_stops_at_a_step(monkeypatch):
    X, Y = _data()
    Xd = da.from_array(X, chunks=(4, 300))
    step = _dask.Trainer._step
    calls = []

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("the cluster went away")
        return step(self, *args)
    monkeypatch.setattr(_dask.Trainer, "_step", failing)
    model = Model(DIMS, "tanh", seed=0).fit(Xd, Y, **dict(FIT, num_iterations=1))
    before = (model._theta.copy(), model.iterations, list(model.costs), model._state.copy())
    with pytest.raises(OSError, match="went away"):
        model.fit(Xd, Y, **FIT)
    assert (model._theta == before[0]).all() and model.iterations == before[1]
    assert model.costs == before[2] and (model._state == before[3]).all()

    def interrupting(self, *args):
        cost = step(self, *args)
        calls.append(1)
        if len(calls) == 2:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C while the step's graph runs
        return cost
    calls.clear()
    monkeypatch.setattr(_dask.Trainer, "_step", interrupting)
    model = Model(DIMS, "tanh", seed=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(Xd, Y, **dict(FIT, num_iterations=10 ** 6))
    monkeypatch.undo()
    assert 2 <= model.iterations < 10 ** 6  # stopped at a step boundary, what ran is kept
    fresh = Model(DIMS, "tanh", seed=0).fit(Xd, Y, **dict(FIT, num_iterations=model.iterations))
    assert (fresh._theta == model._theta).all() and fresh.costs == model.costs


def test_overhead_warning_names_the_ratio(monkeypatch):
    monkeypatch.setattr(_dask, "_warned", False)
    X, Y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):  # once per process
            Model(DIMS, "tanh", seed=0).fit(da.from_array(X, chunks=(4, 300)), Y, **FIT)
    found = [w for w in caught if "dominated by overhead" in str(w.message)]
    assert len(found) == 1 and found[0].category is UserWarning
    assert "x the compute of its busiest worker thread" in str(found[0].message)
    assert found[0].filename == __file__  # points at the caller's fit


# -- the scikit-learn estimators on row-chunked dask arrays (dask's default scheduler) --------

def _rows(m=1200, seed=0):
    """The data of ``_data`` as scikit-learn has it: examples as rows, X (m, 4)."""
    X, Y = _data(m, seed)
    return X.T.copy(), Y.ravel().astype(np.int64)


def _sk_close(fitted, expected):
    for name in ("coefs_", "intercepts_"):
        for actual, wanted in zip(getattr(fitted, name), getattr(expected, name)):
            _close(actual, wanted)


def test_sklearn_string_labels_and_partial_fit_on_dask():
    """Three string classes from a dask y: classes_ from da.unique, the one-hot made chunk by
    chunk; class_weight="balanced" from the classes' counts; partial_fit too. The same
    parameters as the fits on the NumPy arrays, and a dask predict of the same strings."""
    pytest.importorskip("sklearn")
    from fastbackprop.sklearn import MLPClassifier
    X, _ = _rows()
    rng = np.random.default_rng(4)
    y = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, len(X))]
    Xd, yd = da.from_array(X, chunks=(300, 4)), da.from_array(y, chunks=300)
    settings = dict(hidden_layer_sizes=(8,), activation="tanh", batch_size=600, shuffle=False,
                    max_iter=3, class_weight="balanced", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: 3 epochs
        local = MLPClassifier(**settings).fit(X, y)
        fitted = MLPClassifier(**settings).fit(Xd, yd)
    assert list(fitted.classes_) == ["cat", "dog", "emu"] and fitted.n_features_in_ == 4
    _sk_close(fitted, local)
    _close(fitted.loss_curve_, local.loss_curve_)
    assert fitted.n_iter_ == local.n_iter_ == 3 and fitted.t_ == local.t_
    predicted = fitted.predict(Xd)
    assert isinstance(predicted, da.Array) and predicted.chunks == ((300,) * 4,)
    np.testing.assert_array_equal(predicted.compute(), local.predict(X))
    assert fitted.score(Xd, yd) == local.score(X, y)
    # partial_fit: classes given on the first call, one epoch per call
    settings = dict(hidden_layer_sizes=(8,), activation="tanh", solver="sgd", batch_size=300,
                    shuffle=False, random_state=0)
    classes = ["cat", "dog", "emu", "fox"]
    local = MLPClassifier(**settings).partial_fit(X, y, classes=classes).partial_fit(X, y)
    fitted = MLPClassifier(**settings).partial_fit(Xd, yd, classes=classes).partial_fit(Xd, yd)
    assert list(fitted.classes_) == classes
    _sk_close(fitted, local)
    _close(fitted.loss_curve_, local.loss_curve_)


def test_sklearn_on_dask_refuses_what_it_cannot_run_exactly():
    """Every setting a dask fit would have to change is refused, naming the parameter and what
    to set, before anything is computed or fitted."""
    pytest.importorskip("sklearn")
    from fastbackprop.sklearn import MLPClassifier, MLPRegressor
    X, y = _rows()
    Xd, yd = da.from_array(X, chunks=(300, 4)), da.from_array(y, chunks=300)
    refused = [
        (dict(), "shuffle=True permutes the rows.*shuffle=False.*batch_size=1200"),
        (dict(batch_size=300), "shuffle=True"),
        (dict(shuffle=False), r'batch_size="auto" \(min\(200, n_samples\) = 200 rows.*cuts '
                              r"X's row chunks \(300, 300, 300, 300\).*e\.g\. 300"),
        (dict(batch_size=400, shuffle=False), "batch_size=400 cuts X's row chunks"),
        (dict(solver="sgd", batch_size=1200, early_stopping=True),
         "early_stopping=True holds out.*set early_stopping=False"),
    ]
    for estimator in (MLPClassifier, MLPRegressor):
        for settings, message in refused:
            model = estimator((8,), "tanh", **settings)
            with pytest.raises(ValueError, match=message):
                model.fit(Xd, yd)
            assert not hasattr(model, "coefs_"), settings
    clf = MLPClassifier((8,), "tanh", batch_size=1200)
    with pytest.raises(ValueError, match="1-D labels"):
        clf.fit(Xd, da.stack([yd, yd], axis=1))  # a multi-label indicator
    with pytest.raises(TypeError, match="needs X as a dask array"):
        clf.fit(X, yd)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        clf.fit(Xd[Xd[:, 0] > 0], yd[Xd[:, 0] > 0])
    assert not hasattr(clf, "coefs_")
    # a fitted estimator refuses dask X of the wrong width, as scikit-learn's checks do
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: 2 iterations
        fitted = MLPClassifier((8,), "tanh", solver="lbfgs", max_iter=2, random_state=0).fit(X,
                                                                                          y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4"):
        fitted.predict(Xd[:, :3])


# -- a LocalCluster of two worker processes ---------------------------------------------------

@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _workers(client, n):
    client.cluster.scale(n)
    client.wait_for_workers(n)
    while len(client.scheduler_info()["workers"]) != n:  # retiring ones gone too
        time.sleep(0.05)
    return sorted(client.scheduler_info()["workers"])


def test_cluster_equals_local_and_bits_do_not_depend_on_workers(client):
    X, Y = _data(seed=2)
    local = Model(DIMS, "tanh", seed=0).fit(X, Y, **FIT)
    with dask.config.set(scheduler="threads"):
        in_process = Model(DIMS, "tanh", seed=0).fit(da.from_array(X, chunks=(4, 200)), Y,
                                                     **FIT)
    thetas = {}
    for n in (2, 3, 1):
        _workers(client, n)
        model = Model(DIMS, "tanh", seed=0).fit(da.from_array(X, chunks=(4, 200)), Y, **FIT)
        thetas[n] = model._theta
        assert model.costs == in_process.costs
    _workers(client, 2)
    _close(thetas[2], local._theta)
    for n, theta in thetas.items():
        np.testing.assert_array_equal(theta, in_process._theta, err_msg=f"{n} workers")


def _random_data(m=16384, chunk=2048, seed=7):
    """X and Y made on the workers, chunk by chunk: the client never has them."""
    X = da.random.RandomState(seed).standard_normal((DIMS[0], m), chunks=(DIMS[0], chunk))
    Y = (X[:1] + X[1:2] > 0).astype(np.float64)
    return X, Y


def test_client_never_holds_X(client):
    """numpy reports its buffers to tracemalloc: the client's peak during the fit stays far
    below X's 16 MB (the scheduler's and the graph's own Python objects take about 2 MB)."""
    # a first fit on a fresh cluster (this test may run first in its worker) imports and sets
    # up about 10-26 MB of Python objects on the client: not X
    Model(DIMS, "tanh", seed=0).fit(*_random_data(m=4096, chunk=2048, seed=8), **FIT)
    X, Y = _random_data(m=2 ** 19, chunk=2 ** 16, seed=8)
    tracemalloc.start()
    try:
        Model(DIMS, "tanh", seed=0).fit(X, Y, **FIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.nbytes == 16 * 2 ** 20
    assert peak < X.nbytes / 4, peak  # neither X nor a quarter of it was ever on the client


def test_sklearn_fit_and_score_never_hold_X(client):
    """The estimator's dask path (X.T, the labels' unique values and one-hot, predict and score
    chunk by chunk) keeps the client's peak far below X's 16 MB, as ``Model.fit``'s does."""
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning
    from fastbackprop.sklearn import MLPClassifier

    def data(m, chunk):
        X = da.random.RandomState(9).standard_normal((m, DIMS[0]), chunks=(chunk, DIMS[0]))
        return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    warnings.simplefilter("ignore", ConvergenceWarning)  # 1 and 3 epochs
    # a first fit on a fresh cluster imports and sets up about 10 MB of Python objects here
    X, y = data(4096, 2048)
    MLPClassifier((8,), "tanh", batch_size=4096, max_iter=1, random_state=0).fit(X, y).score(X,
                                                                                             y)
    X, y = data(2 ** 19, 2 ** 16)
    clf = MLPClassifier((8,), "tanh", batch_size=2 ** 19, max_iter=3, random_state=0)
    tracemalloc.start()
    try:
        clf.fit(X, y)
        score = clf.score(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert X.nbytes == 16 * 2 ** 20 and list(clf.classes_) == [0, 1] and 0.5 < score <= 1
    assert peak < X.nbytes / 4, peak


def test_a_killed_worker_costs_time_not_bits(client, monkeypatch):
    X, Y = _random_data()
    reference = Model(DIMS, "tanh", seed=0).fit(X, Y, **FIT)
    pids = client.run(os.getpid)
    step = _dask.Trainer._step
    calls = []

    def killing(self, *args):
        calls.append(1)
        if len(calls) == 3:  # a worker holding half the chunks dies between two steps
            os.kill(pids[sorted(pids)[0]], signal.SIGKILL)
        return step(self, *args)
    monkeypatch.setattr(_dask.Trainer, "_step", killing)
    model = Model(DIMS, "tanh", seed=0).fit(X, Y, **FIT)
    monkeypatch.undo()
    assert len(calls) == FIT["num_iterations"]
    assert set(client.run(os.getpid).values()) != set(pids.values())  # one was replaced
    np.testing.assert_array_equal(model._theta, reference._theta)
    assert model.costs == reference.costs
    _workers(client, 2)


def test_grid_search_on_the_dask_joblib_backend(client):
    joblib = pytest.importorskip("joblib")
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from fastbackprop.sklearn import MLPClassifier
    X, Y = _data(m=200)
    grid = {"alpha": [1e-4, 1e-1], "learning_rate_init": [1e-3, 1e-2]}
    search = GridSearchCV(MLPClassifier((8,), max_iter=20, random_state=0), grid, cv=2)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # 20 epochs: quick, not done
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        search.fit(X.T, Y.ravel())
    serial = GridSearchCV(MLPClassifier((8,), max_iter=20, random_state=0), grid,
                          cv=2).fit(X.T, Y.ravel())
    assert search.best_params_ == serial.best_params_
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    # the 4 candidates × 2 folds ran on the cluster's workers; joblib batches them into tasks
    # by their measured duration (6 tasks for the 8 fits seen in CI), so count workers, not tasks
    workers = set(client.scheduler_info()["workers"])
    assert tasks.data and {task["worker"] for task in tasks.data} <= workers


def test_sklearn_estimators_on_dask_equal_the_numpy_fits(client):
    """On the cluster: each solver on row-chunked dask arrays gives the parameters and
    attributes of the same estimator fitted on the NumPy arrays (float64 rel <= 1e-10), and
    predict, predict_proba and score on a dask X are dask arrays (a float) equal to NumPy's."""
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning
    from fastbackprop.sklearn import MLPClassifier, MLPRegressor
    X, y = _rows(seed=5)
    rng = np.random.default_rng(6)
    w = rng.random(len(X)) + 0.5
    target = X[:, 0] - 0.5 * X[:, 1] ** 2
    Xd = da.from_array(X, chunks=(300, 4))
    yd, wd, td = (da.from_array(v, chunks=300) for v in (y, w, target))
    cases = [
        # full batches (adam; shuffle does not enter a full batch), weights as a dask array
        (MLPClassifier, dict(solver="adam", batch_size=1200, max_iter=6, alpha=0.2,
                             learning_rate_init=0.05), yd, y, wd, w),
        # minibatches of two chunks in order, invscaling, and the stopping rule ending the fit
        (MLPClassifier, dict(solver="sgd", batch_size=600, shuffle=False, max_iter=30,
                             learning_rate="invscaling", learning_rate_init=0.5, tol=0.05,
                             n_iter_no_change=2), yd, y, None, None),
        # lbfgs: scipy's L-BFGS-B on the full-batch objective from the chunks' sums
        (MLPRegressor, dict(solver="lbfgs", max_iter=8, alpha=0.1), td, target, wd, w),
    ]
    for estimator, settings, y_dask, y_np, w_dask, w_np in cases:
        settings = dict(hidden_layer_sizes=(8,), activation="tanh", random_state=0, **settings)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            local = estimator(**settings).fit(X, y_np, sample_weight=w_np)
            fitted = estimator(**settings).fit(Xd, y_dask, sample_weight=w_dask)
        _sk_close(fitted, local)
        assert fitted.n_iter_ == local.n_iter_ and fitted.t_ == local.t_, settings
        assert fitted.n_features_in_ == 4 and fitted.n_outputs_ == local.n_outputs_
        if "tol" in settings:  # the rule on the training loss (Model.fit's early_stopping)
            assert fitted.n_iter_ < settings["max_iter"]
        _close(fitted.loss_, local.loss_)
        if settings["solver"] != "lbfgs":
            _close(fitted.loss_curve_, local.loss_curve_)
            _close(fitted.best_loss_, local.best_loss_)
        predicted = fitted.predict(Xd)
        assert isinstance(predicted, da.Array) and predicted.chunks[0] == (300,) * 4
        if estimator is MLPClassifier:
            np.testing.assert_array_equal(predicted.compute(), local.predict(X))
            proba = fitted.predict_proba(Xd)
            assert isinstance(proba, da.Array)
            np.testing.assert_allclose(proba.compute(), local.predict_proba(X), rtol=1e-10,
                                       atol=1e-12)
        else:
            _close(predicted.compute(), local.predict(X))
        np.testing.assert_allclose(fitted.score(Xd, y_dask, sample_weight=w_dask),
                                   local.score(X, y_np, sample_weight=w_np), rtol=1e-10)
