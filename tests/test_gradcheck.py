"""Central-difference gradient checks, float64, on every W and b of small nets."""
import numpy as np
import pytest

from fastbackprop import Model
from fastbackprop import kernels as K
from fastbackprop.kernels import network
from fastbackprop.kernels.activations import sigmoidal_flag

from conftest import ACTIVATIONS, classification_data

EPS = 1e-6


def _gradient(model, X, Y):
    ws = K.make_workspace(model.layer_dims, X.shape[1], model.dtype)
    code = K.CODES[model.hidden_activation]
    network.forward(model._theta, model._dims, X, code, ws.acts, sigmoidal_flag(code))
    network.backward(model._theta, model._dims, X, Y, code, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad)
    return ws.grad.copy()


def _numerical_gradient(model, X, Y):
    theta = model._theta
    grad = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + EPS
        plus = model.cost(X, Y)
        theta[i] = saved - EPS
        minus = model.cost(X, Y)
        theta[i] = saved
        grad[i] = (plus - minus) / (2 * EPS)
    return grad


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("layer_dims", [[3, 4, 1], [4, 5, 3, 1]])
def test_gradient_matches_central_differences(activation, layer_dims, rng):
    X, Y = classification_data(rng, layer_dims[0], 7)
    model = Model(layer_dims, activation, seed=1)
    # move every b off zero so the bias gradients are exercised away from the initial point
    model._theta += rng.normal(0, 0.1, model._theta.size)
    analytic = _gradient(model, X, Y)
    numeric = _numerical_gradient(model, X, Y)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    # backward twice gives the same bits
    np.testing.assert_array_equal(_gradient(model, X, Y), analytic)


def test_gradient_at_saturated_output():
    """|z| ~ 800 at the output: finite, and equal to the exact A - Y limit."""
    model = Model([1, 1, 1], "identity", seed=0)
    model._theta[:] = [1.0, 0.0, 1.0, 0.0]  # Z_L = x
    X = np.array([[800.0, -800.0, 799.0]])
    Y = np.array([[0.0, 1.0, 1.0]])
    g = _gradient(model, X, Y)
    assert np.all(np.isfinite(g))
    # dW2 = mean((A - Y) * A1) = mean([1 * 800, -1 * -800, 0 * 799]) = 1600 / 3
    assert g[2] == pytest.approx(1600 / 3, rel=1e-12)
    assert np.isfinite(model.cost(X, Y))
