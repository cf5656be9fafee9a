"""The between-epoch rule, compiled: scikit-learn's stopping rule on the training cost and the
learning-rate schedules, run by the trainers after each epoch, so that a fit which stops early
or changes its rate needs no Python between its epochs.

``fastbackprop._epochs`` holds the same rule in Python (``Stopper``, ``learning_rate_after``),
which runs when the rule needs more than the epoch's cost (a validation set). This module
repeats only its arithmetic, in the same order, so the two give the same bits; a test trains
every trainer path both ways.

The rule travels as one float64 array (slots below), its header then the curve: per epoch e of
the call, the cost at ``CURVE + 2e`` and the epoch's learning rate at ``CURVE + 2e + 1``. With
``ACTIVE`` 0 (``inactive``) the trainers run as without it: the first epoch's cost only.
See docs/engine.md, "The between-epoch rule".
"""
import math

import numpy as np

from ._options import jit_exact, jit_inline
from .optim import LEARNING_RATE

SCHEDULES = ("constant", "decay", "invscaling", "adaptive")  # names of the codes below
CONSTANT = 0
DECAY = 1       # the course's: lr0 / (1 + decay_rate·⌊epoch / time_interval⌋)
INVSCALING = 2  # scikit-learn's: lr0 / (examples seen + 1)^power_t
ADAPTIVE = 3    # scikit-learn's: the rate divided by 5 when the rule runs out

ADAPTIVE_FLOOR = 1e-6  # scikit-learn's: the adaptive schedule stops at a rate this small

# slots of the rule array
ACTIVE = 0         # 1: the trainers cost every epoch and run the rule after it
COUNTS = 1         # 1: the no-improvement count runs (early stopping, or "adaptive")
STOPS = 2          # 1: a count past the patience stops the fit (early stopping)
SCHEDULE = 3
LR0 = 4            # the fit's first rate
POWER_T = 5
DECAY_RATE = 6
TIME_INTERVAL = 7
EXAMPLES = 8       # m, the examples of an epoch
TOL = 9
PATIENCE = 10      # n_iter_no_change
BEST = 11          # the lowest cost so far
COUNT = 12         # epochs in a row without an improvement of tol
EPOCH = 13         # epochs of this fit before this one (the decay schedule's)
ITERATIONS = 14    # the model's iterations when the call starts (invscaling's examples seen)
RAN = 15           # epochs the call ran
STOPPED = 16       # 1 once the rule stopped the fit
CURVE = 17


def inactive():
    """A rule that does nothing: the trainers compute the first epoch's cost only."""
    return np.zeros(CURVE, np.float64)


def capacity(rule):
    """Epochs whose costs and rates fit in ``rule``'s curve."""
    return (rule.size - CURVE) // 2


@jit_inline
def active(rule):
    return rule[ACTIVE] != 0.0


@jit_inline
def epoch_end(rule, hyper, epoch, cost):
    """After epoch ``epoch`` of the call (its cost before its updates: ``cost``): the curve, the
    count, the next rate (into hyper's LEARNING_RATE). True if the fit stops here: the rule ran
    out under early stopping, or the cost is not finite (the caller then reports divergence).

    ``fastbackprop._epochs.Epochs.end`` with the training cost monitored, in its order."""
    at = CURVE + 2 * epoch
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
    schedule = int(rule[SCHEDULE])
    fit_epoch = int(rule[EPOCH])
    if schedule == DECAY:
        lr = _decayed(rule[LR0], rule[DECAY_RATE], fit_epoch // int(rule[TIME_INTERVAL]))
    elif schedule == INVSCALING:
        seen = (int(rule[ITERATIONS]) + epoch + 1) * int(rule[EXAMPLES])
        lr = rule[LR0] / float(seen + 1) ** rule[POWER_T]
    stop = False
    if counts and rule[COUNT] > rule[PATIENCE]:
        if schedule == ADAPTIVE and lr > ADAPTIVE_FLOOR:
            lr /= 5.0
            rule[COUNT] = 0.0
        elif rule[STOPS] != 0.0:
            stop = True
            rule[STOPPED] = 1.0
        else:
            rule[COUNT] = 0.0
    rule[EPOCH] = fit_epoch + 1
    hyper[LEARNING_RATE] = lr
    return stop


@jit_exact
def _decayed(lr0, decay_rate, k):
    """lr0 / (1 + decay_rate·k), rounded as Python rounds it (no FMA)."""
    return lr0 / (1.0 + decay_rate * k)
