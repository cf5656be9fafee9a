"""Bad input gets a clear error naming the argument; odd but valid input simply works.

Every error case is asserted with its message. Valid inputs of other kinds (int, bool, lists,
Fortran order, strided views, read-only arrays, memmaps) must give results bitwise equal to the
float64 C-ordered case, and no input is ever modified.
"""
import re

import numpy as np
import pytest

from fastbackprop import Model
from fastbackprop.cli import main

from conftest import classification_data

N_X, M = 3, 8


@pytest.fixture
def data(rng):
    return classification_data(rng, N_X, M)


@pytest.fixture
def model():
    return Model([N_X, 4, 1], "tanh", seed=0)


def _snapshot(model):
    return model._theta.copy(), model.iterations, list(model.costs)


def _assert_unchanged(model, snapshot):
    theta, iterations, costs = snapshot
    np.testing.assert_array_equal(model._theta, theta)
    assert model.iterations == iterations and model.costs == costs


# -- construction ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(layer_dims=[3]), ValueError,
     "layer_dims needs at least two entries (inputs and outputs), got [3]"),
    (dict(layer_dims=[]), ValueError, "layer_dims needs at least two entries"),
    (dict(layer_dims=[3, 0, 1]), ValueError, "layer_dims must hold positive integers, got [3, 0, 1]"),
    (dict(layer_dims=[3, -2, 1]), ValueError, "layer_dims must hold positive integers"),
    (dict(layer_dims=[3, 2.5, 1]), ValueError, "layer_dims must hold positive integers"),
    (dict(layer_dims=[3, True, 1]), ValueError, "layer_dims must hold positive integers"),
    (dict(layer_dims=[3, 4, 1], output="softmax"), ValueError,
     "output='softmax' needs layer_dims[-1] >= 2 output units"),
    (dict(layer_dims=[3, 4, 2], output="logistic"), ValueError,
     "output must be one of sigmoid, softmax, identity; got 'logistic'"),
    (dict(layer_dims=3), TypeError, "layer_dims must be a sequence of layer sizes"),
    (dict(layer_dims="341"), TypeError, "layer_dims must be a sequence of layer sizes"),
    (dict(layer_dims=[3, 1], hidden_activation="swish"), ValueError,
     "hidden_activation must be one of relu, leaky_relu, tanh, sigmoid, identity; got 'swish'"),
    (dict(layer_dims=[3, 1], hidden_activation=None), ValueError,
     "hidden_activation must be one of relu, leaky_relu, tanh, sigmoid, identity; got None"),
    (dict(layer_dims=[3, 1], dtype="float16"), TypeError,
     "dtype must be 'float32' or 'float64', got 'float16'"),
    (dict(layer_dims=[3, 1], dtype="banana"), TypeError, "dtype must be 'float32' or 'float64'"),
    (dict(layer_dims=[3, 1], dtype=None), TypeError, "dtype must be 'float32' or 'float64'"),
    (dict(layer_dims=[3, 1], dtype=int), TypeError, "dtype must be 'float32' or 'float64'"),
    (dict(layer_dims=[3, 1], seed=-1), ValueError, "seed must be None or an integer >= 0, got -1"),
    (dict(layer_dims=[3, 1], seed="abc"), ValueError, "seed must be None or an integer >= 0"),
    (dict(layer_dims=[3, 1], init="zeros"), ValueError,
     "init must be one of he, glorot, course, course_small; got 'zeros'"),
])
def test_model_construction_errors(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Model(**kwargs)


@pytest.mark.parametrize("parameters, error, message", [
    ([1, 2], TypeError, "parameters must be a dict with keys W1, b1, …, got list"),
    ({}, ValueError, "parameters must have exactly the keys W1, b1, …, WL, bL"),
    ({"W1": np.ones((1, 3))}, ValueError, "parameters must have exactly the keys"),
    ({"W1": np.ones(3), "b1": np.ones((1, 1))}, ValueError,
     "parameters['W1'] must be 2-D, got shape (3,)"),
    ({"W1": np.ones((1, 3)), "b1": np.ones((2, 1))}, ValueError,
     "parameters['b1'] must have shape (1, 1), got (2, 1)"),
    ({"W1": np.array([[1.0, np.nan, 0]]), "b1": np.ones((1, 1))}, ValueError,
     "parameters['W1'] contains NaN or inf"),
    ({"W1": np.ones((1, 3)), "b1": np.array([[np.inf]])}, ValueError,
     "parameters['b1'] contains NaN or inf"),
    ({"W1": np.array([["a", "b", "c"]]), "b1": np.ones((1, 1))}, TypeError,
     "parameters['W1'] must hold real numbers (float, int or bool), got dtype <U1"),
    ({"W1": np.ones((1, 3)) * 1j, "b1": np.ones((1, 1))}, TypeError,
     "parameters['W1'] must hold real numbers"),
    ({"W1": np.ones((1, 3)) * np.nan, "b1": np.ones((1, 1))}, ValueError,
     "parameters['W1'] contains NaN or inf"),
])
def test_from_parameters_errors(parameters, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Model.from_parameters(parameters)


def test_from_parameters_float32_overflow_is_an_error():
    big = {"W1": np.full((1, 3), 1e300), "b1": np.zeros((1, 1))}
    with pytest.raises(ValueError, match=re.escape(
            "parameters['W1'] has values too large for float32 (inf after conversion)")):
        Model.from_parameters(big, dtype="float32")


# -- fit, predict, predict_proba, cost ---------------------------------------------------------

def _bad_X(X):
    with_nan, with_inf = X.copy(), X.copy()
    with_nan[1, 2] = np.nan
    with_inf[0, 0] = -np.inf
    return [
        (with_nan, ValueError, "X contains NaN or inf"),
        (with_inf, ValueError, "X contains NaN or inf"),
        (X[:2], ValueError, "X has 2 features (rows), but the model is expecting 3"),
        (np.ones((5, M)), ValueError, "X has 5 features (rows), but the model is expecting 3"),
        (X[:, :0], ValueError, "X has no examples (m = 0): shape (3, 0)"),
        (X[0], ValueError, "X must be 2-D (features, examples) = (3, m), got shape (8,)"),
        (X[None], ValueError, "X must be 2-D (features, examples) = (3, m), got shape (1, 3, 8)"),
        (X.astype(str), TypeError, "X must hold real numbers (float, int or bool), got dtype <U"),
        (X.astype(complex), TypeError, "X must hold real numbers"),
        (X.astype(object), TypeError, "X must hold real numbers"),
        ([[1, 2], [3]], TypeError, "X must be array-like of numbers"),
        (None, TypeError, "X must hold real numbers"),
    ]


@pytest.mark.parametrize("case", range(12))
def test_bad_X_everywhere(case, model, data):
    X, Y = data
    bad, error, message = _bad_X(X)[case]
    before = _snapshot(model)
    for call in (lambda: model.fit(bad, Y, num_iterations=3), lambda: model.predict(bad),
                 lambda: model.predict_proba(bad), lambda: model.cost(bad, Y)):
        with pytest.raises(error, match=re.escape(message)):
            call()
    _assert_unchanged(model, before)


def _bad_Y(Y):
    with_nan, with_inf = Y.copy(), Y.copy()
    with_nan[0, 3] = np.nan
    with_inf[0, 1] = np.inf
    return [
        (with_nan, ValueError, "Y contains NaN or inf"),
        (with_inf, ValueError, "Y contains NaN or inf"),
        (Y[0], ValueError, f"Y must be 2-D of shape (1, {M}), got shape ({M},) "
                           "(reshape it with Y.reshape(1, -1))"),
        (Y.T, ValueError, f"Y must have shape (1, {M}) to match X, got ({M}, 1)"),
        (Y[:, :5], ValueError, f"Y must have shape (1, {M}) to match X, got (1, 5)"),
        (np.vstack([Y, Y]), ValueError, f"Y must have shape (1, {M}) to match X, got (2, {M})"),
        (Y * 2, ValueError, "Y must hold labels in [0, 1], got values in [0.0, 2.0]"),
        (Y - 1, ValueError, "Y must hold labels in [0, 1], got values in [-1.0, 0.0]"),
        (np.full((1, M), 3), ValueError, "Y must hold labels in [0, 1], got values in [3, 3]"),
        (Y.astype(str), TypeError, "Y must hold real numbers"),
    ]


@pytest.mark.parametrize("case", range(10))
def test_bad_Y_in_fit_and_cost(case, model, data):
    X, Y = data
    bad, error, message = _bad_Y(Y)[case]
    before = _snapshot(model)
    for call in (lambda: model.fit(X, bad, num_iterations=3), lambda: model.cost(X, bad)):
        with pytest.raises(error, match=re.escape(message)):
            call()
    _assert_unchanged(model, before)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(learning_rate=-0.1), ValueError, "learning_rate must be a finite number >= 0, got -0.1"),
    (dict(learning_rate=float("nan")), ValueError,
     "learning_rate must be a finite number >= 0, got nan"),
    (dict(learning_rate=float("inf")), ValueError,
     "learning_rate must be a finite number >= 0, got inf"),
    (dict(learning_rate="0.1"), TypeError, "learning_rate must be a finite number >= 0, got '0.1'"),
    (dict(learning_rate=None), TypeError, "learning_rate must be a finite number >= 0, got None"),
    (dict(num_iterations=-1), ValueError, "num_iterations must be an integer >= 0, got -1"),
    (dict(num_iterations=2.0), TypeError, "num_iterations must be an integer >= 0, got 2.0"),
    (dict(num_iterations=True), TypeError, "num_iterations must be an integer >= 0, got True"),
    (dict(record_every=-5), ValueError, "record_every must be an integer >= 0, got -5"),
])
def test_bad_fit_options(kwargs, error, message, model, data):
    X, Y = data
    before = _snapshot(model)
    with pytest.raises(error, match=re.escape(message)):
        model.fit(X, Y, **kwargs)
    _assert_unchanged(model, before)


def test_zero_iterations_and_zero_learning_rate_are_valid(model, data):
    X, Y = data
    before = model._theta.copy()
    model.fit(X, Y, num_iterations=0)
    np.testing.assert_array_equal(model._theta, before)
    assert model.iterations == 0 and model.costs == []
    model.fit(X, Y, learning_rate=0, num_iterations=3)
    np.testing.assert_array_equal(model._theta, before)
    assert model.iterations == 3


def test_float64_too_large_for_a_float32_model(data):
    X, Y = data
    model = Model([N_X, 4, 1], dtype="float32", seed=0)
    big = X.copy()
    big[0, 0] = 1e300
    with pytest.raises(ValueError, match=re.escape(
            "X has values too large for float32 (inf after conversion)")):
        model.fit(big, Y)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_divergence_is_an_error_and_restores_the_model(dtype, data):
    """A learning rate so large that training blows up: no NaN model handed back silently."""
    X, Y = data
    model = Model([N_X, 16, 1], "relu", dtype=dtype, seed=0)
    model.fit(X, Y, learning_rate=0.1, num_iterations=5, record_every=2)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=r"training diverged: .*NaN or inf by iteration \d+; the "
                       r"model is left as it was before this fit\. Lower learning_rate "
                       r"\(got 1000000\.0\)"):
        model.fit(X * 1e3, Y, learning_rate=1e6, num_iterations=500, record_every=2)
    _assert_unchanged(model, before)
    model.fit(X, Y, learning_rate=0.1, num_iterations=2)  # and it still trains
    assert model.iterations == 7


# -- what must simply work, bitwise equal to float64 C order ---------------------------------

def _variants(X):
    """X in every accepted form, each with the same values as X (a float64 C array of ints)."""
    F = np.asfortranarray(X)
    wide = np.zeros((X.shape[0] * 2, X.shape[1] * 3))
    wide[::2, ::3] = X
    strided = wide[::2, ::3]
    readonly = X.copy()
    readonly.flags.writeable = False
    reversed_view = X[:, ::-1].copy()[:, ::-1]
    return {
        "int": X.astype(np.int64), "int8": X.astype(np.int8),
        "list": X.tolist(), "fortran": F, "strided": strided, "negative-stride": reversed_view,
        "readonly": readonly, "float32": X.astype(np.float32),
    }


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_all_input_kinds_give_identical_results(dtype, rng, tmp_path):
    Xi = rng.integers(-3, 4, (N_X, M)).astype(np.float64)  # exact in every dtype below
    Y = (rng.random((1, M)) > 0.5).astype(np.float64)
    mm = np.memmap(tmp_path / "x.dat", dtype=np.float64, mode="w+", shape=Xi.shape)
    mm[:] = Xi
    mm.flush()
    mm_readonly = np.memmap(tmp_path / "x.dat", dtype=np.float64, mode="r", shape=Xi.shape)

    def run(X, Y):
        model = Model([N_X, 4, 1], "tanh", dtype=dtype, seed=0)
        model.fit(X, Y, learning_rate=0.1, num_iterations=7, record_every=2)
        return model._theta.copy(), model.costs, model.predict_proba(X), model.cost(X, Y)

    ref = run(Xi, Y)
    Xs = _variants(Xi)
    Xs["memmap"] = mm_readonly
    Ys = {"Y int": Y.astype(np.int64), "Y bool": Y.astype(bool), "Y list": Y.tolist(),
          "Y fortran": np.asfortranarray(Y), "Y strided": np.repeat(Y, 2, axis=1)[:, ::2],
          "Y uint8": Y.astype(np.uint8)}
    cases = [(name, X, Y) for name, X in Xs.items() if X is not None]
    cases += [(name, Xi, Yv) for name, Yv in Ys.items()]
    cases.append(("bool X", (Xi > 0), Y))
    for name, X, Yv in cases:
        originals = [np.array(X, copy=True), np.array(Yv, copy=True)]
        ref_case = ref if name != "bool X" else run((Xi > 0).astype(np.float64), Y)
        got = run(X, Yv)
        np.testing.assert_array_equal(got[0], ref_case[0], err_msg=name)
        assert got[1] == ref_case[1], name
        np.testing.assert_array_equal(got[2], ref_case[2], err_msg=name)
        assert got[3] == ref_case[3], name
        # never modified
        np.testing.assert_array_equal(np.asarray(X), originals[0], err_msg=name)
        np.testing.assert_array_equal(np.asarray(Yv), originals[1], err_msg=name)


def test_inputs_never_written_even_when_already_in_model_format(rng):
    """C-contiguous float64 X/Y are passed to the kernels without a copy: they must stay as they
    were, byte for byte, through fit, predict, predict_proba and cost."""
    X, Y = classification_data(rng, N_X, M)
    X.flags.writeable = False  # a write in any kernel would raise here
    Y.flags.writeable = False
    model = Model([N_X, 5, 1], "relu", seed=0)
    model.fit(X, Y, num_iterations=4)
    model.predict(X)
    model.cost(X, Y)
    X2, Y2 = classification_data(np.random.default_rng(12345), N_X, M)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)


# -- load --------------------------------------------------------------------------------------

def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(
            f"model file not found: {tmp_path / 'nope.npz'}")):
        Model.load(tmp_path / "nope.npz")


# (the truncated, foreign and newer-format cases of load are in test_persistence.py)


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def data_files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 20))
    Y = (X[:1] > 0).astype(float)
    files = {}

    def put(name, **arrays):
        np.savez(tmp_path / name, **arrays)
        files[name] = str(tmp_path / name)

    put("good.npz", X=X, Y=Y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    put("nan.npz", X=Xn, Y=Y)
    put("labels.npz", X=X, Y=Y * 3)
    put("short_y.npz", X=X, Y=Y[:, :7])
    put("empty.npz", X=X[:, :0], Y=Y[:, :0])
    put("no_y.npz", X=X)
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 definitely not a zip file")
    files["corrupt.npz"] = str(tmp_path / "corrupt.npz")
    (tmp_path / "data.txt").write_text("1,2,3\n")
    files["data.txt"] = str(tmp_path / "data.txt")
    return files


@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "nan.npz"], "X contains NaN or inf"),
    (["train", "--data", "labels.npz"], "Y must hold labels in [0, 1], got values in [0.0, 3.0]"),
    (["train", "--data", "short_y.npz"], "Y must have shape (1, 20) to match X, got (1, 7)"),
    (["train", "--data", "empty.npz"], "X has no examples (m = 0)"),
    (["train", "--data", "no_y.npz"], "a .npz data file needs arrays named X and Y"),
    (["train", "--data", "corrupt.npz"], "corrupt.npz"),
    (["train", "--data", "data.txt"], "data files must be .npz (X, Y) or the course's .h5"),
    (["train", "--data", "good.npz", "--layer-dims", "3"],
     "layer_dims needs at least two entries (inputs and outputs), got [3]"),
    (["train", "--data", "good.npz", "--layer-dims", "3,0,1"],
     "layer_dims must hold positive integers, got [3, 0, 1]"),
    (["train", "--data", "good.npz", "--layer-dims", "4,5,1"],
     "X has 3 features (rows), but the model is expecting 4"),
    (["train", "--data", "good.npz", "--activation", "swish"],
     "hidden_activation must be one of relu, leaky_relu, tanh, sigmoid, identity; got 'swish'"),
    (["train", "--data", "good.npz", "--learning-rate", "nan"],
     "--learning-rate: learning_rate must be a finite number >= 0, got nan"),
    (["train", "--data", "good.npz", "--learning-rate", "-0.5"],
     "--learning-rate: learning_rate must be a finite number >= 0, got -0.5"),
    (["train", "--data", "good.npz", "--iterations", "-3"],
     "--iterations: num_iterations must be an integer >= 0, got -3"),
    (["train", "--data", "good.npz", "--seed", "-1"], "--seed: seed must be None or an integer >= 0, got -1"),
    (["train", "--iterations", "ten"], "argument --iterations: invalid int value: 'ten'"),
    (["train", "--layer-dims", "2,x,1"], "expected comma-separated integers such as 2,4,1"),
    (["predict", "missing.npz", "good.npz"], "model file not found: missing.npz"),
    (["predict", "corrupt.npz", "good.npz"], "not a fastbackprop model file"),
    (["predict", "good.npz", "good.npz"], "not a valid fastbackprop model file: no format_version"),
    ([], "the following arguments are required: command"),
])
def test_cli_user_mistakes_are_one_line_and_exit_2(argv, message, data_files, capsys,
                                                     monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert message in err and "Traceback" not in err, err


@pytest.mark.parametrize("model_dims, data, message", [
    ([5, 2, 1], "good.npz", "X has 3 features (rows), but the model is expecting 5"),
    ([3, 2, 1], "nan.npz", "X contains NaN or inf"),
    ([3, 2, 1], "empty.npz", "X has no examples (m = 0)"),
])
def test_cli_predict_with_bad_data(model_dims, data, message, data_files, capsys, tmp_path,
                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    Model(model_dims, seed=0).save(tmp_path / "m.npz")
    assert main(["predict", "m.npz", data]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err and "Traceback" not in err
