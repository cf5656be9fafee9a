"""Backward kernels, one layer, against the course's NumPy:
dZ = dA·g'(·) with db, dW = (1/m)·dZ·A_prevᵀ and dA_prev = Wᵀ·dZ; and the parameter update.

fastbackprop takes g' from A (Z is not kept), NumPy from Z, as each implementation is written.
"""
from .common import (ACTIVATIONS, DTYPES, IMPLEMENTATIONS, LAYER_NAMES, Benchmark, layer,
                     random_array, speedup)


def _layer_state(shape, dtype, activation):
    import numpy as np

    from fastbackprop import baseline

    cfg, (n, k, m) = layer(shape, dtype)
    rng = np.random.default_rng(0)
    s = {}
    s["A_prev"] = random_array(rng, (k, m), dtype)
    s["W"] = random_array(rng, (n, k), dtype, np.sqrt(2.0 / k))
    s["b"] = random_array(rng, (n, 1), dtype, 0.1)
    s["dA"] = random_array(rng, (n, m), dtype)
    s["A"], (s["cache"], s["Z"]) = baseline.linear_activation_forward(
        s["A_prev"], s["W"], s["b"], activation)
    for key in ("dZ", "dW", "db", "dA_prev"):
        like = {"dZ": s["dA"], "dW": s["W"], "db": s["b"], "dA_prev": s["A_prev"]}[key]
        s[key] = np.zeros_like(like)
    s["inv_m"] = 1.0 / m
    return s


def _backward_case(shape, dtype, activation):
    from fastbackprop import baseline
    from fastbackprop.kernels import CODES, linear_activation_backward

    s = _layer_state(shape, dtype, activation)
    code = CODES[activation]

    def fast():  # dA_prev computed, as NumPy does (the network skips it for layer 1)
        linear_activation_backward(s["dA"], s["A"], s["A_prev"], s["W"], code, s["inv_m"],
                                   s["dZ"], s["dW"], s["db"], s["dA_prev"], True)

    def numpy():
        dZ = baseline.activation_backward(s["dA"], s["Z"], activation)
        baseline.linear_backward(dZ, s["cache"])

    fast()
    numpy()
    return fast, numpy


class LinearActivationBackward(Benchmark):
    """``fastbackprop.kernels.linear_activation_backward`` and its twin, the course's
    ``activation_backward`` + ``linear_backward`` in ``fastbackprop.baseline``."""
    param_names = ["implementation", "dtype", "shape", "activation"]
    params = [IMPLEMENTATIONS, DTYPES, LAYER_NAMES, ACTIVATIONS]

    def setup(self, implementation, dtype, shape, activation):
        fast, numpy = _backward_case(shape, dtype, activation)
        self.call = fast if implementation == "fastbackprop" else numpy

    def time_linear_activation_backward(self, implementation, dtype, shape, activation):
        self.call()


class LinearActivationBackwardSpeedup(Benchmark):
    """NumPy time / fastbackprop time of the same backward step, measured in one process."""
    param_names = ["dtype", "shape", "activation"]
    params = [DTYPES, LAYER_NAMES, ACTIVATIONS]

    def setup(self, dtype, shape, activation):
        self.fast, self.numpy = _backward_case(shape, dtype, activation)

    def track_speedup(self, dtype, shape, activation):
        return speedup(self.fast, self.numpy)

    track_speedup.unit = "x NumPy"


def _update_case(shape, dtype):
    import numpy as np

    from fastbackprop.kernels import update

    cfg, (n, k, m) = layer(shape, dtype)
    rng = np.random.default_rng(0)
    W = random_array(rng, (n, k), dtype, np.sqrt(2.0 / k))
    b = random_array(rng, (n, 1), dtype, 0.1)
    dW = random_array(rng, (n, k), dtype, 1e-3)
    db = random_array(rng, (n, 1), dtype, 1e-3)
    lr = 0.01

    def fast():
        update(W, dW, b, db, lr)

    def numpy():  # the course's update_parameters for one layer (it copies, then subtracts)
        W_new = W.copy()
        b_new = b.copy()
        W_new -= lr * dW
        b_new -= lr * db

    fast()
    numpy()
    return fast, numpy


class UpdateParameters(Benchmark):
    """``fastbackprop.kernels.update`` (W -= α·dW, b -= α·db in place) against the course's
    update of one layer in NumPy (copy, then ``W -= learning_rate * dW``)."""
    param_names = ["implementation", "dtype", "shape"]
    params = [IMPLEMENTATIONS, DTYPES, LAYER_NAMES]

    def setup(self, implementation, dtype, shape):
        fast, numpy = _update_case(shape, dtype)
        self.call = fast if implementation == "fastbackprop" else numpy

    def time_update(self, implementation, dtype, shape):
        self.call()


class UpdateParametersSpeedup(Benchmark):
    param_names = ["dtype", "shape"]
    params = [DTYPES, LAYER_NAMES]

    def setup(self, dtype, shape):
        self.fast, self.numpy = _update_case(shape, dtype)

    def track_speedup(self, dtype, shape):
        return speedup(self.fast, self.numpy)

    track_speedup.unit = "x NumPy"
