"""Model.fit between epochs: validation curves, early stopping with the best parameters restored,
the learning-rate schedules, per-example weights, and plot_costs drawing both curves. Each test
would fail if the feature were ignored."""
import math

import numpy as np
import pytest

from fastbackprop import Model

M = 150


def _data(seed=0, m=M):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, m))
    labels = (X[0] + 0.5 * X[1] + 0.3 * rng.standard_normal(m) > 0).astype(np.int64)
    return X, labels


def _model():
    return Model([5, 7, 4, 2], "tanh", output="softmax", seed=3)


def test_validation_metrics_are_recorded_beside_the_costs():
    X, y = _data()
    Xv, yv = _data(1, 60)
    model = _model().fit(X, y, learning_rate=0.05, num_iterations=6, record_every=2,
                         optimizer="adam", validation_data=(Xv, yv))
    h = model.history
    assert h["iteration"] == [0, 2, 4] and [c for _, c in model.costs] == h["cost"]
    # recorded after that epoch's update: the validation cost of the parameters it left
    last = _model().fit(X, y, learning_rate=0.05, num_iterations=5, optimizer="adam")
    assert h["val_cost"][-1] == pytest.approx(last.cost(Xv, yv), rel=1e-12)
    accuracy = float(np.mean(last.predict(Xv)[0] == yv))
    assert h["val_accuracy"][-1] == pytest.approx(accuracy)
    # a fit without validation data records NaN there, so the columns stay aligned
    model.fit(X, y, learning_rate=0.05, num_iterations=2, record_every=2, optimizer="adam")
    assert len(h["val_cost"]) == len(h["cost"]) == 4 and math.isnan(h["val_cost"][-1])


def test_early_stopping_stops_and_restores_the_best_parameters():
    X, y = _data()
    Xv, yv = _data(1, 60)
    # a large rate overfits the 150 examples: the validation cost turns up
    model = Model([5, 40, 2], "tanh", output="softmax", seed=1)
    model.fit(X, y, learning_rate=0.05, num_iterations=400, record_every=1, optimizer="adam",
              validation_data=(Xv, yv), early_stopping=True, n_iter_no_change=5, tol=0.0)
    h = model.history
    assert model.stopped_early and model.iterations < 400
    best = int(np.argmin(h["val_cost"]))
    assert model.iterations == best + 5 + 2  # more than 5 epochs without improvement
    assert model.cost(Xv, yv) == pytest.approx(h["val_cost"][best], rel=1e-12)
    assert model.cost(Xv, yv) < h["val_cost"][-1]
    # without early stopping it runs every iteration
    other = Model([5, 40, 2], "tanh", output="softmax", seed=1)
    other.fit(X, y, learning_rate=0.05, num_iterations=30, optimizer="adam",
              validation_data=(Xv, yv))
    assert other.iterations == 30 and not other.stopped_early


def test_early_stopping_on_the_training_cost_keeps_the_last_parameters():
    X, y = _data()
    model = _model()
    model.fit(X, y, learning_rate=0.1, num_iterations=5000, record_every=1, optimizer="adam",
              early_stopping=True, tol=1e-3, n_iter_no_change=3)
    assert model.stopped_early and model.iterations < 5000
    best, count, stop = math.inf, 0, None
    for i, c in enumerate(model.history["cost"]):  # scikit-learn's rule, replayed
        count = count + 1 if c > best - 1e-3 else 0
        best = min(best, c)
        if count > 3:
            stop = i
            break
    assert model.iterations == stop + 1


@pytest.mark.parametrize("schedule, expected", [
    ("decay", lambda i, m: 0.1 / (1 + 0.5 * (i // 2))),
    ("invscaling", lambda i, m: 0.1 / ((i + 1) * m + 1) ** 0.25),
])
def test_schedules_set_each_epochs_rate(schedule, expected):
    X, y = _data()
    model = _model().fit(X, y, learning_rate=0.1, num_iterations=6, record_every=1,
                         schedule=schedule, decay_rate=0.5, time_interval=2, power_t=0.25)
    rates = model.history["learning_rate"]
    assert rates[0] == 0.1
    np.testing.assert_allclose(rates[1:], [expected(i, M) for i in range(5)], rtol=1e-12)
    # and the rate is the one used: one epoch at rates[3] from the parameters after 3 epochs
    a = _model().fit(X, y, learning_rate=0.1, num_iterations=3, schedule=schedule,
                     decay_rate=0.5, time_interval=2, power_t=0.25)
    step = Model.from_parameters(a.parameters, "tanh", output="softmax")
    step.fit(X, y, learning_rate=rates[3], num_iterations=1)
    b = _model().fit(X, y, learning_rate=0.1, num_iterations=4, schedule=schedule,
                     decay_rate=0.5, time_interval=2, power_t=0.25)
    np.testing.assert_allclose(step._theta, b._theta, rtol=1e-12)


def test_adaptive_divides_the_rate_by_5_when_the_rule_runs_out():
    X, y = _data()
    model = _model().fit(X, y, learning_rate=2.0, num_iterations=60, record_every=1,
                         optimizer="sgd_momentum", beta=0.9, schedule="adaptive",
                         n_iter_no_change=2, tol=10.0)  # after the first, nothing improves
    rates = model.history["learning_rate"]
    # epochs 1, 2, 3 count 1, 2, 3 > 2: divided after epoch 3, then after every third epoch
    assert rates[:4] == [2.0] * 4 and rates[4:7] == pytest.approx([0.4] * 3)
    assert rates[7] == pytest.approx(0.08)
    assert min(rates) <= 1e-6 * 5 and not model.stopped_early


def test_sample_weight_is_the_weighted_mean_and_integer_weights_repeat_examples():
    X, y = _data()
    w = np.random.default_rng(2).integers(0, 4, M).astype(float)
    weighted = _model().fit(X, y, learning_rate=0.1, num_iterations=5, record_every=1,
                            sample_weight=w)
    keep = np.repeat(np.arange(M), w.astype(int))
    repeated = _model().fit(X[:, keep], y[keep], learning_rate=0.1, num_iterations=5,
                            record_every=1)
    np.testing.assert_allclose(weighted._theta, repeated._theta, rtol=1e-10)
    np.testing.assert_allclose(weighted.history["cost"], repeated.history["cost"], rtol=1e-12)
    unweighted = _model().fit(X, y, learning_rate=0.1, num_iterations=5)
    assert not np.allclose(weighted._theta, unweighted._theta, rtol=1e-3)
    # equal weights are no weights, bit for bit
    ones = _model().fit(X, y, learning_rate=0.1, num_iterations=5, sample_weight=np.full(M, 3))
    np.testing.assert_array_equal(ones._theta, unweighted._theta)


def test_objective_gives_the_cost_and_gradient_of_one_step():
    X, y = _data()
    w = np.random.default_rng(2).uniform(0, 2, M)
    model = _model()
    f = model.objective(X, y, lambd=0.3, sample_weight=w)
    cost, grad = f(f.x0)
    step = _model().fit(X, y, learning_rate=1e-3, num_iterations=1, lambd=0.3, sample_weight=w,
                        record_every=1)
    assert cost == pytest.approx(step.costs[0][1], rel=1e-12)
    np.testing.assert_allclose(grad, (f.x0 - step._theta) / 1e-3, rtol=1e-8, atol=1e-12)
    h, e = 1e-6, np.zeros_like(f.x0)
    e[3] = h
    assert grad[3] == pytest.approx((f(f.x0 + e)[0] - f(f.x0 - e)[0]) / (2 * h), rel=1e-5)
    f.assign(f.x0 + 1.0)
    assert model._theta[0] == pytest.approx(f.x0[0]) and not np.allclose(model._theta,
                                                                          step._theta)


def test_plot_costs_draws_the_validation_curve_too():
    pytest.importorskip("matplotlib")
    X, y = _data()
    model = _model().fit(X, y, learning_rate=0.05, num_iterations=4, record_every=1,
                         validation_data=(X[:, :40], y[:40]))
    ax = model.plot_costs()
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["training", "validation"]
    np.testing.assert_allclose(lines[1].get_ydata(), model.history["val_cost"])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(sample_weight=np.ones(3)), ValueError, r"sample_weight must have shape \(20,\)"),
    (dict(sample_weight=-np.ones(20)), ValueError, "sample_weight must be >= 0"),
    (dict(validation_data=np.zeros((5, 3))), TypeError, "validation_data must be a tuple"),
    (dict(validation_data=(np.zeros((4, 3)), np.zeros(3))), ValueError,
     "validation_data.0. has 4 features"),
    (dict(monitor="val_cost"), ValueError, "monitor must be one of cost here"),
    (dict(schedule="cosine"), ValueError, "schedule must be one of constant"),
    (dict(early_stopping=1), TypeError, "early_stopping must be True or False"),
    (dict(n_iter_no_change=0), ValueError, "n_iter_no_change"),
])
def test_bad_epoch_options_are_named_and_change_nothing(kwargs, error, message):
    X, y = _data(m=20)
    model = _model()
    before = model._theta.copy()
    with pytest.raises(error, match=message):
        model.fit(X, y, num_iterations=2, **kwargs)
    np.testing.assert_array_equal(model._theta, before)
    assert model.iterations == 0 and model.history["cost"] == []


def test_features_transposed_from_one_column_are_copied_for_the_blas():
    """X.T of an (m, 1) array is 'contiguous' with a stride of one element on its size-1 axis;
    the BLAS reads that stride as a leading dimension and refuses it."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(10, 1))
    model = Model([1, 100, 1], seed=0).fit(X.T, (X.T > 0.5) * 1.0, num_iterations=3,
                                           learning_rate=0.1, optimizer="adam")
    ref = Model([1, 100, 1], seed=0).fit(X.T.copy(), (X.T > 0.5) * 1.0, num_iterations=3,
                                         learning_rate=0.1, optimizer="adam")
    np.testing.assert_array_equal(model._theta, ref._theta)
