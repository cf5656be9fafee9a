"""Each fused kernel against fastbackprop.baseline, quantity by quantity, on random shapes."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from fastbackprop import baseline
from fastbackprop import kernels as K
from fastbackprop.kernels import network
from fastbackprop.kernels.activations import sigmoidal_flag

from conftest import ACTIVATIONS, DTYPES, assert_close

dims_st = st.integers(1, 9)
layer_case = st.tuples(st.sampled_from(DTYPES), st.sampled_from(ACTIVATIONS), dims_st, dims_st,
                       st.integers(1, 17), st.integers(0, 2**32 - 1))


def _layer(dtype, n_prev, n, m, seed):
    rng = np.random.default_rng(seed)
    A_prev = rng.standard_normal((n_prev, m)).astype(dtype)
    W = rng.standard_normal((n, n_prev)).astype(dtype)
    b = rng.standard_normal((n, 1)).astype(dtype)
    dA = rng.standard_normal((n, m)).astype(dtype)
    return A_prev, W, b, dA


@given(layer_case)
def test_linear_activation_forward_matches_baseline(case):
    dtype, activation, n_prev, n, m, seed = case
    A_prev, W, b, _ = _layer(dtype, n_prev, n, m, seed)
    Z = np.empty((n, m), dtype)
    A = np.empty((n, m), dtype)
    K.linear_activation_forward(A_prev, W, b, K.CODES[activation], Z, A)
    A_ref, ((_, _, _), Z_ref) = baseline.linear_activation_forward(A_prev, W, b, activation)
    assert_close(Z, Z_ref, dtype, "Z")
    assert_close(A, A_ref, dtype, "A")
    # in place (Z not kept): the same A
    ZA = np.empty((n, m), dtype)
    K.linear_activation_forward(A_prev, W, b, K.CODES[activation], ZA, ZA)
    assert_close(ZA, A_ref, dtype, "A in place")


@given(layer_case)
def test_linear_activation_backward_matches_baseline(case):
    dtype, activation, n_prev, n, m, seed = case
    A_prev, W, b, dA = _layer(dtype, n_prev, n, m, seed)
    A, ((_, _, _), Z) = baseline.linear_activation_forward(A_prev, W, b, activation)
    dZ_ref = baseline.activation_backward(dA, Z, activation)
    dA_prev_ref, dW_ref, db_ref = baseline.linear_backward(dZ_ref, (A_prev, W, b))
    dZ, dW, db, dA_prev = (np.empty(s, dtype) for s in ((n, m), (n, n_prev), (n, 1), (n_prev, m)))
    dA_in = dA.copy()
    K.linear_activation_backward(dA_in, A, A_prev, W, K.CODES[activation], 1.0 / m, dZ, dW, db,
                                 dA_prev, True)
    np.testing.assert_array_equal(dA_in, dA)  # dA is read, not written, when dZ is its own buffer
    for got, ref, name in ((dZ, dZ_ref, "dZ"), (dW, dW_ref, "dW"), (db, db_ref, "db"),
                           (dA_prev, dA_prev_ref, "dA_prev")):
        assert_close(got, ref, dtype, name)


@pytest.mark.parametrize("dtype", DTYPES)
def test_update_and_linear_backward(dtype, rng):
    A_prev, W, b, dZ = _layer(dtype, 5, 3, 11, 7)
    dW, db, dA_prev = np.empty((3, 5), dtype), np.empty((3, 1), dtype), np.empty((5, 11), dtype)
    K.linear_backward(dZ, A_prev, W, 1.0 / 11, dW, db, dA_prev, True)
    dA_prev_ref, dW_ref, db_ref = baseline.linear_backward(dZ, (A_prev, W, b))
    assert_close(dW, dW_ref, dtype, "dW")
    assert_close(db, db_ref, dtype, "db")
    assert_close(dA_prev, dA_prev_ref, dtype, "dA_prev")
    W_new, b_new = W.copy(), b.copy()
    K.update(W_new, dW, b_new, db, 0.3)
    assert_close(W_new, W - 0.3 * dW_ref, dtype, "W")
    assert_close(b_new, b - 0.3 * db_ref, dtype, "b")


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_cross_entropy_stable_when_saturated(dtype):
    ZL = np.array([[-800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0]], dtype)
    Y = np.array([[1, 0, 1, 0, 1, 1, 0]], dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # a warning anywhere in the baseline would raise here
        cost_ref = baseline.compute_cost(ZL.astype(np.float64), Y.astype(np.float64))
    cost = K.sigmoid_cross_entropy(ZL, Y)
    assert np.isfinite(cost)
    assert cost == pytest.approx(cost_ref, rel=1e-12 if dtype == "float64" else 1e-6)
    # worked by hand: the two |z| = 800 mistakes cost 800 each; z = ∓1 cost log(1 + e^-1) (+1
    # on the wrong side); z = 0 costs log 2; the confident right answers cost ~e^-40
    by_hand = 1600 + 1 + 2 * np.log1p(np.exp(-1.0)) + np.log(2) + 2 * np.exp(-40.0)
    assert cost * 7 == pytest.approx(by_hand, rel=1e-12 if dtype == "float64" else 1e-6)
    AL, dZL = np.empty_like(ZL), np.empty_like(ZL)
    K.sigmoid_output_delta(ZL, Y, AL, dZL)
    assert np.all(np.isfinite(dZL))
    assert_close(dZL, baseline.sigmoid(ZL.astype(np.float64)) - Y, dtype, "dZ_L")
    assert dZL[0, 0] == -1 and dZL[0, -1] == 1  # exact gradients at saturation


@given(st.sampled_from(DTYPES), st.sampled_from(ACTIVATIONS),
       st.lists(st.integers(1, 7), min_size=1, max_size=3), st.integers(1, 13),
       st.integers(0, 2**32 - 1))
def test_network_gradients_match_baseline(dtype, activation, hidden, m, seed):
    """forward + backward of a whole net: A of every layer, Z_L, cost, dW and db."""
    rng = np.random.default_rng(seed)
    layer_dims = [int(rng.integers(1, 8)), *hidden, 1]
    from fastbackprop import Model
    model = Model(layer_dims, activation, dtype=dtype, seed=seed)
    X = rng.standard_normal((layer_dims[0], m)).astype(dtype)
    Y = (rng.random((1, m)) > 0.5).astype(dtype)
    ws = K.make_workspace(layer_dims, m, dtype)
    dims = np.array(layer_dims, np.int64)
    code = K.CODES[activation]
    network.forward(model._theta, dims, X, code, ws.acts, sigmoidal_flag(code))
    network.backward(model._theta, dims, X, Y, K.CODES[activation], ws.acts, ws.AL, ws.D0,
                     ws.D1, ws.grad)
    params = model.parameters
    AL_ref, caches = baseline.L_model_forward(X, params, activation)
    grads = baseline.L_model_backward(AL_ref, Y, caches, activation)
    off = 0
    for l in range(1, len(layer_dims) - 1):
        n = layer_dims[l]
        assert_close(ws.acts[off:off + n * m].reshape(n, m), caches[l][0][0], dtype, f"A{l}")
        off += n * m
    assert_close(ws.AL, AL_ref, dtype, "AL")
    goff = 0
    for l in range(1, len(layer_dims)):
        n, k = layer_dims[l], layer_dims[l - 1]
        # dW and db are sums over examples that may cancel: rounding scales with Σ|term|
        dZ = np.abs(grads[f"dZ{l}"].astype(np.float64))
        A_prev = np.abs(caches[l - 1][0][0].astype(np.float64))
        assert_close(ws.grad[goff:goff + n * k].reshape(n, k), grads[f"dW{l}"], dtype, f"dW{l}",
                     scale=np.max(dZ @ A_prev.T) / m)
        goff += n * k
        assert_close(ws.grad[goff:goff + n].reshape(n, 1), grads[f"db{l}"], dtype, f"db{l}",
                     scale=np.max(dZ.sum(axis=1)) / m)
        goff += n


def test_kernels_do_not_allocate_per_iteration_buffers():
    """The trainer writes only into the workspace: its arrays keep their identity and size."""
    from fastbackprop import Model
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 20)), (rng.random((1, 20)) > 0.5).astype(float)
    model = Model([3, 5, 1], seed=0).fit(X, Y, num_iterations=3)
    ws = model._trainer.ws
    buffers = [id(a) for a in ws]
    model.fit(X, Y, num_iterations=3)
    assert model._trainer.ws is ws and [id(a) for a in ws] == buffers
