"""The systems `fastbackprop bench` times: fastbackprop, the NumPy baseline, and the frameworks a
user would otherwise reach for, each written the way that framework's users write it.

Every system is built from the same X (n_x, m), Y (1, m) and course-layout parameters (W1, b1, …)
and does the same full-batch step: forward, mean binary cross-entropy from the logits, backward,
W -= lr·dW, b -= lr·db. Frameworks that want examples as rows (PyTorch, scikit-learn) get X.T
copied once at set-up, outside any timing. ``parameters()`` hands the state back in the course's
layout for the agreement check.

A system class has ``name`` (the key of ``--systems``), ``label`` (the table's column), ``missing()``
(None, or why it cannot run here), ``unsupported(config)`` (None, or why it cannot train that
network), a constructor ``(config, dtype, X, Y, parameters)`` that copies what it needs,
``train(n)`` (n iterations, returning only when they are done) and ``parameters()``.
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


def _threads():
    # the cores this process may use (2 on the benchmark machine)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _not_installed(module, extra):
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed (pip install 'fastbackprop[{extra}]')"
    return None


class _Peer:
    @staticmethod
    def unsupported(config):
        return None


class _Always(_Peer):
    """A system that is always there (no optional extra): keeps the run's data and config."""

    @staticmethod
    def missing():
        return None

    def __init__(self, config, dtype, X, Y, parameters):
        self.config = config
        self.X, self.Y = X, Y


class NumPyBaseline(_Always):
    """fastbackprop.baseline.train: the course's formulation, the reference of every ratio."""
    name, label = "numpy", "NumPy"

    def __init__(self, config, dtype, X, Y, parameters):
        super().__init__(config, dtype, X, Y, parameters)
        self.params = {key: value.copy() for key, value in parameters.items()}

    def train(self, n):
        self.params, _ = baseline.train(self.X, self.Y, self.params, self.config.hidden_activation,
                                        self.config.learning_rate, n, record_every=0)

    def parameters(self):
        return self.params


class FastBackprop(_Always):
    """The public API: Model.from_parameters(...).fit(...), continuing from its own state."""
    name, label = "fastbackprop", "fastbackprop"

    def __init__(self, config, dtype, X, Y, parameters):
        super().__init__(config, dtype, X, Y, parameters)
        from .model import Model
        self.model = Model.from_parameters(parameters, config.hidden_activation, dtype)

    def train(self, n):
        self.model.fit(self.X, self.Y, learning_rate=self.config.learning_rate, num_iterations=n,
                       record_every=0, progress=False)

    def parameters(self):
        return self.model.parameters


class PyTorch(_Peer):
    """nn.Sequential of nn.Linear + activation, BCEWithLogitsLoss (mean, so the same 1/m),
    optim.SGD without momentum, autograd; examples as rows, torch's native layout."""
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
        self.loss = torch.nn.BCEWithLogitsLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=config.learning_rate)
        self.X = torch.from_numpy(np.ascontiguousarray(X.T))  # (m, n_x)
        self.Y = torch.from_numpy(np.ascontiguousarray(Y.T))  # (m, 1)

    def train(self, n):
        for _ in range(n):
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(self.net(self.X), self.Y).backward()
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
    float64. Examples as columns, as in the course."""
    name, label = "jax", "JAX"

    @staticmethod
    def missing():
        return _not_installed("jax", "jax")

    def __init__(self, config, dtype, X, Y, parameters):
        import jax
        jax.config.update("jax_enable_x64", True)  # before any array is made
        import jax.numpy as jnp
        self.jax = jax
        g = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
             "identity": lambda Z: Z,
             "leaky_relu": lambda Z: jax.nn.leaky_relu(Z, LEAKY_SLOPE)}[config.hidden_activation]
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

    def train(self, n):
        for _ in range(n):
            self.params = self.step(self.params, self.X, self.Y)
        self.jax.block_until_ready(self.params)

    def parameters(self):
        out = {}
        for l, (W, b) in enumerate(self.params, 1):
            out[f"W{l}"], out[f"b{l}"] = np.array(W), np.array(b)
        return out


class ScikitLearn(_Peer):
    """MLPClassifier(solver="sgd", batch_size=m, momentum=0, alpha=0, constant learning rate,
    no shuffling), warm-started from our parameters through coefs_ / intercepts_.

    Its step is the same: the loss is the mean binary cross-entropy (1/m, as ours; computed from
    clipped probabilities rather than logits), the output delta is A_L - Y and the gradients are
    divided by m. What differs is its idiom's extra work per iteration: the loss value and the
    squared norm of the weights (for the L2 term, even at alpha=0) are computed every
    iteration, and every ``fit`` call validates X."""
    name, label = "sklearn", "scikit-learn"

    @staticmethod
    def missing():
        return _not_installed("sklearn", "sklearn")

    @staticmethod
    def unsupported(config):
        if config.hidden_activation not in _SKLEARN_ACTIVATIONS:
            return f"MLPClassifier has no {config.hidden_activation} activation"
        return None

    def __init__(self, config, dtype, X, Y, parameters):
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

    def train(self, n):
        self._fit(n)

    def parameters(self):
        out = {}
        for l, (W, b) in enumerate(zip(self.clf.coefs_, self.clf.intercepts_), 1):
            out[f"W{l}"], out[f"b{l}"] = W.T.copy(), b.reshape(-1, 1).copy()
        return out


SYSTEMS = {s.name: s for s in (NumPyBaseline, FastBackprop, PyTorch, JAX, ScikitLearn)}
