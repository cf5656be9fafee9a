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


def _view(rng, shape, dtype, column_major):
    """A strided slice (never contiguous, so every case shares one compiled signature) of an array
    whose rows (or, column_major, columns) are unit-stride."""
    rows, cols = shape
    if column_major:
        return rng.standard_normal((cols + 3, rows + 2)).astype(dtype).T[1:rows + 1, 2:cols + 2]
    return rng.standard_normal((rows + 2, cols + 3)).astype(dtype)[1:rows + 1, 2:cols + 2]


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_matches_numpy_on_views(dtype, rng):
    """Every transpose flag, row- and column-major operands, beta 0 and 1; the output is a slice
    of a larger array, and nothing outside it changes."""
    n, k, m = 7, 5, 9
    rtol = 1e-12 if dtype == "float64" else 1e-5
    for trans_A, trans_B, a_cols, b_cols, beta in itertools.product(
            (False, True), (False, True), (False, True), (False, True), (0.0, 1.0)):
        A = _view(rng, (k, n) if trans_A else (n, k), dtype, a_cols)
        B = _view(rng, (m, k) if trans_B else (k, m), dtype, b_cols)
        outer = rng.standard_normal((n + 2, m + 3)).astype(dtype)
        before = outer.copy()
        C = outer[1:n + 1, 2:m + 2]
        _gemm(-0.5, A, trans_A, B, trans_B, beta, C)
        expected = before.copy()
        expected[1:n + 1, 2:m + 2] = (-0.5 * ((A.T if trans_A else A) @ (B.T if trans_B else B))
                                      + beta * before[1:n + 1, 2:m + 2])
        np.testing.assert_allclose(outer, expected, rtol=rtol, atol=rtol,
                                   err_msg=f"{trans_A=} {trans_B=} {a_cols=} {b_cols=} {beta=}")


def test_gemm_refuses_views_the_blas_cannot_read(rng):
    every_other = rng.standard_normal((8, 8))[::2, ::2]  # no unit-stride dimension
    with pytest.raises(ValueError, match="no unit-stride dimension"):
        _gemm(1.0, every_other, False, every_other, False, 0.0, np.zeros((5, 5))[:4, :4])
    column_major_out = np.zeros((3, 5)).T[:4, :3]  # the output's rows must be unit-stride
    with pytest.raises(ValueError, match="rows are not unit-stride"):
        _gemm(1.0, np.ones((5, 5))[:4, :4], False, np.ones((5, 4))[:4, :3], False, 0.0,
              column_major_out)


def test_public_layer_kernels_take_fortran_order_and_refuse_unreadable_views(rng):
    """What users pass to ``fastbackprop.kernels`` directly: an F-ordered W is read as it is (as
    np.dot did); a view with no unit-stride dimension is a ValueError, not a wrong answer."""
    A_prev, b = rng.standard_normal((6, 5)), rng.standard_normal((4, 1))
    W = np.asfortranarray(rng.standard_normal((4, 6)))
    Z, A = np.empty((4, 5)), np.empty((4, 5))
    K.linear_activation_forward(A_prev, W, b, K.IDENTITY, Z, A)
    np.testing.assert_allclose(Z, W @ A_prev + b, rtol=1e-12)
    every_other = rng.standard_normal((8, 24))[::2, ::2]  # (4, 12), strided both ways
    with pytest.raises(ValueError, match="no unit-stride dimension"):
        K.linear_activation_forward(rng.standard_normal((12, 5)), every_other, b, K.IDENTITY,
                                    np.empty((4, 5)), np.empty((4, 5)))
