"""Calls through a kernel's address (``kernels._native``), as the blocked trainer calls its block
pass: the same results as a direct call, exceptions propagated, arguments checked against the
signature at compile time, from compiled code and from Python (a kernel's ``py_func``)."""
import numba
import numpy as np
import pytest
from numba.core.errors import TypingError

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
def _fill(x, value):
    x[:] = value


@numba.njit
def _caller(kernel, x, offsets):
    total = 0.0
    for offset in offsets:
        total += _native.call(kernel, (x, 0.5, offset))
    return total


@numba.njit
def _fill_caller(kernel, x):
    _native.call(kernel, (x, 2.0))


@numba.njit
def _wrong_caller(kernel, x):
    return _native.call(kernel, (x, 0.5, 1.5))  # a float offset: not the compiled signature


def test_a_call_through_the_address_is_the_call():
    x = np.arange(5.0)
    kernel = _native.native(_scaled_sum, (x, 0.5, 3))
    assert kernel is _native.native(_scaled_sum, (x, 0.5, 3))  # compiled and looked up once
    assert _caller(kernel, x, np.array([1, 2, 3])) == sum(_scaled_sum(x, 0.5, o) for o in (1, 2, 3))
    # from Python (a trainer's py_func) the dispatcher runs
    assert _native.call(kernel, (x, 0.5, 3)) == _scaled_sum(x, 0.5, 3)
    filled = np.zeros(4)
    _fill_caller(_native.native(_fill, (filled, 2.0)), filled)  # no return value
    assert (filled == 2.0).all()


def test_an_exception_in_the_kernel_reaches_the_caller():
    x = np.arange(5.0)
    kernel = _native.native(_scaled_sum, (x, 0.5, 3))
    with pytest.raises(ValueError, match="offset must be >= 0"):
        _caller(kernel, x, np.array([1, -1]))


def test_arguments_other_than_the_signature_do_not_compile():
    x = np.arange(5.0)
    with pytest.raises(TypingError, match="called with"):
        _wrong_caller(_native.native(_scaled_sum, (x, 0.5, 3)), x)
