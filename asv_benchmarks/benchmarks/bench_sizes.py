"""``Model.fit`` against the NumPy loop on nets and example counts between the configurations:
where the choice of trainer (``kernels.blocked.use_blocked``, serial or blocked) changes, so a
rule that picks the slower one shows up as a drop here.

Cases (float64, relu unless said): config c's net [100, 64×6, 1] on 128, 256 and 1024 examples
(serial, blocked, blocked), and the planar net [2, 4, 1] (tanh) on 2048, 8192 and 32768 (serial,
blocked, blocked). Data and starting parameters from the registry's ``Config`` with layer_dims and
m replaced.
"""
from .common import Benchmark, config, speedup

# name: (registry config, m, iterations per fit call: about 0.1-0.2 s of NumPy time)
SIZES = {
    "narrow-deep m=128": ("c", 128, 200),
    "narrow-deep m=256": ("c", 256, 100),
    "narrow-deep m=1024": ("c", 1024, 20),
    "planar m=2048": ("a", 2048, 2000),
    "planar m=8192": ("a", 8192, 800),
    "planar m=32768": ("a", 32768, 200),
}


def resized(name, m):
    """X, Y, starting parameters, activation and learning rate of the registry's config ``name``
    (float64) with m examples."""
    import dataclasses
    cfg = dataclasses.replace(config(name, "float64"), m=m)
    X, Y = cfg.data("float64")
    return X, Y, cfg.parameters("float64"), cfg.hidden_activation, cfg.learning_rate


def _case(size):
    from fastbackprop import Model, baseline
    name, m, iterations = SIZES[size]
    X, Y, start, act, lr = resized(name, m)

    def fast():
        model = Model.from_parameters(start, act, "float64")
        model.fit(X, Y, learning_rate=lr, num_iterations=iterations, progress=False)

    def numpy():
        baseline.train(X, Y, start, act, lr, iterations)

    return fast, numpy


class FitSpeedupAcrossSizes(Benchmark):
    """NumPy time / fastbackprop time of the same training run, alternating in one process."""
    param_names = ["size"]
    params = [list(SIZES)]
    make_case = staticmethod(_case)  # (fast, numpy) for a parameter value

    def setup(self, size):
        self.fast, self.numpy = self.make_case(size)
        self.fast()  # JIT (from the on-disk cache once warm) and first touch
        self.numpy()

    def track_speedup(self, size):
        return speedup(self.fast, self.numpy, rounds=3, min_time=0.0)

    track_speedup.unit = "x NumPy"
