"""The course's training loops, on the same compiled trainers as ``Model.fit``.

A ``Model`` holds the parameters (one flat theta) and runs every iteration between two record
points in compiled code, picking the trainer for the shapes as ``fit`` does (blocked over
examples, or serial with split products; numba owning the cores, the BLAS pinned to one thread).
At a record point one extra forward pass gives the logits Z_L; A_L is formed with the course's
sigmoid and handed to the caller, who computes the cost with the course's own NumPy formula, so
the printed digits are the notebook's. That is one forward pass per 100 iterations.
"""
import numpy as np

from ..kernels import CODES, course as course_kernels
from ..model import Model
from ._arrays import as_c, float_dtype

_NAMES = {code: name for name, code in CODES.items()}


def train(parameters, X, Y, activation, learning_rate, num_iterations, record_at, record):
    """Full-batch gradient descent from ``parameters``; sigmoid output, hidden ``activation``
    (a kernel code). ``record(i, AL)`` is called, for each i of the sorted ``record_at``, with
    A_L of iteration i (before its update). Returns the trained parameters as a new dict."""
    X = np.asarray(X)
    dtype = float_dtype(X, *parameters.values())
    model = Model.from_parameters(parameters, _NAMES[activation], dtype)
    X = as_c(X, dtype)
    m = X.shape[1]
    Y = as_c(np.reshape(Y, (1, m)), dtype)
    learning_rate = float(learning_rate)
    done = 0
    for i in record_at:
        if i > done:
            model.fit(X, Y, learning_rate, i - done, record_every=0, progress=False)
            done = i
        ZL = model.logits(X)
        AL = np.empty_like(ZL)
        course_kernels.sigmoid(ZL.reshape(-1), AL.reshape(-1))
        record(i, AL)
    if num_iterations > done:
        model.fit(X, Y, learning_rate, num_iterations - done, record_every=0, progress=False)
    return model.parameters
