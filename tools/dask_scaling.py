"""Time per full-batch step: a dask fit (LocalCluster of 1 and 2 worker processes, one thread
each) against a local fit, config c's network, m = 2^16 … 2^21 examples × 100 features:

    flock /tmp/fastbackprop-bench.lock python tools/dask_scaling.py [--sizes 16 … 21]
        [--steps 3] [--chunks 8]

Each dask fit's X is made on the workers (``dask.array.random``, ``--chunks`` chunks of
m / chunks examples) and persisted before timing; the local fit gets the same shape from NumPy
and runs with the plan's choice of trainer on both cores. Each fit is warmed up by one untimed
step (compiles, persists); then ``--steps`` steps are timed one by one (the dask steps from
inside the trainer, so they include the whole round trip: graph, chunks, reduction, epilogue)
and the median reported. For the dask fits the medians of the slowest chunk's compute and of
the busiest worker's (the sum of the chunks it ran) are reported too, and an "empty" step
(8 chunks of 64 examples: no work) gives the fixed overhead.
Prints a markdown table (docs/dask.md, docs/performance.md).
"""
import argparse
import os
import statistics
import time
import warnings

import numpy as np

from fastbackprop import Model, _dask
from fastbackprop.configs import CONFIGS

CONFIG = CONFIGS["c"]


def _data_np(m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((CONFIG.layer_dims[0], m))
    Y = (X[:1] + X[1:2] > 0).astype(np.float64)
    return X, Y


def _data_dask(m, chunks, seed=0):
    import dask
    import dask.array as da
    n_x = CONFIG.layer_dims[0]
    X = da.random.RandomState(seed).standard_normal((n_x, m), chunks=(n_x, m // chunks))
    Y = (X[:1] + X[1:2] > 0).astype(np.float64)
    return dask.persist(X, Y)


def _model():
    return Model(list(CONFIG.layer_dims), CONFIG.hidden_activation, seed=0)


def time_local(m, steps):
    X, Y = _data_np(m)
    model = _model()
    model.fit(X, Y, CONFIG.learning_rate, 1, record_every=0)  # compile, workspace
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.fit(X, Y, CONFIG.learning_rate, 1, record_every=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_dask(m, steps, chunks):
    """Medians of (step, slowest chunk, busiest worker thread's compute) in seconds, from the
    trainer's own records."""
    X, Y = _data_dask(m, chunks)
    records = []
    original = _dask.Trainer.steps

    def recording(self, n, first_epoch):
        cost = original(self, n, first_epoch)
        records[:] = self.times
        return cost
    _dask.Trainer.steps = recording
    try:
        _model().fit(X, Y, CONFIG.learning_rate, 1 + steps, record_every=0)
    finally:
        _dask.Trainer.steps = original
    timed = records[1:]  # the first step compiles and waits for the persisted chunks
    return tuple(statistics.median(column) for column in zip(*timed))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(range(16, 22)),
                        help="log2 of m (default 16 … 21)")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=8)
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)  # the overhead warning: measured here
    from distributed import Client, LocalCluster
    rows = {2 ** k: {} for k in args.sizes}
    empty = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster):
            empty[workers] = time_dask(8 * 64, max(args.steps, 5), 8)
            for m in rows:
                rows[m][workers] = time_dask(m, args.steps, args.chunks)
                print(f"# m = {m}, {workers} worker(s): {rows[m][workers]}", flush=True)
    for m in rows:
        rows[m]["local"] = time_local(m, args.steps)
        print(f"# m = {m}, local: {rows[m]['local']}", flush=True)

    print(f"\nconfig c {list(CONFIG.layer_dims)}, {CONFIG.hidden_activation}, float64, full batch; "
          f"dask: {args.chunks} chunks, LocalCluster(processes=True, threads_per_worker=1); "
          f"median of {args.steps} steps, ms; {os.cpu_count()} CPUs\n")
    print("| m | local | dask, 1 worker | dask, 2 workers | 2 workers: slowest chunk | "
          "2 workers: busiest worker's compute | 2 workers: the rest | dask 2 workers / local |")
    print("|---|---|---|---|---|---|---|---|")
    for m, r in rows.items():
        step, chunk, busiest = r[2]
        print(f"| 2^{m.bit_length() - 1} | {r['local'] * 1e3:.0f} | {r[1][0] * 1e3:.0f} | "
              f"{step * 1e3:.0f} | {chunk * 1e3:.0f} | {busiest * 1e3:.0f} | "
              f"{(step - busiest) * 1e3:.0f} | {step / r['local']:.2f} |")
    for workers, (step, chunk, busiest) in empty.items():
        print(f"\nempty step (8 chunks of 64 examples), {workers} worker(s): {step * 1e3:.1f} ms "
              f"per step, busiest worker's compute {busiest * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
