"""Whole-network kernels on a flat parameter vector.

theta holds W1, b1, W2, b2, … back to back (each W row-major (n_l, n_{l-1}), each b (n_l,)), so a
network of any depth is one array and one compiled signature per dtype, with no typed lists. Views
of it are taken with slicing + reshape, which allocate nothing.

The workspace (see ``make_workspace``) is allocated once per (layer_dims, m, dtype):
- ``acts``: A1 … A_{L-1} and the logits Z_L back to back (Z of hidden layers is never kept: g' is
  computed from A);
- ``AL``: sigmoid(Z_L);
- ``D0``/``D1``: dA and dZ of the current layer (dZ overwrites dA) and dA_prev, in turn;
- ``grad``: dW and db in theta's layout.
"""
from collections import namedtuple

import numpy as np
from numba import types

from ._native import NativeType, argument_types, call, native_by
from ._options import jit, jit_inline
from .activations import IDENTITY, activation_backward_db
from . import dropout as _dropout
from .epoch_rule import ACTIVE, epoch_end
from .dense import forward_layer_in_place, layer_dA_prev, layer_dW, layer_dW_update, output_db
from .heads import cost_sum, output_delta, outputs, step_examples

SIGMOID_HEAD = None  # the kernels' argument for the sigmoid head (heads.kernel_head)
from .minibatch import batch_of, batch_type, start_epoch
from .optim import LAMBD, LEARNING_RATE, STEP, update_all

Workspace = namedtuple("Workspace", "m acts AL D0 D1 grad")


def n_parameters(layer_dims):
    return sum(n * k + n for k, n in zip(layer_dims[:-1], layer_dims[1:]))


def make_workspace(layer_dims, m, dtype):
    dims = [int(d) for d in layer_dims]
    widest = max(dims[1:])  # dZ of any layer and dA_prev of layers 1 … L-1
    return Workspace(
        m=m,
        acts=np.zeros(sum(dims[1:]) * m, dtype),
        AL=np.zeros((dims[-1], m), dtype),
        D0=np.zeros(widest * m, dtype),
        D1=np.zeros(widest * m, dtype),
        grad=np.zeros(n_parameters(dims), dtype),
    )


@jit
def forward(theta, dims, X, activation, acts, sigmoidal):
    """Fill acts with A1 … A_{L-1} (activation g) and the logits Z_L (identity). ``sigmoidal``:
    ``activations.sigmoidal_flag(activation)``, as the trainer takes it, so that a prediction
    after a fit links the activation kernel the fit compiled instead of compiling the full one
    (docs/performance.md, "The serial trainer compiles tanh and sigmoid only for themselves")."""
    forward_split(theta, dims, X, activation, acts, False, sigmoidal, None, 0)


@jit_inline
def forward_split(theta, dims, X, activation, acts, split, sigmoidal, dropout, step):
    """``forward``; with ``split`` large products run as parallel parts (``dense.gemm_rows``);
    ``sigmoidal`` as in ``train_steps_split``; ``dropout`` (None, or ``dropout.Dropout``) drops
    hidden units with the masks of step ``step``."""
    L = dims.size - 1
    m = X.shape[1]
    A_prev = X
    off = 0
    aoff = 0
    for l in range(1, L + 1):
        n = dims[l]
        k = dims[l - 1]
        W = theta[off:off + n * k].reshape((n, k))
        b = theta[off + n * k:off + n * k + n].reshape((n, 1))
        off += n * k + n
        A = acts[aoff:aoff + n * m].reshape((n, m))
        aoff += n * m
        forward_layer_in_place(A_prev, W, b, activation if l < L else IDENTITY, A, split,
                               sigmoidal)
        if dropout is not None and l < L:
            _dropout.forward_cols(dropout, step, l, A, 0)
        A_prev = A


@jit_inline
def _units(dims):
    """n_1 + … + n_L: acts holds that many rows of m values (a minibatch may use fewer than the
    workspace has room for, so ends are computed from the shapes, never from acts.size)."""
    total = 0
    for l in range(1, dims.size):
        total += dims[l]
    return total


@jit
def logits(acts, dims, m):
    n = dims[-1]
    end = _units(dims) * m
    return acts[end - n * m:end].reshape((n, m))


@jit
def backward(theta, dims, X, Y, activation, acts, AL, D0, D1, grad):
    """Gradients of the mean cross-entropy into grad (theta's layout), from a forward pass
    (sigmoid head, no dropout: ``backward_split`` for the others)."""
    backward_split(theta, dims, X, Y, activation, SIGMOID_HEAD, acts, AL, D0, D1, grad, False,
                   None, 0)


@jit_inline
def _layer_delta(theta, dims, X, Y, activation, head, acts, AL, cur, other, grad, l, off, aoff,
                 inv_m, dropout, step):
    """One step of the backward walk, shared by both backward passes: the views of layer l
    (its parameters end at ``off`` in theta, its activations at ``aoff`` in acts), then dZ (into
    ``cur``) and db. Returns W, b, dW, db, A_prev, dZ, dA_prev (into ``other``; layer 1: not
    computed) and where layer l - 1's parameters and activations end."""
    L = dims.size - 1
    m = X.shape[1]
    n = dims[l]
    k = dims[l - 1]
    b_at = off - n
    W_at = b_at - n * k
    W = theta[W_at:b_at].reshape((n, k))
    b = theta[b_at:b_at + n]
    dW = grad[W_at:b_at].reshape((n, k))
    db = grad[b_at:b_at + n].reshape((n, 1))
    A = acts[aoff - n * m:aoff].reshape((n, m))
    aoff -= n * m
    A_prev = X if l == 1 else acts[aoff - k * m:aoff].reshape((k, m))
    dZ = cur[:n * m].reshape((n, m))
    dA_prev = other[:k * m].reshape((k, m)) if l > 1 else dZ
    if l == L:
        output_delta(head, A, Y, AL, dZ)  # A holds Z_L here
        output_db(dZ, inv_m, db)
    else:
        if dropout is not None:  # dZ holds dA here
            _dropout.backward_cols(dropout, step, l, dZ, A, 0)
        activation_backward_db(dZ, A, activation, inv_m, dZ, db)
    return W, b, dW, db, A_prev, dZ, dA_prev, W_at, aoff


@jit_inline
def _walk_start(theta, dims, X, D0, D1):
    """Where both backward walks start: 1/m, the ends of theta and of the activations (they walk
    from the end) and the delta buffers, dZ in the first."""
    m = X.shape[1]
    return 1.0 / m, theta.size, _units(dims) * m, D0, D1


@jit
def backward_split(theta, dims, X, Y, activation, head, acts, AL, D0, D1, grad, split, dropout,
                   step):
    """``backward`` for any head, with the dropout masks of ``step``; ``split`` as in
    ``forward_split``."""
    _, off, aoff, cur, other = _walk_start(theta, dims, X, D0, D1)
    inv_m = 1.0 / step_examples(head, Y, dims[-1], X.shape[1])
    for l in range(dims.size - 1, 0, -1):
        W, b, dW, db, A_prev, dZ, dA_prev, off, aoff = _layer_delta(
            theta, dims, X, Y, activation, head, acts, AL, cur, other, grad, l, off, aoff, inv_m,
            dropout, step)
        # one site each for dW and dA_prev: every site of an inlined step is one more copy for
        # numba and LLVM to compile
        layer_dW(dZ, A_prev, inv_m, dW, split)
        if l > 1:
            layer_dA_prev(W, dZ, dA_prev, split)
        cur, other = other, cur


@jit
def backward_update_split(theta, dims, X, Y, activation, head, learning_rate, l2, acts, AL, D0,
                          D1, grad, split, dropout, step):
    """``backward_split`` and the gradient-descent update in one pass: layer by layer from the
    last, dZ and db, dA_prev = Wᵀ·dZ while W is still this step's, then W -= α·(dW + l2·W)
    inside the dW product (``dense.layer_dW_update``; l2 = λ/m) and b -= α·db. grad holds db
    (and dW of small layers) only."""
    _, off, aoff, cur, other = _walk_start(theta, dims, X, D0, D1)
    inv_m = 1.0 / step_examples(head, Y, dims[-1], X.shape[1])
    for l in range(dims.size - 1, 0, -1):
        W, b, dW, db, A_prev, dZ, dA_prev, off, aoff = _layer_delta(
            theta, dims, X, Y, activation, head, acts, AL, cur, other, grad, l, off, aoff, inv_m,
            dropout, step)
        if l > 1:
            layer_dA_prev(W, dZ, dA_prev, split)
        layer_dW_update(dZ, A_prev, inv_m, learning_rate, l2, W, dW, split)
        for i in range(b.size):
            b[i] -= learning_rate * db[i, 0]
        cur, other = other, cur


@jit_inline
def squared_norm_W(theta, dims):
    """Σ_l ‖W_l‖² (float64): the L2 penalty's sum, biases excluded."""
    s = 0.0
    off = 0
    for l in range(1, dims.size):
        n = dims[l]
        k = dims[l - 1]
        for p in range(off, off + n * k):
            s += float(theta[p]) * float(theta[p])
        off += n * k + n
    return s


@jit
def train_steps_split(theta, dims, X, Y, activation, head, opt, hyper, state, fused, n_steps,
                      acts, AL, D0, D1, grad, split, shuffle, sigmoidal, dropout, rule,
                      backward):
    """The serial trainer: n_steps iterations on theta, in place, for any head
    (``heads``), optimizer (``optim``: ``opt`` and its ``hyper`` array, whose STEP slot counts
    the steps taken and is advanced here) and L2 (hyper's LAMBD). Returns the cost before the
    first iteration's update (data cost plus the L2 penalty).

    ``state`` and ``fused``, one of them None: gradient descent passes state None and fused
    True, and its update runs inside the dW products (``backward_update_split``); the other
    optimizers pass their state (``optim.state_rows`` rows in theta's layout) and fused None,
    and the gradient goes to ``grad`` for ``optim.update_all``. numba prunes a branch only on an
    argument that *is* None, never on one that is not, so each path needs its own None: a GD fit
    compiles no epilogue, and an Adam fit no fused backward (docs/performance.md, "Cold first
    fit: what a fit compiles").

    ``split``: numba owns the cores: large products run as parallel parts of output rows, each a
    single-threaded BLAS call (pin the BLAS to one thread, as ``fastbackprop._threads.owner``
    does). The parts depend on the shapes only.

    ``sigmoidal``: ``activations.sigmoidal_flag(activation)`` (None prunes tanh and sigmoid
    from the forward's activation loops). ``dropout``: None, or a ``dropout.Dropout``.

    ``shuffle``: None for full-batch descent, or a ``minibatch.Shuffle``: then each of the n_steps
    iterations (epochs) takes its batches of ``batch_size`` (shuffled, or in order) and a step
    per batch (the workspace has room for that many), and the cost returned is the first epoch's
    mean over the m examples of each batch's cost before that batch's update (the course's
    ``cost_total / m``). numba compiles the function apart for None, with the shuffle's branches
    pruned before typing: full-batch fits compile no minibatch code.

    ``rule``: an ``epoch_rule`` array. Active, every epoch's cost is computed and the rule runs
    after it (the stopping rule and the rate's schedule): the loop stops where it says, having
    written each epoch's cost and rate to its curve.

    ``backward``: the backward kernel as a ``_native.Native`` (``backward_for`` these arguments),
    called through its address rather than linked in: linked, its code was optimised again inside
    the trainer's module, the longest part of a cold serial fit after the wait for it, and the
    trainer could not be compiled before it (docs/performance.md, "The serial trainer's backward
    called through its address")."""
    m = X.shape[1]
    b = m
    if shuffle is not None:
        b = shuffle.batch_size
    lambd = hyper[LAMBD]
    cost = np.nan
    ruled = rule[ACTIVE] != 0.0
    for epoch in range(n_steps):
        learning_rate = hyper[LEARNING_RATE]  # the rule may change it between epochs
        want_cost = epoch == 0 or ruled
        start_epoch(shuffle, epoch, X, Y)
        total = 0.0
        for start in range(0, m, b):
            mb = min(b, m - start)
            Xb, Yb = batch_of(shuffle, X, Y, start, mb)
            step = int(hyper[STEP])  # steps before this one: it keys the dropout masks
            mw = step_examples(head, Yb, dims[-1], mb)  # mb, or the batch's weight sum
            forward_split(theta, dims, Xb, activation, acts, split, sigmoidal, dropout, step)
            if want_cost:
                c = cost_sum(head, logits(acts, dims, mb), Yb) / mw
                if lambd != 0.0:
                    c += lambd / (2.0 * mw) * squared_norm_W(theta, dims)
                total = c if mb == m else total + c * mb  # one batch: the mean itself
            hyper[STEP] = step + 1
            if fused is not None:  # backward_update_split
                call(backward, (theta, dims, Xb, Yb, activation, head, learning_rate,
                                lambd / mw, acts, AL, D0, D1, grad, split, dropout, step))
            if state is not None:  # backward_split
                call(backward, (theta, dims, Xb, Yb, activation, head, acts, AL, D0, D1, grad,
                                split, dropout, step))
                update_all(opt, hyper, dims, 1.0 / mw, theta, grad, state)
        if want_cost:
            c = total if b >= m else total / m
            if epoch == 0:
                cost = c
            if ruled and epoch_end(rule, hyper, epoch, c):
                break
    return cost


def backward_for(args):
    """The ``backward`` argument of ``train_steps_split(*args, backward)``: its backward kernel
    compiled (or loaded from the cache) for the types the trainer calls it with."""
    return native_by(args, _serial_part)


def _serial_part(args):
    [part] = serial_trainer_parts(args)
    return part


def serial_trainer_types(args):
    """The numba types of ``train_steps_split(*args, backward_for(args))``'s arguments, known
    before the backward kernel is compiled (``fastbackprop._compile_ahead``: the trainer is
    compiled here while a helper compiles the backward kernel)."""
    [(kernel, sig)] = serial_trainer_parts(args)
    return argument_types(args) + (NativeType(types.none(*sig)),)


def serial_trainer_parts(args):
    """The backward kernel that ``train_steps_split(*args, backward)`` calls, with the types it
    passes: ``[(kernel, signature)]``, for ``backward_for`` and for a helper process to compile
    while this one compiles the rest (``fastbackprop._compile_ahead``). The batch is X and Y
    (full batch), or C-contiguous views of the shuffled copy unified with them; the step is an
    int64; the fused update's rate and λ/m are float64. ``args``: the trainer's arguments
    without ``backward``."""
    fused, shuffle = args[9], args[17]
    T = argument_types(args)
    Xb, Yb = T[2], T[3]
    if shuffle is not None:
        Xb, Yb = batch_type(Xb), batch_type(Yb)
    head_t, act_t, split_t, drop_t = T[5], T[4], T[16], T[19]
    tail = (T[11], T[12], T[13], T[14], T[15], split_t, drop_t, types.int64)
    if fused is not None:
        return [(backward_update_split, (T[0], T[1], Xb, Yb, act_t, head_t, types.float64,
                                         types.float64) + tail)]
    return [(backward_split, (T[0], T[1], Xb, Yb, act_t, head_t) + tail)]


@jit
def cost(theta, dims, X, Y, activation, acts, sigmoidal):
    """Mean binary cross-entropy (sigmoid head): ``cost_of`` for the others."""
    return cost_of(theta, dims, X, Y, activation, SIGMOID_HEAD, acts, sigmoidal)


@jit
def cost_of(theta, dims, X, Y, activation, head, acts, sigmoidal):
    """The head's mean data cost on (X, Y) (weighted, if Y carries weights), no dropout and no
    penalty."""
    forward(theta, dims, X, activation, acts, sigmoidal)
    return (cost_sum(head, logits(acts, dims, X.shape[1]), Y)
            / step_examples(head, Y, dims[-1], X.shape[1]))


@jit
def predict_proba(theta, dims, X, activation, acts, AL, sigmoidal):
    """AL = sigmoid(Z_L): ``predict_of`` for the other heads."""
    predict_of(theta, dims, X, activation, SIGMOID_HEAD, acts, AL, sigmoidal)


@jit
def predict_of(theta, dims, X, activation, head, acts, AL, sigmoidal):
    """AL = h(Z_L), the head's outputs."""
    forward(theta, dims, X, activation, acts, sigmoidal)
    outputs(head, logits(acts, dims, X.shape[1]), AL)


@jit
def cost_and_grad(theta, dims, X, Y, activation, head, lambd, acts, AL, D0, D1, grad, sigmoidal,
                  backward):
    """The full-batch objective of (X, Y) at theta and its gradient into grad, one compiled
    call: the head's mean cost plus λ/(2m)·Σ‖W‖², dW += (λ/m)·W (an L-BFGS step's loss and
    jacobian; Y may carry the weights row of ``heads``, and m is then their sum).

    ``backward``: ``backward_split`` as a ``_native.Native`` (``cost_and_grad_backward`` these
    arguments), called through its address as the serial trainer calls its own: linked, its
    code was optimised again in this kernel's module on every cold L-BFGS fit
    (docs/performance.md, "L-BFGS's backward through its address")."""
    forward_split(theta, dims, X, activation, acts, False, sigmoidal, None, 0)
    m = step_examples(head, Y, dims[-1], X.shape[1])
    c = cost_sum(head, logits(acts, dims, X.shape[1]), Y) / m
    call(backward, (theta, dims, X, Y, activation, head, acts, AL, D0, D1, grad, False, None,
                    0))
    if lambd != 0.0:
        c += lambd / (2.0 * m) * squared_norm_W(theta, dims)
        l2 = lambd / m
        off = 0
        for l in range(1, dims.size):
            n = dims[l]
            k = dims[l - 1]
            for p in range(off, off + n * k):
                grad[p] += l2 * theta[p]
            off += n * k + n
    return c


def cost_and_grad_parts(args):
    """``serial_trainer_parts`` for ``cost_and_grad(*args, backward)`` (``args`` without
    ``backward``): its backward kernel, with the constants it passes as numba types them in a
    tuple (literals)."""
    T = argument_types(args)
    return [(backward_split, T[:6] + T[7:12]
             + (types.literal(False), types.none, types.literal(0)))]


def cost_and_grad_backward(args):
    """The ``backward`` argument of ``cost_and_grad(*args, backward)``."""
    return native_by(args, _objective_part)


def _objective_part(args):
    [part] = cost_and_grad_parts(args)
    return part


def cost_and_grad_types(args):
    """The numba types of ``cost_and_grad(*args, cost_and_grad_backward(args))``'s arguments,
    before the backward kernel is compiled (as ``serial_trainer_types``)."""
    [(kernel, sig)] = cost_and_grad_parts(args)
    return argument_types(args) + (NativeType(types.none(*sig)),)


@jit
def cost_and_grad_sums(theta, dims, X, Y, activation, head, acts, AL, D0, D1, grad, sigmoidal):
    """``cost_and_grad`` unnormalised, for a chunk of a data-parallel step
    (``fastbackprop._dask``): returns Σ over the chunk's examples of each example's cost (no L2
    penalty) and writes the gradient of that sum into grad (no 1/m, no L2), so the chunks' sums
    add up to the sums of the whole batch and the trainer divides once by its m."""
    forward_split(theta, dims, X, activation, acts, False, sigmoidal, None, 0)
    c = cost_sum(head, logits(acts, dims, X.shape[1]), Y)
    _, off, aoff, cur, other = _walk_start(theta, dims, X, D0, D1)
    for l in range(dims.size - 1, 0, -1):
        W, b, dW, db, A_prev, dZ, dA_prev, off, aoff = _layer_delta(
            theta, dims, X, Y, activation, head, acts, AL, cur, other, grad, l, off, aoff, 1.0,
            None, 0)
        layer_dW(dZ, A_prev, 1.0, dW, False)
        if l > 1:
            layer_dA_prev(W, dZ, dA_prev, False)
        cur, other = other, cur
    return c


@jit
def step_from_sums(opt, hyper, dims, m, theta, grad, state):
    """The optimizer epilogue of one step from a batch's gradient *sum* (``cost_and_grad_sums``
    added over the chunks): grad is scaled by 1/m in place (m a float: the batch's examples, or
    its weights' sum as ``heads.step_examples`` gives it), the step count advanced (Adam's t)
    and ``optim.update_all`` run over every layer (L2 as λ/m on the W ranges)."""
    inv_m = 1.0 / m
    for p in range(grad.size):
        grad[p] *= inv_m
    hyper[STEP] += 1.0
    update_all(opt, hyper, dims, inv_m, theta, grad, state)
