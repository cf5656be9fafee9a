"""The second course's training loops, with the course's quirks, for ``fastbackprop.course2``.

One serial trainer serves the three notebooks' ``model`` functions: relu hidden layers, the
course's sigmoid 1/(1 + exp(-z)) at the output, dZ_L = A_L − Y, on theta (W1, b1, W2, b2, … back
to back, ``network``'s layout) and ``network``'s workspace. What the engine's trainer
(``network.train_steps_split``) cannot reproduce is passed in, computed by the caller in NumPy
exactly as the course computes it:

- ``masks``: the dropout masks D1, D2, … (hidden layers, each (n_l, m), back to back). The course
  reseeds ``np.random.seed(1)`` on every forward call, so its masks are the same at every
  iteration; the engine's hash masks change every step.
- ``orders``: the permutation of each epoch, (epochs, m), from the course's
  ``np.random.seed(seed); np.random.permutation(m)``; the batches are cut from it in order, the
  last one holding the remainder.
- ``rates``: the learning rate of each epoch (the 2021 ``decay`` schedule, evaluated in Python).

Layer products are ``dense``'s (loops on these small nets), relu' and db fused
(``activations.activation_backward_db``), and the optimizer step ``optim.update_all`` (momentum
and Adam in the course's form, t counting minibatches in hyper's STEP slot). The per-example
cost of the first epoch of a call is computed with the course's formula
−y·log(a) − (1 − y)·log(1 − a) and returned; A_L of its first step is copied to ``AL_first``.
"""
import math

from ._options import jit, jit_reassoc
from .activations import RELU, sum_fixed_order
from .course import course_sigmoid
from .dense import SMALL_W, forward_layer_in_place, layer_dA_prev, layer_dW
from .minibatch import batch_X, batch_Y, shuffle_into
from .network import logits
from .optim import LEARNING_RATE, STEP, update_all


@jit
def train(theta, dims, X, Y, opt, hyper, state, masks, keep_prob, orders, batch_size, rates,
          first_epoch, n_epochs, mean_of_last, acts, AL, D0, D1, grad, Xs, Ys, row, AL_first):
    """Epochs ``first_epoch`` … ``first_epoch + n_epochs − 1`` on theta, in place.

    ``masks``: a flat array of the hidden layers' masks (0/1), used when ``keep_prob`` < 1 (the
    full batch only). ``orders``: (epochs, m) permutations, indexed by the epoch number, or an
    empty (0, m) array for full-batch descent (``batch_size`` is then m). ``rates``: the
    learning rate of each epoch. Returns the cost of epoch ``first_epoch``: Σ over all batches
    of the per-example costs / m (the 2021 optimisation model, and the full batch's mean), or
    with ``mean_of_last`` the last batch's mean (the 2017 model's printed cost)."""
    n_x, m = X.shape
    shuffled = orders.shape[0] > 0
    b = batch_size if shuffled else m
    cost = math.nan
    for e in range(first_epoch, first_epoch + n_epochs):
        hyper[LEARNING_RATE] = rates[e]
        if shuffled:
            shuffle_into(X, Y, orders[e], b, Xs, Ys, row)
        total = 0.0
        for start in range(0, m, b):
            mb = min(b, m - start)
            Xb, Yb = X, Y
            if shuffled:
                Xb = batch_X(Xs, n_x, start, mb)
                Yb = batch_Y(Ys, 1, start, mb)
            _forward(theta, dims, Xb, acts, masks, keep_prob)
            ZL = logits(acts, dims, mb)
            ALb = AL[:, :mb]
            for j in range(mb):
                ALb[0, j] = course_sigmoid(ZL[0, j])
            if e == first_epoch:
                if start == 0:
                    AL_first[:, :mb] = ALb
                c = _course_cost_sum(ALb, Yb)
                total = c / mb if mean_of_last else total + c
            hyper[STEP] += 1.0  # Adam's t: minibatch updates so far, this one included
            _backward(theta, dims, Xb, Yb, acts, ALb, masks, keep_prob, D0, D1, grad)
            update_all(opt, hyper, dims, 1.0 / mb, theta, grad, state)
        if e == first_epoch:
            cost = total if mean_of_last else total / m
    return cost


@jit
def _course_cost_sum(AL, Y):
    """Σ_j −y·log(a) − (1 − y)·log(1 − a), the course's formula, summed in order (float64)."""
    s = 0.0
    for j in range(AL.shape[1]):
        a = AL[0, j]
        y = Y[0, j]
        s += -math.log(a) * y + -math.log(1.0 - a) * (1.0 - y)
    return s


@jit
def _forward(theta, dims, X, acts, masks, keep_prob):
    """A_l = relu(W_l·A_{l−1} + b_l) (times D_l / keep_prob with dropout), Z_L last."""
    L = dims.size - 1
    m = X.shape[1]
    A_prev = X
    off = 0
    aoff = 0
    moff = 0
    for l in range(1, L + 1):
        n = dims[l]
        k = dims[l - 1]
        W = theta[off:off + n * k].reshape((n, k))
        bias = theta[off + n * k:off + n * k + n].reshape((n, 1))
        off += n * k + n
        A = acts[aoff:aoff + n * m].reshape((n, m))
        aoff += n * m
        forward_layer_in_place(A_prev, W, bias, RELU if l < L else 0, A, False, None)
        if keep_prob < 1.0 and l < L:
            D = masks[moff:moff + n * m].reshape((n, m))
            moff += n * m
            for i in range(n):
                for j in range(m):
                    A[i, j] = A[i, j] * D[i, j] / keep_prob
        A_prev = A


@jit
def _backward(theta, dims, X, Y, acts, AL, masks, keep_prob, D0, D1, grad):
    """dW_l, db_l (the mean over the m columns) into grad, theta's layout, walking back from
    dZ_L = A_L − Y; dropout: dA_l = dA_l·D_l / keep_prob before relu'."""
    L = dims.size - 1
    m = X.shape[1]
    inv_m = 1.0 / m
    off = theta.size
    units = 0
    for l in range(1, L + 1):
        units += dims[l]
    aoff = units * m
    moff = 0
    for l in range(1, L):
        moff += dims[l] * m
    cur, other = D0, D1
    for l in range(L, 0, -1):
        n = dims[l]
        k = dims[l - 1]
        b_at = off - n
        W_at = b_at - n * k
        W = theta[W_at:b_at].reshape((n, k))
        dW = grad[W_at:b_at].reshape((n, k))
        db = grad[b_at:b_at + n].reshape((n, 1))
        A = acts[aoff - n * m:aoff].reshape((n, m))
        aoff -= n * m
        A_prev = X if l == 1 else acts[aoff - k * m:aoff].reshape((k, m))
        dZ = cur[:n * m].reshape((n, m))
        if l == L:
            for i in range(n):
                for j in range(m):
                    dZ[i, j] = AL[i, j] - Y[i, j]
                db[i, 0] = sum_fixed_order(dZ[i]) * inv_m
        else:  # dZ holds dA: dA·D / keep_prob, then relu' = [A > 0], in one pass per row
            masked = keep_prob < 1.0
            D = dZ
            if masked:
                moff -= n * m
                D = masks[moff:moff + n * m].reshape((n, m))
            for i in range(n):
                row = dZ[i]
                a = A[i]
                d = D[i]
                for j in range(m):
                    v = row[j] * d[j] / keep_prob if masked else row[j]
                    row[j] = v if a[j] > 0 else 0.0
                db[i, 0] = _lane_sum(row) * inv_m
        if dW.size <= SMALL_W:
            _dW_small(dZ, A_prev, inv_m, dW)
        else:
            layer_dW(dZ, A_prev, inv_m, dW, False)
        if l > 1:
            layer_dA_prev(W, dZ, other[:k * m].reshape((k, m)), False)
        off = W_at
        cur, other = other, cur


@jit_reassoc
def _lane_sum(x):
    """Σ x (1-D), split by LLVM into vector lanes (``jit_reassoc``: the order is the compiled
    code's, fixed for a machine, whatever the data or the thread count)."""
    s = 0.0
    for j in range(x.size):
        s += x[j]
    return s


@jit_reassoc
def _dW_small(dZ, A_prev, inv_m, dW):
    """dW = inv_m·dZ·A_prevᵀ of a small layer, one dot product per entry in vector lanes
    (``jit_reassoc``): on the course's nets 2.5x faster than ``dense.layer_dW``'s fixed-order
    dots, which keep eight scalar sums."""
    n, k = dW.shape
    m = dZ.shape[1]
    for i in range(n):
        z = dZ[i]
        for p in range(k):
            a = A_prev[p]
            s = 0.0
            for j in range(m):
                s += z[j] * a[j]
            dW[i, p] = s * inv_m


@jit
def momentum_update(W, dW, v, beta, learning_rate, W_out, v_out):
    """v_out = β·v + (1 − β)·dW, W_out = W − α·v_out (flat arrays of one parameter)."""
    for p in range(W.size):
        vp = beta * v[p] + (1.0 - beta) * dW[p]
        v_out[p] = vp
        W_out[p] = W[p] - learning_rate * vp


@jit
def adam_update(W, dW, v, s, t, learning_rate, beta1, beta2, epsilon, W_out, v_out, s_out,
                v_corrected, s_corrected):
    """The course's Adam on one flat parameter: v, s, their bias-corrected v̂ = v/(1 − β1^t),
    ŝ = s/(1 − β2^t), and W_out = W − α·v̂/(√ŝ + ε)."""
    c1 = 1.0 - beta1 ** t
    c2 = 1.0 - beta2 ** t
    for p in range(W.size):
        g = dW[p]
        vp = beta1 * v[p] + (1.0 - beta1) * g
        sp = beta2 * s[p] + (1.0 - beta2) * (g * g)
        vc = vp / c1
        sc = sp / c2
        v_out[p] = vp
        s_out[p] = sp
        v_corrected[p] = vc
        s_corrected[p] = sc
        W_out[p] = W[p] - learning_rate * vc / (math.sqrt(sc) + epsilon)
