"""``fastbackprop.datasets.spiral``: CS231n's spiral, generated in code (no training here)."""
import numpy as np
import pytest

from fastbackprop.datasets import spiral


def _cs231n(N, K, seed):
    """The spiral as CS231n's notes write it, on the global RNG (restored afterwards)."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        X = np.zeros((N * K, 2))
        y = np.zeros(N * K, dtype="uint8")
        for j in range(K):
            ix = range(N * j, N * (j + 1))
            r = np.linspace(0.0, 1, N)
            t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            y[ix] = j
    finally:
        np.random.set_state(state)
    return X.T, y.reshape(1, -1)


def test_defaults_shapes_dtypes_and_label_counts():
    X, Y = spiral()
    assert X.shape == (2, 300) and X.dtype == np.float64
    assert Y.shape == (1, 300) and Y.dtype == np.int64
    assert np.bincount(Y[0]).tolist() == [100, 100, 100]
    assert np.all(np.diff(Y[0]) >= 0)  # the first arm's points, then the second's, ...
    assert np.all(np.hypot(X[0], X[1]) <= 1 + 1e-12)


@pytest.mark.parametrize("N, K, seed", [(100, 3, 0), (50, 4, 7)])
def test_is_the_cs231n_spiral(N, K, seed):
    X, Y = spiral(m=N * K, classes=K, seed=seed)
    X_ref, Y_ref = _cs231n(N, K, seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(Y, Y_ref)


def test_uneven_counts_go_to_the_first_classes():
    X, Y = spiral(m=11, classes=3)
    assert X.shape == (2, 11) and np.bincount(Y[0]).tolist() == [4, 4, 3]
    X, Y = spiral(m=2, classes=2)
    assert np.bincount(Y[0]).tolist() == [1, 1]


def test_deterministic_and_leaves_the_global_rng_alone():
    state = np.random.get_state()
    a = spiral(seed=5)
    b = spiral(seed=5)
    after = np.random.get_state()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], spiral(seed=6)[0])
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2] == after[2]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(m=2, classes=3), ValueError, "m must be an integer >= classes (3"),
    (dict(classes=1), ValueError, "classes must be an integer >= 2"),
    (dict(m=300.0), TypeError, "m must be an integer"),
    (dict(classes="3"), TypeError, "classes must be an integer"),
    (dict(m=True), TypeError, "m must be an integer"),
    (dict(seed=1.5), TypeError, "seed must be an integer"),
    (dict(seed=-1), ValueError, "seed must be an integer in [0, 2**32)"),
])
def test_bad_arguments_name_themselves(kwargs, error, message):
    with pytest.raises(error) as info:
        spiral(**kwargs)
    assert message in str(info.value)
