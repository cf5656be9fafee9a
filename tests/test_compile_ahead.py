"""Compiling a cold fit on two cores (``fastbackprop._compile_ahead``): in a process with an
empty numba cache, the helper compiles each trainer path's parts (the serial backward kernels,
the blocked trainer's block pass, and the backward kernel of L-BFGS's objective) for exactly the
signature the trainer then asks for (so it loads them from the cache and compiles nothing
twice), and the fits give the same bits as in-process compiles. Three cold compiles in one
subprocess: the slowest test file's worth. And a plan that has run once in a process is never
checked again."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from fastbackprop import Model, _compile_ahead
from fastbackprop.kernels import network

# (path, dtype, batch_size, fit options): the fused GD backward; the blocked block pass, with
# the last batch, too few examples for two blocks, in a plan of its own (the serial minibatch
# path's own part, the Adam backward: a case of its own cost CI 25 s)
CASES = [("serial", "float64", None, dict(optimizer="gd", learning_rate=0.1)),
         ("blocked_minibatch", "float32", 64, dict(optimizer="adam", learning_rate=0.01))]

_FITS = """
import json, sys
import numpy as np
from fastbackprop.kernels import blocked, network
sys.path.insert(0, sys.argv[1])
from test_compile_ahead import CASES, fit, objective
thetas = [fit(*case) for case in CASES] + [objective()]
np.savez(sys.argv[2], *thetas)
hits = {d.py_func.__name__: sum(d._cache_hits.values())
        for d in (network.backward_update_split, network.backward_split, blocked._block_pass)}
compiled = {d.py_func.__name__: len(d.overloads)
            for d in (network.train_steps_split, blocked.train_steps_blocked)}
print(json.dumps({"hits": hits, "compiled": compiled}))
"""


def fit(path, dtype, batch_size, options):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 150)).astype(dtype)
    labels = rng.integers(0, 3, 150)
    model = Model([5, 4, 3], "relu", output="softmax", dtype=dtype, seed=0)
    model.fit(X, labels, num_iterations=2, batch_size=batch_size, path=path, **options)
    values = [np.ravel(v) for v in model.parameters.values()] + [np.ravel(model.costs)]
    return np.concatenate(values)


def objective():
    """L-BFGS's loss and gradient (``Model.objective``: ``network.cost_and_grad``)."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 40))
    model = Model([5, 4, 3], "tanh", output="softmax", seed=0)
    f = model.objective(X, rng.integers(0, 3, 40), lambd=0.1)
    cost, grad = f(f.x0)
    return np.append(grad, cost)


@pytest.mark.skipif(_compile_ahead.cores() < 2, reason="one core: no helper is started")
def test_the_helper_compiles_what_each_path_then_loads(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               **{_compile_ahead.ENV: "1"})
    done = subprocess.run([sys.executable, "-c", _FITS, os.path.dirname(__file__),
                           str(tmp_path / "thetas.npz")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # loaded from the cache in a process whose cache started empty: the helper wrote them (the
    # backward_split: the objective's)
    assert report["hits"] == {"backward_update_split": 1, "backward_split": 1, "_block_pass": 1}
    # one signature per trainer call: the blocked trainer compiled ahead is the one it ran (and
    # the blocked minibatch path's last batch of 22 runs in it, in a block plan of its own: no
    # serial trainer is compiled for it)
    assert report["compiled"] == {"train_steps_split": 1, "train_steps_blocked": 1}
    thetas = np.load(tmp_path / "thetas.npz")
    for i, case in enumerate(CASES):
        np.testing.assert_array_equal(thetas[f"arr_{i}"], fit(*case), err_msg=case[0])
    np.testing.assert_array_equal(thetas[f"arr_{len(CASES)}"], objective())


def test_off_by_environment(monkeypatch):
    monkeypatch.setenv(_compile_ahead.ENV, "0")
    assert not _compile_ahead.enabled()
    assert _compile_ahead.start(None, None, None) is _compile_ahead.NOTHING


def test_a_failing_helper_only_turns_itself_off(monkeypatch):
    """A helper that dies at once: the hook's wait returns (numba then compiles in this
    process, as without a helper) and closing unhooks the kernel."""
    from fastbackprop.kernels import network
    from fastbackprop.kernels._native import argument_types
    monkeypatch.setattr(_compile_ahead, "_HELPER", "import sys; sys.exit(1)")
    sig = argument_types((np.zeros(3), np.zeros(2, np.int64), 1))
    helper = _compile_ahead._Helper([(network.logits, sig)])
    assert "compile" in vars(network.logits)
    helper.wait(0)
    assert helper.proc.wait(10) == 1
    helper.close()
    assert "compile" not in vars(network.logits)


def test_a_plan_that_ran_is_not_checked_again(monkeypatch):
    """The compile-ahead check types every argument (about a millisecond): a new model's fit or
    objective of a plan and data types that already ran in this process skips it."""
    calls = []
    original = _compile_ahead.start

    def spy(*args):
        calls.append(args[0])
        return original(*args)

    monkeypatch.setattr(_compile_ahead, "start", spy)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 40))
    labels = rng.integers(0, 3, 40)

    def fit_and_objective(m):  # tanh, as test_engine's models: their compiles are shared
        model = Model([5, 4, 3], "tanh", output="softmax", seed=0)
        model.fit(X[:, :m], labels[:m], num_iterations=2, batch_size=16, optimizer="adam")
        f = model.objective(X[:, :m], labels[:m], lambd=0.1)
        f(f.x0)

    fit_and_objective(40)
    assert len(calls) <= 2  # the first fit and objective (unless they ran earlier here)
    before = len(calls)
    fit_and_objective(40)
    assert len(calls) == before  # a new model, the same plan and types: no check
    fit_and_objective(30)
    assert calls[before:] == [network.train_steps_split]  # a new plan (m); the same objective
