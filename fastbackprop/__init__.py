"""fastbackprop: dense neural networks trained on the CPU by fused Numba kernels.

- ``fastbackprop.Model``: build, ``fit``, ``predict``, ``save``/``load``;
- ``fastbackprop.course``: the deeplearning.ai course's functions, same names and results, faster;
- ``fastbackprop.baseline``: the pure-NumPy reference every kernel is checked and timed against.

Examples
--------
>>> import fastbackprop
>>> from fastbackprop.datasets import planar_flower
>>> X, Y = planar_flower()
>>> model = fastbackprop.Model([2, 4, 1], hidden_activation="tanh", seed=0)
>>> model = model.fit(X, Y, learning_rate=1.2, num_iterations=1000)
>>> round(float((model.predict(X) == Y).mean()), 1)  # training accuracy
0.9
"""
import importlib.util as _util
import os as _os
import sys as _sys


def _source_checkout_kernels():
    # The wheel maps the repository's top-level `kernels/` to `fastbackprop.kernels`. Imported
    # straight from a source checkout (`python -m fastbackprop` at the repository root), that
    # folder sits beside this one instead: load it under the same name.
    here = _os.path.dirname(_os.path.abspath(__file__))
    source = _os.path.join(_os.path.dirname(here), "kernels")
    if _os.path.isdir(_os.path.join(here, "kernels")) or "fastbackprop.kernels" in _sys.modules \
            or not _os.path.isfile(_os.path.join(source, "_options.py")):
        return
    found = _util.find_spec("fastbackprop.kernels")
    if found is not None and found.origin is not None and _os.path.samefile(
            _os.path.dirname(found.origin), source):  # an editable install of this checkout
        return
    # else this checkout's own kernels, even where an editable install maps another checkout's
    # (an A/B of two checkouts in one environment: tools/cold_fit.py --source)
    spec = _util.spec_from_file_location("fastbackprop.kernels",
                                         _os.path.join(source, "__init__.py"),
                                         submodule_search_locations=[source])
    module = _util.module_from_spec(spec)
    _sys.modules["fastbackprop.kernels"] = module
    spec.loader.exec_module(module)


_source_checkout_kernels()

from ._threads import get_num_threads, set_num_threads  # noqa: E402
from .model import Model  # noqa: E402

__version__ = "0.1.0"
"""This fastbackprop's version (pyproject.toml's ``version``)."""
__all__ = ["Model", "get_num_threads", "set_num_threads", "__version__"]
