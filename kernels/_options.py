"""Numba options for every kernel, decided here and nowhere else.

- ``cache=True``: compiled machine code is kept on disk next to the sources (or in
  ``NUMBA_CACHE_DIR``), so only the first run on a machine pays for compilation. No kernel takes a
  jitted function as an argument, which would defeat the cache. numba keys a cache entry on the
  content of the kernel's own file only, but kernels inline kernels of other files: after an
  upgrade that changed only a callee's file, numba would load machine code with the old callee
  inside (seen here: a segmentation fault in ``fit``). So every kernel's entry is keyed on the
  content of *all* of ``kernels/*.py`` (``_whole_package_locator`` below).
- ``fastmath``: only ``contract`` (FMA). ``nnan``/``ninf`` would fold away the NaN checks and
  ``reassoc`` would let LLVM reorder reductions, so results could differ between builds. One
  exception, ``jit_reassoc``: a dot-product kernel that LLVM can only vectorise by splitting its
  sums into lanes (``narrow.py``). Its order is then fixed by the compiled code (the CPU's vector
  width), never by the thread count, so the bitwise guarantees across thread counts still hold.
- ``error_model="numpy"``: no Python-style ZeroDivisionError checks inside loops (they block
  vectorisation); float division by zero gives inf/nan as in NumPy.
- ``boundscheck``: left to ``NUMBA_BOUNDSCHECK`` so CI can run a subset with checks on.
- No ``parallel=True`` here: the BLAS owns the cores during GEMMs (see README, "Threads"). A
  kernel that owns the threads itself uses ``jit_parallel``.
"""
import hashlib
import os

import numba
from numba.core import caching

FASTMATH = {"contract"}

_COMMON = dict(cache=True, fastmath=FASTMATH, error_model="numpy", nogil=True)


def jit(func):
    """Serial kernel: compiled lazily, once per dtype, cached on disk."""
    return numba.njit(**_COMMON)(func)


def jit_reassoc(func):
    """Serial kernel whose sums LLVM may split into vector lanes (see the module docstring)."""
    return numba.njit(**dict(_COMMON, fastmath=FASTMATH | {"reassoc"}))(func)


def jit_inline(func):
    """Helper inlined into its callers at numba's IR level: small ones (activations, stable
    sigmoid), and the layer steps of ``dense``, because a separately compiled callee is
    re-optimised by LLVM inside every caller that links it (cold first fit 11.9-13.6 s with
    them compiled apart, 10.8-12.0 s inlined)."""
    return numba.njit(inline="always", **_COMMON)(func)


def jit_parallel(func):
    """Kernel whose ``prange`` loops own the cores (the BLAS must be pinned to one thread)."""
    return numba.njit(parallel=True, **_COMMON)(func)


_KERNELS_DIR = os.path.dirname(os.path.abspath(__file__))


def kernels_stamp(folder=_KERNELS_DIR):
    """One hash of every kernel source file: the cache key of every kernel."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(name.encode() + b"\0" + f.read())
    return digest.hexdigest()


STAMP = kernels_stamp()


def _whole_package_locator(base):
    class Locator(base):
        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.dirname(os.path.abspath(py_file)) != _KERNELS_DIR:
                return None  # anyone else's numba code: numba's own locators
            return super().from_function(py_func, py_file)

        def get_source_stamp(self):
            return STAMP

    Locator.__name__ = Locator.__qualname__ = "FastbackpropKernels" + base.__name__
    return Locator


# NUMBA_CACHE_DIR first, then beside the sources, then the user-wide folder: numba's own order.
caching.CacheImpl._locator_classes[:0] = [
    _whole_package_locator(base) for base in (caching.UserProvidedCacheLocator,
                                              caching.InTreeCacheLocator,
                                              caching.UserWideCacheLocator)]
