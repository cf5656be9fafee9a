"""fastbackprop.course2's models vs the course's own NumPy code, timed in one process.

    flock /tmp/fastbackprop-bench.lock .venv/bin/python tools/course2_speed.py [--repeats 3]

Runs each notebook's model at its full length, with the course's data and defaults: the
initialization model (He, 15 000 iterations), the regularization model without regularisation,
with L2 (λ = 0.7) and with dropout (keep_prob 0.86) (30 000 iterations each), the 2021
optimization model with gd, momentum and Adam (5 000 epochs) and the 2017 one with Adam (10 000
epochs). fastbackprop first compiles (one untimed run); then the two systems alternate
(fastbackprop first on even repeats, NumPy first on odd ones) and medians are reported, with the
largest difference between the two runs' trained parameters, relative to their largest entry.
Prints a Markdown table. The data.mat folder: --data, or FASTBACKPROP_COURSE2_DATA, or
../shared/data/course2.
"""
import argparse
import contextlib
import io
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from fastbackprop.course2 import initialization, optimization, optimization_2017, reference
from fastbackprop.course2 import regularization

DEFAULT_DATA = Path(os.environ.get(
    "FASTBACKPROP_COURSE2_DATA",
    Path(__file__).resolve().parents[2] / "shared" / "data" / "course2"))


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(divide="ignore",
                                                                  invalid="ignore"):
        return fn(*args, **kwargs)


def cases(data):
    circles = initialization.load_dataset()[:2]
    football = regularization.load_2D_dataset(Path(data) / "data.mat")[:2]
    moons = optimization.load_dataset()
    dims = [2, 5, 2, 1]
    return [
        ("initialization model, he, 15000 it", lambda: initialization.model(*circles),
         lambda: reference.init_model(*circles)),
        ("regularization model, 30000 it", lambda: regularization.model(*football),
         lambda: reference.reg_model(*football)),
        ("regularization model, lambd=0.7", lambda: regularization.model(*football, lambd=0.7),
         lambda: reference.reg_model(*football, lambd=0.7)),
        ("regularization model, keep_prob=0.86",
         lambda: regularization.model(*football, keep_prob=0.86),
         lambda: reference.reg_model(*football, keep_prob=0.86)),
        ("optimization model (2021), gd, 5000 epochs",
         lambda: optimization.model(*moons, dims, "gd"),
         lambda: reference.opt_model(*moons, dims, "gd")),
        ("optimization model (2021), momentum",
         lambda: optimization.model(*moons, dims, "momentum"),
         lambda: reference.opt_model(*moons, dims, "momentum")),
        ("optimization model (2021), adam", lambda: optimization.model(*moons, dims, "adam"),
         lambda: reference.opt_model(*moons, dims, "adam")),
        ("optimization model (2017), adam, 10000 epochs",
         lambda: optimization_2017.model(*moons, dims, "adam"),
         lambda: reference.opt_model_2017(*moons, dims, "adam")),
    ]


def timed(fn):
    t0 = time.perf_counter()
    result = quiet(fn)
    return time.perf_counter() - t0, result


def max_rel_diff(a, b):
    scale = max(float(np.max(np.abs(b[k]))) for k in b)
    return max(float(np.max(np.abs(a[k] - b[k]))) for k in b) / scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    rows = []
    for name, fast, slow in cases(args.data):
        quiet(fast)  # compiles (or loads the cache)
        t_fast, t_slow, diff = [], [], 0.0
        for r in range(args.repeats):
            order = [(fast, t_fast), (slow, t_slow)]
            if r % 2:
                order.reverse()
            results = {}
            for fn, times in order:
                dt, results[fn] = timed(fn)
                times.append(dt)
            diff = max(diff, max_rel_diff(results[fast], results[slow]))
        f, s = statistics.median(t_fast), statistics.median(t_slow)
        rows.append((name, s, f, s / f, diff))
        print(f"{name}: NumPy {s:.3f} s, fastbackprop {f:.3f} s, {s / f:.1f}x", flush=True)
    print()
    print("| model | NumPy (course code) s | fastbackprop.course2 s | ratio | "
          "max rel. diff of the parameters |")
    print("|---|---:|---:|---:|---:|")
    for name, s, f, ratio, diff in rows:
        print(f"| {name} | {s:.2f} | {f:.3f} | {ratio:.1f}x | {diff:.1e} |")
    print()
    print(f"{cpu_name()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"NumPy {np.__version__}; medians of {args.repeats} alternating runs")


if __name__ == "__main__":
    main()
