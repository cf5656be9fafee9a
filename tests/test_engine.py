"""The training engine: every head, optimizer, L2 and dropout on every trainer path of the plan,
against ``fastbackprop.baseline``; central-difference gradients of each head with L2; state
across fits, files and pickles; the API's bad inputs.

The trainer paths are a registry (``PATHS``), each forced through ``fit(path=...)``, so a feature
that one path lacks fails here. Shapes and dtypes are few: numba compiles a trainer once per
dtype and flag combination, and the head and optimizer are run-time codes.
"""
import pickle
import re

import numpy as np
import pytest

from fastbackprop import Model, baseline
from fastbackprop._plan import PATHS as PLAN_PATHS
from fastbackprop.kernels import minibatch

from conftest import assert_close

M = 150  # two blocks on the blocked path; batches of 64, 64 and 22 on the minibatch paths
BATCH = 64
PATHS = {"serial": None, "serial_minibatch": BATCH, "blocked": None,
         "blocked_minibatch": BATCH}
assert set(PATHS) == set(PLAN_PATHS), "a trainer path of the plan is missing from the registry"

WEIGHTS = np.random.default_rng(7).uniform(0.0, 3.0, M)  # raw: fit scales them to mean 1

# (output, n_L, fit options): together they use every head, optimizer, L2 and dropout
FEATURES = {
    "softmax-adam-l2-dropout": ("softmax", 3, dict(optimizer="adam", lambd=0.3, keep_prob=0.8,
                                                   learning_rate=0.01)),
    "identity-momentum-l2": ("identity", 2, dict(optimizer="momentum", beta=0.8, lambd=0.5,
                                                 learning_rate=0.05)),
    "multilabel-gd-l2-dropout": ("sigmoid", 3, dict(optimizer="gd", lambd=0.2, keep_prob=0.75,
                                                    learning_rate=0.1)),
    "sigmoid-adam": ("sigmoid", 1, dict(optimizer="adam", beta1=0.8, beta2=0.99, epsilon=1e-7,
                                        learning_rate=0.01)),
    # scikit-learn's sgd forms, and per-example weights (the weights row of kernels.heads)
    "softmax-nesterov-weighted": ("softmax", 3, dict(optimizer="nesterov", beta=0.9,
                                                     learning_rate=0.05,
                                                     sample_weight=WEIGHTS)),
    "identity-sgd_momentum-l2-weighted": ("identity", 2, dict(
        optimizer="sgd_momentum", beta=0.7, lambd=0.4, learning_rate=0.02,
        sample_weight=WEIGHTS)),
}


def _data(output, n_L, dtype, m=M, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, m)).astype(dtype)
    if output == "softmax":
        labels = rng.integers(0, n_L, m)
        return X, labels, np.eye(n_L, dtype=dtype)[:, labels]
    if output == "identity":
        Y = (rng.standard_normal((n_L, m)) + X[:1]).astype(dtype)
        return X, Y, Y
    Y = (rng.random((n_L, m)) > 0.5).astype(dtype)
    return X, Y, Y


def _baseline_fit(X, Y, start, output, options, batch_size, seed, iterations, step0=0,
                  state=None, first_epoch=0):
    options = dict(options, output=output)
    lr = options.pop("learning_rate")
    if options.get("sample_weight") is not None:  # the baseline takes them as the kernels do
        w = options["sample_weight"]
        options["sample_weight"] = w * (w.size / w.sum())
    if batch_size is None:
        return baseline.train(X, Y, start, "tanh", lr, iterations, record_every=1, seed=seed,
                              step0=step0, state=state, return_state=True, **options)
    m = X.shape[1]
    return baseline.train_minibatch(
        X, Y, start, "tanh", lr, iterations, batch_size,
        lambda e: minibatch.permutation_of(seed, first_epoch + e, m), record_every=1, seed=seed,
        step0=step0, state=state, return_state=True, **options)


# float64 for every feature; float32 for the one that combines softmax, Adam, L2 and dropout:
# each (head, optimizer state, dropout, dtype) combination is a trainer numba compiles apart
# (docs/engine.md, "Compile only what a fit uses"), and CI's time is bounded
MATRIX = [(feature, "float64") for feature in FEATURES if feature != "sigmoid-adam"] + [
    ("softmax-adam-l2-dropout", "float32")]


@pytest.mark.parametrize("feature, dtype", MATRIX)
@pytest.mark.parametrize("path", PATHS)
def test_every_feature_on_every_path_matches_the_baseline(path, feature, dtype):
    output, n_L, options = FEATURES[feature]
    batch_size = PATHS[path]
    X, Y_fit, Y = _data(output, n_L, dtype)
    model = Model([5, 7, 4, n_L], "tanh", output=output, dtype=dtype, seed=3)
    start = model.parameters
    model.fit(X, Y_fit, num_iterations=4, record_every=1, batch_size=batch_size, seed=11,
              path=path, **options)
    assert model._trainer.plan.path == path
    with np.errstate(all="ignore"):
        ref, costs, _ = _baseline_fit(X, Y, start, output, options, batch_size, 11, 4)
    for key in ref:
        assert model.parameters[key].dtype == np.dtype(dtype)
        assert_close(model.parameters[key], ref[key], dtype, f"{path} {feature} {key}")
    assert [i for i, _ in model.costs] == [i for i, _ in costs]
    assert_close([c for _, c in model.costs], [c for _, c in costs], dtype, "costs")


@pytest.mark.parametrize("path", PATHS)
def test_one_long_fit_is_several_short_ones_through_save_and_pickle(path, tmp_path):
    """Adam's state, the step count and the dropout stream continue across fits, a saved file
    and a pickle: the bits of one long fit."""
    output, n_L, options = FEATURES["softmax-adam-l2-dropout"]
    X, labels, _ = _data(output, n_L, "float64")
    kwargs = dict(batch_size=PATHS[path], path=path, record_every=1, **options)
    long = Model([5, 7, 4, n_L], "tanh", output=output, seed=3).fit(X, labels, num_iterations=6,
                                                                   **kwargs)
    short = Model([5, 7, 4, n_L], "tanh", output=output, seed=3).fit(X, labels,
                                                                    num_iterations=2, **kwargs)
    short.save(tmp_path / "m.npz")
    short = Model.load(tmp_path / "m.npz").fit(X, labels, num_iterations=2, **kwargs)
    short = pickle.loads(pickle.dumps(short)).fit(X, labels, num_iterations=2, **kwargs)
    np.testing.assert_array_equal(short._theta, long._theta)
    assert short.costs == long.costs and short.iterations == 6


def test_shuffle_false_takes_the_batches_in_order():
    output, n_L, options = FEATURES["identity-momentum-l2"]
    X, Y, _ = _data(output, n_L, "float64")
    model = Model([5, 7, 4, n_L], "tanh", output=output, seed=3)
    start = model.parameters
    model.fit(X, Y, num_iterations=3, batch_size=BATCH, shuffle=False, record_every=1,
              **options)
    options = dict(options)
    lr = options.pop("learning_rate")
    ref, costs = baseline.train_minibatch(X, Y, start, "tanh", lr, 3, BATCH, None,
                                          record_every=1, output=output, **options)
    for key in ref:
        assert_close(model.parameters[key], ref[key], "float64", key)
    assert_close([c for _, c in model.costs], [c for _, c in costs], "float64", "costs")


@pytest.mark.parametrize("feature, dtype", [("identity-momentum-l2", "float64"),
                                            ("softmax-adam-l2-dropout", "float32")])
@pytest.mark.parametrize("path", [p for p, batch in PATHS.items() if batch])
def test_shuffle_false_after_a_shuffled_fit_takes_the_examples_in_order(path, feature, dtype):
    """The same trainer, its buffers holding the last shuffled fit's permutation: a fit with
    shuffle=False then takes the batches in the examples' order, as the model's pickled copy
    (the same parameters, optimizer state and dropout stream, a new trainer) does."""
    output, n_L, options = FEATURES[feature]
    X, Y, _ = _data(output, n_L, dtype)
    model = Model([5, 7, 4, n_L], "tanh", output=output, dtype=dtype, seed=3)
    model.fit(X, Y, num_iterations=2, batch_size=BATCH, path=path, **options)
    trainer = model._trainer
    copy = pickle.loads(pickle.dumps(model))
    for m in (model, copy):
        m.fit(X, Y, num_iterations=2, batch_size=BATCH, shuffle=False, path=path, **options)
    assert model._trainer is trainer  # the same buffers, reused
    np.testing.assert_array_equal(model._theta, copy._theta)


RULES = {  # each stops or changes the rate within a dozen epochs of these data
    "early-stopping": dict(early_stopping=True, tol=0.1, n_iter_no_change=2),
    "adaptive": dict(schedule="adaptive", tol=0.1, n_iter_no_change=1),
    "invscaling": dict(schedule="invscaling", power_t=0.5, early_stopping=True, tol=0.01,
                       n_iter_no_change=3),
    "decay": dict(schedule="decay", decay_rate=0.5, time_interval=2),
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("feature, dtype", [("identity-momentum-l2", "float64"),
                                            ("softmax-adam-l2-dropout", "float32")])
@pytest.mark.parametrize("path", PATHS)
def test_the_rule_inside_the_trainer_is_the_rule_between_epochs(path, feature, dtype, rule):
    """The stopping rule and the schedules on the training cost run inside the trainer, many
    epochs a call (kernels.epoch_rule); with a validation set they run in Python, an epoch a
    call (fastbackprop._epochs). Both give the same bits: parameters, epochs, costs, rates."""
    output, n_L, options = FEATURES[feature]
    X, Y, _ = _data(output, n_L, dtype)
    X_val, Y_val, _ = _data(output, n_L, dtype, m=40, seed=1)
    kwargs = dict(num_iterations=12, record_every=1, batch_size=PATHS[path], seed=11,
                  path=path, **options, **RULES[rule])
    fits = []
    for validation in (None, (X_val, Y_val)):
        model = Model([5, 7, 4, n_L], "tanh", output=output, dtype=dtype, seed=3)
        model.fit(X, Y, **dict(kwargs, num_iterations=1, early_stopping=False,
                               schedule="constant"))  # the trainer made
        calls = []
        steps = model._trainer.steps
        model._trainer.steps = lambda *a: calls.append(a[0]) or steps(*a)
        model.fit(X, Y, validation_data=validation, monitor="cost", **kwargs)
        fits.append((model, calls))
    (inside, inside_calls), (between, between_calls) = fits
    assert between_calls == [1] * between.history["iteration"][-1]  # an epoch a call
    assert len(inside_calls) < len(between_calls)  # several epochs a call
    np.testing.assert_array_equal(inside._theta, between._theta)
    assert inside.iterations == between.iterations
    assert inside.stopped_early == between.stopped_early
    for key in ("iteration", "cost", "learning_rate"):
        assert inside.history[key] == between.history[key], key
    if rule != "decay":
        assert inside.stopped_early or len(set(inside.history["learning_rate"])) > 1
    assert inside.costs == between.costs


def test_another_optimizer_starts_from_fresh_state():
    output, n_L, options = FEATURES["sigmoid-adam"]
    X, Y, _ = _data(output, n_L, "float64")
    a = Model([5, 7, 4, 1], "tanh", seed=3).fit(X, Y, num_iterations=3, **options)
    after_adam = a.parameters
    a.fit(X, Y, num_iterations=2, optimizer="momentum", learning_rate=0.01)
    fresh = Model.from_parameters(after_adam, "tanh").fit(X, Y, num_iterations=2,
                                                           optimizer="momentum",
                                                           learning_rate=0.01)
    np.testing.assert_array_equal(a._theta, fresh._theta)
    # the same optimizer continues its state: not what a fresh Adam does
    c = Model([5, 7, 4, 1], "tanh", seed=3).fit(X, Y, num_iterations=3, **options)
    c.fit(X, Y, num_iterations=2, **options)
    restarted = Model.from_parameters(after_adam, "tanh").fit(X, Y, num_iterations=2, **options)
    assert not np.allclose(c._theta, restarted._theta, rtol=1e-6, atol=0)


# -- gradients: central differences of the penalised cost, through one step of the trainer -----

@pytest.mark.parametrize("output, n_L", [("sigmoid", 2), ("softmax", 3), ("identity", 2)])
@pytest.mark.parametrize("path", ["serial", "blocked"])
def test_gradient_of_each_head_with_l2_matches_central_differences(output, n_L, path):
    """One step from θ gives ∇J = (θ − θ')/α, J the data cost plus λ/(2m)·Σ‖W‖²; it must
    equal J's central differences (float64, h = 1e-6) entry by entry. The sigmoid head steps by
    gradient descent (the fused update), the others by momentum with β = 0 (the epilogue: v = g),
    the trainers test_engine's features compile anyway."""
    X, Y_fit, Y = _data(output, n_L, "float64", seed=5)
    lambd, lr = 0.7, 1e-3
    model = Model([5, 4, n_L], "tanh", output=output, seed=2)
    theta = model._theta.copy()
    m = X.shape[1]

    def J(t):
        model._theta[:] = t
        penalty = sum(float(np.sum(W ** 2)) for k, W in model.parameters.items()
                      if k.startswith("W"))
        return model.cost(X, Y_fit) + lambd / (2 * m) * penalty

    numeric = np.empty_like(theta)
    h = 1e-6
    for p in range(theta.size):
        e = np.zeros_like(theta)
        e[p] = h
        numeric[p] = (J(theta + e) - J(theta - e)) / (2 * h)
    model._theta[:] = theta
    optimizer = dict(optimizer="gd") if output == "sigmoid" else dict(optimizer="momentum",
                                                                        beta=0.0)
    model.fit(X, Y_fit, learning_rate=lr, num_iterations=1, lambd=lambd, path=path,
              record_every=1, **optimizer)
    analytic = (theta - model._theta) / lr
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    assert model.costs[0][1] == pytest.approx(J(theta), rel=1e-12)


# -- the heads' outputs ------------------------------------------------------------------------

def test_predictions_by_head():
    X, labels, _ = _data("softmax", 3, "float64")
    soft = Model([5, 7, 3], "tanh", output="softmax", seed=0).fit(
        X, labels, num_iterations=50, learning_rate=0.05, optimizer="adam")
    P = soft.predict_proba(X)
    assert P.shape == (3, M) and np.allclose(P.sum(axis=0), 1)
    assert soft.predict(X).shape == (1, M) and soft.predict(X).dtype == np.int64
    np.testing.assert_array_equal(soft.predict(X)[0], P.argmax(axis=0))
    assert np.mean(soft.predict(X)[0] == labels) > 0.5  # it learned: 1/3 is chance
    same = soft.cost(X, labels.reshape(1, -1))
    assert same == soft.cost(X, np.eye(3)[:, labels]) == pytest.approx(
        -np.mean(np.log(P[labels, np.arange(M)])), rel=1e-12)
    X, Y, _ = _data("identity", 2, "float64")
    reg = Model([5, 7, 2], "tanh", output="identity", seed=0)
    np.testing.assert_array_equal(reg.predict(X), reg.logits(X))
    assert reg.cost(X, Y) == pytest.approx(np.sum((reg.predict(X) - Y) ** 2) / (2 * M))
    with pytest.raises(ValueError, match="output='identity'.*no probabilities"):
        reg.predict_proba(X)
    X, Y, _ = _data("sigmoid", 3, "float64")
    multi = Model([5, 7, 3], "tanh", seed=0)
    assert multi.predict_proba(X).shape == (3, M)
    np.testing.assert_array_equal(multi.predict(X), (multi.predict_proba(X) > 0.5) * 1.0)


# -- bad input: named, and the model left as it was ---------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(optimizer="rmsprop"), ValueError, "optimizer must be one of gd, momentum, adam"),
    (dict(keep_prob=0.0), ValueError, "keep_prob must be in (0.0, 1.0]"),
    (dict(keep_prob=1.5), ValueError, "keep_prob must be in (0.0, 1.0]"),
    (dict(lambd=-0.1), ValueError, "lambd must be in [0.0, inf]"),
    (dict(beta=1.0), ValueError, "beta must be in [0.0, 1.0)"),
    (dict(beta1=-0.1), ValueError, "beta1 must be in [0.0, 1.0)"),
    (dict(beta2=1.0), ValueError, "beta2 must be in [0.0, 1.0)"),
    (dict(epsilon=0.0), ValueError, "epsilon must be in (0.0, inf]"),
    (dict(epsilon="small"), TypeError, "epsilon must be a number"),
    (dict(shuffle=None), TypeError, "shuffle must be True or False"),
    (dict(path="gpu"), ValueError, "path must be one of serial, serial_minibatch"),
])
def test_bad_options_are_named_and_change_nothing(kwargs, error, message):
    X, labels, _ = _data("softmax", 3, "float64", m=20)
    model = Model([5, 7, 3], "tanh", output="softmax", seed=0)
    before = model._theta.copy()
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        model.fit(X, labels, num_iterations=2, **kwargs)
    np.testing.assert_array_equal(model._theta, before)
    assert model.iterations == 0 and model.costs == []


def _one_hot_with(value):
    """One-hot (3, 4) targets whose last column holds ``value`` for its 1."""
    Y = np.eye(3)[:, [0, 1, 2, 0]]
    Y[0, 3] = value
    return Y


@pytest.mark.parametrize("Y, message", [
    (np.array([[0, 1, 3, 2]]), r"integer class labels in \[0, 3\)"),
    (np.array([0.5, 1, 2, 2]), r"integer class labels in \[0, 3\)"),
    (np.eye(4)[:, [0, 1, 2, 3]], "Y has 4 one-hot rows, but the model has 3 classes"),
    (np.array([[0, 1, 2]]), "Y holds 3 class labels, but X has 4 examples"),
    (_one_hot_with(0.5), "columns of values in [0, 1] summing to 1"),
    (_one_hot_with(2.0), "columns of values in [0, 1] summing to 1"),
    (_one_hot_with(np.nan), "Y contains NaN or inf"),
    (_one_hot_with(-np.inf), "Y contains NaN or inf"),
])
def test_softmax_targets_are_checked(Y, message):
    model = Model([2, 3], output="softmax", seed=0)
    with pytest.raises(ValueError, match=re.escape(message) if "[0, 1]" in message else message):
        model.fit(np.zeros((2, 4)), Y, num_iterations=1)


def test_version_1_files_still_load_and_predict_the_same(tmp_path):
    """A file as ``save`` wrote it before format version 2 (no head, no optimizer state)."""
    rng = np.random.default_rng(0)
    parameters = {"W1": rng.standard_normal((4, 2)), "b1": rng.standard_normal((4, 1)),
                  "W2": rng.standard_normal((1, 4)), "b2": rng.standard_normal((1, 1))}
    np.savez(tmp_path / "v1.npz", format_version=np.array(1), layer_dims=np.array([2, 4, 1]),
             hidden_activation=np.array("tanh"), dtype=np.array("float64"),
             costs=np.array([[0, 0.7]]), iterations=np.array(1), **parameters)
    model = Model.load(tmp_path / "v1.npz")
    X = rng.standard_normal((2, 9))
    AL, _ = baseline.L_model_forward(X, parameters, "tanh")
    assert model.output == "sigmoid" and model.costs == [(0, 0.7)]
    assert_close(model.predict_proba(X), AL, "float64")


def test_a_minibatch_step_is_normalised_by_its_weight_sum():
    """Weights constant within each batch (1 in the first, 5 in the second) leave each batch's
    weighted mean the plain mean: the fit equals the unweighted one, as scikit-learn's per-batch
    normalisation Σ w·cost / Σ w gives. Normalising by the batch size instead would take the
    second batch's step five times as large as the first's (relative to the fit's mean)."""
    X, labels, _ = _data("softmax", 3, "float64", m=40)
    weights = np.repeat([1.0, 5.0], 20)
    fits = []
    for sample_weight in (None, weights):
        model = Model([5, 7, 4, 3], "tanh", output="softmax", seed=3)
        model.fit(X, labels, num_iterations=3, batch_size=20, shuffle=False, seed=1,
                  optimizer="adam", learning_rate=0.01, record_every=1,
                  sample_weight=sample_weight)
        fits.append(model)
    for key, value in fits[0].parameters.items():
        np.testing.assert_allclose(fits[1].parameters[key], value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([c for _, c in fits[1].costs], [c for _, c in fits[0].costs],
                               rtol=1e-12)
