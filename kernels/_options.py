"""Numba options for every kernel, decided here and nowhere else.

- ``cache=True``: compiled machine code is kept on disk next to the sources (or in
  ``NUMBA_CACHE_DIR``), so only the first run on a machine pays for compilation. No kernel takes a
  jitted function as an argument, which would defeat the cache.
- ``fastmath``: only ``contract`` (FMA). ``nnan``/``ninf`` would fold away the NaN checks and
  ``reassoc`` would let LLVM reorder reductions, so results could differ between builds.
- ``error_model="numpy"``: no Python-style ZeroDivisionError checks inside loops (they block
  vectorisation); float division by zero gives inf/nan as in NumPy.
- ``boundscheck``: left to ``NUMBA_BOUNDSCHECK`` so CI can run a subset with checks on.
- No ``parallel=True`` here: the BLAS owns the cores during GEMMs (see README, "Threads"). A
  kernel that owns the threads itself uses ``jit_parallel``.
"""
import numba

FASTMATH = {"contract"}

_COMMON = dict(cache=True, fastmath=FASTMATH, error_model="numpy", nogil=True)


def jit(func):
    """Serial kernel: compiled lazily, once per dtype, cached on disk."""
    return numba.njit(**_COMMON)(func)


def jit_inline(func):
    """Small helper inlined into the loops of its callers (activations, stable sigmoid)."""
    return numba.njit(inline="always", **_COMMON)(func)


def jit_parallel(func):
    """Kernel whose ``prange`` loops own the cores (the BLAS must be pinned to one thread)."""
    return numba.njit(parallel=True, **_COMMON)(func)
