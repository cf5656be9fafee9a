"""Elementwise kernels with the course's own formulas, for ``fastbackprop.course``.

The course computes sigmoid as 1/(1 + exp(-z)) (also inside ``sigmoid_backward``) and the output
gradient as dA_L = -(Y/A_L - (1-Y)/(1-A_L)). The drop-in keeps those formulas so a learner's
numbers match the notebook's; in compiled code 1/(1 + exp(-z)) cannot warn and its limit at
z = -800 is the right 0. Arrays are flat (callers pass ``.reshape(-1)`` of C-contiguous arrays), so
one compiled signature per dtype serves any shape.
"""
import math

from ._options import jit, jit_inline


@jit_inline
def course_sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


@jit
def sigmoid(Z, A):
    """A = 1/(1 + exp(-Z))."""
    for i in range(Z.size):
        A[i] = course_sigmoid(Z[i])


@jit
def relu(Z, A):
    """A = max(0, Z); NaN stays NaN, as with np.maximum."""
    zero = Z.dtype.type(0.0)
    for i in range(Z.size):
        z = Z[i]
        A[i] = z if (z > 0 or z != z) else zero


@jit
def relu_backward(dA, Z, dZ):
    """dZ = dA where Z > 0, else 0 (0 at Z == 0), as the course's ``dZ[Z <= 0] = 0``."""
    zero = dA.dtype.type(0.0)
    for i in range(dA.size):
        dZ[i] = zero if Z[i] <= 0 else dA[i]


@jit
def sigmoid_backward(dA, Z, dZ):
    """s = sigmoid(Z); dZ = dA * s * (1 - s), s recomputed from Z as the course does."""
    for i in range(dA.size):
        s = course_sigmoid(Z[i])
        dZ[i] = dA[i] * s * (1.0 - s)


@jit
def cross_entropy_dAL(AL, Y, dAL):
    """dA_L = -(Y/A_L - (1-Y)/(1-A_L)), operation for operation as the course writes it."""
    for i in range(AL.size):
        a = AL[i]
        y = Y[i]
        dAL[i] = -(y / a - (1.0 - y) / (1.0 - a))
