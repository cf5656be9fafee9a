"""One full-batch iteration of a whole network (forward, cost, backward, update) on the five
configurations of the registry, against the course's NumPy.

fastbackprop: ``model.fit(X, Y, learning_rate, num_iterations=1)`` on a model made in ``setup``,
i.e. one step through the public API with whatever compiled path ``Model`` picks for the shape
(and its per-call overhead: validation, the divergence check, the thread owner). That is what a
caller stepping once per minibatch gets (configuration e); ``bench_fit`` amortises it over many
iterations. NumPy: ``L_model_forward``, ``compute_cost``, ``L_model_backward``,
``update_parameters`` of ``fastbackprop.baseline``, the textbook loop body.
"""
from .common import CONFIG_NAMES, DTYPES, IMPLEMENTATIONS, Benchmark, config, speedup


def _iteration_case(name, dtype):
    from fastbackprop import Model, baseline

    cfg = config(name, dtype)
    X, Y = cfg.data(dtype)
    parameters = cfg.parameters(dtype)
    act, lr = cfg.hidden_activation, cfg.learning_rate
    model = Model.from_parameters(parameters, act, dtype)
    state = {"parameters": parameters}

    def fast():
        model.fit(X, Y, learning_rate=lr, num_iterations=1, record_every=0, progress=False)

    def numpy():
        AL, caches = baseline.L_model_forward(X, state["parameters"], act)
        baseline.compute_cost(caches[-1][1], Y)
        grads = baseline.L_model_backward(AL, Y, caches, act)
        state["parameters"] = baseline.update_parameters(state["parameters"], grads, lr)

    fast()  # compile or load from the disk cache, make and touch the workspace
    numpy()
    return fast, numpy


class FullIteration(Benchmark):
    """One iteration; the parameters move on from call to call, as in training."""
    param_names = ["implementation", "config", "dtype"]
    params = [IMPLEMENTATIONS, CONFIG_NAMES, DTYPES]

    def setup(self, implementation, config, dtype):
        fast, numpy = _iteration_case(config, dtype)
        self.call = fast if implementation == "fastbackprop" else numpy

    def time_iteration(self, implementation, config, dtype):
        self.call()


class FullIterationSpeedup(Benchmark):
    """NumPy time / fastbackprop time of one iteration, alternating in one process."""
    param_names = ["config", "dtype"]
    params = [CONFIG_NAMES, DTYPES]

    def setup(self, config, dtype):
        self.fast, self.numpy = _iteration_case(config, dtype)

    def track_speedup(self, config, dtype):
        return speedup(self.fast, self.numpy, rounds=5, min_time=0.05)

    track_speedup.unit = "x NumPy"
