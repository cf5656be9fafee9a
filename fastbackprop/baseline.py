"""The pure-NumPy reference: the course's formulation, written the way the textbook writes it.

Per-layer caches, ``np.dot``, a temporary for every intermediate. It is the oracle of the tests and
the reference of every speed comparison, so it imports nothing else from this package.

Differences from the course's notebook, both for numerical safety and shared with the kernels:
the hidden activation is selectable, and the output layer is sigmoid + binary cross-entropy taken
from the logits (stable for saturated outputs) with dZ_L = A_L - Y, which is the course's
dA_L * sigmoid'(Z_L) simplified.
"""
import numpy as np

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "identity")
LEAKY_SLOPE = 0.01


def sigmoid(Z):
    # exp of non-positive numbers only, so no overflow warning at |Z| = 800
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + E), E / (1 + E))


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


def linear_forward(A_prev, W, b):
    Z = np.dot(W, A_prev) + b
    return Z, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = activation_forward(Z, activation)
    return A, (linear_cache, Z)


def L_model_forward(X, parameters, hidden_activation="relu"):
    """Hidden layers g, then sigmoid. Returns AL and the list of caches ((A_prev, W, b), Z)."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], hidden_activation)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(ZL, Y):
    """Mean binary cross-entropy of sigmoid(ZL) against Y, from the logits ZL."""
    m = Y.shape[1]
    return float(np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))) / m)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches, hidden_activation="relu"):
    """grads with dA{l-1}, dW{l}, db{l} and dZ{l} for l = 1 … L (dZ kept for the tests)."""
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dZ = AL - Y
    for l in range(L, 0, -1):
        linear_cache, Z = caches[l - 1]
        if l < L:
            dZ = activation_backward(grads["dA" + str(l)], Z, hidden_activation)
        grads["dZ" + str(l)] = dZ
        grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] = \
            linear_backward(dZ, linear_cache)
    return grads


def update_parameters(parameters, grads, learning_rate):
    parameters = {key: value.copy() for key, value in parameters.items()}
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def train(X, Y, parameters, hidden_activation="relu", learning_rate=0.0075, num_iterations=3000,
          record_every=100):
    """Full-batch gradient descent. Returns (parameters, costs), costs a list of (iteration, cost)
    recorded before the update of every record_every-th iteration."""
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, hidden_activation)
        if record_every and i % record_every == 0:
            costs.append((i, compute_cost(caches[-1][1], Y)))
        grads = L_model_backward(AL, Y, caches, hidden_activation)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def train_minibatch(X, Y, parameters, hidden_activation="relu", learning_rate=0.0075,
                    num_epochs=100, batch_size=64, permutation=None, record_every=100):
    """Minibatch gradient descent as the course's optimisation notebook runs it: each epoch takes
    the columns in the order ``permutation(epoch)`` gives (default: unshuffled), one step per batch
    of ``batch_size`` (the last holds the remainder). Returns (parameters, costs), a cost being the
    mean over all m examples of each batch's cost before that batch's update."""
    m = X.shape[1]
    costs = []
    for epoch in range(num_epochs):
        order = np.arange(m) if permutation is None else permutation(epoch)
        X_shuffled, Y_shuffled = X[:, order], Y[:, order]
        cost_total = 0.0
        for start in range(0, m, batch_size):
            X_batch = X_shuffled[:, start:start + batch_size]
            Y_batch = Y_shuffled[:, start:start + batch_size]
            AL, caches = L_model_forward(X_batch, parameters, hidden_activation)
            cost_total += compute_cost(caches[-1][1], Y_batch) * X_batch.shape[1]
            grads = L_model_backward(AL, Y_batch, caches, hidden_activation)
            parameters = update_parameters(parameters, grads, learning_rate)
        if record_every and epoch % record_every == 0:
            costs.append((epoch, cost_total / m))
    return parameters, costs


def predict_proba(X, parameters, hidden_activation="relu"):
    AL, _ = L_model_forward(X, parameters, hidden_activation)
    return AL
