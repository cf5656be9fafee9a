"""GEMM with alpha and beta, on row-major views, from inside compiled kernels.

numba's ``np.dot(a, b, out)`` always computes ``out = a·b``: a trainer then needs a pass to scale
the product (1/m), a buffer for dW and another pass for W -= α·dW. The BLAS can do all of it in
the product itself, C = alpha·op(A)·op(B) + beta·C: with C = W, alpha = -α/m and beta = 1, the
update is the dW product, and dW is never stored. ``gemm`` reaches the same BLAS as ``np.dot``
(SciPy's, through numba's ``numba_xxgemm`` helper) with every argument exposed.

Views: any 2-D array whose rows are unit-stride (C-contiguous arrays and their row or column
slices, e.g. ``W[:, r0:r1]``); the row stride is passed to the BLAS as the leading dimension, so
slices are never copied. (Reading F-ordered operands too, by flipping their transpose flag,
lengthened the serial trainer's cold compile by seconds: not done; ``check`` refuses them. See
docs/performance.md, "GEMM with alpha and beta".)
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.linalg import check_blas_return, ensure_blas, get_blas_kind

from ._options import jit_inline

_CHAR = ir.IntType(8)
_VOID_P = _CHAR.as_pointer()


@intrinsic
def _xxgemm(typingctx, trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc):
    """The Fortran (column-major) GEMM: C = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ if trans_x."""
    arrays = (A, B, C)
    if not all(isinstance(a, types.Array) and a.ndim == 2 for a in arrays):
        return None
    if len({a.dtype for a in arrays}) != 1 or C.dtype not in (types.float32, types.float64):
        return None
    ensure_blas()
    dtype = C.dtype
    sig = types.void(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)

    def codegen(context, builder, signature, args):
        intp = context.get_value_type(types.intp)
        fnty = ir.FunctionType(ir.IntType(32), [_CHAR, _CHAR, _CHAR, intp, intp, intp, _VOID_P,
                                                _VOID_P, intp, _VOID_P, intp, _VOID_P, _VOID_P,
                                                intp])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "numba_xxgemm")
        tys = signature.args

        def integer(i):
            return context.cast(builder, args[i], tys[i], types.intp)

        def trans(i):
            flag = context.cast(builder, args[i], tys[i], types.boolean)
            return builder.select(flag, ir.Constant(_CHAR, ord("t")), ir.Constant(_CHAR, ord("n")))

        def scalar_slot(i):
            value = context.cast(builder, args[i], tys[i], dtype)
            return builder.bitcast(cgutils.alloca_once_value(builder, value), _VOID_P)

        def data(i):
            array = context.make_array(tys[i])(context, builder, args[i])
            return builder.bitcast(array.data, _VOID_P)

        kind = ir.Constant(_CHAR, ord(get_blas_kind(dtype)))
        res = builder.call(fn, (kind, trans(0), trans(1), integer(2), integer(3), integer(4),
                                scalar_slot(5), data(6), integer(7), data(8), integer(9),
                                scalar_slot(10), data(11), integer(12)))
        check_blas_return(context, builder, res)
        return context.get_dummy_value()

    return sig, codegen


@jit_inline
def _unit_stride_rows(X):
    return X.strides[1] == X.itemsize or X.shape[1] == 1


@jit_inline
def check(A, B, C):
    """Raise unless every operand's rows are unit-stride, as ``gemm`` needs. For kernels that take
    arrays from users (``dense``'s public per-layer kernels); the trainers build their own views
    and keep raise paths out of their loops, which a raise inside the parallel GEMM slows
    (docs/performance.md, "A raise inside the parallel GEMM costs")."""
    if not (_unit_stride_rows(A) and _unit_stride_rows(B) and _unit_stride_rows(C)):
        raise ValueError("the kernels' arrays must be C-contiguous (or row/column slices of "
                         "C-contiguous arrays): pass np.ascontiguousarray(...)")


@jit_inline
def gemm(alpha, A, trans_A, B, trans_B, beta, C):
    """C = alpha·op(A)·op(B) + beta·C for row-major views whose rows are unit-stride (unchecked:
    see ``check``), op(X) = Xᵀ if trans_X.

    Row-major C is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, and a row-major X read column-major is Xᵀ:
    so the Fortran call takes B first, each with its own transpose flag."""
    rows, cols = C.shape
    k = A.shape[0] if trans_A else A.shape[1]
    item = C.itemsize
    _xxgemm(trans_B, trans_A, cols, rows, k, alpha, B, B.strides[0] // item, A,
            A.strides[0] // item, beta, C, C.strides[0] // item)
