"""The between-epoch rule, compiled: scikit-learn's stopping rule on the training cost, run by
the trainers after each epoch, with the learning rate the schedule gives each epoch, so that a
fit which stops early or changes its rate needs no Python between its epochs.

``fastbackprop._epochs`` holds the same rule in Python (``Stopper``, ``Epochs.end``), which runs
when the rule needs more than the epoch's cost (a validation set); this module repeats only its
count, in the same order, so the two give the same bits (a test trains every trainer path both
ways). The schedules' rates are not computed here: ``_epochs`` writes the rate after each epoch
of the call into the curve beforehand (they depend on the epoch only), and the kernel takes
them; only "adaptive"'s division by 5 depends on the costs, and runs here.

The rule travels as one float64 array (slots below), its header then the curve: per epoch e of
the call, at ``CURVE + 3e``, the epoch's cost and learning rate (written here) and the next
epoch's scheduled rate (read, with ``SCHEDULED``). With ``ACTIVE`` 0 (``inactive``) the trainers
run as without it: the first epoch's cost only. See docs/engine.md, "The between-epoch rule".
"""
import math

import numpy as np

from ._options import jit
from .optim import LEARNING_RATE

ADAPTIVE_FLOOR = 1e-6  # scikit-learn's: the adaptive schedule stops at a rate this small

# slots of the rule array
ACTIVE = 0         # 1: the trainers cost every epoch and run the rule after it
COUNTS = 1         # 1: the no-improvement count runs (early stopping, or "adaptive")
STOPS = 2          # 1: a count past the patience stops the fit (early stopping)
ADAPTIVE = 3       # 1: a count past the patience divides the rate by 5 instead
SCHEDULED = 4      # 1: each epoch's next rate is given in the curve (a schedule)
TOL = 5
PATIENCE = 6       # n_iter_no_change
BEST = 7           # the lowest cost so far
COUNT = 8          # epochs in a row without an improvement of tol
RAN = 9            # epochs the call ran
STOPPED = 10       # 1 once the rule stopped the fit
CURVE = 11
PER_EPOCH = 3      # the curve's values per epoch: cost, rate, next scheduled rate


def inactive():
    """A rule that does nothing: the trainers compute the first epoch's cost only."""
    return np.zeros(CURVE, np.float64)


def capacity(rule):
    """Epochs the curve of ``rule`` has room for."""
    return (rule.size - CURVE) // PER_EPOCH


@jit  # called, not inlined: inlined into the parallel trainer it lengthened that compile
def epoch_end(rule, hyper, epoch, cost):
    """After epoch ``epoch`` of the call (its cost before its updates: ``cost``): the curve, the
    count, the next rate (into hyper's LEARNING_RATE). True if the fit stops here: the rule ran
    out under early stopping, or the cost is not finite (the caller then reports divergence).

    ``fastbackprop._epochs.Epochs.end`` with the training cost monitored, in its order."""
    at = CURVE + PER_EPOCH * epoch
    lr = hyper[LEARNING_RATE]
    rule[at] = cost
    rule[at + 1] = lr
    rule[RAN] = epoch + 1
    if not math.isfinite(cost):
        return True
    counts = rule[COUNTS] != 0.0
    if counts:  # Stopper.update: lower is better
        best = rule[BEST]
        if cost > best - rule[TOL]:
            rule[COUNT] += 1.0
        else:
            rule[COUNT] = 0.0
        if cost < best:
            rule[BEST] = cost
    if rule[SCHEDULED] != 0.0:
        lr = rule[at + 2]
    stop = False
    if counts and rule[COUNT] > rule[PATIENCE]:
        if rule[ADAPTIVE] != 0.0 and lr > ADAPTIVE_FLOOR:
            lr /= 5.0
            rule[COUNT] = 0.0
        elif rule[STOPS] != 0.0:
            stop = True
            rule[STOPPED] = 1.0
        else:
            rule[COUNT] = 0.0
    hyper[LEARNING_RATE] = lr
    return stop
