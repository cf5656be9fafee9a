"""Cold import + first fit of one combination of head, optimizer, dropout and activation.

Usage (an empty numba cache each run, one process each; under the bench lock):
    NUMBA_CACHE_DIR=$(mktemp -d) python tools/cold_fit.py HEAD OPTIMIZER KEEP_PROB BATCH ACT [DTYPE]
e.g. ``softmax adam 0.8 64 relu`` (BATCH 0: full batch). The net is [20, 16, 8, n_L] on 1000
examples (n_L = 3 for softmax), two epochs, L2 0.1 for momentum fits; ``--dims 784,256,128,10
--m 1280`` another net and size (config f's net takes the blocked trainer). ``--source DIR`` imports
fastbackprop from another checkout (an A/B against an older commit: ``git worktree add DIR
COMMIT``), bypassing an editable install of this one: for checkouts from 772a7f3 on (see
tools/speed_ab.py; an older one from its own venv). docs/performance.md, "Cold first fit: what
a fit compiles", has the measurements.
"""
import os
import resource
import sys
import time

t0 = time.perf_counter()
args = sys.argv[1:]
if "--source" in args:
    i = args.index("--source")
    source = args[i + 1]
    del args[i:i + 2]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, os.path.abspath(source))

dims, m = [20, 16, 8], 1000
if "--dims" in args:
    i = args.index("--dims")
    dims = [int(d) for d in args[i + 1].split(",")][:-1]
    del args[i:i + 2]
if "--m" in args:
    i = args.index("--m")
    m = int(args[i + 1])
    del args[i:i + 2]

import numpy as np  # noqa: E402

from fastbackprop import Model  # noqa: E402

head, optimizer, keep_prob, batch, activation = args[:5]
dtype = args[5] if len(args) > 5 else "float64"
rng = np.random.default_rng(0)
X = rng.standard_normal((dims[0], m)).astype(dtype)
n_L = 3 if head == "softmax" else 1
Y = {"softmax": lambda: rng.integers(0, 3, m),
     "identity": lambda: 2 * X[:1],
     "sigmoid": lambda: (X[:1] > 0).astype(dtype)}[head]()
t1 = time.perf_counter()
cpu1 = resource.getrusage(resource.RUSAGE_SELF)
Model(dims + [n_L], activation, output=head, dtype=dtype, seed=0).fit(
    X, Y, optimizer=optimizer, keep_prob=float(keep_prob), batch_size=int(batch) or None,
    lambd=0.1 if optimizer == "momentum" else 0.0, learning_rate=0.01, num_iterations=2)
t2 = time.perf_counter()
cpu2 = resource.getrusage(resource.RUSAGE_SELF)
cpu = cpu2.ru_utime + cpu2.ru_stime - cpu1.ru_utime - cpu1.ru_stime
print(f"{' '.join(args)}: import {t1 - t0:.2f} s, first fit {t2 - t1:.2f} s "
      f"(CPU {cpu:.2f} s)")
