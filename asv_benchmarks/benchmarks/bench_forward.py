"""Forward kernels, one layer: Z = W·A_prev + b and A = g(Z), fused, against the course's NumPy.

Shapes are one hidden layer of each configuration (``common.LAYER_NAMES``); all five activations.
"""
from .common import (ACTIVATIONS, DTYPES, IMPLEMENTATIONS, LAYER_NAMES, Benchmark, layer,
                     random_array, speedup)


def _forward_case(shape, dtype, activation):
    """(fastbackprop call, NumPy call) on the same A_prev, W, b, with warmed JIT."""
    import numpy as np

    from fastbackprop import baseline
    from fastbackprop.kernels import CODES, linear_activation_forward

    cfg, (n, k, m) = layer(shape, dtype)
    rng = np.random.default_rng(0)
    A_prev = random_array(rng, (k, m), dtype)
    W = random_array(rng, (n, k), dtype, np.sqrt(2.0 / k))
    b = random_array(rng, (n, 1), dtype, 0.1)
    Z = np.zeros((n, m), dtype)
    A = np.zeros((n, m), dtype)
    code = CODES[activation]

    def fast():
        linear_activation_forward(A_prev, W, b, code, Z, A)

    def numpy():
        baseline.linear_activation_forward(A_prev, W, b, activation)

    fast()  # compile (or load from the on-disk cache) and touch Z, A
    numpy()
    return fast, numpy


class LinearActivationForward(Benchmark):
    """``fastbackprop.kernels.linear_activation_forward`` (preallocated Z, A) and its twin
    ``fastbackprop.baseline.linear_activation_forward`` (np.dot + broadcast + activation)."""
    param_names = ["implementation", "dtype", "shape", "activation"]
    params = [IMPLEMENTATIONS, DTYPES, LAYER_NAMES, ACTIVATIONS]

    def setup(self, implementation, dtype, shape, activation):
        fast, numpy = _forward_case(shape, dtype, activation)
        self.call = fast if implementation == "fastbackprop" else numpy

    def time_linear_activation_forward(self, implementation, dtype, shape, activation):
        self.call()


class LinearActivationForwardSpeedup(Benchmark):
    """NumPy time / fastbackprop time of the same forward step, measured in one process."""
    param_names = ["dtype", "shape", "activation"]
    params = [DTYPES, LAYER_NAMES, ACTIVATIONS]

    def setup(self, dtype, shape, activation):
        self.fast, self.numpy = _forward_case(shape, dtype, activation)

    def track_speedup(self, dtype, shape, activation):
        return speedup(self.fast, self.numpy)

    track_speedup.unit = "x NumPy"
