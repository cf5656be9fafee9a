"""Training from the configurations' common starting point: ``Model.fit`` against the course's
NumPy loop (``fastbackprop.baseline.train``), for time, peak memory and the final cost.

Each call starts again from the same parameters and trains ``common.FIT_ITERATIONS[config]``
iterations (a few on the big configurations), recording the cost every 100 as both do by default.
"""
from .common import (CONFIG_NAMES, DTYPES, FIT_ITERATIONS, IMPLEMENTATIONS, Benchmark, config,
                     final_cost, speedup)


def _fit_case(name, dtype):
    """(fastbackprop fit, NumPy fit), each returning the trained parameters as a course dict."""
    from fastbackprop import Model, baseline

    cfg = config(name, dtype)
    X, Y = cfg.data(dtype)
    start = cfg.parameters(dtype)
    act, lr = cfg.hidden_activation, cfg.learning_rate
    iterations = FIT_ITERATIONS[cfg.name]

    def fast():
        model = Model.from_parameters(start, act, dtype)
        model.fit(X, Y, learning_rate=lr, num_iterations=iterations, progress=False)
        return model.parameters

    def numpy():
        return baseline.train(X, Y, start, act, lr, iterations)[0]

    return X, Y, act, fast, numpy


class Fit(Benchmark):
    """``Model.from_parameters(start).fit(X, Y, ...)`` and ``baseline.train(X, Y, start, ...)``."""
    param_names = ["implementation", "config", "dtype"]
    params = [IMPLEMENTATIONS, CONFIG_NAMES, DTYPES]
    repeat = (2, 10, 20.0)

    def setup_cache(self):
        # one iteration of every configuration and dtype in a separate process first, so that
        # whatever compiled path Model picks for each shape is in the on-disk numba cache and the
        # benchmark processes (peakmem_ included) load machine code instead of compiling it
        from fastbackprop import Model
        from fastbackprop.configs import CONFIGS
        for cfg in CONFIGS.values():
            if getattr(cfg, "batch_size", None) is not None:
                continue  # minibatch Adam: bench_adam.py
            for dtype in cfg.dtypes:
                X, Y = cfg.data(dtype)
                model = Model.from_parameters(cfg.parameters(dtype), cfg.hidden_activation, dtype)
                model.fit(X, Y, learning_rate=cfg.learning_rate, num_iterations=1,
                          progress=False)
        return "warm"  # asv passes it first to setup and to every benchmark of the class

    def setup(self, cache, implementation, config, dtype):
        self.X, self.Y, self.act, fast, numpy = _fit_case(config, dtype)
        self.call = fast if implementation == "fastbackprop" else numpy
        if implementation == "fastbackprop":
            self.call()  # JIT (from the cache) and first-touch of the workspace

    def time_fit(self, cache, implementation, config, dtype):
        self.call()

    def peakmem_fit(self, cache, implementation, config, dtype):
        self.call()

    def track_final_cost(self, cache, implementation, config, dtype):
        return final_cost(self.X, self.Y, self.call(), self.act)

    track_final_cost.unit = "cost"


class FitSpeedup(Benchmark):
    """NumPy time / fastbackprop time of the same training run, alternating in one process."""
    param_names = ["config", "dtype"]
    params = [CONFIG_NAMES, DTYPES]

    def setup(self, config, dtype):
        *_, self.fast, self.numpy = _fit_case(config, dtype)
        self.fast()
        self.numpy()

    def track_speedup(self, config, dtype):
        return speedup(self.fast, self.numpy, rounds=3, min_time=0.0)

    track_speedup.unit = "x NumPy"
