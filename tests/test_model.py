"""The Model API: agreement with the baseline, continuation, persistence, dtypes."""
import pickle

import numpy as np
import pytest

from fastbackprop import Model, baseline
from fastbackprop.kernels import network

from conftest import ACTIVATIONS, DTYPES, assert_close, classification_data


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_training_matches_baseline(activation, dtype, rng, monkeypatch):
    """100 iterations from the same start: parameters and the cost trajectory agree. The serial
    trainer is compiled with tanh and sigmoid only for themselves (``sigmoidal_flag``)."""
    flags = []
    original = network.train_steps_split

    def spy(*args):
        flags.append(args[18])  # sigmoidal (then dropout and the backward kernel)
        return original(*args)

    monkeypatch.setattr(network, "train_steps_split", spy)
    X, Y = classification_data(rng, 6, 50, dtype)
    model = Model([6, 12, 8, 1], activation, dtype=dtype, seed=4)  # W1, W2 by BLAS, W3 loops
    start = model.parameters
    model.fit(X, Y, learning_rate=0.1, num_iterations=100, record_every=10)
    assert flags and set(flags) == {True if activation in ("tanh", "sigmoid") else None}
    parameters, costs = baseline.train(X, Y, start, activation, 0.1, 100, record_every=10)
    for key in parameters:
        assert model.parameters[key].dtype == np.dtype(dtype)
        assert_close(model.parameters[key], parameters[key], dtype, key)
    assert [i for i, _ in model.costs] == [i for i, _ in costs]
    assert_close([c for _, c in model.costs], [c for _, c in costs], dtype, "costs")
    assert costs[-1][1] < costs[0][1]  # it learned something, so the comparison means something


def test_fit_continues_from_current_parameters(rng):
    X, Y = classification_data(rng, 4, 30)
    once = Model([4, 3, 1], seed=0).fit(X, Y, learning_rate=0.05, num_iterations=40,
                                          record_every=10)
    twice = Model([4, 3, 1], seed=0)
    twice.fit(X, Y, learning_rate=0.05, num_iterations=25, record_every=10)
    twice.fit(X, Y, learning_rate=0.05, num_iterations=15, record_every=10)
    for key, value in once.parameters.items():
        np.testing.assert_array_equal(twice.parameters[key], value)
    assert twice.costs == once.costs
    assert twice.iterations == 40


def test_repeated_short_fits_make_one_compiled_call_each(rng, monkeypatch):
    """A fit's compiled chunks start where the last fit on the same data size left them; the
    parameters are those of one long fit, bit for bit."""
    X, Y = classification_data(rng, 4, 50)
    calls = []
    original = network.train_steps_split

    def spy(*args):
        calls.append(args[10])  # n_steps
        return original(*args)

    monkeypatch.setattr(network, "train_steps_split", spy)
    model = Model([4, 3, 1], seed=0)
    per_fit = []
    for _ in range(4):
        before = len(calls)
        model.fit(X, Y, num_iterations=2, record_every=0)
        per_fit.append(len(calls) - before)
    assert per_fit[0] == 2 and per_fit[2:] == [1, 1], calls
    long = Model([4, 3, 1], seed=0).fit(X, Y, num_iterations=8, record_every=0)
    np.testing.assert_array_equal(model._theta, long._theta)


def test_prints_and_records_costs(rng, capsys):
    X, Y = classification_data(rng, 2, 10)
    model = Model([2, 3, 1], "tanh", seed=0).fit(X, Y, num_iterations=250, print_cost=True)
    assert [i for i, _ in model.costs] == [0, 100, 200]
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Cost after iteration {i}: {c}" for i, c in model.costs]


def test_parameters_are_copies_in_course_shapes(rng):
    model = Model([5, 4, 1], seed=0)
    p = model.parameters
    assert sorted(p) == ["W1", "W2", "b1", "b2"]
    assert p["W1"].shape == (4, 5) and p["b1"].shape == (4, 1) and p["W2"].shape == (1, 4)
    p["W1"][:] = 7
    assert not np.any(model.parameters["W1"] == 7)


def test_default_and_course_initialisation():
    he = Model([100, 50, 1], "relu", seed=0).parameters["W1"]
    glorot = Model([100, 50, 1], "tanh", seed=0).parameters["W1"]
    assert he.std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)
    assert glorot.std() == pytest.approx(np.sqrt(2 / 150), rel=0.05)
    course = Model([5, 4, 3, 1], init="course", seed=1).parameters
    rs = np.random.RandomState(1)
    np.testing.assert_array_equal(course["W1"], rs.randn(4, 5) / np.sqrt(5))
    np.testing.assert_array_equal(course["W2"], rs.randn(3, 4) / np.sqrt(4))
    assert not np.any(course["b1"])
    with pytest.raises(ValueError, match="init must be one of"):
        Model([2, 1], init="zeros")


def test_from_parameters_round_trip(rng):
    X, Y = classification_data(rng, 3, 12)
    model = Model([3, 4, 1], "leaky_relu", seed=0)
    clone = Model.from_parameters(model.parameters, hidden_activation="leaky_relu")
    assert clone.layer_dims == [3, 4, 1] and clone.dtype == np.float64
    np.testing.assert_array_equal(clone.predict_proba(X), model.predict_proba(X))
    p32 = {k: v.astype(np.float32) for k, v in model.parameters.items()}
    assert Model.from_parameters(p32).dtype == np.float32
    with pytest.raises(ValueError, match="b1"):
        Model.from_parameters({"W1": np.ones((4, 3)), "b1": np.ones((3, 1)),
                               "W2": np.ones((1, 4)), "b2": np.ones((1, 1))})


@pytest.mark.parametrize("dtype", DTYPES)
def test_predict_shapes_and_dtype(dtype, rng):
    X, Y = classification_data(rng, 3, 9)
    model = Model([3, 2, 1], dtype=dtype, seed=0).fit(X, Y, num_iterations=5)
    proba = model.predict_proba(X)
    assert proba.shape == (1, 9) and proba.dtype == np.dtype(dtype)
    assert np.all((proba > 0) & (proba < 1))
    labels = model.predict(X)
    assert labels.shape == (1, 9)
    np.testing.assert_array_equal(labels, (proba > 0.5).astype(dtype))
    assert isinstance(model.cost(X, Y), float)


@pytest.mark.parametrize("dtype", DTYPES)
def test_save_load_and_pickle(dtype, rng, tmp_path):
    X, Y = classification_data(rng, 3, 9)
    model = Model([3, 4, 2, 1], "sigmoid", dtype=dtype, seed=0).fit(X, Y, num_iterations=30,
                                                                    record_every=10)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = Model.load(path)
    assert (loaded.layer_dims, loaded.hidden_activation, loaded.dtype) == \
        (model.layer_dims, model.hidden_activation, model.dtype)
    assert loaded.costs == model.costs and loaded.iterations == 30
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    unpickled = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(unpickled.predict_proba(X), model.predict_proba(X))
    # training goes on identically after either round trip
    for other in (loaded, unpickled):
        other.fit(X, Y, num_iterations=5)
    model.fit(X, Y, num_iterations=5)
    np.testing.assert_array_equal(loaded._theta, model._theta)
    np.testing.assert_array_equal(unpickled._theta, model._theta)


def test_float32_model_stays_float32(rng):
    X, Y = classification_data(rng, 3, 9)  # float64 data, converted once
    model = Model([3, 4, 1], dtype="float32", seed=0).fit(X, Y, num_iterations=3)
    assert model._theta.dtype == np.float32
    assert model._trainer.ws.acts.dtype == np.float32
    assert all(v.dtype == np.float32 for v in model.parameters.values())


def test_inputs_are_not_modified(rng):
    X, Y = classification_data(rng, 3, 9)
    X_before, Y_before = X.copy(), Y.copy()
    params = Model([3, 4, 1], seed=0).parameters
    params_before = {k: v.copy() for k, v in params.items()}
    model = Model.from_parameters(params)
    model.fit(X, Y, num_iterations=10)
    model.predict(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    for key in params:
        np.testing.assert_array_equal(params[key], params_before[key])


def test_cat_data_trains_like_the_baseline(catvnoncat):
    """Real data: 20 iterations of the course's L-layer net, same start, cost for cost."""
    train_x, train_y, _, _ = catvnoncat
    model = Model([12288, 20, 7, 5, 1], "relu", seed=1, init="course")
    start = model.parameters
    model.fit(train_x, train_y, learning_rate=0.0075, num_iterations=20, record_every=5)
    _, costs = baseline.train(train_x, train_y, start, "relu", 0.0075, 20, record_every=5)
    assert model.costs[0][1] == pytest.approx(0.7717493284237686, rel=1e-12)
    assert_close([c for _, c in model.costs], [c for _, c in costs], "float64", "costs")
