"""What every fastbackprop benchmark shares: the base class, the parameter grids, the data.

The grids come from ``fastbackprop/configs.py``, the one registry of configurations that the tests
and ``fastbackprop bench`` use too. This module is imported when asv discovers the benchmarks, so it
imports nothing heavy: the registry file is read on its own (importing the ``fastbackprop`` package
would import numba), and fastbackprop itself is imported inside ``setup``.
"""
import importlib.util
import os
import statistics
import time

# Thread settings: asv.conf.json sets these through ``env_nobuild`` for the environments asv makes,
# but ``--python=same`` ignores the matrix, so they are applied here as defaults too (before NumPy,
# OpenBLAS or numba is loaded in the benchmark process). A value already in the environment wins.
THREADS = {
    "OMP_NUM_THREADS": "2",
    "OPENBLAS_NUM_THREADS": "2",
    "MKL_NUM_THREADS": "2",
    "NUMBA_NUM_THREADS": "2",
}
for _key, _value in THREADS.items():
    os.environ.setdefault(_key, _value)


def _load_registry():
    """fastbackprop/configs.py loaded as a standalone module, without importing the package."""
    spec = importlib.util.find_spec("fastbackprop")
    path = os.path.join(list(spec.submodule_search_locations)[0], "configs.py")
    spec = importlib.util.spec_from_file_location("_fastbackprop_configs_for_asv", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CONFIGS


_REGISTRY = _load_registry()

DTYPES = ["float64", "float32"]
ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "identity"]
IMPLEMENTATIONS = ["fastbackprop", "numpy"]

#: Whole-network parameter of the full-batch benchmarks: the registry's full-batch configurations
#: (a-e), named as in performance.md. (The minibatch Adam ones are ``MINIBATCH_CONFIG_NAMES``.)
CONFIG_NAMES = [f"{c.name} {c.title}" for c in _REGISTRY.values()
                if getattr(c, "batch_size", None) is None]

#: The registry's minibatch configurations (f, g, h: Adam in float32), for ``bench_adam.py``. At a
#: commit before them the same names, so the parameter grid stays one over the history; their
#: ``setup`` then skips them.
MINIBATCH_CONFIG_NAMES = [f"{c.name} {c.title}" for c in _REGISTRY.values()
                          if getattr(c, "batch_size", None) is not None] or [
    "f MNIST-shaped softmax", "g tabular regression", "h digits-shaped softmax"]

#: Per-layer parameter: one representative hidden layer of each configuration, "<config><l>".
#: (c2 is one of c's five identical 64x64 layers; the output layers go through the loss kernels
#: and are covered by the whole-iteration benchmarks.)
LAYER_NAMES = ["a1", "b1", "c2", "d1", "e1"]

#: Iterations per ``fit`` benchmark: about 0.05-0.5 s of NumPy time each, so the big
#: configurations run only a few.
FIT_ITERATIONS = {"a": 1000, "b": 20, "c": 4, "d": 3, "e": 100}


def config(name, dtype):
    """The registry's Config for a CONFIG_NAMES value; NotImplementedError (asv: skipped) when the
    registry does not list ``dtype`` for it."""
    from fastbackprop.configs import CONFIGS
    cfg = CONFIGS[name.split()[0]]
    if dtype not in cfg.dtypes:
        raise NotImplementedError(f"config {cfg.name} is not benchmarked in {dtype}")
    return cfg


def minibatch_config(name):
    """The registry's Config for a MINIBATCH_CONFIG_NAMES value; NotImplementedError (asv:
    skipped) at a commit whose registry does not have it."""
    from fastbackprop.configs import CONFIGS
    cfg = CONFIGS.get(name.split()[0])
    if cfg is None or getattr(cfg, "batch_size", None) is None:
        raise NotImplementedError(f"no minibatch configuration {name!r} at this commit")
    return cfg


def layer(name, dtype):
    """(Config, (n, k, m)) of a LAYER_NAMES value such as "c2"; skipped like ``config``."""
    cfg = config(name[0], dtype)
    if hasattr(cfg, "layers"):
        shapes = cfg.layers()
    else:  # a commit before Config.layers(): the same shapes from layer_dims
        dims = cfg.layer_dims
        shapes = [(n, k, cfg.m) for k, n in zip(dims[:-1], dims[1:])]
    return cfg, shapes[int(name[1:]) - 1]


def random_array(rng, shape, dtype, scale=1.0):
    """C-contiguous, written (so every page is touched) in the given dtype."""
    import numpy as np
    return np.ascontiguousarray(rng.standard_normal(shape) * scale, dtype=dtype)


def final_cost(X, Y, parameters, hidden_activation):
    """The cost of trained parameters, by the NumPy baseline's formula for every implementation,
    so a change here is a change in the training numerics, not in how the cost is computed."""
    from fastbackprop import baseline
    _, caches = baseline.L_model_forward(X, parameters, hidden_activation)
    return baseline.compute_cost(caches[-1][1], Y)


def _calibrate(func, min_time):
    """Calls per sample so that one sample lasts at least min_time."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * min_time / max(elapsed, 1e-9)) + 1)


def speedup(fast, slow, rounds=7, min_time=0.02):
    """Median time of ``slow`` / median time of ``fast``, both measured in this process, in
    alternating samples (fast, slow, slow, fast, …) so drift in the machine's load hits both."""
    n_fast = _calibrate(fast, min_time)
    n_slow = _calibrate(slow, min_time)
    runs = [(fast, n_fast, []), (slow, n_slow, [])]
    for r in range(rounds):
        for func, number, samples in runs[::1 if r % 2 == 0 else -1]:
            start = time.perf_counter()
            for _ in range(number):
                func()
            samples.append((time.perf_counter() - start) / number)
    return statistics.median(runs[1][2]) / statistics.median(runs[0][2])


class Benchmark:
    """Base class: wall-clock timing, one process per sample batch, a generous timeout.

    Subclasses warm the JIT and touch their arrays in ``setup`` (so no sample pays for compilation
    or first-touch page faults) and raise NotImplementedError there for combinations that do not
    exist (asv reports them as skipped, "n/a")."""
    timer = time.perf_counter
    timeout = 300
    warmup_time = 0.1
    sample_time = 0.05
    repeat = (3, 20, 10.0)
    processes = 1
