"""The pure-NumPy reference: the course's formulation, written the way the textbook writes it.

Per-layer caches, ``np.dot``, a temporary for every intermediate. It is the oracle of the tests and
the reference of every speed comparison, so it imports nothing else from this package.

Differences from the course's notebooks, both for numerical safety and shared with the kernels:

- the hidden activation is selectable;
- the output layer has a head ``output``: ``"sigmoid"`` (binary cross-entropy, one or several
  independent labels), ``"softmax"`` (cross-entropy, Y one-hot of shape (C, m)) or ``"identity"``
  (half the mean squared error). Each head is the canonical link of its cost, so for all three
  dZ_L = h(Z_L) - Y, which is the course's dA_L * h'(Z_L) simplified; and each cost is taken from
  the logits Z_L (stable for saturated outputs), not from A_L;
- inverted dropout draws its masks from a counter-based hash of (seed, step, layer, unit,
  example) rather than from ``np.random``, so the kernels can recompute a mask instead of
  storing it, and a training run continued in two calls draws what one call would.

L2 regularisation, momentum and Adam are the course's (week 1 and 2 of its second part);
"sgd_momentum" and "nesterov" are scikit-learn's sgd forms (v = μv − αg; θ += v, or
θ += μv − αg). Optional per-example weights w scale each example's cost and its dZ_L (a
batch's cost is Σ_j w_j·cost_j / m).
"""
import math
import operator

import numpy as np

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "identity")
OUTPUTS = ("sigmoid", "softmax", "identity")
OPTIMIZERS = ("gd", "momentum", "adam", "sgd_momentum", "nesterov")
LEAKY_SLOPE = 0.01


def _check_output(output):
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")


def _check_optimizer(optimizer):
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")


def _check_keep_prob(keep_prob):
    if not 0 < keep_prob <= 1:  # also refuses NaN
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")


def _check_lambd(lambd):
    if not lambd >= 0:
        raise ValueError(f"lambd must be >= 0, got {lambd!r}")


# -- activations and output heads ----------------------------------------------------------------

def sigmoid(Z):
    # exp of non-positive numbers only, so no overflow warning at |Z| = 800
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + E), E / (1 + E))


def softmax(Z):
    """Softmax over the units (axis 0) of each column (example).

    Parameters
    ----------
    Z : ndarray of shape (C, m)

    Returns
    -------
    ndarray of shape (C, m), each column positive and summing to 1.
    """
    # subtracting the column's max leaves the result unchanged and every exponent <= 0, so no
    # overflow, and at least one term of the sum is 1, so no division by an underflowed zero
    E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return E / np.sum(E, axis=0, keepdims=True)


def log_softmax(Z):
    """log(softmax(Z)) per column, as z - max - log Σ exp(z - max).

    Stable where ``np.log(softmax(Z))`` is not: a probability that underflows to 0 still has a
    finite logarithm here.
    """
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


def activation_forward(Z, activation):
    if activation == "relu":
        return np.maximum(0, Z)
    if activation == "leaky_relu":
        return np.where(Z > 0, Z, LEAKY_SLOPE * Z)
    if activation == "tanh":
        return np.tanh(Z)
    if activation == "sigmoid":
        return sigmoid(Z)
    if activation == "identity":
        return Z.copy()
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def activation_backward(dA, Z, activation):
    """dZ = dA * g'(Z)."""
    if activation == "relu":
        return dA * (Z > 0)
    if activation == "leaky_relu":
        return dA * np.where(Z > 0, 1, LEAKY_SLOPE).astype(dA.dtype)
    if activation == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    if activation == "sigmoid":
        s = sigmoid(Z)
        return dA * s * (1 - s)
    if activation == "identity":
        return dA.copy()
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def output_forward(ZL, output="sigmoid"):
    """The head h of the last layer: A_L = h(Z_L).

    Parameters
    ----------
    ZL : ndarray of shape (n_L, m)
        The last layer's logits.
    output : {"sigmoid", "softmax", "identity"}
        Elementwise sigmoid, softmax over the units of each column, or Z_L itself.

    Returns
    -------
    ndarray of shape (n_L, m)
    """
    _check_output(output)
    if output == "sigmoid":
        return sigmoid(ZL)
    if output == "softmax":
        return softmax(ZL)
    return ZL.copy()


# -- dropout masks -------------------------------------------------------------------------------

# SplitMix64's increment and finaliser. All arithmetic is on uint64 arrays, which wrap modulo
# 2**64 silently (NumPy warns on overflow only for scalars, so keys are kept as (1, 1) arrays).
_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _as_key(value, name):
    value = operator.index(value)
    if not 0 <= value < 2**63:
        raise ValueError(f"{name} must be in [0, 2**63), got {value!r}")
    return np.full((1, 1), value, dtype=np.uint64)


def dropout_mask(seed, step, layer, n, m, keep_prob):
    """The dropout mask D_l of one layer at one training step: which units of which examples keep.

    Each entry is a pure function of (seed, step, layer, unit, example), a counter-based hash, so
    it can be recomputed anywhere (the kernels do, in the backward pass) instead of stored::

        G = 0x9E3779B97F4A7C15, mix = SplitMix64's finaliser, all uint64 and wrapping
        layer_key = mix(mix(mix(seed + G) ^ (step + G)) ^ (layer + G))
        unit_key  = mix(layer_key ^ (unit + G))          unit = 0 … n - 1
        u         = mix(unit_key ^ (example + G))        example = 0 … m - 1
        keep      = (u >> 11) < floor(keep_prob * 2**53)

    Parameters
    ----------
    seed : int in [0, 2**63)
    step : int in [0, 2**63)
        The global step counter (0-based): one step per batch, counted across epochs and calls.
    layer : int >= 1
        The hidden layer l (1 … L-1; the output layer is never dropped).
    n, m : int
        The layer's units and the step's batch size: the mask's shape.
    keep_prob : float in (0, 1]
        The probability of keeping a unit; 1 keeps all.

    Returns
    -------
    ndarray of bool, shape (n, m)
    """
    _check_keep_prob(keep_prob)
    if operator.index(layer) < 1:
        raise ValueError(f"layer must be >= 1 (hidden layers only), got {layer!r}")
    layer_key = _mix(_mix(_mix(_as_key(seed, "seed") + _G) ^ (_as_key(step, "step") + _G))
                     ^ (_as_key(layer, "layer") + _G))
    unit_key = _mix(layer_key ^ (np.arange(n, dtype=np.uint64)[:, None] + _G))
    u = _mix(unit_key ^ (np.arange(m, dtype=np.uint64)[None, :] + _G))
    # the top 53 bits of u are a uniform integer below 2**53; keep_prob * 2**53 is exact (a
    # power-of-two scaling), so keep_prob = 1 gives threshold 2**53 and keeps every unit
    threshold = np.uint64(math.floor(keep_prob * 2**53))
    return (u >> np.uint64(11)) < threshold


# -- forward -------------------------------------------------------------------------------------

def linear_forward(A_prev, W, b):
    Z = np.dot(W, A_prev) + b
    return Z, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = activation_forward(Z, activation)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters, hidden_activation="relu", output="sigmoid", keep_prob=1.0,
                    seed=0, step=0):
    """Hidden layers g (with inverted dropout), then the head h.

    Parameters
    ----------
    X : ndarray of shape (n_0, m)
    parameters : dict
        W1, b1, …, WL, bL.
    hidden_activation : str
        g, one of ACTIVATIONS.
    output : {"sigmoid", "softmax", "identity"}
        h.
    keep_prob : float in (0, 1]
        Inverted dropout on the hidden layers 1 … L-1: A_l = g(Z_l) * D_l / keep_prob, so the
        expected A_l is unchanged and inference needs no rescaling. 1 (the default) drops nothing.
    seed, step : int
        The key of the masks D_l (see ``dropout_mask``); unused when keep_prob = 1.

    Returns
    -------
    AL : ndarray of shape (n_L, m)
    caches : list of L tuples ((A_prev, W, b), Z, D)
        One per layer; A_prev is the input the layer saw (after the previous layer's dropout), D
        the layer's boolean mask, None for the output layer and when keep_prob = 1.
    """
    _check_output(output)
    _check_keep_prob(keep_prob)
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, (linear_cache, Z) = linear_activation_forward(A, parameters["W" + str(l)],
                                                         parameters["b" + str(l)],
                                                         hidden_activation)
        D = None
        if keep_prob < 1:
            D = dropout_mask(seed, step, l, A.shape[0], A.shape[1], keep_prob)
            A = A * D
            A = A / keep_prob
        caches.append((linear_cache, Z, D))
    ZL, linear_cache = linear_forward(A, parameters["W" + str(L)], parameters["b" + str(L)])
    AL = output_forward(ZL, output)
    caches.append((linear_cache, ZL, None))
    return AL, caches


# -- costs ---------------------------------------------------------------------------------------

def compute_cost(ZL, Y, output="sigmoid", weights=None):
    """The data cost of the head ``output``, from the logits ZL, averaged over the m examples.

    Parameters
    ----------
    ZL : ndarray of shape (n_L, m)
    Y : ndarray of shape (n_L, m)
        Labels in {0, 1} for sigmoid, one-hot columns for softmax, targets for identity.
    output : {"sigmoid", "softmax", "identity"}
        sigmoid: binary cross-entropy summed over the units, max(z, 0) - z*y + log1p(exp(-|z|));
        softmax: cross-entropy -Σ_i y_i log_softmax(z)_i; identity: half the squared error.
    weights : ndarray of shape (m,), optional
        Per-example weights: the cost is Σ_j w_j·cost_j / m.

    Returns
    -------
    float
    """
    _check_output(output)
    m = Y.shape[1]
    if weights is not None:
        if output == "sigmoid":
            per = np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL))), axis=0)
        elif output == "softmax":
            per = -np.sum(Y * log_softmax(ZL), axis=0)
        else:
            per = np.sum((ZL - Y) ** 2, axis=0) / 2
        return float(np.sum(np.asarray(weights) * per) / m)
    if output == "sigmoid":
        return float(np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))) / m)
    if output == "softmax":
        return float(-np.sum(Y * log_softmax(ZL)) / m)
    return float(np.sum((ZL - Y) ** 2) / (2 * m))


def compute_cost_with_regularization(ZL, Y, parameters, lambd, output="sigmoid", weights=None):
    """compute_cost plus the L2 term λ/(2m) Σ_l ‖W_l‖²_F (the biases are not regularised).

    Parameters
    ----------
    ZL, Y, output
        As for compute_cost; m = Y.shape[1], the examples of this batch.
    parameters : dict
        W1, b1, …, WL, bL.
    lambd : float >= 0

    Returns
    -------
    float
    """
    _check_lambd(lambd)
    cost = compute_cost(ZL, Y, output, weights)
    if lambd == 0:  # adds nothing, not even 0 * ‖W‖² (NaN for an infinite W)
        return cost
    m = Y.shape[1]
    L = len(parameters) // 2
    L2_cost = lambd / (2 * m) * sum(np.sum(np.square(parameters["W" + str(l)]))
                                    for l in range(1, L + 1))
    return float(cost + L2_cost)


# -- backward ------------------------------------------------------------------------------------

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches, hidden_activation="relu", output="sigmoid", lambd=0.0,
                     keep_prob=1.0, parameters=None, weights=None):
    """The gradients of compute_cost_with_regularization for the forward pass that made caches.

    Parameters
    ----------
    AL : ndarray of shape (n_L, m)
    Y : ndarray, reshaped to AL's shape
    caches : list
        From L_model_forward, with its dropout masks; 2-tuples ((A_prev, W, b), Z) without masks
        are accepted too.
    hidden_activation : str
    output : {"sigmoid", "softmax", "identity"}
        Every head is the canonical link of its cost, so dZ_L = AL - Y for all three.
    lambd : float >= 0
        L2: dW_l += λ/m * W_l.
    keep_prob : float in (0, 1]
        The forward pass's; the gradient through A_l = g(Z_l) * D_l / keep_prob is
        dZ_l = dA_l * D_l / keep_prob * g'(Z_l).
    parameters : dict, optional
        The W_l of the L2 term; by default those in caches (the same arrays).
    weights : ndarray of shape (m,), optional
        Per-example weights: dZ_L = (AL - Y) * w (the gradient of compute_cost's weighted form).

    Returns
    -------
    grads : dict
        dA{l-1}, dW{l}, db{l} and dZ{l} for l = 1 … L (dZ kept for the tests). dA{l} is the
        gradient with respect to the A_l the next layer saw, i.e. after dropout.
    """
    _check_output(output)
    _check_lambd(lambd)
    _check_keep_prob(keep_prob)
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dZ = AL - Y
    if weights is not None:
        dZ = dZ * np.asarray(weights).reshape(1, -1)
    for l in range(L, 0, -1):
        linear_cache, Z = caches[l - 1][:2]
        if l < L:
            D = caches[l - 1][2] if len(caches[l - 1]) > 2 else None
            if (D is None) != (keep_prob == 1):
                raise ValueError(f"keep_prob={keep_prob!r} but the caches of layer {l} "
                                 f"{'carry no' if D is None else 'carry a'} dropout mask: "
                                 f"pass the forward pass's keep_prob")
            dA = grads["dA" + str(l)]
            if D is not None:
                # the units dropped in the forward pass get no gradient; the kept ones are scaled
                # as their activations were
                dA = dA * D
                dA = dA / keep_prob
            dZ = activation_backward(dA, Z, hidden_activation)
        grads["dZ" + str(l)] = dZ
        grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = \
            linear_backward(dZ, linear_cache)
        if lambd:
            A_prev, W, _ = linear_cache
            if parameters is not None:
                W = parameters["W" + str(l)]
            m = A_prev.shape[1]
            grads["dW" + str(l)] = grads["dW" + str(l)] + lambd / m * W
    return grads


# -- updates -------------------------------------------------------------------------------------

def update_parameters(parameters, grads, learning_rate):
    """Gradient descent, θ -= α g, on a copy of parameters."""
    parameters = {key: value.copy() for key, value in parameters.items()}
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def initialize_velocity(parameters):
    """Zeros shaped as the gradients: v["dW1"], v["db1"], …, the first moment's starting point.

    Returns
    -------
    v : dict
    """
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
    return v


def initialize_adam(parameters):
    """Zeros for Adam's two moments.

    Returns
    -------
    v, s : dict
        Shaped as the gradients, keys dW1, db1, ….
    """
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Momentum as the course writes it: v = β v + (1 - β) g; θ -= α v.

    Nothing is modified in place: new dicts are returned.

    Parameters
    ----------
    parameters : dict
    grads : dict
        dW{l} (including any L2 term) and db{l}.
    v : dict
        The velocity, keys dW{l}, db{l}.
    beta : float
    learning_rate : float

    Returns
    -------
    parameters, v : dict
    """
    parameters = {key: value.copy() for key, value in parameters.items()}
    v = dict(v)
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W" + str(l), "b" + str(l)):
            v["d" + p] = beta * v["d" + p] + (1 - beta) * grads["d" + p]
            parameters[p] -= learning_rate * v["d" + p]
    return parameters, v


def update_parameters_with_sgd_momentum(parameters, grads, v, momentum, learning_rate,
                                        nesterov=False):
    """scikit-learn's sgd: v = μ v - α g; θ += v, or with Nesterov θ += μ v - α g (v the new
    velocity). New dicts are returned."""
    parameters = {key: value.copy() for key, value in parameters.items()}
    v = dict(v)
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W" + str(l), "b" + str(l)):
            g = grads["d" + p]
            v["d" + p] = momentum * v["d" + p] - learning_rate * g
            if nesterov:
                parameters[p] += momentum * v["d" + p] - learning_rate * g
            else:
                parameters[p] += v["d" + p]
    return parameters, v


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """Adam as the course and PyTorch write it.

    v = β1 v + (1 - β1) g;  s = β2 s + (1 - β2) g²;  v̂ = v / (1 - β1^t);  ŝ = s / (1 - β2^t);
    θ -= α v̂ / (√ŝ + ε). Nothing is modified in place: new dicts are returned.

    Parameters
    ----------
    parameters, grads : dict
    v, s : dict
        The first and second moments, keys dW{l}, db{l}.
    t : int >= 1
        The number of this step, counted from 1: the bias correction undoes the zeros the
        moments started from.
    learning_rate, beta1, beta2, epsilon : float

    Returns
    -------
    parameters, v, s : dict
    """
    parameters = {key: value.copy() for key, value in parameters.items()}
    v, s = dict(v), dict(s)
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W" + str(l), "b" + str(l)):
            g = grads["d" + p]
            v["d" + p] = beta1 * v["d" + p] + (1 - beta1) * g
            s["d" + p] = beta2 * s["d" + p] + (1 - beta2) * np.square(g)
            v_corrected = v["d" + p] / (1 - beta1 ** t)
            s_corrected = s["d" + p] / (1 - beta2 ** t)
            parameters[p] -= learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return parameters, v, s


# -- training ------------------------------------------------------------------------------------

def _initial_state(parameters, optimizer, step0, state):
    """The optimizer's state to continue from: the given moments, zeros for the missing ones."""
    state = {} if state is None else state
    start = {"step": operator.index(step0)}
    if start["step"] < 0:
        raise ValueError(f"step0 must be >= 0, got {step0!r}")
    if optimizer != "gd":
        start["v"] = state.get("v") or initialize_velocity(parameters)
    if optimizer == "adam":
        start["s"] = state.get("s") or initialize_velocity(parameters)
    return start


def _training_step(X, Y, parameters, state, record, hidden_activation, learning_rate, output,
                   optimizer, beta, beta1, beta2, epsilon, lambd, keep_prob, seed, weights=None):
    """One step on one batch: forward (dropout keyed on state["step"]), the cost if record,
    backward, the optimizer's update. Returns (parameters, cost or None); advances state.

    With weights the step is normalised by their sum over the batch, as scikit-learn's MLP
    normalises each batch: its cost is the weighted mean Σ w·cost / Σ w, its penalty λ/(2Σw),
    its gradient Σ w·δ / Σ w. Here by rescaling: the weights to sum to the batch's size and λ by
    the same factor, which the 1/m formulas below then turn into those."""
    step = state["step"]
    if weights is not None:
        weights = np.asarray(weights, np.float64)
        scale = weights.size / weights.sum()
        weights = weights * scale
        lambd = lambd * scale
    AL, caches = L_model_forward(X, parameters, hidden_activation, output, keep_prob, seed, step)
    cost = None
    if record:
        cost = compute_cost_with_regularization(caches[-1][1], Y, parameters, lambd, output,
                                                weights)
    grads = L_model_backward(AL, Y, caches, hidden_activation, output, lambd, keep_prob,
                             parameters, weights)
    if optimizer == "gd":
        parameters = update_parameters(parameters, grads, learning_rate)
    elif optimizer == "momentum":
        parameters, state["v"] = update_parameters_with_momentum(parameters, grads, state["v"],
                                                                 beta, learning_rate)
    elif optimizer in ("sgd_momentum", "nesterov"):
        parameters, state["v"] = update_parameters_with_sgd_momentum(
            parameters, grads, state["v"], beta, learning_rate, optimizer == "nesterov")
    else:
        # t counts the steps from 1, across epochs and calls
        parameters, state["v"], state["s"] = update_parameters_with_adam(
            parameters, grads, state["v"], state["s"], step + 1, learning_rate, beta1, beta2,
            epsilon)
    state["step"] = step + 1
    return parameters, cost


def train(X, Y, parameters, hidden_activation="relu", learning_rate=0.0075, num_iterations=3000,
          record_every=100, *, output="sigmoid", optimizer="gd", beta=0.9, beta1=0.9,
          beta2=0.999, epsilon=1e-8, lambd=0.0, keep_prob=1.0, seed=0, step0=0, state=None,
          return_state=False, sample_weight=None):
    """Full-batch training: one step per iteration on all m examples.

    Parameters
    ----------
    X : ndarray of shape (n_0, m)
    Y : ndarray of shape (n_L, m)
        One-hot for softmax.
    parameters : dict
        W1, b1, …, WL, bL; not modified.
    hidden_activation : str
    learning_rate : float
    num_iterations : int
    record_every : int
        Record the cost before the update of every record_every-th iteration; 0 records none.
    output : {"sigmoid", "softmax", "identity"}
    optimizer : {"gd", "momentum", "adam", "sgd_momentum", "nesterov"}
    beta : float
        Momentum's (μ for sgd_momentum and nesterov).
    beta1, beta2, epsilon : float
        Adam's.
    lambd : float >= 0
        L2 regularisation.
    keep_prob : float in (0, 1]
        Inverted dropout on the hidden layers.
    seed : int
        The dropout masks' key.
    step0 : int
        The steps already taken: the first step's index (dropout's step, Adam's t - 1).
    state : dict, optional
        The optimizer state to continue from ({"v": …, "s": …}, as returned); None: zeros.
    return_state : bool
        Also return the state.
    sample_weight : ndarray of shape (m,), optional
        Per-example weights: each step's cost is the weighted mean Σ w·cost / Σ w, its L2 term
        λ/(2Σw)·Σ‖W‖², its gradient theirs (scikit-learn's normalisation).

    Returns
    -------
    parameters : dict
    costs : list of (iteration, cost)
        The cost (with the L2 term, of the dropped-out forward pass) before that iteration's
        update; iterations count from 0 in each call.
    state : dict, if return_state
        "step" (step0 + num_iterations: the next call's step0), and "v" for momentum, "v" and
        "s" for Adam.
    """
    _check_output(output)
    _check_optimizer(optimizer)
    _check_lambd(lambd)
    _check_keep_prob(keep_prob)
    state = _initial_state(parameters, optimizer, step0, state)
    costs = []
    for i in range(num_iterations):
        record = bool(record_every) and i % record_every == 0
        parameters, cost = _training_step(X, Y, parameters, state, record, hidden_activation,
                                          learning_rate, output, optimizer, beta, beta1, beta2,
                                          epsilon, lambd, keep_prob, seed, sample_weight)
        if record:
            costs.append((i, cost))
    if return_state:
        return parameters, costs, state
    return parameters, costs


def train_minibatch(X, Y, parameters, hidden_activation="relu", learning_rate=0.0075,
                    num_epochs=100, batch_size=64, permutation=None, record_every=100, *,
                    output="sigmoid", optimizer="gd", beta=0.9, beta1=0.9, beta2=0.999,
                    epsilon=1e-8, lambd=0.0, keep_prob=1.0, seed=0, step0=0, state=None,
                    return_state=False, sample_weight=None):
    """Minibatch training as the course's optimisation notebook runs it.

    Each epoch takes the columns in the order ``permutation(epoch)`` gives (default:
    unshuffled), one step per batch of ``batch_size`` (the last holds the remainder). The step
    counter, which keys the dropout masks and gives Adam's t, counts batches across epochs.

    Parameters
    ----------
    X, Y, parameters, hidden_activation, learning_rate
        As for train.
    num_epochs : int
    batch_size : int
    permutation : callable, optional
        epoch -> an ordering of the m columns; epochs count from 0 in each call.
    record_every : int
        Record every record_every-th epoch's cost; 0 records none.
    output, optimizer, beta, beta1, beta2, epsilon, lambd, keep_prob, seed, step0, state
        As for train; m in the L2 term is each batch's size.
    return_state : bool
    sample_weight : ndarray of shape (m,), optional
        As for train; each batch takes its examples' weights and is normalised by their sum.

    Returns
    -------
    parameters : dict
    costs : list of (epoch, cost)
        An epoch's cost is the mean over all m examples of each batch's cost (before that batch's
        update): Σ_batches cost × batch size / m.
    state : dict, if return_state
        As for train; "step" = step0 + the number of batches taken.
    """
    _check_output(output)
    _check_optimizer(optimizer)
    _check_lambd(lambd)
    _check_keep_prob(keep_prob)
    state = _initial_state(parameters, optimizer, step0, state)
    m = X.shape[1]
    costs = []
    for epoch in range(num_epochs):
        order = np.arange(m) if permutation is None else permutation(epoch)
        X_shuffled, Y_shuffled = X[:, order], Y[:, order]
        w_shuffled = None if sample_weight is None else np.asarray(sample_weight)[order]
        cost_total = 0.0
        for start in range(0, m, batch_size):
            X_batch = X_shuffled[:, start:start + batch_size]
            Y_batch = Y_shuffled[:, start:start + batch_size]
            w_batch = None if w_shuffled is None else w_shuffled[start:start + batch_size]
            parameters, cost = _training_step(X_batch, Y_batch, parameters, state, True,
                                              hidden_activation, learning_rate, output,
                                              optimizer, beta, beta1, beta2, epsilon, lambd,
                                              keep_prob, seed, w_batch)
            cost_total += cost * X_batch.shape[1]
        if record_every and epoch % record_every == 0:
            costs.append((epoch, cost_total / m))
    if return_state:
        return parameters, costs, state
    return parameters, costs


def predict_proba(X, parameters, hidden_activation="relu", output="sigmoid"):
    """A_L = h(Z_L) of the whole net, without dropout (inverted dropout needs no rescaling at
    inference)."""
    AL, _ = L_model_forward(X, parameters, hidden_activation, output)
    return AL
