"""Compilation on its own: a fresh interpreter imports fastbackprop and runs a first ``fit``,
which compiles the whole training loop for the dtype and the trainer:
- ``planar``: one iteration of the planar network (tanh), the serial trainer;
- ``cat``: the cat net's shapes [12288, 20, 7, 5, 1], m = 209 (relu), the blocked trainer with
  its narrow first layer;
- ``minibatch``: config e's net on 6400 examples in minibatches of 64 (relu), the serial trainer
  with the shuffle: the slowest cold first fit (the README's compile table; the target is 10 s).

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

PLANAR = """
from fastbackprop import Model
from fastbackprop.configs import CONFIGS
X, Y = CONFIGS["a"].data("{dtype}")
Model([2, 4, 1], "tanh", dtype="{dtype}", seed=0).fit(X, Y, 1.2, 1, progress=False)
"""

SYNTHETIC = """
import numpy as np
from fastbackprop import Model
dims = {dims}
X = np.random.default_rng(0).standard_normal((dims[0], {m})).astype("{{dtype}}")
Y = (X[:1] > 0).astype("{{dtype}}")
Model(dims, "relu", dtype="{{dtype}}", seed=0).fit(X, Y, 0.01, 1, batch_size={batch_size},
                                            progress=False)
"""

FIRST_FIT = {
    "planar": PLANAR,
    "cat": SYNTHETIC.format(dims=[12288, 20, 7, 5, 1], m=209, batch_size=None),
    "minibatch": SYNTHETIC.format(dims=[784, 256, 128, 1], m=6400, batch_size=64),
}


class ImportAndFirstFit:
    param_names = ["numba_cache", "dtype", "network"]
    params = [["cold", "warm"], DTYPES, list(FIRST_FIT)]
    number = 1
    repeat = (1, 5, 60.0)
    warmup_time = 0
    timeout = 600

    def setup(self, numba_cache, dtype, network):
        self.root = tempfile.mkdtemp(prefix="fastbackprop-asv-numba-")
        if numba_cache == "warm":
            self.cache_dir = os.path.join(self.root, "cache")
            env = dict(os.environ, NUMBA_CACHE_DIR=self.cache_dir)
            subprocess.run([sys.executable, "-c", FIRST_FIT[network].format(dtype=dtype)],
                           env=env, check=True)

    def teardown(self, numba_cache, dtype, network):
        shutil.rmtree(self.root, ignore_errors=True)

    def timeraw_import_and_first_fit(self, numba_cache, dtype, network):
        if numba_cache == "cold":
            where = f"__import__('tempfile').mkdtemp(dir={self.root!r})"
        else:
            where = repr(self.cache_dir)
        # the setup (untimed) only sets the cache folder, before numba is imported
        setup = f"import os; os.environ['NUMBA_CACHE_DIR'] = {where}"
        return FIRST_FIT[network].format(dtype=dtype), setup
