"""Property-based checks (hypothesis; derandomised "ci" profile from conftest) and every kernel
against its own pure-Python ``.py_func``.

Beyond tests/test_kernels.py (one layer / one backward pass on standard normals), these drive
the whole compiled training loop and the inference kernels against the NumPy baseline on random
shapes *and value scales*, check gradients against central differences in random directions, and
check that full-batch gradients do not depend on the order of the examples.
(Bitwise equality at 1 and 2 numba threads is tests/test_threads.py's.)
"""
import importlib
import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import fastbackprop.kernels as K
from fastbackprop import Model, baseline
from fastbackprop.kernels import epoch_rule, heads, minibatch, network, optim
from fastbackprop.kernels.dropout import make_dropout
from fastbackprop.kernels._options import static

from conftest import ACTIVATIONS, DTYPES, all_kernels, assert_close

seeds = st.integers(0, 2**32 - 1)
hidden_layers = st.lists(st.integers(1, 9), min_size=0, max_size=3)
scales = st.sampled_from([1e-3, 0.1, 1.0, 10.0, 100.0])


def _case(seed, dtype, activation, n_x, hidden, m, x_scale):
    rng = np.random.default_rng(seed)
    layer_dims = [n_x, *hidden, 1]
    model = Model(layer_dims, activation, dtype=dtype, seed=seed % 1000)
    model._theta += rng.normal(0, 0.1, model._theta.size).astype(dtype)  # biases off zero
    X = (rng.standard_normal((n_x, m)) * x_scale).astype(dtype)
    Y = (rng.random((1, m)) > 0.5).astype(dtype)
    return model, X, Y


def _gradient(model, X, Y):
    ws = K.make_workspace(model.layer_dims, X.shape[1], model.dtype)
    code = K.CODES[model.hidden_activation]
    network.forward(model._theta, model._dims, X, code, ws.acts, _sigmoidal(code))
    network.backward(model._theta, model._dims, X, Y, code, ws.acts, ws.AL, ws.D0, ws.D1,
                     ws.grad)
    return ws.grad.copy()


# -- the compiled training loop and inference against the baseline -----------------------------

@given(st.sampled_from(DTYPES), st.sampled_from(ACTIVATIONS), st.integers(1, 8), hidden_layers,
       st.integers(1, 40), scales, st.integers(1, 4), seeds)
def test_training_and_inference_match_baseline(dtype, activation, n_x, hidden, m, x_scale,
                                               n_steps, seed):
    model, X, Y = _case(seed, dtype, activation, n_x, hidden, m, x_scale)
    start = model.parameters
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        AL_ref, caches = baseline.L_model_forward(X, start, activation)
        cost_ref = baseline.compute_cost(caches[-1][1], Y)
        learning_rate = 0.01 / max(1.0, x_scale)
        parameters, _ = baseline.train(X, Y, start, activation, learning_rate, n_steps,
                                       record_every=1)
    assert_close(model.predict_proba(X), AL_ref, dtype, "predict_proba")
    assert model.cost(X, Y) == pytest.approx(cost_ref, rel=1e-10 if dtype == "float64" else 1e-4,
                                             abs=1e-12)
    model.fit(X, Y, learning_rate=learning_rate, num_iterations=n_steps, record_every=1)
    assert model.costs[0][1] == pytest.approx(cost_ref, rel=1e-10 if dtype == "float64"
                                              else 1e-4, abs=1e-12)
    for key, value in parameters.items():
        assert_close(model.parameters[key], value, dtype, key)


# -- gradients = central differences -----------------------------------------------------------

@given(st.sampled_from(ACTIVATIONS), st.integers(1, 6), hidden_layers, st.integers(1, 20),
       seeds)
def test_gradient_matches_central_differences_in_a_random_direction(activation, n_x, hidden,
                                                                     m, seed):
    """d/dh cost(θ + h·v) at 0 = ∇cost · v, float64, h = 1e-6 (PyTorch/JAX gradcheck style).

    relu and leaky_relu have kinks at 0: a pre-activation within reach of h·v makes the central
    difference straddle the kink (seen: |Z| = 2e-8), so such draws are not gradient checks."""
    model, X, Y = _case(seed, "float64", activation, n_x, hidden, m, 1.0)
    if activation in ("relu", "leaky_relu"):
        _, caches = baseline.L_model_forward(X, model.parameters, activation)
        assume(all(np.abs(cache[1]).min() > 1e-4 for cache in caches[:-1]))
    v = np.random.default_rng(seed + 1).standard_normal(model._theta.size)
    v /= np.linalg.norm(v)
    analytic = _gradient(model, X, Y) @ v
    theta = model._theta.copy()
    h = 1e-6
    model._theta[:] = theta + h * v
    plus = model.cost(X, Y)
    model._theta[:] = theta - h * v
    minus = model.cost(X, Y)
    model._theta[:] = theta
    numeric = (plus - minus) / (2 * h)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-7)


# -- full-batch gradients do not depend on the order of the examples ---------------------------

@given(st.sampled_from(DTYPES), st.sampled_from(ACTIVATIONS), st.integers(1, 6), hidden_layers,
       st.integers(2, 40), seeds)
def test_gradient_invariant_under_permuting_examples(dtype, activation, n_x, hidden, m, seed):
    model, X, Y = _case(seed, dtype, activation, n_x, hidden, m, 1.0)
    order = np.random.default_rng(seed + 2).permutation(m)
    g = _gradient(model, X, Y)
    g_perm = _gradient(model, np.ascontiguousarray(X[:, order]), np.ascontiguousarray(Y[:, order]))
    assert_close(g_perm, g, dtype, "gradient of permuted examples")
    assert model.cost(X[:, order], Y[:, order]) == pytest.approx(
        model.cost(X, Y), rel=1e-12 if dtype == "float64" else 1e-5)


# -- every kernel against its pure-Python .py_func ---------------------------------------------

def _layer(rng, n, k, m):
    f = rng.standard_normal
    return dict(A_prev=f((k, m)), W=f((n, k)), b=f((n, 1)), Z=f((n, m)), A=np.tanh(f((n, m))),
                dA=f((n, m)), dZ=f((n, m)), dW=f((n, k)), db=f((n, 1)), dA_prev=f((k, m)))


def _dense_cases(rng, fields):
    """Two layer shapes: W of 12 entries (the loop path) and of 72 (the BLAS path)."""
    cases = []
    for n, k, m in ((3, 4, 5), (9, 8, 6)):
        d = _layer(rng, n, k, m)
        cases.append(tuple(d[f] if isinstance(f, str) else f(d) for f in fields))
    return cases


def _network_cases(rng, kind, dims=(3, 5, 4, 1)):
    """Every activation on a small net (all products by loops); ``dims=(3, 9, 8, 1)`` puts the
    72-entry W2 on the BLAS path."""
    cases = []
    for code in K.CODES.values():
        dims = np.array(dims, np.int64)
        m = 6
        ws = K.make_workspace(dims, m, np.float64)
        theta = rng.standard_normal(K.n_parameters(dims)) * 0.5
        X = rng.standard_normal((3, m))
        Y = (rng.random((1, m)) > 0.5).astype(np.float64)
        flag = _sigmoidal(code)
        network.forward(theta, dims, X, code, ws.acts, flag)  # acts filled: backward, logits
        args = {
            "forward": (theta, dims, X, code, ws.acts, flag),
            "logits": (ws.acts, dims, m),
            "backward": (theta, dims, X, Y, code, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad),
            "train_steps": (theta, dims, X, Y, code, 0.1, 3, ws.acts, ws.AL, ws.D0, ws.D1,
                            ws.grad),
            "backward_update": (theta, dims, X, Y, code, SIGMOID_HEAD, 0.1, 0.05, ws.acts,
                                ws.AL, ws.D0, ws.D1, ws.grad),
            "backward_split": (theta, dims, X, Y, code, SIGMOID_HEAD, ws.acts, ws.AL, ws.D0,
                               ws.D1, ws.grad),
            "cost": (theta, dims, X, Y, code, ws.acts, flag),
            "predict_proba": (theta, dims, X, code, ws.acts, ws.AL, flag),
        }[kind]
        cases.append(args)
    return cases


def _course2_cases(rng, kind):
    """fastbackprop.course2's trainer on the [3, 5, 4, 1] net, m = 6: full batch (gd, L2),
    the course's fixed dropout masks, and minibatches of 4 from given permutations (momentum,
    Adam; the 2017 last-batch cost)."""
    from fastbackprop.kernels import course2
    dims = np.array([3, 5, 4, 1], np.int64)
    m = 6
    cases = []
    for opt, masked, shuffled in ((optim.GD, False, False), (optim.GD, True, False),
                                  (optim.MOMENTUM, False, True), (optim.ADAM, False, True)):
        ws = K.make_workspace(dims, m, np.float64)
        theta = rng.standard_normal(K.n_parameters(dims)) * 0.5
        X = rng.standard_normal((3, m))
        Y = (rng.random((1, m)) > 0.5).astype(np.float64)
        masks = (rng.random(9 * m) < 0.7).astype(np.float64) if masked else np.empty(0)
        orders = (np.array([rng.permutation(m) for _ in range(3)]) if shuffled
                  else np.empty((0, m), np.int64))
        hyper = optim.make_hyper(0.1, step=0, lambd=0.0 if masked else 0.3)
        state = rng.random((2, theta.size)) if opt != optim.GD else np.zeros((2, theta.size))
        buffers = minibatch.make_shuffle_buffers(3, m, np.float64)[1:]
        if kind == "train":
            cases.append((theta, dims, X, Y, opt, hyper, state, masks, 0.7 if masked else 1.0,
                          orders, 4 if shuffled else m, np.array([0.1, 0.05, 0.02]), 1, 2,
                          opt == optim.ADAM, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, *buffers,
                          np.zeros((1, m))))
        elif kind in ("forward", "backward"):
            course2._forward(theta, dims, X, ws.acts, masks, 0.7 if masked else 1.0)
            AL = rng.random((1, m))
            cases.append((theta, dims, X, ws.acts, masks, 0.7 if masked else 1.0)
                         if kind == "forward" else
                         (theta, dims, X, Y, ws.acts, AL, masks, 0.7 if masked else 1.0, ws.D0,
                          ws.D1, ws.grad))
    return cases


def _minibatch_cases(rng):
    """Two epochs of batches of 4 from m = 10 (the last batch holds 2), every activation."""
    cases = []
    for code in K.CODES.values():
        dims = np.array((3, 5, 4, 1), np.int64)
        ws = K.make_workspace(dims, 4, np.float64)
        theta = rng.standard_normal(K.n_parameters(dims)) * 0.5
        X = rng.standard_normal((3, 10))
        Y = (rng.random((1, 10)) > 0.5).astype(np.float64)
        shuffle = minibatch.Shuffle(4, 11, 2, True,
                                    *minibatch.make_shuffle_buffers(3, 10, np.float64))
        cases.append((theta, dims, X, Y, code, SIGMOID_HEAD, optim.GD, optim.make_hyper(0.1),
                      None, True, 2, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, True, shuffle))
    return cases


def _blocked_cases(rng, kind):
    """The many-examples trainer (examples as rows, blocks of 8 of m = 20: three blocks)."""
    blocked = importlib.import_module(f"{K.__name__}.blocked")
    cases = []
    for code in K.CODES.values():
        dims = np.array([3, 5, 4, 1], np.int64)
        m = 20
        ws = blocked.make_blocked_workspace(dims, m, np.float64, block=8)
        theta = rng.standard_normal(K.n_parameters(dims)) * 0.5
        ws.Xt[:] = rng.standard_normal((m, 3))
        Y = (rng.random((1, m)) > 0.5).astype(np.float64)
        beta = float(code % 2)  # a group's first block (0: writes) and the next ones (1: adds)
        flag = _sigmoidal(code)
        Wt = ws.Wt.copy()
        blocked._transpose_weights(theta, dims, Wt, ws.Wt_at)  # as the trainer does each step
        args = {
            "_block_pass": (theta, dims, ws.Xt, Y, code, flag, ws.narrow, ws.dZ1, Wt, ws.Wt_at,
                            8, 16, ws.acts[0], ws.D[0], rng.standard_normal(theta.size), beta,
                            True, SIGMOID_HEAD, None, 0),
            "train_steps_blocked": (theta, dims, ws.Xt.T.copy(), np.zeros_like(ws.Xt), True, Y,
                                    code, flag, ws.narrow, ws.dZ1, ws.Wt, ws.Wt_at,
                                    SIGMOID_HEAD, static(optim.GD), optim.make_hyper(0.1),
                                    np.zeros((0, theta.size)), None, 2, ws.block, ws.group,
                                    ws.last_block, ws.last_group, ws.acts, ws.D, ws.P, ws.grad,
                                    ws.costp, None, _rule("scheduled" if code % 2 else "off"),
                                    blocked.block_pass_for(theta, dims, ws, Y, code,
                                                           SIGMOID_HEAD, None),
                                    blocked.merge_pass_for(theta, dims, ws, static(optim.GD),
                                                           optim.make_hyper(0.1),
                                                           np.zeros((0, theta.size)))),
            "_merge_update": (theta, dims, rng.standard_normal(ws.P.shape), ws.P.shape[0],
                              ws.grad, 3, theta.size, 1 / m, static(optim.ADAM),
                              optim.make_hyper(0.1, step=2, lambd=0.3),
                              rng.random((2, theta.size)), ws.Wt.copy(), ws.Wt_at),
        }[kind]
        cases.append(args)
    if kind == "train_steps_blocked":  # minibatches: 12, then a last batch of 8 in its own plan
        dims = np.array([3, 5, 4, 1], np.int64)
        m = 20
        ws = blocked.make_blocked_workspace(dims, m, np.float64, block=8, batch_size=12)
        theta = rng.standard_normal(K.n_parameters(dims)) * 0.5
        X = rng.standard_normal((3, m))
        Y = (rng.random((1, m)) > 0.5).astype(np.float64)
        shuffle = minibatch.RowBatches(12, 11, 2, True, *minibatch.make_row_batches_buffers(
            3, m, 12, np.float64))
        code = K.CODES["relu"]
        cases.append((theta, dims, X, ws.Xt, True, Y, code, None, ws.narrow, ws.dZ1, ws.Wt,
                      ws.Wt_at, SIGMOID_HEAD, static(optim.ADAM),
                      optim.make_hyper(0.1, step=2, lambd=0.3), rng.random((2, theta.size)),
                      None, 2, ws.block, ws.group, ws.last_block, ws.last_group, ws.acts, ws.D,
                      ws.P, ws.grad, ws.costp, shuffle, _rule("stop"),
                      blocked.block_pass_for(theta, dims, ws, Y, code, SIGMOID_HEAD, None,
                                             shuffle),
                      blocked.merge_pass_for(theta, dims, ws, static(optim.ADAM),
                                             optim.make_hyper(0.1), rng.random((2, theta.size)))))
    return cases


def _rule(kind, n_steps=2):
    """An ``epoch_rule`` array for a trainer case: "off" (inactive), "stop" (early stopping that
    stops after the first epoch: its cost is no better than a best of 0), or "scheduled" (a
    given rate after every epoch, no count)."""
    r = epoch_rule
    if kind == "off":
        return r.inactive()
    rule = np.zeros(r.CURVE + r.PER_EPOCH * n_steps)
    rule[r.ACTIVE] = 1
    if kind == "stop":
        rule[[r.COUNTS, r.STOPS, r.TOL, r.PATIENCE, r.BEST]] = 1, 1, 1e-4, 0, 0.0
    else:
        rule[r.SCHEDULED] = 1
        rule[r.CURVE + 2::r.PER_EPOCH] = 0.1 / np.arange(2, n_steps + 2)
    return rule


DROPOUT = make_dropout(17, 0.7)
HEADS = (None, heads.SIGMOID, heads.SOFTMAX, heads.IDENTITY)  # None: the plain sigmoid head
SIGMOID_HEAD = None


def _engine_case(case, opt, rng, head=SIGMOID_HEAD):
    """A ``train_steps`` case (theta, dims, X, Y, code, lr, n, acts, AL, D0, D1, grad, split) as
    the engine's trainer takes it, with optimizer ``opt``, L2 and its state."""
    theta, dims, X, Y, code, lr, n, acts, AL, D0, D1, grad, split = case
    state = None if opt == optim.GD else rng.random((2, theta.size))
    fused = True if opt == optim.GD else None
    # int codes: the generic trainer, one compilation for every optimizer of these cases (as
    # Statics, one per optimizer: 15 s more of CI); the model fits cover the Static path
    return (theta, dims, X, Y, code, head, opt, optim.make_hyper(lr, step=2, lambd=0.2),
            state, fused, n, acts, AL, D0, D1, grad, split, None)


def _dropouts(code):
    """Dropout variants of a case: none for every activation, the masks too for tanh (each is
    a signature numba compiles apart)."""
    return (None, DROPOUT) if code == K.TANH else (None,)


def _head_cases(rng, kind, heads_=HEADS):
    """Each head on logits (3, 5) (columns) or (5, 3) (rows) against Y by columns, unweighted
    and (but the plain sigmoid head) with a row of example weights under Y."""
    cases = []
    for head in heads_:
        for weighted in (False, True) if head is not None else (False,):
            ZL = rng.standard_normal((3, 5)) * 3
            Y = np.eye(3)[:, rng.integers(0, 3, 5)] if head == heads.SOFTMAX else rng.random((3, 5))
            if weighted:
                Y = np.vstack([Y, rng.random((1, 5)) * 2])
            rows = np.ascontiguousarray(ZL.T)
            cases.append({
                "cost": (head, ZL, Y), "outputs": (head, ZL, np.empty((3, 5))),
                "delta": (head, ZL, Y, np.empty((3, 5)), np.empty((3, 5))),
                "cost_rows": (head, rows[1:4], Y, 1),
                "delta_rows": (head, rows[1:4], Y, 1, np.empty((3, 3)), True),
                "example": (head, ZL, Y, 2),
            }[kind])
    return cases


def _rules():
    """(rule, hyper, epoch, cost) cases of ``epoch_rule.epoch_end``: with and without the count,
    the stop, the adaptive division and a scheduled rate; a count about to run out, a rate at
    the adaptive floor, and a cost that is not finite."""
    r = epoch_rule
    cases = []
    for adaptive, scheduled in ((0, 0), (1, 0), (0, 1)):
        for counts, stops, count, lr, cost in ((0, 0, 0, 0.1, 0.5), (1, 1, 3, 0.1, 0.7),
                                               (1, 0, 3, 0.1, 0.7), (1, 1, 3, 1e-6, 0.7),
                                               (1, 1, 0, 0.1, 0.2), (1, 1, 0, 0.1, np.nan)):
            rule = np.zeros(r.CURVE + r.PER_EPOCH * 3)
            rule[[r.ACTIVE, r.COUNTS, r.STOPS, r.ADAPTIVE, r.SCHEDULED]] = \
                1, counts, stops, adaptive, scheduled
            rule[[r.TOL, r.PATIENCE, r.BEST, r.COUNT]] = 1e-3, 3, 0.6, count
            rule[r.CURVE + r.PER_EPOCH * 2 + 2] = 0.03  # the scheduled rate after epoch 2
            cases.append((rule, optim.make_hyper(lr), 2, cost))
    return cases


def _unheaded(cases):
    """Cases of a head-specific helper: the head argument dropped."""
    return [case[1:] for case in cases]


def _split(cases):
    return [case + (split,) for case in cases for split in (False, True)]


def _codes(make):
    return lambda rng: [make(rng, code) for code in K.CODES.values()]


def _sigmoidal(code):
    return importlib.import_module(f"{K.__name__}.activations").sigmoidal_flag(code)


SCALARS = [-800.0, -30.5, -1.0, -1e-9, 0.0, 1e-9, 0.75, 30.5, 800.0]
# the course's 1/(1 + exp(-z)): Python's math.exp raises OverflowError past 709 where compiled
# code gives inf (and the right limit, 0), so its pure-Python runs stay inside that range
COURSE_SCALARS = [-700.0, -30.5, -1.0, -1e-9, 0.0, 1e-9, 0.75, 30.5, 800.0]
NONPOSITIVE = [-1100.5, -745.0, -700.0, -60.5, -3.25, -1e-10, -0.0, 0.0]

# kernel -> rng -> list of argument tuples. A new kernel needs an entry here (the coverage test
# below fails until it has one); an optional REFERENCE replaces .py_func where Python cannot run
# the body (it calls a numba intrinsic).
CASES = {
    "activations.stable_sigmoid": lambda rng: [(z,) for z in SCALARS],
    "activations.sum_fixed_order": lambda rng: [(rng.standard_normal(n),) for n in (0, 1, 7, 8,
                                                                                     29)],
    "activations.dot_fixed_order": lambda rng: [(rng.standard_normal(n), rng.standard_normal(n))
                                                for n in (0, 1, 7, 8, 29)],
    "activations.bias_activate_in_place": _codes(lambda rng, code: (
        rng.standard_normal((3, 7)), rng.standard_normal((3, 1)), code, _sigmoidal(code))),
    "activations.add_bias_activate": _codes(lambda rng, code: (
        rng.standard_normal((3, 7)), rng.standard_normal((3, 1)), code, np.empty((3, 7)))),
    "activations.activation_backward_db": _codes(lambda rng, code: (
        rng.standard_normal((3, 7)), np.tanh(rng.standard_normal((3, 7))), code, 1 / 7,
        np.empty((3, 7)), np.empty((3, 1)))),
    "dense._gemm_small": lambda rng: _dense_cases(rng, ("W", "A_prev", "Z")),
    "dense._gemm_tn_small": lambda rng: _dense_cases(rng, ("W", "dZ", "dA_prev")),
    "dense.layer_dA_prev": lambda rng: [case + (split,) for case in _dense_cases(
        rng, ("W", "dZ", "dA_prev")) for split in (False, True)],
    "dense.layer_dW_update": lambda rng: [case + (split,) for case in _dense_cases(
        rng, ("dZ", "A_prev", lambda d: 0.2, lambda d: 0.3, lambda d: 0.05, "W", "dW"))
        for split in (False, True)],
    "dense._gemm_rows_parallel": lambda rng: [
        (0.5, rng.standard_normal((4, 7) if trans_A else (7, 4)), trans_A,
         rng.standard_normal((4, 5)), False, beta, rng.standard_normal((7, 5)), parts)
        for trans_A in (False, True) for beta in (0.0, 1.0) for parts in (1, 2, 3)],
    "dense.gemm_rows": lambda rng: [
        (-0.25, rng.standard_normal((n, k)), False, rng.standard_normal((m, k)), True, 1.0,
         rng.standard_normal((n, m)), split)
        for n, k, m in ((7, 4, 5), (256, 64, 128)) for split in (False, True)],
    "blas._unit_stride_rows": lambda rng: [(x,) for x in (
        np.empty((3, 5)), np.empty((5, 3)).T, np.empty((1, 4)), np.empty((4, 1)))],
    "blas.check": lambda rng: [(np.empty((3, 4)), np.empty((5, 4)).T, np.empty((3, 5)))],
    "dense._check_backward": lambda rng: [case + (need,) for case in _dense_cases(
        rng, ("dZ", "A_prev", "W", "dW", "dA_prev")) for need in (True, False)],
    "blas.gemm": lambda rng: [
        (0.5, rng.standard_normal((4, 7) if trans_A else (7, 4)), trans_A,
         rng.standard_normal((5, 4) if trans_B else (4, 5)), trans_B, beta,
         rng.standard_normal((7, 5)))
        for trans_A in (False, True) for trans_B in (False, True) for beta in (0.0, 1.0)],
    "dense.layer_dW": lambda rng: [case + (split,) for case in _dense_cases(
        rng, ("dZ", "A_prev", lambda d: 0.2, "dW")) for split in (False, True)],
    "dense.row_parts": lambda rng: [(3, 4, 5), (256, 64, 128), (1024, 64, 64), (100, 200, 300)],
    "dense._linear": lambda rng: [case + (split,) for case in _dense_cases(
        rng, ("A_prev", "W", "Z")) for split in (False, True)],
    "dense.forward_layer_in_place": lambda rng: [
        case[:3] + (code,) + case[3:] + (split, _sigmoidal(code))
        for case in _dense_cases(rng, ("A_prev", "W", "b", "A"))
        for code in K.CODES.values() for split in (False, True)],
    "dense.forward_layer": lambda rng: [
        case[:3] + (code,) + case[3:] + (split,)
        for case in _dense_cases(rng, ("A_prev", "W", "b", "Z", "A"))
        for code in K.CODES.values() for split in (False, True)],
    "dense.output_db": lambda rng: [(rng.standard_normal((3, 7)), 1 / 7, np.empty((3, 1)))],
    "dense.output_layer_backward": lambda rng: [
        case + (True, split) for case in _dense_cases(
            rng, ("dZ", "A_prev", "W", lambda d: 0.2, "dW", "db", "dA_prev"))
        for split in (False, True)],
    "dense.backward_layer": lambda rng: [
        case[:4] + (code,) + case[4:] + (True, split) for case in _dense_cases(
            rng, ("dA", "A", "A_prev", "W", lambda d: 0.2, "dZ", "dW", "db", "dA_prev"))
        for code in K.CODES.values() for split in (False, True)],
    "dense.linear_activation_forward": lambda rng: [
        case[:3] + (code,) + case[3:] for case in _dense_cases(rng, ("A_prev", "W", "b", "Z", "A"))
        for code in K.CODES.values()],
    "dense.linear_backward": lambda rng: [
        case + (need,) for case in _dense_cases(
            rng, ("dZ", "A_prev", "W", lambda d: 0.2, "dW", "db", "dA_prev"))
        for need in (True, False)],
    "dense.linear_activation_backward": lambda rng: [
        case[:4] + (code,) + case[4:] + (True,) for case in _dense_cases(
            rng, ("dA", "A", "A_prev", "W", lambda d: 0.2, "dZ", "dW", "db", "dA_prev"))
        for code in K.CODES.values()],
    "dense.update": lambda rng: [(rng.standard_normal((3, 4)), rng.standard_normal((3, 4)),
                                  rng.standard_normal((3, 1)), rng.standard_normal((3, 1)), 0.3)],
    "loss.sigmoid_cross_entropy": lambda rng: [
        (np.array([SCALARS]), (rng.random((1, len(SCALARS))) > 0.5).astype(float))],
    "loss.sigmoid_output_delta": lambda rng: [
        (np.array([SCALARS]), (rng.random((1, len(SCALARS))) > 0.5).astype(float),
         np.empty((1, len(SCALARS))), np.empty((1, len(SCALARS))))],
    "network.forward": lambda rng: _network_cases(rng, "forward"),
    "network.forward_split": lambda rng: [  # (…, acts, split, sigmoidal, dropout, step)
        case[:5] + (split, case[5], dropout, 3) for case in _network_cases(rng, "forward")
        for split in (False, True) for dropout in _dropouts(case[3])],
    "network.backward_split": lambda rng: [
        case + (split, dropout, 3) for case in _network_cases(rng, "backward_split")
        for split in (False, True) for dropout in _dropouts(case[4])],
    # gradient descent (the fused update) and minibatches for every activation; the epilogue's
    # optimizers with dropout on tanh, the head a code (test_engine.py's trainers)
    # (the backward kernel's address last: network.backward_for)
    # (the rule: inactive on full batches, active on minibatches and the epilogue's optimizers)
    "network.train_steps_split": lambda rng: [case + (network.backward_for(case),) for case in [
        case + (_sigmoidal(case[4]), None, _rule("off")) for case in
        [_engine_case(case, optim.GD, rng) for case in _split(_network_cases(rng, "train_steps"))]
        ] + [case + (_sigmoidal(case[4]), None, _rule(("stop", "scheduled")[i % 2]))
             for i, case in enumerate(_minibatch_cases(rng))] + [
        _engine_case(case, opt, rng, heads.IDENTITY) + (True, DROPOUT, _rule("stop", case[6]))
        for case in _split(_network_cases(rng, "train_steps")) if case[4] == K.TANH
        for opt in (optim.MOMENTUM, optim.ADAM)]],
    "network.cost_and_grad": lambda rng: [
        case + (network.cost_and_grad_backward(case),) for case in [
            case[:5] + (static(head), lambd) + case[5:] + (_sigmoidal(case[4]),)
            for case in _network_cases(rng, "backward")
            for head, lambd in ((None, 0.0), (heads.IDENTITY, 0.3))]],
    # a chunk of a dask fit (fastbackprop._dask): the plain sigmoid head, the dask tests' type
    "network.cost_and_grad_sums": lambda rng: [
        case[:5] + (None,) + case[5:] + (_sigmoidal(case[4]),)
        for case in _network_cases(rng, "backward")],
    "network.step_from_sums": lambda rng: [
        (opt, optim.make_hyper(0.1, step=2, lambd=0.3), np.array([3, 5, 4, 1], np.int64), 6.0,
         rng.standard_normal(49), rng.standard_normal(49), rng.random((2, 49)))
        for opt in (optim.GD, optim.MOMENTUM, optim.ADAM)],
    "network.squared_norm_W": lambda rng: [(rng.standard_normal(21), np.array([3, 2, 3, 1]))],
    "network.cost_of": lambda rng: [case[:5] + (head,) + case[5:]
                                    for case in _network_cases(rng, "cost") for head in HEADS],
    "network.predict_of": lambda rng: [case[:4] + (head,) + case[4:]
                                       for case in _network_cases(rng, "predict_proba")
                                       for head in HEADS],
    "network._walk_start": lambda rng: [
        (case[0], case[1], case[2], case[7], case[8]) for case in _network_cases(rng, "backward")],
    "network._units": lambda rng: [(np.array(dims, np.int64),) for dims in ((3, 1), (3, 5, 4, 1))],
    "network._layer_delta": lambda rng: [
        (case[0], case[1], case[2], case[3], case[4], SIGMOID_HEAD, case[5], case[6], case[7],
         case[8].copy(), case[9], l, off, aoff, 1 / 6, dropout, 3)
        for case in _network_cases(rng, "backward")
        for l, off, aoff in ((3, case[0].size, case[5].size), (1, 3 * 5 + 5, 5 * 6))
        for dropout in _dropouts(case[4])],
    "network.backward_update_split": lambda rng: [
        case + (split, dropout, 3) for case in
        _network_cases(rng, "backward_update") +
        _network_cases(rng, "backward_update", dims=(3, 9, 8, 1))
        for split in (False, True) for dropout in _dropouts(case[4])],
    "network.logits": lambda rng: _network_cases(rng, "logits"),
    "network.backward": lambda rng: _network_cases(rng, "backward"),
    "network.cost": lambda rng: _network_cases(rng, "cost"),
    "network.predict_proba": lambda rng: _network_cases(rng, "predict_proba"),
    "blocked._transpose_rows": lambda rng: [(rng.standard_normal((40, 35)), np.zeros((35, 40)),
                                             3, 30)],
    "blocked._bias_activate_rows": _codes(lambda rng, code: (
        rng.standard_normal((6, 4)), rng.standard_normal(4), code, _sigmoidal(code))),
    "blocked._times_derivative_rows": _codes(lambda rng, code: (
        rng.standard_normal((6, 4)), np.tanh(rng.standard_normal((6, 4))), code,
        _sigmoidal(code))),
    "blocked._column_sums": lambda rng: [(rng.standard_normal((r, 4)), rng.standard_normal(4),
                                          beta) for r in (1, 6) for beta in (0.0, 1.0)],
    "blocked._block_pass": lambda rng: _blocked_cases(rng, "_block_pass"),
    "blocked._merge_update": lambda rng: _blocked_cases(rng, "_merge_update")[:1],
    # W (5 × 3) at theta[2:]: a range starting and ending inside rows, one inside a row, all
    "blocked._refresh_Wt": lambda rng: [(rng.standard_normal(20), 2, 5, 3, np.zeros(17), 2, lo, hi)
                                        for lo, hi in ((3, 13), (6, 7), (2, 17))],
    "blocked._transpose_weights": lambda rng: [(
        rng.standard_normal(K.n_parameters(np.array([3, 5, 4, 1]))), np.array([3, 5, 4, 1]),
        np.zeros(19), np.array([-1, 0, -1, 15]))],  # layers 1 and 3 transposed, 2 not
    "blocked.train_steps_blocked": lambda rng: _blocked_cases(rng, "train_steps_blocked"),
    "minibatch._mix": lambda rng: [(np.uint64(z),) for z in (0, 1, 2**63, 2**64 - 1)],
    "minibatch.permutation": lambda rng: [(seed, epoch, np.empty(m, np.int64))
                                          for seed, epoch, m in ((0, 0, 1), (5, 3, 9), (2**62, 7, 30))],
    "minibatch.shuffle_into": lambda rng: [
        (rng.standard_normal((3, m)), rng.random((n_y, m)), rng.permutation(m), b,
         np.zeros(3 * m), np.zeros(n_y * m), np.zeros(m))
        for m, b in ((7, 3), (8, 8), (5, 1)) for n_y in (1, 2)],
    "minibatch._rows_into": lambda rng: [
        (rng.standard_normal((3, 7)), rng.permutation(7), 3, np.zeros(21), np.zeros(7))],
    "minibatch.gather_rows": lambda rng: [
        (rng.standard_normal((9, 3)), rng.standard_normal((2, 9)), rng.permutation(9), start,
         np.zeros((4, 3)), np.zeros((2, 4)), r0, r1) for start, r0, r1 in ((0, 0, 4), (5, 1, 3))],
    "minibatch.batch_X": lambda rng: [(np.arange(12.0), 3, 1, 2)],
    "minibatch.batch_Y": lambda rng: [(np.arange(12.0), 2, 2, 3)],
    "minibatch.start_epoch": lambda rng: [
        (shuffle, 1, rng.standard_normal((3, 10)), rng.standard_normal((2, 10)))
        for shuffled in (True, False)
        for shuffle in [minibatch.Shuffle(4, 11, 2, shuffled, *minibatch.make_shuffle_buffers(
            3, 10, np.float64, 2))]] + [(None, 0, np.zeros((3, 4)), np.zeros((1, 4)))],
    "minibatch.batch_of": lambda rng: [
        (minibatch.Shuffle(4, 11, 2, True, np.arange(10), np.arange(30.0), np.arange(20.0),
                           np.zeros(10)), np.zeros((3, 10)), np.zeros((2, 10)), 8, 2),
        (None, np.arange(6.0).reshape(3, 2), np.arange(2.0).reshape(1, 2), 0, 2)],
    "heads._softmax_column_stats": lambda rng: [(np.array([[1.0, -800.0], [3.0, 800.0],
                                                           [2.0, 0.0]]), j) for j in (0, 1)],
    "heads.step_examples": lambda rng: [(head, Y, 3, 5) for head, _, Y in
                                        _head_cases(rng, "cost")],  # weighted and not
    "heads.cost_sum": lambda rng: _head_cases(rng, "cost"),
    "heads.outputs": lambda rng: _head_cases(rng, "outputs"),
    "heads.output_delta": lambda rng: _head_cases(rng, "delta"),
    "heads.output_delta_rows": lambda rng: [case[:-1] + (want_cost,) for case in
                                            _head_cases(rng, "delta_rows")
                                            for want_cost in (True, False)],
    "heads._cost_sum_sigmoid": lambda rng: _unheaded(_head_cases(rng, "cost", (None,))),
    "heads._outputs_sigmoid": lambda rng: _unheaded(_head_cases(rng, "outputs", (None,))),
    "heads._sigmoid_delta_rows": lambda rng: [case[1:-1] for case in
                                              _head_cases(rng, "delta_rows", (None,))],
    "heads._cost_sum_rows_sigmoid": lambda rng: _unheaded(_head_cases(rng, "cost_rows",
                                                                      (None,))),
    "heads._cost_sum_any": lambda rng: _head_cases(rng, "cost", HEADS[1:]),
    "heads._example_cost": lambda rng: _head_cases(rng, "example", HEADS[1:]),
    "heads._outputs_any": lambda rng: _head_cases(rng, "outputs", HEADS[1:]),
    "heads._softmax_columns": lambda rng: _unheaded(_head_cases(rng, "outputs",
                                                                (heads.SOFTMAX,))),
    "heads._cost_sum_rows": lambda rng: _head_cases(rng, "cost_rows", HEADS[1:]),
    "heads._cost_sum_rows_weighted": lambda rng: _head_cases(rng, "cost_rows", HEADS[1:]),
    "heads._softmax_delta_rows": lambda rng: _unheaded(_head_cases(rng, "delta_rows",
                                                                   (heads.SOFTMAX,))),
    "heads._output_delta_rows_any": lambda rng: _head_cases(rng, "delta_rows", HEADS[1:]),
    "optim.epilogue": lambda rng: [
        (opt, optim.make_hyper(0.1, step=3), l2, rng.standard_normal(9), rng.standard_normal(9),
         rng.random((2, 9)), 2, 8) for opt in (optim.GD, optim.MOMENTUM, optim.ADAM)
        for l2 in (0.0, 0.2)],
    "optim.update_all": lambda rng: [
        (opt, optim.make_hyper(0.1, step=1, lambd=0.5), np.array([3, 2, 1]), 1 / 4,
         rng.standard_normal(11), rng.standard_normal(11), rng.random((2, 11)))
        for opt in (optim.GD, optim.MOMENTUM, optim.ADAM)],
    "epoch_rule.epoch_end": lambda rng: _rules(),
    "dropout.layer_key": lambda rng: [(5, 7, 2), (2**63 - 1, 0, 1)],
    "dropout.unit_key": lambda rng: [(np.uint64(2**64 - 5), 3)],
    "dropout.keeps": lambda rng: [(np.uint64(123456789), e, np.uint64(2**52)) for e in (0, 9)],
    "dropout.forward_cols": lambda rng: [(DROPOUT, 4, 1, rng.random((3, 8)), 2)],
    "dropout.backward_cols": lambda rng: [(DROPOUT, 4, 1, rng.standard_normal((3, 8)),
                                           rng.random((3, 8)), 2)],
    "dropout.forward_rows": lambda rng: [(DROPOUT, 4, 1, rng.random((8, 3)), 2)],
    "dropout.backward_rows": lambda rng: [(DROPOUT, 4, 1, rng.standard_normal((8, 3)),
                                           rng.random((8, 3)), 2)],
    "narrow.forward_nt": lambda rng: [(rng.standard_normal((r, 9)), rng.standard_normal((n, 9)),
                                       np.empty((r, n))) for r, n in ((6, 5), (4, 4))],
    "course.course_sigmoid": lambda rng: [(z,) for z in COURSE_SCALARS],
    "course.sigmoid": lambda rng: [(np.array(COURSE_SCALARS), np.empty(len(SCALARS)))],
    "course.relu": lambda rng: [(np.array(SCALARS + [np.nan]), np.empty(len(SCALARS) + 1))],
    "course.relu_backward": lambda rng: [(rng.standard_normal(9), np.array(SCALARS),
                                          np.empty(9))],
    "course.sigmoid_backward": lambda rng: [(rng.standard_normal(9), np.array(COURSE_SCALARS),
                                             np.empty(9))],
    "course.cross_entropy_dAL": lambda rng: [(rng.uniform(0.01, 0.99, 9),
                                              (rng.random(9) > 0.5).astype(float),
                                              np.empty(9))],
    "course2.train": lambda rng: _course2_cases(rng, "train"),
    "course2._forward": lambda rng: _course2_cases(rng, "forward"),
    "course2._backward": lambda rng: _course2_cases(rng, "backward"),
    "course2._course_cost_sum": lambda rng: [(rng.uniform(0.01, 0.99, (1, 7)),
                                              (rng.random((1, 7)) > 0.5).astype(float))],
    "course2._lane_sum": lambda rng: [(rng.standard_normal(n),) for n in (0, 5, 211)],
    "course2._dW_small": lambda rng: [(rng.standard_normal((n, 37)), rng.standard_normal((k, 37)),
                                       1 / 37, np.empty((n, k))) for n, k in ((3, 2), (1, 5))],
    "course2.momentum_update": lambda rng: [(rng.standard_normal(5), rng.standard_normal(5),
                                             rng.standard_normal(5), 0.9, 0.1, np.empty(5),
                                             np.empty(5))],
    "course2.adam_update": lambda rng: [(rng.standard_normal(5), rng.standard_normal(5),
                                         rng.standard_normal(5), rng.random(5), float(t), 0.1,
                                         0.9, 0.999, 1e-8, *[np.empty(5) for _ in range(5)])
                                        for t in (1, 7)],
    "vecmath._expm1_reduced": lambda rng: [(r,) for r in (-0.3465, -1e-12, 0.0, 0.2, 0.3465)],
    "vecmath._pow2": lambda rng: [(k,) for k in (-1022.0, -1.0, 0.0, 5.0, 1023.0)],
    "vecmath._exp_pade": lambda rng: [(r,) for r in (-0.3466, -1e-12, 0.0, 0.2, 0.3466)],
    "vecmath.exp_nonpositive": lambda rng: [(x,) for x in NONPOSITIVE],
    "vecmath.tanh": lambda rng: [(z,) for z in SCALARS],
    "vecmath.sigmoid": lambda rng: [(z,) for z in SCALARS],
    "vecmath._pow2_32": lambda rng: [(np.float32(k),) for k in (-126.0, -1.0, 0.0, 5.0, 127.0)],
    "vecmath._exp_pade32": lambda rng: [(np.float32(r),) for r in (-0.3466, -1e-12, 0.0, 0.3466)],
    "vecmath.tanh32": lambda rng: [(np.float32(z),) for z in SCALARS],
}


def _gemm_reference(alpha, A, trans_A, B, trans_B, beta, C):
    C[:] = alpha * ((A.T if trans_A else A) @ (B.T if trans_B else B)) + beta * C


REFERENCE = {"vecmath._pow2": lambda k: 2.0 ** k, "vecmath._pow2_32": lambda k: np.float32(2.0 ** k),
             "blas.gemm": _gemm_reference}


def test_every_kernel_has_a_small_case():
    missing = sorted(set(all_kernels()) - set(CASES))
    assert not missing, (f"kernels without a case in tests/test_properties.py CASES: {missing} "
                         "(add one: it runs the kernel against its pure-Python .py_func)")
    assert len(all_kernels()) >= 20  # the walk found the kernels at all
    stale = sorted(set(CASES) - set(all_kernels()))
    assert not stale, f"CASES for kernels that no longer exist: {stale}"


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _assert_same(got, expected, what):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), (what, got)
        for i, (g, e) in enumerate(zip(got, expected)):
            _assert_same(g, e, f"{what}[{i}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), (what, got)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300, equal_nan=True,
                                   err_msg=what)
    elif expected is None:
        assert got is None, what
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got), what
    else:
        # a float32 result is compared at float32's precision: compiled code fuses a·b + c
        rel = 1e-6 if isinstance(expected, np.float32) else 1e-12
        assert got == pytest.approx(expected, rel=rel, abs=1e-300), what


# Thin wrappers: no index of their own, a call of the callee with constants whose every case is
# the callee's own case. Under NUMBA_BOUNDSCHECK (CI's boundscheck step) they would only compile
# the callee again for those constants (12 s of the step); they still run in the main suite.
WRAPPERS = {"network.backward": "network.backward_split (head None, no split, no dropout)"}


@pytest.mark.parametrize("name", sorted(set(all_kernels()) & set(CASES)))
def test_kernel_matches_its_python_function(name):
    from numba.core import config
    if config.BOUNDSCHECK and name in WRAPPERS:
        pytest.skip(f"a thin wrapper: bounds-checked through {WRAPPERS[name]}")
    kernel = all_kernels()[name]
    reference = REFERENCE.get(name, kernel.py_func)
    for i, args in enumerate(CASES[name](np.random.default_rng(0))):
        compiled_args, python_args = _copy(args), _copy(args)
        got = kernel(*compiled_args)
        with np.errstate(all="ignore"):  # Python float semantics may warn where numba does not
            expected = reference(*python_args)
        _assert_same(got, expected, f"{name} case {i}: return value")
        for j, (a, b) in enumerate(zip(compiled_args, python_args)):
            if isinstance(a, np.ndarray):
                _assert_same(a, b, f"{name} case {i}: argument {j} after the call")
