"""Which kernels a cold first fit compiles, and how long each took (numba's compile events).

Usage: NUMBA_CACHE_DIR=$(mktemp -d) python tools/compile_events.py [float64|float32] [cat|mb|M]
  cat: the cat net [12288, 20, 7, 5, 1] on 209 examples; mb: config e's net [784, 256, 128, 1]
  on 6400 examples in minibatches of 64; M: [20, 16, 8, 1] on M examples.
Run it with an empty cache (a fresh NUMBA_CACHE_DIR), or it times cache loads. A kernel's time
includes the kernels it calls that were compiled for it; then the LLVM passes of the two
trainers (numba's pipeline timers), where most of the time goes (docs/performance.md).
"""
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
from numba.core import event  # noqa: E402

_started = {}
events = []


class _Listener(event.Listener):
    def on_start(self, ev):
        _started[id(ev.data["dispatcher"]), str(ev.data["args"])] = time.perf_counter()

    def on_end(self, ev):
        key = id(ev.data["dispatcher"]), str(ev.data["args"])
        events.append((time.perf_counter() - _started.pop(key),
                       ev.data["dispatcher"].py_func.__qualname__))


event.register("numba:compile", _Listener())

from fastbackprop import Model  # noqa: E402
from fastbackprop.kernels import blocked, network  # noqa: E402

dtype = sys.argv[1] if len(sys.argv) > 1 else "float64"
which = sys.argv[2] if len(sys.argv) > 2 else "cat"
dims, m, batch_size = {"cat": ([12288, 20, 7, 5, 1], 209, None),
                       "mb": ([784, 256, 128, 1], 6400, 64)}.get(
    which, ([20, 16, 8, 1], int(which) if which.isdigit() else 0, None))
t1 = time.perf_counter()
X = np.random.default_rng(0).standard_normal((dims[0], m)).astype(dtype)
Y = (X[:1] > 0).astype(dtype)
Model(dims, "relu", dtype=dtype, seed=0).fit(X, Y, num_iterations=3, batch_size=batch_size)
t2 = time.perf_counter()
print(f"{dims} m={m} {dtype}: import {t1 - t0:.2f} s, first fit {t2 - t1:.2f} s")
for seconds, name in sorted(events, reverse=True)[:15]:
    print(f"{seconds:7.2f} s  {name}")
for trainer in (blocked.train_steps_blocked, network.train_steps_split):
    for metadata in trainer.get_metadata().values():
        for passes in metadata.get("pipeline_times", {}).values():
            top = sorted(passes.items(), key=lambda kv: -kv[1].run)[:3]
            print(trainer.py_func.__name__ + ":", ", ".join(
                f"{name.split('_', 1)[1]} {t.run:.2f} s" for name, t in top))
