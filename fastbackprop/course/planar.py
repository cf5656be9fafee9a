"""The course's week-3 functions (planar data, one tanh hidden layer), on fused kernels.

``from fastbackprop.course.planar import *`` replaces the week-3 notebook's own functions and
``planar_utils.load_planar_dataset``. Kept apart from week 4 because the names clash
(``initialize_parameters``, ``compute_cost``, ``update_parameters``, ``predict`` differ).
"""
import numpy as np

from ..kernels import IDENTITY, TANH, dense
from ..kernels import course as course_kernels
from . import _loop
from ._arrays import as_c, check_matmul, float_dtype

__all__ = [
    "load_planar_dataset", "layer_sizes", "initialize_parameters", "forward_propagation",
    "compute_cost", "backward_propagation", "update_parameters", "nn_model", "predict",
]


def load_planar_dataset():
    """The flower: X (2, 400) float64, Y (1, 400) uint8. Seeds the global RNG with 1 and draws
    from it, as ``planar_utils`` does (``fastbackprop.datasets.planar_flower`` gives the same
    values without touching the global RNG)."""
    np.random.seed(1)
    m = 400  # number of examples
    N = int(m / 2)  # number of points per class
    D = 2  # dimensionality
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4  # maximum ray of the flower
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def layer_sizes(X, Y):
    """(n_x, 4, n_y)."""
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    """W1 = randn(n_h, n_x)·0.01 drawn first, then W2 = randn(n_y, n_h)·0.01; b zeros. No seed
    inside (``nn_model`` seeds)."""
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _layer(A_prev, W, b, activation_code, where):
    """Z = W·A_prev + b and A = g(Z) in one kernel call (A is Z itself for the identity)."""
    dt = float_dtype(A_prev, W, b)
    A_c, W_c, b_c = as_c(A_prev, dt), as_c(W, dt), as_c(b, dt)
    check_matmul(W_c, A_c, b_c, where)
    Z = np.empty((W_c.shape[0], A_c.shape[1]), dt)
    A = Z if activation_code == IDENTITY else np.empty_like(Z)
    dense.linear_activation_forward(A_c, W_c, b_c, activation_code, Z, A)
    return Z, A


def forward_propagation(X, parameters):
    """Z1 = W1·X + b1, A1 = tanh(Z1), Z2 = W2·A1 + b2, A2 = sigmoid(Z2); returns A2 and the
    cache dict Z1, A1, Z2, A2."""
    Z1, A1 = _layer(X, parameters["W1"], parameters["b1"], TANH, "forward_propagation")
    Z2, _ = _layer(A1, parameters["W2"], parameters["b2"], IDENTITY, "forward_propagation")
    A2 = np.empty_like(Z2)
    course_kernels.sigmoid(Z2.reshape(-1), A2.reshape(-1))  # the course's 1/(1 + exp(-z))
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """Cross-entropy as a built-in float (the course's NumPy formula, which its digits follow)."""
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), (1 - Y))
    cost = - np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y):
    """dZ2 = A2 - Y, dZ1 = W2ᵀ·dZ2·(1 - A1²); returns dW1, db1, dW2, db2."""
    W1, W2 = parameters["W1"], parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dt = float_dtype(X, W1, W2, A1, A2)
    X_c, A1_c, A2_c = as_c(X, dt), as_c(A1, dt), as_c(A2, dt)
    W1_c, W2_c = as_c(W1, dt), as_c(W2, dt)
    m = X_c.shape[1]
    inv_m = 1.0 / m
    n_h, n_y = A1_c.shape[0], A2_c.shape[0]
    dZ2 = A2_c - as_c(np.reshape(Y, A2_c.shape), dt)
    dW2 = np.empty((n_y, n_h), dt)
    db2 = np.empty((n_y, 1), dt)
    dA1 = np.empty_like(A1_c)
    dense.linear_backward(dZ2, A1_c, W2_c, inv_m, dW2, db2, dA1, True)
    # dZ1 = dA1·(1 - A1²) from A1 (tanh' from the output), then dW1, db1; dA0 is not needed
    dW1 = np.empty((n_h, X_c.shape[0]), dt)
    db1 = np.empty((n_h, 1), dt)
    dense.linear_activation_backward(dA1, A1_c, X_c, W1_c, TANH, inv_m, dA1, dW1, db1, dA1,
                                     False)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    """W - learning_rate·dW, b - learning_rate·db for both layers, in a new dict."""
    new = {}
    for l in (1, 2):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        dW, db = grads[f"dW{l}"], grads[f"db{l}"]
        dt = float_dtype(W, b, dW, db)
        W_new = np.array(W, dtype=dt, order="C", copy=True)  # the kernel updates in place
        b_new = np.array(b, dtype=dt, order="C", copy=True)
        dense.update(W_new, as_c(dW, dt), b_new, as_c(db, dt), float(learning_rate))
        new[f"W{l}"], new[f"b{l}"] = W_new, b_new
    return {"W1": new["W1"], "b1": new["b1"], "W2": new["W2"], "b2": new["b2"]}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    """np.random.seed(3), then gradient descent at learning rate 1.2; prints the cost every 1000
    iterations when print_cost. Returns the parameters."""
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)

    def record(i, A2):
        print("Cost after iteration %i: %f" % (i, compute_cost(A2, Y)))

    # a cost is only needed where it is printed; otherwise the whole loop is one compiled call
    record_at = range(0, num_iterations, 1000) if print_cost else ()
    return _loop.train(parameters, X, Y, TANH, 1.2, num_iterations, record_at, record)


def predict(parameters, X):
    """Boolean (1, m) array: A2 > 0.5."""
    A2, cache = forward_propagation(X, parameters)
    return A2 > 0.5
