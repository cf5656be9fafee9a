"""Numba options for every kernel, decided here and nowhere else.

- ``cache=True``: compiled machine code is kept on disk next to the sources (or in
  ``NUMBA_CACHE_DIR``), so only the first run on a machine pays for compilation. No kernel takes a
  jitted function as an argument, which would defeat the cache. numba keys a cache entry on the
  content of the kernel's own file only, but kernels inline kernels of other files: after an
  upgrade that changed only a callee's file, numba would load machine code with the old callee
  inside (seen here: a segmentation fault in ``fit``). So every kernel's entry is keyed on the
  content of *all* of ``kernels/*.py`` (``_whole_package_locator`` below).
- The cache is read and written under one file lock per cache folder (``LockedCacheFile``):
  processes compiling the same kernel at once could otherwise cross numba's index entries and
  later load another signature's machine code.
- ``fastmath``: only ``contract`` (FMA). ``nnan``/``ninf`` would fold away the NaN checks and
  ``reassoc`` would let LLVM reorder reductions, so results could differ between builds. One
  exception, ``jit_reassoc``: a dot-product kernel that LLVM can only vectorise by splitting its
  sums into lanes (``narrow.py``). Its order is then fixed by the compiled code (the CPU's vector
  width), never by the thread count, so the bitwise guarantees across thread counts still hold.
- ``error_model="numpy"``: no Python-style ZeroDivisionError checks inside loops (they block
  vectorisation); float division by zero gives inf/nan as in NumPy.
- ``boundscheck``: left to ``NUMBA_BOUNDSCHECK`` so CI can run a subset with checks on.
- ``Static`` codes: a head or an optimizer is a small int the kernels branch on. Passed as a
  ``Static`` (an int whose numba type is its literal), a kernel is compiled for that code alone:
  ``specialised`` kernels inline their generic body with the code as a constant, and numba
  prunes every other branch before typing. A plain int compiles every branch, as before.
- No ``parallel=True`` here: the BLAS owns the cores during GEMMs (see README, "Threads"). A
  kernel that owns the threads itself uses ``jit_parallel``; one that other kernels call,
  ``jit_parallel_callee`` (not cached: see there).
"""
import contextlib
import hashlib
import inspect
import os

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None

import numba
from numba import types
from numba.core import caching
from numba.extending import overload, typeof_impl

FASTMATH = {"contract"}

_COMMON = dict(cache=True, fastmath=FASTMATH, error_model="numpy", nogil=True)


def jit(func):
    """Serial kernel: compiled lazily, once per dtype, cached on disk."""
    return _locked(numba.njit(**_COMMON)(func))


def jit_reassoc(func):
    """Serial kernel whose sums LLVM may split into vector lanes (see the module docstring)."""
    return _locked(numba.njit(**dict(_COMMON, fastmath=FASTMATH | {"reassoc"}))(func))


def jit_inline(func):
    """Helper inlined into its callers at numba's IR level: small ones (activations, stable
    sigmoid), and the layer steps of ``dense``, because a separately compiled callee is
    re-optimised by LLVM inside every caller that links it (docs/performance.md, "Compile
    time")."""
    return _locked(numba.njit(inline="always", **_COMMON)(func))


def jit_parallel(func):
    """Kernel whose ``prange`` loops own the cores (the BLAS must be pinned to one thread)."""
    return _locked(numba.njit(parallel=True, **_COMMON)(func))


def jit_parallel_callee(func):
    """``jit_parallel`` for a kernel that other kernels call: not cached on disk. numba 0.68 links
    a parallel kernel loaded from the cache into a caller compiled in the same process, and the
    caller's own cache entry is then unusable in any later process: it crashes (segmentation
    fault). Seen here as a full-batch fit in one process, a minibatch fit in a second and a
    minibatch fit in a third; reproduced with a 10-line kernel pair outside fastbackprop. Serial
    callees loaded from the cache are safe, and so is this kernel compiled afresh for each caller
    compiled (it is compiled with its caller anyway: a cold first fit does not change)."""
    return numba.njit(parallel=True, **dict(_COMMON, cache=False))(func)


class Static(int):
    """A code (a head, an optimizer) the kernels are compiled for: numba types it as its literal
    value, so each code gets its own compiled signature with only its own branches
    (``specialised``). It is an int everywhere else (comparisons, indexing, pickling)."""

    def __new__(cls, code):
        self = super().__new__(cls, code)
        # numba's dispatcher reads ``_numba_type_`` in C: no call into Python's typeof per call
        self._numba_type_ = _static_type(int(code))
        return self

    def __repr__(self):
        return f"Static({int(self)})"

    def __reduce__(self):
        return Static, (int(self),)


_STATIC_TYPES = {}


def _static_type(code):
    if code not in _STATIC_TYPES:
        _STATIC_TYPES[code] = types.IntegerLiteral(code)
    return _STATIC_TYPES[code]


@typeof_impl.register(Static)
def _typeof_static(value, context):
    return _static_type(int(value))


def static(code):
    """``code`` as the kernels' compile-time code (None stays None)."""
    return None if code is None else Static(code)


def specialised(generic):
    """A kernel-side function ``f(code, ...)`` that runs ``generic(code, ...)`` (a ``jit_inline``
    kernel that branches on ``code == ...``): inlined with the code as a constant when the
    caller's code is a ``Static``, so numba's branch pruning leaves that code's branch alone
    (and those of every kernel it inlines); the generic body for a plain int (and from Python).
    The specialised body is compiled as a function of its own, linked into its callers: inlined
    (numba's typed inlining of an overload) it cost more than all the branches it saved
    (docs/performance.md, "Cold first fit: what a fit compiles")."""
    params = list(inspect.signature(generic.py_func).parameters)
    args, rest = ", ".join(params), ", ".join(params[1:])
    namespace = {"generic": generic}
    exec(f"def {generic.__name__}_specialised({args}):\n"  # from Python: the generic kernel
         f"    return generic({args})\n", namespace)
    stub = namespace[f"{generic.__name__}_specialised"]

    def implementation(code):
        code = code.literal_value if isinstance(code, types.IntegerLiteral) else None
        scope = {"generic": generic, "CODE": code}
        first = params[0] if code is None else "CODE"
        exec(f"def impl({args}):\n    return generic({first}, {rest})\n", scope)
        return scope["impl"]

    scope = {"implementation": implementation}
    exec(f"def typer({args}):\n    return implementation({params[0]})\n", scope)
    overload(stub, prefer_literal=True,
             jit_options=dict(fastmath=FASTMATH, error_model="numpy"))(scope["typer"])
    return stub


class LockedCacheFile(caching.IndexDataCacheFile):
    """numba's index and data files of a kernel, read and written under one lock per cache folder.

    numba names a new data file by the index it has just read, then writes the index and the
    data. Two processes compiling the same kernel for the first time (a multiprocessing pool, a
    parallel test run) can both pick file 1, and the index may end up pointing one signature at
    the other's machine code (numba issue #4807). A later process then runs the wrong code: with
    a toy kernel, four concurrent cold processes (float64, float32, int64, int32) left a float32
    call unboxing its array as another type in 1 of 12 trials; in our kernels, a segmentation
    fault. Under the lock each save (index + data) and each load is whole."""

    def save(self, key, data):
        with _folder_lock(self._cache_path):
            super().save(key, data)

    def load(self, key):
        with _folder_lock(self._cache_path):
            return super().load(key)


LOCK_NAME = ".fastbackprop-cache.lock"


@contextlib.contextmanager
def _folder_lock(folder):
    """An exclusive flock on ``folder``'s lock file; no lock where flock or the file is missing
    (not POSIX, a read-only folder): numba's own behaviour then."""
    try:
        f = open(os.path.join(folder, LOCK_NAME), "a")
    except OSError:
        yield
        return
    with f:
        if fcntl is not None:
            fcntl.flock(f, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _locked(dispatcher):
    """The dispatcher, its on-disk cache under ``LockedCacheFile`` (left as numba made it if a
    numba version lays its cache out otherwise)."""
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if type(cache_file) is caching.IndexDataCacheFile:
        cache_file.__class__ = LockedCacheFile
    return dispatcher


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
