"""Transcendentals that LLVM vectorises: exp, tanh and the logistic sigmoid, in float64.

numba lowers ``math.exp``/``np.tanh`` to scalar libm calls (no SVML here), several times slower
than NumPy's own SIMD loops (docs/performance.md, "Tiny networks (config a)" and "Transcendentals
by hand: numba's scalar libm"). These are written branch-free (selects, ``floor``, ``copysign``,
an integer-to-float bit cast for 2^k), so a loop calling them runs 8 lanes per AVX-512 instruction.

Method (Cody–Waite range reduction, as in fdlibm's ``expm1``): x = k·ln2 + r with |r| ≤ ln2/2,
e^r by its Taylor polynomial to r^13 (exp) or its [6/6] Padé form (tanh; truncation below 1e-17
relative either way), 2^k assembled from
exponent bits. Relative error against NumPy ≤ ~4e-16 (tested). Inputs are float64; float32 callers
compute in float64 and round once, except for tanh: ``tanh_of`` takes float32 to ``tanh32``, the
same method in float32 arithmetic (16 lanes per instruction instead of 8), for the hidden layers
of float32 networks.
"""
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from ._options import jit_inline

_LN2_HI = 6.93147180369123816490e-01  # ln2 with its last 32 bits zero: k·_LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00


@intrinsic
def _bits_to_float64(typingctx, bits):
    """Reinterpret an int64 as the float64 with the same bits (vectorises, unlike ldexp)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@jit_inline
def _expm1_reduced(r):
    """expm1(r) for |r| ≤ ln2/2: r + r²/2! + … + r^13/13!, Horner."""
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    return r + (r * r) * p


@jit_inline
def _pow2(k):
    """2^k for an integral float k in [-1022, 1023]."""
    return _bits_to_float64((np.int64(k) + 1023) << 52)


@jit_inline
def exp_nonpositive(x):
    """exp(x) for x ≤ 0, down to the denormals (NaN propagates)."""
    x = x if not x < -1100.0 else -1100.0  # exp(-1100) rounds to 0
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    half = np.floor(k * 0.5)
    # 2^k as two factors, so results in the subnormal range are formed by one rounding multiply
    return (_pow2(half) * (1.0 + _expm1_reduced(r))) * _pow2(k - half)


@jit_inline
def _exp_pade(r):
    """(E, O), the even and odd parts of the [6/6] Padé numerator of e^r: e^r = (E + O)/(E − O),
    truncation below 2e-19 relative for |r| ≤ ln2/2."""
    r2 = r * r
    E = 1.0 + r2 * (5.0 / 44.0 + r2 * (1.0 / 792.0 + r2 * (1.0 / 665280.0)))
    O = r * (0.5 + r2 * (1.0 / 66.0 + r2 * (1.0 / 15840.0)))
    return E, O


@jit_inline
def tanh(z):
    """tanh(|z|) = −u/(2 + u) with u = expm1(x), x = −2|z|, sign restored. With x = k·ln2 + r,
    s = 2^k and e^r = (E + O)/(E − O), u/(2 + u) is one quotient:
    (2sO + (s − 1)D) / ((s + 1)D + 2sO), D = E − O: no cancellation near 0, exact ±0 and
    denormals, ±1 at large |z|. One division, no Horner chain: faster than expm1 by a degree-13
    polynomial followed by the division, at a slightly larger error (docs/performance.md, "tanh
    as one Padé quotient")."""
    x = -2.0 * abs(z)
    x = x if not x < -60.0 else -60.0  # tanh(30) == 1 in float64
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    s = _pow2(k)
    E, O = _exp_pade(r)
    D = E - O
    sO2 = 2.0 * s * O
    return np.copysign(-(sO2 + (s - 1.0) * D) / ((s + 1.0) * D + sO2), z)


@jit_inline
def sigmoid(z):
    """1 / (1 + e^-z) from e = exp(-|z|): e never overflows (finite at |z| = 800 and beyond)."""
    e = exp_nonpositive(-abs(z))
    num = 1.0 if z >= 0 else e
    return num / (1.0 + e)


# -- float32 -----------------------------------------------------------------------------------
_F32 = np.float32
_LN2_HI32 = _F32(0.693145751953125)     # ln2 with its last 9 bits zero: k·_LN2_HI32 is exact
_LN2_LO32 = _F32(1.428606765330187e-06)
_INV_LN2_32 = _F32(1.4426950408889634)


@intrinsic
def _bits_to_float32(typingctx, bits):
    """Reinterpret the low 32 bits of an int64 as the float32 with the same bits."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(builder.trunc(args[0], ir.IntType(32)), ir.FloatType())

    return types.float32(types.int64), codegen


@jit_inline
def _pow2_32(k):
    """2^k for an integral float32 k in [-126, 127]."""
    return _bits_to_float32((np.int64(k) + 127) << 23)


@jit_inline
def _exp_pade32(r):
    """(E, O) of the [3/3] Padé form of e^r, (E + O)/(E − O), in float32: truncation below 1e-8
    relative for |r| ≤ ln2/2."""
    r2 = r * r
    E = _F32(1.0) + r2 * _F32(0.1)
    O = r * (_F32(0.5) + r2 * _F32(1.0 / 120.0))
    return E, O


@jit_inline
def tanh32(z):
    """``tanh`` in float32 arithmetic (z float32): the same quotient, a [3/3] Padé form."""
    x = _F32(-2.0) * abs(z)
    x = x if not x < _F32(-20.0) else _F32(-20.0)  # tanh(10) == 1 in float32
    k = np.floor(x * _INV_LN2_32 + _F32(0.5))
    r = (x - k * _LN2_HI32) - k * _LN2_LO32
    s = _pow2_32(k)
    E, O = _exp_pade32(r)
    D = E - O
    sO2 = _F32(2.0) * s * O
    return np.copysign(-(sO2 + (s - _F32(1.0)) * D) / ((s + _F32(1.0)) * D + sO2), z)


def tanh_of(z):
    """tanh in z's own precision: ``tanh32`` for float32, else ``tanh`` (float64)."""
    return tanh32(z) if isinstance(z, np.float32) else tanh(z)


@overload(tanh_of, inline="always")
def _tanh_of(z):
    if z == types.float32:
        return lambda z: tanh32(z)
    return lambda z: tanh(z)
