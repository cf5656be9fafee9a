"""The "Regularization" notebook (``reg_utils`` and its graded functions), on fused kernels.

Replace ``from reg_utils import *`` by ``from fastbackprop.course2.regularization import *``
(and the notebook's graded functions by this module's): ``model`` runs its 30 000 iterations in
compiled code (``kernels.course2``), with L2 or with the course's dropout, and prints the
course's lines. ``load_2D_dataset`` takes the path of the assignment's ``datasets/data.mat``
(the default, as the course) and needs SciPy. The course's plots are not drawn.

The course's dropout reseeds ``np.random.seed(1)`` on every forward call, so its masks are the
same at every iteration; ``model`` draws them once, the same way, and the compiled loop applies
them at every iteration.
"""
import os

import numpy as np

from .. import _validate
from ..course import update_parameters
from . import _common
from ._common import linear_backward, relu_mask

__all__ = [
    "sigmoid", "relu", "initialize_parameters", "forward_propagation", "backward_propagation",
    "compute_cost", "update_parameters", "load_2D_dataset", "predict", "predict_dec",
    "compute_cost_with_regularization", "backward_propagation_with_regularization",
    "forward_propagation_with_dropout", "backward_propagation_with_dropout", "model",
]


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
    >>> from fastbackprop.course2.regularization import sigmoid
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
    >>> from fastbackprop.course2.regularization import relu
    >>> relu(np.array([-3.0, 3.0]))
    array([0., 3.])
    """
    return _common.relu(x)


def initialize_parameters(layer_dims):
    """``np.random.seed(3)``; W{l} = randn(n_l, n_{l-1}) / √n_{l-1}; b zeros.

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
    >>> from fastbackprop.course2.regularization import initialize_parameters
    >>> parameters = initialize_parameters([2, 20, 3, 1])
    >>> round(float(parameters["W1"][0, 0]), 6)
    1.264751
    """
    dims = list(layer_dims)
    _validate.layer_dims(dims, "layer_dims")
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(dims)):
        parameters['W' + str(l)] = np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
        parameters['b' + str(l)] = np.zeros((dims[l], 1))
    return parameters


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
    >>> from fastbackprop.course2.regularization import forward_propagation, initialize_parameters
    >>> a3, cache = forward_propagation(np.ones((2, 5)), initialize_parameters([2, 20, 3, 1]))
    >>> a3.shape
    (1, 5)
    """
    return _common.forward_propagation(X, parameters)


def backward_propagation(X, Y, cache):
    """reg_utils' backward pass (no regularisation): dz3 = 1./m·(a3 − Y), dW = dz·Aᵀ, db = Σ dz.

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
    >>> from fastbackprop.course2.regularization import (backward_propagation,
    ...     forward_propagation, initialize_parameters)
    >>> X = np.ones((2, 5))
    >>> a3, cache = forward_propagation(X, initialize_parameters([2, 20, 3, 1]))
    >>> backward_propagation(X, np.ones((1, 5)), cache)["dW2"].shape
    (3, 20)
    """
    return _common.backward_propagation(X, Y, cache)


def compute_cost(a3, Y):
    """1./m · nansum(−log(a3)·Y − log(1 − a3)·(1 − Y)), reg_utils' formula (a float).

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
    >>> from fastbackprop.course2.regularization import compute_cost
    >>> round(float(compute_cost(np.array([[0.9, 0.2]]), np.array([[1, 0]]))), 6)
    0.164252
    """
    return _common.nansum_cost(a3, Y)


def load_2D_dataset(path="datasets/data.mat"):
    """train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200) from data.mat.

    The course reads ``datasets/data.mat`` under the working directory; pass another path to
    read it elsewhere. Labels load as uint8, as in the course. Needs SciPy (``scipy.io``). The
    course's scatter plot is not drawn.

    Parameters
    ----------
    path : str or os.PathLike, default "datasets/data.mat"
        The assignment's data file.

    Returns
    -------
    train_X, train_Y, test_X, test_Y : numpy.ndarray
        ``data['X'].T``, ``data['y'].T``, ``data['Xval'].T``, ``data['yval'].T``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file lacks one of X, y, Xval, yval.

    Examples
    --------
    >>> from fastbackprop.course2.regularization import load_2D_dataset
    >>> load_2D_dataset("no/such/data.mat")
    Traceback (most recent call last):
    ...
    FileNotFoundError: load_2D_dataset: no data file at 'no/such/data.mat' ...
    """
    import scipy.io
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_2D_dataset: no data file at {path!r} (the "
                                "regularisation assignment's datasets/data.mat)")
    data = scipy.io.loadmat(path)
    missing = [key for key in ("X", "y", "Xval", "yval") if key not in data]
    if missing:
        raise ValueError(f"load_2D_dataset: {path!r} has no {', '.join(missing)}")
    train_X = data['X'].T
    train_Y = data['y'].T
    test_X = data['Xval'].T
    test_Y = data['yval'].T
    return train_X, train_Y, test_X, test_Y


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
    >>> from fastbackprop.course2.regularization import initialize_parameters, predict
    >>> p = predict(np.zeros((2, 2)), np.array([[0, 0]]), initialize_parameters([2, 3, 2, 1]))
    Accuracy: 1.0
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
    >>> from fastbackprop.course2.regularization import initialize_parameters, predict_dec
    >>> predict_dec(initialize_parameters([2, 3, 2, 1]), np.zeros((2, 2)))
    array([[False, False]])
    """
    return _common.predict_dec(parameters, X)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """``compute_cost`` plus λ/(2m)·(ΣW1² + ΣW2² + ΣW3²).

    Parameters
    ----------
    A3 : numpy.ndarray
        (1, m) probabilities.
    Y : numpy.ndarray
        (1, m) labels.
    parameters : dict
        W1, W2, W3 (and the biases).
    lambd : float
        The L2 strength λ.

    Returns
    -------
    numpy.float64
        The regularised cost.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.regularization import compute_cost_with_regularization
    >>> parameters = {"W1": np.ones((2, 2)), "W2": np.ones((1, 2)), "W3": np.ones((1, 1))}
    >>> round(float(compute_cost_with_regularization(np.array([[0.5, 0.5]]),
    ...                                              np.array([[1, 0]]), parameters, 0.1)), 6)
    0.868147
    """
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2))
                                                + np.sum(np.square(W3)))
    return cross_entropy_cost + L2_regularization_cost


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """The backward pass of the L2-regularised cost: dW{l} = 1./m·dZ·Aᵀ + λ/m·W{l}.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels (1, m).
    cache : tuple
        From ``forward_propagation``.
    lambd : float
        The L2 strength λ.

    Returns
    -------
    dict of numpy.ndarray
        dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.regularization import (
    ...     backward_propagation_with_regularization, forward_propagation, initialize_parameters)
    >>> X = np.ones((2, 5))
    >>> a3, cache = forward_propagation(X, initialize_parameters([2, 20, 3, 1]))
    >>> grads = backward_propagation_with_regularization(X, np.ones((1, 5)), cache, 0.7)
    >>> sorted(grads)[:4]
    ['dA1', 'dA2', 'dW1', 'dW2']
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3, db3, dA2 = linear_backward(dZ3, A2, W3, 1. / m)
    dW3 = dW3 + (lambd * W3) / m
    dZ2 = relu_mask(dA2, A2)
    dW2, db2, dA1 = linear_backward(dZ2, A1, W2, 1. / m)
    dW2 = dW2 + (lambd * W2) / m
    dZ1 = relu_mask(dA1, A1)
    dW1, db1, _ = linear_backward(dZ1, X, W1, 1. / m, need_dA_prev=False)
    dW1 = dW1 + (lambd * W1) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
            "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _keep_prob(keep_prob):
    return _validate.real(keep_prob, "keep_prob", 0.0, 1.0, low_open=True)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """The forward pass with inverted dropout on both hidden layers, the course's masks.

    Seeds ``np.random.seed(1)`` first, then draws D1 = rand(n_1, m) < keep_prob and
    D2 = rand(n_2, m) < keep_prob (ints), so every call gives the same masks, as the course's.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    parameters : dict
        W1, b1, W2, b2, W3, b3.
    keep_prob : float, default 0.5
        Probability of keeping a unit, in (0, 1].

    Returns
    -------
    A3 : numpy.ndarray
        (1, m).
    cache : tuple
        ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``.

    Raises
    ------
    ValueError
        If keep_prob is not in (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.regularization import (forward_propagation_with_dropout,
    ...     initialize_parameters)
    >>> A3, cache = forward_propagation_with_dropout(np.ones((2, 5)),
    ...     initialize_parameters([2, 20, 3, 1]), keep_prob=0.7)
    >>> cache[1].shape, int(cache[1].sum())
    ((20, 5), 74)
    """
    keep_prob = _keep_prob(keep_prob)
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = _common.three_layers(parameters, "forward_propagation_with_dropout")
    Z1, A1 = _common.layer(X, W1, b1, _common.RELU, "forward_propagation_with_dropout")
    D1 = np.random.rand(A1.shape[0], A1.shape[1])
    D1 = (D1 < keep_prob).astype(int)
    A1 = A1 * D1
    A1 = A1 / keep_prob
    Z2, A2 = _common.layer(A1, W2, b2, _common.RELU, "forward_propagation_with_dropout")
    D2 = np.random.rand(A2.shape[0], A2.shape[1])
    D2 = (D2 < keep_prob).astype(int)
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3, A3 = _common.output_layer(A2, W3, b3, "forward_propagation_with_dropout")
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """The backward pass with the forward's masks: dA{l} = dA{l}·D{l} / keep_prob.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels (1, m).
    cache : tuple
        From ``forward_propagation_with_dropout``.
    keep_prob : float
        The forward's keep_prob, in (0, 1].

    Returns
    -------
    dict of numpy.ndarray
        dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1.

    Raises
    ------
    ValueError
        If keep_prob is not in (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.regularization import (backward_propagation_with_dropout,
    ...     forward_propagation_with_dropout, initialize_parameters)
    >>> X = np.ones((2, 5))
    >>> A3, cache = forward_propagation_with_dropout(X, initialize_parameters([2, 20, 3, 1]), 0.8)
    >>> backward_propagation_with_dropout(X, np.ones((1, 5)), cache, 0.8)["dA1"].shape
    (20, 5)
    """
    keep_prob = _keep_prob(keep_prob)
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3, db3, dA2 = linear_backward(dZ3, A2, W3, 1. / m)
    dA2 = dA2 * D2
    dA2 = dA2 / keep_prob
    dZ2 = relu_mask(dA2, A2)
    dW2, db2, dA1 = linear_backward(dZ2, A1, W2, 1. / m)
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    dZ1 = relu_mask(dA1, A1)
    dW1, db1, _ = linear_backward(dZ1, X, W1, 1. / m, need_dA_prev=False)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
            "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0,
          keep_prob=1):
    """The notebook's 3-layer model [n_x, 20, 3, 1], with L2 (``lambd``) or dropout
    (``keep_prob``), full-batch gradient descent in compiled code; prints "Cost after
    iteration i: cost" every 10 000 iterations.

    The printed cost is the course's: ``compute_cost`` (or ``compute_cost_with_regularization``)
    of the iteration's A3 (the dropped-out forward's, with dropout), before its update. The
    course's cost plot is not drawn.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels 0/1 (1, m), uint8 as ``load_2D_dataset`` gives them, or any real type.
    learning_rate : float, default 0.3
        Step size.
    num_iterations : int, default 30000
        Gradient descent steps.
    print_cost : bool, default True
        Print the cost every 10 000 iterations.
    lambd : float, default 0
        L2 strength λ >= 0.
    keep_prob : float, default 1
        Dropout's keep probability, in (0, 1]; 1: no dropout.

    Returns
    -------
    dict of numpy.ndarray
        The trained W1, b1, W2, b2, W3, b3.

    Raises
    ------
    ValueError
        If both L2 and dropout are asked for (the course asserts one at a time), an argument is
        out of range, or X, Y are not (n_x, m), (1, m) finite numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.regularization import model
    >>> X = np.array([[0.1, -0.4, 0.3, 0.2], [0.5, 0.1, -0.2, -0.6]])
    >>> parameters = model(X, np.array([[1, 0, 1, 0]]), num_iterations=10001)
    Cost after iteration 0: 0.7237403222084119
    Cost after iteration 10000: 0.00036018634...
    """
    learning_rate = _validate.learning_rate(learning_rate)
    num_iterations = _validate.count(num_iterations, "num_iterations")
    lambd = _validate.real(lambd, "lambd", 0.0, np.inf)
    keep_prob = _keep_prob(keep_prob)
    if lambd != 0 and keep_prob != 1:
        raise ValueError(f"model: lambd={lambd} and keep_prob={keep_prob}: the course uses one "
                         "regularisation at a time (lambd == 0 or keep_prob == 1)")
    X64, Y64 = _common.model_data(X, Y)
    m = X64.shape[1]
    layers_dims = [X64.shape[0], 20, 3, 1]
    parameters = initialize_parameters(layers_dims)
    masks = None
    if keep_prob < 1:
        masks = np.concatenate([D.reshape(-1) for D in _common.mask_pair(
            [(20, m), (3, m)], keep_prob)]).astype(np.float64)

    def record(i, cost, a3, parameters_i):
        if lambd == 0:
            cost = compute_cost(a3, Y64)
        else:
            cost = compute_cost_with_regularization(a3, Y64, parameters_i(), lambd)
        print("Cost after iteration {}: {}".format(i, cost))

    points = range(0, num_iterations, 10000) if print_cost else ()
    return _common.train(parameters, layers_dims, X64, Y64, num_iterations, learning_rate,
                         points, record, lambd=lambd, masks=masks, keep_prob=keep_prob)
