"""The kernels' on-disk cache: read and written under a lock (``kernels._options``), so processes
compiling the same kernel at once cannot cross their index entries (numba #4807); and usable by
later processes whatever the earlier ones compiled (parallel callees are not cached)."""
import os
import subprocess
import sys
import time

from fastbackprop.kernels import _options

from conftest import all_kernels

_HOLD = r"""
import fcntl, sys, time
with open(sys.argv[1], "a") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_every_kernel_caches_under_the_lock():
    kernels = list(all_kernels().values())
    assert len(kernels) >= 20
    uncached = []
    for kernel in kernels:
        cache_file = getattr(kernel._cache, "_cache_file", None)
        if cache_file is None:
            uncached.append(kernel.py_func.__qualname__)
        else:
            assert type(cache_file) is _options.LockedCacheFile, kernel
    assert uncached == ["_gemm_rows_parallel"]  # the one parallel kernel other kernels call


_FIT = r"""
import sys
import numpy as np
from fastbackprop import Model
rng = np.random.default_rng(0)
X = rng.standard_normal((6, 50)); Y = (rng.random((1, 50)) > 0.5).astype(float)
batch = None if sys.argv[1] == "full" else 16
model = Model([6, 12, 8, 1], "relu", seed=4).fit(X, Y, learning_rate=0.1, num_iterations=3,
                                                 batch_size=batch)
print(repr(model.costs[-1][1]))
"""


def test_a_cache_filled_by_several_processes_serves_a_later_one(tmp_path):
    """A full-batch fit, then a minibatch fit in another process, then that minibatch fit again:
    the third loads the second's trainer from the cache. With the row-split GEMM kernel cached,
    the second linked the first's cached copy into its trainer and the third crashed (SIGSEGV)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    outputs = []
    for kind in ("full", "minibatch", "minibatch"):
        done = subprocess.run([sys.executable, "-c", _FIT, kind], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, (kind, done.returncode, done.stderr[-2000:])
        outputs.append(done.stdout.strip())
    assert outputs[1] == outputs[2]  # the cached trainer computes what the compiled one did


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
