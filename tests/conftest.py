import importlib
import os
import pkgutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# CI: a fixed, derandomised profile so a run is reproducible; locally the default explores more.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# No compile-ahead helper processes in the suite: its two workers keep both cores compiling
# already, and a helper per cold fit only adds a third process's start to every compile
# (tests/test_compile_ahead.py turns it on for its own subprocess).
os.environ.setdefault("FASTBACKPROP_COMPILE_AHEAD", "0")

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "identity"]
DTYPES = ["float64", "float32"]
# agreement with the NumPy baseline, relative to the size of the reference array
RTOL = {"float64": 1e-10, "float32": 1e-4}

CATVNONCAT = Path(os.environ.get(
    "FASTBACKPROP_CATVNONCAT",
    Path(__file__).resolve().parents[2] / "shared" / "data" / "catvnoncat"))


def assert_close(actual, expected, dtype, what="", scale=None):
    """|actual - expected| <= rtol * (|expected| + scale), scale = max|expected| unless
    given: relative, but tolerant of entries that are zero up to rounding. For a sum whose terms
    cancel, pass the terms' magnitude (Σ|term|) as ``scale``: rounding is relative to that."""
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    rtol = RTOL[np.dtype(dtype).name]
    if scale is None:
        scale = np.max(np.abs(expected)) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def classification_data(rng, n_x, m, dtype="float64"):
    X = rng.standard_normal((n_x, m)).astype(dtype)
    Y = (rng.random((1, m)) > 0.5).astype(dtype)
    return X, Y


@pytest.fixture(scope="session")
def catvnoncat():
    if not CATVNONCAT.is_dir():
        pytest.skip(f"cat vs non-cat data not found at {CATVNONCAT} "
                    "(set FASTBACKPROP_CATVNONCAT to the folder holding the .h5 files)")
    pytest.importorskip("h5py", reason="reading the course's .h5 files needs h5py")
    from fastbackprop import datasets
    train_x, train_y, test_x, test_y, classes = datasets.load_catvnoncat(CATVNONCAT)
    return (datasets.flatten_images(train_x), train_y.astype(np.float64),
            datasets.flatten_images(test_x), test_y.astype(np.float64))


def all_kernels():
    """Every numba dispatcher defined in a fastbackprop.kernels module, by "module.name"."""
    import fastbackprop.kernels as K
    from numba.core.dispatcher import Dispatcher
    found = {}
    for info in pkgutil.iter_modules(K.__path__):
        module = importlib.import_module(f"{K.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = obj
    return found


def pytest_collection_modifyitems(items):
    """The tests marked ``late``, then the dask tests, last: their subprocesses (and dask's
    worker processes) then load from numba's on-disk cache the kernels the rest of the suite
    compiled (cold, the dask tests took about 2 minutes first in the collection; the thread-count
    test's first process 80 s). The dask tests share one LocalCluster (a module fixture): under
    ``--dist worksteal`` the last tests of the collection are the tail of the second xdist
    worker's queue, which the other steals from as a block (a steal that splits them starts a
    second cluster)."""
    items.sort(key=lambda item: (item.path.name == "test_dask.py",  # stable: order kept else
                                 item.get_closest_marker("late") is not None))
