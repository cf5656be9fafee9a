"""The data-parallel trainer: ``Model.fit`` on dask arrays chunked along the examples.

X (n_x, m) and Y are dask arrays whose chunks split the columns (the examples). ``inputs``
checks them lazily (each chunk through ``_validate`` on the worker that holds it) and
``Trainer`` persists them where they are computed, never on the client. Each step then:

1. sends theta (one small array) into the step's graph;
2. each chunk's task runs ``kernels.network.cost_and_grad_sums`` on the chunk it holds: the
   *unnormalised* cost sum and gradient sum of its examples;
3. a pairwise tree adds the chunks' results in chunk order ((0+1)+(2+3))+…, never in the order
   they arrive, so the sums (and the parameters) have the same bits on 1, 2 or 100 workers;
4. the client gets one gradient back and runs the optimizer epilogue
   (``network.step_from_sums``: 1/m, L2, GD / momentum / Adam, every head) on theta.

Full-batch steps take every chunk; ``batch_size`` a whole number of chunks, in chunk order.
``Objective`` is the same sums as a function of theta, for an optimizer on the client
(the scikit-learn estimators' lbfgs).
A lost worker costs time, not the fit: dask recomputes its chunks from their graph, and the
arithmetic does not depend on where a chunk runs. See docs/dask.md for the cost model.

dask is imported here only, and this module only when ``Model.fit`` meets a dask array.
"""
import os
import statistics
import sys
import threading
import time
import warnings

import numpy as np

import dask
import dask.array as da

from . import _validate
from .kernels import n_parameters, network
from .kernels.optim import LAMBD
from .kernels.network import make_workspace
from .model import _Objective

# A fit whose step takes this many times the compute of its busiest worker thread (the sum of
# the chunks it ran) is dominated by overhead
OVERHEAD_RATIO = 2.0
# Parts added per reduction task: a power of two (see ``pairwise``); one task per 2 parts made
# a 32-chunk step 1.5x as long on a 2-worker LocalCluster (each task ~1.5 ms of scheduling)
FAN_IN = 8
_WARN_AFTER = 4  # steps measured before judging (the first pays for the workers' compile)
_warned = False  # the overhead warning is given once per process
_local = threading.local()  # each worker thread's workspaces, by (layer_dims, m, dtype)


def refuse(keep_prob, validation_data, early_stopping, schedule, path):
    """ValueError for the options a dask fit does not take (yet). ``early_stopping`` on the
    training cost and the learning-rate schedules are taken: they are the client's work
    between epochs (``_epochs.Epochs``), on the cost each epoch's steps return."""
    unsupported = [name for name, used in (
        ("keep_prob < 1 (dropout)", keep_prob != 1.0),
        ("validation_data", validation_data is not None),
        ("path", path is not None)) if used]
    if unsupported:
        raise ValueError(f"a fit on dask arrays does not take {', '.join(unsupported)}: "
                         f"fit on NumPy arrays for these (docs/dask.md)")


def inputs(model, X, Y, sample_weight):
    """X and Y (and the weights, as Y's last row: ``kernels.heads``) as lazy dask arrays of the
    model's dtype, one chunk of all rows per chunk of examples; each chunk is checked by
    ``_validate`` when it is computed. Returns (X, Y, weighted)."""
    n_x, n_out, dtype = model.layer_dims[0], model.layer_dims[-1], model.dtype
    if not isinstance(X, da.Array):
        raise TypeError("a fit on dask arrays needs X as a dask array (Y and sample_weight may "
                        f"be NumPy arrays), got X of type {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (features, examples) = ({n_x}, m), got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"X must hold real numbers (float, int or bool), got dtype {X.dtype}")
    if any(np.isnan(c) for c in X.chunks[1]):
        raise ValueError("X's chunk sizes along the examples are unknown: call "
                         "X.compute_chunk_sizes() first")
    if X.shape[0] != n_x:
        raise ValueError(f"X has {X.shape[0]} features (rows), but the model is "
                         f"{model.layer_dims}: expected {n_x}")
    if X.shape[1] == 0:
        raise ValueError(f"X has no examples (m = 0): shape {X.shape}")
    columns = X.chunks[1]
    m = X.shape[1]
    X = X.rechunk({0: -1}).map_blocks(_features, n_x, dtype, dtype=dtype)

    if isinstance(Y, da.Array):
        if Y.ndim == 1:
            Y = Y[None, :]
        if Y.ndim != 2 or Y.shape[1] != m:
            raise ValueError(f"Y must have {m} columns to match X, got shape {Y.shape}")
        Y = Y.rechunk({0: -1, 1: columns}).map_blocks(
            _targets, dtype, model.output, n_out, dtype=dtype, chunks=((n_out,), columns))
    else:
        Y = _validate.targets(Y, m, dtype, model.output, n_out)
        Y = da.from_array(Y, chunks=((Y.shape[0],), columns))
    weighted = False
    if sample_weight is not None:
        w = _weights(sample_weight, m, columns)
        if w is not None:
            Y = da.concatenate([Y, w.astype(dtype)[None, :]], axis=0).rechunk({0: -1})
            weighted = True
    return X, Y, weighted


def _features(chunk, n_x, dtype):
    return np.ascontiguousarray(_validate.features(chunk, n_x, dtype))


def _targets(chunk, dtype, output, n_out):
    return np.ascontiguousarray(_validate.targets(chunk, chunk.shape[1], dtype, output, n_out))


def _weights(sample_weight, m, columns):
    """``model._sample_weights`` for NumPy or dask weights: finite, >= 0, not all 0, scaled to
    mean 1; None when they are all equal (the unweighted fit)."""
    from .model import _sample_weights
    if not isinstance(sample_weight, da.Array):
        w = _sample_weights(sample_weight, m, "sample_weight")
        return None if w is None else da.from_array(w, chunks=(columns,))
    w = sample_weight
    if w.ndim != 1 or w.shape[0] != m:
        raise ValueError(f"sample_weight must have shape ({m},), one weight per example, got "
                         f"{w.shape}")
    w = w.astype(np.float64).rechunk((columns,))
    total, low, high, finite = dask.compute(w.sum(), w.min(), w.max(), da.isfinite(w).all())
    if not finite:
        raise ValueError("sample_weight contains NaN or inf")
    if low < 0 or total <= 0:
        raise ValueError("sample_weight must be >= 0 and not all zero")
    if low == high:
        return None
    return w * (m / total)


def batches(columns, batch_size, shuffle):
    """The steps of an epoch as (first chunk, end chunk, examples): one of all the chunks for
    full batches, else consecutive runs of chunks holding ``batch_size`` examples each (the
    last one the rest), which the chunk boundaries must allow."""
    m = sum(columns)
    if batch_size is None:
        return [(0, len(columns), m)]
    if shuffle:
        raise ValueError("a fit on dask arrays takes its minibatches in chunk order: pass "
                         "shuffle=False (or rechunk and shuffle the examples yourself)")
    edges = np.concatenate([[0], np.cumsum(columns)])
    steps = []
    for start in range(0, m, batch_size):
        end = min(start + batch_size, m)
        first, last = np.searchsorted(edges, [start, end])
        if edges[first] != start or edges[last] != end:
            raise ValueError(f"batch_size must be a whole number of X's chunks, taken in order: "
                             f"the chunks along the examples are {tuple(columns)}, and "
                             f"batch_size={batch_size} cuts one (examples {start} to {end}); "
                             f"rechunk X (and Y) to a divisor of it, or choose a sum of "
                             f"consecutive chunks")
        steps.append((int(first), int(last), end - start))
    return steps


class Trainer:
    """The trainer of a dask fit (the ``_trainers`` protocol: ``bind``, ``steps``,
    ``first_chunk``). Made before the model changes: it persists X and Y on the cluster (the
    active ``distributed.Client``, else dask's default scheduler) and checks every chunk, so
    bad data is refused first."""

    def __init__(self, plan, X, Y, batch_size, shuffle, weighted=False):
        self.plan = plan
        self.dims = np.array(plan.layer_dims, np.int64)
        self.first_chunk = 1
        self.steps_of_epoch = batches(X.chunks[1], batch_size, shuffle)
        self.client = _client()
        X, Y = dask.persist(X, Y)
        self._X, self._Y = X, Y  # keeps the persisted chunks alive for the fit
        self.chunks = list(zip(X.to_delayed().ravel(), Y.to_delayed().ravel()))
        n_out = plan.layer_dims[-1]
        # each chunk's examples and the sum of its weights (Y's last row, if Y has one)
        sizes = self._compute([dask.delayed(_columns, pure=True)(x, y, n_out)
                               for x, y in self.chunks])
        assert [c for c, _ in sizes] == list(X.chunks[1]), (sizes, X.chunks[1])
        # what each step divides its sums by, as the local trainers' heads.step_examples: its
        # examples, or the sum of their weights (chunk sums added in chunk order)
        self.steps_of_epoch = [(first, last, mb, float(mb) if not weighted else
                                float(sum(w for _, w in sizes[first:last])))
                               for first, last, mb in self.steps_of_epoch]
        # (step, slowest chunk, busiest worker thread: its chunks' sum) seconds, per step
        self.times = []

    runs_rule = False  # dask fits take no stopping rule or schedule (``refuse``)

    def bind(self, theta, X, Y, hyper, state, seed, shuffle):
        self.theta, self.hyper, self.state = theta, hyper, state

    def _compute(self, graph):
        if self.client is not None:
            return dask.compute(graph)[0]
        # dask's threads in this process: the BLAS pinned to one thread, as on a dask worker,
        # so the chunks' bits are those of a cluster
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1):
            return dask.compute(graph)[0]

    def _step(self, first, last, m):
        """One step on chunks [first, last); m: its examples, or their weights' sum; returns
        its cost (before the update)."""
        p = self.plan
        start = time.perf_counter()
        theta = dask.delayed(self.theta.copy(), pure=False)
        part = dask.delayed(_chunk_sums, pure=False)
        level = [part(theta, x, y, p.layer_dims, p.activation, p.head, p.sigmoidal)
                 for x, y in self.chunks[first:last]]
        root = tree(level, dask.delayed(_pairwise_sum, pure=False))
        cost_sum, grad, seconds = self._compute(root)
        lambd = self.hyper[LAMBD]
        cost = cost_sum / m
        if lambd != 0.0:
            cost += lambd / (2.0 * m) * _squared_norm_W(self.theta, self.plan.layer_dims)
        network.step_from_sums(p.optimizer, self.hyper, self.dims, m, self.theta,
                               np.array(grad, self.theta.dtype), self.state)  # a writable copy
        self.times.append((time.perf_counter() - start, max(max(t) for t in seconds.values()),
                           max(sum(t) for t in seconds.values())))
        return cost

    def steps(self, n, first_epoch, rule=None):  # rule: always None (``runs_rule``)
        cost = np.nan
        m = sum(b[2] for b in self.steps_of_epoch)
        for epoch in range(n):
            total = 0.0
            for first, last, mb, mw in self.steps_of_epoch:
                c = self._step(first, last, mw)
                total = c if mb == m else total + c * mb
            if epoch == 0:
                cost = total if len(self.steps_of_epoch) == 1 else total / m
            self._judge_overhead()
        return cost

    def _judge_overhead(self):
        global _warned
        if _warned or len(self.times) < _WARN_AFTER + 1:
            return
        recent = self.times[1:_WARN_AFTER + 1]  # the first step pays for compiling
        step = statistics.median(t for t, _, _ in recent)
        busiest = statistics.median(b for _, _, b in recent)
        ratio = step / max(busiest, 1e-9)
        if ratio > OVERHEAD_RATIO:
            _warned = True
            warnings.warn(
                f"this dask fit is dominated by overhead: a step takes {step * 1e3:.1f} ms, "
                f"{ratio:.1f}x the compute of its busiest worker thread "
                f"({busiest * 1e3:.2f} ms); the rest is the scheduler's round trip and the "
                f"transfers. Fewer, larger chunks or a local fit (NumPy arrays) would be faster "
                f"(the break-even: docs/dask.md)", UserWarning,
                stacklevel=6)  # the caller of Model.fit (fit, _train, steps, Trainer.steps)


class Objective:
    """``Model.objective`` on dask arrays: ``f(x) -> (cost, gradient)`` of the full batch, in
    float64, for an optimizer on the client (scikit-learn's lbfgs through scipy's L-BFGS-B).
    X and Y (and the weights) are checked and persisted once, as for a fit; each call sends x
    into a graph of one ``cost_and_grad_sums`` task per chunk and the chunk-order pairwise tree,
    and divides the sums by m (the examples, or the weights' sum) here, adding
    λ/(2m)·Σ‖W‖² and (λ/m)·W as ``network.cost_and_grad`` does. ``x0`` and ``assign`` as
    ``Model.objective``'s."""

    _compute = Trainer._compute

    def __init__(self, model, X, Y, lambd=0.0, sample_weight=None):
        from .kernels import CODES
        from .kernels.activations import sigmoidal_flag
        from .kernels.heads import HEADS, kernel_head
        X, Y, weighted = inputs(model, X, Y, sample_weight)
        self.model, self.lambd = model, float(lambd)
        self.layer_dims = tuple(model.layer_dims)
        self.code = CODES[model.hidden_activation]
        self.sigmoidal = sigmoidal_flag(self.code)
        self.head = kernel_head(HEADS[model.output], weighted)
        self.client = _client()
        X, Y = dask.persist(X, Y)
        self._X, self._Y = X, Y  # keeps the persisted chunks alive while f is
        self.chunks = list(zip(X.to_delayed().ravel(), Y.to_delayed().ravel()))
        n_out = self.layer_dims[-1]
        sizes = self._compute([dask.delayed(_columns, pure=True)(x, y, n_out)
                               for x, y in self.chunks])
        self.m = float(sum(w for _, w in sizes)) if weighted else float(X.shape[1])
        self.theta = model._theta.copy()
        self.evaluations = 0

    @property
    def x0(self):
        return self.model._theta.astype(np.float64)

    def __call__(self, x):
        self.theta[:] = x
        theta = dask.delayed(self.theta.copy(), pure=False)
        part = dask.delayed(_chunk_sums, pure=False)
        level = [part(theta, X, Y, self.layer_dims, self.code, self.head, self.sigmoidal)
                 for X, Y in self.chunks]
        cost_sum, grad, _ = self._compute(tree(level, dask.delayed(_pairwise_sum, pure=False)))
        self.evaluations += 1
        m, lambd = self.m, self.lambd
        cost = cost_sum / m
        grad = np.array(grad, np.float64) / m
        if lambd != 0.0:
            cost += lambd / (2.0 * m) * _squared_norm_W(self.theta, self.layer_dims)
            off = 0
            for k, n in zip(self.layer_dims[:-1], self.layer_dims[1:]):
                grad[off:off + n * k] += (lambd / m) * self.theta[off:off + n * k]
                off += n * k + n
        return float(cost), grad

    assign = _Objective.assign  # the local objective's: the same check, the same lock


def _client():
    """The distributed.Client dask.compute will use here, or None (dask's local schedulers:
    no client, or ``dask.config.set(scheduler=...)`` chose one)."""
    if "distributed" not in sys.modules:
        return None
    from dask.base import get_scheduler
    from distributed import Client
    client = getattr(get_scheduler(), "__self__", None)
    return client if isinstance(client, Client) else None


def _columns(x, y, n_out):
    return x.shape[1], float(y[n_out].sum()) if y.shape[0] > n_out else 0.0


def _workspace(layer_dims, m, dtype):
    """This thread's workspace for chunks of m examples (kept: every step reuses it)."""
    cache = getattr(_local, "workspaces", None)
    if cache is None:
        cache = _local.workspaces = {}
    key = (layer_dims, m, np.dtype(dtype).name)
    if key not in cache:
        if len(cache) >= 4:  # a few chunk sizes per worker thread, not every one ever seen
            cache.pop(next(iter(cache)))
        cache[key] = make_workspace(layer_dims, m, dtype)
    return cache[key]


def _chunk_sums(theta, X, Y, layer_dims, activation, head, sigmoidal):
    """On a worker: (Σ cost, Σ gradient, {worker thread: [seconds]}) of one chunk."""
    start = time.perf_counter()
    # arrays that came over the network may be read-only: numba would compile a kernel apart
    theta, X, Y = (a if a.flags.writeable else a.copy() for a in (theta, X, Y))
    ws = _workspace(layer_dims, X.shape[1], theta.dtype)
    grad = np.empty(n_parameters(layer_dims), theta.dtype)
    cost = network.cost_and_grad_sums(theta, np.array(layer_dims, np.int64), X, Y, activation,
                                      head, ws.acts, ws.AL, ws.D0, ws.D1, grad, sigmoidal)
    # the compute seconds by worker thread: a thread runs its chunks one after the other
    return float(cost), grad, {(os.getpid(), threading.get_ident()): [time.perf_counter() - start]}


def _add(a, b):
    seconds = dict(a[2])
    for thread, t in b[2].items():
        seconds[thread] = seconds.get(thread, []) + t
    return a[0] + b[0], a[1] + b[1], seconds


def pairwise(parts, add):
    """The pairwise tree over ``parts`` in their order: ((0+1)+(2+3))+…, an odd last part
    carried up a level. Aligned runs of 2^k parts are its subtrees, so reducing each run of
    FAN_IN parts in a task and then the runs' results gives the same bits as one tree."""
    level = list(parts)
    while len(level) > 1:
        level = [add(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)] \
            + level[len(level) - len(level) % 2:]
    return level[0]


def tree(parts, reduce):
    """The root of the pairwise tree over ``parts``, each call of ``reduce`` (a task) taking a
    run of FAN_IN parts (or of runs' results) in order."""
    level = list(parts)
    while len(level) > 1:
        level = [reduce(*level[i:i + FAN_IN]) for i in range(0, len(level), FAN_IN)]
    return level[0]


def _pairwise_sum(*parts):
    """A task of the reduction: ``pairwise`` over up to FAN_IN chunks' (or runs') results."""
    return pairwise(parts, _add)


def _squared_norm_W(theta, layer_dims):
    """Σ‖W‖² in float64 in theta's order, as the local trainer's penalty."""
    total = 0.0
    off = 0
    for k, n in zip(layer_dims[:-1], layer_dims[1:]):
        W = theta[off:off + n * k].astype(np.float64)
        total += float(np.dot(W, W))
        off += n * k + n
    return total
