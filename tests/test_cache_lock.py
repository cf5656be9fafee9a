"""The kernels' on-disk cache is read and written under a lock (``kernels._options``), so
processes compiling the same kernel at once cannot cross their index entries (numba #4807)."""
import subprocess
import sys
import time

from numba.core.dispatcher import Dispatcher

import fastbackprop.kernels as K
from fastbackprop.kernels import _options

_HOLD = r"""
import fcntl, sys, time
with open(sys.argv[1], "a") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_every_kernel_caches_under_the_lock():
    import importlib
    import pkgutil
    kernels = []
    for info in pkgutil.iter_modules(K.__path__):
        module = importlib.import_module(f"{K.__name__}.{info.name}")
        kernels += [v for v in vars(module).values()
                    if isinstance(v, Dispatcher) and v.__module__ == module.__name__]
    assert len(kernels) >= 20
    for kernel in kernels:
        assert type(kernel._cache._cache_file) is _options.LockedCacheFile, kernel


def test_save_and_load_wait_for_the_lock(tmp_path):
    cache_file = _options.LockedCacheFile(str(tmp_path), "kernel-1.py311", "stamp")
    for operation in (lambda: cache_file.save(("sig",), ("machine code",)),
                      lambda: cache_file.load(("sig",))):
        holder = subprocess.Popen([sys.executable, "-c", _HOLD,
                                   str(tmp_path / _options.LOCK_NAME), "1.5"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            start = time.perf_counter()
            result = operation()
            waited = time.perf_counter() - start
        finally:
            holder.wait(timeout=30)
        assert waited > 1.0, waited  # it waited for the holder to let go
    assert result == ("machine code",)  # and the index and data written under it agree
