"""The speed-motivated kernels: vectorised tanh/sigmoid, fixed-order sums, the blocked trainer."""
import inspect

import numba
import numpy as np
import pytest

from fastbackprop import Model, _plan, baseline
from fastbackprop import kernels as K
from fastbackprop.kernels import blocked, optim
from fastbackprop.kernels._options import static
# the plain sigmoid head and gradient descent as the plan passes them (one compiled trainer
# with the model fits')
from fastbackprop.kernels.heads import SIGMOID, kernel_head

from conftest import ACTIVATIONS, DTYPES, assert_close, classification_data

SIGMOID_HEAD = kernel_head(SIGMOID)

TINY = np.finfo(np.float64).smallest_subnormal
SPECIAL = [0.0, -0.0, TINY, -TINY, 1e-310, -1e-310, 1e-300, 1e-20, -1e-8, 0.34657, -0.34658,
           0.5, 1.0, -3.0, 18.0, 19.06, -19.1, 20.0, -20.0, 22.0, 40.0, 700.0, 800.0, -800.0,
           1e300, -1e300]


def _wide_range():
    rng = np.random.default_rng(3)
    return np.concatenate([SPECIAL, rng.standard_normal(20000) * 3,
                           rng.uniform(-25, 25, 20000), 10.0 ** rng.uniform(-310, 2, 5000)])


def _tanh(x):
    Z = np.ascontiguousarray(x, np.float64)[None, :].copy()
    A = np.empty_like(Z)
    K.activations.add_bias_activate(Z, np.full((1, 1), -0.0), K.TANH, A)  # z + -0.0 == z
    return A[0]


def test_vectorised_tanh_matches_numpy_over_a_wide_range():
    x = _wide_range()
    got, ref = _tanh(x), np.tanh(x)
    nz = ref != 0
    assert np.max(np.abs(got[nz] - ref[nz]) / np.abs(ref[nz])) <= 1e-15
    assert np.array_equal(got[~nz], ref[~nz])
    assert np.array_equal(np.signbit(got), np.signbit(ref))  # tanh(-0.0) is -0.0
    # denormals come back exactly (tanh z = z to within half an ulp there)
    assert _tanh(np.array([TINY, -TINY, 1e-310]))[2] == 1e-310
    assert _tanh(np.array([TINY]))[0] == TINY
    assert np.all(np.abs(_tanh(np.array([20.0, -20.0, 800.0, -800.0]))) == 1.0)
    out = _tanh(np.array([np.nan, np.inf, -np.inf]))
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == -1.0


def test_float32_tanh_in_float32_arithmetic_is_accurate():
    """Hidden tanh layers of float32 networks use ``vecmath.tanh32`` (16 lanes, not 8)."""
    x = _wide_range()
    x = x[np.abs(x) < 1e38].astype(np.float32)
    x = np.concatenate([x, -x, np.float32([1e-45, -1e-45, 0.0, -0.0, 9.0, -9.0, 12.0])])
    Z = x[None, :].copy()
    A = np.empty_like(Z)
    K.activations.add_bias_activate(Z, np.full((1, 1), -0.0, np.float32), K.TANH, A)
    got, ref = A[0].astype(np.float64), np.tanh(x.astype(np.float64))
    nz = ref != 0
    # a few float32 roundings: 4.3 ulp at most measured (relative 2.9e-7)
    assert np.max(np.abs(got[nz] - ref[nz]) / np.abs(ref[nz])) <= 5e-7
    assert np.array_equal(np.signbit(A[0]), np.signbit(x))  # odd, and tanh(-0.0) is -0.0
    assert np.all(np.abs(A[0][np.abs(x) >= 10]) == 1)
    out = A[0][np.isin(x, np.float32([1e-45, 0.0]))]
    assert np.all(np.abs(out) == np.abs(x[np.isin(x, np.float32([1e-45, 0.0]))]))
    nan = np.float32([np.nan, np.inf, -np.inf])[None, :]
    K.activations.add_bias_activate(nan.copy(), np.zeros((1, 1), np.float32), K.TANH, nan)
    assert np.isnan(nan[0, 0]) and nan[0, 1] == 1 and nan[0, 2] == -1


@pytest.mark.parametrize("dtype", DTYPES)
def test_vectorised_sigmoid_matches_baseline(dtype):
    x = _wide_range()
    x = x[np.abs(x) < 1e4].astype(dtype)[None, :]
    Y = np.zeros_like(x)
    AL, dZ = np.empty_like(x), np.empty_like(x)
    K.sigmoid_output_delta(x, Y, AL, dZ)
    ref = baseline.sigmoid(x.astype(np.float64))
    normal = ref > 1e-300  # below that, both are in the subnormal range
    rel = np.abs(AL.astype(np.float64)[normal] - ref[normal]) / ref[normal]
    assert rel.max() <= (1e-15 if dtype == "float64" else 1e-7)
    assert np.all(AL[x >= 745] == 1) and np.all(AL[x <= -746] == 0)
    assert np.array_equal(AL, dZ)


def test_fixed_order_sums_do_not_depend_on_alignment_and_are_accurate(rng):
    dZ = rng.standard_normal((3, 37))
    A = np.ones((3, 37))
    db = np.empty((3, 1))
    K.activations.activation_backward_db(dZ, A, K.IDENTITY, 1.0, np.empty_like(dZ), db)
    np.testing.assert_allclose(db[:, 0], dZ.sum(axis=1), rtol=1e-14)


def _train_blocked(dims, X, Y, act, dtype, lr, steps, block, group=None):
    model = Model(dims, act, dtype=dtype, seed=5)
    start = model.parameters
    m = X.shape[1]
    ws = blocked.make_blocked_workspace(dims, m, dtype, block=block, group=group)
    theta = model._theta
    cost = blocked.run_blocked(theta, model._dims, ws, X, Y, K.CODES[act], SIGMOID_HEAD,
                               static(optim.GD), optim.make_hyper(lr),
                               np.zeros((0, theta.size)), None, steps)
    np.testing.assert_array_equal(ws.Xt, X.T)  # filled block by block at the first step
    return model, start, cost, ws


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_blocked_trainer_matches_baseline(activation, dtype, rng):
    """Several blocks and a short last one, in groups of two blocks and a short last group:
    parameters and the first cost agree with NumPy."""
    dims = [7, 12, 5, 1]
    X, Y = classification_data(rng, 7, 300, dtype)
    model, start, cost, ws = _train_blocked(dims, X, Y, activation, dtype, 0.1, 30, 64, 2)
    assert (ws.n_blocks, ws.n_groups) == (5, 3)
    ref, costs = baseline.train(X, Y, start, activation, 0.1, 30, record_every=1)
    for key in ref:
        assert model.parameters[key].dtype == np.dtype(dtype)
        assert_close(model.parameters[key], ref[key], dtype, key)
    assert cost == pytest.approx(costs[0][1], rel=1e-12 if dtype == "float64" else 1e-5)
    assert costs[-1][1] < costs[0][1]
    # tanh and sigmoid are compiled into the trainer only for themselves (sigmoidal_flag)
    flag = blocked.sigmoidal_flag(K.CODES[activation])
    assert flag is (True if activation in ("tanh", "sigmoid") else None)
    at = list(inspect.signature(blocked.train_steps_blocked.py_func).parameters).index(
        "sigmoidal")
    assert any(sig[at] == numba.typeof(flag) and str(sig[0].dtype) == dtype
               for sig in blocked.train_steps_blocked.signatures)


@pytest.mark.parametrize("dtype", DTYPES)
def test_blocked_forward_reads_W_or_its_transpose(dtype, rng, monkeypatch):
    """A layer's forward reads a copy of Wᵀ when its block product is small (SMALL_GEMM), else W
    itself: both agree with NumPy, and the plan picks the layers as documented."""
    at, size = blocked.transposed_layers([100, 64, 64, 1], 128)  # config c's layers
    assert at.tolist() == [-1, 0, 6400, 10496] and size == 10560
    at, _ = blocked.transposed_layers([1024, 1024, 1], 1024)     # config d's: all packed anyway
    assert at.tolist() == [-1, -1, -1]
    at, _ = blocked.transposed_layers([12288, 20, 7, 1], 112)    # the cat net's narrow W1: no
    assert at.tolist() == [-1, -1, 0, 140]
    dims = [7, 12, 5, 1]
    X, Y = classification_data(rng, 7, 300, dtype)
    ref, _ = baseline.train(X, Y, Model(dims, "relu", dtype=dtype, seed=5).parameters, "relu",
                            0.1, 30, record_every=0)
    for small_gemm in (blocked.SMALL_GEMM, 0):
        monkeypatch.setattr(blocked, "SMALL_GEMM", small_gemm)
        model, _, _, ws = _train_blocked(dims, X, Y, "relu", dtype, 0.1, 30, 64, 2)
        assert (ws.Wt_at[1:] >= 0).all() if small_gemm else (ws.Wt_at == -1).all()
        for key in ref:
            assert_close(model.parameters[key], ref[key], dtype, key)


@pytest.mark.parametrize("dtype", DTYPES)
def test_serial_trainer_with_split_products_matches_baseline(dtype, rng):
    """Few examples, large layers: the serial trainer, every product split into parallel parts,
    each W updated inside its dW product (alpha = -α/m, beta = 1) after dA_prev has used it."""
    dims = [300, 256, 128, 1]
    X, Y = classification_data(rng, 300, 64, dtype)
    assert not blocked.use_blocked(dims, 64)
    assert K.dense.row_parts(256, 300, 64) == 4   # Z1 and the W1 update
    assert K.dense.row_parts(256, 128, 64) == 4   # dA1 = W2ᵀ·dZ2
    assert K.dense.row_parts(128, 64, 256) == 2   # the W2 update
    model = Model(dims, "relu", dtype=dtype, seed=2)
    start = model.parameters
    model.fit(X, Y, learning_rate=0.05, num_iterations=4, record_every=1)
    ref, costs = baseline.train(X, Y, start, "relu", 0.05, 4, record_every=1)
    for key in ref:
        assert_close(model.parameters[key], ref[key], dtype, key)
    assert_close([c for _, c in model.costs], [c for _, c in costs], dtype, "costs")


@pytest.mark.parametrize("dims, m, expected", [
    ((2, 4, 1), 400, False),           # config a: tiny layers, the serial trainer's loops
    ((2, 4, 1), 4096, False),          # tiny net, activations within SERIAL_VALUES
    ((2, 4, 1), 8192, True),           # past it
    ((4, 8, 4, 1), 32768, True),       # tiny net, activations out of cache: blocks on all cores
    ((784, 256, 128, 1), 64, False),   # config e: too few examples for two blocks
    ((784, 256, 128, 1), 512, False),  # the serial trainer splits W1's products over 4 parts
    ((100, 64, 64, 1), 128, False),    # products small enough for the unpacked BLAS kernels
    ((100, 64, 64, 1), 256, True),     # larger, and 64 rows cannot be split: blocks
    ((12288, 20, 7, 5, 1), 209, True),   # config b: 20 rows cannot be split
    ((1024, 1024, 1024, 1), 2048, True),  # config d: many examples
])
def test_trainer_choice(dims, m, expected):
    """The trainer is picked from the shapes alone (``blocked.use_blocked``): the cases its rule
    was measured on."""
    assert blocked.use_blocked(dims, m) is expected


@pytest.mark.parametrize("dims, m, expected", [
    ((784, 256, 128, 10), 128, True),  # config f's batches: the epilogue over 235 k parameters
    ((784, 256, 128, 10), 64, False),  # too few examples a block
    ((8, 64, 64, 1), 200, True),       # config g's batches
    ((64, 100, 10), 128, True),
    ((20, 16, 8, 1), 512, False),      # too few multiply-adds for the blocks' overhead
    ((2, 4, 1), 512, False),           # tiny net: the serial loops
])
def test_trainer_choice_with_a_stateful_optimizer(dims, m, expected):
    """Momentum and Adam take the blocked trainer from fewer examples (``STATEFUL_MIN_M``,
    ``STATEFUL_MIN_MACS``), and the plan passes the optimizer on."""
    assert blocked.use_blocked(dims, m, stateful=True) is expected
    path = _plan.plan(dims, 10 * m, m, "float32", "relu", "sigmoid", "adam").path
    assert path == ("blocked_minibatch" if expected else "serial_minibatch")
    assert _plan.plan(dims, 10 * m, m, "float32", "relu", "sigmoid", "gd").path == (
        "blocked_minibatch" if blocked.use_blocked(dims, m) else "serial_minibatch")


def test_blocked_result_depends_on_block_plan_only(rng):
    """Same block plan → bitwise equal; the fit path uses the blocked trainer for large m."""
    dims = [9, 8, 1]  # W1 above SMALL_W: not a tiny net, which would stay serial
    X, Y = classification_data(rng, 9, 1100)
    a, _, _, _ = _train_blocked(dims, X, Y, "relu", "float64", 0.05, 5, 128)
    b, _, _, _ = _train_blocked(dims, X, Y, "relu", "float64", 0.05, 5, 128)
    np.testing.assert_array_equal(a._theta, b._theta)
    assert blocked.use_blocked(dims, 1100)
    fitted = Model(dims, "relu", seed=5).fit(X, Y, learning_rate=0.05, num_iterations=5,
                                             record_every=1)
    assert fitted._trainer.plan.path == "blocked"
    ref, costs = baseline.train(X, Y, Model(dims, "relu", seed=5).parameters, "relu", 0.05, 5,
                                record_every=1)
    for key in ref:
        assert_close(fitted.parameters[key], ref[key], "float64", key)
    assert_close([c for _, c in fitted.costs], [c for _, c in costs], "float64", "costs")


def test_block_plan_is_a_function_of_shapes():
    block, n_blocks = blocked.block_plan([100, 64, 64, 1], 16384, "float64")
    assert block * n_blocks >= 16384 > block * (n_blocks - 1) and n_blocks >= 2
    group, n_groups = blocked.group_plan([100, 64, 64, 1], n_blocks, "float64")
    assert n_groups <= blocked.GROUPS and group * n_groups >= n_blocks > group * (n_groups - 1)
    # c's 64 × 64 layers: blocks of CACHE_ROWS rows in both dtypes; smaller W, larger blocks
    for dtype in ("float64", "float32"):
        assert blocked.block_plan([100] + [64] * 6 + [1], 16384, dtype) == (128, 128)
    assert blocked.block_plan([20, 16, 8, 1], 20000, "float64") == (1000, 20)
    # never one block when there are examples for two: one core would do all the work
    assert blocked.block_plan([20, 16, 8, 1], 1024, "float64") == (512, 2)
    assert blocked.block_plan([2, 4, 1], 8192, "float64") == (4096, 2)
    assert blocked.block_plan([2, 4, 1], 2 * blocked.MIN_BLOCK - 8, "float64")[1] == 1
    # many examples: blocks stay cache-sized, the group partials bounded
    dims = [784, 128, 64, 10]
    block, n_blocks = blocked.block_plan(dims, 600_000, "float64")
    assert block <= blocked.MAX_BLOCK and n_blocks * block >= 600_000
    group, n_groups = blocked.group_plan(dims, n_blocks, "float64")
    assert n_groups <= blocked.GROUPS and group * n_groups >= n_blocks > group * (n_groups - 1)
    # wide layers: few groups, so the partials stay bounded
    dims = [1024, 1024, 1024, 1]
    block, n_blocks = blocked.block_plan(dims, 2048, "float32")
    group, n_groups = blocked.group_plan(dims, n_blocks, "float32")
    assert n_groups * K.n_parameters(dims) * 4 <= max(blocked.PARTIALS_BYTES,
                                                       2 * K.n_parameters(dims) * 4)


_ALLOC_SCRIPT = r"""
import numpy as np
from numba.core.runtime import rtsys
from fastbackprop import Model
# the serial trainer (row-split products), the blocked trainer, the blocked trainer with W1
# updated by columns, and minibatch epochs (batches of 64, the last of 58); then the engine's
# features (softmax, Adam, L2, dropout) on the serial and the blocked trainer, and on the
# blocked trainer's minibatch epochs (batches of 200 gathered by the lanes, the last of 100)
ADAM = dict(optimizer="adam", lambd=0.1, keep_prob=0.8)
for dims, m, b, output, options in (
        ([300, 512, 8, 1], 100, None, "sigmoid", {}),
        ([300, 512, 8, 1], 1500, None, "sigmoid", {}),
        ([1100, 6, 3, 1], 1500, None, "sigmoid", {}),
        ([300, 512, 8, 1], 250, 64, "sigmoid", {}),
        ([30, 16, 3], 100, None, "softmax", ADAM),
        ([30, 16, 3], 1500, None, "softmax", ADAM),
        ([30, 16, 3], 1500, 200, "softmax", dict(ADAM, path="blocked_minibatch"))):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((dims[0], m))
    Y = rng.integers(0, dims[-1], m) if output == "softmax" else (
        rng.random((1, m)) > 0.5).astype(float)
    model = Model(dims, "tanh", output=output, seed=0).fit(X, Y, num_iterations=2,
                                                           batch_size=b, **options)
    trainer = model._trainer
    counts = []
    for n in (2, 4):
        before = rtsys.get_allocation_stats()
        trainer.steps(n, 0)
        after = rtsys.get_allocation_stats()
        counts.append(after.alloc - before.alloc)
    ws = trainer.ws
    print(trainer.plan.path + ("+dZ1" if getattr(ws, "dZ1", None) is not None else ""),
          *counts)
"""


@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_no_heap_allocation_per_iteration():
    """numba's own allocation counter (NUMBA_NRT_STATS): twice the iterations, not one more
    allocation, in both trainers and in their minibatch epochs (what a call allocates is the
    argument boxing at its boundary)."""
    import os
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", _ALLOC_SCRIPT], capture_output=True, text=True,
                          env=dict(os.environ, NUMBA_NRT_STATS="1"), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    assert [line[0] for line in lines] == ["serial", "blocked", "blocked+dZ1",
                                           "serial_minibatch", "serial", "blocked",
                                           "blocked_minibatch"]
    from fastbackprop.kernels import dense
    assert dense.row_parts(512, 300, 100) > 1  # the serial case runs the parallel row split
    for _, two, four in lines:
        assert int(two) == int(four)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_rows_copies_exactly_its_rows(dtype, rng):
    """Rows of X left over from the runs of eight, fewer than eight rows, a strided X, and
    ranges of examples: Xt[r0:r1] is exactly X[:, r0:r1].T, and no other row of Xt is touched."""
    X = rng.standard_normal((77, 131)).astype(dtype)
    for source in (X, X[:, 3:100], X[5:7]):
        m = source.shape[1]
        for r0, r1 in ((0, m), (1, 2), (m // 3, m - 5)):
            Xt = np.full(source.shape[::-1], np.nan, dtype)
            blocked._transpose_rows(source, Xt, r0, r1)
            np.testing.assert_array_equal(Xt[r0:r1], source[:, r0:r1].T)
            assert np.isnan(Xt[:r0]).all() and np.isnan(Xt[r1:]).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_merge_tasks_keep_the_transposed_weights_of_what_they_update(dtype, rng):
    """Merge tasks over parameter ranges that start and end inside rows of W, in one row, and
    across layers: afterwards each transposed W's copy in Wt (layers 1 and 3 here, not 2) is
    the transpose of the updated W."""
    dims = np.array([7, 13, 5, 3], np.int64)
    size = K.n_parameters(dims)
    Wt_at = np.array([-1, 0, -1, 7 * 13], np.int64)  # layers 1 and 3 transposed, 2 not
    P = rng.standard_normal((2, size)).astype(dtype)
    for bounds in ([0, size], [0, 3, 10, 100, 101, 163, size], [0, 64, 128, 160, size]):
        theta = rng.standard_normal(size).astype(dtype)
        Wt = np.full(7 * 13 + 5 * 3, np.nan, dtype)
        grad = np.zeros(size, dtype)
        for p0, p1 in zip(bounds[:-1], bounds[1:]):
            blocked._merge_update(theta, dims, P, 2, grad, p0, p1, 0.5, static(optim.GD),
                                  optim.make_hyper(0.1), np.zeros((0, 0), dtype), Wt, Wt_at)
        W1 = theta[:91].reshape(13, 7)
        W3 = theta[91 + 13 + 65 + 5:91 + 13 + 65 + 5 + 15].reshape(3, 5)
        np.testing.assert_array_equal(Wt[:91].reshape(7, 13), W1.T)
        np.testing.assert_array_equal(Wt[91:].reshape(5, 3), W3.T)


@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow_forward_matches_numpy(dtype, rng):
    """The few-units, many-inputs product, with rows and units left over from its 4×4 tiles."""
    for rows, n in ((11, 7), (8, 4), (3, 2)):
        A = rng.standard_normal((rows, 1031)).astype(dtype)
        W = rng.standard_normal((n, 1031)).astype(dtype)
        Z = np.full((rows, n), np.nan, dtype)
        K.narrow.forward_nt(A, W, Z)
        assert_close(Z, A.astype(float) @ W.T.astype(float), dtype, f"Z {rows}x{n}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_blocked_trainer_with_a_narrow_first_layer_matches_baseline(dtype, rng):
    """The cat-net shape in small: 1100 inputs into 6 units, so layer 1 runs narrow.forward_nt,
    and W1 is updated by columns after all the blocks, in three parts (512, 512, 76), each
    inside its product over all m examples; the other layers through the group partials (five
    blocks in groups of two, so partials are also added to)."""
    dims = [1100, 6, 3, 1]
    assert dims[1] <= K.narrow.MAX_UNITS and dims[0] >= K.narrow.MIN_INPUTS
    # the flags the trainer is compiled for: forward_nt and W1 by columns in it, else out of it
    assert blocked.narrow_layers(dims) is True and blocked.narrow_layers([100, 64, 1]) is None
    assert blocked.first_layer_by_columns(dims) is True
    assert blocked.first_layer_by_columns([12288, 20, 7, 5, 1])  # the cat net
    assert blocked.first_layer_by_columns([100, 64, 1]) is None
    assert blocked.first_layer_by_columns([1100, 6]) is None  # one layer: its dZ is the output's
    X, Y = classification_data(rng, 1100, 300, dtype)
    X = X * 0.05
    model, start, cost, ws = _train_blocked(dims, X, Y, "relu", dtype, 0.05, 10, 64, 2)
    assert (ws.n_blocks, ws.n_groups) == (5, 3) and ws.dZ1.shape == (300, 6)
    assert -(-dims[0] // blocked.COLUMN_PART) == 3
    # the flag reached the trainer as a boolean (not None), so forward_nt is compiled in and runs
    at = list(inspect.signature(blocked.train_steps_blocked.py_func).parameters).index(
        "use_narrow")
    assert ws.narrow is True and any(
        sig[at] == numba.types.boolean and str(sig[0].dtype) == dtype
        for sig in blocked.train_steps_blocked.signatures)
    ref, costs = baseline.train(X, Y, start, "relu", 0.05, 10, record_every=1)
    for key in ref:
        assert_close(model.parameters[key], ref[key], dtype, key)
    assert cost == pytest.approx(costs[0][1], rel=1e-12 if dtype == "float64" else 1e-5)


def test_the_plan_compiles_one_head_one_optimizer_and_parallel_parts_only_where_they_run():
    """The plan's codes are Statics (numba types them as their literal: one compiled trainer
    per head and optimizer, docs/engine.md "Compile only what a fit uses"), the plain sigmoid
    head None, and ``split`` None unless some product of the step would run as parallel parts."""
    from numba import types
    from fastbackprop.kernels._options import Static
    p = _plan.plan([4, 3, 3], 10, None, "float64", "relu", "softmax", "adam")
    assert isinstance(p.head, Static) and isinstance(p.optimizer, Static)
    assert numba.typeof(p.head) == types.IntegerLiteral(1)
    assert numba.typeof(p.optimizer) == types.IntegerLiteral(optim.ADAM)
    assert _plan.plan([4, 3, 1], 10, None, "float64", "relu", "sigmoid", "gd").head is None
    assert p.split is None  # no product of 4·3·10 is split
    big = _plan.plan([512, 300, 1], 100, None, "float64", "relu", "sigmoid", "gd", path="serial")
    assert big.split is True and K.dense.row_parts(300, 512, 100) > 1
