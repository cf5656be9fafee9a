"""The "Gradient Checking" notebook (``gc_utils`` and the notebook's functions), 2021 edition.

Replace ``from gc_utils import *`` by ``from fastbackprop.course2.gradient_checking import *``.
``forward_propagation_n`` and ``backward_propagation_n`` run the fused layer kernels; the
checks take central differences with ε = 1e-7 over the parameter vector W1, b1, …, b3 flattened
row-major, as the course. ``print_msg`` is optional (the 2021 signatures; default False): the
2017 edition, which always prints, is ``fastbackprop.course2.gradient_checking_2017``.

A finite difference depends on the rounding of exp and log: compare the differences it gives
with a tolerance, never bit for bit.
"""
import numpy as np

from . import _common
from ._common import linear_backward, relu_mask

__all__ = [
    "sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
    "forward_propagation", "backward_propagation", "gradient_check", "forward_propagation_n",
    "backward_propagation_n", "gradient_check_n",
]

_SHAPES = (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)),
           ("b3", (1, 1)))
N_PARAMETERS = 47


def sigmoid(x):
    """s = 1/(1 + exp(-x)), elementwise.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    numpy.ndarray
        A new array of x's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import sigmoid
    >>> sigmoid(np.array([0.0]))
    array([0.5])
    """
    return _common.sigmoid(x)


def relu(x):
    """s = max(0, x), elementwise.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    numpy.ndarray
        A new array of x's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import relu
    >>> relu(np.array([-1.0, 1.0]))
    array([0., 1.])
    """
    return _common.relu(x)


def dictionary_to_vector(parameters):
    """W1, b1, W2, b2, W3, b3 reshaped row-major into one (n, 1) column, and the key of each row.

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2, W3, b3.

    Returns
    -------
    theta : numpy.ndarray
        (n, 1).
    keys : list of str
        The parameter each row of theta comes from.

    Raises
    ------
    KeyError
        If a parameter is missing.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import dictionary_to_vector
    >>> parameters = {k: np.zeros(s) for k, s in [("W1", (5, 4)), ("b1", (5, 1)),
    ...     ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]}
    >>> theta, keys = dictionary_to_vector(parameters)
    >>> theta.shape, keys[19], keys[20]
    ((47, 1), 'W1', 'b1')
    """
    _common.three_layers(parameters, "dictionary_to_vector")
    keys = []
    vectors = []
    for key in ["W1", "b1", "W2", "b2", "W3", "b3"]:
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys = keys + [key] * new_vector.shape[0]
        vectors.append(new_vector)
    return np.concatenate(vectors, axis=0), keys


def vector_to_dictionary(theta):
    """The inverse of ``dictionary_to_vector`` for the course's [4, 5, 3, 1] network.

    Parameters
    ----------
    theta : array_like
        47 values, (47, 1) or (47,).

    Returns
    -------
    dict of numpy.ndarray
        W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1).

    Raises
    ------
    ValueError
        If theta does not hold 47 values (the course's shapes are fixed).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import vector_to_dictionary
    >>> parameters = vector_to_dictionary(np.arange(47.0).reshape(47, 1))
    >>> parameters["b3"], parameters["W3"]
    (array([[46.]]), array([[43., 44., 45.]]))
    """
    theta = np.asarray(theta)
    if theta.size != N_PARAMETERS:
        raise ValueError(f"vector_to_dictionary: theta must hold the {N_PARAMETERS} values of "
                         f"the course's [4, 5, 3, 1] network, got shape {theta.shape}")
    flat = theta.reshape(-1, 1)
    parameters = {}
    at = 0
    for key, shape in _SHAPES:
        size = shape[0] * shape[1]
        parameters[key] = flat[at:at + size].reshape(shape)
        at += size
    return parameters


def gradients_to_vector(gradients):
    """dW1, db1, dW2, db2, dW3, db3 reshaped row-major into one (n, 1) column.

    Parameters
    ----------
    gradients : dict
        dW1, db1, dW2, db2, dW3, db3 (other keys are ignored).

    Returns
    -------
    numpy.ndarray
        (n, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import gradients_to_vector
    >>> gradients_to_vector({"dW1": np.ones((1, 2)), "db1": np.zeros((1, 1)),
    ...     "dW2": np.ones((1, 1)), "db2": np.zeros((1, 1)), "dW3": np.ones((1, 1)),
    ...     "db3": np.zeros((1, 1))}).ravel()
    array([1., 1., 0., 1., 0., 1., 0.])
    """
    missing = [key for key in ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
               if key not in gradients]
    if missing:
        raise KeyError(f"gradients_to_vector: gradients has no {', '.join(missing)}")
    return np.concatenate([np.reshape(gradients[key], (-1, 1))
                           for key in ["dW1", "db1", "dW2", "db2", "dW3", "db3"]], axis=0)


def forward_propagation(x, theta):
    """The 1-D example: J = θ·x.

    Parameters
    ----------
    x, theta : float
        The input and the parameter.

    Returns
    -------
    float
        J.

    Examples
    --------
    >>> from fastbackprop.course2.gradient_checking import forward_propagation
    >>> int(forward_propagation(2, 4))
    8
    """
    return np.dot(theta, x)


def backward_propagation(x, theta):
    """The 1-D example's derivative: dJ/dθ = x.

    Parameters
    ----------
    x, theta : float
        The input and the parameter.

    Returns
    -------
    float
        dtheta.

    Examples
    --------
    >>> from fastbackprop.course2.gradient_checking import backward_propagation
    >>> backward_propagation(2, 4)
    2
    """
    return x


def _message(difference, print_msg):
    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = "
                  + str(difference) + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = "
                  + str(difference) + "\033[0m")


def _difference_1d(x, theta, epsilon):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖) for the 1-D example, gradapprox the
    central difference (J(θ + ε) − J(θ − ε)) / 2ε.

    Parameters
    ----------
    x, theta : float
        The input and the parameter.
    epsilon : float, default 1e-7
        The step ε.
    print_msg : bool, default False
        Print the verdict (threshold 2e-7), as the 2021 notebook.

    Returns
    -------
    float
        The relative difference.

    Examples
    --------
    >>> from fastbackprop.course2.gradient_checking import gradient_check
    >>> difference = gradient_check(2, 4, print_msg=True)
    \x1b[92mYour backward propagation works perfectly fine! difference = 2.91933588...e-10\x1b[0m
    """
    difference = _difference_1d(x, theta, epsilon)
    _message(difference, print_msg)
    return difference


def forward_propagation_n(X, Y, parameters):
    """The notebook's 3-layer forward pass and its cost 1./m·Σ(−log(A3)·Y − log(1 − A3)·(1 − Y)).

    Parameters
    ----------
    X : array_like
        Inputs (4, m).
    Y : array_like
        Labels, m values.
    parameters : dict
        W1, b1, W2, b2, W3, b3.

    Returns
    -------
    cost : numpy.float64
        The cost.
    cache : tuple
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import forward_propagation_n
    >>> from fastbackprop.course2.gradient_checking import vector_to_dictionary
    >>> parameters = vector_to_dictionary(np.full(47, 0.1))
    >>> cost, cache = forward_propagation_n(np.ones((4, 3)), np.array([1, 1, 0]), parameters)
    >>> round(float(cost), 6)
    0.664224
    """
    m = X.shape[1]
    A3, cache = _common.forward_propagation(X, parameters, "forward_propagation_n")
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(logprobs)
    return cost, cache


def backward_propagation_n(X, Y, cache):
    """The notebook's backward pass, without its two planted mistakes: dZ3 = A3 − Y,
    dW = 1./m·dZ·Aᵀ, db = 1./m·Σ dZ.

    Parameters
    ----------
    X : array_like
        Inputs (4, m).
    Y : array_like
        Labels, m values.
    cache : tuple
        From ``forward_propagation_n``.

    Returns
    -------
    dict of numpy.ndarray
        dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import (backward_propagation_n,
    ...     forward_propagation_n, vector_to_dictionary)
    >>> X, Y = np.ones((4, 3)), np.array([1, 1, 0])
    >>> cost, cache = forward_propagation_n(X, Y, vector_to_dictionary(np.full(47, 0.1)))
    >>> backward_propagation_n(X, Y, cache)["dW2"].shape
    (3, 5)
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3, db3, dA2 = linear_backward(dZ3, A2, W3, 1. / m)
    dZ2 = relu_mask(dA2, A2)
    dW2, db2, dA1 = linear_backward(dZ2, A1, W2, 1. / m)
    dZ1 = relu_mask(dA1, A1)
    dW1, db1, _ = linear_backward(dZ1, X, W1, 1. / m, need_dA_prev=False)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _difference_n(parameters, gradients, X, Y, epsilon):
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    if grad.shape != parameters_values.shape:
        raise ValueError(f"gradient_check_n: gradients hold {grad.shape[0]} values, the "
                         f"parameters {parameters_values.shape[0]}")
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
        theta_minus = np.copy(parameters_values)
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """The relative difference between ``gradients`` and the central differences of
    ``forward_propagation_n``'s cost, one parameter at a time.

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2, W3, b3 of the course's [4, 5, 3, 1] network.
    gradients : dict
        dW1, db1, …, db3, as from ``backward_propagation_n``.
    X : array_like
        Inputs (4, m).
    Y : array_like
        Labels, m values.
    epsilon : float, default 1e-7
        The step ε.
    print_msg : bool, default False
        Print the verdict (threshold 2e-7), as the 2021 notebook.

    Returns
    -------
    float
        ‖grad − gradapprox‖ / (‖grad‖ + ‖gradapprox‖).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking import (backward_propagation_n,
    ...     forward_propagation_n, gradient_check_n, vector_to_dictionary)
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((4, 3)), np.array([1, 1, 0])
    >>> parameters = vector_to_dictionary(rng.standard_normal(47))
    >>> cost, cache = forward_propagation_n(X, Y, parameters)
    >>> gradients = backward_propagation_n(X, Y, cache)
    >>> bool(gradient_check_n(parameters, gradients, X, Y) < 2e-7)
    True
    """
    difference = _difference_n(parameters, gradients, X, Y, epsilon)
    _message(difference, print_msg)
    return difference
