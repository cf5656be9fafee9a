"""Fused dense-layer kernels on examples-as-columns arrays (A is (n, m), W is (n, n_prev)).

GEMMs go through ``blas.gemm`` (the BLAS, C = alpha·op(A)·op(B) + beta·C into preallocated
buffers: 1/m and the trainer's update are folded into the products) unless the weight matrix is
tiny (``SMALL_W`` entries or fewer, e.g. the planar [2, 4, 1] net): then plain
loops over examples, which LLVM vectorises, cost less than a BLAS call. Everything elementwise
around the GEMMs is fused into single passes. No kernel here allocates.
"""
import numpy as np

from numba import prange

from ._options import jit, jit_inline, jit_parallel_callee
from .blas import check, gemm
from .activations import activation_backward_db, add_bias_activate, bias_activate_in_place, \
    dot_fixed_order, sum_fixed_order

SMALL_W = 64  # n·k at or below which a layer's products run as loops instead of BLAS calls
SPLIT_WORK = 1 << 21  # n·k·m at or above which a product is split over rows of its output
SPLIT_ROWS = 64       # rows per part at least (a part is one single-threaded BLAS call); 64
# rather than 128 splits the 128-row products of config e too (docs/performance.md, "Two trainers,
# chosen by the shapes": serial trainer)


def calls_blas(layer_dims):
    """True if the serial trainer calls the BLAS on this network: some layer has more than
    ``SMALL_W`` weights (only such products can also run as parallel parts). Otherwise it runs
    loops on one core, and ``fit`` leaves the thread settings alone (a third of a short fit's
    overhead: docs/performance.md, "Short fits")."""
    return any(n * k > SMALL_W for k, n in zip(layer_dims[:-1], layer_dims[1:]))


def splits(layer_dims, m):
    """Whether any product of a step on m examples would run as parallel parts (``row_parts``
    > 1): else the trainers take ``split=None`` and compile no parallel code (docs/performance.md,
    "Cold first fit: what a fit compiles")."""
    for k, n in zip(layer_dims[:-1], layer_dims[1:]):
        if n * k > SMALL_W and n * k * m >= SPLIT_WORK and max(n, k) >= 2 * SPLIT_ROWS:
            return True
    return False


@jit
def row_parts(n, k, m):
    """How many parts of output rows a product (n × k)·(k × m) is split into: 1 … 4, a function
    of the shapes only, so results never depend on the thread count."""
    if n * k * m < SPLIT_WORK:
        return 1
    return max(1, min(4, n // SPLIT_ROWS))


@jit_parallel_callee
def _gemm_rows_parallel(alpha, A, trans_A, B, trans_B, beta, C, parts):
    n = C.shape[0]
    step = (n + parts - 1) // parts
    for p in prange(parts):
        r0 = p * step
        r1 = min(n, r0 + step)
        if r0 < r1:
            if trans_A:  # rows r0:r1 of Aᵀ are columns r0:r1 of A
                gemm(alpha, A[:, r0:r1], True, B, trans_B, beta, C[r0:r1])
            else:
                gemm(alpha, A[r0:r1], False, B, trans_B, beta, C[r0:r1])


@jit_inline
def gemm_rows(alpha, A, trans_A, B, trans_B, beta, C, split):
    """C = alpha·op(A)·op(B) + beta·C (``blas.gemm``). With ``split`` (the trainer, BLAS pinned
    to one thread): split over C's rows into ``row_parts`` parts run in parallel by numba's
    threads, every row of C computed by exactly one single-threaded BLAS call. Without (False):
    one BLAS call, the BLAS owning the cores. None: the same, and the parallel kernel is not
    compiled at all (``splits`` says when a fit can pass None)."""
    parts = 1
    if split is not None:
        k = A.shape[0] if trans_A else A.shape[1]
        parts = row_parts(C.shape[0], k, C.shape[1]) if split else 1
        if parts > 1:
            # the flags as run-time booleans: as the literals of the call sites, each site
            # would compile its own copy of the parallel kernel
            _gemm_rows_parallel(alpha, A, trans_A != 0, B, trans_B != 0, beta, C, parts)
    if parts == 1:
        gemm(alpha, A, trans_A, B, trans_B, beta, C)


@jit
def _gemm_small(W, A_prev, Z):
    """Z = W·A_prev by rows of Z: axpys over examples, k ascending (vectorised over j)."""
    n, k = W.shape
    m = A_prev.shape[1]
    for i in range(n):
        w = W[i, 0]
        for j in range(m):
            Z[i, j] = w * A_prev[0, j]
        for p in range(1, k):
            w = W[i, p]
            for j in range(m):
                Z[i, j] += w * A_prev[p, j]


@jit
def _gemm_tn_small(W, dZ, dA_prev):
    """dA_prev = Wᵀ·dZ by rows of dA_prev, i ascending."""
    n, k = W.shape
    m = dZ.shape[1]
    for p in range(k):
        w = W[0, p]
        for j in range(m):
            dA_prev[p, j] = w * dZ[0, j]
        for i in range(1, n):
            w = W[i, p]
            for j in range(m):
                dA_prev[p, j] += w * dZ[i, j]


@jit_inline
def layer_dA_prev(W, dZ, dA_prev, split):
    """dA_prev = Wᵀ·dZ; ``split`` as in ``gemm_rows``."""
    if W.size <= SMALL_W:
        _gemm_tn_small(W, dZ, dA_prev)
    else:
        gemm_rows(1.0, W, True, dZ, False, 0.0, dA_prev, split)


@jit
def linear_activation_forward(A_prev, W, b, activation, Z, A):
    """Z = W·A_prev + b and A = g(Z). Pass the same buffer as Z and A when Z is not needed."""
    check(W, A_prev, Z)  # the public per-layer kernels check what they are given (blas.check)
    forward_layer(A_prev, W, b, activation, Z, A, False)


@jit_inline
def _linear(A_prev, W, Z, split):
    """Z = W·A_prev (no bias)."""
    if W.size <= SMALL_W:
        _gemm_small(W, A_prev, Z)
    else:
        gemm_rows(1.0, W, False, A_prev, False, 0.0, Z, split)


@jit_inline
def forward_layer(A_prev, W, b, activation, Z, A, split):
    """``linear_activation_forward``; ``split`` as in ``gemm_rows``."""
    _linear(A_prev, W, Z, split)
    add_bias_activate(Z, b, activation, A)


@jit_inline
def forward_layer_in_place(A_prev, W, b, activation, A, split, sigmoidal):
    """A = g(W·A_prev + b) in one buffer, Z not kept (the trainers): compiles without
    ``add_bias_activate``'s two-buffer loops. ``sigmoidal``: ``activations.sigmoidal_flag``."""
    _linear(A_prev, W, A, split)
    bias_activate_in_place(A, b, activation, sigmoidal)


@jit_inline
def _check_backward(dZ, A_prev, W, dW, dA_prev, need_dA_prev):
    check(dZ, A_prev, dW)
    if need_dA_prev:
        check(W, dZ, dA_prev)


@jit
def linear_backward(dZ, A_prev, W, inv_m, dW, db, dA_prev, need_dA_prev):
    """dW = inv_m·dZ·A_prevᵀ, db = inv_m·Σ dZ, and dA_prev = Wᵀ·dZ if asked (not for layer 1)."""
    _check_backward(dZ, A_prev, W, dW, dA_prev, need_dA_prev)
    output_layer_backward(dZ, A_prev, W, inv_m, dW, db, dA_prev, need_dA_prev, False)


@jit_inline
def output_layer_backward(dZ, A_prev, W, inv_m, dW, db, dA_prev, need_dA_prev, split):
    """``linear_backward``; ``split`` as in ``gemm_rows``."""
    output_db(dZ, inv_m, db)
    layer_dW(dZ, A_prev, inv_m, dW, split)
    if need_dA_prev:
        layer_dA_prev(W, dZ, dA_prev, split)


@jit_inline
def output_db(dZ, inv_m, db):
    """db = inv_m·Σ dZ over examples (the output layer: dZ comes from the loss, not from g′)."""
    for i in range(dZ.shape[0]):
        db[i, 0] = sum_fixed_order(dZ[i]) * inv_m


@jit
def linear_activation_backward(dA, A, A_prev, W, activation, inv_m, dZ, dW, db, dA_prev,
                               need_dA_prev):
    """dZ = dA·g'(A) with db in the same pass, then dW and dA_prev. dZ may be dA itself."""
    _check_backward(dZ, A_prev, W, dW, dA_prev, need_dA_prev)
    backward_layer(dA, A, A_prev, W, activation, inv_m, dZ, dW, db, dA_prev, need_dA_prev,
                   False)


@jit_inline
def backward_layer(dA, A, A_prev, W, activation, inv_m, dZ, dW, db, dA_prev, need_dA_prev,
                   split):
    """``linear_activation_backward``; ``split`` as in ``gemm_rows``."""
    activation_backward_db(dA, A, activation, inv_m, dZ, db)
    layer_dW(dZ, A_prev, inv_m, dW, split)
    if need_dA_prev:
        layer_dA_prev(W, dZ, dA_prev, split)


@jit_inline
def layer_dW(dZ, A_prev, inv_m, dW, split):
    """dW = inv_m·dZ·A_prevᵀ; ``split`` as in ``gemm_rows``."""
    n, k = dW.shape
    if dW.size <= SMALL_W:
        for i in range(n):
            for p in range(k):
                dW[i, p] = dot_fixed_order(dZ[i], A_prev[p]) * inv_m
        return
    gemm_rows(inv_m, dZ, False, A_prev, True, 0.0, dW, split)


@jit_inline
def layer_dW_update(dZ, A_prev, inv_m, learning_rate, l2, W, dW, split):
    """W -= α·(inv_m·dZ·A_prevᵀ + l2·W), l2 the L2 coefficient λ/m (0: none). Large layers:
    inside the BLAS call (alpha = -α·inv_m, beta = 1 - α·l2), so dW is neither stored nor read
    back; ``dW`` is then left untouched. Small ones: dW by loops as ``layer_dW``, then the update
    (the baseline's rounding)."""
    if dW.size <= SMALL_W:
        layer_dW(dZ, A_prev, inv_m, dW, False)
        n, k = W.shape
        for i in range(n):
            for j in range(k):
                W[i, j] -= learning_rate * (dW[i, j] + l2 * W[i, j])
    else:
        gemm_rows(-learning_rate * inv_m, dZ, False, A_prev, True, 1.0 - learning_rate * l2, W,
                  split)


@jit
def update(W, dW, b, db, learning_rate):
    """W -= α·dW, b -= α·db, in place."""
    n, k = W.shape
    for i in range(n):
        for j in range(k):
            W[i, j] -= learning_rate * dW[i, j]
        b[i, 0] -= learning_rate * db[i, 0]
