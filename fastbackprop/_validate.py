"""Checks on user input. Every error names the argument and says what was expected.

Arrays are never modified: conversion makes a C-contiguous copy in the model's dtype only when the
input is not already one (or is read-only: see ``convert``). The kernels only read X and Y.
Wrong types give TypeError, wrong values ValueError.
"""
import math
import numbers

import numpy as np

from .kernels import CODES

ACTIVATIONS = tuple(name for name in CODES if name != "identity") + ("identity",)
DTYPES = ("float32", "float64")


def dtype(value, name="dtype"):
    try:
        dt = np.dtype(value) if value is not None else None
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise TypeError(f"{name} must be 'float32' or 'float64', got {value!r}")
    return dt


def activation(value, name="hidden_activation"):
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(f"{name} must be one of {', '.join(ACTIVATIONS)}; got {value!r}")
    return value


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def layer_dims(value, name="layer_dims"):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of layer sizes such as [2, 4, 1], "
                        f"got {value!r}")
    try:
        dims = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of layer sizes such as [2, 4, 1], "
                        f"got {value!r}") from None
    if len(dims) < 2:
        raise ValueError(f"{name} needs at least two entries (inputs and outputs), got {dims}")
    for d in dims:
        if not _is_int(d) or d <= 0:
            raise ValueError(f"{name} must hold positive integers, got {dims}")
    return [int(d) for d in dims]


def seed(value, name="seed"):
    if value is None:
        return None
    if not _is_int(value) or value < 0:
        raise ValueError(f"{name} must be None or an integer >= 0, got {value!r}")
    return int(value)


def array(value, name):
    """value as an ndarray of real numbers (bool and int included), not yet converted."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers: {exc}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (float, int or bool), "
                        f"got dtype {arr.dtype}")
    return arr


def finite(arr, name):
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")


def convert(arr, dt, name):
    """arr as a C-contiguous, writeable array of dtype dt (no copy when it already is one); a
    value too large for dt is an error, not an overflow warning and an inf.

    Read-only inputs (memmaps opened with mode "r", frozen arrays) are copied once: numba types
    them as a different array type, and each would compile every kernel again."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.ascontiguousarray(arr, dtype=dt)
        if not out.flags.writeable or out.strides != _c_strides(out):
            # a size-1 axis may carry any stride and still be "contiguous" (X.T of one feature):
            # the BLAS takes the stride as a leading dimension and refuses it
            out = out.copy()
    if out.dtype != arr.dtype and not np.isfinite(out).all():
        raise ValueError(f"{name} has values too large for {dt.name} (inf after conversion)")
    return out


def _c_strides(arr):
    strides, step = [], arr.itemsize
    for n in reversed(arr.shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def features(X, n_x, dt, name="X"):
    """X as a C-contiguous (n_x, m) array of dtype dt, m >= 1, finite."""
    arr = array(X, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (features, examples) = ({n_x}, m), "
                         f"got shape {arr.shape}")
    if arr.shape[0] != n_x:
        raise ValueError(f"{name} has {arr.shape[0]} features (rows), but the model is "
                         f"expecting {n_x}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no examples (m = 0): shape {arr.shape}")
    finite(arr, name)
    return convert(arr, dt, name)


def labels(Y, m, dt, name="Y"):
    """Y as a C-contiguous (1, m) array of dtype dt with values in [0, 1]."""
    arr = array(Y, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (1, {m}), got shape {arr.shape}"
                         + (" (reshape it with Y.reshape(1, -1))" if arr.ndim == 1 else ""))
    if arr.shape != (1, m):
        raise ValueError(f"{name} must have shape (1, {m}) to match X, got {arr.shape}")
    finite(arr, name)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{name} must hold labels in [0, 1], got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return convert(arr, dt, name)


def learning_rate(value, name="learning_rate"):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number >= 0, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def count(value, name, minimum=0):
    if not _is_int(value):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# -- the engine's options: heads, optimizers, penalties (see docs/engine.md) -------------------

OUTPUTS = ("sigmoid", "softmax", "identity")
OPTIMIZERS = ("gd", "momentum", "adam", "sgd_momentum", "nesterov")


def output(value, layer_dims, name="output"):
    """The output head's name; softmax needs two output units or more."""
    if not isinstance(value, str) or value not in OUTPUTS:
        raise ValueError(f"{name} must be one of {', '.join(OUTPUTS)}; got {value!r}")
    if value == "softmax" and layer_dims[-1] < 2:
        raise ValueError(f"{name}='softmax' needs layer_dims[-1] >= 2 output units (one per "
                         f"class), got layer_dims {layer_dims}; use output='sigmoid' for two "
                         f"classes with one unit")
    return value


def optimizer(value, name="optimizer"):
    if not isinstance(value, str) or value not in OPTIMIZERS:
        raise ValueError(f"{name} must be one of {', '.join(OPTIMIZERS)}; got {value!r}")
    return value


def real(value, name, low, high, low_open=False, high_open=False):
    """A finite real number in the interval [low, high] (ends open as asked)."""
    if type(value) is not float and (  # float first: fit checks a dozen of them per call
            isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if (not math.isfinite(value) and not (high == math.inf and value == math.inf)) \
            or value < low or value > high or (low_open and value == low) \
            or (high_open and value == high):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def targets(Y, m, dt, head, n_out, name="Y"):
    """Y for the head, as a C-contiguous (n_out, m) array of dtype dt.

    sigmoid: (n_out, m) in [0, 1]. softmax: one-hot (n_out, m), or integer labels (1, m) or (m,)
    in [0, n_out), made one-hot here. identity: (n_out, m) real numbers."""
    if head == "softmax":
        arr = array(Y, name)
        if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[0] == 1):
            labels = arr.reshape(-1)
            if labels.size != m:
                raise ValueError(f"{name} holds {labels.size} class labels, but X has {m} "
                                 f"examples")
            finite(labels, name)
            if not np.array_equal(labels, np.round(labels)) or labels.min() < 0 \
                    or labels.max() >= n_out:
                raise ValueError(f"{name} must hold integer class labels in [0, {n_out}) "
                                 f"(layer_dims[-1] = {n_out} classes), got values in "
                                 f"[{labels.min()}, {labels.max()}]")
            one_hot = np.zeros((n_out, m), dt)
            one_hot[labels.astype(np.int64), np.arange(m)] = 1
            return one_hot
        if arr.ndim != 2:
            raise ValueError(f"{name} must be one-hot ({n_out}, {m}) or class labels (1, {m}) "
                             f"or ({m},), got shape {arr.shape}")
        if arr.shape[0] != n_out:
            raise ValueError(f"{name} has {arr.shape[0]} one-hot rows, but the model has "
                             f"{n_out} classes (layer_dims[-1]); pass ({n_out}, {m}) one-hot "
                             f"or (1, {m}) integer labels")
        if arr.shape[1] != m:
            raise ValueError(f"{name} must have shape ({n_out}, {m}) to match X, got "
                             f"{arr.shape}")
        # NaN and inf fail the range test, so the finite check runs only to name the error
        # (fewer passes over Y: a fit per epoch checks it every call)
        in_range = arr.min() >= 0 and arr.max() <= 1
        if not in_range:
            finite(arr, name)
        if not in_range or np.abs(arr.sum(axis=0) - 1).max() > 1e-5 + 1e-8:  # np.allclose's
            raise ValueError(f"{name} must be one-hot (or class probabilities): columns of "
                             f"values in [0, 1] summing to 1")
        return convert(arr, dt, name)
    arr = array(Y, name)
    shape = (n_out, m)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape {shape}, got shape {arr.shape}"
                         + (" (reshape it with Y.reshape(1, -1))" if arr.ndim == 1 else ""))
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} to match X, got {arr.shape}"
                         + (f" ({n_out} output units)" if n_out > 1 else ""))
    finite(arr, name)
    if head == "sigmoid" and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(f"{name} must hold labels in [0, 1], got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return convert(arr, dt, name)


def flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
