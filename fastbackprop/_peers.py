"""The systems `fastbackprop bench` times: fastbackprop, the NumPy baseline, and the frameworks a
user would otherwise reach for, each written the way that framework's users write it.

Every system is built from the same X (n_x, m), Y (n_L, m) and course-layout parameters (W1,
b1, …). On a full-batch configuration (a–e) it does the same step: forward, mean binary
cross-entropy from the logits, backward, W -= lr·dW, b -= lr·db. On a minibatch configuration
(``config.batch_size``: f, g, h) an iteration is an epoch in the system's own loop: shuffle, then
per batch forward, the head's mean cost (softmax cross-entropy, or half the squared error),
backward and an Adam step (``config.beta1``, ``beta2``, ``epsilon``), the Adam state continuing
from call to call. The NumPy baseline and fastbackprop take the same shuffles (seed
``SHUFFLE_SEED``, ``kernels.minibatch.permutation_of``); the frameworks shuffle their own way.
Frameworks that want examples as rows (PyTorch, JAX on minibatches, scikit-learn) get X.T copied
once at set-up, outside any timing. ``parameters()`` hands the state back in the course's layout
for the agreement check.

A system class has ``name`` (the key of ``--systems``), ``label`` (the table's column), ``missing()``
(None, or why it cannot run here), ``unsupported(config)`` (None, or why it cannot train that
network), ``same_shuffles`` (whether its minibatches are the baseline's: then its parameters are
checked, else only its loss), a constructor ``(config, dtype, X, Y, parameters)`` that copies
what it needs, ``train(n)`` (n iterations, returning only when they are done) and
``parameters()``.
"""
import importlib.util
import os
import warnings

import numpy as np

from . import baseline
from .kernels import LEAKY_SLOPE

# ours -> MLPClassifier's names (it has no leaky relu)
_SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic",
                        "identity": "identity"}

SHUFFLE_SEED = 0
"""The minibatch shuffle of the NumPy baseline and fastbackprop (``fit(seed=...)``); the
frameworks seed their own generators with it."""


def _labels(Y):
    # one-hot (C, m) -> class indices (m,)
    return np.ascontiguousarray(Y.argmax(axis=0))


def _minibatch_unsupported(config):
    """Why a framework's minibatch loop cannot train ``config`` (None if it can): its heads are
    softmax, identity and one sigmoid unit, its optimizer Adam."""
    if config.batch_size is None:
        return None
    if config.optimizer != "adam":
        return f"the minibatch loops here run Adam, not {config.optimizer}"
    if config.output == "sigmoid" and config.layer_dims[-1] != 1:
        return "the minibatch loops here train one sigmoid unit, not several"
    return None


def _threads():
    # the cores this process may use (2 on the benchmark machine)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _not_installed(module, extra):
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed (pip install 'fastbackprop[{extra}]')"
    return None


class _Peer:
    same_shuffles = False  # a framework shuffles its own way: only its loss is checked

    @staticmethod
    def unsupported(config):
        return _minibatch_unsupported(config)


class _Always(_Peer):
    """A system that is always there (no optional extra): keeps the run's data and config."""
    same_shuffles = True  # the NumPy baseline and fastbackprop: permutation_of(SHUFFLE_SEED, …)

    @staticmethod
    def unsupported(config):
        return None

    @staticmethod
    def missing():
        return None

    def __init__(self, config, dtype, X, Y, parameters):
        self.config = config
        self.X, self.Y = X, Y


class NumPyBaseline(_Always):
    """fastbackprop.baseline.train: the course's formulation, the reference of every ratio.
    Minibatches: baseline.train_minibatch (Adam), an epoch per iteration, its state and epoch
    count continuing from call to call, the shuffles fastbackprop's."""
    name, label = "numpy", "NumPy"

    def __init__(self, config, dtype, X, Y, parameters):
        super().__init__(config, dtype, X, Y, parameters)
        self.params = {key: value.copy() for key, value in parameters.items()}
        self.state, self.epochs = None, 0

    def train(self, n):
        config = self.config
        if config.batch_size is None:
            self.params, _ = baseline.train(self.X, self.Y, self.params,
                                            config.hidden_activation, config.learning_rate, n,
                                            record_every=0)
            return
        from .kernels import minibatch
        m, first = self.X.shape[1], self.epochs

        def order(epoch):  # fastbackprop's shuffle of that epoch
            return minibatch.permutation_of(SHUFFLE_SEED, first + epoch, m)

        self.params, _, self.state = baseline.train_minibatch(
            self.X, self.Y, self.params, config.hidden_activation, config.learning_rate, n,
            config.batch_size, order, 0, output=config.output, optimizer=config.optimizer,
            beta1=config.beta1, beta2=config.beta2, epsilon=config.epsilon,
            step0=self.state["step"] if self.state else 0, state=self.state, return_state=True)
        self.epochs += n

    def parameters(self):
        return self.params


class FastBackprop(_Always):
    """The public API: Model.from_parameters(...).fit(...), continuing from its own state.
    Minibatches as a user drives them: ``fit(X, Y, num_iterations=1, batch_size=b,
    optimizer="adam", ...)`` once per epoch (the Adam state continues across the calls)."""
    name, label = "fastbackprop", "fastbackprop"

    def __init__(self, config, dtype, X, Y, parameters):
        super().__init__(config, dtype, X, Y, parameters)
        from .model import Model
        self.model = Model.from_parameters(parameters, config.hidden_activation, dtype,
                                           output=config.output)

    def train(self, n):
        config = self.config
        if config.batch_size is None:
            self.model.fit(self.X, self.Y, learning_rate=config.learning_rate, num_iterations=n,
                           record_every=0, progress=False)
            return
        for _ in range(n):
            self.model.fit(self.X, self.Y, learning_rate=config.learning_rate, num_iterations=1,
                           batch_size=config.batch_size, seed=SHUFFLE_SEED,
                           optimizer=config.optimizer, beta1=config.beta1, beta2=config.beta2,
                           epsilon=config.epsilon, record_every=0, progress=False)

    def parameters(self):
        return self.model.parameters


class PyTorch(_Peer):
    """nn.Sequential of nn.Linear + activation, BCEWithLogitsLoss (mean, so the same 1/m),
    optim.SGD without momentum, autograd; examples as rows, torch's native layout.

    Minibatches: optim.Adam, CrossEntropyLoss on class indices (softmax) or MSELoss scaled to
    half the squared error per example (identity), and the usual in-memory loop: per epoch
    ``torch.randperm`` (a seeded generator), then per batch index, zero_grad, loss, backward,
    step. (A DataLoader over a TensorDataset would collate example by example: slower, and no
    more usual for data already in one tensor.)"""
    name, label = "torch", "PyTorch"

    @staticmethod
    def missing():
        return _not_installed("torch", "torch")

    def __init__(self, config, dtype, X, Y, parameters):
        import torch
        torch.set_num_threads(_threads())
        self.torch = torch
        tdtype = getattr(torch, np.dtype(dtype).name)
        L = len(config.layer_dims) - 1
        layers = []
        for l in range(1, L + 1):
            W, b = parameters[f"W{l}"], parameters[f"b{l}"]
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))  # (n_l, n_{l-1}): the course's layout
                linear.bias.copy_(torch.from_numpy(b.ravel()))
            layers.append(linear)
            if l < L:
                layers.append({"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh,
                               "sigmoid": torch.nn.Sigmoid, "identity": torch.nn.Identity,
                               "leaky_relu": lambda: torch.nn.LeakyReLU(LEAKY_SLOPE)}[
                                   config.hidden_activation]())
        self.net = torch.nn.Sequential(*layers)
        self.config = config
        self.X = torch.from_numpy(np.ascontiguousarray(X.T))  # (m, n_x)
        if config.batch_size is None:
            self.loss = torch.nn.BCEWithLogitsLoss()
            self.optimizer = torch.optim.SGD(self.net.parameters(), lr=config.learning_rate)
            self.Y = torch.from_numpy(np.ascontiguousarray(Y.T))  # (m, 1)
            return
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=config.learning_rate,
                                          betas=(config.beta1, config.beta2),
                                          eps=config.epsilon)
        if config.output == "softmax":
            self.loss = torch.nn.CrossEntropyLoss()  # mean over the batch
            self.Y = torch.from_numpy(_labels(Y))  # (m,) int64 class indices
        elif config.output == "identity":
            mse, half_units = torch.nn.MSELoss(), 0.5 * Y.shape[0]
            # MSELoss averages over the batch and the n_L units; the baseline's cost is half the
            # squared error summed over the units, averaged over the batch
            self.loss = lambda out, target: half_units * mse(out, target)
            self.Y = torch.from_numpy(np.ascontiguousarray(Y.T))  # (m, n_L)
        else:
            self.loss = torch.nn.BCEWithLogitsLoss()
            self.Y = torch.from_numpy(np.ascontiguousarray(Y.T))
        self.generator = torch.Generator().manual_seed(SHUFFLE_SEED)

    def train(self, n):
        if self.config.batch_size is None:
            for _ in range(n):
                self.optimizer.zero_grad(set_to_none=True)
                self.loss(self.net(self.X), self.Y).backward()
                self.optimizer.step()
            return
        m, b = self.X.shape[0], self.config.batch_size
        for _ in range(n):
            order = self.torch.randperm(m, generator=self.generator)
            for start in range(0, m, b):
                batch = order[start:start + b]
                self.optimizer.zero_grad(set_to_none=True)
                self.loss(self.net(self.X[batch]), self.Y[batch]).backward()
                self.optimizer.step()

    def parameters(self):
        out = {}
        for l, linear in enumerate(self.net[::2], 1):
            out[f"W{l}"] = linear.weight.detach().numpy().copy()
            out[f"b{l}"] = linear.bias.detach().numpy().reshape(-1, 1).copy()
        return out


class JAX(_Peer):
    """A jax.jit-compiled step (jax.grad of the mean cross-entropy, then p - lr·g over the
    parameter list, parameters donated), called once per iteration; x64 enabled so float64 is
    float64. Examples as columns, as in the course.

    Minibatches: optax.adam and a jitted step per batch (value and gradient of the head's mean
    cost, optax's update; parameters and optimizer state donated), examples as rows (x @ W + b,
    as Flax's Dense), fed from NumPy: per epoch a seeded ``permutation`` reorders the rows, and
    each batch is a slice of them, the data-loading loop of JAX's own examples."""
    name, label = "jax", "JAX"

    @staticmethod
    def missing():
        return _not_installed("jax", "jax")

    @staticmethod
    def unsupported(config):
        if config.batch_size is not None and importlib.util.find_spec("optax") is None:
            return "optax is not installed (pip install 'fastbackprop[jax]')"
        return _minibatch_unsupported(config)

    def __init__(self, config, dtype, X, Y, parameters):
        import jax
        jax.config.update("jax_enable_x64", True)  # before any array is made
        import jax.numpy as jnp
        self.jax = jax
        g = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
             "identity": lambda Z: Z,
             "leaky_relu": lambda Z: jax.nn.leaky_relu(Z, LEAKY_SLOPE)}[config.hidden_activation]
        self.config = config
        if config.batch_size is not None:
            self._minibatch_setup(config, X, Y, parameters, g)
            return
        lr = config.learning_rate

        def cost(params, X, Y):
            A = X
            for W, b in params[:-1]:
                A = g(W @ A + b)
            W, b = params[-1]
            ZL = W @ A + b
            return jnp.mean(jax.nn.softplus(ZL) - ZL * Y)  # cross-entropy from the logits

        def step(params, X, Y):
            grads = jax.grad(cost)(params, X, Y)
            return jax.tree.map(lambda p, dp: p - lr * dp, params, grads)

        self.step = jax.jit(step, donate_argnums=0)
        L = len(config.layer_dims) - 1
        self.params = [(jnp.asarray(parameters[f"W{l}"]), jnp.asarray(parameters[f"b{l}"]))
                       for l in range(1, L + 1)]
        self.X, self.Y = jnp.asarray(X), jnp.asarray(Y)

    def _minibatch_setup(self, config, X, Y, parameters, g):
        import jax
        import jax.numpy as jnp
        import optax
        output = config.output

        def cost(params, x, y):
            A = x
            for W, b in params[:-1]:
                A = g(A @ W + b)
            W, b = params[-1]
            Z = A @ W + b
            if output == "softmax":
                return optax.softmax_cross_entropy_with_integer_labels(Z, y).mean()
            if output == "identity":
                return 0.5 * jnp.sum((Z - y) ** 2) / x.shape[0]
            return jnp.mean(jax.nn.softplus(Z) - Z * y)

        optimizer = optax.adam(config.learning_rate, b1=config.beta1, b2=config.beta2,
                               eps=config.epsilon)

        def step(params, state, x, y):
            grads = jax.grad(cost)(params, x, y)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        self.step = jax.jit(step, donate_argnums=(0, 1))
        L = len(config.layer_dims) - 1
        # rows layout: W (n_{l-1}, n_l), b (n_l,)
        self.params = [(jnp.asarray(parameters[f"W{l}"].T),
                        jnp.asarray(parameters[f"b{l}"].ravel())) for l in range(1, L + 1)]
        self.state = optimizer.init(self.params)
        self.X = np.ascontiguousarray(X.T)  # (m, n_x)
        self.Y = _labels(Y).astype(np.int32) if output == "softmax" else np.ascontiguousarray(Y.T)
        self.rng = np.random.default_rng(SHUFFLE_SEED)

    def train(self, n):
        if self.config.batch_size is not None:
            m, b = self.X.shape[0], self.config.batch_size
            for _ in range(n):
                order = self.rng.permutation(m)
                X, Y = self.X[order], self.Y[order]
                for start in range(0, m, b):
                    self.params, self.state = self.step(self.params, self.state,
                                                        X[start:start + b], Y[start:start + b])
            self.jax.block_until_ready(self.params)
            return
        for _ in range(n):
            self.params = self.step(self.params, self.X, self.Y)
        self.jax.block_until_ready(self.params)

    def parameters(self):
        out = {}
        rows = self.config.batch_size is not None
        for l, (W, b) in enumerate(self.params, 1):
            W, b = np.array(W), np.array(b)
            out[f"W{l}"], out[f"b{l}"] = (W.T.copy(), b.reshape(-1, 1)) if rows else (W, b)
        return out


class ScikitLearn(_Peer):
    """MLPClassifier(solver="sgd", batch_size=m, momentum=0, alpha=0, constant learning rate,
    no shuffling), warm-started from our parameters through coefs_ / intercepts_.

    Its step is the same: the loss is the mean binary cross-entropy (1/m, as ours; computed from
    clipped probabilities rather than logits), the output delta is A_L - Y and the gradients are
    divided by m. What differs is its idiom's extra work per iteration: the loss value and the
    squared norm of the weights (for the L2 term, even at alpha=0) are computed every
    iteration, and every ``fit`` call validates X.

    Minibatches: MLPClassifier (softmax) or MLPRegressor (identity) with solver="adam",
    batch_size=b, alpha=0, shuffle=True, ``partial_fit`` once per epoch, the way it trains
    incrementally. Its random_state is a seeded ``RandomState`` (an integer would reseed every
    ``partial_fit`` and repeat one shuffle each epoch). Its Adam is the others' but for where
    epsilon enters (added to √v before the bias correction, not to √v̂). It starts from our
    parameters by a first ``partial_fit`` on one example (which sets up the classes and the
    layers), then coefs_ / intercepts_ replaced and the Adam state dropped, so the next call
    starts a fresh one."""
    name, label = "sklearn", "scikit-learn"

    @staticmethod
    def missing():
        return _not_installed("sklearn", "sklearn")

    @staticmethod
    def unsupported(config):
        if config.hidden_activation not in _SKLEARN_ACTIVATIONS:
            return f"MLPClassifier has no {config.hidden_activation} activation"
        return _minibatch_unsupported(config)

    def __init__(self, config, dtype, X, Y, parameters):
        self.config = config
        if config.batch_size is not None:
            self._minibatch_setup(config, dtype, X, Y, parameters)
            return
        from sklearn.neural_network import MLPClassifier
        L = len(config.layer_dims) - 1
        self.X = np.ascontiguousarray(X.T)  # (m, n_x)
        self.y = Y.ravel().copy()
        self.clf = MLPClassifier(
            hidden_layer_sizes=tuple(config.layer_dims[1:-1]),
            activation=_SKLEARN_ACTIVATIONS[config.hidden_activation],
            solver="sgd", batch_size=config.m, learning_rate="constant",
            learning_rate_init=config.learning_rate, momentum=0.0, nesterovs_momentum=False,
            alpha=0.0, shuffle=False, tol=0.0, n_iter_no_change=2**62, early_stopping=False,
            warm_start=True, max_iter=1)
        self._fit(1)  # sets up classes_, the output layer and the optimiser's bookkeeping
        self.clf.coefs_ = [np.array(parameters[f"W{l}"].T, dtype) for l in range(1, L + 1)]
        self.clf.intercepts_ = [parameters[f"b{l}"].ravel().astype(dtype)
                                for l in range(1, L + 1)]

    def _fit(self, n):
        from sklearn.exceptions import ConvergenceWarning
        self.clf.max_iter = n
        with warnings.catch_warnings():
            # max_iter reached "without converging" is the point here
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.clf.fit(self.X, self.y)

    def _minibatch_setup(self, config, dtype, X, Y, parameters):
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        L = len(config.layer_dims) - 1
        self.X = np.ascontiguousarray(X.T)  # (m, n_x)
        classifier = config.output != "identity"
        if config.output == "softmax":
            self.y = _labels(Y)
        else:  # one unit: (m,); several regression targets: (m, n_L)
            self.y = Y.ravel().copy() if Y.shape[0] == 1 else np.ascontiguousarray(Y.T)
        self.clf = (MLPClassifier if classifier else MLPRegressor)(
            hidden_layer_sizes=tuple(config.layer_dims[1:-1]),
            activation=_SKLEARN_ACTIVATIONS[config.hidden_activation], solver="adam",
            batch_size=config.batch_size, learning_rate_init=config.learning_rate,
            beta_1=config.beta1, beta_2=config.beta2, epsilon=config.epsilon, alpha=0.0,
            shuffle=True, random_state=np.random.RandomState(SHUFFLE_SEED), tol=0.0,
            n_iter_no_change=2**62, early_stopping=False)
        extra = {"classes": np.arange(max(2, config.layer_dims[-1]))} if classifier else {}
        with warnings.catch_warnings():  # "batch_size larger than sample size": the point here
            warnings.simplefilter("ignore", UserWarning)
            self.clf.partial_fit(self.X[:1], self.y[:1], **extra)  # classes_, layers, Adam
        self.clf.coefs_ = [np.array(parameters[f"W{l}"].T, dtype) for l in range(1, L + 1)]
        self.clf.intercepts_ = [parameters[f"b{l}"].ravel().astype(dtype)
                                for l in range(1, L + 1)]
        if hasattr(self.clf, "_optimizer"):  # its next partial_fit starts a fresh Adam
            del self.clf._optimizer

    def train(self, n):
        if self.config.batch_size is None:
            self._fit(n)
            return
        for _ in range(n):
            self.clf.partial_fit(self.X, self.y)

    def parameters(self):
        out = {}
        for l, (W, b) in enumerate(zip(self.clf.coefs_, self.clf.intercepts_), 1):
            out[f"W{l}"], out[f"b{l}"] = W.T.copy(), b.reshape(-1, 1).copy()
        return out


SYSTEMS = {s.name: s for s in (NumPyBaseline, FastBackprop, PyTorch, JAX, ScikitLearn)}
