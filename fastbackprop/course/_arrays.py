"""Input conversion shared by the course modules.

The kernels take C-contiguous float64 (or float32) arrays. The course's functions accept whatever
NumPy accepts (uint8 or boolean labels, transposed views, lists), so inputs are converted here,
with a copy only when needed, and never modified.
"""
import numpy as np


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(*values):
    """The dtype NumPy's arithmetic would give these inputs, as float32 or float64."""
    # the usual case first, arrays of one float dtype: np.result_type dominated a small layer's
    # call (see docs/performance.md, "float_dtype's shortcut for arrays of one float dtype")
    dt = getattr(values[0], "dtype", None)
    if dt in _FLOATS:
        for v in values:
            if type(v) is not np.ndarray or v.dtype != dt:
                break
        else:
            return dt
    dt = np.result_type(*[np.asarray(v).dtype for v in values], np.float32)
    return dt if dt in (np.float32, np.float64) else np.dtype(np.float64)


def as_c(value, dtype):
    """C-contiguous array of dtype (the caller's array itself when it already is one)."""
    return np.ascontiguousarray(value, dtype=dtype)


def check_matmul(W, A, b, where):
    """W (n, k), A (k, m), b (n, 1) (b None: not checked): the shapes of Z = W·A + b."""
    if W.ndim != 2 or A.ndim != 2 or W.shape[1] != A.shape[0]:
        raise ValueError(f"{where}: W {W.shape} and A_prev {A.shape} do not chain "
                         "(W is (n_l, n_l-1), A_prev is (n_l-1, m))")
    if b is not None and b.shape != (W.shape[0], 1):
        raise ValueError(f"{where}: b must have shape ({W.shape[0]}, 1), got {b.shape}")
