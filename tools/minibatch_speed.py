"""Minibatch training three ways, timed in one process, ms per step (one batch):

    flock /tmp/fastbackprop-bench.lock python tools/minibatch_speed.py [--rounds 5]

- ``fit(batch_size=b)``: whole epochs in one compiled call (shuffle included);
- ``fit`` per batch: what a user without ``batch_size`` writes (shuffle with NumPy, then
  ``model.fit(X[:, i:i + b], …, num_iterations=1)`` per batch);
- NumPy: ``baseline.train_minibatch``, the course-style loop;
and, for scale, full-batch steps on one fixed batch (data in cache, no shuffle).
The four alternate, order rotating, after an untimed warm-up; medians of the rounds.
Nets: config e's [784, 256, 128, 1] (relu, m = 6400, b = 64), the planar [2, 4, 1] (tanh,
m = 400, b = 64) and config c's [100, 64×6, 1] (relu, m = 16384, b = 256). Random data.
"""
import argparse
import statistics
import time

import numpy as np

from fastbackprop import Model, baseline
from fastbackprop.kernels import minibatch

CASES = [([784, 256, 128, 1], "relu", 6400, 64, 2),
         ([2, 4, 1], "tanh", 400, 64, 200),
         ([100, 64, 64, 64, 64, 64, 64, 1], "relu", 16384, 256, 1)]


def case(dims, activation, m, b, epochs, rounds, rng):
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    model = Model(dims, activation, seed=1)
    lr = 0.0075
    steps = epochs * -(-m // b)

    def by_batch_size():
        model.fit(X, Y, lr, epochs, record_every=0, batch_size=b)

    def fit_per_batch():
        for epoch in range(epochs):
            order = rng.permutation(m)
            Xs, Ys = X[:, order], Y[:, order]
            for i in range(0, m, b):
                model.fit(Xs[:, i:i + b], Ys[:, i:i + b], lr, 1, record_every=0)

    def numpy():
        baseline.train_minibatch(X, Y, model.parameters, activation, lr, epochs, b,
                                 lambda epoch: minibatch.permutation_of(0, epoch, m), 0)

    def one_batch():
        model.fit(X[:, :b], Y[:, :b], lr, steps, record_every=0)

    systems = {"fit(batch_size)": by_batch_size, "fit per batch": fit_per_batch,
               "NumPy": numpy, "one batch, full-batch": one_batch}
    for run in systems.values():  # JIT and first touch
        run()
    times = {name: [] for name in systems}
    names = list(systems)
    for r in range(rounds):
        for name in names[r % 4:] + names[:r % 4]:
            start = time.perf_counter()
            systems[name]()
            times[name].append((time.perf_counter() - start) / steps)
    med = {name: statistics.median(t) for name, t in times.items()}
    cells = " | ".join(f"{1e3 * med[name]:.4g}" for name in names)
    print(f"| {dims} {activation}, m = {m}, b = {b} | {cells} | "
          f"{med['NumPy'] / med['fit(batch_size)']:.2f}x | "
          f"{med['NumPy'] / med['fit per batch']:.2f}x |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| net | fit(batch_size) | fit per batch | NumPy | one batch, full-batch | "
          "NumPy / fit(batch_size) | NumPy / fit per batch |")
    print("|---|---|---|---|---|---|---|")
    for dims, activation, m, b, epochs in CASES:
        case(dims, activation, m, b, epochs, args.rounds, rng)


if __name__ == "__main__":
    main()
