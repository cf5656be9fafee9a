"""ms per step of fastbackprop's own fit on the bench configurations: one process per checkout,
for an A/B against an older commit (``--source DIR``, as tools/cold_fit.py takes it).

Usage: flock /tmp/fastbackprop-bench.lock python tools/speed_ab.py CONFIG[,CONFIG…] [--source DIR]
Each config: a warm-up fit (compilation or the cache), then 7 timed fits of ``bench_iterations``
iterations (an epoch each in minibatches, the optimizer state carried over); the median.
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
            model.fit(X, Y, num_iterations=n, **fit)
            times.append((time.perf_counter() - t) / (n * config.steps_per_iteration()))
        print(f"{name} {dtype}: {1e3 * statistics.median(times):.4f} ms per step")
