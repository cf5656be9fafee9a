"""Fused dense-layer kernels on examples-as-columns arrays (A is (n, m), W is (n, n_prev)).

GEMMs go through ``np.dot(a, b, out)`` (BLAS, writing into preallocated buffers); everything
elementwise around them is fused into single passes. No kernel here allocates.
"""
import numpy as np

from ._options import jit
from .activations import activation_backward_db, add_bias_activate


@jit
def linear_activation_forward(A_prev, W, b, activation, Z, A):
    """Z = W·A_prev + b and A = g(Z). Pass the same buffer as Z and A when Z is not needed."""
    np.dot(W, A_prev, Z)
    add_bias_activate(Z, b, activation, A)


@jit
def linear_backward(dZ, A_prev, W, inv_m, dW, db, dA_prev, need_dA_prev):
    """dW = inv_m·dZ·A_prevᵀ, db = inv_m·Σ dZ, and dA_prev = Wᵀ·dZ if asked (not for layer 1)."""
    n, m = dZ.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += dZ[i, j]
        db[i, 0] = s * inv_m
    _dW(dZ, A_prev, inv_m, dW)
    if need_dA_prev:
        np.dot(W.T, dZ, dA_prev)


@jit
def linear_activation_backward(dA, A, A_prev, W, activation, inv_m, dZ, dW, db, dA_prev,
                               need_dA_prev):
    """dZ = dA·g'(A) with db in the same pass, then dW and dA_prev. dZ may be dA itself."""
    activation_backward_db(dA, A, activation, inv_m, dZ, db)
    _dW(dZ, A_prev, inv_m, dW)
    if need_dA_prev:
        np.dot(W.T, dZ, dA_prev)


@jit
def _dW(dZ, A_prev, inv_m, dW):
    np.dot(dZ, A_prev.T, dW)
    n, k = dW.shape
    for i in range(n):
        for j in range(k):
            dW[i, j] *= inv_m


@jit
def update(W, dW, b, db, learning_rate):
    """W -= α·dW, b -= α·db, in place."""
    n, k = W.shape
    for i in range(n):
        for j in range(k):
            W[i, j] -= learning_rate * dW[i, j]
        b[i, 0] -= learning_rate * db[i, 0]
