"""What bounds each configuration: its GEMMs alone, against the NumPy baseline and fastbackprop.

For a configuration, one process times, alternating in chunks (medians of 9):
- the NumPy baseline's iteration (``fastbackprop.baseline.train``);
- the iteration's GEMMs alone, as NumPy/OpenBLAS runs them (two threads, examples as columns, the
  products Z = W·A_prev, dW = dZ·A_prevᵀ and dA_prev = Wᵀ·dZ of every layer, into preallocated
  outputs: no activations, no temporaries);
- fastbackprop's iteration (``Model.fit``, the configuration's benchmark chunk).
It prints the time each needs per iteration, and the highest ratio to NumPy that the GEMMs alone
would allow a system that did nothing else at that GEMM speed. Run it under the machine-wide
benchmark lock:

    flock /tmp/fastbackprop-bench.lock python tools/gemm_bound.py [c d e ...]
"""
import statistics
import sys
import time

import numpy as np

from fastbackprop import Model, baseline
from fastbackprop.configs import CONFIGS, FULL_BATCH, flops_per_iteration

TARGETS = {("a", "float64"): 8, ("b", "float64"): 2, ("c", "float64"): 3, ("c", "float32"): 4,
           ("d", "float32"): 1.6, ("e", "float64"): 2.5}  # issue 5's targets


def products(config, dtype):
    """(a, b, out) for every GEMM of one iteration, at the configuration's shapes."""
    rng = np.random.default_rng(0)
    dims, m = config.layer_dims, config.m
    out = []
    for l in range(1, len(dims)):
        n, k = dims[l], dims[l - 1]
        W = rng.standard_normal((n, k)).astype(dtype)
        A_prev = rng.standard_normal((k, m)).astype(dtype)
        dZ = rng.standard_normal((n, m)).astype(dtype)
        out.append((W, A_prev, np.empty((n, m), dtype)))
        out.append((dZ, A_prev.T, np.empty((n, k), dtype)))
        if l > 1:
            out.append((W.T, dZ, np.empty((k, m), dtype)))
    return out


def per_iteration(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def measure(config, dtype, rounds=9):
    X, Y = config.data(dtype)
    start = config.parameters(dtype)
    gemms = products(config, dtype)
    model = Model.from_parameters(start, config.hidden_activation, dtype)
    k = config.bench_iterations

    def numpy_iteration():
        baseline.train(X, Y, start, config.hidden_activation, config.learning_rate, 1,
                       record_every=0)

    def gemms_alone():
        for a, b, c in gemms:
            np.matmul(a, b, out=c)

    def fastbackprop_chunk():
        model.fit(X, Y, learning_rate=config.learning_rate, num_iterations=k, record_every=0,
                  progress=False)

    fastbackprop_chunk()  # compile or load
    reps = max(1, int(0.1 / per_iteration(numpy_iteration, 1)))
    times = {"numpy": [], "gemms": [], "fastbackprop": []}
    for _ in range(rounds):
        # a pause after each: OpenBLAS's threads spin for a while after a call, and would take
        # the cores from whatever runs next
        times["numpy"].append(per_iteration(numpy_iteration, reps))
        time.sleep(0.2)
        times["gemms"].append(per_iteration(gemms_alone, reps))
        time.sleep(0.2)
        times["fastbackprop"].append(per_iteration(fastbackprop_chunk, 1) / k)
        time.sleep(0.2)
    return {key: statistics.median(value) for key, value in times.items()}


def main(argv):
    names = argv or list(FULL_BATCH)  # full-batch gradient descent, as it times it
    print(f"{'config':<14} {'NumPy ms':>9} {'GEMMs ms':>9} {'GFLOP/s':>8} {'GEMM bound':>11} "
          f"{'target':>7} {'fbp ms':>8} {'fbp ratio':>9}")
    for name in names:
        config = CONFIGS[name]
        for dtype in config.dtypes:
            t = measure(config, dtype)
            flops = flops_per_iteration(config.layer_dims, config.m)
            print(f"{name + ' ' + dtype:<14} {t['numpy'] * 1e3:>9.3f} {t['gemms'] * 1e3:>9.3f} "
                  f"{flops / t['gemms'] / 1e9:>8.1f} {t['numpy'] / t['gemms']:>10.2f}x "
                  f"{TARGETS[name, dtype]:>6}x {t['fastbackprop'] * 1e3:>8.3f} "
                  f"{t['numpy'] / t['fastbackprop']:>8.2f}x", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
