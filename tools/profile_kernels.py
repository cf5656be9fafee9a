"""Time fastbackprop against the NumPy baseline on the configurations of fastbackprop.configs.

One full-batch iteration (forward + cost + backward + update), both systems in this one process,
alternating in chunks with pauses between them (so neither pays for the other's spinning
threads), medians reported; ratio = NumPy time / fastbackprop time. Run it under the machine-wide
benchmark lock:

    flock /tmp/fastbackprop-bench.lock python tools/profile_kernels.py [a b c ...] [--reps 7]

``tools/gemm_bound.py`` times a configuration's GEMMs alone, to see what bounds it.
"""
import argparse
import statistics
import sys
import time

import numpy as np

from fastbackprop import Model, baseline
from fastbackprop.configs import CONFIGS, FULL_BATCH, flops_per_iteration


def _per_iteration(fn, n):
    start = time.perf_counter()
    fn(n)
    return (time.perf_counter() - start) / n


def _iterations_for(fn, target_seconds):
    n = 1
    while True:
        t = _per_iteration(fn, n)
        if t * n >= target_seconds / 4 or n >= 1 << 20:
            return max(1, int(target_seconds / t))
        n *= 4


def measure(config, dtype, reps=7, chunk_seconds=0.3, pause=0.2, n_threads=None,
            path=None):
    X, Y = config.data(dtype)
    start = config.parameters(dtype)
    lr = config.learning_rate
    act = config.hidden_activation
    model = Model.from_parameters(start, act, dtype)

    def run_numpy(n):
        baseline.train(X, Y, start, act, lr, n, record_every=0)

    def run_fastbackprop(n):
        model.fit(X, Y, learning_rate=lr, num_iterations=n, record_every=0, progress=False,
                  path=path, **({} if n_threads is None else {"n_threads": n_threads}))

    run_fastbackprop(2)  # compile / load from cache
    n_np = _iterations_for(run_numpy, chunk_seconds)
    n_fb = _iterations_for(run_fastbackprop, chunk_seconds)
    t_np, t_fb = [], []
    for _ in range(reps):
        t_np.append(_per_iteration(run_numpy, n_np))
        time.sleep(pause)
        t_fb.append(_per_iteration(run_fastbackprop, n_fb))
        time.sleep(pause)
    # agreement after a few iterations from the same start
    check = Model.from_parameters(start, act, dtype).fit(X, Y, learning_rate=lr,
                                                         num_iterations=3, record_every=0)
    ref, _ = baseline.train(X, Y, start, act, lr, 3, record_every=0)
    err = max(float(np.max(np.abs(check.parameters[k] - ref[k])) /
                    max(float(np.max(np.abs(ref[k]))), 1e-300)) for k in ref)
    np_ms, fb_ms = statistics.median(t_np) * 1e3, statistics.median(t_fb) * 1e3
    gflops = flops_per_iteration(config.layer_dims, config.m) / (fb_ms * 1e-3) / 1e9
    return dict(config=config.name, title=config.title, dtype=dtype, numpy_ms=np_ms,
                fastbackprop_ms=fb_ms, ratio=np_ms / fb_ms, gflops=gflops, rel_err=err,
                spread=(min(t_fb) * 1e3, max(t_fb) * 1e3))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", default=list(FULL_BATCH))  # full-batch GD
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--dtype", help="only this dtype")
    parser.add_argument("--n-threads", type=int)
    parser.add_argument("--trainer", choices=("serial", "blocked"),
                        help="force a trainer path instead of the plan's choice")
    args = parser.parse_args(argv)
    print(f"{'config':<22} {'NumPy ms':>10} {'fbp ms':>10} {'ratio':>7} {'GFLOP/s':>8} "
          f"{'rel err':>9}  fbp min–max ms")
    for name in args.configs:
        config = CONFIGS[name]
        for dtype in config.dtypes:
            if args.dtype and dtype != args.dtype:
                continue
            r = measure(config, dtype, reps=args.reps, n_threads=args.n_threads,
                        path=args.trainer)
            print(f"{name + ' ' + config.title + ' ' + dtype[5:]:<22} {r['numpy_ms']:>10.4f} "
                  f"{r['fastbackprop_ms']:>10.4f} {r['ratio']:>6.2f}x {r['gflops']:>8.1f} "
                  f"{r['rel_err']:>9.1e}  {r['spread'][0]:.4f}–{r['spread'][1]:.4f}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
