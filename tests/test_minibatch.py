"""Minibatch gradient descent (``fit(batch_size=…)``): agreement with the baseline, the shuffle,
reproducibility across split fits, and bad input."""
import numpy as np
import pytest

from fastbackprop import Model, baseline
from fastbackprop.kernels import minibatch

from conftest import DTYPES, assert_close, classification_data


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_minibatch_training_matches_the_baseline(activation, dtype, rng):
    """Batches of 16 from 50 examples (the last holds 2): parameters and epoch costs agree with
    the course-style NumPy loop given the same shuffles."""
    X, Y = classification_data(rng, 6, 50, dtype)
    model = Model([6, 12, 8, 1], activation, dtype=dtype, seed=4)
    start = model.parameters
    model.fit(X, Y, learning_rate=0.1, num_iterations=30, record_every=5, batch_size=16)
    parameters, costs = baseline.train_minibatch(
        X, Y, start, activation, 0.1, 30, 16, lambda e: minibatch.permutation_of(model._shuffle_seed, e, 50),
        record_every=5)
    for key in parameters:
        assert model.parameters[key].dtype == np.dtype(dtype)
        assert_close(model.parameters[key], parameters[key], dtype, key)
    assert [i for i, _ in model.costs] == [i for i, _ in costs]
    assert_close([c for _, c in model.costs], [c for _, c in costs], dtype, "costs")
    assert costs[-1][1] < costs[0][1]  # it learned, so the comparison means something
    # and it is not full-batch descent in disguise
    full, _ = baseline.train(X, Y, start, activation, 0.1, 30, record_every=0)
    assert np.abs(full["W1"] - parameters["W1"]).max() > 1e-3


@pytest.mark.parametrize("m, b, plans", [
    (2500, 1024, ((512, 2), (232, 2))),  # the last batch in smaller blocks
    (356, 128, ((64, 2), (104, 1))),     # the last batch in one block larger than a full one's
])
def test_batches_for_the_blocked_trainer_match_the_baseline(m, b, plans, rng):
    """The blocked trainer's compiled epochs: full batches in one block plan, the last batch
    (m % b) in its own, in the same workspace (its lanes' scratch sized for the larger)."""
    from fastbackprop.kernels import blocked
    dims = [30, 40, 24, 1]
    X, Y = classification_data(rng, 30, m)
    model = Model(dims, seed=1)
    start = model.parameters
    model.fit(X, Y, learning_rate=0.1, num_iterations=3, record_every=1, batch_size=b,
              path="blocked_minibatch")
    ws = model._trainer.ws
    assert ((ws.block, ws.n_blocks), blocked.block_plan(dims, m % b, "float64")) == plans
    assert ws.last_block == plans[1][0]
    parameters, costs = baseline.train_minibatch(
        X, Y, start, "relu", 0.1, 3, b, lambda e: minibatch.permutation_of(model._shuffle_seed, e, m),
        record_every=1)
    for key in parameters:
        assert_close(model.parameters[key], parameters[key], "float64", key)
    assert_close([c for _, c in model.costs], [c for _, c in costs], "float64", "costs")


def test_split_fits_equal_one_fit_and_the_seed_decides(rng):
    X, Y = classification_data(rng, 5, 70)
    kwargs = dict(learning_rate=0.05, record_every=2, batch_size=32)
    once = Model([5, 7, 1], seed=3).fit(X, Y, num_iterations=9, **kwargs)
    twice = Model([5, 7, 1], seed=3)
    twice.fit(X, Y, num_iterations=4, **kwargs).fit(X, Y, num_iterations=5, **kwargs)
    for key, value in once.parameters.items():
        np.testing.assert_array_equal(twice.parameters[key], value)
    assert twice.costs == once.costs and twice.iterations == 9
    other = Model([5, 7, 1], seed=3).fit(X, Y, num_iterations=9, seed=99, **kwargs)
    assert not np.array_equal(other.parameters["W1"], once.parameters["W1"])
    again = Model([5, 7, 1], seed=3).fit(X, Y, num_iterations=9, seed=99, **kwargs)
    np.testing.assert_array_equal(again.parameters["W1"], other.parameters["W1"])
    # any seed >= 0 works, not only int64: given to fit, or the model's own
    huge = Model([5, 7, 1], seed=3).fit(X, Y, num_iterations=2, seed=2 ** 70 + 99, **kwargs)
    assert np.isfinite(huge.parameters["W1"]).all()
    assert 0 <= Model([5, 7, 1], seed=2 ** 70)._shuffle_seed < 2 ** 63


def test_a_batch_of_all_the_examples_is_full_batch_descent(rng):
    X, Y = classification_data(rng, 4, 30)
    full = Model([4, 3, 1], seed=0).fit(X, Y, learning_rate=0.05, num_iterations=10)
    for b in (30, 1000):
        same = Model([4, 3, 1], seed=0).fit(X, Y, learning_rate=0.05, num_iterations=10,
                                            batch_size=b)
        for key, value in full.parameters.items():
            np.testing.assert_array_equal(same.parameters[key], value)


def test_permutation_depends_on_seed_and_epoch_only():
    m = 1000
    orders = {(s, e): minibatch.permutation_of(s, e, m) for s in (0, 1) for e in (0, 1, 2)}
    for order in orders.values():
        np.testing.assert_array_equal(np.sort(order), np.arange(m))
    assert len({order.tobytes() for order in orders.values()}) == len(orders)
    np.testing.assert_array_equal(minibatch.permutation_of(1, 2, m), orders[(1, 2)])
    py = np.empty(m, np.int64)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, as in the compiled code
        minibatch.permutation.py_func(1, 2, py)
    np.testing.assert_array_equal(py, orders[(1, 2)])
    # each element lands in each position about equally often
    counts = np.zeros((4, 4))
    for e in range(4000):
        counts[np.arange(4), minibatch.permutation_of(7, e, 4)] += 1
    assert np.abs(counts / 4000 - 0.25).max() < 0.04


def test_shuffle_lays_out_each_batch_contiguously(rng):
    X, Y = classification_data(rng, 3, 11)
    order = minibatch.permutation_of(5, 0, 11)
    _, Xs, Ys, row = minibatch.make_shuffle_buffers(3, 11, X.dtype)
    minibatch.shuffle_into(X, Y, order, 4, Xs, Ys, row)
    for start in (0, 4, 8):
        mb = min(4, 11 - start)
        block = Xs[3 * start:3 * (start + mb)].reshape(3, mb)
        np.testing.assert_array_equal(block, X[:, order[start:start + mb]])
    np.testing.assert_array_equal(Ys, Y[0, order])


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                        ("64", TypeError), (True, TypeError)])
def test_bad_batch_size_is_named(bad, error, rng):
    X, Y = classification_data(rng, 4, 30)
    model = Model([4, 3, 1], seed=0)
    before = model.parameters
    with pytest.raises(error, match="batch_size"):
        model.fit(X, Y, num_iterations=2, batch_size=bad)
    for key, value in before.items():
        np.testing.assert_array_equal(model.parameters[key], value)


def test_minibatch_inputs_are_not_modified(rng):
    X, Y = classification_data(rng, 4, 30)
    X0, Y0 = X.copy(), Y.copy()
    Model([4, 3, 1], seed=0).fit(X, Y, num_iterations=3, batch_size=8)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
