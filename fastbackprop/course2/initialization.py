"""The "Initialization" notebook (``init_utils`` and its graded functions), on fused kernels.

Replace ``from init_utils import *`` by ``from fastbackprop.course2.initialization import *``:
the notebook's cells run unchanged. ``model`` runs its 15 000 iterations in compiled code
(``kernels.course2``) and prints the course's lines; the per-step functions call the fused layer
kernels. The data are scikit-learn's ``make_circles`` with the course's seeds (``pip install
"fastbackprop[course2]"``). The course's plots (the scatter in ``load_dataset``, the cost curve
in ``model``) are not drawn.
"""
import numpy as np

from .. import _validate
from ..course import update_parameters
from . import _common

__all__ = [
    "sigmoid", "relu", "load_dataset", "initialize_parameters_zeros",
    "initialize_parameters_random", "initialize_parameters_he", "forward_propagation",
    "backward_propagation", "compute_loss", "update_parameters", "predict", "predict_dec",
    "model",
]

INITIALIZATIONS = ("zeros", "random", "he")


def sigmoid(x):
    """s = 1/(1 + exp(-x)), the helpers' formula, elementwise.

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
    >>> from fastbackprop.course2.initialization import sigmoid
    >>> sigmoid(np.array([[0.0, 2.0]])).round(4)
    array([[0.5   , 0.8808]])
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
    >>> from fastbackprop.course2.initialization import relu
    >>> relu(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """
    return _common.relu(x)


def load_dataset():
    """The course's circles: ``np.random.seed(1)``, 300 training points; ``np.random.seed(2)``,
    100 test points; ``make_circles(noise=.05)``.

    Needs scikit-learn (``pip install "fastbackprop[course2]"``). Seeds the global NumPy RNG, as
    the course does. The course's scatter plot is not drawn.

    Returns
    -------
    train_X : numpy.ndarray
        (2, 300) float64.
    train_Y : numpy.ndarray
        (1, 300) int labels.
    test_X : numpy.ndarray
        (2, 100) float64.
    test_Y : numpy.ndarray
        (1, 100) int labels.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> from fastbackprop.course2.initialization import load_dataset
    >>> train_X, train_Y, test_X, test_Y = load_dataset()
    >>> train_X.shape, train_Y.shape, test_X.shape, test_Y.shape
    ((2, 300), (1, 300), (2, 100), (1, 100))
    """
    make_circles = _sklearn_datasets().make_circles
    np.random.seed(1)
    train_X, train_Y = make_circles(n_samples=300, noise=.05)
    np.random.seed(2)
    test_X, test_Y = make_circles(n_samples=100, noise=.05)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    test_X = test_X.T
    test_Y = test_Y.reshape((1, test_Y.shape[0]))
    return train_X, train_Y, test_X, test_Y


def _sklearn_datasets():
    try:
        import sklearn.datasets
    except ImportError:
        raise ImportError("the course's 2-D datasets come from scikit-learn: "
                          'pip install "fastbackprop[course2]"') from None
    return sklearn.datasets


def _layers_dims(layers_dims):
    dims = list(layers_dims)
    _validate.layer_dims(dims, "layers_dims")
    return dims


def initialize_parameters_zeros(layers_dims):
    """W{l} and b{l} all zeros.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1), float64 zeros.

    Examples
    --------
    >>> from fastbackprop.course2.initialization import initialize_parameters_zeros
    >>> initialize_parameters_zeros([3, 2, 1])["W1"]
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    dims = _layers_dims(layers_dims)
    parameters = {}
    for l in range(1, len(dims)):
        parameters['W' + str(l)] = np.zeros((dims[l], dims[l - 1]))
        parameters['b' + str(l)] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims):
    """``np.random.seed(3)``; W{l} = randn(n_l, n_{l-1})·10 layer by layer; b zeros.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1), float64.

    Examples
    --------
    >>> from fastbackprop.course2.initialization import initialize_parameters_random
    >>> parameters = initialize_parameters_random([3, 2, 1])
    >>> parameters["W1"].round(6)
    array([[ 17.886285,   4.365099,   0.964975],
           [-18.634927,  -2.773882,  -3.54759 ]])
    """
    dims = _layers_dims(layers_dims)
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(dims)):
        parameters['W' + str(l)] = np.random.randn(dims[l], dims[l - 1]) * 10
        parameters['b' + str(l)] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_he(layers_dims):
    """``np.random.seed(3)``; W{l} = randn(n_l, n_{l-1})·√(2/n_{l-1}); b zeros.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_x, n_1, …, n_L]``.

    Returns
    -------
    dict of numpy.ndarray
        W{l} (n_l, n_{l-1}) and b{l} (n_l, 1), float64.

    Examples
    --------
    >>> from fastbackprop.course2.initialization import initialize_parameters_he
    >>> parameters = initialize_parameters_he([2, 4, 1])
    >>> parameters["W2"].round(6)
    array([[-0.030984, -0.337444, -0.929043,  0.625522]])
    """
    dims = _layers_dims(layers_dims)
    np.random.seed(3)
    parameters = {}
    L = len(dims) - 1
    for l in range(1, L + 1):
        parameters['W' + str(l)] = np.random.randn(dims[l], dims[l - 1]) * np.sqrt(
            2. / dims[l - 1])
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
        (1, m) probabilities.
    cache : tuple
        ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.

    Raises
    ------
    KeyError
        If a parameter is missing.
    ValueError
        If the shapes do not chain.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.initialization import forward_propagation
    >>> from fastbackprop.course2.initialization import initialize_parameters_he
    >>> a3, cache = forward_propagation(np.ones((2, 3)), initialize_parameters_he([2, 4, 3, 1]))
    >>> a3.shape, len(cache)
    ((1, 3), 12)
    """
    return _common.forward_propagation(X, parameters)


def backward_propagation(X, Y, cache):
    """The helpers' backward pass: dz3 = 1./m·(a3 − Y), dW = dz·Aᵀ, db = Σ dz, relu' = [a > 0].

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
    >>> from fastbackprop.course2.initialization import (backward_propagation,
    ...     forward_propagation, initialize_parameters_he)
    >>> X = np.array([[1.0, -1.0], [0.5, 2.0]])
    >>> a3, cache = forward_propagation(X, initialize_parameters_he([2, 4, 3, 1]))
    >>> grads = backward_propagation(X, np.array([[1, 0]]), cache)
    >>> grads["dW1"].shape, grads["db3"].shape
    ((4, 2), (1, 1))
    """
    return _common.backward_propagation(X, Y, cache)


def compute_loss(a3, Y):
    """1./m · nansum(−log(a3)·Y − log(1 − a3)·(1 − Y)), the helpers' formula (a float).

    NaN terms are skipped (``np.nansum``): the random ×10 initialisation's saturated outputs
    give an infinite loss, as in the course.

    Parameters
    ----------
    a3 : numpy.ndarray
        (1, m) probabilities.
    Y : numpy.ndarray
        (1, m) labels.

    Returns
    -------
    numpy.float64
        The loss.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.course2.initialization import compute_loss
    >>> float(compute_loss(np.array([[0.5, 0.5]]), np.array([[1, 0]])))
    0.6931471805599453
    """
    return _common.nansum_cost(a3, Y)


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
    >>> from fastbackprop.course2.initialization import initialize_parameters_zeros, predict
    >>> p = predict(np.ones((2, 4)), np.array([[0, 0, 0, 1]]),
    ...             initialize_parameters_zeros([2, 3, 2, 1]))
    Accuracy: 0.75
    """
    return _common.predict(X, y, parameters)


def predict_dec(parameters, X):
    """a3 > 0.5 as booleans (1, m), for the course's decision-boundary plots.

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
    >>> from fastbackprop.course2.initialization import initialize_parameters_zeros, predict_dec
    >>> predict_dec(initialize_parameters_zeros([2, 3, 2, 1]), np.ones((2, 2)))
    array([[False, False]])
    """
    return _common.predict_dec(parameters, X)


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True,
          initialization="he"):
    """The notebook's 3-layer model [n_x, 10, 5, 1]: full-batch gradient descent in compiled
    code; prints "Cost after iteration i: cost" every 1000 iterations.

    The printed cost is ``compute_loss`` of the iteration's a3 (before its update), as the
    course. The course's cost plot is not drawn.

    Parameters
    ----------
    X : array_like
        Inputs (n_x, m).
    Y : array_like
        Labels 0/1 (1, m).
    learning_rate : float, default 0.01
        Step size.
    num_iterations : int, default 15000
        Gradient descent steps.
    print_cost : bool, default True
        Print the cost every 1000 iterations.
    initialization : {"he", "random", "zeros"}, default "he"
        ``initialize_parameters_he``, ``initialize_parameters_random`` or
        ``initialize_parameters_zeros``.

    Returns
    -------
    dict of numpy.ndarray
        The trained W1, b1, W2, b2, W3, b3.

    Raises
    ------
    ValueError
        If ``initialization`` is unknown, or X, Y are not (n_x, m), (1, m) finite numbers.

    Examples
    --------
    >>> from fastbackprop.course2.initialization import load_dataset, model, predict
    >>> train_X, train_Y, test_X, test_Y = load_dataset()
    >>> parameters = model(train_X, train_Y, num_iterations=2000)
    Cost after iteration 0: 0.8830537463419761
    Cost after iteration 1000: 0.687982...
    >>> p = predict(test_X, test_Y, parameters)
    Accuracy: 0.62
    """
    if initialization not in INITIALIZATIONS:
        raise ValueError(f'initialization must be "he", "random" or "zeros", '
                         f"got {initialization!r}")
    learning_rate = _validate.learning_rate(learning_rate)
    num_iterations = _validate.count(num_iterations, "num_iterations")
    X64, Y64 = _common.model_data(X, Y)
    layers_dims = [X64.shape[0], 10, 5, 1]
    parameters = {"zeros": initialize_parameters_zeros, "random": initialize_parameters_random,
                  "he": initialize_parameters_he}[initialization](layers_dims)

    def record(i, cost, a3, parameters_i):
        print("Cost after iteration {}: {}".format(i, compute_loss(a3, Y64)))

    points = range(0, num_iterations, 1000) if print_cost else ()
    return _common.train(parameters, layers_dims, X64, Y64, num_iterations, learning_rate,
                         points, record)
