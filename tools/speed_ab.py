"""ms per step of fastbackprop's own fit on the bench configurations: one process per checkout,
for an A/B against an older commit (``--source DIR``, as tools/cold_fit.py takes it).

Usage: flock /tmp/fastbackprop-bench.lock python tools/speed_ab.py CONFIG[,CONFIG…] [--fits N]
[--source DIR]
Each config: a warm-up fit (compilation or the cache), then 7 timed samples of N fits (default
1) of ``bench_iterations`` iterations each (an epoch each in minibatches, the optimizer state
carried over); the median sample. Short minibatch configs (g, h: a few ms an epoch) want
``--fits 20`` or so.

``--source`` works for checkouts from 772a7f3 on, whose ``fastbackprop/__init__.py`` loads its
own ``kernels/`` (before, the compile-ahead helper imported the editable install's kernels, so
an older checkout's cold fits ran without it). For an older commit run this script with that
checkout's own venv instead (``python -m venv DIR/.venv && DIR/.venv/bin/pip install -e DIR``),
from a folder outside both checkouts.
"""
import os
import statistics
import sys
import time

args = sys.argv[1:]
if "--source" in args:
    i = args.index("--source")
    source = args[i + 1]
    del args[i:i + 2]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, os.path.abspath(source))
fits = 1
if "--fits" in args:
    i = args.index("--fits")
    fits = int(args[i + 1])
    del args[i:i + 2]

from fastbackprop import Model  # noqa: E402
from fastbackprop.configs import CONFIGS  # noqa: E402

for name in args[0].split(","):
    config = CONFIGS[name]
    for dtype in config.dtypes:
        X, Y = config.data()
        X, Y = X.astype(dtype), Y.astype(dtype)
        model = Model(config.layer_dims, config.hidden_activation, output=config.output,
                      dtype=dtype, seed=0)
        n = max(1, config.bench_iterations) if config.bench_iterations > 0 else 1
        fit = dict(learning_rate=config.learning_rate, optimizer=config.optimizer,
                   batch_size=config.batch_size, record_every=0)
        model.fit(X, Y, num_iterations=n, **fit)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            for _ in range(fits):
                model.fit(X, Y, num_iterations=n, **fit)
            times.append((time.perf_counter() - t) / (fits * n * config.steps_per_iteration()))
        print(f"{name} {dtype}: {1e3 * statistics.median(times):.4f} ms per step")
