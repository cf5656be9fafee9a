"""Inverted dropout with masks that are recomputed, never stored.

Whether unit i of hidden layer l keeps example j at step t is a hash of (seed, t, l, i, j) (the
same SplitMix64 output function as the shuffle, ``minibatch._mix``), so the backward pass
recomputes the forward's mask, no mask is kept, and the masks do not depend on the thread count,
the block plan or the order in which blocks run. ``fastbackprop.baseline.dropout_mask`` is the
same function in NumPy, written independently.

A kept activation is divided by keep_prob in the forward pass. The backward pass gets the
activation back by multiplying by keep_prob (g' is computed from A, see
``activations.activation_backward_db``) and scales dA by the same mask / keep_prob.
"""
from collections import namedtuple

import numpy as np

from ._options import jit, jit_inline
from .minibatch import _GOLDEN, _mix

# seed (int64), keep_prob (float), threshold (uint64: keep iff hash >> 11 < threshold)
Dropout = namedtuple("Dropout", "seed keep_prob threshold")


def make_dropout(seed, keep_prob):
    """The trainers' dropout argument: None when nothing is dropped (numba prunes the code)."""
    if keep_prob >= 1.0:
        return None
    return Dropout(int(seed), float(keep_prob), np.uint64(int(keep_prob * 2.0 ** 53)))


@jit_inline
def layer_key(seed, step, layer):
    k = _mix(np.uint64(seed) + _GOLDEN)
    k = _mix(k ^ (np.uint64(step) + _GOLDEN))
    return _mix(k ^ (np.uint64(layer) + _GOLDEN))


@jit_inline
def unit_key(key, unit):
    # np.uint64 on the key: a key handed back to Python comes in again as an int64
    return _mix(np.uint64(key) ^ (np.uint64(unit) + _GOLDEN))


@jit_inline
def keeps(ukey, example, threshold):
    return (_mix(np.uint64(ukey) ^ (np.uint64(example) + _GOLDEN)) >> np.uint64(11)) \
        < np.uint64(threshold)


@jit
def forward_cols(dropout, step, layer, A, e0):
    """A (n, m) by columns, examples e0 … e0 + m − 1: A = A·D/keep_prob."""
    key = layer_key(dropout.seed, step, layer)
    n, m = A.shape
    kp = A.dtype.type(dropout.keep_prob)
    zero = A.dtype.type(0.0)
    for i in range(n):
        u = unit_key(key, i)
        for j in range(m):
            A[i, j] = A[i, j] / kp if keeps(u, e0 + j, dropout.threshold) else zero


@jit
def backward_cols(dropout, step, layer, dA, A, e0):
    """Undo ``forward_cols`` on A (kept: A·keep_prob) and dA = dA·D/keep_prob, before g'."""
    key = layer_key(dropout.seed, step, layer)
    n, m = A.shape
    kp = A.dtype.type(dropout.keep_prob)
    zero = A.dtype.type(0.0)
    for i in range(n):
        u = unit_key(key, i)
        for j in range(m):
            if keeps(u, e0 + j, dropout.threshold):
                A[i, j] = A[i, j] * kp
                dA[i, j] = dA[i, j] / kp
            else:
                dA[i, j] = zero


@jit
def forward_rows(dropout, step, layer, A, e0):
    """``forward_cols`` of a block by rows: A (rows, n), row r is example e0 + r."""
    key = layer_key(dropout.seed, step, layer)
    rows, n = A.shape
    kp = A.dtype.type(dropout.keep_prob)
    zero = A.dtype.type(0.0)
    for i in range(n):
        u = unit_key(key, i)
        for r in range(rows):
            A[r, i] = A[r, i] / kp if keeps(u, e0 + r, dropout.threshold) else zero


@jit
def backward_rows(dropout, step, layer, dA, A, e0):
    """``backward_cols`` of a block by rows."""
    key = layer_key(dropout.seed, step, layer)
    rows, n = A.shape
    kp = A.dtype.type(dropout.keep_prob)
    zero = A.dtype.type(0.0)
    for i in range(n):
        u = unit_key(key, i)
        for r in range(rows):
            if keeps(u, e0 + r, dropout.threshold):
                A[r, i] = A[r, i] * kp
                dA[r, i] = dA[r, i] / kp
            else:
                dA[r, i] = zero
