"""The course's training loops, run in compiled code between the iterations that record a cost.

The parameters travel as one flat theta (W1, b1, W2, b2, … back to back, the layout of
``kernels/network.py``) and ``train_steps`` runs every iteration between two record points. At a
record point one extra forward pass gives A_L, from which the caller computes the cost with the
course's own NumPy formula, so printed digits are the notebook's. That is one forward pass per
100 iterations.
"""
import numpy as np

from ..kernels import course as course_kernels
from ..kernels import make_workspace, n_parameters, network
from ._arrays import as_c, float_dtype


def flatten(parameters, dims, dtype):
    theta = np.empty(n_parameters(dims), dtype)
    off = 0
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            value = np.asarray(parameters[key])
            if value.shape != shape:
                raise ValueError(f"parameters['{key}'] must have shape {shape}, got {value.shape}")
            theta[off:off + value.size] = value.ravel()
            off += value.size
    return theta


def unflatten(theta, dims):
    """Course-style dict of independent (copied) W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) arrays."""
    parameters = {}
    off = 0
    for l in range(1, len(dims)):
        n, k = dims[l], dims[l - 1]
        parameters[f"W{l}"] = theta[off:off + n * k].reshape(n, k).copy()
        off += n * k
        parameters[f"b{l}"] = theta[off:off + n].reshape(n, 1).copy()
        off += n
    return parameters


def train(parameters, X, Y, activation, learning_rate, num_iterations, record_at, record):
    """Full-batch gradient descent from ``parameters``; sigmoid output, hidden ``activation``
    (a kernel code). ``record(i, AL)`` is called, for each i of the sorted ``record_at``, with
    A_L of iteration i (before its update). Returns the trained parameters as a new dict."""
    X = np.asarray(X)
    dims = [X.shape[0]]
    L = len(parameters) // 2
    dims += [int(np.shape(parameters[f"W{l}"])[0]) for l in range(1, L + 1)]
    dtype = float_dtype(X, *parameters.values())
    X = as_c(X, dtype)
    m = X.shape[1]
    Y = as_c(np.reshape(Y, (dims[-1], m)), dtype)
    theta = flatten(parameters, dims, dtype)
    dims_arr = np.array(dims, np.int64)
    learning_rate = float(learning_rate)  # one compiled signature, whatever number type is given
    ws = make_workspace(dims, m, dtype)
    args = (ws.acts, ws.AL, ws.D0, ws.D1, ws.grad)
    done = 0
    for i in record_at:
        if i > done:
            network.train_steps(theta, dims_arr, X, Y, activation, learning_rate, i - done, *args)
            done = i
        network.forward(theta, dims_arr, X, activation, ws.acts)
        ZL = ws.acts[ws.acts.size - dims[-1] * m:].reshape(dims[-1], m)  # the logits Z_L
        AL = np.empty_like(ZL)
        course_kernels.sigmoid(ZL.reshape(-1), AL.reshape(-1))
        record(i, AL)
    if num_iterations > done:
        network.train_steps(theta, dims_arr, X, Y, activation, learning_rate,
                            num_iterations - done, *args)
    return unflatten(theta, dims)
