"""``fastbackprop.Model``: a dense binary classifier trained by gradient descent, full-batch or
by minibatches.

Parameters live in one flat vector (``kernels.network``); ``parameters`` gives them back in the
course's dict layout. Training runs in compiled chunks of iterations, returning to Python only to
record and print costs, advance the progress bar and let Ctrl-C through at an iteration boundary.
"""
import contextlib
import math
import os
import signal
import sys
import tempfile
import threading
import time

import numpy as np

try:  # the C functions behind signal.signal/getsignal, without their slow enum conversions (see
    # docs/performance.md, "SIGINT swapped through _signal"): SIG_DFL/SIG_IGN as plain ints
    import _signal as _raw_signal
except ImportError:  # not CPython
    _raw_signal = signal

from . import _compile_ahead, _epochs, _init, _plan, _threads, _trainers, _validate
from .kernels import CODES, make_workspace, n_parameters, network, optim
from .kernels._native import fingerprints
from .kernels.activations import sigmoidal_flag
from .kernels.heads import HEADS, kernel_head

FORMAT_VERSION = 3  # 2: the output head, the optimizer state and the step count; 3: history
_CHUNK_SECONDS = 0.05  # compiled chunks this long keep Ctrl-C and the progress bar responsive


class Model:
    """Dense network: hidden layers with ``hidden_activation``, then an output head.

    Examples are columns: X (n_x, m). The head decides the targets and the loss: a binary or
    multi-label classifier (``output="sigmoid"``, binary cross-entropy), a multi-class one
    (``"softmax"``, cross-entropy) or a regressor (``"identity"``, half squared error). ``fit``
    trains it by gradient descent, momentum or Adam, with L2 and dropout if asked.

    Parameters
    ----------
    layer_dims : sequence of int
        Layer sizes ``[n_x, n_1, …, n_L]``: the input features, the hidden layers and the
        output units (at least two entries, all positive).
    hidden_activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}, default "relu"
        Activation of every hidden layer.
    output : {"sigmoid", "softmax", "identity"}, default "sigmoid"
        The output head: "sigmoid" (one unit: binary labels; several: multi-label), "softmax"
        (one unit per class, ``layer_dims[-1] >= 2``), "identity" (regression, any number of
        outputs).
    dtype : {"float64", "float32"}, default "float64"
        Dtype of the parameters and of the computation; inputs are converted to it.
    seed : int or None, default None
        Seed (an integer >= 0) of the initialisation and of the minibatch shuffle; None draws
        fresh entropy, so each model starts differently.
    init : {"he", "glorot", "course", "course_small"} or None, default None
        Initialisation scheme (biases always start at zero): "he" draws
        randn · sqrt(2 / n_prev), "glorot" randn · sqrt(2 / (n_prev + n)), "course"
        randn / sqrt(n_prev) and "course_small" randn · 0.01, the course schemes from
        ``np.random.RandomState(seed)`` in the course's order (``seed=1`` gives the course's
        numbers). None: "he" for relu and leaky_relu, "glorot" for the other activations.

    Attributes
    ----------
    layer_dims : list of int
        The layer sizes.
    hidden_activation : str
        The hidden layers' activation.
    output : str
        The output head.
    dtype : numpy.dtype
        float64 or float32.
    costs : list of tuple of (int, float)
        ``(iteration, cost)`` recorded by ``fit``, over all its calls.
    history : dict of list
        What ``fit`` recorded at the same iterations as ``costs``, one list per key:
        "iteration", "learning_rate", "cost", and the validation set's "val_cost" and
        "val_accuracy" (sigmoid and softmax heads) or "val_r2" (identity), NaN where a fit had
        no ``validation_data``.
    stopped_early : bool
        Whether the last ``fit`` was stopped by ``early_stopping``.
    iterations : int
        Iterations trained so far, over all calls to ``fit``.

    Raises
    ------
    TypeError
        If ``layer_dims`` is not a sequence, or ``dtype`` is not float32 or float64.
    ValueError
        If ``layer_dims`` has fewer than two entries or a size that is not a positive
        integer; if ``hidden_activation``, ``output`` or ``init`` is not one of the names
        above, or ``output="softmax"`` has fewer than two output units; if ``seed`` is not
        None or an integer >= 0.

    See Also
    --------
    Model.from_parameters : A model from the course's parameter dict.
    Model.load : A model saved by ``save``.

    Examples
    --------
    >>> from fastbackprop import Model
    >>> from fastbackprop.datasets import planar_flower
    >>> X, Y = planar_flower()
    >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
    >>> model
    Model(layer_dims=[2, 4, 1], hidden_activation='tanh', dtype='float64')
    >>> model.fit(X, Y, learning_rate=1.2, num_iterations=1000).predict(X).shape
    (1, 400)
    >>> model.iterations
    1000
    """

    def __init__(self, layer_dims, hidden_activation="relu", output="sigmoid", dtype="float64",
                 seed=None, init=None):
        self.layer_dims = _validate.layer_dims(layer_dims)
        self.hidden_activation = _validate.activation(hidden_activation)
        self.output = _validate.output(output, self.layer_dims)
        self.dtype = _validate.dtype(dtype)
        seed = _validate.seed(seed)
        self._shuffle_seed = _shuffle_seed(seed)
        scheme = _init.default_scheme(self.hidden_activation) if init is None else init
        self._set_theta(_init.initialize(self.layer_dims, scheme, seed, self.dtype))
        self.costs = []
        self.iterations = 0  # iterations trained so far, over all calls to fit
        self.history = _epochs.new_history(self.output)
        self.stopped_early = False
        self._reset_optimizer("gd")

    # -- construction from and export to the course's dict layout ------------------------------

    @classmethod
    def from_parameters(cls, parameters, hidden_activation="relu", dtype=None,
                        output="sigmoid"):
        """A model holding copies of ``parameters`` (W1, b1, …, WL, bL in course shapes).

        The layer sizes are read from the W shapes. The model has no costs or iterations yet,
        and a fresh minibatch shuffle seed (pass ``seed`` to ``fit`` for a fixed shuffle).

        Parameters
        ----------
        parameters : dict of array_like
            Exactly the keys W1, b1, …, WL, bL: W{l} of shape (n_l, n_{l-1}), b{l} of shape
            (n_l, 1), finite real numbers. Copied and converted to ``dtype``;
            the caller's arrays are not modified.
        hidden_activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}, default "relu"
            Activation of the hidden layers.
        dtype : {"float64", "float32"} or None, default None
            None: W1's dtype if it is float32 or float64, else float64.
        output : {"sigmoid", "softmax", "identity"}, default "sigmoid"
            The output head, as for ``Model``.

        Returns
        -------
        Model
            The new model.

        Raises
        ------
        TypeError
            If ``parameters`` is not a dict, an entry does not hold real numbers, or ``dtype``
            is not float32 or float64.
        ValueError
            If the keys are not exactly W1, b1, …, WL, bL, a W is not 2-D, the shapes do not
            chain, an entry holds NaN or inf (or values too
            large for ``dtype``), or ``hidden_activation`` is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> from fastbackprop import Model
        >>> parameters = {"W1": np.full((4, 2), 0.1), "b1": np.zeros((4, 1)),
        ...               "W2": np.full((1, 4), 0.1), "b2": np.zeros((1, 1))}
        >>> model = Model.from_parameters(parameters, hidden_activation="tanh")
        >>> model.layer_dims
        [2, 4, 1]
        >>> model.parameters["W2"]
        array([[0.1, 0.1, 0.1, 0.1]])
        """
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict with keys W1, b1, …, got "
                            f"{type(parameters).__name__}")
        L = len(parameters) // 2
        expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
        if L < 1 or set(parameters) != expected:
            raise ValueError(f"parameters must have exactly the keys W1, b1, …, WL, bL; "
                             f"got {sorted(parameters)}")
        Ws = [_validate.array(parameters[f"W{l}"], f"parameters['W{l}']")
              for l in range(1, L + 1)]
        for l, W in enumerate(Ws, 1):
            if W.ndim != 2:
                raise ValueError(f"parameters['W{l}'] must be 2-D, got shape {W.shape}")
        layer_dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
        if dtype is None:
            dtype = Ws[0].dtype if Ws[0].dtype.name in _validate.DTYPES else "float64"
        model = cls.__new__(cls)
        model.layer_dims = _validate.layer_dims(layer_dims, "layer_dims (from parameters)")
        model.hidden_activation = _validate.activation(hidden_activation)
        model.output = _validate.output(output, model.layer_dims)
        model.dtype = _validate.dtype(dtype)
        model._set_theta(parameters)
        model._shuffle_seed = _shuffle_seed(None)
        model.costs = []
        model.iterations = 0
        model.history = _epochs.new_history(model.output)
        model.stopped_early = False
        model._reset_optimizer("gd")
        return model

    def _set_theta(self, parameters):
        dims = self.layer_dims
        theta = np.empty(n_parameters(dims), self.dtype)
        off = 0
        for l in range(1, len(dims)):
            n, k = dims[l], dims[l - 1]
            for key, shape in ((f"W{l}", (n, k)), (f"b{l}", (n, 1))):
                name = f"parameters['{key}']"
                value = _validate.array(parameters[key], name)
                if value.shape != shape:
                    raise ValueError(f"{name} must have shape {shape}, got {value.shape}")
                _validate.finite(value, name)
                value = _validate.convert(value, self.dtype, name)
                theta[off:off + value.size] = value.ravel()
                off += value.size
        self._theta = theta
        self._dims = np.array(dims, np.int64)
        self._trainer = None
        self._lock = threading.RLock()

    def _reset_optimizer(self, name, steps=0):
        """Fresh optimizer state for ``name``: its rows in theta's layout, zeros; the step
        count (Adam's t, the dropout masks' key) at ``steps``."""
        self._optimizer = name
        rows = optim.state_rows(optim.OPTIMIZERS[name])
        self._state = np.zeros((rows, self._theta.size), self.dtype)
        self._steps = steps

    def reset_optimizer(self):
        """Forget the optimizer's state: the moments and the step count (Adam's t) start from
        zero at the next ``fit``, as a freshly made optimizer's would (scikit-learn starts one
        on every ``fit``, warm-started or not)."""
        with self._lock:
            self._reset_optimizer(self._optimizer)

    def objective(self, X, Y, lambd=0.0, sample_weight=None):
        """The full-batch training objective as a function of a flat parameter vector, for
        outside optimizers (``scipy.optimize.minimize(f, f.x0, jac=True)``).

        ``f(x)`` returns ``(cost, gradient)``: the head's mean cost on (X, Y) (weighted by
        ``sample_weight`` as ``fit`` weights it) plus λ/(2m)·Σ‖W‖², and its gradient, both in
        float64, from one compiled forward and backward pass. x is in the layout of the
        model's parameters (W1 row-major, b1, W2, …); ``f.x0`` is the model's current vector
        and ``f.assign(x)`` writes a vector into the model. X and Y are checked and converted
        once, here.

        Parameters
        ----------
        X, Y : array_like
            As for ``fit``.
        lambd : float, default 0.0
            L2 strength λ >= 0.
        sample_weight : array_like of shape (m,) or None
            As for ``fit``.

        Returns
        -------
        callable
            ``f(x) -> (float, numpy.ndarray)``, with ``f.x0`` and ``f.assign``.
        """
        X, Y = self._inputs(X, Y)
        lambd = _validate.real(lambd, "lambd", 0.0, math.inf)
        if sample_weight is not None:
            weights = _sample_weights(sample_weight, X.shape[1], "sample_weight")
            if weights is not None:
                Y = np.ascontiguousarray(np.vstack([Y, weights.astype(self.dtype)[None]]))
        return _Objective(self, X, Y, lambd)

    @property
    def parameters(self):
        """Copies of the parameters as the course's dict: W1 (n1, n0), b1 (n1, 1), …

        While another thread runs ``fit`` on this model, this waits for it to finish (so the
        copy is never torn between two iterations).

        Returns
        -------
        dict of numpy.ndarray
            Keys W1, b1, …, WL, bL in that order: W{l} of shape (n_l, n_{l-1}) and b{l} of
            shape (n_l, 1), in the model's dtype. New arrays: changing them does not change the
            model.

        Examples
        --------
        >>> from fastbackprop import Model
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> {key: value.shape for key, value in model.parameters.items()}
        {'W1': (4, 2), 'b1': (4, 1), 'W2': (1, 4), 'b2': (1, 1)}
        """
        with self._lock:
            return self._parameters()

    def _parameters(self):
        out = {}
        off = 0
        dims = self.layer_dims
        for l in range(1, len(dims)):
            n, k = dims[l], dims[l - 1]
            out[f"W{l}"] = self._theta[off:off + n * k].reshape(n, k).copy()
            off += n * k
            out[f"b{l}"] = self._theta[off:off + n].reshape(n, 1).copy()
            off += n
        return out

    def __repr__(self):
        output = "" if self.output == "sigmoid" else f", output={self.output!r}"
        return (f"Model(layer_dims={self.layer_dims}, hidden_activation="
                f"{self.hidden_activation!r}{output}, dtype={self.dtype.name!r})")

    # -- training ------------------------------------------------------------------------------

    def _inputs(self, X, Y=None):
        X = _validate.features(X, self.layer_dims[0], self.dtype)
        if Y is None:
            return X
        return X, _validate.targets(Y, X.shape[1], self.dtype, self.output,
                                    self.layer_dims[-1])

    def fit(self, X, Y, learning_rate=0.0075, num_iterations=3000, record_every=100,
            print_cost=False, progress=None, n_threads=None, batch_size=None, seed=None,
            shuffle=True, optimizer="gd", beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8,
            lambd=0.0, keep_prob=1.0, path=None, sample_weight=None, validation_data=None,
            early_stopping=False, n_iter_no_change=10, tol=1e-4, monitor=None,
            schedule="constant", power_t=0.5, decay_rate=1.0, time_interval=1):
        """Train, continuing from the current parameters. Returns self.

        An iteration is one pass over the m examples. Full-batch by default: one step per
        iteration. With ``batch_size`` < m, each iteration (epoch) shuffles the examples and takes
        one step per batch of ``batch_size`` (the last batch holds the remainder, as the course's
        ``random_mini_batches``), each step's gradient averaged over its batch. The shuffle
        depends only on ``seed`` and the iteration number, so one long fit and several short
        ones give the same parameters. The minibatch paths keep one copy of X.

        Parameters
        ----------
        X : array_like or dask.array.Array
            Features, shape (n_x, m) with n_x = ``layer_dims[0]`` and m >= 1, finite real
            numbers. Converted to the model's dtype (a copy only when needed); never modified.
            A dask array chunked along the examples (columns) trains data-parallel on the
            active ``distributed.Client`` (dask's default scheduler without one): each step
            sums the chunks' gradients where they are held, in chunk order, and updates here
            (docs/dask.md). Such a fit takes full batches, or a ``batch_size`` of whole chunks
            with ``shuffle=False``, and no dropout, ``validation_data`` or ``path``
            (``early_stopping`` then watches the training cost; schedules run as locally).
        Y : array_like or dask.array.Array
            Targets for the output head: sigmoid (n_L, m) labels in [0, 1]; softmax one-hot
            (C, m), or integer class labels (1, m) or (m,) in [0, C); identity (n_L, m) real
            numbers. A dask array only with a dask X (it is rechunked to X's chunks).
        learning_rate : float, default 0.0075
            Step size, a finite number >= 0.
        num_iterations : int, default 3000
            Iterations (epochs, with minibatches) to run, >= 0.
        record_every : int or None, default 100
            The cost before the update of every ``record_every``-th iteration (counted over all
            fits: iterations whose number is a multiple of it) is appended to ``costs`` as
            (iteration, cost). With minibatches it is the mean over the examples of each
            batch's cost before that batch's update (the course's ``cost_total / m``). 0 or
            None: nothing is recorded.
        print_cost : bool, default False
            Also print each recorded cost ("Cost after iteration i: cost").
        progress : bool or None, default None
            Show a tqdm progress bar. None: when stderr is a terminal and the run is long
            (1000 iterations or more).
        n_threads : int or None, default None
            Caps numba's threads for this call (the BLAS runs single-threaded inside). None:
            the default of ``fastbackprop.set_num_threads``, else numba's. Both settings are
            restored on return. The parameters do not depend on it.
        batch_size : int or None, default None
            Examples per minibatch step, >= 1. None, or a value >= m: full-batch descent.
        seed : int or None, default None
            Seed (an integer >= 0) of the minibatch shuffle and of the dropout masks. None: the
            model's, the constructor's ``seed`` (a model from ``from_parameters`` without one
            draws a fresh one; ``load`` restores the saved model's).
        shuffle : bool, default True
            False takes the minibatches in the examples' order (scikit-learn's ``shuffle``).
            A full batch is never permuted.
        optimizer : {"gd", "momentum", "adam"}, default "gd"
            Gradient descent; momentum in the course's form, v = β·v + (1 − β)·dW,
            W −= α·v; Adam as the course and PyTorch define it, with v̂ and ŝ bias-corrected by
            1 − β^t, t counting steps (batches) from 1. The optimizer's state continues across
            calls (and ``save``/``load`` and pickling); a call with another optimizer starts it
            afresh.
        beta : float, default 0.9
            Momentum's β, in [0, 1).
        beta1, beta2 : float, default 0.9 and 0.999
            Adam's decay rates, in [0, 1).
        epsilon : float, default 1e-8
            Adam's ε, > 0.
        lambd : float, default 0.0
            L2 strength λ >= 0: the recorded cost adds λ/(2m)·Σ‖W‖² and dW += (λ/m)·W, m the
            examples of the step's batch (biases are not regularised).
        keep_prob : float, default 1.0
            Inverted dropout on the hidden layers, in (0, 1]: each unit is kept with this
            probability (a fresh mask every step) and divided by it. The recorded cost is the
            dropped-out forward's; ``predict`` never drops.
        path : {"serial", "serial_minibatch", "blocked", "blocked_minibatch"} or None
            Forces a trainer path (tests, benchmarks); None lets the plan choose by the shapes
            (see docs/engine.md). The results agree either way.
        sample_weight : array_like or dask.array.Array of shape (m,) or None, default None
            Per-example weights (finite, >= 0, not all 0): each step's cost is the weighted
            mean Σ w·cost / Σ w over its batch, its gradient that mean's, and its L2 term
            λ/(2·Σ w)·Σ‖W‖², as scikit-learn's MLP normalises a batch. The weights are first
            scaled to mean 1 over the m examples, so λ means what it means unweighted (a
            full batch's Σ w is m).
        validation_data : tuple or None, default None
            ``(X_val, Y_val)`` or ``(X_val, Y_val, w_val)``, in the layouts of X, Y and
            ``sample_weight``: after each epoch's update the validation cost and accuracy
            (subset accuracy with several sigmoid units) or R² (identity; the mean over the
            outputs) are computed, and recorded in ``history`` at the recorded iterations.
            The fit then runs one compiled call per epoch.
        early_stopping : bool, default False
            Stop once ``monitor`` has not improved by more than ``tol`` for more than
            ``n_iter_no_change`` epochs in a row (scikit-learn's rule); when a validation
            metric is monitored, the parameters of its best epoch are restored at the end.
            On the training cost (no ``validation_data``) the rule, and any ``schedule``,
            run inside the compiled trainer, many epochs a call.
        n_iter_no_change : int, default 10
            Epochs without improvement tolerated, >= 1.
        tol : float, default 1e-4
            The improvement that counts, >= 0.
        monitor : {"cost", "val_cost", "val_accuracy", "val_r2"} or None, default None
            What the rule watches (accuracy and R²: higher is better). None: "val_cost" with
            ``validation_data``, else the training "cost".
        schedule : {"constant", "decay", "invscaling", "adaptive"}, default "constant"
            The learning rate between epochs. "decay": the course's schedule_lr_decay
            (``update_lr`` with ``time_interval=1``): after epoch i of this fit,
            rate = learning_rate / (1 + decay_rate·⌊i / time_interval⌋). "invscaling":
            scikit-learn's learning_rate / (t + 1)^power_t, t the examples trained on
            (``iterations``·m). "adaptive": scikit-learn's: when the rule above runs out,
            the rate is divided by 5 instead of stopping, until it is at most 1e-6.
        power_t : float, default 0.5
            invscaling's exponent, >= 0.
        decay_rate : float, default 1.0
            decay's rate, >= 0.
        time_interval : int, default 1
            decay's epochs per step, >= 1.

        Returns
        -------
        Model
            self, trained.

        Raises
        ------
        TypeError
            If X or Y does not hold real numbers, or a count, ``learning_rate`` or
            ``n_threads`` has the wrong type.
        ValueError
            If the shapes do not match the model, X or Y holds NaN or inf, Y does not suit the
            head (labels outside [0, 1] or [0, C), one-hot rows other than C), an option is out
            of range or unknown, or training diverged: the cost or the parameters became NaN or
            inf. On any error the model is left as it was before this call (with dask
            arrays: also when a step fails on the cluster).
        KeyboardInterrupt
            Ctrl-C stops at an iteration boundary, keeps what was trained (``parameters``,
            ``iterations`` and ``costs`` agree) and re-raises.

        Examples
        --------
        >>> from fastbackprop import Model
        >>> from fastbackprop.datasets import planar_flower
        >>> X, Y = planar_flower()
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> _ = model.fit(X, Y, learning_rate=1.2, num_iterations=1000, record_every=250)
        >>> [iteration for iteration, cost in model.costs]
        [0, 250, 500, 750]
        >>> round(model.costs[0][1], 2)
        0.69
        >>> _ = model.fit(X, Y, learning_rate=1.2, num_iterations=500, record_every=250)
        >>> [iteration for iteration, cost in model.costs][-2:]
        [1000, 1250]
        """
        dask = None  # fastbackprop._dask, imported (with dask) only for a dask array
        if _dask_array(X):
            from . import _dask as dask
            dask.refuse(keep_prob, validation_data, early_stopping, schedule, path)
            X, Y, dask_weighted = dask.inputs(self, X, Y, sample_weight)
            sample_weight = None  # Y's last row now, if they weigh anything
        else:
            X, Y = self._inputs(X, Y)
        n_threads = _threads.check(n_threads)
        learning_rate = _validate.learning_rate(learning_rate)
        num_iterations = _validate.count(num_iterations, "num_iterations")
        record_every = _validate.count(record_every or 0, "record_every")
        if batch_size is not None:
            batch_size = _validate.count(batch_size, "batch_size", minimum=1)
            if batch_size >= X.shape[1]:
                batch_size = None  # one batch of all the examples: full-batch descent
        seed = self._shuffle_seed if seed is None else _shuffle_seed(_validate.seed(seed))
        optimizer = _validate.optimizer(optimizer)
        beta = _validate.real(beta, "beta", 0.0, 1.0, high_open=True)
        beta1 = _validate.real(beta1, "beta1", 0.0, 1.0, high_open=True)
        beta2 = _validate.real(beta2, "beta2", 0.0, 1.0, high_open=True)
        epsilon = _validate.real(epsilon, "epsilon", 0.0, math.inf, low_open=True)
        lambd = _validate.real(lambd, "lambd", 0.0, math.inf)
        keep_prob = _validate.real(keep_prob, "keep_prob", 0.0, 1.0, low_open=True)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
        m = X.shape[1]
        weights = None
        if sample_weight is not None:
            weights = _sample_weights(sample_weight, m, "sample_weight")
        if weights is not None:
            Y = np.ascontiguousarray(np.vstack([Y, weights.astype(self.dtype)[None]]))
        validation = None
        if validation_data is not None:
            validation = self._validation(validation_data)
        early_stopping = _validate.flag(early_stopping, "early_stopping")
        n_iter_no_change = _validate.count(n_iter_no_change, "n_iter_no_change", minimum=1)
        tol = _validate.real(tol, "tol", 0.0, math.inf)
        if monitor is None:
            monitor = "val_cost" if validation is not None else "cost"
        names = ("cost",) + (_epochs.metric_names(self.output) if validation else ())
        if monitor not in names:
            raise ValueError(f"monitor must be one of {', '.join(names)} here (a validation "
                             f"metric needs validation_data; accuracy a classifier head, R² "
                             f"identity), got {monitor!r}")
        if schedule not in _epochs.SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(_epochs.SCHEDULES)}, got "
                             f"{schedule!r}")
        power_t = _validate.real(power_t, "power_t", 0.0, math.inf)
        decay_rate = _validate.real(decay_rate, "decay_rate", 0.0, math.inf)
        time_interval = _validate.count(time_interval, "time_interval", minimum=1)
        plan = _plan.plan(self.layer_dims, m, batch_size, self.dtype.name,
                          self.hidden_activation, self.output, optimizer, keep_prob, path,
                          weights is not None or (dask is not None and dask_weighted))
        trainer = None
        if dask is not None:  # data-parallel: the chunks persisted and checked on the cluster
            plan = plan._replace(path="dask", threads=False)
            trainer = dask.Trainer(plan, X, Y, batch_size, shuffle, dask_weighted)
        with self._lock:
            start = (self._theta.copy(), self.iterations, len(self.costs), self._optimizer,
                     self._state.copy(), self._steps,
                     {key: len(v) for key, v in self.history.items()}, self.stopped_early)
            epochs = None
            if validation is not None or early_stopping or schedule != "constant":
                epochs = _epochs.Epochs(self, validation, early_stopping, n_iter_no_change,
                                        tol, monitor, schedule, learning_rate, power_t,
                                        decay_rate, time_interval, m, self._theta)
            if optimizer != self._optimizer:  # another optimizer starts from fresh state
                self._reset_optimizer(optimizer, self._steps)
            hyper = optim.make_hyper(learning_rate, beta, beta1, beta2, epsilon, self._steps,
                                     lambd)
            finite = [True]  # False once the cost is NaN/inf or a step failed (set by _train)
            try:
                self.stopped_early = False
                self._train(plan, X, Y, hyper, num_iterations, record_every, print_cost,
                            progress, finite, n_threads, seed, shuffle, epochs, trainer)
                if epochs is not None:
                    epochs.finish(self)
                    self.stopped_early = epochs.stopped_early
            except BaseException:  # Ctrl-C keeps what was trained, unless it is garbage
                if not finite[0] or not np.isfinite(self._theta).all():
                    self._restore(start)
                raise
            if not finite[0] or not np.isfinite(self._theta).all():
                diverged_by = self.iterations
                self._restore(start)
                raise ValueError(f"training diverged: the cost or the parameters became NaN or "
                                 f"inf by iteration {diverged_by}; the model is left as it was "
                                 f"before this fit. Lower learning_rate (got {learning_rate}) "
                                 f"or scale X.")
        return self

    def _restore(self, start):
        theta, iterations, n_costs, optimizer, state, steps, n_history, stopped = start
        self._theta[:] = theta
        self.iterations = iterations
        del self.costs[n_costs:]
        for key, n in n_history.items():
            del self.history[key][n:]
        self._optimizer, self._state, self._steps = optimizer, state, steps
        self.stopped_early = stopped

    def _validation(self, validation_data):
        """validation_data checked and made an ``_epochs.Validation``."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise TypeError("validation_data must be a tuple (X_val, Y_val) or (X_val, Y_val, "
                            f"w_val), got {type(validation_data).__name__}")
        X_val = _validate.features(validation_data[0], self.layer_dims[0], self.dtype,
                                   "validation_data[0]")
        Y_val = _validate.targets(validation_data[1], X_val.shape[1], self.dtype, self.output,
                                  self.layer_dims[-1], "validation_data[1]")
        weights = None
        if len(validation_data) == 3 and validation_data[2] is not None:
            weights = _sample_weights(validation_data[2], X_val.shape[1], "validation_data[2]")
        if weights is not None:
            Y_val = np.ascontiguousarray(np.vstack([Y_val, weights.astype(self.dtype)[None]]))
        return _epochs.Validation(self, X_val, Y_val, weights)

    def _train(self, plan, X, Y, hyper, num_iterations, record_every, print_cost, progress,
               finite, n_threads, seed, shuffle, epochs=None, trainer=None):
        """The compiled loop. Stops early with finite[0] = False if the cost is NaN/inf, or
        a step failed (a dask fit's cluster). With ``epochs`` (``_epochs.Epochs``) it runs one
        epoch per call and lets it decide between epochs (records, stopping, the next rate).
        ``trainer``: one made for this fit (``_dask.Trainer``), else the plan's."""
        if trainer is None:
            if self._trainer is None or self._trainer.plan != plan:
                self._trainer = _trainers.make(plan)
            trainer = self._trainer
        trainer.bind(self._theta, X, Y, hyper, self._state, seed, shuffle)

        def steps(n, rule=None):
            try:
                cost = trainer.steps(n, self.iterations, rule)
            except Exception:  # a failed step: fit() restores the model as it was
                finite[0] = False
                raise
            self._steps = int(hyper[optim.STEP])
            return cost
        # the stopping rule and the schedules on the training cost run inside the trainer, a
        # chunk of epochs a call; with a validation set, here between calls of one epoch each
        # (docs/engine.md, "The between-epoch rule")
        compiled_rule = epochs is not None and epochs.compiled() and trainer.runs_rule
        rule = None
        # numba's threads and the BLAS's matter only where the trainer runs parallel parts or
        # BLAS calls (the plan says)
        owner = _threads.owner(n_threads) if plan.threads else contextlib.nullcontext()
        bar = _progress_bar(progress, num_iterations)
        # Chunks start where the last fit on this workspace left them, so repeated short fits
        # (the course's loops, the benchmark) make one compiled call each, not 1, 2, 4, ...
        chunk = trainer.first_chunk
        done = 0
        # SIGINT is held back while training and delivered only after a chunk's bookkeeping, so a
        # KeyboardInterrupt can never land between the compiled step (theta updated) and the
        # lines that count it (iterations, costs). One flag test per chunk: the loop is as fast.
        sigint = _DeferredSigint()
        owner.__enter__()
        try:
            sigint.__enter__()
            while done < num_iterations:
                it = self.iterations
                n = num_iterations - done
                start = time.perf_counter()
                stop = False
                if compiled_rule:
                    n = min(n, chunk)
                    rule = epochs.rule(n, it, rule)
                    steps(n, rule)
                    # bookkeeping that must stay together with the step above (Ctrl-C note)
                    costs, rates = epochs.took(rule, hyper)
                    ran = len(costs)
                    self.iterations += ran
                    done += ran
                    for e in range(ran):
                        if record_every > 0 and (it + e) % record_every == 0:
                            self._record(it + e, costs[e], {"cost": costs[e],
                                                            "learning_rate": rates[e]},
                                         print_cost)
                    cost = costs[-1]  # the rule stops at a cost that is not finite
                    stop = epochs.stopped_early
                else:
                    record = record_every > 0 and it % record_every == 0
                    if record_every:
                        n = min(n, record_every - it % record_every)
                    n = 1 if epochs is not None else min(n, chunk)
                    cost = steps(n)
                    # bookkeeping that must stay together with the step above (Ctrl-C note)
                    self.iterations += n
                    done += n
                    ran = n
                    values = {"cost": cost, "learning_rate": hyper[optim.LEARNING_RATE]}
                    if epochs is not None and math.isfinite(cost):
                        stop, hyper[optim.LEARNING_RATE], values = epochs.end(
                            self, it, float(cost), record)
                    if record:
                        self._record(it, cost, values, print_cost)
                if bar is not None:
                    bar.update(ran)
                if not math.isfinite(cost):  # NaN/inf outputs before this chunk: diverged
                    finite[0] = False
                    return  # fit() restores the parameters and raises
                if time.perf_counter() - start < _CHUNK_SECONDS and n == chunk:
                    chunk *= 2
                    trainer.first_chunk = chunk
                sigint.deliver()  # the model is consistent here: Ctrl-C may raise now
                if stop:
                    break
        finally:
            try:
                owner.__exit__(None, None, None)
                sigint.__exit__()
            finally:
                if bar is not None:
                    bar.close()

    def _record(self, iteration, cost, values, print_cost):
        """Iteration ``iteration``'s cost into ``costs`` and ``history`` (``values``: the cost,
        the rate and any validation metrics)."""
        self.costs.append((iteration, float(cost)))
        _epochs.record(self.history, iteration, values)
        if print_cost:
            print(f"Cost after iteration {iteration}: {cost}")

    # -- inference -----------------------------------------------------------------------------

    def predict_proba(self, X):
        """The output head's probabilities: sigmoid (n_L, m), softmax (C, m).

        A sigmoid head gives each output unit's probability of label 1 (one unit: binary;
        several: multi-label); a softmax head gives each class's probability, columns summing
        to 1. An identity (regression) head has no probabilities: use ``predict``.

        Parameters
        ----------
        X : array_like
            Features, shape (n_x, m) with n_x = ``layer_dims[0]`` and m >= 1, finite real
            numbers.

        Returns
        -------
        numpy.ndarray
            Shape (n_L, m), in the model's dtype, values in [0, 1].

        Raises
        ------
        TypeError
            If X does not hold real numbers.
        ValueError
            If X is not 2-D with n_x rows and at least one column, or holds NaN or inf, or
            the model's output is "identity".

        Examples
        --------
        >>> from fastbackprop import Model
        >>> from fastbackprop.datasets import planar_flower
        >>> X, Y = planar_flower()
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> model = model.fit(X, Y, learning_rate=1.2, num_iterations=1000)
        >>> model.predict_proba(X[:, :3]).round(2)
        array([[0.14, 0.86, 0.86]])
        """
        if self.output == "identity":
            raise ValueError("predict_proba: a model with output='identity' (regression) has "
                             "no probabilities; predict gives its outputs")
        return self._outputs(X)

    def logits(self, X):
        """Z_L, the output layer's pre-activation (before the head's h), shape (n_L, m).

        Parameters
        ----------
        X : array_like
            Features, shape (n_x, m), as for ``predict``.

        Returns
        -------
        numpy.ndarray
            A new array of shape (n_L, m) in the model's dtype.

        Examples
        --------
        >>> import numpy as np
        >>> from fastbackprop import Model
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> model.logits(np.zeros((2, 3)))  # zero biases: Z_L = 0
        array([[0., 0., 0.]])
        """
        X = self._inputs(X)
        m = X.shape[1]
        ws = make_workspace(self.layer_dims, m, self.dtype)
        with self._lock:
            code = CODES[self.hidden_activation]
            network.forward(self._theta, self._dims, X, code, ws.acts, sigmoidal_flag(code))
        return network.logits(ws.acts, self._dims, m).copy()  # the kernels' own view of Z_L

    def _outputs(self, X):
        """h(Z_L) of the output head, (n_L, m)."""
        X = self._inputs(X)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        with self._lock:
            code = CODES[self.hidden_activation]
            network.predict_of(self._theta, self._dims, X, code,
                               kernel_head(HEADS[self.output]), ws.acts, ws.AL,
                               sigmoidal_flag(code))
        return ws.AL

    def predict(self, X):
        """Predictions: sigmoid 0/1 labels (n_L, m), 1 where the probability exceeds 0.5;
        softmax class indices (1, m), int64; identity the outputs (n_L, m).

        Parameters
        ----------
        X : array_like
            Features, shape (n_x, m), as for ``predict_proba``.

        Returns
        -------
        numpy.ndarray
            sigmoid: shape (n_L, m), 0.0 or 1.0 in the model's dtype; softmax: shape (1, m),
            int64 class indices in [0, C); identity: shape (n_L, m) in the model's dtype.

        Raises
        ------
        TypeError
            If X does not hold real numbers.
        ValueError
            If X is not 2-D with n_x rows and at least one column, or holds NaN or inf.

        Examples
        --------
        >>> from fastbackprop import Model
        >>> from fastbackprop.datasets import planar_flower
        >>> X, Y = planar_flower()
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> model = model.fit(X, Y, learning_rate=1.2, num_iterations=1000)
        >>> model.predict(X[:, :3])
        array([[0., 1., 1.]])
        >>> round(float((model.predict(X) == Y).mean()), 1)  # training accuracy
        0.9
        """
        A = self._outputs(X)
        if self.output == "softmax":
            return A.argmax(axis=0).reshape(1, -1)
        if self.output == "identity":
            return A
        return (A > 0.5).astype(self.dtype)

    def cost(self, X, Y):
        """The data cost on (X, Y), a float: the head's loss, no penalty and no dropout.

        sigmoid: the mean over examples of the binary cross-entropy summed over the output
        units; softmax: the mean cross-entropy; identity: (1/(2m)) Σ (ŷ − y)².

        Parameters
        ----------
        X : array_like
            Features, shape (n_x, m), as for ``fit``.
        Y : array_like
            Targets as ``fit`` takes them for the model's output head.

        Returns
        -------
        float
            The mean data cost over the m examples.

        Raises
        ------
        TypeError
            If X or Y does not hold real numbers.
        ValueError
            If the shapes do not match the model, X or Y holds NaN or inf, or Y is outside
            [0, 1].

        Examples
        --------
        >>> from fastbackprop import Model
        >>> from fastbackprop.datasets import planar_flower
        >>> X, Y = planar_flower()
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> round(model.fit(X, Y, learning_rate=1.2, num_iterations=1000).cost(X, Y), 2)
        0.29
        """
        X, Y = self._inputs(X, Y)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        with self._lock:
            code = CODES[self.hidden_activation]
            return float(network.cost_of(self._theta, self._dims, X, Y, code,
                                         kernel_head(HEADS[self.output]), ws.acts,
                                         sigmoidal_flag(code)))

    # -- pictures ------------------------------------------------------------------------------

    def plot_costs(self, ax=None):
        """Draw the recorded costs: iteration on x, cost on y, the layer_dims in the title.

        Needs matplotlib (``pip install "fastbackprop[plot]"``), imported only by this call.
        pyplot is never touched: without ``ax`` the curve goes on a new, unmanaged
        ``matplotlib.figure.Figure``, so this works headless and from any thread; write it with
        ``ax.figure.savefig("costs.png")`` (or show it with ``display(ax.figure)`` in a
        notebook).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw. None (default): the axes of a new Figure.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on: ``ax`` if given.

        Raises
        ------
        ValueError
            If no costs are recorded (``costs`` is empty: the model was never fitted, or only
            with ``record_every=0``).
        ImportError
            If matplotlib is not installed; the message names ``pip install
            "fastbackprop[plot]"``.
        """
        from . import _plot
        return _plot.plot_costs(self, ax)

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path):
        """Write one .npz: the parameters, the architecture, the training record (costs,
        iterations, ``history``, ``stopped_early``), the optimizer state and the shuffle seed
        (docs/guide/persistence.md lists the arrays).

        The file is written beside the target and renamed over it, so a crash mid-save never
        destroys a previous file and never leaves a partial one under ``path``. ``load``
        reads it all back, so a loaded model continues the fit bit for bit.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write, under exactly this name (no suffix is added); an existing file
            is replaced. Its folder must exist.

        Raises
        ------
        OSError
            If the file cannot be written (no such folder, no permission, disk full); a
            previous file at ``path`` is then left as it was.

        Examples
        --------
        >>> import os, tempfile
        >>> from fastbackprop import Model
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "model.npz")
        ...     model.save(path)
        ...     loaded = Model.load(path)
        >>> loaded
        Model(layer_dims=[2, 4, 1], hidden_activation='tanh', dtype='float64')
        >>> bool((loaded.parameters["W1"] == model.parameters["W1"]).all())
        True
        """
        path = os.fspath(path)
        with self._lock:  # a consistent snapshot even while another thread fits
            arrays = self._parameters()
            arrays.update(
                format_version=np.array(FORMAT_VERSION, np.int64),
                layer_dims=np.array(self.layer_dims, np.int64),
                hidden_activation=np.array(self.hidden_activation),
                output=np.array(self.output),
                dtype=np.array(self.dtype.name),
                costs=np.array(self.costs, np.float64).reshape(-1, 2),
                iterations=np.array(self.iterations, np.int64),
                optimizer=np.array(self._optimizer),
                optimizer_state=self._state.copy(),
                steps=np.array(self._steps, np.int64),
                seed=np.array(self._shuffle_seed, np.int64),
                history=_history_array(self.history),
                stopped_early=np.array(self.stopped_early),
            )
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".fastbackprop-", suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise

    @classmethod
    def load(cls, path):
        """A model saved by ``save``. Checks the format version, every array's presence, dtype
        and shape; a file that is not one (truncated, foreign, newer) gives ValueError naming
        the path and what is wrong.

        The file is read without unpickling anything. The model gets back its parameters,
        layer sizes, activation, dtype, ``costs`` and ``iterations``, and a fresh minibatch
        shuffle seed.

        Parameters
        ----------
        path : str or os.PathLike
            A file written by ``Model.save``.

        Returns
        -------
        Model
            The saved model.

        Raises
        ------
        FileNotFoundError
            If there is no file at ``path``.
        ValueError
            If the file is not a valid fastbackprop model file (not an .npz, damaged, missing
            or unexpected arrays, wrong shapes or dtypes), or was written by a newer
            fastbackprop (a higher format version).

        Examples
        --------
        >>> import os, tempfile
        >>> from fastbackprop import Model
        >>> from fastbackprop.datasets import planar_flower
        >>> X, Y = planar_flower()
        >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
        >>> model = model.fit(X, Y, learning_rate=1.2, num_iterations=300)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     model.save(os.path.join(folder, "model.npz"))
        ...     loaded = Model.load(os.path.join(folder, "model.npz"))
        >>> loaded.iterations, [iteration for iteration, cost in loaded.costs]
        (300, [0, 100, 200])
        >>> loaded.cost(X, Y) == model.cost(X, Y)
        True
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"model file not found: {path}")
        arrays = _read_npz(path)

        def bad(what):
            return ValueError(f"{path}: not a valid fastbackprop model file: {what}")

        version = arrays.get("format_version")
        if version is None:
            raise bad("no format_version (was it written by Model.save?)")
        if version.shape != () or version.dtype.kind not in "iu" or int(version) < 1:
            raise bad(f"format_version must be an integer >= 1, got {version!r}")
        if int(version) > FORMAT_VERSION:
            raise ValueError(f"{path}: model format version {int(version)} is newer than this "
                             f"fastbackprop reads ({FORMAT_VERSION}); upgrade fastbackprop")
        for key in ("layer_dims", "hidden_activation", "dtype"):
            if key not in arrays:
                raise bad(f"it lacks {key}")
        dims = arrays["layer_dims"]
        if dims.ndim != 1 or dims.dtype.kind not in "iu":
            raise bad(f"layer_dims must be a 1-D integer array, got {dims.dtype} of shape "
                      f"{dims.shape}")
        for key in ("hidden_activation", "dtype"):
            if arrays[key].shape != () or arrays[key].dtype.kind != "U":
                raise bad(f"{key} must be a string, got {arrays[key]!r}")
        try:
            layer_dims = _validate.layer_dims(dims.tolist(), "layer_dims")
            activation = _validate.activation(str(arrays["hidden_activation"]))
            dtype = _validate.dtype(str(arrays["dtype"]))
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        L = len(layer_dims) - 1
        expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
        known = expected | {"format_version", "layer_dims", "hidden_activation", "dtype",
                            "costs", "iterations"}
        if int(version) >= 3:
            known |= {"history", "stopped_early"}
            for key in ("history", "stopped_early"):
                if key not in arrays:
                    raise bad(f"it lacks {key} (format version {int(version)})")
            if arrays["stopped_early"].shape != () or arrays["stopped_early"].dtype != bool:
                raise bad(f"stopped_early must be a bool, got {arrays['stopped_early']!r}")
        if int(version) >= 2:
            known |= {"output", "optimizer", "optimizer_state", "steps", "seed"}
            for key in ("output", "optimizer", "optimizer_state", "steps", "seed"):
                if key not in arrays:
                    raise bad(f"it lacks {key} (format version {int(version)})")
            for key in ("output", "optimizer"):
                if arrays[key].shape != () or arrays[key].dtype.kind != "U":
                    raise bad(f"{key} must be a string, got {arrays[key]!r}")
            for key in ("steps", "seed"):
                if arrays[key].shape != () or arrays[key].dtype.kind not in "iu" \
                        or int(arrays[key]) < 0:
                    raise bad(f"{key} must be an integer >= 0, got {arrays[key]!r}")
            try:
                output = _validate.output(str(arrays["output"]), layer_dims)
                optimizer = _validate.optimizer(str(arrays["optimizer"]))
            except (TypeError, ValueError) as exc:
                raise bad(str(exc)) from None
        else:  # version 1: a sigmoid head trained by gradient descent
            output, optimizer = "sigmoid", "gd"
        missing = sorted(expected - set(arrays))
        if missing:
            raise bad(f"it lacks {', '.join(missing)} for layer_dims {layer_dims}")
        extra = sorted(set(arrays) - known)
        if extra:
            raise bad(f"unexpected arrays {', '.join(extra)} for layer_dims {layer_dims}")
        parameters = {key: arrays[key] for key in sorted(expected)}
        for l in range(1, L + 1):
            for key, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])),
                               (f"b{l}", (layer_dims[l], 1))):
                value = parameters[key]
                if value.shape != shape:
                    raise bad(f"{key} has shape {value.shape}, but layer_dims {layer_dims} "
                              f"needs {shape}")
                if value.dtype != dtype:
                    raise bad(f"{key} has dtype {value.dtype}, but the file says {dtype.name}")
        try:
            model = cls.from_parameters(parameters, activation, dtype, output)
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        costs = arrays.get("costs", np.zeros((0, 2)))
        if costs.ndim != 2 or costs.shape[1] != 2 or costs.dtype.kind != "f":
            raise bad(f"costs must be a float array of shape (k, 2), got {costs.dtype} of "
                      f"shape {costs.shape}")
        iterations = arrays.get("iterations", np.array(0))
        if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
            raise bad(f"iterations must be an integer >= 0, got {iterations!r}")
        model.costs = [(int(i), float(c)) for i, c in costs]
        model.iterations = int(iterations)
        if int(version) >= 2:
            model._reset_optimizer(optimizer, int(arrays["steps"]))
            state = arrays["optimizer_state"]
            if state.shape != model._state.shape or state.dtype != dtype:
                raise bad(f"optimizer_state must be {dtype.name} of shape "
                          f"{model._state.shape} for {optimizer}, got {state.dtype} of shape "
                          f"{state.shape}")
            if not np.isfinite(state).all():
                raise bad("optimizer_state contains NaN or inf")
            model._state[:] = state
            model._shuffle_seed = int(arrays["seed"])
        if int(version) >= 3:
            try:
                model.history = _history_from_array(arrays["history"], output)
            except ValueError as exc:
                raise bad(str(exc)) from None
            model.stopped_early = bool(arrays["stopped_early"])
        return model

    def __getstate__(self):
        with self._lock:  # not torn by a fit running in another thread
            state = {k: v for k, v in self.__dict__.items() if k not in ("_trainer", "_lock")}
            state["_theta"] = self._theta.copy()
            state["_state"] = self._state.copy()
            state["costs"] = list(self.costs)
        return state

    def __setstate__(self, state):
        state.setdefault("_shuffle_seed", _shuffle_seed(None))  # pickled before minibatches
        state.pop("_workspace", None)  # pickled before the trainers
        state.pop("_workspace_key", None)
        state.pop("_first_chunk", None)
        state.setdefault("output", "sigmoid")  # pickled before the heads
        state.setdefault("history", _epochs.new_history(state["output"]))  # before validation
        state.setdefault("stopped_early", False)
        self.__dict__.update(state)
        self._trainer = None
        self._lock = threading.RLock()
        if "_optimizer" not in state:  # pickled before the optimizers
            self._reset_optimizer("gd")


def _dask_array(value):
    """Whether value is a dask array (dask is imported: a program without it holds none)."""
    array = sys.modules.get("dask.array")
    return array is not None and isinstance(value, array.Array)


def _sample_weights(value, m, name):
    """Per-example weights (m,), finite, >= 0, not all zero, scaled to mean 1 (float64)."""
    w = _validate.array(value, name)
    if w.ndim != 1 or w.size != m:
        raise ValueError(f"{name} must have shape ({m},), one weight per example, got "
                         f"{w.shape}")
    _validate.finite(w, name)
    w = w.astype(np.float64)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"{name} must be >= 0 and not all zero")
    if (w == w[0]).all():  # equal weights weigh nothing: the unweighted fit, bit for bit
        return None
    return w * (m / w.sum())


class _Objective:
    """``Model.objective``'s function: buffers allocated once, one compiled call per x."""

    def __init__(self, model, X, Y, lambd):
        self.model, self.X, self.Y, self.lambd = model, X, Y, lambd
        self.ws = make_workspace(model.layer_dims, X.shape[1], model.dtype)
        self.theta = model._theta.copy()
        self.code = CODES[model.hidden_activation]
        self.head = kernel_head(HEADS[model.output], Y.shape[0] > model.layer_dims[-1])
        self.backward = None  # the kernel's backward (``network.cost_and_grad_backward``)

    @property
    def x0(self):
        return self.model._theta.astype(np.float64)

    def __call__(self, x):
        self.theta[:] = x
        ws = self.ws
        args = (self.theta, self.model._dims, self.X, self.Y, self.code, self.head, self.lambd,
                ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, sigmoidal_flag(self.code))
        if self.backward is None:  # the first call: its backward kernel on the second core
            key = network.cost_and_grad, fingerprints(args)
            with _compile_ahead.compiled_apart(network.cost_and_grad,
                                               lambda: network.cost_and_grad_types(args),
                                               lambda: network.cost_and_grad_parts(args), key):
                self.backward = network.cost_and_grad_backward(args)
                cost = network.cost_and_grad(*args, self.backward)
        else:
            cost = network.cost_and_grad(*args, self.backward)
        return float(cost), ws.grad.astype(np.float64)

    def assign(self, x):
        x = np.asarray(x, np.float64)
        if x.shape != self.model._theta.shape or not np.isfinite(x).all():
            raise ValueError(f"x must be a finite vector of {self.model._theta.size} "
                             f"parameters, got shape {x.shape}")
        with self.model._lock:
            self.model._theta[:] = x


def _history_array(history):
    """``Model.history`` as one float64 array, a column per key in ``_epochs.new_history``'s
    order (iterations are exact in float64 up to 2⁵³)."""
    columns = [np.asarray(values, np.float64) for values in history.values()]
    return np.stack(columns, axis=1) if columns[0].size else np.zeros((0, len(columns)))


def _history_from_array(array, output):
    """``_history_array``'s inverse, checked against the keys the head records."""
    keys = list(_epochs.new_history(output))
    if array.ndim != 2 or array.shape[1] != len(keys) or array.dtype.kind != "f":
        raise ValueError(f"history must be a float array of shape (k, {len(keys)}) (columns "
                         f"{', '.join(keys)}), got {array.dtype} of shape {array.shape}")
    history = {key: [float(v) for v in array[:, i]] for i, key in enumerate(keys)}
    history["iteration"] = [int(v) for v in history["iteration"]]
    return history


def _shuffle_seed(seed):
    """A minibatch shuffle seed from ``seed`` (None: fresh entropy), in 63 bits: the kernels take
    it as an int64."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    return seed & (2 ** 63 - 1)


def _read_npz(path):
    """Every array of the .npz at path, read with pickles refused; ValueError if it is not one."""
    try:
        data = np.load(path, allow_pickle=False)
    except Exception as exc:  # zip errors, EOFError, pickled objects, bad magic …
        raise ValueError(f"{path}: not a fastbackprop model file ({type(exc).__name__}: "
                         f"{exc})") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not a fastbackprop model file (a single .npy array, not an "
                         f".npz archive)")
    try:
        with data:
            return {key: data[key] for key in data.files}
    except Exception as exc:  # truncated or corrupted members
        raise ValueError(f"{path}: not a fastbackprop model file, or a damaged one "
                         f"({type(exc).__name__}: {exc})") from None


def _progress_bar(progress, total):
    if progress is None:
        progress = total >= 1000 and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="it", leave=False)


class _DeferredSigint:
    """Holds SIGINT back while training and hands it to the previous handler at a safe point.

    Only the main thread receives signals, so elsewhere (and when SIGINT is ignored or left to
    the OS) this does nothing."""

    def __init__(self):
        self.previous = None
        self.pending = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            previous = _raw_signal.getsignal(signal.SIGINT)
            if callable(previous):
                _raw_signal.signal(signal.SIGINT, self._hold)
                self.previous = previous
        return self

    def _hold(self, signum, frame):
        self.pending = (signum, frame)

    def deliver(self):
        """Run the previous handler for a held-back SIGINT (normally: raise KeyboardInterrupt)."""
        if self.pending is not None:
            signum, frame = self.pending
            self.pending = None
            self.previous(signum, frame)

    def __exit__(self, *exc_info):
        if self.previous is not None:
            _raw_signal.signal(signal.SIGINT, self.previous)
            self.deliver()
            self.previous = None
