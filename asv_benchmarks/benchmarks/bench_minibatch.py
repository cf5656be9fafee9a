"""``Model.fit(batch_size=…)`` against the course-style NumPy minibatch loop
(``baseline.train_minibatch``, the same shuffles), one epoch per call, alternating in one process.

Cases (float64): config e's net [784, 256, 128, 1] (relu) on 640 examples in batches of 64, and the
planar net [2, 4, 1] (tanh) on its 400 examples in batches of 64 (the last of 16), where a Python
call per batch would cost more than the batch's arithmetic.
"""
from . import bench_sizes

# name: (registry config, m, batch size, epochs per fit call)
CASES = {
    "minibatch e m=640 b=64": ("e", 640, 64, 2),
    "planar m=400 b=64": ("a", 400, 64, 200),
}


def _case(case):
    from fastbackprop import Model, baseline
    from fastbackprop.kernels import minibatch
    name, m, batch_size, epochs = CASES[case]
    X, Y, start, act, lr = bench_sizes.resized(name, m)

    def fast():
        model = Model.from_parameters(start, act, "float64")
        model.fit(X, Y, learning_rate=lr, num_iterations=epochs, batch_size=batch_size,
                  seed=0, record_every=0, progress=False)

    def numpy():
        baseline.train_minibatch(X, Y, start, act, lr, epochs, batch_size,
                                 lambda epoch: minibatch.permutation_of(0, epoch, m), 0)

    return fast, numpy


class MinibatchSpeedup(bench_sizes.FitSpeedupAcrossSizes):
    """NumPy time / fastbackprop time of the same minibatch epochs (timing as its base)."""
    param_names = ["case"]
    params = [list(CASES)]
    make_case = staticmethod(_case)

    def setup(self, case):
        from fastbackprop import baseline
        if not hasattr(baseline, "train_minibatch"):
            raise NotImplementedError("minibatches arrived after this commit")
        super().setup(case)
