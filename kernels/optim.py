"""The optimizer epilogue: one update of a range of theta from its gradient, for every optimizer.

The hyper-parameters travel as one float64 array (``HYPER`` slots below) and the state as one
(2, theta.size) array in theta's layout (v, then s), so a new optimizer adds a branch and a slot,
never a kernel argument. The step counter lives in the hyper array too: the trainer increments
it before each step's epilogue, so Adam's t continues across calls (and across fits).

Plain gradient descent does not come here on the fused paths: its update runs inside the dW
product (``dense.layer_dW_update``, with L2 as the product's beta), so dW is never stored.
Momentum and Adam need the gradient materialised: the trainers write it to ``grad`` and call
``epilogue`` once per parameter array (W with its L2 coefficient λ/m, b with none), through
``epilogue_for``: with the optimizer's code a ``_options.Static`` (as the plan passes it), only
that optimizer's loop is compiled.
"""
import math

import numpy as np

from ._options import jit_inline, specialised

GD = 0
MOMENTUM = 1  # the course's form: v = β·v + (1 − β)·g, θ −= α·v
ADAM = 2      # the course's and PyTorch's: bias-corrected v̂, ŝ; θ −= α·v̂/(√ŝ + ε)
SGD_MOMENTUM = 3  # scikit-learn's sgd: v = μ·v − α·g, θ += v (μ in the BETA slot)
NESTEROV = 4      # scikit-learn's Nesterov: v = μ·v − α·g, θ += μ·v − α·g
OPTIMIZERS = {"gd": GD, "momentum": MOMENTUM, "adam": ADAM, "sgd_momentum": SGD_MOMENTUM,
              "nesterov": NESTEROV}

# slots of the hyper array
LEARNING_RATE = 0
BETA = 1
BETA1 = 2
BETA2 = 3
EPSILON = 4
STEP = 5      # steps taken so far, this one included once the trainer has counted it (Adam's t)
LAMBD = 6     # the L2 strength λ; a step's coefficient is λ/m_batch
HYPER = 7


def make_hyper(learning_rate, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, step=0, lambd=0.0):
    hyper = np.zeros(HYPER, np.float64)
    hyper[LEARNING_RATE] = learning_rate
    hyper[BETA] = beta
    hyper[BETA1] = beta1
    hyper[BETA2] = beta2
    hyper[EPSILON] = epsilon
    hyper[STEP] = step
    hyper[LAMBD] = lambd
    return hyper


def state_rows(optimizer):
    """Rows of optimizer state in theta's layout: none, v, or v and s."""
    return (0, 1, 2, 1, 1)[optimizer]


@jit_inline
def epilogue(opt, hyper, l2, theta, grad, state, p0, p1):
    """theta[p0:p1] updated from g = grad[p0:p1] + l2·theta[p0:p1] (l2: the L2 coefficient λ/m
    of a W range, 0 for biases) and the optimizer state in ``state`` (rows v, s).

    The loops index views from 0: an index of unknown sign, as in ``range(p0, p1)``, is wrapped
    by numba (negative indices count from the end), which kept LLVM from vectorising the loops
    (docs/performance.md, "Loops over views")."""
    lr = hyper[LEARNING_RATE]
    th = theta[p0:p1]
    dW = grad[p0:p1]
    if opt == MOMENTUM:
        beta = hyper[BETA]
        v = state[0, p0:p1]
        for p in range(th.size):
            g = dW[p] + l2 * th[p]
            v[p] = beta * v[p] + (1.0 - beta) * g
            th[p] -= lr * v[p]
    elif opt == ADAM:
        beta1 = hyper[BETA1]
        beta2 = hyper[BETA2]
        eps = hyper[EPSILON]
        t = hyper[STEP]
        # PyTorch's arrangement, in theta's dtype: α/(1 − β1^t) and 1/√(1 − β2^t) once per
        # range, so a parameter costs one sqrt and one division, with float32's twice-as-wide
        # vectors (docs/performance.md, "The Adam epilogue: one sqrt and one division")
        f = th.dtype.type
        step_size = f(lr / (1.0 - beta1 ** t))
        inv_root_c2 = f(1.0 / math.sqrt(1.0 - beta2 ** t))
        b1, b2, eps_, l2_ = f(beta1), f(beta2), f(eps), f(l2)
        a1, a2 = f(1.0 - beta1), f(1.0 - beta2)
        v = state[0, p0:p1]
        s = state[1, p0:p1]
        for p in range(th.size):
            g = dW[p] + l2_ * th[p]
            v[p] = b1 * v[p] + a1 * g
            s[p] = b2 * s[p] + a2 * (g * g)
            th[p] -= step_size * v[p] / (math.sqrt(s[p]) * inv_root_c2 + eps_)
    elif opt == SGD_MOMENTUM or opt == NESTEROV:
        mu = hyper[BETA]
        v = state[0, p0:p1]
        nesterov = opt == NESTEROV
        for p in range(th.size):
            g = dW[p] + l2 * th[p]
            v[p] = mu * v[p] - lr * g
            th[p] += (mu * v[p] - lr * g) if nesterov else v[p]
    else:
        for p in range(th.size):
            th[p] -= lr * (dW[p] + l2 * th[p])


@jit_inline
def update_all(opt, hyper, dims, inv_m, theta, grad, state):
    """``epilogue`` over every layer: W with λ/m (``inv_m`` = 1/m of the step), b without."""
    l2 = hyper[LAMBD] * inv_m
    off = 0
    for l in range(1, dims.size):
        n = dims[l]
        k = dims[l - 1]
        w_end = off + n * k
        # ranges from arithmetic only: numba's first typing pass sees ``off`` as the literal 0,
        # and each argument type is one more compilation of the specialised epilogue
        epilogue_for(opt, hyper, l2, theta, grad, state, w_end - n * k, w_end)
        epilogue_for(opt, hyper, 0.0, theta, grad, state, w_end, w_end + n)
        off = w_end + n


# ``epilogue`` as the trainers call it: compiled for a Static optimizer's branch alone
epilogue_for = specialised(epilogue)
