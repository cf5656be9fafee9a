"""µs an epoch with one compiled call per epoch against many epochs a call, on the serial and
the blocked trainer, for one of scikit-learn's bundled datasets (as tools/sklearn_compare.py
splits it) and one optimizer: what the Python around a call costs an epoch.

Usage (under the bench lock):
    python tools/epoch_calls.py wine nesterov
The net is scikit-learn's default ([n_features, 100, n_classes], relu, softmax head), full
batches, learning rate 0.001; each mode runs 7 alternating rounds of 200 epochs after a warm-up
fit, and the medians are printed. docs/performance.md, "The between-epoch rule in the trainer".
"""
import statistics
import sys
import time
import warnings

import numpy as np

from sklearn_compare import split

from fastbackprop import Model

warnings.simplefilter("ignore")
dataset, optimizer = sys.argv[1], sys.argv[2]
X, _, y, _ = split(dataset)
C = int(y.max()) + 1
X, Y = np.ascontiguousarray(X.T), np.eye(C)[y].T.copy()
options = dict(learning_rate=0.001, optimizer=optimizer)
if optimizer in ("nesterov", "sgd_momentum"):
    options["beta"] = 0.9
modes = {"many epochs a call": 0, "one epoch a call": 1}  # record_every
models = {}
for path in ("serial", "blocked"):
    models[path] = Model([X.shape[0], 100, C], "relu", output="softmax", seed=0)
    models[path].fit(X, Y, num_iterations=2, path=path, **options)
times = {}
for _ in range(7):
    for mode, record_every in modes.items():
        for path, model in models.items():
            start = time.perf_counter()
            model.fit(X, Y, num_iterations=200, record_every=record_every, path=path, **options)
            times.setdefault((mode, path), []).append((time.perf_counter() - start) / 200)
for (mode, path), t in times.items():
    print(f"{dataset} {optimizer} {path:8s} {mode:20s} {1e6 * statistics.median(t):6.1f} µs an epoch")
