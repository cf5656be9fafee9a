"""The course drop-in, ``fastbackprop.course``, against the course's own NumPy formulation
(``fastbackprop.baseline``): L_model_forward, L_model_backward and L_layer_model, as a notebook
calls them (course dicts and caches, a new array per result).

The course's networks are relu + sigmoid in float64, so only the registry's relu configurations
that list float64 run (b, c, e); the others are skipped. Skipped entirely, with the reason, when
``fastbackprop.course`` cannot be imported (a commit before it existed).
"""
import contextlib
import io

from .common import CONFIG_NAMES, FIT_ITERATIONS, Benchmark, config, final_cost, speedup

IMPLEMENTATIONS = ["course", "numpy"]
DTYPE = "float64"


def _quiet(L_layer_model, *args):
    """The trained parameters; the course prints the last iteration's cost even with
    print_cost=False, and that line goes to a null stream here (the print itself is timed)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return L_layer_model(*args)[0]


def _course_case(name):
    try:
        from fastbackprop import course
    except ImportError as exc:
        raise NotImplementedError(f"fastbackprop.course is not available: {exc}")
    from fastbackprop import _init, baseline

    cfg = config(name, DTYPE)
    if cfg.hidden_activation != "relu":
        raise NotImplementedError("the course's L-layer networks are relu")
    X, Y = cfg.data(DTYPE)
    dims = list(cfg.layer_dims)
    parameters = _init.initialize(dims, "course", 1, DTYPE)  # initialize_parameters_deep's
    lr, iterations = cfg.learning_rate, FIT_ITERATIONS[cfg.name]
    AL_c, caches_c = course.L_model_forward(X, parameters)
    AL_n, caches_n = baseline.L_model_forward(X, parameters, "relu")

    cases = {
        "course": {
            "forward": lambda: course.L_model_forward(X, parameters),
            "backward": lambda: course.L_model_backward(AL_c, Y, caches_c),
            "L_layer_model": lambda: _quiet(course.L_layer_model, X, Y, dims, lr, iterations),
        },
        "numpy": {
            "forward": lambda: baseline.L_model_forward(X, parameters, "relu"),
            "backward": lambda: baseline.L_model_backward(AL_n, Y, caches_n, "relu"),
            "L_layer_model": lambda: baseline.train(X, Y, parameters, "relu", lr, iterations)[0],
        },
    }
    for impl in cases.values():  # compile/load the kernels, touch the arrays
        impl["forward"]()
        impl["backward"]()
    return X, Y, cases


class Course(Benchmark):
    """``from fastbackprop.course import ...`` against ``from fastbackprop.baseline import ...``;
    L_layer_model runs ``common.FIT_ITERATIONS[config]`` iterations from the course's seed-1
    initialisation (the baseline twin is ``baseline.train`` from the same parameters)."""
    param_names = ["implementation", "config"]
    params = [IMPLEMENTATIONS, CONFIG_NAMES]

    def setup(self, implementation, config):
        self.X, self.Y, cases = _course_case(config)
        self.case = cases[implementation]

    def time_L_model_forward(self, implementation, config):
        self.case["forward"]()

    def time_L_model_backward(self, implementation, config):
        self.case["backward"]()

    def time_L_layer_model(self, implementation, config):
        self.case["L_layer_model"]()

    def track_final_cost(self, implementation, config):
        return final_cost(self.X, self.Y, self.case["L_layer_model"](), "relu")

    track_final_cost.unit = "cost"


class CourseSpeedup(Benchmark):
    """NumPy time / fastbackprop.course time, alternating in one process."""
    param_names = ["config"]
    params = [CONFIG_NAMES]

    def setup(self, config):
        _, _, self.cases = _course_case(config)

    def _ratio(self, step, **kw):
        return speedup(self.cases["course"][step], self.cases["numpy"][step], **kw)

    def track_speedup_L_model_forward(self, config):
        return self._ratio("forward")

    def track_speedup_L_model_backward(self, config):
        return self._ratio("backward")

    def track_speedup_L_layer_model(self, config):
        return self._ratio("L_layer_model", rounds=3, min_time=0.0)

    track_speedup_L_model_forward.unit = "x NumPy"
    track_speedup_L_model_backward.unit = "x NumPy"
    track_speedup_L_layer_model.unit = "x NumPy"
