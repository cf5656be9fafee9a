"""Z = A·Wᵀ for a layer with few units and many inputs: the course's cat net (12288 → 20 or 7).

OpenBLAS handles this shape badly: with N = 20 outputs and K = 12288 it packs the whole block of
examples for little arithmetic. Measured single-threaded on a block of 112 cat examples
(112 × 12288 · 12288 × 20): OpenBLAS 2.0–3.0 ms (float64) and 0.95 ms (float32), this kernel
1.44 ms and 0.61 ms. It keeps a 4-example × 4-unit tile of sums in registers over the whole of K;
each sum is split into vector lanes by LLVM (``jit_reassoc``).
"""
from ._options import jit_reassoc

MAX_UNITS = 32      # at most this many units (rows of W) ...
MIN_INPUTS = 1024   # ... and at least this many inputs: this kernel instead of the BLAS


def is_narrow(n, k):
    """Whether a layer of n units on k inputs has this kernel's shape (Python side; the compiled
    block pass tests the same two bounds)."""
    return n <= MAX_UNITS and k >= MIN_INPUTS


@jit_reassoc
def _dot(a, w, zero):
    s = zero
    for k in range(a.size):
        s += a[k] * w[k]
    return s


@jit_reassoc
def forward_nt(A, W, Z):
    """Z (rows, n) = A (rows, K) · Wᵀ with W (n, K), all rows contiguous."""
    rows, K = A.shape
    n = W.shape[0]
    zero = Z.dtype.type(0.0)
    r = 0
    while r + 4 <= rows:
        i = 0
        while i + 4 <= n:
            s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = zero
            s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = zero
            for k in range(K):
                x0 = A[r, k]
                x1 = A[r + 1, k]
                x2 = A[r + 2, k]
                x3 = A[r + 3, k]
                w0 = W[i, k]
                w1 = W[i + 1, k]
                w2 = W[i + 2, k]
                w3 = W[i + 3, k]
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
            Z[r, i], Z[r, i + 1], Z[r, i + 2], Z[r, i + 3] = s00, s01, s02, s03
            Z[r + 1, i], Z[r + 1, i + 1], Z[r + 1, i + 2], Z[r + 1, i + 3] = s10, s11, s12, s13
            Z[r + 2, i], Z[r + 2, i + 1], Z[r + 2, i + 2], Z[r + 2, i + 3] = s20, s21, s22, s23
            Z[r + 3, i], Z[r + 3, i + 1], Z[r + 3, i + 2], Z[r + 3, i + 3] = s30, s31, s32, s33
            i += 4
        for i_left in range(i, n):  # units left over from the tiles of 4
            for rr in range(r, r + 4):
                Z[rr, i_left] = _dot(A[rr], W[i_left], zero)
        r += 4
    for rr in range(r, rows):       # examples left over
        for i in range(n):
            Z[rr, i] = _dot(A[rr], W[i], zero)
