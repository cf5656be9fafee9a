"""The deeplearning.ai course's week-4 functions, same names, values and printing, on fused kernels.

Replace ``from dnn_app_utils_v3 import *`` by ``from fastbackprop.course import *`` and a notebook
runs unchanged, faster. Week 3 (planar data) is ``fastbackprop.course.planar``.

Conventions are the course's: examples are columns, X (n_x, m), W{l} (n_l, n_{l-1}), b{l} (n_l, 1),
caches ``((A_prev, W, b), Z)`` in a list, the cost a 0-d ndarray, the global NumPy RNG seeded as
the course seeds it. Per-layer functions convert their inputs to C-contiguous floats (a copy only
when needed; the caller's arrays are never modified), allocate the outputs and call a kernel.
``two_layer_model`` and ``L_layer_model`` run every iteration in compiled code and compute the
cost with the course's formula only at the iterations that record or print it.

Dtypes: outputs are float32 or float64, the type NumPy's arithmetic would give the inputs
together with a float32 (float64, Python floats and 32- or 64-bit integers give float64;
float32, float16, 8- or 16-bit integers and booleans give float32).
"""
import copy
import os

import numpy as np

from .. import datasets
from ..kernels import IDENTITY, RELU, dense
from ..kernels import course as course_kernels
from . import _loop
from ._arrays import as_c, check_matmul, float_dtype

__all__ = [
    "sigmoid", "relu", "relu_backward", "sigmoid_backward",
    "initialize_parameters", "initialize_parameters_deep",
    "linear_forward", "linear_activation_forward", "L_model_forward", "compute_cost",
    "linear_backward", "linear_activation_backward", "L_model_backward", "update_parameters",
    "two_layer_model", "L_layer_model", "predict", "load_data",
]

_ACTIVATIONS = ("relu", "sigmoid")


def _elementwise(kernel, *arrays):
    """Run a flat elementwise kernel over same-shaped arrays; returns a new output array."""
    dt = float_dtype(*arrays)
    inputs = [as_c(a, dt) for a in arrays]
    shape = inputs[0].shape
    for a in inputs[1:]:
        if a.shape != shape:
            raise ValueError(f"shapes {shape} and {a.shape} must be equal")
    out = np.empty(shape, dt)
    kernel(*[a.reshape(-1) for a in inputs], out.reshape(-1))
    return out


def _activation(activation):
    if activation not in _ACTIVATIONS:
        raise ValueError(f'activation must be "relu" or "sigmoid", got {activation!r}')
    return activation


# --- activations -----------------------------------------------------------------------------

def sigmoid(Z):
    """A = 1/(1 + exp(-Z)); returns A and the cache Z.

    Parameters
    ----------
    Z : array_like
        Pre-activations, any shape.

    Returns
    -------
    A : numpy.ndarray
        A new array of Z's shape, float32 or float64 (see the module's note on dtypes).
    cache : array_like
        Z itself, for ``sigmoid_backward``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import sigmoid
    >>> A, cache = sigmoid(np.array([[-1.0, 0.0, 2.0]]))
    >>> A.round(4)
    array([[0.2689, 0.5   , 0.8808]])
    """
    return _elementwise(course_kernels.sigmoid, Z), Z


def relu(Z):
    """A = max(0, Z); returns A and the cache Z.

    Parameters
    ----------
    Z : array_like
        Pre-activations, any shape.

    Returns
    -------
    A : numpy.ndarray
        A new array of Z's shape, float32 or float64 (see the module's note on dtypes).
    cache : array_like
        Z itself, for ``relu_backward``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import relu
    >>> A, cache = relu(np.array([[-1.0, 0.0, 2.0]]))
    >>> A
    array([[0., 0., 2.]])
    """
    return _elementwise(course_kernels.relu, Z), Z


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (cache is Z).

    Parameters
    ----------
    dA : array_like
        Gradient of the cost with respect to the layer's activation.
    cache : array_like
        Z, the cache returned by ``relu``; the same shape as dA.

    Returns
    -------
    numpy.ndarray
        dZ, a new array of dA's shape.

    Raises
    ------
    ValueError
        If dA and Z differ in shape.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import relu_backward
    >>> relu_backward(np.array([[1.0, 2.0, 3.0]]), np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 3.]])
    """
    return _elementwise(course_kernels.relu_backward, dA, cache)


def sigmoid_backward(dA, cache):
    """dZ = dA·s·(1 - s) with s = sigmoid(Z) (cache is Z).

    Parameters
    ----------
    dA : array_like
        Gradient of the cost with respect to the layer's activation.
    cache : array_like
        Z, the cache returned by ``sigmoid``; the same shape as dA.

    Returns
    -------
    numpy.ndarray
        dZ, a new array of dA's shape.

    Raises
    ------
    ValueError
        If dA and Z differ in shape.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import sigmoid_backward
    >>> sigmoid_backward(np.array([[1.0, 1.0]]), np.array([[0.0, 2.0]])).round(4)
    array([[0.25 , 0.105]])
    """
    return _elementwise(course_kernels.sigmoid_backward, dA, cache)


# --- initialisation (the global NumPy RNG, seeded and drawn in the course's order) -------------

def initialize_parameters(n_x, n_h, n_y):
    """Seed 1; W1 = randn(n_h, n_x)·0.01 drawn first, then W2 = randn(n_y, n_h)·0.01; b zeros.

    Seeds and draws from the global NumPy RNG (``np.random.seed(1)``), as the course does.

    Parameters
    ----------
    n_x, n_h, n_y : int
        Sizes of the input, hidden and output layers.

    Returns
    -------
    dict of numpy.ndarray
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1), float64.

    Examples
    --------
    >>> from fastbackprop.course import initialize_parameters
    >>> parameters = initialize_parameters(3, 2, 1)
    >>> parameters["W1"].round(4)
    array([[ 0.0162, -0.0061, -0.0053],
           [-0.0107,  0.0087, -0.023 ]])
    >>> parameters["b2"]
    array([[0.]])
    """
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    """The application helper's version: seed 1, W{l} = randn(n_l, n_{l-1}) / sqrt(n_{l-1}).

    Seeds and draws from the global NumPy RNG, layer by layer; the biases are zeros.

    Parameters
    ----------
    layer_dims : sequence of int
        Layer sizes ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1 … L, float64.

    See Also
    --------
    initialize_parameters_deep_step_by_step : The "Step by Step" notebook's version.

    Examples
    --------
    >>> from fastbackprop.course import initialize_parameters_deep
    >>> parameters = initialize_parameters_deep([5, 4, 3])
    >>> {key: value.shape for key, value in parameters.items()}
    {'W1': (4, 5), 'b1': (4, 1), 'W2': (3, 4), 'b2': (3, 1)}
    >>> round(float(parameters["W1"][0, 0]), 4)
    0.7264
    """
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1])
                                    / np.sqrt(layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_parameters_deep_step_by_step(layer_dims):
    """The "Step by Step" notebook's version: seed 3, W{l} = randn(n_l, n_{l-1})·0.01.

    Not in ``__all__`` (its course name is ``initialize_parameters_deep`` too): import it by
    name. Seeds and draws from the global NumPy RNG; the biases are zeros.

    Parameters
    ----------
    layer_dims : sequence of int
        Layer sizes ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) for l = 1 … L, float64.

    Examples
    --------
    >>> from fastbackprop.course import initialize_parameters_deep_step_by_step
    >>> parameters = initialize_parameters_deep_step_by_step([5, 4, 3])
    >>> round(float(parameters["W1"][0, 0]), 6)
    0.017886
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# --- forward -----------------------------------------------------------------------------------

def _forward(A_prev, W, b, activation_code, where):
    dt = float_dtype(A_prev, W, b)
    A_c, W_c, b_c = as_c(A_prev, dt), as_c(W, dt), as_c(b, dt)
    check_matmul(W_c, A_c, b_c, where)
    Z = np.empty((W_c.shape[0], A_c.shape[1]), dt)
    if activation_code == IDENTITY:
        dense.linear_activation_forward(A_c, W_c, b_c, IDENTITY, Z, Z)
        return Z, None
    A = np.empty_like(Z)
    dense.linear_activation_forward(A_c, W_c, b_c, activation_code, Z, A)
    return Z, A


def linear_forward(A, W, b):
    """Z = W·A + b; returns Z and the cache (A, W, b).

    Parameters
    ----------
    A : array_like
        Activations of the previous layer, shape (n_{l-1}, m).
    W : array_like
        Weights, shape (n_l, n_{l-1}).
    b : array_like
        Biases, shape (n_l, 1).

    Returns
    -------
    Z : numpy.ndarray
        Shape (n_l, m), a new array.
    cache : tuple
        ``(A, W, b)``, the caller's objects, for ``linear_backward``.

    Raises
    ------
    ValueError
        If the shapes do not chain or b is not (n_l, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import linear_forward
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> Z, cache = linear_forward(A, np.array([[1.0, -0.5]]), np.array([[0.5]]))
    >>> Z
    array([[0. , 0.5]])
    """
    Z, _ = _forward(A, W, b, IDENTITY, "linear_forward")
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W·A_prev + b), g "relu" or "sigmoid"; returns A and the cache ((A_prev, W, b), Z).

    Parameters
    ----------
    A_prev : array_like
        Activations of the previous layer, shape (n_{l-1}, m).
    W : array_like
        Weights, shape (n_l, n_{l-1}).
    b : array_like
        Biases, shape (n_l, 1).
    activation : {"relu", "sigmoid"}
        The layer's activation g.

    Returns
    -------
    A : numpy.ndarray
        Shape (n_l, m).
    cache : tuple
        ``((A_prev, W, b), Z)``, for ``linear_activation_backward``.

    Raises
    ------
    ValueError
        If ``activation`` is not "relu" or "sigmoid", or the shapes do not chain.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import linear_activation_forward
    >>> A_prev = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> W, b = np.array([[1.0, -0.5]]), np.array([[0.5]])
    >>> A, cache = linear_activation_forward(A_prev, W, b, "sigmoid")
    >>> A.round(4)
    array([[0.5   , 0.6225]])
    >>> linear_activation_forward(A_prev, W, b, "relu")[0]
    array([[0. , 0.5]])
    """
    if _activation(activation) == "relu":
        Z, A = _forward(A_prev, W, b, RELU, "linear_activation_forward")
    else:  # the course's sigmoid formula, from Z
        Z, _ = _forward(A_prev, W, b, IDENTITY, "linear_activation_forward")
        A = np.empty_like(Z)
        course_kernels.sigmoid(Z.reshape(-1), A.reshape(-1))
    return A, ((A_prev, W, b), Z)


def L_model_forward(X, parameters):
    """relu for layers 1 … L-1, sigmoid for L; returns AL and the list of the L caches.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    parameters : dict
        W1, b1, …, WL, bL as from ``initialize_parameters_deep``.

    Returns
    -------
    AL : numpy.ndarray
        The output layer's activations, shape (n_L, m).
    caches : list of tuple
        The L caches of ``linear_activation_forward``, layer 1 first.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import L_model_forward, initialize_parameters_deep
    >>> parameters = initialize_parameters_deep([2, 4, 1])
    >>> X = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])
    >>> AL, caches = L_model_forward(X, parameters)
    >>> AL.shape, len(caches)
    ((1, 3), 2)
    """
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """-(1/m)·Σ [y·log a + (1-y)·log(1-a)], as a 0-d ndarray.

    The course's np.dot formula, kept in NumPy: the printed cost digits depend on it, and it is
    called only where the course records or prints a cost.

    Parameters
    ----------
    AL : array_like
        Probabilities, shape (1, m).
    Y : array_like
        Labels 0 or 1, shape (1, m).

    Returns
    -------
    numpy.ndarray
        The cost, 0-d.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import compute_cost
    >>> cost = compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]]))
    >>> round(float(cost), 6)
    0.279777
    """
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return np.squeeze(cost)


# --- backward ----------------------------------------------------------------------------------

def linear_backward(dZ, cache):
    """dW = (1/m)·dZ·A_prevᵀ, db = (1/m)·Σ dZ (n, 1), dA_prev = Wᵀ·dZ; returns dA_prev, dW, db.

    Parameters
    ----------
    dZ : array_like
        Gradient of the cost with respect to Z, shape (n_l, m).
    cache : tuple
        ``(A_prev, W, b)`` from ``linear_forward``.

    Returns
    -------
    dA_prev : numpy.ndarray
        Shape (n_{l-1}, m).
    dW : numpy.ndarray
        Shape (n_l, n_{l-1}).
    db : numpy.ndarray
        Shape (n_l, 1).

    Raises
    ------
    ValueError
        If W and A_prev do not chain or dZ is not (n_l, m).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import linear_backward
    >>> A_prev = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> W, b = np.array([[1.0, -0.5]]), np.array([[0.5]])
    >>> dA_prev, dW, db = linear_backward(np.array([[1.0, -1.0]]), (A_prev, W, b))
    >>> dW, db
    (array([[-0.5, -0.5]]), array([[0.]]))
    >>> dA_prev
    array([[ 1. , -1. ],
           [-0.5,  0.5]])
    """
    A_prev, W, b = cache
    dt = float_dtype(dZ, A_prev, W)
    dZ_c, A_c, W_c = as_c(dZ, dt), as_c(A_prev, dt), as_c(W, dt)
    check_matmul(W_c, A_c, None, "linear_backward")
    if dZ_c.shape != (W_c.shape[0], A_c.shape[1]):
        raise ValueError(f"linear_backward: dZ must have shape {(W_c.shape[0], A_c.shape[1])}, "
                         f"got {dZ_c.shape}")
    m = A_c.shape[1]
    dW = np.empty(W_c.shape, dt)
    db = np.empty((W_c.shape[0], 1), dt)
    dA_prev = np.empty(A_c.shape, dt)
    dense.linear_backward(dZ_c, A_c, W_c, 1.0 / m, dW, db, dA_prev, True)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """relu_backward or sigmoid_backward, then linear_backward; returns dA_prev, dW, db.

    Parameters
    ----------
    dA : array_like
        Gradient of the cost with respect to the layer's activation, shape (n_l, m).
    cache : tuple
        ``((A_prev, W, b), Z)`` from ``linear_activation_forward``.
    activation : {"relu", "sigmoid"}
        The layer's activation.

    Returns
    -------
    dA_prev : numpy.ndarray
        Shape (n_{l-1}, m).
    dW : numpy.ndarray
        Shape (n_l, n_{l-1}).
    db : numpy.ndarray
        Shape (n_l, 1).

    Raises
    ------
    ValueError
        If ``activation`` is not "relu" or "sigmoid", or the shapes do not match.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import linear_activation_backward, linear_activation_forward
    >>> A_prev = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> A, cache = linear_activation_forward(A_prev, np.array([[1.0, -0.5]]),
    ...                                      np.array([[0.5]]), "relu")
    >>> dA_prev, dW, db = linear_activation_backward(np.array([[1.0, 1.0]]), cache, "relu")
    >>> dW, db
    (array([[1., 2.]]), array([[0.5]]))
    """
    linear_cache, Z = cache
    if _activation(activation) == "relu":
        dZ = relu_backward(dA, Z)
    else:
        dZ = sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """Gradients from dAL = -(Y/AL - (1-Y)/(1-AL)); keys dA0 … dA{L-1}, dW1 … dWL, db1 … dbL.

    Parameters
    ----------
    AL : array_like
        Output of ``L_model_forward``, shape (1, m).
    Y : array_like
        Labels 0 or 1, reshaped to AL's shape.
    caches : list of tuple
        The caches of ``L_model_forward``.

    Returns
    -------
    dict of numpy.ndarray
        dA{l-1}, dW{l}, db{l} for l = L … 1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import (L_model_backward, L_model_forward,
    ...                                  initialize_parameters_deep)
    >>> parameters = initialize_parameters_deep([2, 4, 1])
    >>> X = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])
    >>> AL, caches = L_model_forward(X, parameters)
    >>> grads = L_model_backward(AL, np.array([[1, 0, 1]]), caches)
    >>> sorted(grads)
    ['dA0', 'dA1', 'dW1', 'dW2', 'db1', 'db2']
    >>> grads["dW1"].shape
    (4, 2)
    """
    grads = {}
    L = len(caches)
    dt = float_dtype(AL)
    AL_c = as_c(AL, dt)
    Y_c = as_c(np.reshape(Y, AL_c.shape), dt)
    dAL = np.empty_like(AL_c)
    course_kernels.cross_entropy_dAL(AL_c.reshape(-1), Y_c.reshape(-1), dAL.reshape(-1))
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = \
            linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
    return grads


def update_parameters(params, grads, learning_rate):
    """W{l} - learning_rate·dW{l}, b{l} - learning_rate·db{l}, in a new dict (params untouched).

    Parameters
    ----------
    params : dict
        W1, b1, …, WL, bL; any other entries are deep-copied into the result.
    grads : dict
        dW1, db1, …, dWL, dbL of the same shapes, as from ``L_model_backward``.
    learning_rate : float
        The step size.

    Returns
    -------
    dict of numpy.ndarray
        The updated parameters, in ``params``' key order.

    Raises
    ------
    ValueError
        If a gradient's shape does not match its parameter's, or a b is not (n_l, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course import update_parameters
    >>> params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    >>> grads = {"dW1": np.array([[0.1, -0.1]]), "db1": np.array([[1.0]])}
    >>> update_parameters(params, grads, 0.5)
    {'W1': array([[0.95, 2.05]]), 'b1': array([[0.]])}
    """
    parameters = {}
    L = len(params) // 2
    updated = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    for key, value in params.items():
        if key not in updated:
            parameters[key] = copy.deepcopy(value)
    for l in range(1, L + 1):
        W, b = params["W" + str(l)], params["b" + str(l)]
        dW, db = grads["dW" + str(l)], grads["db" + str(l)]
        dt = float_dtype(W, b, dW, db)
        W_new = np.array(W, dtype=dt, order="C", copy=True)  # the kernel updates in place
        b_new = np.array(b, dtype=dt, order="C", copy=True)
        dW_c, db_c = as_c(dW, dt), as_c(db, dt)
        if W_new.shape != dW_c.shape or b_new.shape != db_c.shape or b_new.shape != (len(W_new), 1):
            raise ValueError(f"update_parameters: layer {l}: W {W_new.shape}, dW {dW_c.shape}, "
                             f"b {b_new.shape}, db {db_c.shape} do not match")
        dense.update(W_new, dW_c, b_new, db_c, float(learning_rate))
        parameters["W" + str(l)] = W_new
        parameters["b" + str(l)] = b_new
    return {key: parameters[key] for key in params}  # the caller's key order


# --- models ------------------------------------------------------------------------------------

def _record_points(num_iterations):
    # the course records when i % 100 == 0 and always prints the last iteration
    points = set(range(0, num_iterations, 100))
    if num_iterations > 0:
        points.add(num_iterations - 1)
    return sorted(points)


def _fit(X, Y, parameters, learning_rate, num_iterations, print_cost):
    costs = []

    def record(i, AL):
        cost = compute_cost(AL, Y)
        if print_cost and i % 100 == 0 or i == num_iterations - 1:
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0 or i == num_iterations:
            costs.append(cost)

    parameters = _loop.train(parameters, X, Y, RELU, learning_rate, num_iterations,
                             _record_points(num_iterations), record)
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                    print_cost=False):
    """LINEAR->RELU->LINEAR->SIGMOID; returns (parameters, costs), costs every 100 iterations.

    Full-batch gradient descent from ``initialize_parameters(n_x, n_h, n_y)`` (global RNG seeded
    with 1), every iteration in compiled code. As the course's code, it prints the cost every
    100 iterations when ``print_cost``, and the last iteration's cost always.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    Y : array_like
        Labels 0 or 1, shape (1, m).
    layers_dims : tuple of int
        ``(n_x, n_h, n_y)``.
    learning_rate : float, default 0.0075
        The step size.
    num_iterations : int, default 3000
        Gradient descent steps.
    print_cost : bool, default False
        Print "Cost after iteration i: cost" every 100 iterations.

    Returns
    -------
    parameters : dict of numpy.ndarray
        The trained W1, b1, W2, b2.
    costs : list of numpy.ndarray
        The cost (0-d, ``compute_cost``) before the update of iterations 0, 100, 200, …

    Examples
    --------
    >>> from fastbackprop.course import two_layer_model
    >>> from fastbackprop.datasets import planar_flower
    >>> X, Y = planar_flower()
    >>> parameters, costs = two_layer_model(X, Y, (2, 4, 1), learning_rate=0.5,
    ...                                     num_iterations=300)
    Cost after iteration 299: 0.6...
    >>> len(costs), parameters["W1"].shape
    (3, (4, 2))
    """
    np.random.seed(1)
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    return _fit(X, Y, parameters, learning_rate, num_iterations, print_cost)


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                  print_cost=False):
    """[LINEAR->RELU]*(L-1)->LINEAR->SIGMOID; returns (parameters, costs).

    Full-batch gradient descent from ``initialize_parameters_deep(layers_dims)`` (global RNG
    seeded with 1), every iteration in compiled code. As the course's code, it prints the cost
    every 100 iterations when ``print_cost``, and the last iteration's cost always.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    Y : array_like
        Labels 0 or 1, shape (1, m).
    layers_dims : sequence of int
        ``[n_x, n_1, …, n_L]``.
    learning_rate : float, default 0.0075
        The step size.
    num_iterations : int, default 3000
        Gradient descent steps.
    print_cost : bool, default False
        Print "Cost after iteration i: cost" every 100 iterations.

    Returns
    -------
    parameters : dict of numpy.ndarray
        The trained W1, b1, …, WL, bL.
    costs : list of numpy.ndarray
        The cost (0-d, ``compute_cost``) before the update of iterations 0, 100, 200, …

    Examples
    --------
    >>> from fastbackprop.course import L_layer_model
    >>> from fastbackprop.datasets import planar_flower
    >>> X, Y = planar_flower()
    >>> parameters, costs = L_layer_model(X, Y, [2, 5, 3, 1], learning_rate=0.3,
    ...                                   num_iterations=200, print_cost=True)
    Cost after iteration 0: 0.83...
    Cost after iteration 100: 0.59...
    Cost after iteration 199: 0.45...
    >>> len(costs)
    2
    """
    np.random.seed(1)
    parameters = initialize_parameters_deep(layers_dims)
    return _fit(X, Y, parameters, learning_rate, num_iterations, print_cost)


def predict(X, y, parameters):
    """p (1, m) of 0./1. where A_L > 0.5; prints the accuracy against y as the course does.

    Parameters
    ----------
    X : array_like
        Inputs, shape (n_x, m).
    y : array_like
        Labels 0 or 1, shape (1, m), for the printed accuracy.
    parameters : dict
        W1, b1, …, WL, bL, as from ``L_layer_model``.

    Returns
    -------
    numpy.ndarray
        Predictions 0.0 or 1.0, shape (1, m), float64.

    Examples
    --------
    >>> from fastbackprop.course import L_layer_model, predict
    >>> from fastbackprop.datasets import planar_flower
    >>> X, Y = planar_flower()
    >>> parameters, costs = L_layer_model(X, Y, [2, 5, 3, 1], learning_rate=0.3,
    ...                                   num_iterations=200)
    Cost after iteration 199: 0.45...
    >>> p = predict(X, Y, parameters)
    Accuracy: 0.78...
    >>> p.shape
    (1, 400)
    """
    m = X.shape[1]
    p = np.zeros((1, m))
    probas, caches = L_model_forward(X, parameters)
    p[0, probas[0, :] > 0.5] = 1
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p


def load_data(path="datasets"):
    """train_x_orig, train_y, test_x_orig, test_y, classes from the course's two .h5 files in
    the folder ``path`` (default ``datasets/`` under the working directory, as the course).

    Nothing is downloaded: the folder must hold ``train_catvnoncat.h5`` and
    ``test_catvnoncat.h5``. Needs h5py (``pip install "fastbackprop[data]"``).

    Parameters
    ----------
    path : str or os.PathLike, default "datasets"
        The folder holding the two files.

    Returns
    -------
    train_x_orig : numpy.ndarray
        (209, 64, 64, 3) uint8 images.
    train_y : numpy.ndarray
        (1, 209) labels.
    test_x_orig : numpy.ndarray
        (50, 64, 64, 3) uint8 images.
    test_y : numpy.ndarray
        (1, 50) labels.
    classes : numpy.ndarray
        The class names, as bytes.

    Raises
    ------
    FileNotFoundError
        If a file is missing.
    ImportError
        If h5py is not installed.

    See Also
    --------
    fastbackprop.datasets.load_catvnoncat : The same, from any folder.
    """
    return datasets.load_catvnoncat(os.fspath(path))
