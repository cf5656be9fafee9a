"""What the second course's helper files share: the 3-layer forward and backward passes with the
course's caches, the cost formulas, predict, and the compiled training loop's driver.

The per-step functions call ``dense``'s fused layer kernels one layer at a time (as
``fastbackprop.course`` does); the models hand the whole training to ``kernels.course2.train``.
"""
import numpy as np

from .. import _validate
from ..course import _forward
from ..course._arrays import as_c, float_dtype
from ..kernels import IDENTITY, RELU, dense
from ..kernels import course as course_kernels
from ..kernels import course2 as kernels
from ..kernels.minibatch import make_shuffle_buffers
from ..kernels.network import make_workspace, n_parameters
from ..kernels.optim import OPTIMIZERS, make_hyper

KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def elementwise(kernel, x):
    dt = float_dtype(x)
    x_c = as_c(x, dt)
    out = np.empty(x_c.shape, dt)
    kernel(x_c.reshape(-1), out.reshape(-1))
    return out


def sigmoid(x):
    return elementwise(course_kernels.sigmoid, x)


def relu(x):
    return elementwise(course_kernels.relu, x)


def three_layers(parameters, where):
    """W1, b1, W2, b2, W3, b3 of ``parameters``, a clear error if one is missing."""
    if not isinstance(parameters, dict):
        raise TypeError(f"{where}: parameters must be a dict with keys W1, b1, W2, b2, W3, b3, "
                        f"got {type(parameters).__name__}")
    missing = [key for key in KEYS if key not in parameters]
    if missing:
        raise KeyError(f"{where}: parameters has no {', '.join(missing)} "
                       "(the course's network has three layers)")
    return [parameters[key] for key in KEYS]


def layer(A_prev, W, b, activation, where):
    """Z, A = W·A_prev + b, g(Z) on ``dense``'s fused kernel (A is None for the identity)."""
    return _forward(A_prev, W, b, activation, where)


def output_layer(A_prev, W, b, where):
    """Z3 and the course's sigmoid 1/(1 + exp(-Z3))."""
    Z, _ = _forward(A_prev, W, b, IDENTITY, where)
    return Z, sigmoid(Z)


def forward_propagation(X, parameters, where="forward_propagation"):
    """The helpers' LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID; a3 and the course's cache."""
    W1, b1, W2, b2, W3, b3 = three_layers(parameters, where)
    z1, a1 = layer(X, W1, b1, RELU, where)
    z2, a2 = layer(a1, W2, b2, RELU, where)
    z3, a3 = output_layer(a2, W3, b3, where)
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def linear_backward(dZ, A_prev, W, inv_m, need_dA_prev=True):
    """dW = inv_m·dZ·A_prevᵀ, db = inv_m·Σ dZ, dA_prev = Wᵀ·dZ, on ``dense.linear_backward``."""
    dt = float_dtype(dZ, A_prev, W)
    dZ_c, A_c, W_c = as_c(dZ, dt), as_c(A_prev, dt), as_c(W, dt)
    if W_c.ndim != 2 or A_c.ndim != 2 or W_c.shape[1] != A_c.shape[0] \
            or dZ_c.shape != (W_c.shape[0], A_c.shape[1]):
        raise ValueError(f"the cache's shapes do not chain: W {W_c.shape}, A_prev {A_c.shape}, "
                         f"dZ {dZ_c.shape}")
    dW = np.empty(W_c.shape, dt)
    db = np.empty((W_c.shape[0], 1), dt)
    dA_prev = np.empty(A_c.shape, dt) if need_dA_prev else dZ_c
    dense.linear_backward(dZ_c, A_c, W_c, float(inv_m), dW, db, dA_prev, need_dA_prev)
    return dW, db, (dA_prev if need_dA_prev else None)


def relu_mask(dA, A):
    """dA·[A > 0], the course's ``np.multiply(dA, np.int64(A > 0))``."""
    dt = float_dtype(dA, A)
    dA_c, A_c = as_c(dA, dt), as_c(A, dt)
    if dA_c.shape != A_c.shape:
        raise ValueError(f"dA {dA_c.shape} and A {A_c.shape} must have the same shape")
    out = np.empty(dA_c.shape, dt)
    course_kernels.relu_backward(dA_c.reshape(-1), A_c.reshape(-1), out.reshape(-1))
    return out


def backward_propagation(X, Y, cache):
    """init_utils' and opt_utils' backward: dz3 = 1./m·(a3 − Y), dW = dz·Aᵀ, db = Σ dz."""
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    m = np.shape(X)[1]
    dz3 = 1. / m * (a3 - Y)
    dW3, db3, da2 = linear_backward(dz3, a2, W3, 1.0)
    dz2 = relu_mask(da2, a2)
    dW2, db2, da1 = linear_backward(dz2, a1, W2, 1.0)
    dz1 = relu_mask(da1, a1)
    dW1, db1, _ = linear_backward(dz1, X, W1, 1.0, need_dA_prev=False)
    return {"dz3": dz3, "dW3": dW3, "db3": db3,
            "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
            "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}


def nansum_cost(a3, Y):
    """init_utils' compute_loss and reg_utils' compute_cost: 1./m·nansum of the log terms."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.nansum(logprobs)


def predict(X, y, parameters):
    """The helpers' predict: p (1, m) of ints, and the printed accuracy."""
    m = X.shape[1]
    p = np.zeros((1, m), dtype=int)
    a3, caches = forward_propagation(X, parameters, "predict")
    p[0, a3[0, :] > 0.5] = 1
    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))
    return p


def predict_dec(parameters, X):
    """The helpers' predict_dec: a3 > 0.5, booleans (1, m)."""
    a3, cache = forward_propagation(X, parameters, "predict_dec")
    return a3 > 0.5


# --- the compiled training loop ----------------------------------------------------------------

def model_data(X, Y):
    """X (n_x, m) and Y (1, m) as C-contiguous float64 copies (the caller's are never touched)."""
    X_arr = _validate.array(X, "X")
    if X_arr.ndim != 2 or X_arr.shape[1] == 0:
        raise ValueError(f"X must be 2-D (features, examples) with m >= 1 examples, got shape "
                         f"{X_arr.shape}")
    _validate.finite(X_arr, "X")
    m = X_arr.shape[1]
    Y_arr = _validate.array(Y, "Y")
    if Y_arr.size != m or (Y_arr.ndim == 2 and Y_arr.shape[0] != 1) or Y_arr.ndim > 2:
        raise ValueError(f"Y must have shape (1, {m}) to match X {X_arr.shape}, got "
                         f"{Y_arr.shape}")
    _validate.finite(Y_arr, "Y")
    if Y_arr.min() < 0 or Y_arr.max() > 1:
        raise ValueError(f"Y must hold labels in [0, 1], got values in "
                         f"[{Y_arr.min()}, {Y_arr.max()}]")
    return (np.array(X_arr, np.float64, order="C"),
            np.array(Y_arr, np.float64, order="C").reshape(1, m))


def to_theta(parameters, dims):
    theta = np.empty(n_parameters(dims), np.float64)
    off = 0
    for l in range(1, len(dims)):
        for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
            value = np.asarray(parameters[key], np.float64)
            theta[off:off + value.size] = value.reshape(-1)
            off += value.size
    return theta


def to_parameters(theta, dims):
    parameters = {}
    off = 0
    for l in range(1, len(dims)):
        n, k = dims[l], dims[l - 1]
        parameters[f"W{l}"] = theta[off:off + n * k].reshape(n, k).copy()
        parameters[f"b{l}"] = theta[off + n * k:off + n * k + n].reshape(n, 1).copy()
        off += n * k + n
    return parameters


def train(parameters, dims, X, Y, num_epochs, learning_rate, record_at, record,
          optimizer="gd", beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, lambd=0.0,
          masks=None, keep_prob=1.0, orders=None, batch_size=None, rates=None,
          mean_of_last=False):
    """Run ``num_epochs`` epochs of the course's loop in ``kernels.course2.train`` from
    ``parameters`` (dims ``dims``; X, Y from ``model_data``) and return the trained parameters.

    ``record(i, cost, AL, parameters_i)`` is called for each epoch i of the sorted
    ``record_at``: ``cost`` is the kernel's course-formula cost of epoch i, ``AL`` the output of
    its first step (the full batch: A3 of iteration i, for the course's NumPy cost), and
    ``parameters_i()`` gives the parameters before epoch i's updates."""
    dims = [int(d) for d in dims]
    n_x, m = X.shape
    theta = to_theta(parameters, dims)
    dims_arr = np.array(dims, np.int64)
    work = make_workspace(dims, m, np.float64)
    if orders is None:
        orders = np.empty((0, m), np.int64)
        batch_size = m
        Xs = Ys = row = np.empty(0, np.float64)
    else:
        _, Xs, Ys, row = make_shuffle_buffers(n_x, m, np.float64)
    if rates is None:
        rates = np.full(max(num_epochs, 1), float(learning_rate))
    if masks is None or keep_prob >= 1.0:
        masks = np.empty(0, np.float64)
    hyper = make_hyper(float(learning_rate), beta, beta1, beta2, epsilon, 0, lambd)
    state = np.zeros((2, theta.size), np.float64)
    opt = OPTIMIZERS[optimizer]
    AL_first = np.zeros((1, m), np.float64)

    def run(first, count):
        return kernels.train(theta, dims_arr, X, Y, opt, hyper, state, masks, float(keep_prob),
                             orders, int(batch_size), rates, first, count, bool(mean_of_last),
                             work.acts, work.AL, work.D0, work.D1, work.grad, Xs, Ys, row,
                             AL_first)

    points = sorted(i for i in set(record_at) if 0 <= i < num_epochs)
    done = 0
    if points and points[0] > 0:
        run(0, points[0])
        done = points[0]
    for k, i in enumerate(points):
        end = points[k + 1] if k + 1 < len(points) else num_epochs
        before = theta.copy()
        cost = run(i, end - i)
        record(i, cost, AL_first.copy(), lambda before=before: to_parameters(before, dims))
        done = end
    if done < num_epochs:
        run(done, num_epochs - done)
    return to_parameters(theta, dims)


def mask_pair(shapes, keep_prob):
    """The course's dropout masks: ``np.random.seed(1)``, then D_l = rand(n_l, m) < keep_prob
    for each hidden layer, drawn as ``forward_propagation_with_dropout`` draws them."""
    np.random.seed(1)
    return [(np.random.rand(*shape) < keep_prob).astype(int) for shape in shapes]
