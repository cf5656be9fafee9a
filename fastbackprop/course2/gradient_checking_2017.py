"""The "Gradient Checking" notebook, 2017 edition: the checks always print their verdict.

As ``fastbackprop.course2.gradient_checking`` (2021) but with the 2017 signatures, no
``print_msg``: ``gradient_check`` prints "The gradient is correct!" (difference < 1e-7) or "The
gradient is wrong!", ``gradient_check_n`` the coloured verdict (threshold 2e-7).
"""
from .gradient_checking import (  # noqa: F401 -- the 2017 helpers' names, unchanged
    _difference_1d, _difference_n, _message, backward_propagation, backward_propagation_n,
    dictionary_to_vector, forward_propagation, forward_propagation_n, gradients_to_vector,
    relu, sigmoid, vector_to_dictionary)

__all__ = [
    "sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
    "forward_propagation", "backward_propagation", "gradient_check", "forward_propagation_n",
    "backward_propagation_n", "gradient_check_n",
]


def gradient_check(x, theta, epsilon=1e-7):
    """The 1-D check; prints "The gradient is correct!" when the difference is below 1e-7, else
    "The gradient is wrong!".

    Parameters
    ----------
    x, theta : float
        The input and the parameter.
    epsilon : float, default 1e-7
        The step ε.

    Returns
    -------
    float
        The relative difference.

    Examples
    --------
    >>> from fastbackprop.course2.gradient_checking_2017 import gradient_check
    >>> difference = gradient_check(2, 4)
    The gradient is correct!
    """
    difference = _difference_1d(x, theta, epsilon)
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
    return difference


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    """The n-dimensional check; always prints the verdict (threshold 2e-7).

    Parameters
    ----------
    parameters : dict
        W1, b1, W2, b2, W3, b3 of the course's [4, 5, 3, 1] network.
    gradients : dict
        dW1, db1, …, db3.
    X : array_like
        Inputs (4, m).
    Y : array_like
        Labels, m values.
    epsilon : float, default 1e-7
        The step ε.

    Returns
    -------
    float
        The relative difference.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.gradient_checking_2017 import (backward_propagation_n,
    ...     forward_propagation_n, gradient_check_n, vector_to_dictionary)
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((4, 3)), np.array([1, 1, 0])
    >>> parameters = vector_to_dictionary(rng.standard_normal(47))
    >>> gradients = backward_propagation_n(X, Y, forward_propagation_n(X, Y, parameters)[1])
    >>> difference = gradient_check_n(parameters, gradients, X, Y)
    \x1b[92mYour backward propagation works perfectly fine! difference = ...\x1b[0m
    """
    difference = _difference_n(parameters, gradients, X, Y, epsilon)
    _message(difference, True)
    return difference
