"""Sigmoid output + binary cross-entropy, computed from the logits Z_L: the sigmoid head of
``heads`` under the names the first course's kernels use.

cost = mean(max(z, 0) - z·y + log1p(exp(-|z|))) never overflows, and dZ_L = A_L - Y is formed
directly instead of through dA_L = -(Y/A - (1-Y)/(1-A)), which divides by A(1-A) -> 0 when the
output saturates. Both stay finite with exact gradients for |z| up to 800 and beyond.
"""
from ._options import jit
from .heads import cost_sum, output_delta


@jit
def sigmoid_cross_entropy(ZL, Y):
    """Mean binary cross-entropy of sigmoid(ZL) against Y, summed in column order (float64)."""
    return cost_sum(None, ZL, Y) / ZL.shape[1]


@jit
def sigmoid_output_delta(ZL, Y, AL, dZL):
    """AL = sigmoid(ZL) and dZ_L = AL - Y (the course's scale: dW = (1/m)·dZ·A_prevᵀ follows)."""
    output_delta(None, ZL, Y, AL, dZL)
