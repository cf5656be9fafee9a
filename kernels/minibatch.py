"""Minibatches: the shuffle of the serial trainer (``network.train_steps_split``), and the
blocked trainer's batches of rows (``RowBatches``).

Each epoch draws a permutation of the examples from (seed, epoch) alone, so a run split over
several calls gives the same bits as one call. It copies the examples once, in that order, into
batch-major buffers: batch k is then a C-contiguous (n_x, b_k) block that the GEMMs read in place,
and the last batch holds the remainder (as the course's ``random_mini_batches``). The trainer then
takes one step per batch, dW = (1/b_k)·dZ·A_prevᵀ over that batch.

One strided copy of X per epoch (not a gather per batch): a batch's columns are spread over all of
X, so gathering them step by step would read a cache line per value.

Full-batch descent is the same loop with one batch of all m examples, unshuffled (the trainer
given ``shuffle=None``, for which numba compiles it without this module's code).
"""
from collections import namedtuple

import numpy as np
from numba.core.registry import cpu_target

from ._options import jit, jit_inline

_TYPING = cpu_target.typing_context

# batch_size, seed, first_epoch (the epoch number of the call's first epoch: it keys the
# shuffles), shuffled (False: the batches in the examples' order, ``order`` the identity), and
# the buffers: order (m,), Xs (n_x·m,), Ys (n_y·m,), row (m,)
Shuffle = namedtuple("Shuffle", "batch_size seed first_epoch shuffled order Xs Ys row")

# The blocked trainer's minibatches (``blocked.train_steps_blocked``): no shuffled copy of the
# data, but the examples as rows, XT (m, n_x), copied once per call, from which each lane gathers
# its block's rows of every batch (and their targets into Yb, (n_y·b,)) in ``order``; the
# examples' order is drawn as for ``Shuffle`` (see docs/performance.md, "Serial work between
# the parallel regions").
RowBatches = namedtuple("RowBatches", "batch_size seed first_epoch shuffled order XT Yb")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@jit
def _mix(z):
    """SplitMix64's output function: a bijection of uint64 whose outputs pass BigCrush."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@jit
def permutation(seed, epoch, order):
    """order[:] = a permutation of 0 … m-1 that depends on (seed, epoch) only (Fisher–Yates on a
    SplitMix64 stream keyed by both)."""
    m = order.size
    for i in range(m):
        order[i] = i
    state = _mix(np.uint64(seed) ^ _mix(np.uint64(epoch) + _GOLDEN))
    for i in range(m - 1, 0, -1):
        state += _GOLDEN
        u = float(_mix(state) >> np.uint64(11)) * 2.0 ** -53  # uniform in [0, 1)
        j = min(int(u * (i + 1)), i)  # min: u·(i+1) may round up to i+1 for large i
        order[i], order[j] = order[j], order[i]


@jit
def shuffle_into(X, Y, order, batch_size, Xs, Ys, row):
    """Columns of X (and Y) in ``order``, batch by batch: batch k, columns order[k·b : k·b + b_k],
    goes to Xs[n_x·k·b : n_x·(k·b + b_k)] as a C-contiguous (n_x, b_k) block (Y likewise into
    Ys, n_y rows).

    Row by row of X, each row first copied in order to ``row`` (the prefetcher streams it from
    memory), then read in the shuffled order from there while its values scatter to every batch
    (see docs/performance.md, "Minibatches"). Serial: a parallel copy cost more compile time
    than the 10 s budget of a cold first fit allows."""
    _rows_into(X, order, batch_size, Xs, row)
    _rows_into(Y, order, batch_size, Ys, row)


@jit_inline
def _rows_into(X, order, batch_size, Xs, row):
    n_x, m = X.shape
    for r in range(n_x):
        for c in range(m):
            row[c] = X[r, c]
        for start in range(0, m, batch_size):
            mb = min(batch_size, m - start)
            at = n_x * start + r * mb  # row r of batch (start // batch_size)
            # views indexed from 0 and unsigned gather indices: no negative-index wraparound
            # select per value (docs/performance.md, "Loops over views")
            dst = Xs[at:at + mb]
            src = order[start:start + mb]
            for j in range(mb):
                dst[j] = row[np.uint64(src[j])]


@jit_inline
def start_epoch(shuffle, epoch, X, Y):
    """A trainer's epoch ``epoch`` of its call: the shuffled copy for it (nothing for
    ``shuffle`` None, full-batch descent: numba prunes the branch before typing)."""
    if shuffle is not None:
        if shuffle.shuffled:
            permutation(shuffle.seed, shuffle.first_epoch + epoch, shuffle.order)
        shuffle_into(X, Y, shuffle.order, shuffle.batch_size, shuffle.Xs, shuffle.Ys,
                     shuffle.row)


@jit_inline
def batch_of(shuffle, X, Y, start, mb):
    """(Xb, Yb): the batch of mb examples from ``start`` of the epoch's shuffled copy, or X and
    Y themselves for ``shuffle`` None (the variables then hold both: ``batch_type``)."""
    Xb, Yb = X, Y
    if shuffle is not None:
        Xb = batch_X(shuffle.Xs, X.shape[0], start, mb)
        Yb = batch_Y(shuffle.Ys, Y.shape[0], start, mb)
    return Xb, Yb


@jit_inline
def batch_X(Xs, n_x, start, mb):
    """The batch that starts at example ``start`` of the shuffled copy, (n_x, mb)."""
    return Xs[n_x * start:n_x * (start + mb)].reshape((n_x, mb))


@jit_inline
def batch_Y(Ys, n_y, start, mb):
    return Ys[n_y * start:n_y * (start + mb)].reshape((n_y, mb))


def batch_type(array_type):
    """The numba type of a trainer's batch variable that holds X (or Y) itself, or a batch
    view of the shuffled copy (C-contiguous): the two unified. The trainers type their batch
    kernels' signatures with it (``network.serial_trainer_parts``, ``blocked.block_pass_for``)."""
    return _TYPING.unify_pairs(array_type, array_type.copy(layout="C"))


def permutation_of(seed, epoch, m):
    """The permutation the trainers use in that epoch, as a new array (for references)."""
    order = np.empty(m, np.int64)
    permutation(seed, epoch, order)
    return order


@jit
def gather_rows(XT, Y, order, start, Xt, Yb, r0, r1):
    """Rows r0:r1 of a ``RowBatches`` batch that starts at example ``start`` of the epoch's
    order: Xt[r] = XT[order[start + r]], and the targets Yb[:, r] = Y[:, order[start + r]] (Yb a
    batch's (n_y, b) view)."""
    n_x = XT.shape[1]
    n_y = Y.shape[0]
    picked = order[start + r0:start + r1]  # views indexed from 0, unsigned: no wraparound
    for r in range(r1 - r0):
        e = np.uint64(picked[r])
        src = XT[e]
        dst = Xt[r0 + r]
        for i in range(n_x):
            dst[i] = src[i]
        for i in range(n_y):
            Yb[i, r0 + r] = Y[i, e]


def make_row_batches_buffers(n_x, m, batch_size, dtype, n_y=1):
    """order, XT, Yb for a ``RowBatches``: ``order`` the identity (``shuffled=False``'s), XT
    (m, n_x), Yb room for a batch's targets."""
    return (np.arange(m, dtype=np.int64), np.empty((m, n_x), dtype),
            np.empty(n_y * min(batch_size, m), dtype))


def make_shuffle_buffers(n_x, m, dtype, n_y=1):
    """order, Xs, Ys, row for a ``Shuffle``: one shuffled copy of the data, and a row. ``order``
    starts as the identity (the order of ``shuffled=False``)."""
    return (np.arange(m, dtype=np.int64), np.empty(n_x * m, dtype), np.empty(n_y * m, dtype),
            np.empty(m, dtype))

