"""fastbackprop: dense neural networks trained on the CPU by fused Numba kernels.

- ``fastbackprop.Model``: build, ``fit``, ``predict``, ``save``/``load``;
- ``fastbackprop.course``: the deeplearning.ai course's functions, same names and results, faster;
- ``fastbackprop.baseline``: the pure-NumPy reference every kernel is checked and timed against.
"""
from .model import Model

__version__ = "0.1.0"
__all__ = ["Model", "__version__"]
