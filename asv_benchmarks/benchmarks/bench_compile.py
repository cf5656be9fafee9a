"""Compilation on its own: a fresh interpreter imports fastbackprop and runs a first ``fit``
(one iteration of the planar network, which compiles the whole training loop for the dtype).

``numba_cache``: "cold" points NUMBA_CACHE_DIR at a new, empty folder for every sample, so numba
compiles everything; "warm" points it at a folder filled beforehand by the same code, so the
machine code is loaded from disk. The ``timeraw_`` samples run in subprocesses; the import of
fastbackprop (numpy, numba, llvmlite) is inside the timed statement.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from .common import DTYPES

FIRST_FIT = """
from fastbackprop import Model
from fastbackprop.configs import CONFIGS
X, Y = CONFIGS["a"].data("{dtype}")
Model([2, 4, 1], "tanh", "{dtype}", seed=0).fit(X, Y, 1.2, 1, progress=False)
"""


class ImportAndFirstFit:
    param_names = ["numba_cache", "dtype"]
    params = [["cold", "warm"], DTYPES]
    number = 1
    repeat = (1, 5, 60.0)
    warmup_time = 0
    timeout = 600

    def setup(self, numba_cache, dtype):
        self.root = tempfile.mkdtemp(prefix="fastbackprop-asv-numba-")
        if numba_cache == "warm":
            self.cache_dir = os.path.join(self.root, "cache")
            env = dict(os.environ, NUMBA_CACHE_DIR=self.cache_dir)
            subprocess.run([sys.executable, "-c", FIRST_FIT.format(dtype=dtype)], env=env,
                           check=True)

    def teardown(self, numba_cache, dtype):
        shutil.rmtree(self.root, ignore_errors=True)

    def timeraw_import_and_first_fit(self, numba_cache, dtype):
        if numba_cache == "cold":
            where = f"__import__('tempfile').mkdtemp(dir={self.root!r})"
        else:
            where = repr(self.cache_dir)
        # the setup (untimed) only sets the cache folder, before numba is imported
        setup = f"import os; os.environ['NUMBA_CACHE_DIR'] = {where}"
        return FIRST_FIT.format(dtype=dtype), setup
