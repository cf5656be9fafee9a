"""Threads: parameters bitwise identical at any thread count; the user's count set and restored."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import fastbackprop
from fastbackprop import Model, _threads
from fastbackprop.kernels import blocked, dense

from conftest import assert_close, classification_data

# Trains (in a fresh process, so NUMBA_NUM_THREADS / OPENBLAS_NUM_THREADS take effect) one blocked
# fit (m large enough for the blocked trainer, several blocks) and one serial fit whose layers go
# through BLAS GEMMs; prints the sha256 of both parameter vectors.
_SCRIPT = r"""
import hashlib, sys
import numpy as np
from fastbackprop import Model
from fastbackprop.kernels import blocked
out = []
B = None
E = dict(output="softmax", optimizer="adam", lambd=0.1, keep_prob=0.8)  # the engine's features
for dims, m, dtype, n_threads, b, features in (([30, 40, 24, 1], 2500, "float64", None, B, {}),
                                     ([30, 40, 24, 1], 2500, "float32", None, B, {}),
                                     ([30, 40, 24, 1], 2500, "float64", 1, B, {}),
                                     ([1100, 6, 3, 1], 1200, "float64", None, B, {}),  # W1 by columns
                                     ([200, 48, 16, 1], 100, "float64", None, B, {}),
                                     ([200, 48, 16, 1], 100, "float32", None, B, {}),
                                     ([200, 48, 16, 1], 100, "float64", 2, B, {}),
                                     ([200, 48, 16, 1], 300, "float64", None, 64, {}),
                                     ([30, 40, 24, 1], 2500, "float64", None, 1024, {}),
                                     ([30, 40, 24, 3], 2500, "float64", None, B, E)):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((dims[0], m)).astype(dtype)
    options = dict(features)
    Y = (rng.random((1, m)) > 0.5).astype(dtype)
    if options.get("output") == "softmax":
        Y = rng.integers(0, dims[-1], m)
    # the features with tanh: the trainers test_engine.py compiles (numba compiles per flag)
    model = Model(dims, "tanh" if options else "relu", output=options.pop("output", "sigmoid"),
                  dtype=dtype, seed=1)
    model.fit(X, Y, learning_rate=0.05, num_iterations=4, record_every=1, n_threads=n_threads,
              batch_size=b, **options)
    ws = model._trainer.ws  # minibatches: a batch's workspace
    n_blocks = getattr(ws, "n_blocks", 0)
    out.append(f"{n_blocks}:" + hashlib.sha256(model._theta.tobytes()).hexdigest()[:16]
               + ":" + repr(model.costs[-1][1]))
print(" ".join(out))
"""


def _run(numba_threads, blas_threads):
    env = dict(os.environ, NUMBA_NUM_THREADS=str(numba_threads),
               OPENBLAS_NUM_THREADS=str(blas_threads), OMP_NUM_THREADS=str(blas_threads))
    done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_parameters_bitwise_identical_across_numba_and_blas_thread_counts():
    # numba's 1 and 2 threads under a single-threaded BLAS, and both at 2: each thread count of
    # each library against the others (numba 1 with a BLAS of 2, a fourth process, was dropped
    # for CI's time)
    results = {(n, b): _run(n, b) for n, b in ((1, 1), (2, 1), (2, 2))}
    first = results[(1, 1)]
    blocks = [int(r.split(":")[0]) for r in first]
    assert min(blocks[:4]) >= 2  # the blocked path, several blocks
    assert blocks[4:8] == [0, 0, 0, 0]  # the serial path (the last: minibatches)
    assert blocks[8] >= 2  # minibatches of 1024 on the blocked path
    assert blocks[9] >= 2  # the engine's features on the blocked path (its merge, the epilogue)
    for key, result in results.items():
        assert result == first, key


def test_n_threads_is_set_for_the_call_and_restored(rng):
    import numba
    import scipy.linalg.cython_blas  # noqa: F401  (the BLAS numba calls: loaded before "before")
    from threadpoolctl import threadpool_info
    X, Y = classification_data(rng, 5, 1200)
    before_numba = numba.get_num_threads()
    before_blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    seen = {}
    original = blocked.train_steps_blocked

    def spy(*args):
        seen["numba"] = numba.get_num_threads()
        seen["blas"] = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        return original(*args)

    blocked.train_steps_blocked = spy
    try:
        Model([5, 16, 1], seed=0).fit(X, Y, num_iterations=2, n_threads=1)  # blocked
    finally:
        blocked.train_steps_blocked = original
    assert seen["numba"] == 1 and set(seen["blas"]) == {1}
    assert numba.get_num_threads() == before_numba
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before_blas


def test_fit_skips_the_thread_settings_only_where_nothing_could_use_them(rng, monkeypatch):
    """The serial trainer on a network whose layers all have at most ``SMALL_W`` weights runs
    loops on one core (no BLAS call, no parallel part), so ``fit`` leaves numba's and the BLAS's
    threads alone; one larger layer, or the blocked trainer, and it takes them."""
    entered = []
    original = _threads.owner

    def spy(n_threads=None):
        entered.append(n_threads)
        return original(n_threads)

    monkeypatch.setattr(_threads, "owner", spy)
    for dims, m, expected in (([2, 4, 1], 30, False), ([8, 8, 1], 30, False),
                              ([9, 8, 1], 30, True), ([5, 8, 1], 4000, True)):
        assert blocked.use_blocked(dims, m) is (m == 4000)  # the last one: blocked, small W
        assert dense.calls_blas(dims) is (dims[0] == 9)
        before = len(entered)
        X, Y = classification_data(rng, dims[0], m)
        Model(dims, seed=0).fit(X, Y, num_iterations=2, n_threads=1)
        assert (len(entered) > before) is expected, dims


def test_set_num_threads_default_and_validation():
    previous = _threads.set_num_threads(1)
    try:
        assert _threads.get_num_threads() == 1
    finally:
        _threads.set_num_threads(previous)
    for bad, error in ((0, ValueError), (-2, ValueError), (1.5, TypeError), ("2", TypeError),
                       (True, TypeError)):
        with pytest.raises(error):
            _threads.check(bad)
    with pytest.raises(ValueError, match="n_threads"):
        Model([2, 1], seed=0).fit(np.zeros((2, 3)), np.zeros((1, 3)), n_threads=0)


def test_concurrent_blocked_fits_from_python_threads(rng):
    """Two Python threads training blocked models at once: no abort, each result as if alone."""
    X, Y = classification_data(rng, 6, 1500)
    alone = Model([6, 8, 1], seed=2).fit(X, Y, learning_rate=0.05, num_iterations=20)
    models = [Model([6, 8, 1], seed=2) for _ in range(2)]
    errors = []

    def work(model):
        try:
            model.fit(X, Y, learning_rate=0.05, num_iterations=20)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for model in models:
        np.testing.assert_array_equal(model._theta, alone._theta)


def _tbb_installed():
    from importlib import metadata
    try:
        metadata.distribution("tbb")
        return True
    except metadata.PackageNotFoundError:
        return False


@pytest.mark.skipif(not (sys.platform.startswith("linux") and _tbb_installed()),
                    reason="the tbb wheel is a dependency on Linux x86-64 only")
def test_default_threading_layer_is_tbb_where_the_wheel_is_installed():
    """The fast fork-safe layer: the wheel's libtbb is found although it is off the loader path
    (a regression here silently drops to workqueue, ~1.6x slower on small batches). The fit
    takes the blocked trainer: the serial one on so small a net compiles no parallel code, and
    numba starts no threading layer."""
    code = ("import numpy as np, numba\n"
            "from fastbackprop import Model\n"
            "X = np.random.default_rng(0).standard_normal((3, 2000)); Y = (X[:1] > 0) * 1.0\n"
            "Model([3, 5, 1], seed=0).fit(X, Y, num_iterations=2, path='blocked')\n"
            "print(numba.threading_layer())\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "tbb", done.stdout + done.stderr


def test_lbfgs_runs_with_a_one_thread_blas(monkeypatch):
    """The estimators' lbfgs objective runs inside the thread owner as fit does: the BLAS on
    one thread, numba's threads capped at n_threads, both restored after."""
    import numba
    import scipy.linalg.cython_blas  # noqa: F401  (the BLAS numba calls: loaded before "before")
    from threadpoolctl import threadpool_info
    from fastbackprop.kernels import network
    from fastbackprop.sklearn import MLPClassifier
    seen = []
    original = network.cost_and_grad

    def spy(*args):
        seen.append((numba.get_num_threads(),
                     {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}))
        return original(*args)

    monkeypatch.setattr(network, "cost_and_grad", spy)
    before_blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    MLPClassifier(hidden_layer_sizes=(12,), solver="lbfgs", max_iter=5, n_threads=1,
                  random_state=0).fit(X, X[:, 0] > 0)
    assert seen and all(s == (1, {1}) for s in seen)
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before_blas
