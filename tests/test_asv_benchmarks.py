"""The asv suite must not rot: one small point of every asv benchmark runs here, in this process,
the way asv runs it (``setup_cache``, ``setup``, the benchmark, ``teardown``); any error fails.
In-process because asv starts a fresh interpreter per benchmark, which cost CI two minutes for
24 benchmarks; CI's ``asv_check.sh`` still runs ``asv check`` (discovery and signatures, by asv
itself). No timing is judged (docs/development.md, "CI")."""
import importlib
import inspect
import itertools
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.late  # the benchmarks' fits load what the suite compiled

ROOT = Path(__file__).resolve().parents[1] / "asv_benchmarks"

# One parameter point per benchmark, matched as asv's ``--bench`` matches "name(param, ...)".
POINTS = [
    r"'float64', 'a1', 'tanh'\)$",         # forward and backward kernels, their ratios
    r"'float64', 'a1'\)$",                 # the update kernel
    r"'a planar', 'float64'\)$",           # full iteration, fit, their ratios
    r"'e minibatch step'\)$",              # the course drop-in
    r"'h digits-shaped softmax'\)$",       # minibatch Adam epochs (bench_adam), the smallest
    r"'warm', 'float64', 'planar'\)$",     # import + first fit from the numba cache
    r"'planar m=2048'\)$",                 # fit across sizes (the trainer choice)
    r"'planar m=400 b=64'\)$",             # minibatch epochs against NumPy's
]
PREFIXES = ("time_", "track_", "peakmem_", "mem_", "timeraw_")


def _benchmarks():
    """(class, method name, params) for every selected point, as asv names them."""
    sys.path.insert(0, str(ROOT))
    try:
        package = importlib.import_module("benchmarks")
        found = []
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"benchmarks.{info.name}")
            for cls in vars(module).values():
                if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
                    continue
                methods = [n for n in dir(cls) if n.startswith(PREFIXES)]
                grid = [tuple(p) for p in itertools.product(*getattr(cls, "params", [[]]))]
                for name in methods:
                    full = f"{info.name}.{cls.__name__}.{name}"
                    points = [p for p in grid
                              if any(re.search(rx, f"{full}({', '.join(map(repr, p))})")
                                     for rx in POINTS)]
                    found.append(pytest.param(cls, name, points, id=full))
        return found
    finally:
        sys.path.remove(str(ROOT))


BENCHMARKS = _benchmarks()


def test_every_benchmark_is_found():
    assert len(BENCHMARKS) >= 20, [b.id for b in BENCHMARKS]


@pytest.mark.parametrize("cls, name, points", BENCHMARKS)
def test_one_point_of_each_benchmark_runs(cls, name, points):
    assert points, f"no point of {name} matches POINTS: add one (the smallest)"
    bench = cls()
    cache = (bench.setup_cache(),) if hasattr(bench, "setup_cache") else ()
    for params in points:
        args = cache + params
        if hasattr(bench, "setup"):
            bench.setup(*args)
        try:
            result = getattr(bench, name)(*args)
            if name.startswith("timeraw_"):  # asv runs (code, setup) in a fresh interpreter
                code, setup = result if isinstance(result, tuple) else (result, "")
                done = subprocess.run([sys.executable, "-c", f"{setup}\n{code}"],
                                      capture_output=True, text=True, timeout=600)
                assert done.returncode == 0, done.stderr[-2000:]
            elif name.startswith("track_"):
                assert result is not None and result == result, (name, params, result)
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*args)
