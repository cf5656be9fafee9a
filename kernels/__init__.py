"""Every ``@njit`` kernel of fastbackprop (imports only numpy and numba).

Arrays are examples-as-columns and C-contiguous: X is (n_x, m), W[l] is (n_l, n_{l-1}), b[l] is
(n_l, 1). Kernels write into buffers they are given and allocate nothing.
"""
from . import narrow
from .activations import CODES, IDENTITY, LEAKY_RELU, LEAKY_SLOPE, RELU, SIGMOID, TANH
from .dense import linear_activation_backward, linear_activation_forward, linear_backward, update
from .loss import sigmoid_cross_entropy, sigmoid_output_delta
from .network import Workspace, make_workspace, n_parameters

__all__ = [
    "CODES", "IDENTITY", "LEAKY_RELU", "LEAKY_SLOPE", "RELU", "SIGMOID", "TANH",
    "linear_activation_forward", "linear_activation_backward", "linear_backward", "update",
    "sigmoid_cross_entropy", "sigmoid_output_delta",
    "Workspace", "make_workspace", "n_parameters",
]
