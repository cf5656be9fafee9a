"""The "Optimization Methods" notebook, 2017 edition (``opt_utils``), on fused kernels.

The same functions as ``fastbackprop.course2.optimization`` (the 2021 edition) except where the
2017 edition differs: ``compute_cost`` returns the mean over the examples,
``update_parameters_with_adam`` returns (parameters, v, s), and ``model`` has no learning-rate
decay, runs 10 000 epochs by default and prints the last minibatch's cost of the epoch. Replace
``from opt_utils import *`` by ``from fastbackprop.course2.optimization_2017 import *``.
"""
import numpy as np

from .optimization import (  # noqa: F401 -- the 2017 helpers' names, unchanged
    backward_propagation, forward_propagation, initialize_adam, initialize_parameters,
    initialize_velocity, load_dataset, load_params_and_grads, predict, predict_dec,
    random_mini_batches, relu, sigmoid, update_parameters_with_gd,
    update_parameters_with_momentum)
from . import optimization as _v2021

__all__ = [
    "sigmoid", "relu", "load_params_and_grads", "initialize_parameters", "compute_cost",
    "forward_propagation", "backward_propagation", "predict", "predict_dec", "load_dataset",
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
    "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
    "model",
]


def compute_cost(a3, Y):
    """1./m · Σ −log(a3)·Y − log(1 − a3)·(1 − Y), the 2017 helpers' mean.

    Parameters
    ----------
    a3 : numpy.ndarray
        (1, m) probabilities.
    Y : numpy.ndarray
        (1, m) labels.

    Returns
    -------
    numpy.float64
        The cost.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization_2017 import compute_cost
    >>> round(float(compute_cost(np.array([[0.5, 0.5]]), np.array([[1, 0]]))), 6)
    0.693147
    """
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.sum(logprobs)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """One Adam step (the 2021 edition's rule, bias-corrected v and s); returns new dicts
    (parameters, v, s).

    Parameters
    ----------
    parameters : dict
        W1, b1, …, WL, bL.
    grads : dict
        dW1, db1, …, dWL, dbL.
    v, s : dict
        Adam's moments, keys dW{l}, db{l}.
    t : int
        The step number, >= 1.
    learning_rate : float, default 0.01
        α.
    beta1, beta2 : float, default 0.9 and 0.999
        The moments' decay rates.
    epsilon : float, default 1e-8
        ε, outside the square root.

    Returns
    -------
    parameters, v, s : dict of numpy.ndarray
        The updated parameters and moments.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization_2017 import (initialize_adam,
    ...     update_parameters_with_adam)
    >>> params = {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))}
    >>> v, s = initialize_adam(params)
    >>> grads = {"dW1": np.full((1, 1), 2.0), "db1": np.ones((1, 1))}
    >>> params, v, s = update_parameters_with_adam(params, grads, v, s, 1)
    >>> params["W1"].round(6)
    array([[0.99]])
    """
    return _v2021._adam(parameters, grads, v, s, t, learning_rate, beta1, beta2,
                        epsilon, "update_parameters_with_adam")[:3]


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, print_cost=True):
    """The 2017 notebook's model: as the 2021 one without decay; prints "Cost after epoch i:
    cost" every 1000 epochs, the cost being the epoch's last minibatch's (its mean).

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels 0/1 (1, m).
    layers_dims : sequence of int
        ``[n_x, n_1, n_2, 1]``: the helpers' forward pass has three layers.
    optimizer : {"gd", "momentum", "adam"}
        The update rule.
    learning_rate : float, default 0.0007
        α.
    mini_batch_size : int, default 64
        Examples per minibatch.
    beta : float, default 0.9
        Momentum's β.
    beta1, beta2 : float, default 0.9 and 0.999
        Adam's decay rates.
    epsilon : float, default 1e-8
        Adam's ε.
    num_epochs : int, default 10000
        Passes over the data.
    print_cost : bool, default True
        Print every 1000 epochs.

    Returns
    -------
    dict of numpy.ndarray
        The trained parameters.

    Raises
    ------
    ValueError
        If ``optimizer`` is unknown, an argument is out of range, or X, Y, layers_dims do not
        match.

    Examples
    --------
    >>> from fastbackprop.course2.optimization_2017 import load_dataset, model
    >>> train_X, train_Y = load_dataset()
    >>> parameters = model(train_X, train_Y, [2, 5, 2, 1], optimizer="gd", num_epochs=1001)
    Cost after epoch 0: 0.690736
    Cost after epoch 1000: 0.685273
    """
    return _v2021.run_model(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta,
                            beta1, beta2, epsilon, num_epochs, print_cost, None, 1, True)
