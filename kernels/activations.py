"""Activations g and their derivatives g', elementwise, for the fused loops.

Activations are passed to kernels as small integer codes (one compiled kernel serves all of them);
the branch on the code sits outside the element loops. Every derivative is written in terms of the
activation's *output* A, so the training loop never needs to keep Z:
relu' = [A > 0], leaky' = 1 if A > 0 else slope, tanh' = 1 - A², sigmoid' = A(1 - A).
At Z == 0 relu' is 0, as in the course's ``relu_backward``.
"""
import numpy as np

from . import vecmath
from ._options import jit, jit_inline

IDENTITY = 0
RELU = 1
LEAKY_RELU = 2
TANH = 3
SIGMOID = 4

CODES = {"identity": IDENTITY, "relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH,
         "sigmoid": SIGMOID}
LEAKY_SLOPE = 0.01


def sigmoidal_flag(activation):
    """True if the hidden activation is tanh or sigmoid, else None. Both trainers are compiled
    for this flag: with None (relu, leaky relu, identity) the tanh and sigmoid loops, whose
    vectorised exp is most of the activation code, are pruned before typing (numba types None as
    its own type and drops an ``is not None`` branch): shorter cold first fits, see
    docs/performance.md, "tanh and sigmoid compiled into the blocked trainer only for
    themselves" and "The serial trainer compiles tanh and sigmoid only for themselves".
    Callers pass the flag of the activation they pass: with None, tanh and sigmoid would run as
    the identity. Kernels other than the trainers pass True."""
    if activation in (TANH, SIGMOID):
        return True
    return None


@jit_inline
def stable_sigmoid(z):
    # exp of a non-positive number only, so nothing overflows at |z| = 800; vectorisable
    return vecmath.sigmoid(z)


@jit_inline
def sum_fixed_order(x):
    """Σ x (1-D) in float64 in an order fixed by x.size alone: eight interleaved partial sums
    (independent chains, so the loop is not bound by add latency), combined pairwise."""
    n = x.size
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= n:
        s0 += x[j]
        s1 += x[j + 1]
        s2 += x[j + 2]
        s3 += x[j + 3]
        s4 += x[j + 4]
        s5 += x[j + 5]
        s6 += x[j + 6]
        s7 += x[j + 7]
        j += 8
    t = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while j < n:
        t += x[j]
        j += 1
    return t


@jit_inline
def dot_fixed_order(x, y):
    """Σ x·y (1-D, same size) in float64, in the same fixed order as ``sum_fixed_order``."""
    n = x.size
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= n:
        s0 += float(x[j]) * y[j]
        s1 += float(x[j + 1]) * y[j + 1]
        s2 += float(x[j + 2]) * y[j + 2]
        s3 += float(x[j + 3]) * y[j + 3]
        s4 += float(x[j + 4]) * y[j + 4]
        s5 += float(x[j + 5]) * y[j + 5]
        s6 += float(x[j + 6]) * y[j + 6]
        s7 += float(x[j + 7]) * y[j + 7]
        j += 8
    t = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while j < n:
        t += float(x[j]) * y[j]
        j += 1
    return t


@jit
def bias_activate_in_place(Z, b, activation, sigmoidal):
    """Z = g(Z + b) in place, b (n, 1) broadcast over columns (the trainers: Z is not kept).
    tanh and sigmoid are compiled in only with ``sigmoidal`` True (``sigmoidal_flag``)."""
    n, m = Z.shape
    zero = Z.dtype.type(0.0)
    slope = Z.dtype.type(LEAKY_SLOPE)
    for i in range(n):
        bi = b[i, 0]
        row = Z[i]
        if activation == RELU:
            for j in range(m):
                z = row[j] + bi
                row[j] = z if z > 0 else zero
        elif activation == LEAKY_RELU:
            for j in range(m):
                z = row[j] + bi
                row[j] = z if z > 0 else slope * z
        elif sigmoidal is not None and activation == TANH:
            for j in range(m):
                row[j] = vecmath.tanh_of(row[j] + bi)
        elif sigmoidal is not None and activation == SIGMOID:
            for j in range(m):
                row[j] = vecmath.sigmoid(row[j] + bi)
        else:
            for j in range(m):
                row[j] = row[j] + bi


@jit
def add_bias_activate(Z, b, activation, A):
    """Z += b (broadcast over columns) and A = g(Z), one pass. A may be Z itself."""
    n, m = Z.shape
    zero = Z.dtype.type(0.0)
    slope = Z.dtype.type(LEAKY_SLOPE)
    if Z.ctypes.data == A.ctypes.data:  # in place: one array, so the loops vectorise freely
        bias_activate_in_place(Z, b, activation, True)
        return
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
                A[i, j] = vecmath.tanh_of(z)
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
    """dZ = dA * g'(A), then db = inv_m * Σ_j dZ (float64, fixed order: ``sum_fixed_order``).

    dZ may be dA itself (overwritten in place)."""
    n, m = dA.shape
    zero = dA.dtype.type(0.0)
    one = dA.dtype.type(1.0)
    slope = dA.dtype.type(LEAKY_SLOPE)
    for i in range(n):
        # dA read unconditionally: as ``dA if A > 0 else 0`` the load sits behind a branch, and
        # when dZ is dA (the trainer) LLVM's overlap check sends the loop to its scalar version,
        # which then branched on the sign of A, mispredicted about every other element (see
        # docs/performance.md, "relu's derivative in place")
        if activation == RELU:
            for j in range(m):
                d = dA[i, j]
                dZ[i, j] = d if A[i, j] > 0 else zero
        elif activation == LEAKY_RELU:
            for j in range(m):
                d = dA[i, j]
                dZ[i, j] = d if A[i, j] > 0 else slope * d
        elif activation == TANH:
            for j in range(m):
                a = A[i, j]
                dZ[i, j] = dA[i, j] * (one - a * a)
        elif activation == SIGMOID:
            for j in range(m):
                a = A[i, j]
                dZ[i, j] = dA[i, j] * a * (one - a)
        else:
            for j in range(m):
                dZ[i, j] = dA[i, j]
        # float64 accumulator whatever the dtype: float32 sums over m drift otherwise
        db[i, 0] = sum_fixed_order(dZ[i]) * inv_m
