"""Minibatch Adam in float32 on the registry's configurations f, g and h (MNIST-shaped softmax,
tabular regression, digits-shaped softmax), one epoch per call, against the NumPy baseline's
minibatch Adam with the same shuffles.

fastbackprop as a user drives it: ``model.fit(X, Y, num_iterations=1, batch_size=b,
optimizer="adam", learning_rate=1e-3)`` on a model made in ``setup``, once per epoch, the Adam
state continuing from call to call (one long run, as in training). NumPy:
``baseline.train_minibatch`` for one epoch, its state handed on, the epoch's shuffle
fastbackprop's (``kernels.minibatch.permutation_of``). The unit of ``fastbackprop bench`` for
these configurations, ms per minibatch step, is ``track_ms_per_step``: an epoch's time over its
steps, median over epochs.
"""
import statistics
import time

from .common import IMPLEMENTATIONS, MINIBATCH_CONFIG_NAMES, Benchmark, _calibrate, \
    minibatch_config, speedup

SEED = 0  # the shuffle: fit(seed=SEED), permutation_of(SEED, epoch, m)


def _epoch_case(name):
    """(config, fastbackprop epoch, NumPy epoch), each training on from where it stopped."""
    from fastbackprop import Model, baseline
    from fastbackprop.kernels import minibatch

    cfg = minibatch_config(name)
    dtype = cfg.dtypes[0]
    X, Y = cfg.data(dtype)
    start = cfg.parameters(dtype)
    m, b, act, lr = cfg.m, cfg.batch_size, cfg.hidden_activation, cfg.learning_rate
    adam = dict(beta1=cfg.beta1, beta2=cfg.beta2, epsilon=cfg.epsilon)
    model = Model.from_parameters(start, act, dtype, output=cfg.output)

    def fast():
        model.fit(X, Y, learning_rate=lr, num_iterations=1, batch_size=b, seed=SEED,
                  optimizer="adam", record_every=0, progress=False, **adam)

    state = {"parameters": start, "adam": None, "epoch": 0}

    def numpy():
        epoch, adam_state = state["epoch"], state["adam"]
        state["parameters"], _, state["adam"] = baseline.train_minibatch(
            X, Y, state["parameters"], act, lr, 1, b,
            lambda e: minibatch.permutation_of(SEED, epoch + e, m), 0, output=cfg.output,
            optimizer="adam", step0=adam_state["step"] if adam_state else 0, state=adam_state,
            return_state=True, **adam)
        state["epoch"] += 1

    return cfg, fast, numpy


class AdamEpoch(Benchmark):
    """One epoch of minibatch Adam; the parameters and the Adam state move on from call to call."""
    param_names = ["implementation", "config"]
    params = [IMPLEMENTATIONS, MINIBATCH_CONFIG_NAMES]

    def setup_cache(self):
        # one epoch of each configuration on a few batches of its data in a separate process
        # first, so that the benchmark processes load the compiled minibatch Adam trainer from
        # numba's disk cache (the trainer path and flags depend on the batch, not on m)
        import dataclasses

        from fastbackprop import Model
        from fastbackprop.configs import CONFIGS
        for cfg in CONFIGS.values():
            if getattr(cfg, "batch_size", None) is None:
                continue
            small = dataclasses.replace(cfg, m=2 * cfg.batch_size + 1)
            dtype = cfg.dtypes[0]
            X, Y = small.data(dtype)
            model = Model.from_parameters(small.parameters(dtype), cfg.hidden_activation, dtype,
                                          output=cfg.output)
            model.fit(X, Y, learning_rate=cfg.learning_rate, num_iterations=1,
                      batch_size=cfg.batch_size, optimizer="adam", record_every=0,
                      progress=False)
        return "warm"

    def setup(self, cache, implementation, config):
        self.cfg, fast, numpy = _epoch_case(config)
        self.call = fast if implementation == "fastbackprop" else numpy
        self.call()  # JIT (from the cache) and first touch of the workspace and the shuffle

    def time_epoch(self, cache, implementation, config):
        self.call()

    def track_ms_per_step(self, cache, implementation, config):
        number = _calibrate(self.call, 0.05)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(number):
                self.call()
            samples.append((time.perf_counter() - start) / number)
        return 1e3 * statistics.median(samples) / self.cfg.steps_per_iteration()

    track_ms_per_step.unit = "ms / step"


class AdamEpochSpeedup(Benchmark):
    """NumPy time / fastbackprop time of an epoch, alternating in one process."""
    param_names = ["config"]
    params = [MINIBATCH_CONFIG_NAMES]

    def setup(self, config):
        _, self.fast, self.numpy = _epoch_case(config)
        self.fast()
        self.numpy()

    def track_speedup(self, config):
        return speedup(self.fast, self.numpy, rounds=5, min_time=0.05)

    track_speedup.unit = "x NumPy"
