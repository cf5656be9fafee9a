"""The trainer for many examples: numba owns the cores, blocks of examples run in parallel.

Layout: examples as rows inside this trainer (Xt is X transposed, (m, n_x), made once per fit), so
a block of examples is one contiguous slab. Each block goes through the whole network while it is
in cache: forward (GEMM + bias + g), the output delta, backward (g′, its db and dW partials,
dA_prev). Consecutive blocks form a *group* (at most ``GROUPS`` of them); a group's partial dW/db
sum is kept in its own row of ``P``, each block's added in block order. Then the group rows are
summed in group order (owner-computes over parameters) and the update applied.

Blocks run in ``lanes``, one per thread: a lane takes its blocks one after another through its own
scratch (``acts`` and ``D``), so a block's activations never leave the core's L2 (stored for the
whole batch instead, they went through memory and slowed every GEMM: docs/performance.md, "Lanes").

The block and group plan (``block_plan``, ``group_plan``) depends only on the shapes, never on the
thread count, and each group's partial is summed by one lane in block order (no reduction crosses
threads), so the parameters are bitwise identical at any NUMBA_NUM_THREADS. The BLAS must run
single-threaded inside (``fastbackprop._threads`` does this around ``fit``).

Workspace (``make_blocked_workspace``): ``Xt``; per lane ``acts`` (block, n_l) slabs for A1 …
A_{L-1} then Z_L, ``D`` two (block, widest) delta buffers; ``dZ1`` (m, n1) or None (see
``first_layer_by_columns``); ``P`` (n_groups, …) group partials of theta's last parameters (all
of them, or all but W1 with ``dZ1``); ``grad`` (theta's layout; W1's part unused with ``dZ1``);
``costp`` per-block cost sums; ``Wt`` the Wᵀ of the layers with small block products, at
``Wt_at`` (see ``SMALL_GEMM``).

Groups rather than a partial per block: per-block partials were written and read back every
iteration, and on large m the block count had to be capped, so blocks outgrew the cache
(docs/performance.md, "Partials per group, not per block").
"""
import functools
from collections import namedtuple

import numba
import numpy as np
from numba import prange, types

from ._native import NativeType, argument_types, call, native, native_by
from ._options import jit, jit_inline, jit_parallel
from .activations import IDENTITY, LEAKY_RELU, LEAKY_SLOPE, RELU, SIGMOID, TANH, \
    sigmoidal_flag
from . import dropout as _dropout, epoch_rule, narrow, vecmath
from .blas import gemm
from .epoch_rule import ACTIVE, epoch_end
from .heads import output_delta_rows, step_examples
from .minibatch import batch_type, batch_Y, gather_rows, permutation
from .network import n_parameters, squared_norm_W
from .optim import GD, LAMBD, LEARNING_RATE, STEP, epilogue_for

BlockedWorkspace = namedtuple(
    "BlockedWorkspace",
    "m block n_blocks group n_groups last_block last_group narrow Xt acts D dZ1 P grad costp "
    "Wt Wt_at")

BLOCK_BYTES = 256 * 1024      # a block's widest activation slab: about an L2's worth
PARTIALS_BYTES = 48 << 20     # cap on the group partials of dW/db (wide layers: fewer groups)
GROUPS = 16                   # group partials at most: a fixed count, so bits never depend on the
# thread count; 16 balances over 1, 2, 4, 8 and 16 threads
MIN_BLOCK = 64
CACHE_ROWS = 128              # rows at most in a cache-sized block when some W has GEMM_W entries
GEMM_W = 64 * 64              # or more: dW's product over the block (K = its rows) runs faster
# at K = 128 than at 256; smaller W keep larger blocks, which spread the BLAS's per-call cost over
# more rows. See docs/performance.md, "At most 128 rows when some W has 64 × 64 entries or more".
MAX_BLOCK = 4096              # rows at most: bounds a lane's scratch when layers are wide
COLUMN_PART = 512             # W1 columns per task when W1 is updated by columns
MERGE_CHUNK = 4096            # parameters per task of the merge and update, at most
MIN_MERGE_CHUNK = 1024        # and at least (a task per lane)
SMALL_GEMM = 1_000_000        # multiply-adds at most in a product that OpenBLAS (its SkylakeX
# kernels, taken on AVX-512 CPUs) runs without packing its operands, in every layout but one:
# A transposed, B not, which is what a block's forward Z = A_prev·Wᵀ is on row-major views. So a
# layer whose block product is this small takes its forward from a copy of Wᵀ, refreshed at
# every step (``transposed_layers``), and runs in the unpacked kernel its dA_prev uses. Larger
# products are packed in any layout, and the copy would only cost (d). See docs/performance.md,
# "Small layers' forward from a copy of Wᵀ".


def block_plan(layer_dims, m, dtype):
    """(block rows, number of blocks), from the shapes and dtype alone."""
    itemsize = np.dtype(dtype).itemsize
    widest = max(int(d) for d in layer_dims)
    block = MIN_BLOCK
    while block * 2 * widest * itemsize <= BLOCK_BYTES:
        block *= 2
    if max(int(n) * int(k) for k, n in zip(layer_dims[:-1], layer_dims[1:])) >= GEMM_W:
        block = min(block, CACHE_ROWS)
    n_blocks = -(-m // block)
    if n_blocks < 2 and m >= 2 * MIN_BLOCK:
        # one block would leave every core but one idle (docs/performance.md, "Never a single
        # block")
        n_blocks = 2
    if MIN_BLOCK * 2 * widest * itemsize > BLOCK_BYTES:
        # Even the smallest block overflows the cache, so blocking buys no locality, while every
        # block adds a partial of all the parameters to write and add: two blocks, one per core
        # here (or blocks of MAX_BLOCK rows, so that a lane's scratch stays bounded). See
        # docs/performance.md, "Block plan".
        n_blocks = max(min(n_blocks, 2), -(-m // MAX_BLOCK))
    block = -(-m // n_blocks)
    block = -(-block // 8) * 8
    n_blocks = -(-m // block)
    return block, n_blocks


def group_plan(layer_dims, n_blocks, dtype):
    """(blocks per group, number of groups), from the shapes and dtype alone; every group has at
    least one block."""
    cap = max(2, PARTIALS_BYTES // max(1, n_parameters(layer_dims) * np.dtype(dtype).itemsize))
    group = -(-n_blocks // min(GROUPS, cap))
    return group, -(-n_blocks // group)


BLOCKED_MIN_M = 1024          # this many examples or more: the blocked trainer, unless tiny
SERIAL_VALUES = 1 << 15       # a net whose every W takes the serial trainer's loops (SMALL_W) stays
# serial while its activations, Σ n_l·m values, are at most this (256 KB float64): there its loops
# along the examples run from cache, and the blocked trainer's rows are a few units wide; past
# it the serial loops leave the cache and run on one core. See docs/performance.md, "With all
# that, `SERIAL_VALUES` 2¹⁵".


STATEFUL_MIN_M = 128          # a stateful optimizer's step of this many examples or more, and
STATEFUL_MIN_MACS = 1 << 19   # Σ n_l·n_(l-1)·m multiply-adds or more: the blocked trainer. Its
# epilogue runs in parallel over the parameters, the serial trainer's on one core after a pass
# that stores dW (docs/performance.md, "Stateful optimizers take the blocked trainer sooner").


def use_blocked(layer_dims, m, stateful=False):
    """Whether ``fit`` trains (layer_dims, m) with this trainer, a function of the shapes (and
    of whether the optimizer keeps state, ``stateful``) only.

    Many examples: yes, unless the net is tiny (``SERIAL_VALUES``). Fewer: only when the serial
    trainer would run its heaviest product on one core (it splits products over output rows,
    ``dense.row_parts``) and that product is too large for OpenBLAS's unpacked small-matrix
    kernels (``SMALL_GEMM``), as with the cat net's 20-unit first layer on 12288 features or
    64-unit layers on 256 examples, and there are enough examples for two blocks. With momentum
    or Adam (``stateful``) also from ``STATEFUL_MIN_M`` examples and ``STATEFUL_MIN_MACS``
    multiply-adds per product pass."""
    return _use_blocked(tuple(int(d) for d in layer_dims), int(m), bool(stateful))


@functools.lru_cache(maxsize=256)  # fit asks on every call; the answer depends on shapes only
def _use_blocked(dims, m, stateful):
    from .dense import SMALL_W, row_parts
    if m < 2 * MIN_BLOCK:
        return False
    sizes = [dims[l] * dims[l - 1] for l in range(1, len(dims))]
    if max(sizes) <= SMALL_W and sum(dims) * m <= SERIAL_VALUES:
        return False
    if m >= BLOCKED_MIN_M:
        return True
    if stateful and m >= STATEFUL_MIN_M and sum(sizes) * m >= STATEFUL_MIN_MACS:
        return True
    # a heaviest product past SMALL_GEMM, run packed on one core, loses to the blocks; at or
    # under it the two tie (docs/performance.md, "64-unit layers below 1024 examples")
    heaviest = max(range(1, len(dims)), key=lambda l: sizes[l - 1])
    n, k = dims[heaviest], dims[heaviest - 1]
    return (n * k * m > SMALL_GEMM
            and row_parts(n, k, m) == 1 and row_parts(n, m, k) == 1)


def max_lanes():
    """Lanes the workspace has room for: numba's thread pool size (a lane per thread)."""
    return max(1, int(numba.config.NUMBA_NUM_THREADS))


def lanes_for(ws):
    """Lanes to run now: one per numba thread, at most the workspace's."""
    return max(1, min(ws.acts.shape[0], numba.get_num_threads()))


def make_blocked_workspace(layer_dims, m, dtype, block=None, group=None, batch_size=None):
    """Buffers for ``train_steps_blocked`` over m examples, in full batches or, with
    ``batch_size``, in minibatches of that many (the last one the remainder). ``m``, ``block``,
    ``n_blocks``, ``group``, ``n_groups`` describe a full step; ``last_block`` and
    ``last_group`` the last batch's plan (a full step's, if it has no remainder), and the
    buffers have room for both. ``block`` and ``group`` override the plan's block rows and
    blocks per group (tests)."""
    dims = [int(d) for d in layer_dims]
    step_m = m if batch_size is None else min(int(batch_size), m)
    if block is None:
        block, n_blocks = block_plan(dims, step_m, dtype)
    else:
        n_blocks = -(-step_m // block)
    if group is None:
        group, n_groups = group_plan(dims, n_blocks, dtype)
    else:
        n_groups = -(-n_blocks // group)
    last_block, last_blocks, last_group, last_groups = block, n_blocks, group, n_groups
    if m % step_m:
        last_block, last_blocks = block_plan(dims, m % step_m, dtype)
        last_group, last_groups = group_plan(dims, last_blocks, dtype)
    rows = max(block, last_block)  # a lane's scratch holds either plan's blocks
    widest = max(dims[1:])  # D holds dZ of layers 1 … L and dA_prev of layers 2 … L
    by_columns = first_layer_by_columns(dims)
    lanes = min(max(n_groups, last_groups), max_lanes())
    Wt_at, Wt_size = transposed_layers(dims, block)
    return BlockedWorkspace(
        m=step_m, block=block, n_blocks=n_blocks, group=group, n_groups=n_groups,
        last_block=last_block, last_group=last_group,
        narrow=narrow_layers(dims),
        Xt=np.zeros((step_m, dims[0]), dtype),
        acts=np.zeros((lanes, sum(dims[1:]) * rows), dtype),
        D=np.zeros((lanes, 2, rows * widest), dtype),
        dZ1=np.zeros((step_m, dims[1]), dtype) if by_columns else None,
        P=np.zeros((max(n_groups, last_groups),
                    n_parameters(dims) - (dims[0] * dims[1] if by_columns else 0)), dtype),
        grad=np.zeros(n_parameters(dims), dtype),
        costp=np.zeros(max(n_blocks, last_blocks), np.float64),
        Wt=np.zeros(Wt_size, dtype),
        Wt_at=Wt_at,
    )


@jit
def _transpose_rows(X, Xt, r0, r1):
    """Xt[r0:r1] = X[:, r0:r1].T: a block's rows of the trainer's examples-as-rows copy of X,
    made by the lane that runs the block, at the first step of a fit. It walks down X eight rows
    at a time, so each example's eight values are one contiguous write of Xt while the eight
    rows of X are read in order: several times faster than ``np.copyto(Xt, X.T)`` (see
    docs/performance.md, "X transposed by the lanes")."""
    n = X.shape[0]
    S = X[:, r0:r1]  # views indexed from 0: no wraparound select per value (see optim.epilogue)
    D = Xt[r0:r1]
    rows = r1 - r0
    runs = n // 8
    for q in range(runs):
        i = 8 * q
        for j in range(rows):
            D[j, i] = S[i, j]
            D[j, i + 1] = S[i + 1, j]
            D[j, i + 2] = S[i + 2, j]
            D[j, i + 3] = S[i + 3, j]
            D[j, i + 4] = S[i + 4, j]
            D[j, i + 5] = S[i + 5, j]
            D[j, i + 6] = S[i + 6, j]
            D[j, i + 7] = S[i + 7, j]
    for i_left in range(8 * runs, n):  # rows left over from the runs of eight
        for j in range(rows):
            D[j, i_left] = S[i_left, j]


@jit
def _bias_activate_rows(Z, b, activation, sigmoidal):
    """Z = g(Z + b) in place, b broadcast along rows (examples as rows). tanh and sigmoid are
    compiled in only with ``sigmoidal`` True (see ``sigmoidal_flag``)."""
    rows, n = Z.shape
    zero = Z.dtype.type(0.0)
    slope = Z.dtype.type(LEAKY_SLOPE)
    if sigmoidal is not None and (activation == TANH or activation == SIGMOID):
        # the bias by rows, then g over the block as one run (Z is C-contiguous): along rows of
        # a few units the vector loop never starts (docs/performance.md, "Then the blocked
        # trainer's narrow rows themselves")
        for r in range(rows):
            for i in range(n):
                Z[r, i] += b[i]
        flat = Z.reshape(rows * n)
        if activation == TANH:
            for t in range(flat.size):
                flat[t] = vecmath.tanh_of(flat[t])
        else:
            for t in range(flat.size):
                flat[t] = vecmath.sigmoid(flat[t])
        return
    for r in range(rows):
        if activation == RELU:
            for i in range(n):
                z = Z[r, i] + b[i]
                Z[r, i] = z if z > 0 else zero
        elif activation == LEAKY_RELU:
            for i in range(n):
                z = Z[r, i] + b[i]
                Z[r, i] = z if z > 0 else slope * z
        else:
            for i in range(n):
                Z[r, i] = Z[r, i] + b[i]


@jit
def _times_derivative_rows(dA, A, activation, sigmoidal):
    """dA *= g'(A) in place (g' from the activation's output); ``sigmoidal`` as in
    ``_bias_activate_rows``."""
    rows, n = dA.shape
    zero = dA.dtype.type(0.0)
    one = dA.dtype.type(1.0)
    slope = dA.dtype.type(LEAKY_SLOPE)
    for r in range(rows):
        if activation == RELU:  # dA read unconditionally: see activation_backward_db
            for i in range(n):
                d = dA[r, i]
                dA[r, i] = d if A[r, i] > 0 else zero
        elif activation == LEAKY_RELU:
            for i in range(n):
                d = dA[r, i]
                dA[r, i] = d if A[r, i] > 0 else slope * d
        elif sigmoidal is not None and activation == TANH:
            for i in range(n):
                a = A[r, i]
                dA[r, i] = dA[r, i] * (one - a * a)
        elif sigmoidal is not None and activation == SIGMOID:
            for i in range(n):
                a = A[r, i]
                dA[r, i] = dA[r, i] * a * (one - a)


@jit
def _column_sums(dZ, db, beta):
    """db[i] = beta·db[i] + Σ_r dZ[r, i] (beta 0 or 1), vectorised over i, in an order fixed by
    the shape: rows four at a time, summed pairwise and then added to db. Each addition to db
    waits for the previous one to be stored; a row at a time that chain bounded the loop (see
    docs/performance.md, "And db's sums over a block's rows")."""
    rows, n = dZ.shape
    if beta == 0:
        for i in range(n):
            db[i] = 0
    r = 0
    while r + 4 <= rows:
        for i in range(n):
            db[i] += (dZ[r, i] + dZ[r + 1, i]) + (dZ[r + 2, i] + dZ[r + 3, i])
        r += 4
    while r < rows:
        for i in range(n):
            db[i] += dZ[r, i]
        r += 1


@jit
def _block_pass(theta, dims, Xt, Y, activation, sigmoidal, use_narrow, dZ1, Wt, Wt_at, r0, r1,
                acts, D, Pb, beta, want_cost, head, dropout, step):
    """Forward and backward of examples r0:r1; their dW/db sums (not yet divided by m) written
    into Pb (beta = 0) or added to it (beta = 1), inside the dW product itself; Pb holds the
    partials of theta's last Pb.size parameters.
    ``acts`` and ``D`` are the lane's scratch. ``sigmoidal``: see ``sigmoidal_flag``.
    ``use_narrow`` (True or None, see ``narrow_layers``) lets narrow layers run
    ``narrow.forward_nt``. With ``dZ1`` (an (m, n1) array, or None: see
    ``first_layer_by_columns``) the block's dZ1 goes to dZ1[r0:r1] and W1's product is left to
    the trainer. Layer l's forward reads Wᵀ from Wt[Wt_at[l]:] where Wt_at[l] >= 0 (see
    ``SMALL_GEMM``), else W. ``head``: the output head (``heads``); ``dropout`` (None or a
    ``dropout.Dropout``) drops hidden units with the masks of ``step``, example r0 + r for row r.
    Returns the block's cost sum if want_cost, else 0."""
    L = dims.size - 1
    rows = r1 - r0
    p_off = theta.size - Pb.size  # Pb[p - p_off] is parameter p's partial
    # forward
    off = 0
    aoff = 0
    A_prev = Xt[r0:r1]
    for l in range(1, L + 1):
        n = dims[l]
        k = dims[l - 1]
        W = theta[off:off + n * k].reshape((n, k))
        b = theta[off + n * k:off + n * k + n]
        off += n * k + n
        Al = acts[aoff:aoff + rows * n].reshape((rows, n))
        aoff += rows * n
        if use_narrow is not None and n <= narrow.MAX_UNITS and k >= narrow.MIN_INPUTS:
            narrow.forward_nt(A_prev, W, Al)
        else:
            at = Wt_at[l]
            W_op, trans = W, True
            if at >= 0:
                W_op, trans = Wt[at:at + n * k].reshape((k, n)), False
            gemm(1.0, A_prev, False, W_op, trans, 0.0, Al)  # one call site: less to compile
        _bias_activate_rows(Al, b, activation if l < L else IDENTITY, sigmoidal)
        if dropout is not None and l < L:
            _dropout.forward_rows(dropout, step, l, Al, r0)
        A_prev = Al
    # output: cost and dZ_L = h(Z_L) - Y
    nL = dims[L]
    ZL = acts[aoff - rows * nL:aoff].reshape((rows, nL))
    dZL = D[0, :rows * nL].reshape((rows, nL))
    cost = output_delta_rows(head, ZL, Y, r0, dZL, want_cost)
    # backward, walking theta and acts from the end
    cur = 0
    off = theta.size
    aoff -= rows * nL
    for l in range(L, 0, -1):
        n = dims[l]
        k = dims[l - 1]
        b_at = off - n
        W_at = b_at - n * k
        off = W_at
        W = theta[W_at:b_at].reshape((n, k))
        db = Pb[b_at - p_off:b_at - p_off + n]
        if dZ1 is not None and l == 1:
            _column_sums(dZ1[r0:r1], db, beta)  # db1 here, dW1 by the trainer
            break
        dW = Pb[W_at - p_off:b_at - p_off].reshape((n, k))
        dZ = D[cur, :rows * n].reshape((rows, n))
        A_prev_b = acts[aoff - rows * k:aoff].reshape((rows, k)) if l > 1 else Xt[r0:r1]
        gemm(1.0, dZ, True, A_prev_b, False, beta, dW)
        _column_sums(dZ, db, beta)
        if l > 1:
            aoff -= rows * k
            if dZ1 is not None and l == 2:
                dA_prev = dZ1[r0:r1]
            else:
                dA_prev = D[1 - cur, :rows * k].reshape((rows, k))
            gemm(1.0, dZ, False, W, False, 0.0, dA_prev)
            if dropout is not None:  # A_prev_b is no longer needed as it was: see dropout.py
                _dropout.backward_rows(dropout, step, l - 1, dA_prev, A_prev_b, r0)
            _times_derivative_rows(dA_prev, A_prev_b, activation, sigmoidal)
            cur = 1 - cur
    return cost


@jit
def _transpose_weights(theta, dims, Wt, Wt_at):
    """Wt[Wt_at[l]:] = W_lᵀ, (k, n) row-major, for the layers with Wt_at[l] >= 0.

    Serial, between the parallel regions, so it runs ``_transpose_rows`` (eight rows of W at a
    time, each column's eight values one contiguous write): 2.3 times faster than the plain
    double loop over flat indices it replaced (docs/performance.md, "Serial work between the
    parallel regions")."""
    off = 0
    for l in range(1, dims.size):
        n = dims[l]
        k = dims[l - 1]
        at = Wt_at[l]
        if at >= 0:
            _transpose_rows(theta[off:off + n * k].reshape((n, k)),
                            Wt[at:at + n * k].reshape((k, n)), 0, k)
        off += n * k + n


@jit_inline
def _refresh_Wt(theta, off, n, k, Wt, at, lo, hi):
    """Wt[at:] = W's transpose (k × n) where W (n × k, at theta[off:]) changed in parameters
    lo:hi: row by row of W, each row's values one column of Wᵀ (the column's cache lines stay
    in L1 from one row to the next)."""
    for i in range((lo - off) // k, (hi - off - 1) // k + 1):
        j0 = max(lo - off - i * k, 0)
        j1 = min(hi - off - i * k, k)
        src = off + i * k
        for j in range(j0, j1):
            Wt[at + j * n + i] = theta[src + j]


@jit
def _merge_update(theta, dims, P, n_groups, grad, p0, p1, inv_m, opt, hyper, state, Wt, Wt_at):
    """Parameters p0:p1: grad = (Σ over the first n_groups rows of P, in group order) / m, then
    the optimizer's epilogue (``optim.epilogue``) over each layer's W (with L2) and b (without)
    in p0:p1. P's rows hold the partials of theta's last P.shape[1] parameters.

    Then the updated part of each W kept transposed (``Wt_at`` >= 0) is copied into Wt, by this
    task while the values are in its cache: the copy before each step, serial, waited for W
    from the other cores (docs/performance.md, "Wᵀ refreshed by the merge tasks")."""
    q = theta.size - P.shape[1]  # P[g, p - q] is parameter p's partial
    g_ = grad[p0:p1]  # views indexed from 0: see optim.epilogue
    P0 = P[0, p0 - q:p1 - q]
    for p in range(g_.size):
        g_[p] = P0[p]
    for g in range(1, n_groups):
        Pg = P[g, p0 - q:p1 - q]
        for p in range(g_.size):
            g_[p] += Pg[p]
    for p in range(g_.size):
        g_[p] = g_[p] * inv_m
    l2 = hyper[LAMBD] * inv_m
    off = 0
    for l in range(1, dims.size):
        w_end = off + dims[l] * dims[l - 1]
        b_end = w_end + dims[l]
        lo, hi = max(p0, off), min(p1, w_end)
        if lo < hi:
            epilogue_for(opt, hyper, l2, theta, grad, state, lo, hi)
            if Wt_at[l] >= 0:
                _refresh_Wt(theta, off, dims[l], dims[l - 1], Wt, Wt_at[l], lo, hi)
        lo, hi = max(p0, w_end), min(p1, b_end)
        if lo < hi:
            epilogue_for(opt, hyper, 0.0, theta, grad, state, lo, hi)
        off = b_end


@jit_parallel
def train_steps_blocked(theta, dims, X, Xt, fill_Xt, Y, activation, sigmoidal, use_narrow, dZ1,
                        Wt, Wt_at, head, opt, hyper, state, dropout, n_steps, block, group,
                        last_block, last_group, acts, D, P, grad, costp, shuffle, rule,
                        block_pass, merge_pass):
    """n_steps iterations over blocks of examples (Xt: the step's examples as rows; with
    ``fill_Xt``, the first call of a fit, each block's rows are copied from X at the first step,
    by the lane that runs the block). Returns the cost before the first step's update, like
    ``network.train_steps_split``.

    ``shuffle``: None for full-batch descent, or a ``minibatch.RowBatches``: then each
    iteration is an epoch, its examples in ``shuffle.order`` (drawn for it, unless taken in
    order) and a step per batch; with ``fill_Xt`` (the first call of a fit) X is first copied
    into ``shuffle.XT`` as rows, and each lane gathers its blocks' rows of a batch from there
    into Xt, and their targets into ``shuffle.Yb``. The cost is the first epoch's mean over the
    m examples of each batch's cost before its update (as the serial trainer's). A full step
    runs the plan (``block``, ``group``), the last, smaller batch (``last_block``,
    ``last_group``); the workspace (``make_blocked_workspace``) has room for both. The epochs
    are compiled here, not looped over in Python: a call per batch cost its arguments'
    dispatch every step (docs/performance.md, "The blocked minibatch epoch compiled"). No
    shuffled copy of the data per epoch: that serial copy kept a core idle (docs/performance.md,
    "Serial work between the parallel regions").

    With ``dZ1`` (see ``first_layer_by_columns``) the blocks leave W1 alone: once they are all
    done, W1 is updated column part by column part, each inside its own product over the step's
    examples, W1[:, c0:c1] += (-α/m)·dZ1ᵀ·Xt[:, c0:c1] (BLAS beta = 1).

    The small layers' Wᵀ (``SMALL_GEMM``) is copied into Wt once at the start of the call, and
    after that by the merge tasks, each from the parameters it has just updated
    (``_merge_update``).

    X's transposition is here rather than in a parallel kernel of its own, whose compilation
    lengthened every cold first fit (docs/performance.md, "X copied into Xt inside the trainer").

    ``rule``: an ``epoch_rule`` array; active, every epoch's cost is computed and the rule runs
    after it, as in ``network.train_steps_split``.

    ``block_pass`` is ``_block_pass`` compiled apart (``block_pass_for``) and called through its
    address, not linked in: linked, its code was compiled again in the ``prange`` body, in
    numba's two wrappers around it and in the trainer (``_native``; docs/performance.md, "The
    block pass called through its address"). ``merge_pass`` is ``_merge_update`` called the
    same way (``merge_pass_for``), for the same reason.

    The step loop is here rather than around a separately compiled step: numba re-optimises and
    re-emits the machine code of every callee in each compiled level above it, so a level less
    is less compilation on the first fit (a saving within this machine's noise: see
    docs/performance.md, "Compile time")."""
    cost = np.nan
    m_all = X.shape[1]
    b = m_all
    if shuffle is not None:
        b = shuffle.batch_size
    n_lanes = acts.shape[0]  # the caller passes a lane per thread it runs with
    ruled = rule[ACTIVE] != 0.0
    size = theta.size
    merged_from = 0  # the first parameter that the group partials update
    n_parts = 0
    if dZ1 is not None:
        merged_from = dims[1] * dims[0]
        n_parts = (dims[0] + COLUMN_PART - 1) // COLUMN_PART
    # the merge's parameters per task: at most MERGE_CHUNK, and split evenly over the lanes
    # when there are fewer (a net of 4801 parameters had tasks of 4096 and 705); a parameter's
    # bits never depend on its task
    merged = size - merged_from
    chunk = min(MERGE_CHUNK, max(MIN_MERGE_CHUNK, -(-merged // n_lanes)))
    chunk = -(-chunk // 64) * 64
    n_chunks = (merged + chunk - 1) // chunk
    if shuffle is not None and fill_Xt:
        _transpose_rows(X, shuffle.XT, 0, m_all)
    # the small layers' Wᵀ (SMALL_GEMM) from theta as the call finds it; each step's merge
    # tasks then refresh what they update
    _transpose_weights(theta, dims, Wt, Wt_at)
    for epoch in range(n_steps):
        want_cost = epoch == 0 or ruled
        learning_rate = hyper[LEARNING_RATE]  # the rule may change it between epochs
        if shuffle is not None and shuffle.shuffled:
            permutation(shuffle.seed, shuffle.first_epoch + epoch, shuffle.order)
        fill = fill_Xt and epoch == 0
        total = 0.0
        for start in range(0, m_all, b):
            m = min(b, m_all - start)
            Yb = Y
            if shuffle is not None:
                Yb = batch_Y(shuffle.Yb, Y.shape[0], 0, m)
            rows, per_group = block, group
            if m < b:
                rows, per_group = last_block, last_group
            n_blocks = (m + rows - 1) // rows
            n_groups = (n_blocks + per_group - 1) // per_group
            step = int(hyper[STEP])  # steps before this one: it keys the dropout masks
            for lane in prange(n_lanes):
                # lane's groups: lane, lane + n_lanes, ... (which lane runs a group never
                # changes a bit); a group's first block writes its row of P, the next ones add
                # to it in block order, inside their dW products (BLAS beta = 1)
                for g in range(lane, n_groups, n_lanes):
                    first = g * per_group
                    for blk in range(first, min(n_blocks, first + per_group)):
                        r0 = blk * rows
                        r1 = min(m, r0 + rows)
                        beta = 0.0 if blk == first else 1.0
                        if shuffle is not None:
                            gather_rows(shuffle.XT, Y, shuffle.order, start, Xt, Yb, r0, r1)
                        elif fill:
                            _transpose_rows(X, Xt, r0, r1)
                        costp[blk] = call(block_pass, (
                            theta, dims, Xt, Yb, activation, sigmoidal, use_narrow, dZ1, Wt,
                            Wt_at, r0, r1, acts[lane], D[lane], P[g], beta, want_cost, head,
                            dropout, step))
            # merge the group partials in group order, each parameter owned by one task; with
            # dZ1, the first n_parts tasks update W1 -= (α/m)·dZ1ᵀ·Xt, a part of W1's columns
            # each (one parallel loop for both: each loop of its own is compiled apart)
            m_step = step_examples(head, Yb, dims[dims.size - 1], m)  # m, or the weights' sum
            inv_m = 1.0 / m_step
            l2 = hyper[LAMBD] * inv_m
            if want_cost:  # before the update: the penalty of this step's W
                s = 0.0
                for blk in range(n_blocks):
                    s += costp[blk]
                c = s / m_step
                if l2 != 0.0:
                    c += 0.5 * l2 * squared_norm_W(theta, dims)
                total = c if m == m_all else total + c * m  # one batch: the mean itself
            hyper[STEP] = step + 1
            for c_ in prange(n_parts + n_chunks):
                if dZ1 is not None and c_ < n_parts:
                    c0 = c_ * COLUMN_PART
                    c1 = min(dims[0], c0 + COLUMN_PART)
                    W1 = theta[:merged_from].reshape((dims[1], dims[0]))
                    dZ1_b = dZ1[:m]
                    X_cols = Xt[:m, c0:c1]
                    if opt == GD:  # the update inside the product, L2 as its beta
                        gemm(-learning_rate * inv_m, dZ1_b, True, X_cols, False,
                             1.0 - learning_rate * l2, W1[:, c0:c1])
                    else:  # dW1's columns, then the epilogue row by row of W1
                        dW1 = grad[:merged_from].reshape((dims[1], dims[0]))
                        gemm(inv_m, dZ1_b, True, X_cols, False, 0.0, dW1[:, c0:c1])
                        for i in range(dims[1]):
                            epilogue_for(opt, hyper, l2, theta, grad, state,
                                         i * dims[0] + c0, i * dims[0] + c1)
                else:
                    p0 = merged_from + (c_ - n_parts) * chunk
                    call(merge_pass, (theta, dims, P, n_groups, grad, p0,
                                      min(size, p0 + chunk), inv_m, opt, hyper, state, Wt,
                                      Wt_at))
        if want_cost:
            c = total if b >= m_all else total / m_all
            if epoch == 0:
                cost = c
            if ruled and epoch_end(rule, hyper, epoch, c):
                break
    return cost


def run_blocked(theta, dims, ws, X, Y, activation, head, opt, hyper, state, dropout, n_steps,
                lanes=None, fill_Xt=True, shuffle=None, rule=None, block_pass=None,
                merge_pass=None):
    """``train_steps_blocked`` on a workspace, with ``lanes`` lanes (default: all the workspace
    has). ``state``: the optimizer state (an array always: a (0, 0) one for gradient descent).
    ``fill_Xt``: copy X into ``ws.Xt`` first (the first call of a fit; later calls on the same X
    may pass False). ``shuffle``: None (full batches) or a ``minibatch.RowBatches`` (then
    n_steps epochs, on a workspace made with its batch size). ``rule``: an ``epoch_rule`` array
    (default: ``epoch_rule.inactive()``). ``block_pass``: ``block_pass_for`` these
    arguments, when the caller has it already."""
    if merge_pass is None:  # first: see _trainers.BlockedMinibatch._passes
        merge_pass = merge_pass_for(theta, dims, ws, opt, hyper, state)
    if block_pass is None:
        block_pass = block_pass_for(theta, dims, ws, Y, activation, head, dropout, shuffle)
    return train_steps_blocked(*_trainer_args(theta, dims, ws, X, Y, activation, head, opt, hyper,
                                              state, dropout, n_steps, lanes, fill_Xt, shuffle,
                                              rule, block_pass, merge_pass))


def _trainer_args(theta, dims, ws, X, Y, activation, head, opt, hyper, state, dropout, n_steps,
                  lanes, fill_Xt, shuffle, rule, block_pass, merge_pass):
    lanes = ws.acts.shape[0] if lanes is None else lanes
    rule = epoch_rule.inactive() if rule is None else rule
    return (theta, dims, X, ws.Xt, fill_Xt, Y, activation, sigmoidal_flag(activation), ws.narrow,
            ws.dZ1, ws.Wt, ws.Wt_at, head, opt, hyper, state, dropout, n_steps, ws.block,
            ws.group, ws.last_block, ws.last_group, ws.acts[:lanes], ws.D[:lanes], ws.P,
            ws.grad, ws.costp, shuffle, rule, block_pass, merge_pass)


def block_pass_for(theta, dims, ws, Y, activation, head, dropout, shuffle=None):
    """``_block_pass`` compiled for what ``train_steps_blocked`` passes it, given the arrays the
    trainer is called with (one lane's scratch, one row of P; block bounds, beta, the cost flag
    and the step as the trainer types them, and with ``shuffle`` a batch of Y as
    ``minibatch.batch_type``: a mismatch would fail the trainer's typing)."""
    args = _block_pass_args(theta, dims, ws, Y, activation, head, dropout)
    if shuffle is None:
        return native(_block_pass, args)
    return native_by(args, _batch_block_pass)


def _block_pass_args(theta, dims, ws, Y, activation, head, dropout):
    return (theta, dims, ws.Xt, Y, activation, sigmoidal_flag(activation), ws.narrow, ws.dZ1,
            ws.Wt, ws.Wt_at, 0, 0, ws.acts[0], ws.D[0], ws.P[0], 0.0, True, head, dropout, 0)


def merge_pass_for(theta, dims, ws, opt, hyper, state):
    """``_merge_update`` compiled for what ``train_steps_blocked`` passes it (the group count,
    the parameter range and 1/m as the trainer types them)."""
    return native(_merge_update, _merge_pass_args(theta, dims, ws, opt, hyper, state))


def _merge_pass_args(theta, dims, ws, opt, hyper, state):
    return (theta, dims, ws.P, 0, ws.grad, 0, 0, 0.0, opt, hyper, state, ws.Wt, ws.Wt_at)


_Y_AT = 3  # Y's place in ``_block_pass``'s arguments


def _batch_block_pass(args):
    """The block pass and its signature on a minibatch path (Y a batch: ``batch_type``)."""
    return _block_pass, _block_pass_types(args, True)


def _block_pass_types(args, shuffle):
    sig = argument_types(args)
    if shuffle is None:
        return sig
    return sig[:_Y_AT] + (batch_type(sig[_Y_AT]),) + sig[_Y_AT + 1:]


def run_blocked_parts(theta, dims, ws, X, Y, activation, head, opt, hyper, state, dropout,
                      n_steps, lanes=None, fill_Xt=True, shuffle=None, rule=None):
    """For compiling on two cores (``fastbackprop._compile_ahead``): the types of
    ``train_steps_blocked``'s arguments in ``run_blocked`` with these arguments, and the block
    pass it will take as ``[(kernel, signature)]``. The trainer is typed with the block pass as
    the ``Native`` it will be, before that is compiled: its return type is ``_block_pass``'s,
    float64 (a test checks that the call then compiles nothing more)."""
    sig = _block_pass_types(_block_pass_args(theta, dims, ws, Y, activation, head, dropout),
                            shuffle)
    block_pass = NativeType(types.float64(*sig))
    merge_pass = NativeType(types.none(*argument_types(
        _merge_pass_args(theta, dims, ws, opt, hyper, state))))
    args = _trainer_args(theta, dims, ws, X, Y, activation, head, opt, hyper, state, dropout,
                         n_steps, lanes, fill_Xt, shuffle, rule, None, None)
    trainer = argument_types(args[:-2]) + (block_pass, merge_pass)
    return trainer, [(_block_pass, sig)]


def transposed_layers(dims, block):
    """(Wt_at, size): where each layer's Wᵀ starts in the workspace's Wt, or -1 for a layer that
    reads W itself (a narrow layer, or a block product larger than ``SMALL_GEMM``); index l for
    layer l (entry 0 unused), and Wt's size."""
    Wt_at = np.full(len(dims), -1, np.int64)
    size = 0
    for l in range(1, len(dims)):
        n, k = int(dims[l]), int(dims[l - 1])
        if n * k * block <= SMALL_GEMM and not narrow.is_narrow(n, k):
            Wt_at[l] = size
            size += n * k
    return Wt_at, size


def first_layer_by_columns(dims):
    """True if W1's update waits for all the blocks and runs over parts of W1's columns (then
    the workspace has a dZ1 for all m examples), else None.

    For a narrow first layer on many inputs (the cat net's 20 × 12288): its dW1 is almost all
    the parameters, so as group partials it cost a 20 × 12288 product per block written into
    every group's row of P (the BLAS zeroing it first), then the merge pass reading those rows
    and the update pass, every iteration, for a product of only the block's rows. By columns,
    each part is one product over all m examples, written straight into W1 (see
    docs/performance.md, "A narrow first layer is updated by columns")."""
    if len(dims) > 2 and narrow.is_narrow(dims[1], dims[0]):
        return True
    return None


def narrow_layers(dims):
    """True if some layer is narrow (``narrow.forward_nt``'s shapes), else None: a flag the
    trainer is compiled for. numba types None as its own type and prunes the ``is not None``
    branch before typing it, so other networks never compile that kernel (a quarter of the block
    pass's code). An int flag, even typed as a literal, is not pruned: the kernel was compiled
    anyway, and only LLVM dropped its code (docs/performance.md, "The narrow flag as
    True/None")."""
    if any(narrow.is_narrow(n, k) for k, n in zip(dims[:-1], dims[1:])):
        return True
    return None
