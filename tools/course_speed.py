"""fastbackprop.course vs the course's own NumPy code, timed in one process.

    flock /tmp/fastbackprop-bench.lock /work/venv/bin/python tools/course_speed.py [--repeats 3]

Runs L_layer_model on the cat data ([12288, 20, 7, 5, 1], 2500 iterations, lr 0.0075) and nn_model
on the planar flower (n_h = 4, 10000 iterations), optionally two_layer_model (--two-layer). The two
systems alternate (fastbackprop first on even repeats, NumPy first on odd ones) after one untimed
warm-up run each, so the JIT compiles outside the timings; medians are reported. Each run's
results are compared too: the largest relative difference between the recorded cost trajectories
(cat models) and between the final parameters' costs (flower). Prints a Markdown table.
"""
import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from fastbackprop import course
from fastbackprop.course import planar, reference

DEFAULT_DATA = Path(os.environ.get(
    "FASTBACKPROP_CATVNONCAT",
    Path(__file__).resolve().parents[2] / "shared" / "data" / "catvnoncat"))


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
    # the course's models print their last iteration even with print_cost=False
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def cat_data(path):
    train_x_orig, train_y, _, _, _ = course.load_data(path)
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.
    return train_x, train_y


def cat_case(name, X, Y, dims, num_iterations):
    def fast(n=num_iterations):
        return quiet(course.L_layer_model if len(dims) > 3 else course.two_layer_model,
                     X, Y, dims, num_iterations=n)[1]

    def numpy(n=num_iterations):
        return quiet(reference.L_layer_model, X, Y, dims, num_iterations=n)[1]

    def agreement(a, b):
        a, b = np.array(a, float), np.array(b, float)
        return float(np.max(np.abs(a - b) / np.abs(b)))

    return name, fast, numpy, agreement


def flower_case(num_iterations):
    X, Y = planar.load_planar_dataset()

    def final_cost(parameters):
        return planar.compute_cost(reference.planar_forward_propagation(X, parameters)[0], Y)

    def fast(n=num_iterations):
        return final_cost(planar.nn_model(X, Y, 4, num_iterations=n))

    def numpy(n=num_iterations):
        return final_cost(reference.planar_nn_model(X, Y, 4, num_iterations=n))

    def agreement(a, b):
        return abs(a - b) / abs(b)

    return f"nn_model, planar flower, n_h=4, {num_iterations} it", fast, numpy, agreement


def measure(case, repeats):
    name, fast, numpy, agreement = case
    fast(2), numpy(2)  # warm-up: compiles the kernels for these shapes
    times = {"fast": [], "numpy": []}
    results = {}
    for r in range(repeats):
        order = (("fast", fast), ("numpy", numpy)) if r % 2 == 0 else (("numpy", numpy),
                                                                        ("fast", fast))
        for key, fn in order:
            start = time.perf_counter()
            results[key] = fn()
            times[key].append(time.perf_counter() - start)
    t_fast, t_numpy = statistics.median(times["fast"]), statistics.median(times["numpy"])
    return name, t_numpy, t_fast, agreement(results["fast"], results["numpy"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder with the cat .h5 files")
    parser.add_argument("--two-layer", action="store_true", help="also time two_layer_model")
    args = parser.parse_args(argv)

    cases = []
    if Path(args.data).is_dir():
        X, Y = cat_data(args.data)
        if args.two_layer:
            cases.append(cat_case("two_layer_model, cat data, (12288, 7, 1), 2500 it",
                                  X, Y, (12288, 7, 1), 2500))
        cases.append(cat_case("L_layer_model, cat data, [12288, 20, 7, 5, 1], 2500 it",
                              X, Y, [12288, 20, 7, 5, 1], 2500))
    else:
        print(f"cat data not found at {args.data}: skipping the cat models", file=sys.stderr)
    cases.append(flower_case(10000))

    rows = []
    for case in cases:
        rows.append(measure(case, args.repeats))
        print(f"done: {rows[-1][0]}", file=sys.stderr, flush=True)

    print(f"| model | NumPy (course code) s | fastbackprop.course s | ratio | max rel. diff |")
    print("|---|---:|---:|---:|---:|")
    for name, t_numpy, t_fast, diff in rows:
        print(f"| {name} | {t_numpy:.2f} | {t_fast:.2f} | {t_numpy / t_fast:.1f}x | {diff:.1e} |")
    import numba
    print(f"\nMedians of {args.repeats} alternating runs after a warm-up; {cpu_name()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, "
          f"Numba {numba.__version__}.")


if __name__ == "__main__":
    main()
