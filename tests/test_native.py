"""Calls through a kernel's address (``kernels._native``), as the blocked trainer calls its block
pass: the same results as a direct call, exceptions propagated, from compiled code and from
Python (a kernel's ``py_func``)."""
import numba
import numpy as np
import pytest

from fastbackprop.kernels import _native


@numba.njit
def _scaled_sum(x, scale, offset):
    if offset < 0:
        raise ValueError("offset must be >= 0")
    s = 0.0
    for v in x:
        s += v * scale
    return s + offset


@numba.njit
def _caller(address, x, offsets):
    total = 0.0
    for offset in offsets:
        total += _native.call_float64(address, (x, 0.5, offset))
    return total


@numba.njit
def _count(x):
    return x.size


def test_a_call_through_the_address_is_the_call():
    x = np.arange(5.0)
    address = _native.address_of(_scaled_sum, (x, 0.5, 3))
    assert address == _native.address_of(_scaled_sum, (x, 0.5, 3))  # looked up once
    assert _caller(address, x, np.array([1, 2, 3])) == sum(_scaled_sum(x, 0.5, o) for o in (1, 2, 3))
    # from Python (a trainer's py_func) the dispatcher runs
    assert _native.call_float64(address, (x, 0.5, 3)) == _scaled_sum(x, 0.5, 3)


def test_an_exception_in_the_kernel_reaches_the_caller():
    x = np.arange(5.0)
    address = _native.address_of(_scaled_sum, (x, 0.5, 3))
    with pytest.raises(ValueError, match="offset must be >= 0"):
        _caller(address, x, np.array([1, -1]))


def test_only_float64_kernels_are_called():
    with pytest.raises(TypeError, match="returns int64, not float64"):
        _native.address_of(_count, (np.zeros(3),))

