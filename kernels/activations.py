"""Activations g and their derivatives g', elementwise, for the fused loops.

Activations are passed to kernels as small integer codes (one compiled kernel serves all of them);
the branch on the code sits outside the element loops. Every derivative is written in terms of the
activation's *output* A, so the training loop never needs to keep Z:
relu' = [A > 0], leaky' = 1 if A > 0 else slope, tanh' = 1 - A², sigmoid' = A(1 - A).
At Z == 0 relu' is 0, as in the course's ``relu_backward``.
"""
import math

import numpy as np

from ._options import jit, jit_inline

IDENTITY = 0
RELU = 1
LEAKY_RELU = 2
TANH = 3
SIGMOID = 4

CODES = {"identity": IDENTITY, "relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH,
         "sigmoid": SIGMOID}
LEAKY_SLOPE = 0.01


@jit_inline
def stable_sigmoid(z):
    # exp of a non-positive number only, so nothing overflows at |z| = 800
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@jit
def add_bias_activate(Z, b, activation, A):
    """Z += b (broadcast over columns) and A = g(Z), one pass. A may be Z itself."""
    n, m = Z.shape
    zero = Z.dtype.type(0.0)
    slope = Z.dtype.type(LEAKY_SLOPE)
    for i in range(n):
        bi = b[i, 0]
        if activation == RELU:
            for j in range(m):
                z = Z[i, j] + bi
                Z[i, j] = z
                A[i, j] = z if z > 0 else zero
        elif activation == LEAKY_RELU:
            for j in range(m):
                z = Z[i, j] + bi
                Z[i, j] = z
                A[i, j] = z if z > 0 else slope * z
        elif activation == TANH:
            for j in range(m):
                z = Z[i, j] + bi
                Z[i, j] = z
                A[i, j] = np.tanh(z)
        elif activation == SIGMOID:
            for j in range(m):
                z = Z[i, j] + bi
                Z[i, j] = z
                A[i, j] = stable_sigmoid(z)
        else:
            for j in range(m):
                z = Z[i, j] + bi
                Z[i, j] = z
                A[i, j] = z


@jit
def activation_backward_db(dA, A, activation, inv_m, dZ, db):
    """dZ = dA * g'(A) and db = inv_m * Σ_j dZ, one pass; the row sum runs in column order.

    dZ may be dA itself (overwritten in place)."""
    n, m = dA.shape
    zero = dA.dtype.type(0.0)
    one = dA.dtype.type(1.0)
    slope = dA.dtype.type(LEAKY_SLOPE)
    for i in range(n):
        s = 0.0  # float64 accumulator whatever the dtype: float32 sums over m drift otherwise
        if activation == RELU:
            for j in range(m):
                d = dA[i, j] if A[i, j] > 0 else zero
                dZ[i, j] = d
                s += d
        elif activation == LEAKY_RELU:
            for j in range(m):
                d = dA[i, j] if A[i, j] > 0 else slope * dA[i, j]
                dZ[i, j] = d
                s += d
        elif activation == TANH:
            for j in range(m):
                a = A[i, j]
                d = dA[i, j] * (one - a * a)
                dZ[i, j] = d
                s += d
        elif activation == SIGMOID:
            for j in range(m):
                a = A[i, j]
                d = dA[i, j] * a * (one - a)
                dZ[i, j] = d
                s += d
        else:
            for j in range(m):
                d = dA[i, j]
                dZ[i, j] = d
                s += d
        db[i, 0] = s * inv_m
