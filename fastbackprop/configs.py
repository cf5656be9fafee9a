"""The named benchmark configurations: one registry for the tests, `fastbackprop bench` and asv.

Configurations a–e are full-batch binary classifiers (sigmoid output, cross-entropy, gradient
descent); f, g and h train in minibatches with Adam (a softmax classifier, a regression, a
softmax classifier), shuffled every epoch. All on synthetic data drawn from a fixed seed, so
every system starts from the same X, Y and parameters.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    """One benchmark configuration: a network, its synthetic data and its learning rate.

    Parameters
    ----------
    name : str
        The key in ``CONFIGS`` and in ``--configs``.
    title : str
        The table's description.
    layer_dims : tuple of int
        Layer sizes (ending in 1 for the sigmoid head, in the classes for softmax).
    m : int
        Examples per iteration (one epoch, with ``batch_size``).
    hidden_activation : str
        Activation of the hidden layers.
    learning_rate : float
        The step size.
    dtypes : tuple of str, default ("float64",)
        The dtypes the bench runs it in.
    bench_iterations : int, default 1
        Iterations per timed chunk in ``fastbackprop bench``; ``CALIBRATE``: chosen at run
        time.
    output : {"sigmoid", "softmax", "identity"}, default "sigmoid"
        The output head: binary cross-entropy, softmax cross-entropy (Y one-hot) or half the
        squared error (regression).
    optimizer : {"gd", "adam"}, default "gd"
        The update rule.
    batch_size : int or None, default None
        Examples per step: None, full-batch (one step per iteration); else each iteration is an
        epoch of ``steps_per_iteration()`` steps over the examples shuffled anew.
    beta1, beta2, epsilon : float, default 0.9, 0.999, 1e-8
        Adam's constants.

    Examples
    --------
    >>> from fastbackprop.configs import CONFIGS
    >>> config = CONFIGS["a"]
    >>> config.layer_dims, config.m, config.hidden_activation
    ((2, 4, 1), 400, 'tanh')
    >>> X, Y = config.data()
    >>> X.shape, Y.shape
    ((2, 400), (1, 400))
    >>> f = CONFIGS["f"]
    >>> f.output, f.optimizer, f.batch_size, f.steps_per_iteration()
    ('softmax', 'adam', 128, 100)
    """

    name: str
    title: str
    layer_dims: tuple
    m: int
    hidden_activation: str
    learning_rate: float
    dtypes: tuple = ("float64",)
    # iterations per timed chunk in `fastbackprop bench`: about 0.1-0.2 s of the NumPy baseline,
    # long enough for the timer and short enough to alternate systems many times; CALIBRATE:
    # chosen at run time by timing the baseline (the user's own networks, ``custom``)
    bench_iterations: int = 1
    output: str = "sigmoid"
    optimizer: str = "gd"
    batch_size: int = None
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8

    def steps_per_iteration(self):
        """Steps in one iteration: 1 full-batch, else the epoch's batches (the last one holds
        the remainder).

        Returns
        -------
        int
            ``ceil(m / batch_size)``, or 1.

        Examples
        --------
        >>> from fastbackprop.configs import CONFIGS
        >>> CONFIGS["a"].steps_per_iteration(), CONFIGS["h"].steps_per_iteration()
        (1, 9)
        """
        if self.batch_size is None or self.batch_size >= self.m:
            return 1
        return -(-self.m // self.batch_size)

    def data(self, dtype="float64", seed=0):
        """X (n_x, m) and Y (n_L, m): Gaussian features, targets from a random linear teacher.

        sigmoid: labels 1 where w·x > 0; softmax: one-hot columns of the class argmax_c W_c·x;
        identity: the real value W·x / sqrt(n_x) (unit variance).

        Parameters
        ----------
        dtype : str, default "float64"
            The arrays' dtype.
        seed : int, default 0
            Seed of ``np.random.default_rng``.

        Returns
        -------
        X : numpy.ndarray
            (n_x, m), C-contiguous.
        Y : numpy.ndarray
            (1, m) of 0.0 and 1.0 (sigmoid), (C, m) one-hot (softmax) or (n_L, m) real
            (identity), C-contiguous.

        Examples
        --------
        >>> from fastbackprop.configs import CONFIGS
        >>> X, Y = CONFIGS["h"].data("float32")
        >>> X.shape, Y.shape, Y.dtype.name, bool((Y.sum(axis=0) == 1).all())
        ((64, 1797), (10, 1797), 'float32', True)
        """
        rng = np.random.default_rng(seed)
        n_x, n_L = self.layer_dims[0], self.layer_dims[-1]
        X = rng.standard_normal((n_x, self.m))
        if self.output == "softmax":
            W = rng.standard_normal((n_L, n_x))
            Y = np.eye(n_L)[:, np.argmax(W @ X, axis=0)]
        elif self.output == "identity":
            W = rng.standard_normal((n_L, n_x))
            Y = W @ X / np.sqrt(n_x)
        else:  # the original draws, unchanged: configs a-e keep their data
            w = rng.standard_normal(n_x)
            Y = (w @ X > 0).astype(np.float64)[None, :]
        return np.ascontiguousarray(X, dtype), np.ascontiguousarray(Y, dtype)

    def parameters(self, dtype="float64", seed=0):
        """The common starting point: He (relu) or Glorot (tanh) initialisation.

        Parameters
        ----------
        dtype : str, default "float64"
            The arrays' dtype.
        seed : int, default 0
            Seed of the initialisation.

        Returns
        -------
        dict of numpy.ndarray
            W1, b1, …, WL, bL in the course's layout (biases zero).
        """
        from ._init import default_scheme, initialize
        return initialize(list(self.layer_dims), default_scheme(self.hidden_activation), seed,
                          np.dtype(dtype))

    def layers(self):
        """The shape (n_l, n_{l-1}, m) of every layer l = 1 … L: W is (n_l, n_{l-1}), A_prev is
        (n_{l-1}, m). The per-layer kernel benchmarks name them by config and layer ("c2").

        Returns
        -------
        list of tuple of int
            ``(n_l, n_{l-1}, m)`` for l = 1 … L.

        Examples
        --------
        >>> from fastbackprop.configs import CONFIGS
        >>> CONFIGS["a"].layers()
        [(4, 2, 400), (1, 4, 400)]
        """
        return [(n, k, self.m) for k, n in zip(self.layer_dims[:-1], self.layer_dims[1:])]


CALIBRATE = 0
"""``bench_iterations`` of a configuration whose chunk length is calibrated at run time."""


CONFIGS = {
    c.name: c for c in (
        Config("a", "planar", (2, 4, 1), 400, "tanh", 1.2, bench_iterations=3000),
        Config("b", "cat", (12288, 20, 7, 5, 1), 209, "relu", 0.0075, bench_iterations=30),
        Config("c", "narrow-deep", (100, 64, 64, 64, 64, 64, 64, 1), 16384, "relu", 0.01,
               ("float64", "float32"), bench_iterations=2),
        Config("d", "wide", (1024, 1024, 1024, 1), 2048, "relu", 0.01, ("float32",),
               bench_iterations=2),
        Config("e", "minibatch step", (784, 256, 128, 1), 64, "relu", 0.01,
               bench_iterations=80),
        # minibatch Adam in float32, shuffled every epoch (an iteration is an epoch); chunks of
        # whole epochs, as many as take the NumPy baseline about bench.CHUNK_S (CALIBRATE)
        Config("f", "MNIST-shaped softmax", (784, 256, 128, 10), 12800, "relu", 1e-3,
               ("float32",), bench_iterations=CALIBRATE, output="softmax", optimizer="adam",
               batch_size=128),
        Config("g", "tabular regression", (8, 64, 64, 1), 20000, "relu", 1e-3, ("float32",),
               bench_iterations=CALIBRATE, output="identity", optimizer="adam", batch_size=200),
        Config("h", "digits-shaped softmax", (64, 100, 10), 1797, "relu", 1e-3, ("float32",),
               bench_iterations=CALIBRATE, output="softmax", optimizer="adam", batch_size=200),
    )
}
"""The registered configurations, by name."""


FULL_BATCH = tuple(name for name, c in CONFIGS.items() if c.batch_size is None)
"""Names of the full-batch gradient-descent configurations (a–e): what the per-kernel tools and
the full-batch asv benchmarks iterate over."""
MINIBATCH = tuple(name for name, c in CONFIGS.items() if c.batch_size is not None)
"""Names of the minibatch (Adam) configurations (f, g, h)."""


def custom(layer_dims, m, hidden_activation="relu", learning_rate=0.01, dtypes=("float64",),
           name="custom"):
    """A configuration for a network of the user's own (``fastbackprop bench --layer-dims``):
    the same synthetic data, initialisation and protocol as the registered ones, m examples per
    (full-batch) iteration, and the chunk length calibrated at run time.

    Parameters
    ----------
    layer_dims : sequence of int
        Layer sizes ``[n_x, …, 1]``.
    m : int
        Examples per iteration, >= 1.
    hidden_activation : str, default "relu"
        Activation of the hidden layers.
    learning_rate : float, default 0.01
        The step size, >= 0.
    dtypes : str or sequence of str, default ("float64",)
        "float64", "float32", or both ("float64,float32"); duplicates are dropped.
    name : str, default "custom"
        Its name, not one of the registered ones.

    Returns
    -------
    Config
        Titled by its layer sizes and m, with ``bench_iterations=CALIBRATE``.

    Raises
    ------
    TypeError
        If ``layer_dims`` is not a sequence, a count or the learning rate has the wrong type,
        or a dtype is not float32 or float64.
    ValueError
        If a value is out of range, no dtype is named, or ``name`` is empty or taken.

    Examples
    --------
    >>> from fastbackprop.configs import custom
    >>> config = custom([784, 256, 1], 128, dtypes="float64,float32")
    >>> config.title, config.dtypes
    ('784-256-1 m=128', ('float64', 'float32'))
    """
    from . import _validate
    dims = tuple(_validate.layer_dims(layer_dims))
    if dims[-1] != 1:  # the bench's peers all train one sigmoid unit on binary labels
        raise ValueError(f"layer_dims must end in 1 (one sigmoid output for binary labels), "
                         f"got {list(dims)}")
    m = _validate.count(m, "m (examples)", minimum=1)
    hidden_activation = _validate.activation(hidden_activation)
    learning_rate = _validate.learning_rate(learning_rate)
    if isinstance(dtypes, str):
        dtypes = [d for d in dtypes.split(",") if d]
    dtypes = tuple(dict.fromkeys(_validate.dtype(d, "dtype").name for d in dtypes))
    if not dtypes:
        raise ValueError("dtype: name at least one of float64, float32")
    if not isinstance(name, str) or not name or name in CONFIGS:
        raise ValueError(f"name must be a new configuration name, not one of "
                         f"{', '.join(CONFIGS)}; got {name!r}")
    return Config(name, f"{'-'.join(map(str, dims))} m={m}", dims, m, hidden_activation,
                  learning_rate, dtypes, bench_iterations=CALIBRATE)


def flops_per_iteration(layer_dims, m):
    """GEMM floating-point operations of one forward + backward pass (2·n·k·m per product:
    Z = W·A_prev, dW = dZ·A_prevᵀ, and dA_prev = Wᵀ·dZ for every layer but the first).

    For an epoch of minibatches, m is all the examples (the sum over the batches); one step is
    ``flops_per_iteration(layer_dims, batch_size)``.

    Parameters
    ----------
    layer_dims : sequence of int
        Layer sizes.
    m : int
        Examples per iteration.

    Returns
    -------
    int
        The flop count.

    Examples
    --------
    >>> from fastbackprop.configs import flops_per_iteration
    >>> flops_per_iteration([2, 4, 1], 400)  # 2·(2·4·2·400) + 3·(2·1·4·400)
    22400
    >>> round(flops_per_iteration([784, 256, 128, 10], 128) / 1e6)  # a step of config f
    129
    """
    total = 0
    for l in range(1, len(layer_dims)):
        products = 3 if l > 1 else 2
        total += products * 2 * layer_dims[l] * layer_dims[l - 1] * m
    return total
