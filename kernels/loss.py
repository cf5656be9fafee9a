"""Sigmoid output + binary cross-entropy, computed from the logits Z_L.

cost = mean(max(z, 0) - z·y + log1p(exp(-|z|))) never overflows, and dZ_L = A_L - Y is formed
directly instead of through dA_L = -(Y/A - (1-Y)/(1-A)), which divides by A(1-A) -> 0 when the
output saturates. Both stay finite with exact gradients for |z| up to 800 and beyond.
"""
import math

from ._options import jit
from .activations import stable_sigmoid


@jit
def sigmoid_cross_entropy(ZL, Y):
    """Mean binary cross-entropy of sigmoid(ZL) against Y, summed in column order (float64)."""
    n, m = ZL.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            z = float(ZL[i, j])
            s += max(z, 0.0) - z * Y[i, j] + math.log1p(math.exp(-abs(z)))
    return s / m


@jit
def sigmoid_output_delta(ZL, Y, AL, dZL):
    """AL = sigmoid(ZL) and dZ_L = AL - Y (the course's scale: dW = (1/m)·dZ·A_prevᵀ follows)."""
    n, m = ZL.shape
    for i in range(n):
        for j in range(m):
            a = stable_sigmoid(ZL[i, j])
            AL[i, j] = a
            dZL[i, j] = a - Y[i, j]
