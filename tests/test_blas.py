"""``kernels.blas.gemm``: C = alpha·op(A)·op(B) + beta·C on views, against NumPy."""
import itertools

import numpy as np
import pytest

from fastbackprop.kernels._options import jit
from fastbackprop import kernels as K
from fastbackprop.kernels.blas import check, gemm

from conftest import DTYPES


@jit
def _gemm(alpha, A, trans_A, B, trans_B, beta, C):
    check(A, B, C)
    gemm(alpha, A, trans_A, B, trans_B, beta, C)


def _view(rng, shape, dtype):
    """A slice (never contiguous, so every case shares one compiled signature) of a larger
    C-contiguous array: rows unit-stride, the row stride longer than a row."""
    rows, cols = shape
    return rng.standard_normal((rows + 2, cols + 3)).astype(dtype)[1:rows + 1, 2:cols + 2]


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_matches_numpy_on_views(dtype, rng):
    """Every transpose flag, beta 0 and 1, every operand a slice of a larger array; nothing
    outside the output's slice changes."""
    n, k, m = 7, 5, 9
    rtol = 1e-12 if dtype == "float64" else 1e-5
    for trans_A, trans_B, beta in itertools.product((False, True), (False, True), (0.0, 1.0)):
        A = _view(rng, (k, n) if trans_A else (n, k), dtype)
        B = _view(rng, (m, k) if trans_B else (k, m), dtype)
        outer = rng.standard_normal((n + 2, m + 3)).astype(dtype)
        before = outer.copy()
        C = outer[1:n + 1, 2:m + 2]
        _gemm(-0.5, A, trans_A, B, trans_B, beta, C)
        expected = before.copy()
        expected[1:n + 1, 2:m + 2] = (-0.5 * ((A.T if trans_A else A) @ (B.T if trans_B else B))
                                      + beta * before[1:n + 1, 2:m + 2])
        np.testing.assert_allclose(outer, expected, rtol=rtol, atol=rtol,
                                   err_msg=f"{trans_A=} {trans_B=} {beta=}")


def test_gemm_refuses_views_the_blas_cannot_read(rng):
    """``blas.check``: rows that are not unit-stride, in any operand, are a ValueError."""
    every_other = rng.standard_normal((8, 8))[::2, ::2]
    column_major = np.zeros((5, 5)).T[:4, :4]
    fine = np.ones((5, 5))[:4, :4]
    for A, B, C in ((every_other, fine, fine), (fine, column_major, fine),
                    (fine, fine, column_major)):
        with pytest.raises(ValueError, match="C-contiguous"):
            _gemm(1.0, A, False, B, False, 0.0, C)


def test_public_layer_kernels_refuse_arrays_they_cannot_read(rng):
    """What users pass to ``fastbackprop.kernels`` directly: an F-ordered W (which np.dot used
    to copy) is a ValueError that says what to do, not a wrong answer."""
    A_prev, b = rng.standard_normal((6, 5)), rng.standard_normal((4, 1))
    W = rng.standard_normal((4, 6))
    Z, A = np.empty((4, 5)), np.empty((4, 5))
    K.linear_activation_forward(A_prev, W, b, K.IDENTITY, Z, A)
    np.testing.assert_allclose(Z, W @ A_prev + b, rtol=1e-12)
    with pytest.raises(ValueError, match="np.ascontiguousarray"):
        K.linear_activation_forward(A_prev, np.asfortranarray(W), b, K.IDENTITY, Z, A)
