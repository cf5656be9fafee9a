"""The docstrings' examples run and pass: ``doctest`` on every public module, under plain pytest.

Each module listed must hold examples, so the test cannot pass by finding none. The examples
train the planar [2, 4, 1] net in float64, so numba compiles (or loads from its cache) one set
of kernels for all of them. The global NumPy RNG (which the course's functions seed) and the
default thread count are restored after each module.
"""
import doctest
import importlib
import inspect

import numpy as np
import pytest

import fastbackprop

MODULES = [
    "fastbackprop",
    "fastbackprop._threads",  # set_num_threads, get_num_threads: in fastbackprop.__all__
    "fastbackprop.model",
    "fastbackprop.course",
    "fastbackprop.course.planar",
    "fastbackprop.course2",
    "fastbackprop.course2.initialization",
    "fastbackprop.course2.regularization",
    "fastbackprop.course2.gradient_checking",
    "fastbackprop.course2.gradient_checking_2017",
    "fastbackprop.course2.optimization",
    "fastbackprop.course2.optimization_2017",
    "fastbackprop.datasets",
    "fastbackprop.bench",
    "fastbackprop.configs",
    "fastbackprop.sklearn",
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# a private module's public API: only what the package exports from it
EXPORTED = {"fastbackprop._threads": ["get_num_threads", "set_num_threads"]}


@pytest.fixture
def restored_state():
    rng_state = np.random.get_state()
    n_threads = fastbackprop.get_num_threads()
    yield
    np.random.set_state(rng_state)
    fastbackprop.set_num_threads(n_threads)


@pytest.mark.parametrize("name", MODULES)
def test_examples_pass(name, restored_state):
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = []
    for test in sorted(tests, key=lambda t: t.name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0, "".join(report)


def _public_callables(module):
    """Functions and classes defined in the module (not imported), public by name, and the
    public methods and properties of those classes, as (qualified name, object)."""
    names = EXPORTED.get(module.__name__) or getattr(module, "__all__", None) \
        or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != \
                module.__name__:
            continue
        yield name, obj
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if inspect.isfunction(member) or isinstance(member, property):
                    yield f"{name}.{attr}", member


def _takes_arguments(obj):
    if isinstance(obj, property):
        return False
    if inspect.isclass(obj):
        obj = obj.__init__
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    return any(p not in ("self", "cls") for p in parameters)


@pytest.mark.parametrize("name", MODULES)
def test_public_names_have_numpy_docstrings(name):
    """Every public function, class, method and property has a docstring, and one that takes
    arguments has a numpy-style Parameters section (what mkdocstrings renders)."""
    module = importlib.import_module(name)
    missing, no_parameters = [], []
    for qualname, obj in _public_callables(module):
        doc = inspect.getdoc(obj.fget if isinstance(obj, property) else obj)
        if not doc:
            missing.append(qualname)
        elif _takes_arguments(obj) and "Parameters\n----------" not in doc:
            no_parameters.append(qualname)
    assert not missing, f"{name}: no docstring: {', '.join(missing)}"
    assert not no_parameters, f"{name}: no Parameters section: {', '.join(no_parameters)}"
