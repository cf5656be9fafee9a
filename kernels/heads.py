"""Output heads: the last layer's function h and its cost, one function per head and layout.

Every head here is a canonical link (sigmoid + binary cross-entropy, softmax + cross-entropy,
identity + half squared error), so the output delta is the same line for all of them:
dZ_L = h(Z_L) − Y, and the trainers' 1/m turns it into dW and db. Costs are taken from the
logits Z_L (never from h(Z_L), which saturates), summed over the examples in float64: the
callers divide by the examples of the step.

Columns variants (examples as columns, (n_L, m)) serve the serial trainer and inference; rows
variants ((rows, n_L) slabs of a block, Y still (n_L, m) by columns) serve the blocked trainer.

Per-example weights ride in Y as one extra row (Y of shape (n_L + 1, m)): every shuffle and
batch view that moves Y's columns moves the weights with them, so each trainer path gets weights
without a new argument. A weighted example's cost and output delta are scaled by its weight;
an unweighted Y (n_L rows) skips the scaling by a shape test.

The kernels take the head as ``kernel_head(code, weighted)``: None for the unweighted sigmoid
head, else the code as a ``_options.Static``. numba types None as its own type and prunes the
``head is not None`` branches of the dispatchers below, so a plain binary fit compiles no
softmax, identity or weights code; and a Static code reaches the per-head kernels through
``specialised``, so a softmax fit compiles no identity or sigmoid branch (see docs/engine.md,
"Compile only what a fit uses"). A plain int code compiles every head.
"""
import math

from ._options import jit, jit_inline, specialised, static
from .activations import stable_sigmoid
from . import vecmath

SIGMOID = 0   # sigmoid + binary cross-entropy, summed over the output units (multi-label)
SOFTMAX = 1   # softmax over the output units + cross-entropy (multi-class, Y one-hot)
IDENTITY = 2  # identity + (1/2)·squared error (regression)
HEADS = {"sigmoid": SIGMOID, "softmax": SOFTMAX, "identity": IDENTITY}


def kernel_head(code, weighted=False):
    """The kernels' head argument: None for an unweighted sigmoid head, else the head's code as
    a ``Static`` (the kernels are compiled for that head alone)."""
    return None if code == SIGMOID and not weighted else static(int(code))


@jit_inline
def step_examples(head, Y, n_L, m):
    """What a step divides its sums by (its cost, dW, db and the L2 coefficient λ/m): the m
    examples, or with a weights row in Y (one row more than the n_L units) the weights' sum over
    them, so the step's cost is the weighted mean of its examples' costs (scikit-learn's
    normalisation of each batch)."""
    if head is not None:
        if Y.shape[0] > n_L:
            s = 0.0
            for j in range(Y.shape[1]):
                s += Y[n_L, j]
            return s
    return float(m)


@jit
def cost_sum(head, ZL, Y):
    """Σ over the m examples of each example's cost, from the logits ZL (n_L, m) (float64)."""
    if head is not None:
        return _cost_sum_for(head, ZL, Y)
    return _cost_sum_sigmoid(ZL, Y)


@jit
def outputs(head, ZL, AL):
    """AL = h(ZL) (n_L, m): the predictions."""
    if head is not None:
        _outputs_for(head, ZL, AL)
    else:
        _outputs_sigmoid(ZL, AL)


@jit
def output_delta(head, ZL, Y, AL, dZL):
    """AL = h(ZL) and dZ_L = AL − Y (times the example's weight, if Y carries them). dZL may
    be ZL itself."""
    if head is not None:
        _outputs_for(head, ZL, AL)
    else:
        _outputs_sigmoid(ZL, AL)
    n, m = ZL.shape
    for i in range(n):
        for j in range(m):
            dZL[i, j] = AL[i, j] - Y[i, j]
    if head is not None:
        if Y.shape[0] > n:  # weighted
            for i in range(n):
                for j in range(m):
                    dZL[i, j] *= Y[n, j]


@jit_inline
def _cost_sum_rows_weighted(head, ZL, Y, r0):
    """``_cost_sum_rows``, each example's cost times its weight when Y carries weights."""
    rows, n = ZL.shape
    if Y.shape[0] == n:
        return _cost_sum_rows(head, ZL, Y, r0)
    s = 0.0
    for r in range(rows):
        s += float(Y[n, r0 + r]) * _cost_sum_rows(head, ZL[r:r + 1], Y, r0 + r)
    return s


@jit
def output_delta_rows(head, ZL, Y, r0, dZL, want_cost):
    """dZ_L = h(ZL) − Y of a block: ZL (rows, n_L) holds examples r0 … r0 + rows − 1 of Y
    (n_L, m), weighted by Y's last row when Y has one more row than ZL's units. Returns the
    block's cost sum (as ``cost_sum``) if ``want_cost``, else 0. The softmax head takes both
    from one pass of exponentials (``_softmax_delta_rows``)."""
    if head is None:
        _sigmoid_delta_rows(ZL, Y, r0, dZL)
        return _cost_sum_rows_sigmoid(ZL, Y, r0) if want_cost else 0.0
    return _output_delta_rows_for(head, ZL, Y, r0, dZL, want_cost)


@jit_inline
def _cost_sum_sigmoid(ZL, Y):
    n, m = ZL.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            z = float(ZL[i, j])
            s += max(z, 0.0) - z * Y[i, j] + math.log1p(math.exp(-abs(z)))
    return s


@jit_inline
def _outputs_sigmoid(ZL, AL):
    n, m = ZL.shape
    for i in range(n):
        for j in range(m):
            AL[i, j] = stable_sigmoid(ZL[i, j])


@jit_inline
def _cost_sum_rows_sigmoid(ZL, Y, r0):
    rows, n = ZL.shape
    s = 0.0
    for r in range(rows):
        for i in range(n):
            z = float(ZL[r, i])
            s += max(z, 0.0) - z * Y[i, r0 + r] + math.log1p(vecmath.exp_nonpositive(-abs(z)))
    return s


@jit_inline
def _sigmoid_delta_rows(ZL, Y, r0, dZL):
    rows, n = ZL.shape
    for i in range(n):  # examples innermost: with n_L = 1 (unit stride) LLVM vectorises it
        for r in range(rows):
            dZL[r, i] = vecmath.sigmoid(ZL[r, i]) - Y[i, r0 + r]


@jit_inline
def _softmax_column_stats(ZL, j):
    """max_i Z[i, j] and log Σ_i exp(Z[i, j] − max) of column j."""
    n = ZL.shape[0]
    mx = float(ZL[0, j])
    for i in range(1, n):
        mx = max(mx, float(ZL[i, j]))
    s = 0.0
    for i in range(n):
        s += vecmath.exp_nonpositive(float(ZL[i, j]) - mx)
    return mx, math.log(s)


@jit_inline
def _softmax_columns(ZL, AL):
    """AL = softmax(ZL) by columns, with the examples innermost so that the exponentials
    (``vecmath.exp_nonpositive``) run as vector loops along each row; row 0 of AL holds the
    columns' maxima until the last pass (see ``_softmax_delta_rows``)."""
    n, m = ZL.shape
    for j in range(m):
        AL[0, j] = ZL[0, j]
    for i in range(1, n):
        for j in range(m):
            AL[0, j] = max(AL[0, j], ZL[i, j])
    for i in range(1, n):
        for j in range(m):
            AL[i, j] = vecmath.exp_nonpositive(float(ZL[i, j]) - float(AL[0, j]))
    for j in range(m):
        e0 = vecmath.exp_nonpositive(float(ZL[0, j]) - float(AL[0, j]))
        e = e0
        for i in range(1, n):
            e += float(AL[i, j])
        inv = 1.0 / e
        AL[0, j] = e0 * inv
        for i in range(1, n):
            AL[i, j] = float(AL[i, j]) * inv


@jit_inline
def _cost_sum_any(head, ZL, Y):
    n, m = ZL.shape
    if Y.shape[0] > n:  # weighted: Y's last row holds the examples' weights
        s = 0.0
        for j in range(m):
            s += float(Y[n, j]) * _example_cost(head, ZL, Y, j)
        return s
    s = 0.0
    if head == SOFTMAX:
        for j in range(m):
            mx, lse = _softmax_column_stats(ZL, j)
            for i in range(n):
                s += Y[i, j] * (mx + lse - float(ZL[i, j]))
    elif head == IDENTITY:
        for i in range(n):
            for j in range(m):
                d = float(ZL[i, j]) - float(Y[i, j])
                s += 0.5 * d * d
    else:
        for i in range(n):
            for j in range(m):
                z = float(ZL[i, j])
                s += max(z, 0.0) - z * Y[i, j] + math.log1p(math.exp(-abs(z)))
    return s


@jit_inline
def _example_cost(head, ZL, Y, j):
    """The cost of example j (column j of ZL (n_L, m)), float64."""
    n = ZL.shape[0]
    s = 0.0
    if head == SOFTMAX:
        mx, lse = _softmax_column_stats(ZL, j)
        for i in range(n):
            s += Y[i, j] * (mx + lse - float(ZL[i, j]))
    elif head == IDENTITY:
        for i in range(n):
            d = float(ZL[i, j]) - float(Y[i, j])
            s += 0.5 * d * d
    else:
        for i in range(n):
            z = float(ZL[i, j])
            s += max(z, 0.0) - z * Y[i, j] + math.log1p(math.exp(-abs(z)))
    return s


@jit_inline
def _outputs_any(head, ZL, AL):
    n, m = ZL.shape
    if head == SOFTMAX:
        _softmax_columns(ZL, AL)
    elif head == IDENTITY:
        for i in range(n):
            for j in range(m):
                AL[i, j] = ZL[i, j]
    else:
        for i in range(n):
            for j in range(m):
                AL[i, j] = stable_sigmoid(ZL[i, j])


@jit_inline
def _cost_sum_rows(head, ZL, Y, r0):
    rows, n = ZL.shape
    s = 0.0
    if head == SOFTMAX:
        for r in range(rows):
            mx = float(ZL[r, 0])
            for i in range(1, n):
                mx = max(mx, float(ZL[r, i]))
            e = 0.0
            for i in range(n):
                e += vecmath.exp_nonpositive(float(ZL[r, i]) - mx)
            lse = math.log(e)
            for i in range(n):
                s += Y[i, r0 + r] * (mx + lse - float(ZL[r, i]))
    elif head == IDENTITY:
        for r in range(rows):
            for i in range(n):
                d = float(ZL[r, i]) - float(Y[i, r0 + r])
                s += 0.5 * d * d
    else:
        for r in range(rows):
            for i in range(n):
                z = float(ZL[r, i])
                s += max(z, 0.0) - z * Y[i, r0 + r] + math.log1p(vecmath.exp_nonpositive(
                    -abs(z)))
    return s


@jit_inline
def _softmax_delta_rows(ZL, Y, r0, dZL, want_cost):
    """The softmax head's dZ_L = softmax(ZL) − Y of a block, weighted if Y carries weights, and
    its cost sum if ``want_cost``. One exponential per logit, branch-free
    (``vecmath.exp_nonpositive``: every exponent is z − max ≤ 0); numba's ``math.exp`` is a
    scalar libm call, which took twice as many calls here (delta and cost each) and ~10 % of a
    digits-shaped step (docs/performance.md, "The softmax head's exponentials"). The
    exponentials run as one loop over the whole block (dZL C-contiguous), after the rows'
    shifts z − max: along a row of a few classes the vector loop barely started, and the same
    bits came at half the speed (docs/performance.md, "The softmax head's exponentials over the
    block")."""
    rows, n = ZL.shape
    weighted = Y.shape[0] > n
    for r in range(rows):
        z = ZL[r]
        d = dZL[r]
        mx = z[0]
        for i in range(1, n):
            mx = max(mx, z[i])
        for i in range(n):
            d[i] = z[i] - mx
    shifted = dZL.reshape(rows * n)
    for t in range(shifted.size):
        shifted[t] = vecmath.exp_nonpositive(float(shifted[t]))
    s = 0.0
    for r in range(rows):
        z = ZL[r]
        d = dZL[r]
        e = 0.0
        for i in range(n):
            e += float(d[i])
        inv = 1.0 / e
        w = float(Y[n, r0 + r]) if weighted else 1.0
        if want_cost:
            mx = z[0]
            for i in range(1, n):
                mx = max(mx, z[i])
            lse = math.log(e)
            c = 0.0
            for i in range(n):
                c += Y[i, r0 + r] * (float(mx) + lse - float(z[i]))
            s += w * c
        for i in range(n):
            d[i] = (float(d[i]) * inv - Y[i, r0 + r]) * w
    return s


@jit_inline
def _output_delta_rows_any(head, ZL, Y, r0, dZL, want_cost):
    if head == SOFTMAX:
        return _softmax_delta_rows(ZL, Y, r0, dZL, want_cost)
    rows, n = ZL.shape
    if head == IDENTITY:
        for i in range(n):
            for r in range(rows):
                dZL[r, i] = ZL[r, i] - Y[i, r0 + r]
    else:
        for i in range(n):  # examples innermost: with n_L = 1 (unit stride) LLVM vectorises it
            for r in range(rows):
                dZL[r, i] = vecmath.sigmoid(ZL[r, i]) - Y[i, r0 + r]
    if Y.shape[0] > n:  # weighted
        for r in range(rows):
            w = Y[n, r0 + r]
            for i in range(n):
                dZL[r, i] *= w
    return _cost_sum_rows_weighted(head, ZL, Y, r0) if want_cost else 0.0


# the per-head kernels as the dispatchers call them: compiled for a Static head alone
_cost_sum_for = specialised(_cost_sum_any)
_outputs_for = specialised(_outputs_any)
_output_delta_rows_for = specialised(_output_delta_rows_any)
