"""The "Optimization Methods" notebook, 2021 edition (``opt_utils_v1a`` and its graded
functions), on fused kernels. The 2017 edition is ``fastbackprop.course2.optimization_2017``.

Replace ``from opt_utils_v1a import *`` by ``from fastbackprop.course2.optimization import *``:
``model`` runs every epoch in compiled code (``kernels.course2``) with the course's minibatches
(``random_mini_batches``' ``np.random.seed(seed)`` permutations, seed 10 + epoch + 1, drawn once in
NumPy), gradient descent, momentum or Adam (t counting minibatches), and the 2021 learning-rate
``decay``. ``compute_cost`` sums over the examples and the model prints cost_total / m. The
data are scikit-learn's ``make_moons`` with the course's seed (``pip install
"fastbackprop[course2]"``). The course's plots are not drawn.
"""
import math

import numpy as np

from .. import _validate
from ..course import update_parameters
from ..course._arrays import as_c, float_dtype
from ..kernels import course2 as kernels
from . import _common
from .initialization import _sklearn_datasets

__all__ = [
    "sigmoid", "relu", "load_params_and_grads", "initialize_parameters", "compute_cost",
    "forward_propagation", "backward_propagation", "predict", "predict_dec", "load_dataset",
    "update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
    "update_parameters_with_momentum", "initialize_adam", "update_parameters_with_adam",
    "update_lr", "schedule_lr_decay", "model",
]

OPTIMIZERS = ("gd", "momentum", "adam")


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
    >>> from fastbackprop.course2.optimization import sigmoid
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
    >>> from fastbackprop.course2.optimization import relu
    >>> relu(np.array([-1.0, 1.0]))
    array([0., 1.])
    """
    return _common.relu(x)


def load_params_and_grads(seed=1):
    """The helpers' test values: ``np.random.seed(seed)``, then W1 (2, 3), b1 (2, 1), W2 (3, 3),
    b2 (3, 1), dW1, db1, dW2, db2 of the same shapes, from randn in that order.

    Parameters
    ----------
    seed : int, default 1
        The global RNG's seed.

    Returns
    -------
    tuple of numpy.ndarray
        W1, b1, W2, b2, dW1, db1, dW2, db2.

    Examples
    --------
    >>> from fastbackprop.course2.optimization import load_params_and_grads
    >>> W1, b1, W2, b2, dW1, db1, dW2, db2 = load_params_and_grads()
    >>> round(float(W1[0, 0]), 6)
    1.624345
    """
    np.random.seed(seed)
    W1 = np.random.randn(2, 3)
    b1 = np.random.randn(2, 1)
    W2 = np.random.randn(3, 3)
    b2 = np.random.randn(3, 1)
    dW1 = np.random.randn(2, 3)
    db1 = np.random.randn(2, 1)
    dW2 = np.random.randn(3, 3)
    db2 = np.random.randn(3, 1)
    return W1, b1, W2, b2, dW1, db1, dW2, db2


def initialize_parameters(layer_dims):
    """``np.random.seed(3)``; W{l} = randn(n_l, n_{l-1})·√(2/n_{l-1}); b zeros.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1), float64.

    Examples
    --------
    >>> from fastbackprop.course2.optimization import initialize_parameters
    >>> round(float(initialize_parameters([2, 5, 2, 1])["W1"][0, 0]), 6)
    1.788628
    """
    dims = list(layer_dims)
    _validate.layer_dims(dims, "layer_dims")
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(dims)):
        parameters['W' + str(l)] = np.random.randn(dims[l], dims[l - 1]) * np.sqrt(
            2 / dims[l - 1])
        parameters['b' + str(l)] = np.zeros((dims[l], 1))
    return parameters


def compute_cost(a3, Y):
    """Σ −log(a3)·Y − log(1 − a3)·(1 − Y) over the examples, *not* divided by m (2021).

    Parameters
    ----------
    a3 : numpy.ndarray
        (1, m) probabilities.
    Y : numpy.ndarray
        (1, m) labels.

    Returns
    -------
    numpy.float64
        cost_total; the model divides the epoch's total by m.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import compute_cost
    >>> round(float(compute_cost(np.array([[0.5, 0.5]]), np.array([[1, 0]]))), 6)
    1.386294
    """
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return np.sum(logprobs)


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID; returns a3 and the cache.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    parameters : dict
        W1, b1, W2, b2, W3, b3.

    Returns
    -------
    a3 : numpy.ndarray
        (1, m).
    cache : tuple
        ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import forward_propagation, initialize_parameters
    >>> forward_propagation(np.ones((2, 4)), initialize_parameters([2, 5, 2, 1]))[0].shape
    (1, 4)
    """
    return _common.forward_propagation(X, parameters)


def backward_propagation(X, Y, cache):
    """The helpers' backward pass: dz3 = 1./m·(a3 − Y), dW = dz·Aᵀ, db = Σ dz.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels (1, m).
    cache : tuple
        From ``forward_propagation``.

    Returns
    -------
    dict of numpy.ndarray
        dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import (backward_propagation,
    ...     forward_propagation, initialize_parameters)
    >>> X = np.ones((2, 4))
    >>> a3, cache = forward_propagation(X, initialize_parameters([2, 5, 2, 1]))
    >>> backward_propagation(X, np.ones((1, 4)), cache)["dW1"].shape
    (5, 2)
    """
    return _common.backward_propagation(X, Y, cache)


def predict(X, y, parameters):
    """Predictions (1, m) of 0/1 ints (a3 > 0.5); prints "Accuracy: " as the course.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    y : numpy.ndarray
        Labels (1, m).
    parameters : dict
        W1 … b3.

    Returns
    -------
    numpy.ndarray
        (1, m) ints.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import initialize_parameters, predict
    >>> p = predict(np.zeros((2, 2)), np.array([[0, 1]]), initialize_parameters([2, 5, 2, 1]))
    Accuracy: 0.5
    """
    return _common.predict(X, y, parameters)


def predict_dec(parameters, X):
    """a3 > 0.5 as booleans (1, m).

    Parameters
    ----------
    parameters : dict
        W1 … b3.
    X : array_like
        Inputs (n_x, m).

    Returns
    -------
    numpy.ndarray
        (1, m) booleans.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import initialize_parameters, predict_dec
    >>> predict_dec(initialize_parameters([2, 5, 2, 1]), np.zeros((2, 1)))
    array([[False]])
    """
    return _common.predict_dec(parameters, X)


def load_dataset():
    """The course's moons: ``np.random.seed(3)``; ``make_moons(n_samples=300, noise=.2)``.

    Needs scikit-learn (``pip install "fastbackprop[course2]"``). The scatter plot is not drawn.

    Returns
    -------
    train_X : numpy.ndarray
        (2, 300) float64.
    train_Y : numpy.ndarray
        (1, 300) int labels.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> from fastbackprop.course2.optimization import load_dataset
    >>> train_X, train_Y = load_dataset()
    >>> train_X.shape, train_Y.shape
    ((2, 300), (1, 300))
    """
    make_moons = _sklearn_datasets().make_moons
    np.random.seed(3)
    train_X, train_Y = make_moons(n_samples=300, noise=.2)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    return train_X, train_Y


def update_parameters_with_gd(parameters, grads, learning_rate):
    """W{l} − α·dW{l}, b{l} − α·db{l}, in a new dict (the caller's arrays untouched).

    Parameters
    ----------
    parameters : dict
        W1, b1, …, WL, bL.
    grads : dict
        dW1, db1, …, dWL, dbL.
    learning_rate : float
        α.

    Returns
    -------
    dict of numpy.ndarray
        The updated parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import update_parameters_with_gd
    >>> update_parameters_with_gd({"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))},
    ...                           {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))}, 0.1)
    {'W1': array([[0.9, 0.9]]), 'b1': array([[-0.1]])}
    """
    return update_parameters(parameters, grads, learning_rate)


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """``np.random.seed(seed)``, a permutation of the m columns, then blocks of
    ``mini_batch_size`` (the last one holds the remainder).

    Parameters
    ----------
    X : numpy.ndarray
        (n_x, m).
    Y : numpy.ndarray
        (1, m).
    mini_batch_size : int, default 64
        Examples per minibatch, >= 1.
    seed : int, default 0
        The global RNG's seed.

    Returns
    -------
    list of tuple
        ``(mini_batch_X, mini_batch_Y)`` pairs.

    Raises
    ------
    ValueError
        If mini_batch_size < 1 or Y does not have m values.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import random_mini_batches
    >>> batches = random_mini_batches(np.arange(20.).reshape(2, 10), np.ones((1, 10)), 4)
    >>> [b[0].shape for b in batches]
    [(2, 4), (2, 4), (2, 2)]
    """
    mini_batch_size = _validate.count(mini_batch_size, "mini_batch_size", 1)
    m = X.shape[1]
    if np.size(Y) != m:
        raise ValueError(f"random_mini_batches: Y must have {m} values (one per column of X), "
                         f"got shape {np.shape(Y)}")
    np.random.seed(seed)
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    inc = mini_batch_size
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batches.append((shuffled_X[:, k * inc:(k + 1) * inc],
                             shuffled_Y[:, k * inc:(k + 1) * inc]))
    if m % mini_batch_size != 0:
        mini_batches.append((shuffled_X[:, num_complete_minibatches * inc:],
                             shuffled_Y[:, num_complete_minibatches * inc:]))
    return mini_batches


def _layers(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict with keys W1, b1, …, got "
                        f"{type(parameters).__name__}")
    return len(parameters) // 2


def initialize_velocity(parameters):
    """v["dW{l}"], v["db{l}"]: zeros of W{l}'s and b{l}'s shapes.

    Parameters
    ----------
    parameters : dict
        W1, b1, …, WL, bL.

    Returns
    -------
    dict of numpy.ndarray
        The velocity.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import initialize_velocity
    >>> initialize_velocity({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))})
    {'dW1': array([[0., 0.]]), 'db1': array([[0.]])}
    """
    L = _layers(parameters)
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(np.shape(parameters["W" + str(l)]))
        v["db" + str(l)] = np.zeros(np.shape(parameters["b" + str(l)]))
    return v


def initialize_adam(parameters):
    """v and s: zeros of each W{l}'s and b{l}'s shape, keys dW{l}, db{l}.

    Parameters
    ----------
    parameters : dict
        W1, b1, …, WL, bL.

    Returns
    -------
    v, s : dict of numpy.ndarray
        Adam's first and second moments.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import initialize_adam
    >>> v, s = initialize_adam({"W1": np.ones((1, 2)), "b1": np.ones((1, 1))})
    >>> s["dW1"]
    array([[0., 0.]])
    """
    return initialize_velocity(parameters), initialize_velocity(parameters)


def _flat(arrays, key_shapes, where):
    """C-contiguous float arrays of one common dtype, shapes checked against the parameter's."""
    dt = float_dtype(*arrays)
    out = [as_c(a, dt) for a in arrays]
    for (name, a) in zip(key_shapes, out):
        if a.shape != out[0].shape:
            raise ValueError(f"{where}: {name} has shape {a.shape}, its parameter "
                             f"{out[0].shape}")
    return dt, out


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """v = β·v + (1 − β)·dW, W = W − α·v for every W and b; returns new dicts (parameters, v).

    The caller's dicts and arrays are not modified.

    Parameters
    ----------
    parameters : dict
        W1, b1, …, WL, bL.
    grads : dict
        dW1, db1, …, dWL, dbL.
    v : dict
        The velocity, keys dW{l}, db{l}.
    beta : float
        Momentum's β.
    learning_rate : float
        α.

    Returns
    -------
    parameters : dict of numpy.ndarray
        The updated parameters.
    v : dict of numpy.ndarray
        The updated velocity.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import update_parameters_with_momentum
    >>> params, v = update_parameters_with_momentum(
    ...     {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))},
    ...     {"dW1": np.ones((1, 1)), "db1": np.ones((1, 1))},
    ...     {"dW1": np.zeros((1, 1)), "db1": np.zeros((1, 1))}, 0.9, 0.5)
    >>> params["W1"], v["dW1"]
    (array([[0.95]]), array([[0.1]]))
    """
    L = _layers(parameters)
    new_parameters, new_v = dict(parameters), dict(v)
    for l in range(1, L + 1):
        for p in "Wb":
            key, dkey = p + str(l), "d" + p + str(l)
            dt, (P, dP, vP) = _flat((parameters[key], grads[dkey], v[dkey]),
                                    (key, f"grads[{dkey!r}]", f"v[{dkey!r}]"),
                                    "update_parameters_with_momentum")
            P_out, v_out = np.empty_like(P), np.empty_like(P)
            kernels.momentum_update(P.reshape(-1), dP.reshape(-1), vP.reshape(-1), float(beta),
                                    float(learning_rate), P_out.reshape(-1), v_out.reshape(-1))
            new_parameters[key], new_v[dkey] = P_out, v_out
    return new_parameters, new_v


def _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, where):
    L = _layers(parameters)
    t = _validate.count(t, "t", 1)
    new_parameters, new_v, new_s = dict(parameters), dict(v), dict(s)
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in "Wb":
            key, dkey = p + str(l), "d" + p + str(l)
            dt, (P, dP, vP, sP) = _flat(
                (parameters[key], grads[dkey], v[dkey], s[dkey]),
                (key, f"grads[{dkey!r}]", f"v[{dkey!r}]", f"s[{dkey!r}]"), where)
            outs = [np.empty_like(P) for _ in range(5)]
            kernels.adam_update(P.reshape(-1), dP.reshape(-1), vP.reshape(-1), sP.reshape(-1),
                                float(t), float(learning_rate), float(beta1), float(beta2),
                                float(epsilon), *[o.reshape(-1) for o in outs])
            new_parameters[key], new_v[dkey], new_s[dkey] = outs[:3]
            v_corrected[dkey], s_corrected[dkey] = outs[3:]
    return new_parameters, new_v, new_s, v_corrected, s_corrected


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """One Adam step, t the step number (from 1); returns parameters, v, s, v_corrected,
    s_corrected (2021), new dicts.

    v = β1·v + (1 − β1)·dW, s = β2·s + (1 − β2)·dW², v̂ = v/(1 − β1^t), ŝ = s/(1 − β2^t),
    W = W − α·v̂/(√ŝ + ε). The caller's dicts and arrays are not modified.

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
    parameters, v, s, v_corrected, s_corrected : dict of numpy.ndarray
        The updated parameters and moments, and the bias-corrected moments.

    Raises
    ------
    ValueError
        If t < 1 or a shape does not match its parameter's.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.optimization import initialize_adam, update_parameters_with_adam
    >>> params = {"W1": np.ones((1, 1)), "b1": np.zeros((1, 1))}
    >>> v, s = initialize_adam(params)
    >>> grads = {"dW1": np.full((1, 1), 2.0), "db1": np.ones((1, 1))}
    >>> params, v, s, v_c, s_c = update_parameters_with_adam(params, grads, v, s, 1)
    >>> params["W1"].round(6), v_c["dW1"]
    (array([[0.99]]), array([[2.]]))
    """
    return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon,
                 "update_parameters_with_adam")


def update_lr(learning_rate0, epoch_num, decay_rate):
    """α0 / (1 + decay_rate·epoch_num).

    Parameters
    ----------
    learning_rate0 : float
        The initial rate α0.
    epoch_num : int
        The epoch.
    decay_rate : float
        The decay rate.

    Returns
    -------
    float
        The rate.

    Examples
    --------
    >>> from fastbackprop.course2.optimization import update_lr
    >>> update_lr(0.5, 2, 1)
    0.16666666666666666
    """
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """α0 / (1 + decay_rate·⌊epoch_num / time_interval⌋).

    Parameters
    ----------
    learning_rate0 : float
        The initial rate α0.
    epoch_num : int
        The epoch.
    decay_rate : float
        The decay rate.
    time_interval : int, default 1000
        Epochs per step of the schedule.

    Returns
    -------
    float
        The rate.

    Examples
    --------
    >>> from fastbackprop.course2.optimization import schedule_lr_decay
    >>> float(schedule_lr_decay(0.5, 100, 0.3, 100))
    0.3846153846153846
    """
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


def _orders(m, num_epochs):
    """The permutation of every epoch: the model's seed starts at 10 and is incremented before
    each epoch's ``random_mini_batches(X, Y, mini_batch_size, seed)``."""
    orders = np.empty((num_epochs, m), np.int64)
    for i in range(num_epochs):
        np.random.seed(10 + i + 1)
        orders[i] = np.random.permutation(m)
    return orders


def run_model(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1, beta2,
              epsilon, num_epochs, print_cost, decay, decay_rate, mean_of_last):
    """Both editions' model: validation, the epochs' permutations and rates, the compiled loop,
    the printed lines."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f'optimizer must be "gd", "momentum" or "adam", got {optimizer!r}')
    learning_rate = _validate.learning_rate(learning_rate)
    mini_batch_size = _validate.count(mini_batch_size, "mini_batch_size", 1)
    num_epochs = _validate.count(num_epochs, "num_epochs")
    beta = _validate.real(beta, "beta", 0.0, 1.0, high_open=True)
    beta1 = _validate.real(beta1, "beta1", 0.0, 1.0, high_open=True)
    beta2 = _validate.real(beta2, "beta2", 0.0, 1.0, high_open=True)
    epsilon = _validate.real(epsilon, "epsilon", 0.0, np.inf, low_open=True)
    if decay is not None and not callable(decay):
        raise TypeError(f"decay must be None or a function (learning_rate0, epoch_num, "
                        f"decay_rate) -> rate, such as update_lr, got {decay!r}")
    X64, Y64 = _common.model_data(X, Y)
    m = X64.shape[1]
    layers_dims = list(layers_dims)
    _validate.layer_dims(layers_dims, "layers_dims")
    if len(layers_dims) != 4 or layers_dims[0] != X64.shape[0] or layers_dims[-1] != 1:
        raise ValueError(f"layers_dims must be [n_x, n_1, n_2, 1] (the helpers' three layers) "
                         f"with n_x = X's {X64.shape[0]} features, got {layers_dims}")
    parameters = initialize_parameters(layers_dims)
    # the rate of epoch i: the course sets it after epoch i - 1 to decay(α0, i - 1, decay_rate)
    rates = np.full(max(num_epochs, 1), learning_rate)
    if decay:
        for i in range(num_epochs - 1):
            rates[i + 1] = float(decay(learning_rate, i, decay_rate))
    orders = _orders(m, num_epochs)

    def record(i, cost, a3, parameters_i):
        print("Cost after epoch %i: %f" % (i, cost))
        if decay:
            print("learning rate after epoch %i: %f" % (i, decay(learning_rate, i, decay_rate)))

    points = range(0, num_epochs, 1000) if print_cost else ()
    return _common.train(parameters, layers_dims, X64, Y64, num_epochs, learning_rate, points,
                         record, optimizer=optimizer, beta=beta, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, orders=orders, batch_size=mini_batch_size,
                         rates=rates, mean_of_last=mean_of_last)


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None,
          decay_rate=1):
    """The notebook's model (2021): minibatch gd, momentum or Adam, every epoch in compiled
    code; prints "Cost after epoch i: cost" (cost_total / m) every 1000 epochs.

    Each epoch reseeds ``random_mini_batches`` with seed 11, 12, … as the course does (the
    permutations are drawn in NumPy first, so the global RNG ends as the course's leaves it).
    Adam's t counts minibatches. With ``decay`` (``update_lr``, ``schedule_lr_decay`` or any
    function of (learning_rate0, epoch_num, decay_rate)) the rate after epoch i is
    decay(learning_rate, i, decay_rate), also printed every 1000 epochs. The course's cost plot
    is not drawn.

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
        α (α0 with ``decay``).
    mini_batch_size : int, default 64
        Examples per minibatch.
    beta : float, default 0.9
        Momentum's β.
    beta1, beta2 : float, default 0.9 and 0.999
        Adam's decay rates.
    epsilon : float, default 1e-8
        Adam's ε.
    num_epochs : int, default 5000
        Passes over the data.
    print_cost : bool, default True
        Print every 1000 epochs.
    decay : callable or None, default None
        The learning-rate schedule.
    decay_rate : float, default 1
        Passed to ``decay``.

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
    >>> from fastbackprop.course2.optimization import load_dataset, model, predict
    >>> train_X, train_Y = load_dataset()
    >>> parameters = model(train_X, train_Y, [2, 5, 2, 1], optimizer="adam", num_epochs=1001)
    Cost after epoch 0: 0.702166
    Cost after epoch 1000: 0.167845
    >>> p = predict(train_X, train_Y, parameters)
    Accuracy: 0.9...
    """
    return run_model(X, Y, layers_dims, optimizer, learning_rate, mini_batch_size, beta, beta1,
                     beta2, epsilon, num_epochs, print_cost, decay, decay_rate, False)
