"""The named benchmark configurations: one registry for the tests, `fastbackprop bench` and asv.

Each is a full-batch binary classifier (sigmoid output, cross-entropy) on synthetic data drawn
from a fixed seed, so every system starts from the same X, Y and parameters.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    name: str
    title: str
    layer_dims: tuple
    m: int
    hidden_activation: str
    learning_rate: float
    dtypes: tuple = ("float64",)
    # iterations per timed chunk in `fastbackprop bench`: about 0.1-0.2 s of the NumPy baseline,
    # long enough for the timer and short enough to alternate systems many times; CALIBRATE:
    # chosen at run time by timing the baseline (the user's own networks, ``custom``)
    bench_iterations: int = 1

    def data(self, dtype="float64", seed=0):
        """X (n_x, m) and Y (1, m): Gaussian features, labels from a random linear rule."""
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((self.layer_dims[0], self.m))
        w = rng.standard_normal(self.layer_dims[0])
        Y = (w @ X > 0).astype(np.float64)[None, :]
        return np.ascontiguousarray(X, dtype), np.ascontiguousarray(Y, dtype)

    def parameters(self, dtype="float64", seed=0):
        """The common starting point: He (relu) or Glorot (tanh) initialisation."""
        from ._init import default_scheme, initialize
        return initialize(list(self.layer_dims), default_scheme(self.hidden_activation), seed,
                          np.dtype(dtype))

    def layers(self):
        """The shape (n_l, n_{l-1}, m) of every layer l = 1 … L: W is (n_l, n_{l-1}), A_prev is
        (n_{l-1}, m). The per-layer kernel benchmarks name them by config and layer ("c2")."""
        return [(n, k, self.m) for k, n in zip(self.layer_dims[:-1], self.layer_dims[1:])]


CONFIGS = {
    c.name: c for c in (
        Config("a", "planar", (2, 4, 1), 400, "tanh", 1.2, bench_iterations=3000),
        Config("b", "cat", (12288, 20, 7, 5, 1), 209, "relu", 0.0075, bench_iterations=30),
        Config("c", "narrow-deep", (100, 64, 64, 64, 64, 64, 64, 1), 16384, "relu", 0.01,
               ("float64", "float32"), bench_iterations=2),
        Config("d", "wide", (1024, 1024, 1024, 1), 2048, "relu", 0.01, ("float32",),
               bench_iterations=2),
        Config("e", "minibatch step", (784, 256, 128, 1), 64, "relu", 0.01,
               bench_iterations=80),
    )
}


CALIBRATE = 0


def custom(layer_dims, m, hidden_activation="relu", learning_rate=0.01, dtypes=("float64",),
           name="custom"):
    """A configuration for a network of the user's own (``fastbackprop bench --layer-dims``):
    the same synthetic data, initialisation and protocol as the registered ones, m examples per
    (full-batch) iteration, and the chunk length calibrated at run time."""
    from . import _validate
    dims = tuple(_validate.layer_dims(layer_dims))
    m = _validate.count(m, "m (examples)", minimum=1)
    hidden_activation = _validate.activation(hidden_activation)
    learning_rate = _validate.learning_rate(learning_rate)
    if isinstance(dtypes, str):
        dtypes = [d for d in dtypes.split(",") if d]
    dtypes = tuple(dict.fromkeys(_validate.dtype(d, "dtype").name for d in dtypes))
    if not dtypes:
        raise ValueError("dtype: name at least one of float64, float32")
    if not isinstance(name, str) or not name or name in CONFIGS:
        raise ValueError(f"name must be a new configuration name, not one of "
                         f"{', '.join(CONFIGS)}; got {name!r}")
    return Config(name, f"{'-'.join(map(str, dims))} m={m}", dims, m, hidden_activation,
                  learning_rate, dtypes, bench_iterations=CALIBRATE)


def flops_per_iteration(layer_dims, m):
    """GEMM floating-point operations of one forward + backward pass (2·n·k·m per product:
    Z = W·A_prev, dW = dZ·A_prevᵀ, and dA_prev = Wᵀ·dZ for every layer but the first)."""
    total = 0
    for l in range(1, len(layer_dims)):
        products = 3 if l > 1 else 2
        total += products * 2 * layer_dims[l] * layer_dims[l - 1] * m
    return total
