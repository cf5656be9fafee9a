"""The trainers: one class per path of ``_plan.PATHS``, each owning its workspace.

A trainer is made from a ``Plan`` (``make``), bound to a fit's data (``bind``) and run by
``Model`` in chunks: ``steps(n, first_epoch) -> cost`` trains n iterations on theta in place and
returns the cost before the first one's update. The optimizer's hyper-parameters, its state and
the step counter (``optim.STEP``) travel in arrays the model owns, so a trainer holds no
training state of its own: a new trainer continues where the last one stopped.
"""
import contextlib
import math

import numba
import numpy as np

from . import _compile_ahead
from .kernels import blocked, make_workspace, minibatch, network
from .kernels.dropout import make_dropout
from .kernels.optim import GD


class _Trainer:
    def __init__(self, plan):
        self.plan = plan
        self.dims = np.array(plan.layer_dims, np.int64)
        self.first_chunk = 1  # iterations in a fit's first compiled call (see Model._train)
        self.compiled = False  # after the first call (which may compile: _compile_ahead)

    def bind(self, theta, X, Y, hyper, state, seed, shuffle):
        """Train theta on (X, Y) from now on; ``seed`` keys the shuffles and the dropout masks,
        ``shuffle`` False takes the batches in order."""
        self.theta, self.X, self.Y, self.hyper, self.seed = theta, X, Y, hyper, seed
        self.shuffled = bool(shuffle)
        self.dropout = make_dropout(seed, self.plan.keep_prob)
        self.state = state
        self.fresh = True
        self.backward = None  # the serial trainer's backward kernel for this fit's types

    def lanes(self):
        return 1


class Serial(_Trainer):
    """``serial`` and ``serial_minibatch``: ``network.train_steps_split``."""

    def __init__(self, plan):
        super().__init__(plan)
        dims, m, b = plan.layer_dims, plan.m, plan.batch_size
        self.ws = make_workspace(dims, m if b is None else b, plan.dtype)
        self.buffers = None if b is None else minibatch.make_shuffle_buffers(
            dims[0], m, plan.dtype, dims[-1] + plan.weighted)

    def steps(self, n, first_epoch):
        p, ws = self.plan, self.ws
        shuffle = None
        if p.batch_size is not None:
            shuffle = minibatch.Shuffle(p.batch_size, self.seed, first_epoch, self.shuffled,
                                        *self.buffers)
        state, fused = _update(p, self.state)
        args = (self.theta, self.dims, self.X, self.Y, p.activation, p.head, p.optimizer,
                self.hyper, state, fused, n, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, p.split,
                shuffle, p.sigmoidal, self.dropout)
        if self.compiled:
            if self.backward is None:  # a new fit: X's type may be another
                self.backward = network.backward_for(args)
            return network.train_steps_split(*args, self.backward)
        # the first call: the trainer compiled here while a helper compiles its backward kernel
        with _compiled_apart(network.train_steps_split,
                             lambda: network.serial_trainer_types(args),
                             lambda: network.serial_trainer_parts(args)):
            self.backward = network.backward_for(args)  # from the helper, through the cache
            cost = network.train_steps_split(*args, self.backward)
        self.compiled = True
        return cost


class Blocked(_Trainer):
    """``blocked``: ``blocked.train_steps_blocked`` over all m examples."""

    def __init__(self, plan):
        super().__init__(plan)
        self.ws = blocked.make_blocked_workspace(plan.layer_dims, plan.m, plan.dtype)

    def lanes(self):
        return blocked.lanes_for(self.ws)

    def steps(self, n, first_epoch):
        p = self.plan
        args = (self.theta, self.dims, self.ws, self.X, self.Y, p.activation, p.head, p.optimizer,
                self.hyper, self.state, self.dropout, n, self.lanes(), self.fresh)
        if self.compiled:
            cost = blocked.run_blocked(*args)
        else:
            with _blocked_compiled_ahead(args):
                cost = blocked.run_blocked(*args)
            self.compiled = True
        self.fresh = False  # X is in ws.Xt now
        return cost


class BlockedMinibatch(_Trainer):
    """``blocked_minibatch``: a compiled blocked call per batch (the blocked trainer is a
    parallel kernel, which another cached kernel may not call: ``_options.jit_parallel_callee``),
    the shuffle as ``network.train_steps_split`` does it. The last, smaller batch takes the
    trainer its size calls for."""

    def __init__(self, plan):
        super().__init__(plan)
        dims, m, b, dtype = plan.layer_dims, plan.m, plan.batch_size, plan.dtype
        self.ws = blocked.make_blocked_workspace(dims, b, dtype)
        last = m % b
        self.last = None
        if last:
            blocks = blocked.use_blocked(dims, last, plan.optimizer != GD)
            self.last = (blocked.make_blocked_workspace(dims, last, dtype) if blocks
                         else make_workspace(dims, last, dtype))
        self.order, self.Xs, self.Ys, self.row = minibatch.make_shuffle_buffers(
            dims[0], m, dtype, dims[-1] + plan.weighted)
        self.block_passes = {}  # per batch size: every batch of a size has the same array types

    def lanes(self):
        return blocked.lanes_for(self.ws)

    def _batch(self, start, mb):
        """The batch of mb examples from ``start`` of the shuffled copy: (Xb, Yb, workspace)."""
        n_x, n_y = self.X.shape[0], self.Y.shape[0]
        Xb = self.Xs[n_x * start:n_x * (start + mb)].reshape(n_x, mb)
        Yb = self.Ys[n_y * start:n_y * (start + mb)].reshape(n_y, mb)
        return Xb, Yb, self.ws if mb == self.plan.batch_size else self.last

    def _blocked_args(self, Xb, Yb, ws, lanes):
        p = self.plan
        return (self.theta, self.dims, ws, Xb, Yb, p.activation, p.head, p.optimizer, self.hyper,
                self.state, self.dropout, 1, lanes)

    def _serial_args(self, Xb, Yb, ws):
        p = self.plan
        state, fused = _update(p, self.state)
        return (self.theta, self.dims, Xb, Yb, p.activation, p.head, p.optimizer, self.hyper,
                state, fused, 1, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, p.split, None,
                p.sigmoidal, self.dropout)

    def steps(self, n, first_epoch):
        if self.compiled:
            return self._epochs(n, first_epoch)
        # the first call: the blocked trainer compiled here, the block pass and the last
        # batch's serial backward kernel (if it runs serial) by a helper, in that order
        b, m = self.plan.batch_size, self.plan.m

        def extra():
            if self.last is None or isinstance(self.last, blocked.BlockedWorkspace):
                return []
            return network.serial_trainer_parts(self._serial_args(*self._batch(m - m % b,
                                                                               m % b)))

        with _blocked_compiled_ahead(self._blocked_args(*self._batch(0, b), self.lanes()),
                                     extra):
            cost = self._epochs(n, first_epoch)
        self.compiled = True
        return cost

    def _epochs(self, n, first_epoch):
        p = self.plan
        m, b = self.X.shape[1], p.batch_size
        lanes = self.lanes()  # once per call: numba's thread count is not free to read
        cost = math.nan
        for epoch in range(n):
            if self.shuffled:
                minibatch.permutation(self.seed, first_epoch + epoch, self.order)
            minibatch.shuffle_into(self.X, self.Y, self.order, b, self.Xs, self.Ys, self.row)
            total = 0.0
            for start in range(0, m, b):
                mb = min(b, m - start)
                Xb, Yb, ws = self._batch(start, mb)
                if isinstance(ws, blocked.BlockedWorkspace):
                    if mb not in self.block_passes:
                        self.block_passes[mb] = blocked.block_pass_for(
                            self.theta, self.dims, ws, Yb, p.activation, p.head, self.dropout)
                    c = blocked.run_blocked(*self._blocked_args(Xb, Yb, ws, lanes),
                                            block_pass=self.block_passes[mb])
                else:
                    args = self._serial_args(Xb, Yb, ws)
                    if self.backward is None:  # every last batch has the same types
                        self.backward = network.backward_for(args)
                    c = network.train_steps_split(*args, self.backward)
                total += c * mb
            if epoch == 0:
                cost = total / m
        return cost


@contextlib.contextmanager
def _compiled_apart(trainer, trainer_types, parts):
    """Around a trainer's first call, for a trainer that calls its largest part through the
    part's address (``kernels._native``): if the trainer would compile, it is compiled here,
    now, for ``trainer_types()``, while a helper compiles ``parts()`` (``_compile_ahead``); the
    two are compiled apart, so neither waits for the other, and the parts then load from the
    cache."""
    helper = _compile_ahead.start(trainer, trainer_types, parts)
    try:
        if helper is not _compile_ahead.NOTHING:
            trainer.compile(trainer_types())
        yield
    finally:
        helper.close()


def _blocked_compiled_ahead(args, extra=list):
    """``_compiled_apart`` around the first ``blocked.run_blocked(*args)`` of a trainer (or the
    first ``block_pass_for`` of a batch size, which comes first): the block pass by the helper.
    ``extra()``: more parts for the helper, after the block pass."""
    planned = []

    def plan():
        if not planned:
            trainer_types, parts = blocked.run_blocked_parts(*args)
            planned[:] = [trainer_types, parts + list(extra())]
        return planned

    return _compiled_apart(blocked.train_steps_blocked, lambda: plan()[0], lambda: plan()[1])


def _update(plan, state):
    """The serial trainer's ``state`` and ``fused`` (``network.train_steps_split``): gradient
    descent's update inside the dW products, or the optimizer's state for the epilogue."""
    if plan.optimizer == GD:
        return None, True
    return state, None


TRAINERS = {"serial": Serial, "serial_minibatch": Serial, "blocked": Blocked,
            "blocked_minibatch": BlockedMinibatch}


def make(plan):
    return TRAINERS[plan.path](plan)


def lanes_available():
    return max(1, numba.get_num_threads())
