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
    values without touching the global RNG).

    Returns
    -------
    X : numpy.ndarray
        (2, 400) float64, the points as columns.
    Y : numpy.ndarray
        (1, 400) uint8, the petal class of each point: 0 for the first 200, 1 for the rest.

    Examples
    --------
    >>> from fastbackprop.course.planar import load_planar_dataset
    >>> X, Y = load_planar_dataset()
    >>> X.shape, Y.shape, Y.dtype
    ((2, 400), (1, 400), dtype('uint8'))
    """
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
    """(n_x, 4, n_y).

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    Y : array_like
        Labels, shape (n_y, m).

    Returns
    -------
    tuple of int
        ``(n_x, 4, n_y)``: the hidden layer's size is fixed at 4, as in the course.

    Examples
    --------
    >>> from fastbackprop.course.planar import layer_sizes, load_planar_dataset
    >>> X, Y = load_planar_dataset()
    >>> layer_sizes(X, Y)
    (2, 4, 1)
    """
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    """W1 = randn(n_h, n_x)·0.01 drawn first, then W2 = randn(n_y, n_h)·0.01; b zeros. No seed
    inside (``nn_model`` seeds).

    Parameters
    ----------
    n_x, n_h, n_y : int
        Sizes of the input, hidden and output layers.

    Returns
    -------
    dict of numpy.ndarray
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), float64, drawn from the
        global NumPy RNG.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import initialize_parameters
    >>> np.random.seed(2)
    >>> parameters = initialize_parameters(2, 4, 1)
    >>> parameters["W1"].round(4)
    array([[-0.0042, -0.0006],
           [-0.0214,  0.0164],
           [-0.0179, -0.0084],
           [ 0.005 , -0.0125]])
    """
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
    cache dict Z1, A1, Z2, A2.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    parameters : dict
        W1, b1, W2, b2 as from ``initialize_parameters``.

    Returns
    -------
    A2 : numpy.ndarray
        The output probabilities, shape (n_y, m).
    cache : dict of numpy.ndarray
        Z1, A1, Z2, A2, for ``backward_propagation``.

    Raises
    ------
    ValueError
        If the shapes do not chain.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import forward_propagation, initialize_parameters
    >>> np.random.seed(2)
    >>> parameters = initialize_parameters(2, 4, 1)
    >>> A2, cache = forward_propagation(np.array([[1.0, -1.0], [0.5, 2.0]]), parameters)
    >>> A2.round(2), sorted(cache)
    (array([[0.5, 0.5]]), ['A1', 'A2', 'Z1', 'Z2'])
    """
    Z1, A1 = _layer(X, parameters["W1"], parameters["b1"], TANH, "forward_propagation")
    Z2, _ = _layer(A1, parameters["W2"], parameters["b2"], IDENTITY, "forward_propagation")
    A2 = np.empty_like(Z2)
    course_kernels.sigmoid(Z2.reshape(-1), A2.reshape(-1))  # the course's 1/(1 + exp(-z))
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """Cross-entropy as a built-in float (the course's NumPy formula, which its digits follow).

    Parameters
    ----------
    A2 : array_like
        Probabilities, shape (1, m).
    Y : array_like
        Labels 0 or 1, shape (1, m).

    Returns
    -------
    float
        -(1/m) · Σ [y · log a + (1 - y) · log(1 - a)].

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import compute_cost
    >>> round(compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]])), 6)
    0.279777
    """
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), (1 - Y))
    cost = - np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y):
    """dZ2 = A2 - Y, dZ1 = W2ᵀ·dZ2·(1 - A1²); returns dW1, db1, dW2, db2.

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2.
    cache : dict
        The cache of ``forward_propagation`` (A1 and A2 are used).
    X : array_like
        Inputs, shape (n_x, m).
    Y : array_like
        Labels 0 or 1, reshaped to A2's shape.

    Returns
    -------
    dict of numpy.ndarray
        dW1, db1, dW2, db2, each of its parameter's shape, averaged over the m examples.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import (backward_propagation, forward_propagation,
    ...                                         initialize_parameters)
    >>> np.random.seed(2)
    >>> parameters = initialize_parameters(2, 4, 1)
    >>> X, Y = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1, 0]])
    >>> A2, cache = forward_propagation(X, parameters)
    >>> grads = backward_propagation(parameters, cache, X, Y)
    >>> {key: value.shape for key, value in grads.items()}
    {'dW1': (4, 2), 'db1': (4, 1), 'dW2': (1, 4), 'db2': (1, 1)}
    """
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
    """W - learning_rate·dW, b - learning_rate·db for both layers, in a new dict.

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2 (not modified).
    grads : dict
        dW1, db1, dW2, db2 of the same shapes, as from ``backward_propagation``.
    learning_rate : float, default 1.2
        The step size.

    Returns
    -------
    dict of numpy.ndarray
        The updated W1, b1, W2, b2.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import update_parameters
    >>> parameters = {"W1": np.ones((4, 2)), "b1": np.zeros((4, 1)),
    ...               "W2": np.ones((1, 4)), "b2": np.zeros((1, 1))}
    >>> grads = {"dW1": np.ones((4, 2)), "db1": np.ones((4, 1)),
    ...          "dW2": np.ones((1, 4)), "db2": np.ones((1, 1))}
    >>> new = update_parameters(parameters, grads, learning_rate=0.5)
    >>> new["W2"], new["b2"]
    (array([[0.5, 0.5, 0.5, 0.5]]), array([[-0.5]]))
    """
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
    iterations when print_cost. Returns the parameters.

    Full-batch descent on a tanh hidden layer, every iteration in compiled code.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    Y : array_like
        Labels 0 or 1, shape (n_y, m).
    n_h : int
        Size of the hidden layer.
    num_iterations : int, default 10000
        Gradient descent steps.
    print_cost : bool, default False
        Print "Cost after iteration i: cost" (six decimals) before the update of iterations
        0, 1000, 2000, …

    Returns
    -------
    dict of numpy.ndarray
        The trained W1, b1, W2, b2.

    Examples
    --------
    >>> from fastbackprop.course.planar import load_planar_dataset, nn_model, predict
    >>> X, Y = load_planar_dataset()
    >>> parameters = nn_model(X, Y, n_h=4, num_iterations=2000, print_cost=True)
    Cost after iteration 0: 0.69...
    Cost after iteration 1000: 0.2...
    >>> round(float((predict(parameters, X) == Y).mean()), 1)
    0.9
    """
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
    """Boolean (1, m) array: A2 > 0.5.

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2, as from ``nn_model``.
    X : array_like
        Inputs, shape (n_x, m).

    Returns
    -------
    numpy.ndarray
        Shape (n_y, m), bool: True where the output probability exceeds 0.5.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course.planar import predict
    >>> parameters = {"W1": np.ones((4, 2)), "b1": np.zeros((4, 1)),
    ...               "W2": np.ones((1, 4)), "b2": np.zeros((1, 1))}
    >>> predict(parameters, np.array([[1.0, -1.0], [1.0, -1.0]]))
    array([[ True, False]])
    """
    A2, cache = forward_propagation(X, parameters)
    return A2 > 0.5
