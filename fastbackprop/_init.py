"""Parameter initialisation schemes, by name.

- "he": randn · sqrt(2 / n_prev), the default for relu and leaky_relu;
- "glorot": randn · sqrt(2 / (n_prev + n)), the default for tanh, sigmoid and identity;
- "course": randn / sqrt(n_prev), the course's application helper ``initialize_parameters_deep``;
- "course_small": randn · 0.01, the course's two-layer and step-by-step initialisation.
The course schemes draw from ``np.random.RandomState(seed)`` in the course's order (W1, W2, …), so
``seed=1`` reproduces the course's numbers; the others use ``np.random.default_rng(seed)``.
Biases start at zero.
"""
import numpy as np

SCHEMES = ("he", "glorot", "course", "course_small")


def default_scheme(hidden_activation):
    return "he" if hidden_activation in ("relu", "leaky_relu") else "glorot"


def initialize(layer_dims, scheme, seed, dtype):
    if scheme not in SCHEMES:
        raise ValueError(f"init must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    course = scheme.startswith("course")
    rng = np.random.RandomState(seed) if course else np.random.default_rng(seed)
    randn = rng.randn if course else (lambda *shape: rng.standard_normal(shape))
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        G = randn(n, n_prev)
        if scheme == "he":
            W = G * np.sqrt(2.0 / n_prev)
        elif scheme == "glorot":
            W = G * np.sqrt(2.0 / (n_prev + n))
        elif scheme == "course":
            W = G / np.sqrt(n_prev)  # divided, as the course does, to keep its rounding
        else:
            W = G * 0.01
        parameters["W" + str(l)] = W.astype(dtype)
        parameters["b" + str(l)] = np.zeros((n, 1), dtype)
    return parameters
