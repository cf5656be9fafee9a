"""Who owns the cores during ``fit``: the one place that sets numba's and the BLAS's threads.

numba owns the cores; the BLAS is pinned to one thread inside (two thread pools fight over the
cores: see docs/performance.md, "One thread pool during fit"). Parallelism comes from
``prange`` over a plan fixed by the shapes: blocks of examples (``kernels.blocked``) or parts of
a product's output rows (``kernels.dense.gemm_rows``). A one-thread BLAS is also what makes the
bits independent of the BLAS's configured thread count: OpenBLAS picks different GEMM kernels
(e.g. its SkylakeX ``sgemm_direct``, and other splits in double) when it may use more than one
thread.

``n_threads`` (per call) or ``set_num_threads`` (default) caps numba's threads; both numba's and
the BLAS's settings are restored when ``fit`` returns. numba's count is per Python thread; the
BLAS's is process-wide, so concurrent fits share one reference-counted BLAS limit.

Threading layers: unless the user chose one (``NUMBA_THREADING_LAYER``), fastbackprop asks numba
for a fork-safe layer: GNU OpenMP (numba's ``omp`` on Linux without TBB) kills a child process
forked after a parallel kernel ran (``multiprocessing`` with fork, asv's forkserver). That is
``tbb`` where the ``tbb`` wheel is installed (a dependency on Linux x86-64), else ``workqueue``.
``workqueue`` aborts the process when two Python threads run parallel kernels at once, so under it
parallel calls are serialised by a lock; ``omp`` and ``tbb`` are thread-safe. ``workqueue`` also
wakes its threads slowly (see docs/performance.md, "Threading layer: tbb before workqueue").
"""
import contextlib
import ctypes
import os
import sys
import threading

import numba


def _preload_tbb():
    """numba's ``tbb`` layer opens ``libtbb.so.12`` by name, but the ``tbb`` wheel puts it in
    <prefix>/lib, off the loader's path. Loaded first by full path, dlopen finds it by soname."""
    if not sys.platform.startswith("linux"):
        return
    from importlib import metadata
    try:
        files = metadata.distribution("tbb").files or ()
    except metadata.PackageNotFoundError:
        return
    for file in files:
        if file.name == "libtbb.so.12":
            try:
                ctypes.CDLL(str(file.locate()), mode=ctypes.RTLD_GLOBAL)
            except OSError:  # a broken install: numba falls back to another layer
                pass
            return


_preload_tbb()
if "NUMBA_THREADING_LAYER" not in os.environ and numba.config.THREADING_LAYER == "default":
    numba.config.THREADING_LAYER = "forksafe"

_default_n_threads = None
_blas_lock = threading.Lock()
_blas_state = {"depth": 0, "limiter": None, "limit": None}
_parallel_lock = threading.Lock()
_controller = None


def set_num_threads(n_threads):
    """Default cap on numba's threads for every later ``fit`` (None: numba's own thread count).
    Returns the previous default.

    The BLAS runs one thread inside ``fit`` whatever the setting. The cap is lowered to
    numba's ``NUMBA_NUM_THREADS`` if larger; ``fit(n_threads=...)`` overrides it for that call.
    The trained parameters do not depend on it.

    Parameters
    ----------
    n_threads : int or None
        A positive thread count, or None to leave numba's thread count as it is.

    Returns
    -------
    int or None
        The previous default.

    Raises
    ------
    TypeError
        If ``n_threads`` is not an integer or None.
    ValueError
        If ``n_threads`` is below 1.

    See Also
    --------
    get_num_threads : The current default.

    Examples
    --------
    >>> import fastbackprop
    >>> previous = fastbackprop.set_num_threads(1)
    >>> fastbackprop.get_num_threads()
    1
    >>> fastbackprop.set_num_threads(previous)  # back to the previous default
    1
    """
    global _default_n_threads
    previous = _default_n_threads
    _default_n_threads = check(n_threads)
    return previous


def get_num_threads():
    """The default set by ``set_num_threads`` (None if unset).

    Returns
    -------
    int or None
        The default thread count of ``fit``, or None.

    Examples
    --------
    >>> import fastbackprop
    >>> previous = fastbackprop.set_num_threads(2)
    >>> fastbackprop.get_num_threads()
    2
    >>> _ = fastbackprop.set_num_threads(previous)
    """
    return _default_n_threads


def check(n_threads):
    if n_threads is None:
        return None
    if isinstance(n_threads, bool) or not isinstance(n_threads, int) \
            and not hasattr(n_threads, "__index__"):
        raise TypeError(f"n_threads must be a positive int or None, got "
                        f"{type(n_threads).__name__}")
    n = int(n_threads.__index__())
    if n < 1:
        raise ValueError(f"n_threads must be at least 1, got {n}")
    return n


def _blas_controller():
    global _controller
    if _controller is None:
        # numba's np.dot calls SciPy's BLAS: load it first, or the controller (a snapshot of the
        # libraries loaded when it is made) would not see it and could not pin it.
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController
        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def _blas_threads(n):
    """Limit every loaded BLAS to n threads for the duration (reference-counted across Python
    threads: the first entry sets the limit, the last exit restores the previous setting)."""
    if n is None:
        yield
        return
    with _blas_lock:
        state = _blas_state
        if state["depth"] == 0:
            # each BLAS's own setter, not ThreadpoolController.limit, which re-reads every
            # library's info (see docs/performance.md, "The BLAS pinned through its own setter")
            blas = [lib for lib in _blas_controller().lib_controllers if lib.user_api == "blas"]
            state["limiter"] = [(lib, lib.get_num_threads()) for lib in blas]
            for lib in blas:
                lib.set_num_threads(n)
            state["limit"] = n
        state["depth"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            state["depth"] -= 1
            if state["depth"] == 0:
                for lib, original in state["limiter"]:
                    if original is not None:
                        lib.set_num_threads(original)
                state["limiter"] = None
                state["limit"] = None


@contextlib.contextmanager
def _numba_threads(n):
    if n is None:
        yield
        return
    import numba
    n = min(n, numba.config.NUMBA_NUM_THREADS)  # numba can lower its count, never raise it
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _thread_safe_layer():
    import numba
    try:
        return numba.threading_layer() in ("omp", "tbb")
    except ValueError:  # not initialised yet: no parallel kernel has run
        return False


@contextlib.contextmanager
def owner(n_threads=None):
    """Context for one ``fit``: numba's threads capped at n_threads, a one-thread BLAS, and the
    workqueue lock if needed."""
    n = check(n_threads)
    if n is None:
        n = _default_n_threads
    with _blas_threads(1), _numba_threads(n):
        if _thread_safe_layer():
            yield
        else:
            with _parallel_lock:
                yield
