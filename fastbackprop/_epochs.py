"""What ``Model.fit`` does between epochs when it trains one epoch at a time: the validation
metrics, the stopping rule, the learning-rate schedules and ``history``.

The stopping rule and the schedules are scikit-learn's (``MLPClassifier._fit_stochastic``), so
``fastbackprop.sklearn`` runs on them unchanged: an epoch improves when its monitored value beats
the best so far by more than ``tol``; after more than ``n_iter_no_change`` epochs in a row without
improvement the fit stops, or with the "adaptive" schedule divides the rate by 5 (and stops once
the rate is at most 1e-6).
"""
import math

import numpy as np

from .kernels import CODES, epoch_rule, make_workspace, network, optim
from .kernels.activations import sigmoidal_flag
from .kernels.heads import HEADS, kernel_head

SCHEDULES = ("constant", "decay", "invscaling", "adaptive")
MONITORS = ("cost", "val_cost", "val_accuracy", "val_r2")
HIGHER_IS_BETTER = {"cost": False, "val_cost": False, "val_accuracy": True, "val_r2": True}
ADAPTIVE_FLOOR = epoch_rule.ADAPTIVE_FLOOR


def metric_names(output):
    """The validation metrics a head records: the cost, and accuracy or R²."""
    return ("val_cost", "val_r2" if output == "identity" else "val_accuracy")


def new_history(output):
    """``Model.history``: one list per key, one entry per recorded iteration (NaN where a fit
    had no validation set)."""
    return {key: [] for key in ("iteration", "learning_rate", "cost") + metric_names(output)}


def record(history, iteration, values):
    history["iteration"].append(iteration)
    for key, column in history.items():
        if key != "iteration":
            column.append(float(values.get(key, math.nan)))


class Validation:
    """The validation set of a fit: its workspace allocated once, evaluated at theta each epoch.

    ``Y`` is the model's target layout, with the weights row (normalised to mean 1) when
    ``weights`` is not None."""

    def __init__(self, model, X, Y, weights):
        self.model, self.X, self.Y = model, X, Y
        self.weights = weights
        self.m = X.shape[1]
        self.ws = make_workspace(model.layer_dims, self.m, model.dtype)
        code = CODES[model.hidden_activation]
        self.code, self.sigmoidal = code, sigmoidal_flag(code)
        self.head = kernel_head(HEADS[model.output], Y.shape[0] > model.layer_dims[-1])
        n_L = model.layer_dims[-1]
        self.end = sum(model.layer_dims[1:]) * self.m
        self.n_L = n_L
        T = Y[:n_L]
        if model.output == "softmax":
            self.truth = T.argmax(axis=0)
        elif model.output == "sigmoid":
            self.truth = T > 0.5
        else:
            w = np.ones(self.m) if weights is None else weights.astype(np.float64)
            T = T.astype(np.float64)
            mean = (T * w).sum(axis=1, keepdims=True) / w.sum()
            self.total = ((T - mean) ** 2 * w).sum(axis=1)  # per output: Σ w (y − ȳ)²
            self.T, self.w = T, w

    def evaluate(self, theta, dims):
        """{"val_cost": …, "val_accuracy" or "val_r2": …} at theta (one forward pass)."""
        cost = float(network.cost_of(theta, dims, self.X, self.Y, self.code, self.head,
                                     self.ws.acts, self.sigmoidal))
        Z = self.ws.acts[self.end - self.n_L * self.m:self.end].reshape(self.n_L, self.m)
        output = self.model.output
        if output == "identity":
            resid = ((self.T - Z) ** 2 * self.w).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                r2 = np.where(self.total > 0, 1.0 - resid / np.where(self.total > 0,
                                                                      self.total, 1.0),
                              np.where(resid == 0, 1.0, 0.0))  # scikit-learn's force_finite
            return {"val_cost": cost, "val_r2": float(r2.mean())}
        if output == "softmax":
            right = Z.argmax(axis=0) == self.truth
        else:  # every unit right (scikit-learn's subset accuracy for several labels)
            right = ((Z > 0) == self.truth).all(axis=0)
        if self.weights is None:
            accuracy = float(right.mean())
        else:
            accuracy = float((right * self.weights).sum() / self.weights.sum())
        return {"val_cost": cost, "val_accuracy": accuracy}


class Stopper:
    """scikit-learn's no-improvement count on one monitored value (``update``), and what to do
    once it runs out (``exhausted``)."""

    def __init__(self, tol, n_iter_no_change, higher_is_better):
        self.tol, self.patience, self.higher = tol, n_iter_no_change, higher_is_better
        self.best = -math.inf if higher_is_better else math.inf
        self.count = 0

    def update(self, value):
        """Count ``value``; True if it is the best so far."""
        if self.higher:
            worse = value < self.best + self.tol
            better = value > self.best
        else:
            worse = value > self.best - self.tol
            better = value < self.best
        self.count = self.count + 1 if worse else 0
        if better:
            self.best = value
        return better

    def exhausted(self):
        return self.count > self.patience


def learning_rate_after(schedule, lr0, lr, epoch, examples_seen, power_t, decay_rate,
                        time_interval):
    """The rate for the next epoch under ``schedule`` after epoch ``epoch`` (counted from 0 in
    this fit): "decay" the course's schedule_lr_decay (update_lr with time_interval=1),
    lr0 / (1 + decay_rate·⌊epoch / time_interval⌋); "invscaling" scikit-learn's,
    lr0 / (t + 1)^power_t with t the examples seen; "constant" and "adaptive" keep it."""
    if schedule == "decay":
        return lr0 / (1.0 + decay_rate * (epoch // time_interval))
    if schedule == "invscaling":
        return lr0 / (examples_seen + 1) ** power_t
    return lr


class Epochs:
    """The between-epoch work of one fit: validation, history, the rule and the schedule."""

    def __init__(self, model, validation, early_stopping, n_iter_no_change, tol, monitor,
                 schedule, lr0, power_t, decay_rate, time_interval, m, theta):
        self.validation = validation
        self.early_stopping = early_stopping
        self.schedule = schedule
        self.lr0, self.lr = lr0, lr0
        self.power_t, self.decay_rate, self.time_interval = power_t, decay_rate, time_interval
        self.m = m
        self.monitor = monitor
        uses_rule = early_stopping or schedule == "adaptive"
        self.stopper = Stopper(tol, n_iter_no_change, HIGHER_IS_BETTER[monitor]) \
            if uses_rule else None
        # the best parameters are kept (and restored at the end) when a validation metric decides
        self.best_theta = theta.copy() if early_stopping and monitor != "cost" else None
        self.epoch = 0
        self.stopped_early = False

    def end(self, model, iteration, cost, record):
        """After epoch ``iteration``'s update (its cost before the update is ``cost``): records,
        the rule and the next rate. Returns (stop, the next epoch's learning rate, the values
        to record: the cost, this epoch's rate and the validation metrics)."""
        values = {"cost": cost}
        if self.validation is not None and (record or (self.stopper is not None
                                                       and self.monitor != "cost")):
            # after this epoch's update: scikit-learn scores the validation set there too
            values.update(self.validation.evaluate(model._theta, model._dims))
        values["learning_rate"] = self.lr
        stop = False
        if self.stopper is not None:
            if self.stopper.update(values[self.monitor]) and self.best_theta is not None:
                self.best_theta[:] = model._theta
        self.lr = learning_rate_after(self.schedule, self.lr0, self.lr, self.epoch,
                                      (model.iterations) * self.m, self.power_t,
                                      self.decay_rate, self.time_interval)
        if self.stopper is not None and self.stopper.exhausted():
            if self.schedule == "adaptive" and self.lr > ADAPTIVE_FLOOR:
                self.lr /= 5.0
                self.stopper.count = 0
            elif self.early_stopping:
                stop = True
                self.stopped_early = True
            else:
                self.stopper.count = 0
        self.epoch += 1
        return stop, self.lr, values

    def compiled(self):
        """Whether the trainers can run this rule themselves (``kernels.epoch_rule``): it needs
        the epoch's training cost only, no validation set."""
        return self.validation is None

    def rule(self, n, iterations, rule=None):
        """The kernels' rule array for a call of up to n epochs from the model's ``iterations``,
        holding this rule's state and, with a schedule, the rate after each of the n epochs
        (``rule``: the last call's array, reused if large enough). ``took`` reads it back."""
        r = epoch_rule
        if rule is None or r.capacity(rule) < n:
            rule = np.zeros(r.CURVE + r.PER_EPOCH * n, np.float64)
        rule[r.ACTIVE] = 1.0
        rule[r.COUNTS] = float(self.stopper is not None)
        rule[r.STOPS] = float(self.early_stopping)
        rule[r.ADAPTIVE] = float(self.schedule == "adaptive")
        scheduled = self.schedule in ("decay", "invscaling")
        rule[r.SCHEDULED] = float(scheduled)
        if self.stopper is not None:
            rule[r.TOL] = self.stopper.tol
            rule[r.PATIENCE] = self.stopper.patience
            rule[r.BEST] = self.stopper.best
            rule[r.COUNT] = self.stopper.count
        if scheduled:  # the rate after epoch e of the call: end()'s, before the rule's say
            for e in range(n):
                rule[r.CURVE + r.PER_EPOCH * e + 2] = learning_rate_after(
                    self.schedule, self.lr0, self.lr, self.epoch + e,
                    (iterations + e + 1) * self.m, self.power_t, self.decay_rate,
                    self.time_interval)
        rule[r.RAN] = 0.0
        rule[r.STOPPED] = 0.0
        return rule

    def took(self, rule, hyper):
        """After a trainer ran ``rule``: its state back here (the next rate from ``hyper``).
        Returns the epochs' (costs, learning rates), as lists of floats."""
        r = epoch_rule
        ran = int(rule[r.RAN])
        curve = rule[r.CURVE:r.CURVE + r.PER_EPOCH * ran]
        if self.stopper is not None:
            self.stopper.best = float(rule[r.BEST])
            self.stopper.count = int(rule[r.COUNT])
        self.epoch += ran
        self.lr = float(hyper[optim.LEARNING_RATE])
        if rule[r.STOPPED]:
            self.stopped_early = True
        return curve[0::r.PER_EPOCH].tolist(), curve[1::r.PER_EPOCH].tolist()

    def finish(self, model):
        """At the end of the fit: the best parameters back, if a validation metric chose them."""
        if self.best_theta is not None:
            model._theta[:] = self.best_theta
