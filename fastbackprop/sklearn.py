"""scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` on fastbackprop's kernels.

Change ``from sklearn.neural_network import MLPClassifier`` to
``from fastbackprop.sklearn import MLPClassifier``: the constructor parameters, their defaults and
meaning, the fitted attributes and the methods are scikit-learn's, so Pipelines, ``clone``,
``GridSearchCV`` and pickling work as before. Added: ``sample_weight`` for every solver,
``class_weight`` for the classifier, the ``leaky_relu`` activation, ``dtype`` and ``n_threads``.

Each estimator holds a ``fastbackprop.Model`` (examples as columns: X is transposed once per
fit). The stochastic solvers run ``Model.fit`` with scikit-learn's stopping rule, schedules and
early stopping (``fastbackprop._epochs``); "lbfgs" runs ``scipy.optimize.minimize`` (L-BFGS-B)
on ``Model.objective``, the loss and gradient of one compiled call. Where the results differ
from scikit-learn's, docs/sklearn.md says how.

Dask arrays chunked along the rows train data-parallel (``Model.fit`` on X.T, or lbfgs on
``_dask.Objective``), with the labels encoded and the predictions made chunk by chunk: see
docs/dask.md, "scikit-learn estimators on dask arrays", for what each solver takes.
"""
import contextlib
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, \
    is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, \
    unique_labels
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, \
    validate_data

from . import _epochs, _threads
from .model import Model, _dask_array

__all__ = ["MLPClassifier", "MLPRegressor"]

ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
               "leaky_relu": "leaky_relu"}
OUT_ACTIVATIONS = {"softmax": "softmax", "sigmoid": "logistic", "identity": "identity"}
_STOCHASTIC = ("sgd", "adam")


class _BaseMLP(BaseEstimator):
    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dtype": [None, StrOptions({"float32", "float64"})],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
                 learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose,
                 warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction,
                 beta_1, beta_2, epsilon, n_iter_no_change, max_fun, dtype, n_threads):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.n_threads = n_threads

    @classmethod
    def _get_param_names(cls):
        """scikit-learn's: the constructor's parameter names, read from its signature once per
        class (scikit-learn reads it on every ``get_params``, and every fit validates its
        parameters through that: 70 µs of a 2.7 ms fit; docs/sklearn.md, "Speed")."""
        names = cls.__dict__.get("_param_names_cache")
        if names is None:
            names = tuple(super()._get_param_names())
            cls._param_names_cache = names
        return list(names)

    # -- the parts scikit-learn's subclasses differ in -----------------------------------------

    def _targets(self, X, y, incremental, reset, classes=None):
        raise NotImplementedError

    def _val_metric(self):
        return "val_accuracy" if is_classifier(self) else "val_r2"

    # -- fitting -------------------------------------------------------------------------------

    def _hidden(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(not isinstance(s, (Integral, np.integer)) or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _new_model(self, layer_units, output, dtype, rng):
        """A Model initialised as scikit-learn's ``_init_coef`` does: uniform Glorot bounds
        (factor 2 for logistic, else 6) from the estimator's random state."""
        factor = 2.0 if self.activation == "logistic" else 6.0
        parameters = {}
        for l, (fan_in, fan_out) in enumerate(zip(layer_units[:-1], layer_units[1:]), 1):
            bound = np.sqrt(factor / (fan_in + fan_out))
            W = rng.uniform(-bound, bound, (fan_in, fan_out))
            b = rng.uniform(-bound, bound, fan_out)
            parameters[f"W{l}"] = W.T.astype(dtype)
            parameters[f"b{l}"] = b.astype(dtype).reshape(-1, 1)
        return Model.from_parameters(parameters, ACTIVATIONS[self.activation], dtype, output)

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        hidden = self._hidden()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        on_dask = _dask_array(X) or _dask_array(y) or _dask_array(sample_weight)
        if on_dask:  # data-parallel: row-chunked dask arrays, nothing of X on the client
            X = self._dask_features(X, reset=first_pass)
            self._dask_refuse(X, incremental)
            X, Y, output, labels, attributes = self._dask_targets(X, y, incremental, first_pass,
                                                                  classes)
            attributes["n_features_in_"] = X.shape[1]
            sample_weight = _dask_weights(sample_weight, X)
        else:
            X, Y, output, labels, attributes = self._targets(X, y, incremental, first_pass,
                                                             classes)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        n, n_features = X.shape
        sample_weight = self._class_weights(labels, attributes, sample_weight)
        dtype = np.dtype(self.dtype) if self.dtype is not None else X.dtype
        rng = check_random_state(self.random_state)
        layer_units = [n_features] + hidden + [Y.shape[1]]
        if first_pass:
            model = self._new_model(layer_units, output, dtype, rng)
            state = dict(n_iter_=0, t_=0, loss_curve_=[], best_loss_=np.inf,
                         validation_scores_=None, best_validation_score_=None)
            if self.early_stopping and self.solver in _STOCHASTIC:
                state.update(best_loss_=None, validation_scores_=[],
                             best_validation_score_=-np.inf)
            stopper = None
            lr = self.learning_rate_init
        else:
            expected = [c.shape[0] for c in self.coefs_] + [self.coefs_[-1].shape[1]]
            if layer_units != expected:
                raise ValueError(f"the layer sizes {layer_units} of this fit differ from the "
                                 f"fitted ones {expected}; set warm_start=False")
            model = self._model  # a failed fit restores it (Model.fit is transactional)
            state = {key: getattr(self, key, None) for key in
                     ("n_iter_", "t_", "loss_curve_", "best_loss_", "validation_scores_",
                      "best_validation_score_")}
            state["loss_curve_"] = list(state["loss_curve_"] or [])
            if state["validation_scores_"] is not None:
                state["validation_scores_"] = list(state["validation_scores_"])
            stopper = getattr(self, "_stopper", None)
            lr = getattr(self, "_lr", self.learning_rate_init)
        if self.solver == "lbfgs":
            result = self._fit_lbfgs(model, X, Y, sample_weight)
        else:
            if incremental and self.early_stopping:
                raise ValueError("partial_fit does not support early_stopping=True")
            result = self._fit_stochastic(model, X, Y, sample_weight, rng, state, stopper, lr,
                                          incremental, first_pass, output)
        # everything computed: now the estimator changes, all at once
        if on_dask and first_pass:
            self.__dict__.pop("feature_names_in_", None)  # dask arrays have no column names
        for key, value in attributes.items():
            setattr(self, key, value)
        self._model = model
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = OUT_ACTIVATIONS[output]
        for key, value in result.items():
            setattr(self, key, value)
        params = model.parameters
        L = len(layer_units) - 1
        self.coefs_ = [params[f"W{l}"].T.copy() for l in range(1, L + 1)]
        self.intercepts_ = [params[f"b{l}"].ravel().copy() for l in range(1, L + 1)]
        return self

    def _class_weights(self, labels, attributes, sample_weight):
        return sample_weight

    def _fit_lbfgs(self, model, X, Y, sample_weight):
        n = X.shape[0]
        # scikit-learn's penalty is α/(2·Σw)·Σ‖W‖²; Model's λ/(2m), m the examples
        lambd = self.alpha * (n / _weight_sum(sample_weight) if sample_weight is not None
                              else 1.0)
        if _dask_array(X):  # the full-batch objective from the chunks' sums, on the cluster
            from . import _dask
            f = _dask.Objective(model, X.T, Y.T, lambd=lambd, sample_weight=sample_weight)
            owner = contextlib.nullcontext()
        else:
            f = model.objective(X.T, Y.T, lambd=lambd, sample_weight=sample_weight)
            # the objective's products as fit's: a one-thread BLAS (n_threads caps numba's)
            owner = _threads.owner(self.n_threads)
        iprint = 1 if self.verbose is True or self.verbose >= 1 else -1
        options = {"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol}
        if iprint > 0:
            options["disp"] = True
        with owner:
            res = scipy.optimize.minimize(f, f.x0, method="L-BFGS-B", jac=True,
                                          options=options)
        n_iter = _check_optimize_result("lbfgs", res, self.max_iter)
        if not np.isfinite(res.x).all():
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        f.assign(res.x)
        return dict(n_iter_=n_iter, loss_=float(res.fun), t_=0)  # lbfgs counts no examples

    def _optimizer(self):
        if self.solver == "adam":
            return dict(optimizer="adam", beta1=self.beta_1, beta2=self.beta_2,
                        epsilon=self.epsilon)
        if self.momentum == 0:  # v = −α·g: plain descent, on the fused update
            return dict(optimizer="gd")
        return dict(optimizer="nesterov" if self.nesterovs_momentum else "sgd_momentum",
                    beta=self.momentum)

    def _split(self, X, Y, sample_weight, rng, output):
        """scikit-learn's validation split (stratified by class for single-label classifiers
        whose every class can be split)."""
        stratify = None
        if is_classifier(self) and output == "softmax" or (output == "sigmoid"
                                                           and Y.shape[1] == 1
                                                           and is_classifier(self)):
            labels = Y.argmax(axis=1) if output == "softmax" else Y[:, 0]
            if np.bincount(labels.astype(np.int64)).min(initial=2) >= 2:
                stratify = labels
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(*arrays, random_state=rng, test_size=self.validation_fraction,
                                 stratify=stratify)
        X_train, X_val, Y_train, Y_val = parts[:4]
        w_train, w_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        return X_train, Y_train, w_train, (X_val.T, Y_val.T, w_val)

    def _fit_stochastic(self, model, X, Y, sample_weight, rng, state, stopper, lr, incremental,
                        first_pass, output):
        if not incremental and not first_pass:
            model.reset_optimizer()  # scikit-learn makes a new optimizer on every fit
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split(X, Y, sample_weight, rng, output)
        n = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                              "going to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n))
        lambd = self.alpha * (n / _weight_sum(sample_weight) if sample_weight is not None
                              else 1.0)
        monitor = self._val_metric() if self.early_stopping else "cost"
        schedule = self.learning_rate if self.solver == "sgd" else "constant"
        if incremental:
            schedule = "constant"  # one epoch at the rate scikit-learn's optimizer holds now
        if not incremental:
            lr = self.learning_rate_init
        done = model.iterations
        seed = int(rng.randint(np.iinfo(np.int32).max))
        model.fit(X.T, Y.T, learning_rate=lr, num_iterations=1 if incremental else self.max_iter,
                  record_every=1, n_threads=self.n_threads, batch_size=batch_size, seed=seed,
                  shuffle=bool(self.shuffle), lambd=lambd, sample_weight=sample_weight,
                  validation_data=validation, early_stopping=not incremental,
                  n_iter_no_change=_patience(self.n_iter_no_change), tol=self.tol,
                  monitor=monitor, schedule=schedule, power_t=self.power_t,
                  **self._optimizer())
        ran = model.iterations - done
        history = model.history
        losses = history["cost"][-ran:]
        state["n_iter_"] = ran  # scikit-learn's too: the epochs of this call
        state["t_"] = state["t_"] + ran * n
        state["loss_curve_"] = state["loss_curve_"] + losses
        state["loss_"] = losses[-1]
        if self.verbose:
            for i, loss in enumerate(losses, 1):
                print(f"Iteration {i}, loss = {loss:.8f}")
        if self.early_stopping:
            scores = history[monitor][-ran:]
            state["validation_scores_"] = state["validation_scores_"] + scores
            state["best_validation_score_"] = max(state["best_validation_score_"], max(scores))
        elif not incremental:
            state["best_loss_"] = min(state["best_loss_"], min(losses))
        next_lr = history["learning_rate"][-1]
        if incremental:
            # scikit-learn's bookkeeping of one partial_fit epoch: the rule on the training
            # loss, the adaptive division and the invscaling rate for the next epoch
            if stopper is None:
                stopper = _epochs.Stopper(self.tol, _patience(self.n_iter_no_change), False)
                stopper.best = state["best_loss_"] if state["best_loss_"] is not None \
                    else np.inf
            stopper.update(losses[-1])
            state["best_loss_"] = stopper.best
            if self.solver == "sgd" and self.learning_rate == "invscaling":
                next_lr = self.learning_rate_init / (state["t_"] + 1) ** self.power_t
            if stopper.exhausted():
                if self.solver == "sgd" and self.learning_rate == "adaptive" \
                        and next_lr > _epochs.ADAPTIVE_FLOOR:
                    next_lr /= 5.0
                stopper.count = 0
        elif self.solver == "sgd" and self.learning_rate == "invscaling":
            next_lr = self.learning_rate_init / (state["t_"] + 1) ** self.power_t
        state["_lr"] = next_lr
        state["_stopper"] = stopper
        if not incremental and ran == self.max_iter and not model.stopped_early:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                          f"and the optimization hasn't converged yet.", ConvergenceWarning)
        return state

    def _outputs(self, X):
        check_is_fitted(self)
        if _dask_array(X):  # chunk by chunk where the rows are (ParallelPostFit's way)
            X = self._dask_features(X, reset=False).rechunk({1: -1})
            model = self._model
            # a copy of the parameters of now: a later fit does not change this lazy result
            frozen = Model.from_parameters(model.parameters, model.hidden_activation,
                                           model.dtype, model.output)
            return X.map_blocks(_block_outputs, frozen, dtype=model.dtype,
                                chunks=(X.chunks[0], (self.n_outputs_,)))
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        model = self._model
        if model.output == "identity":
            return model.predict(X.T).T
        return model.predict_proba(X.T).T

    # -- dask arrays (docs/dask.md: "scikit-learn estimators on dask arrays") ------------------

    def _dask_features(self, X, reset):
        """X (n_samples, n_features) as a dask array of float64 (float32 stays), checked on
        its metadata only: the values are checked chunk by chunk on the workers by the fit."""
        if not _dask_array(X):
            raise TypeError(f"a dask y or sample_weight needs X as a dask array too (rows "
                            f"chunked as y's), got X of type {type(X).__name__}")
        if X.ndim != 2:
            raise ValueError(f"Expected a 2D dask array (n_samples, n_features), got shape "
                             f"{X.shape}")
        if X.dtype.kind not in "fiub":
            raise ValueError(f"X must hold real numbers (float, int or bool), got dtype "
                             f"{X.dtype}")
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError("X's chunk sizes along the rows are unknown: call "
                             "X.compute_chunk_sizes() first")
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"Found array with shape {X.shape}: at least one sample and one "
                             f"feature are required")
        if not reset and X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input.")
        return X.astype(np.float32 if X.dtype == np.float32 else np.float64)

    def _dask_refuse(self, X, incremental):
        """ValueError, before anything changes, for the settings a fit on dask arrays cannot
        run as a NumPy fit runs them (``_dask.batches``: full batches, or whole row chunks in
        chunk order)."""
        if self.solver not in _STOCHASTIC:
            return  # lbfgs: the full-batch objective; batch_size and shuffle do not enter
        n, rows = X.shape[0], tuple(int(c) for c in X.chunks[0])
        if self.early_stopping and not incremental:
            raise ValueError("early_stopping=True holds out a random validation_fraction of "
                             "the rows, which a fit on dask arrays does not do: set "
                             "early_stopping=False (the stopping rule on the training loss, "
                             "tol and n_iter_no_change, still applies), or fit on NumPy "
                             "arrays")
        batch = min(200, n) if self.batch_size == "auto" else int(np.clip(self.batch_size, 1, n))
        if batch >= n:
            return  # full-batch steps: every chunk, never permuted
        if self.shuffle:
            raise ValueError(f"shuffle=True permutes the rows every epoch, which a fit on dask "
                             f"arrays does not do: it takes each minibatch as a run of whole "
                             f"row chunks, in chunk order. Set shuffle=False (with batch_size "
                             f"a sum of consecutive row chunks), or batch_size={n} "
                             f"(n_samples) for full-batch steps")
        from . import _dask
        try:
            _dask.batches(rows, batch, False)
        except ValueError:
            what = (f'batch_size="auto" (min(200, n_samples) = {batch} rows per step)'
                    if self.batch_size == "auto" else f"batch_size={self.batch_size}")
            shown = rows if len(rows) <= 8 else rows[:8] + ("...",)
            raise ValueError(f"{what} cuts X's row chunks {shown}: on dask arrays a "
                             f"minibatch is a run of whole chunks taken in order. Set "
                             f"batch_size to a sum of consecutive chunks (e.g. {rows[0]}), or "
                             f"batch_size={n} (n_samples) for full-batch steps, or rechunk X "
                             f"and y") from None


def _fit_binarizer(y):
    """``LabelBinarizer().fit(y)``; for 1-D labels of integers or strings (or integer-valued
    floats) without its ``type_of_target`` scans, a quarter of an iris-sized lbfgs fit's fixed
    cost: the same classes_ (sorted unique labels), y_type_ ("binary" for at most two classes,
    else "multiclass") and sparse_input_. Anything else (multi-label, continuous, mixed types)
    goes through scikit-learn's own checks and errors."""
    if y.ndim == 1 and y.size and (y.dtype.kind in "iuU" or (
            y.dtype.kind == "f" and np.isfinite(y).all() and (y == np.round(y)).all())):
        binarizer = LabelBinarizer()
        binarizer.classes_ = np.unique(y)
        binarizer.y_type_ = "binary" if len(binarizer.classes_) <= 2 else "multiclass"
        binarizer.sparse_input_ = False
        return binarizer
    return LabelBinarizer().fit(y)


def _weight_sum(sample_weight):
    """Σ w, of NumPy or (computed: one number back) dask weights."""
    if _dask_array(sample_weight):
        return float(sample_weight.sum().compute())
    return sample_weight.sum()


def _dask_weights(sample_weight, X):
    """sample_weight (None, a number, NumPy or dask (n_samples,)) as a float64 dask array
    chunked as X's rows, or None; Model.fit checks the values (finite, >= 0, not all 0)."""
    import dask.array as da
    if sample_weight is None:
        return None
    n = X.shape[0]
    if not _dask_array(sample_weight):
        w = np.asarray(sample_weight, np.float64)
        if w.ndim == 0:
            w = np.full(n, float(w))
        sample_weight = da.from_array(w, chunks=(X.chunks[0],) if w.ndim == 1 else -1)
    if sample_weight.ndim != 1 or sample_weight.shape[0] != n:
        raise ValueError(f"sample_weight.shape == {sample_weight.shape}, expected ({n},)!")
    return sample_weight.astype(np.float64).rechunk((X.chunks[0],))


def _dask_rows(y, X, name="y"):
    """y (NumPy or dask) as a dask array with X's row chunks, one chunk along its columns."""
    import dask.array as da
    if not _dask_array(y):
        y = np.asarray(y)
        y = da.from_array(y, chunks=(X.chunks[0],) + tuple((s,) for s in y.shape[1:]))
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"{name} must have shape ({X.shape[0]},) or ({X.shape[0]}, "
                         f"n_outputs) to match X's rows, got {y.shape}")
    return y.rechunk((X.chunks[0],) + ((-1,) if y.ndim == 2 else ()))


def _column_to_1d(y):
    if y.ndim == 2 and y.shape[1] == 1:
        from sklearn.exceptions import DataConversionWarning
        warnings.warn("A column-vector y was passed when a 1d array was expected. Please change "
                      "the shape of y to (n_samples, ), for example using ravel().",
                      DataConversionWarning, stacklevel=4)
        return y[:, 0]
    return y


def _block_outputs(X, model):
    """A chunk of rows' head outputs (the NumPy path of ``_BaseMLP._outputs``)."""
    if model.output == "identity":
        return model.predict(X.T).T
    return model.predict_proba(X.T).T


def _block_one_hot(y, classes, dtype, softmax):
    """A chunk of labels as the model's targets: one-hot (softmax) or the positive class's
    indicator (sigmoid), as ``MLPClassifier._targets`` makes them."""
    index = np.searchsorted(classes, y)
    if not np.array_equal(classes[np.minimum(index, len(classes) - 1)], y):
        raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                         f"{classes}. 'y' has {unique_labels(y)}.")
    if softmax:
        Y = np.zeros((len(y), len(classes)), dtype)
        Y[np.arange(len(y)), index] = 1
        return Y
    return (index == 1).astype(dtype).reshape(-1, 1)


def _block_class_weights(y, classes, weights):
    return weights[np.searchsorted(classes, y)]


def _two_columns(P):
    p = P.ravel()
    return np.vstack([1 - p, p]).T


def _dask_accuracy(predicted, y, sample_weight):
    """accuracy_score on dask arrays: the (weighted) mean of the rows predicted right, in
    chunk-wise reductions; a float."""
    import dask
    y = _dask_rows(y, predicted).rechunk(predicted.chunks)
    right = predicted == y
    if right.ndim == 2:
        right = right.all(axis=1)  # subset accuracy, as accuracy_score's for indicators
    if sample_weight is None:
        return float(right.mean().compute())
    w = _dask_weights(sample_weight, predicted)
    total, weight = dask.compute((right * w).sum(), w.sum())
    return float(total / weight)


def _dask_r2(predicted, y, sample_weight):
    """r2_score (multioutput="uniform_average", force_finite) on dask arrays; a float."""
    import dask
    import dask.array as da
    y = _dask_rows(y, predicted).astype(np.float64)
    y = y.reshape(y.shape[0], -1).rechunk((predicted.chunks[0], -1))
    P = predicted.reshape(predicted.shape[0], -1).rechunk((predicted.chunks[0], -1))
    if y.shape != P.shape:
        raise ValueError(f"y has shape {y.shape[1:]} per row, the predictions {P.shape[1:]}")
    if sample_weight is None:
        w = da.ones((y.shape[0], 1), chunks=(y.chunks[0], (1,)))
    else:
        w = _dask_weights(sample_weight, predicted)[:, None]
    total_w, mean = dask.compute(w.sum(), (w * y).sum(axis=0))
    mean = mean / total_w
    numerator, denominator = dask.compute((w * (y - P) ** 2).sum(axis=0),
                                          (w * (y - mean) ** 2).sum(axis=0))
    scores = np.ones(y.shape[1])
    nonzero_num, nonzero_den = numerator != 0, denominator != 0
    valid = nonzero_num & nonzero_den
    scores[valid] = 1 - numerator[valid] / denominator[valid]
    scores[nonzero_num & ~nonzero_den] = 0.0
    return float(np.mean(scores))


def _patience(n_iter_no_change):
    """Model.fit's count for scikit-learn's n_iter_no_change (np.inf: never stop)."""
    return int(min(n_iter_no_change, 2 ** 62))


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on fastbackprop.

    Every parameter of scikit-learn's (1.9) has its name, default and meaning: see
    https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPClassifier.html.
    Multi-class targets train a softmax head, binary and multi-label ones sigmoid units.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default (100,)
    activation : {"identity", "logistic", "tanh", "relu", "leaky_relu"}, default "relu"
        ``leaky_relu`` (slope 0.01) is fastbackprop's addition.
    solver : {"lbfgs", "sgd", "adam"}, default "adam"
    alpha : float, default 1e-4
        L2 strength: the loss adds α/(2·n_batch)·Σ‖W‖² (with weights, n_batch is their sum).
    batch_size : int or "auto", default "auto"
        "auto": min(200, n_samples).
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        sgd's schedule.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun
        As scikit-learn's.
    class_weight : dict, "balanced" or None, default None
        Weights of the classes in the loss (multiplying ``sample_weight``): a dict
        {class: weight}, or "balanced", n_samples / (n_classes · bincount(y)).
        Single-label targets only.
    dtype : {"float32", "float64"} or None, default None
        The computation's dtype; None: X's (float32 stays float32, anything else float64).
    n_threads : int or None, default None
        numba threads for fitting (``Model.fit``'s ``n_threads``); every solver runs with a
        one-thread BLAS inside, lbfgs included.

    Attributes
    ----------
    classes_, loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_, \
coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_, n_layers_, n_outputs_, \
out_activation_
        As scikit-learn's; ``coefs_[i]`` has shape (n_in, n_out).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastbackprop.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 class_weight=None, dtype=None, n_threads=None):
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation,
                         solver=solver, alpha=alpha, batch_size=batch_size,
                         learning_rate=learning_rate, learning_rate_init=learning_rate_init,
                         power_t=power_t, max_iter=max_iter, shuffle=shuffle,
                         random_state=random_state, tol=tol, verbose=verbose,
                         warm_start=warm_start, momentum=momentum,
                         nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
                         dtype=dtype, n_threads=n_threads)
        self.class_weight = class_weight

    def _targets(self, X, y, incremental, reset, classes=None):
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32),
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if incremental and classes is not None and _check_partial_fit_first_call(self,
                                                                                  classes):
            binarizer = LabelBinarizer()
            binarizer.fit(y if type_of_target(y).startswith("multilabel") else classes)
        elif not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            binarizer = _fit_binarizer(y)
        else:
            binarizer = self._label_binarizer
            labels = unique_labels(y)
            if self.warm_start and not incremental:
                if set(labels) != set(self.classes_):
                    raise ValueError(f"warm_start can only be used where `y` has the same "
                                     f"classes as in the previous call to fit. Previously got "
                                     f"{self.classes_}, `y` has {labels}")
            elif len(np.setdiff1d(labels, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {labels}.")
        output = "softmax" if binarizer.y_type_ == "multiclass" else "sigmoid"
        if binarizer.y_type_ in ("binary", "multiclass") and len(binarizer.classes_) > 1:
            # LabelBinarizer.transform's one-hot, without its validation (half a fit's fixed cost
            # on iris-sized data); classes_ is sorted, and y's labels are in it (checked above)
            classes = binarizer.classes_
            index = np.searchsorted(classes, y)
            if not np.array_equal(classes[np.minimum(index, len(classes) - 1)], y):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{classes}. 'y' has {unique_labels(y)}.")
            if output == "softmax":
                Y = np.zeros((len(y), len(binarizer.classes_)), X.dtype)
                Y[np.arange(len(y)), index] = 1
            else:
                Y = (index == 1).astype(X.dtype).reshape(-1, 1)
        else:
            Y = binarizer.transform(y).astype(X.dtype)
        return X, Y, output, y, {"_label_binarizer": binarizer, "classes_": binarizer.classes_}

    def _dask_targets(self, X, y, incremental, reset, classes=None):
        """``_targets`` for a dask X (checked by ``_dask_features``): classes_ from the
        unique labels (computed: one small array back), the targets one-hot encoded lazily,
        chunk by chunk, so neither X nor Y comes to the client."""
        import dask.array as da
        y = _column_to_1d(_dask_rows(y, X))
        if y.ndim != 1:
            raise ValueError("a fit on dask arrays takes 1-D labels (n_samples,): for "
                             "multi-label indicator targets fit on NumPy arrays")
        labels = da.unique(y).compute()
        if incremental and classes is not None and _check_partial_fit_first_call(self,
                                                                                  classes):
            binarizer = LabelBinarizer().fit(classes)
        elif not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            binarizer = _fit_binarizer(labels)  # the sorted unique labels: y's classes_
        else:
            binarizer = self._label_binarizer
            if self.warm_start and not incremental:
                if set(labels) != set(self.classes_):
                    raise ValueError(f"warm_start can only be used where `y` has the same "
                                     f"classes as in the previous call to fit. Previously got "
                                     f"{self.classes_}, `y` has {labels}")
        if binarizer.y_type_ not in ("binary", "multiclass"):
            raise ValueError("a fit on dask arrays takes 1-D labels: for multi-label targets "
                             "fit on NumPy arrays")
        classes_ = binarizer.classes_
        if len(np.setdiff1d(labels, classes_)):
            raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                             f"{classes_}. 'y' has {labels}.")
        output = "softmax" if binarizer.y_type_ == "multiclass" else "sigmoid"
        k = len(classes_) if output == "softmax" else 1
        Y = y.map_blocks(_block_one_hot, classes_, X.dtype, output == "softmax",
                         dtype=X.dtype, new_axis=1, chunks=(y.chunks[0], (k,)))
        return X, Y, output, y, {"_label_binarizer": binarizer, "classes_": classes_}

    def _class_weights(self, labels, attributes, sample_weight):
        if self.class_weight is None:
            return sample_weight
        if attributes["_label_binarizer"].y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multi-label targets")
        if _dask_array(labels):  # compute_sample_weight's weights from the classes' counts
            import dask
            import dask.array as da
            from sklearn.utils.class_weight import compute_class_weight
            classes, counts = dask.compute(*da.unique(labels, return_counts=True))
            per_class = compute_class_weight(self.class_weight, classes=classes, y=classes,
                                             sample_weight=counts.astype(np.float64))
            weights = labels.map_blocks(_block_class_weights, classes, per_class,
                                        dtype=np.float64)
        else:
            weights = compute_sample_weight(self.class_weight, labels)
        return weights if sample_weight is None else weights * sample_weight

    def fit(self, X, y, sample_weight=None):
        """Fit the model to X (n_samples, n_features) and y; returns self.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            A dask array chunked along the rows (the samples) trains data-parallel on the
            active ``distributed.Client`` (dask's default scheduler without one), X never
            gathered to the client: ``Model.fit`` on X.T, or for lbfgs the full-batch
            objective from the chunks' sums. The stochastic solvers then take full batches
            (``batch_size >= n_samples``) or minibatches of whole row chunks in chunk order
            (``shuffle=False``), and no ``early_stopping``; other settings raise ValueError
            (docs/dask.md, "scikit-learn estimators on dask arrays").
        y : array-like or dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any type, or a label indicator matrix (multi-label; NumPy only).
            With a dask X, 1-D labels, NumPy or dask (rechunked to X's rows).
        sample_weight : array-like or dask.array.Array of shape (n_samples,), default None
            The loss is the weighted mean of the examples' losses.

        Returns
        -------
        self
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est.solver in _STOCHASTIC)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y). ``classes`` is required on the first call.

        Parameters
        ----------
        X, y, sample_weight
            As for ``fit``.
        classes : array of shape (n_classes,), default None
            Every class of all the calls.

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_"):
            self._validate_params()
            if classes is None and (_dask_array(y)
                                    or not type_of_target(y).startswith("multilabel")):
                raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight=sample_weight, incremental=True,
                         classes=classes if classes is not None else None)

    def predict(self, X):
        """The predicted classes.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray or dask.array.Array
            (n_samples,) of labels from ``classes_``, or an indicator (n_samples, n_outputs).
            A dask array for a dask X, computed chunk by chunk where its rows are.
        """
        P = self._outputs(X)
        if _dask_array(P):  # chunk by chunk: a dask array of labels
            binarizer = self._label_binarizer
            if binarizer.y_type_.startswith("multilabel"):
                return P.map_blocks(binarizer.inverse_transform, dtype=np.int64)
            if self.n_outputs_ == 1:
                return P.ravel().map_blocks(binarizer.inverse_transform, dtype=self.classes_.dtype)
            return P.map_blocks(binarizer.inverse_transform, drop_axis=1,
                                dtype=self.classes_.dtype)
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict_proba(self, X):
        """Class probabilities, in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray or dask.array.Array
            (n_samples, n_classes); rows sum to 1 unless the targets are multi-label.
            A dask array for a dask X, computed chunk by chunk where its rows are.
        """
        P = self._outputs(X)
        if self.n_outputs_ == 1:
            if _dask_array(P):
                return P.map_blocks(_two_columns, dtype=P.dtype, chunks=(P.chunks[0], (2,)))
            p = P.ravel()
            return np.vstack([1 - p, p]).T
        return P

    def predict_log_proba(self, X):
        """log(predict_proba(X)).

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray or dask.array.Array
            (n_samples, n_classes).
            A dask array for a dask X, computed chunk by chunk where its rows are.
        """
        P = self.predict_proba(X)
        if _dask_array(P):
            import dask.array as da
            return da.log(P)
        return np.log(P, out=P)

    def score(self, X, y, sample_weight=None):
        """The mean accuracy of ``predict(X)`` against y (weighted by ``sample_weight``).

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            With a dask X the accuracy is reduced chunk by chunk on the cluster.
        y : array-like or dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like or dask.array.Array of shape (n_samples,), default None

        Returns
        -------
        float
        """
        if _dask_array(X):
            return _dask_accuracy(self.predict(X), y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` (squared error) on
    fastbackprop, single- or multi-output.

    The loss is half the squared error. See
    https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPRegressor.html.

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, \
learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, \
momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, \
n_iter_no_change, max_fun, dtype, n_threads
        As ``MLPClassifier``'s (the validation score of ``early_stopping`` is R²).

    Attributes
    ----------
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_, coefs_, \
intercepts_, n_features_in_, feature_names_in_, n_iter_, n_layers_, n_outputs_, out_activation_
        As scikit-learn's.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> reg = MLPRegressor((16,), solver="lbfgs", random_state=0).fit(X, X.ravel() ** 2)
    >>> reg.score(X, X.ravel() ** 2) > 0.99
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dtype=None, n_threads=None):
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation,
                         solver=solver, alpha=alpha, batch_size=batch_size,
                         learning_rate=learning_rate, learning_rate_init=learning_rate_init,
                         power_t=power_t, max_iter=max_iter, shuffle=shuffle,
                         random_state=random_state, tol=tol, verbose=verbose,
                         warm_start=warm_start, momentum=momentum,
                         nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
                         dtype=dtype, n_threads=n_threads)

    def _targets(self, X, y, incremental, reset, classes=None):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = np.asarray(y, X.dtype).reshape(X.shape[0], -1)
        return X, Y, "identity", y, {}

    def _dask_targets(self, X, y, incremental, reset, classes=None):
        """``_targets`` for a dask X: y (NumPy or dask) rechunked to X's rows, lazily; its
        values are checked (finite) chunk by chunk on the workers by the fit."""
        y = _column_to_1d(_dask_rows(y, X))
        if y.dtype.kind not in "fiub":
            raise ValueError(f"y must hold real numbers, got dtype {y.dtype}")
        Y = y.astype(X.dtype)
        if Y.ndim == 1:
            Y = Y[:, None]
        return X, Y, "identity", y, {}

    def fit(self, X, y, sample_weight=None):
        """Fit the model to X and y; returns self.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            A dask array chunked along the rows trains data-parallel, as
            ``MLPClassifier.fit`` describes (docs/dask.md, "scikit-learn estimators on dask
            arrays").
        y : array-like or dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like or dask.array.Array of shape (n_samples,), default None
            The loss is the weighted mean of the examples' losses.

        Returns
        -------
        self
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est.solver in _STOCHASTIC)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y); returns self.

        Parameters
        ----------
        X, y, sample_weight
            As for ``fit``.

        Returns
        -------
        self
        """
        if not hasattr(self, "coefs_"):
            self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """The predictions.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray or dask.array.Array
            (n_samples,), or (n_samples, n_outputs) for several targets.
            A dask array for a dask X, computed chunk by chunk where its rows are.
        """
        P = self._outputs(X)
        return P.ravel() if P.shape[1] == 1 else P

    def score(self, X, y, sample_weight=None):
        """R² of ``predict(X)`` against y (the mean over the outputs; weighted by
        ``sample_weight``).

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
            With a dask X, R² is reduced chunk by chunk on the cluster.
        y : array-like or dask.array.Array of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like or dask.array.Array of shape (n_samples,), default None

        Returns
        -------
        float
        """
        if _dask_array(X):
            return _dask_r2(self.predict(X), y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)
