"""The trainers: one class per path of ``_plan.PATHS``, each owning its workspace.

A trainer is made from a ``Plan`` (``make``), bound to a fit's data (``bind``) and run by
``Model`` in chunks: ``steps(n, first_epoch, rule) -> cost`` trains n iterations on theta in
place and returns the cost before the first one's update. ``rule`` is an ``epoch_rule`` array
(default inactive): active, the trainer runs the between-epoch rule itself and may stop before n
(``runs_rule``: the trainers here do; a dask fit's runs it in Python). The optimizer's hyper-parameters, its state and
the step counter (``optim.STEP``) travel in arrays the model owns, so a trainer holds no
training state of its own: a new trainer continues where the last one stopped.
"""
import numba
import numpy as np

from . import _compile_ahead
from .kernels import blocked, epoch_rule, make_workspace, minibatch, network
from .kernels._native import fingerprints
from .kernels.dropout import make_dropout
from .kernels.optim import GD


class _Trainer:
    def __init__(self, plan):
        self.plan = plan
        self.dims = np.array(plan.layer_dims, np.int64)
        self.first_chunk = 1  # iterations in a fit's first compiled call (see Model._train)
        self.compiled = False  # after the first call (which may compile: _compile_ahead)
        self.key = None  # the plan and the data's types (``_compile_ahead.compiled_apart``)
        self.part = None  # what the trainer calls through an address, for those types
        self.buffers = None  # minibatch paths: (order, …), order[:] the epoch's permutation
        self.permuted = False  # order holds a shuffled fit's permutation, not the identity
        self.inactive = epoch_rule.inactive()

    runs_rule = True  # steps() takes an active epoch_rule array and stops where it says

    def bind(self, theta, X, Y, hyper, state, seed, shuffle):
        """Train theta on (X, Y) from now on; ``seed`` keys the shuffles and the dropout masks,
        ``shuffle`` False takes the batches in order."""
        self.theta, self.X, self.Y, self.hyper, self.seed = theta, X, Y, hyper, seed
        self.shuffled = bool(shuffle)
        if self.shuffled:
            self.permuted = self.buffers is not None
        elif self.permuted:  # shuffle=False takes the examples' order, not the last permutation
            self.buffers[0][:] = np.arange(self.buffers[0].size)
            self.permuted = False
        self.dropout = make_dropout(seed, self.plan.keep_prob)
        self.state = state
        self.fresh = True
        # a plan whose first call ran in this process (another model's, say) compiles nothing
        # more: skip the compile-ahead check, whose argument typing was a millisecond a fit
        # (docs/performance.md, "Fixed costs of a small fit")
        key = self.plan, fingerprints((X, Y))
        if key != self.key:  # the kernel called through its address is typed by X's and Y's
            self.part = None
        self.key = key
        self.compiled = self.compiled or _compile_ahead.has_run(self.key)

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

    def steps(self, n, first_epoch, rule=None):
        p, ws = self.plan, self.ws
        rule = self.inactive if rule is None else rule
        shuffle = None
        if p.batch_size is not None:
            shuffle = minibatch.Shuffle(p.batch_size, self.seed, first_epoch, self.shuffled,
                                        *self.buffers)
        state, fused = _update(p, self.state)
        args = (self.theta, self.dims, self.X, self.Y, p.activation, p.head, p.optimizer,
                self.hyper, state, fused, n, ws.acts, ws.AL, ws.D0, ws.D1, ws.grad, p.split,
                shuffle, p.sigmoidal, self.dropout, rule)
        if self.compiled:
            if self.part is None:  # the first fit on these types of X and Y
                self.part = network.backward_for(args)
            return network.train_steps_split(*args, self.part)
        # the first call: the trainer compiled here while a helper compiles its backward kernel
        with _compile_ahead.compiled_apart(network.train_steps_split,
                                           lambda: network.serial_trainer_types(args),
                                           lambda: network.serial_trainer_parts(args),
                                           self.key):
            self.part = network.backward_for(args)  # from the helper, through the cache
            cost = network.train_steps_split(*args, self.part)
        self.compiled = True
        return cost


class Blocked(_Trainer):
    """``blocked``: ``blocked.train_steps_blocked`` over all m examples."""

    def __init__(self, plan):
        super().__init__(plan)
        self.ws = blocked.make_blocked_workspace(plan.layer_dims, plan.m, plan.dtype)

    def lanes(self):
        return blocked.lanes_for(self.ws)

    def steps(self, n, first_epoch, rule=None):
        p = self.plan
        rule = self.inactive if rule is None else rule
        args = (self.theta, self.dims, self.ws, self.X, self.Y, p.activation, p.head, p.optimizer,
                self.hyper, self.state, self.dropout, n, self.lanes(), self.fresh, None, rule)
        if self.compiled:
            cost = blocked.run_blocked(*args)
        else:
            with _blocked_compiled_ahead(args, self.key):
                cost = blocked.run_blocked(*args)
            self.compiled = True
        self.fresh = False  # X is in ws.Xt now
        return cost


class BlockedMinibatch(_Trainer):
    """``blocked_minibatch``: ``blocked.train_steps_blocked`` over batches of rows gathered
    from X's examples as rows (``minibatch.RowBatches``, the order drawn as the serial
    trainer's shuffle), its epochs compiled; the last, smaller batch runs its own block plan in
    the same workspace."""

    def __init__(self, plan):
        super().__init__(plan)
        dims, m, b, dtype = plan.layer_dims, plan.m, plan.batch_size, plan.dtype
        self.ws = blocked.make_blocked_workspace(dims, m, dtype, batch_size=b)
        self.buffers = minibatch.make_row_batches_buffers(dims[0], m, b, dtype,
                                                          dims[-1] + plan.weighted)

    def lanes(self):
        return blocked.lanes_for(self.ws)

    def _args(self, n, first_epoch, rule):
        p = self.plan
        batches = minibatch.RowBatches(p.batch_size, self.seed, first_epoch, self.shuffled,
                                       *self.buffers)
        return (self.theta, self.dims, self.ws, self.X, self.Y, p.activation, p.head,
                p.optimizer, self.hyper, self.state, self.dropout, n, self.lanes(), self.fresh,
                batches, rule)

    def steps(self, n, first_epoch, rule=None):
        args = self._args(n, first_epoch, self.inactive if rule is None else rule)
        if self.compiled:
            if self.part is None:  # the first fit on these types of X and Y
                self.part = self._passes(args)
            cost = blocked.run_blocked(*args, *self.part)
        else:
            with _blocked_compiled_ahead(args, self.key):
                self.part = self._passes(args)
                cost = blocked.run_blocked(*args, *self.part)
            self.compiled = True
        self.fresh = False  # X is in the batches' XT now: later calls of this fit gather from it
        return cost


    def _passes(self, args):
        """The block pass and the merge pass the trainer calls through their addresses. The
        merge pass first: on a cold first fit this process compiles it while the helper still
        compiles the block pass (``_blocked_compiled_ahead``)."""
        theta, dims, ws, opt, hyper, state = args[0], args[1], args[2], args[7], args[8], args[9]
        merge_pass = blocked.merge_pass_for(theta, dims, ws, opt, hyper, state)
        return blocked.block_pass_for(*_block_pass_inputs(args)), merge_pass


def _block_pass_inputs(args):
    """``block_pass_for``'s arguments from ``run_blocked``'s (positional, with shuffle)."""
    theta, dims, ws, X, Y, activation, head = args[:7]
    return theta, dims, ws, Y, activation, head, args[10], args[14]


def _blocked_compiled_ahead(args, key):
    """``_compile_ahead.compiled_apart`` around the first ``blocked.run_blocked(*args)`` of a
    trainer (and the ``block_pass_for`` before it): the block pass by the helper."""
    planned = []

    def plan():
        if not planned:
            planned[:] = blocked.run_blocked_parts(*args)
        return planned

    return _compile_ahead.compiled_apart(blocked.train_steps_blocked, lambda: plan()[0],
                                         lambda: plan()[1], key)


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
