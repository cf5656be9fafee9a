"""Z = A·Wᵀ for a layer with few units and many inputs: the course's cat net (12288 → 20 or 7).

OpenBLAS handles this shape badly: with N = 20 outputs and K = 12288 it packs the whole block of
examples for little arithmetic; this kernel is faster on a block of cat examples (see
docs/performance.md, "Narrow first layers"). It keeps a 4-example × 4-unit tile of sums in
registers over the whole of K; each sum is split into vector lanes by LLVM (``jit_reassoc``).
"""
from ._options import jit_reassoc

MAX_UNITS = 32      # at most this many units (rows of W) ...
MIN_INPUTS = 1024   # ... and at least this many inputs: this kernel instead of the BLAS


def is_narrow(n, k):
    """Whether a layer of n units on k inputs has this kernel's shape (Python side; the compiled
    block pass tests the same two bounds)."""
    return n <= MAX_UNITS and k >= MIN_INPUTS


@jit_reassoc
def forward_nt(A, W, Z):
    """Z (rows, n) = A (rows, K) · Wᵀ with W (n, K), all rows contiguous.

    Rows and units left over from the tiles of 4 go through the same tile with their indices
    clamped to the last row (unit): a clamped row repeats the last row's sums (the same operands
    in the same order), and each entry's own sum is written last. One loop body instead of
    a tile and two remainder loops: a quarter of the machine code in the blocked trainer, which
    numba re-emits at every compiled level above it (docs/performance.md, "`narrow.forward_nt`
    without remainder loops")."""
    rows, K = A.shape
    n = W.shape[0]
    zero = Z.dtype.type(0.0)
    for r in range(0, rows, 4):
        r1 = min(r + 1, rows - 1)
        r2 = min(r + 2, rows - 1)
        r3 = min(r + 3, rows - 1)
        for i in range(0, n, 4):
            i1 = min(i + 1, n - 1)
            i2 = min(i + 2, n - 1)
            i3 = min(i + 3, n - 1)
            s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = zero
            s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = zero
            for k in range(K):
                x0 = A[r, k]
                x1 = A[r1, k]
                x2 = A[r2, k]
                x3 = A[r3, k]
                w0 = W[i, k]
                w1 = W[i1, k]
                w2 = W[i2, k]
                w3 = W[i3, k]
                s00 += x0 * w0
                s01 += x0 * w1
                s02 += x0 * w2
                s03 += x0 * w3
                s10 += x1 * w0
                s11 += x1 * w1
                s12 += x1 * w2
                s13 += x1 * w3
                s20 += x2 * w0
                s21 += x2 * w1
                s22 += x2 * w2
                s23 += x2 * w3
                s30 += x3 * w0
                s31 += x3 * w1
                s32 += x3 * w2
                s33 += x3 * w3
            # each tile position's own sums last, over any clamped duplicate
            Z[r3, i], Z[r3, i1], Z[r3, i2], Z[r3, i3] = s30, s31, s32, s33
            Z[r2, i], Z[r2, i1], Z[r2, i2], Z[r2, i3] = s20, s21, s22, s23
            Z[r1, i], Z[r1, i1], Z[r1, i2], Z[r1, i3] = s10, s11, s12, s13
            Z[r, i], Z[r, i1], Z[r, i2], Z[r, i3] = s00, s01, s02, s03
