"""fastbackprop.course against the course's own NumPy code (fastbackprop.course.reference):
exact types, dict keys, shapes, seeds, printing, non-mutation, and values (float64, rtol 1e-10).

Small shapes only, always C-contiguous float64 unless a test is about other inputs, so Numba
compiles each kernel once.
"""
import re

import numpy as np
import pytest

import fastbackprop.course as course
from fastbackprop.course import planar
from fastbackprop.course import reference as ref

RTOL = 1e-10
DIMS = [6, 5, 3, 1]
M = 40

WEEK4_NAMES = {
    "sigmoid", "relu", "relu_backward", "sigmoid_backward", "initialize_parameters",
    "initialize_parameters_deep", "linear_forward", "linear_activation_forward",
    "L_model_forward", "compute_cost", "linear_backward", "linear_activation_backward",
    "L_model_backward", "update_parameters", "two_layer_model", "L_layer_model", "predict",
    "load_data",
}
WEEK3_NAMES = {
    "load_planar_dataset", "layer_sizes", "initialize_parameters", "forward_propagation",
    "compute_cost", "backward_propagation", "update_parameters", "nn_model", "predict",
}


def close(actual, expected, what=""):
    assert type(actual) is type(expected), (what, type(actual), type(expected))
    assert np.shape(actual) == np.shape(expected), (what, np.shape(actual), np.shape(expected))
    scale = np.max(np.abs(expected)) if np.size(expected) else 0.0
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, err_msg=what)


def same_tree(actual, expected, what="result"):
    """Same container types, keys/lengths, leaf types, shapes, and values to RTOL."""
    assert type(actual) is type(expected), (what, type(actual), type(expected))
    if isinstance(expected, dict):
        assert list(actual) == list(expected), (what, list(actual), list(expected))
        for key in expected:
            same_tree(actual[key], expected[key], f"{what}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), what
        for i, (a, e) in enumerate(zip(actual, expected)):
            same_tree(a, e, f"{what}[{i}]")
    else:
        close(actual, expected, what)


@pytest.fixture
def data():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((DIMS[0], M))
    Y = (rng.random((1, M)) > 0.5).astype(np.int64)  # integer labels, as load_data gives
    np.random.seed(7)
    parameters = ref.initialize_parameters_deep(DIMS)
    for l in range(1, len(DIMS)):  # non-zero biases so bias handling is checked
        parameters[f"b{l}"] = rng.standard_normal((DIMS[l], 1)) * 0.1
    return X, Y, parameters


def frozen(*arrays):
    """Read-only copies: a kernel writing into its inputs would raise."""
    out = []
    for a in arrays:
        a = np.array(a)
        a.setflags(write=False)
        out.append(a)
    return out


# --- the module's surface ----------------------------------------------------------------------

def test_float_dtype_is_numpys_promotion():
    """The shortcut for arrays of one float dtype gives what NumPy's promotion gives."""
    from fastbackprop.course._arrays import float_dtype
    f16, f32, f64 = (np.ones((2, 3), dt) for dt in (np.float16, np.float32, np.float64))
    inputs = [f16, f32, f64, f32.T, np.ones(3, np.uint8), np.ones(3, np.int64),
              np.ones(3, bool), [[1.0, 2.0]], 3, np.float32(2.0)]
    for a in inputs:
        for b in inputs:
            expected = np.result_type(np.asarray(a).dtype, np.asarray(b).dtype, np.float32)
            if expected not in (np.float32, np.float64):
                expected = np.dtype(np.float64)
            assert float_dtype(a, b, a) == expected, (a, b)


def test_star_import_exports_exactly_the_course_names():
    namespace = {}
    exec("from fastbackprop.course import *", namespace)
    assert set(namespace) - {"__builtins__"} == WEEK4_NAMES
    namespace = {}
    exec("from fastbackprop.course.planar import *", namespace)
    assert set(namespace) - {"__builtins__"} == WEEK3_NAMES


# --- activations -------------------------------------------------------------------------------

def test_activations_match_the_course():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((4, 9)) * 5
    Z[0, :3] = 0.0
    Z[1, 0] = -800.0  # the course's formula gives 0 here (with an overflow warning in NumPy)
    dA = rng.standard_normal((4, 9))
    for name in ("sigmoid", "relu"):
        A, cache = getattr(course, name)(Z)
        with np.errstate(over="ignore"):
            A_ref, _ = getattr(ref, name)(Z)
        close(A, A_ref, name)
        assert cache is Z
    close(course.relu_backward(dA, Z), ref.relu_backward(dA, Z), "relu_backward")
    assert np.all(course.relu_backward(dA, Z)[0, :3] == 0)  # relu' is 0 at Z == 0
    with np.errstate(over="ignore"):
        close(course.sigmoid_backward(dA, Z), ref.sigmoid_backward(dA, Z), "sigmoid_backward")


def test_activations_keep_any_shape_and_read_only_inputs():
    Z, dA = frozen(np.linspace(-3, 3, 24).reshape(2, 3, 4), np.ones((2, 3, 4)))
    close(course.sigmoid(Z)[0], ref.sigmoid(Z)[0])
    close(course.relu(Z.T)[0], ref.relu(Z.T)[0])  # a non-contiguous view
    close(course.relu_backward(dA, Z), ref.relu_backward(dA, Z))


# --- initialisation ----------------------------------------------------------------------------

def _next_draw():
    return np.random.randn()


def test_initialisation_draws_the_course_numbers_and_leaves_the_rng_as_the_course():
    cases = [
        (course.initialize_parameters, ref.initialize_parameters, (7, 4, 1)),
        (course.initialize_parameters_deep, ref.initialize_parameters_deep, ([9, 5, 3, 1],)),
    ]
    for fast, slow, args in cases:
        got = fast(*args)
        after = _next_draw()
        expected = slow(*args)
        assert after == _next_draw()
        for key in expected:
            assert np.array_equal(got[key], expected[key]), key
        same_tree(got, expected)

    got = course.initialize_parameters_deep_step_by_step([5, 4, 3])
    np.random.seed(3)
    assert np.array_equal(got["W1"], np.random.randn(4, 5) * 0.01)
    assert np.array_equal(got["W2"], np.random.randn(3, 4) * 0.01)
    assert list(got) == ["W1", "b1", "W2", "b2"] and got["b2"].shape == (3, 1)


# --- forward -----------------------------------------------------------------------------------

def test_linear_forward_and_caches(data):
    X, Y, parameters = data
    W, b = parameters["W1"], parameters["b1"]
    Z, cache = course.linear_forward(X, W, b)
    close(Z, ref.linear_forward(X, W, b)[0], "Z")
    assert type(cache) is tuple and cache[0] is X and cache[1] is W and cache[2] is b
    for activation in ("relu", "sigmoid"):
        A, cache = course.linear_activation_forward(X, W, b, activation)
        A_ref, cache_ref = ref.linear_activation_forward(X, W, b, activation)
        close(A, A_ref, activation)
        same_tree(cache, cache_ref, "cache")
        assert cache[0][0] is X
    with pytest.raises(ValueError, match="activation"):
        course.linear_activation_forward(X, W, b, "tanh")
    with pytest.raises(ValueError, match="do not chain"):
        course.linear_forward(X.T, W, b)
    with pytest.raises(ValueError, match=r"b must have shape \(5, 1\)"):
        course.linear_forward(X, W, b.ravel())


def test_L_model_forward(data):
    X, Y, parameters = data
    AL, caches = course.L_model_forward(X, parameters)
    AL_ref, caches_ref = ref.L_model_forward(X, parameters)
    close(AL, AL_ref, "AL")
    assert type(caches) is list and len(caches) == len(DIMS) - 1
    same_tree(caches, caches_ref, "caches")


def test_compute_cost_is_a_0d_ndarray(data):
    X, Y, parameters = data
    AL, _ = ref.L_model_forward(X, parameters)
    cost = course.compute_cost(AL, Y)
    assert type(cost) is np.ndarray and cost.shape == ()
    close(cost, ref.compute_cost(AL, Y))


# --- backward ----------------------------------------------------------------------------------

def test_linear_backward(data):
    X, Y, parameters = data
    rng = np.random.default_rng(1)
    _, cache = ref.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
    dZ = rng.standard_normal((DIMS[1], M))
    same_tree(course.linear_backward(dZ, cache[0]), ref.linear_backward(dZ, cache[0]))
    for activation in ("relu", "sigmoid"):
        same_tree(course.linear_activation_backward(dZ, cache, activation),
                  ref.linear_activation_backward(dZ, cache, activation), activation)


def test_L_model_backward_keys_and_values(data):
    X, Y, parameters = data
    AL, caches = ref.L_model_forward(X, parameters)
    grads = course.L_model_backward(AL, Y, caches)
    L = len(DIMS) - 1
    expected_keys = ({f"dA{l}" for l in range(L)} | {f"dW{l}" for l in range(1, L + 1)}
                     | {f"db{l}" for l in range(1, L + 1)})
    assert set(grads) == expected_keys
    grads_ref = ref.L_model_backward(AL, Y, caches)
    for key in grads_ref:
        close(grads[key], grads_ref[key], key)
    for l in range(1, L + 1):
        assert grads[f"db{l}"].shape == (DIMS[l], 1)
    # caches may be a tuple, Y a flat array of booleans
    grads_t = course.L_model_backward(AL, Y.ravel().astype(bool), tuple(caches))
    for key in grads_ref:
        close(grads_t[key], grads_ref[key], key)


def test_gradients_are_gradients(data):
    """Central differences of the course's cost agree with dW1 (an independent check)."""
    X, Y, parameters = data
    AL, caches = course.L_model_forward(X, parameters)
    grads = course.L_model_backward(AL, Y, caches)
    eps = 1e-6
    for (i, j) in [(0, 0), (2, 3), (4, 5)]:
        plus = {k: v.copy() for k, v in parameters.items()}
        minus = {k: v.copy() for k, v in parameters.items()}
        plus["W1"][i, j] += eps
        minus["W1"][i, j] -= eps
        numeric = (course.compute_cost(course.L_model_forward(X, plus)[0], Y)
                   - course.compute_cost(course.L_model_forward(X, minus)[0], Y)) / (2 * eps)
        assert numeric == pytest.approx(grads["dW1"][i, j], rel=1e-5, abs=1e-9)


def test_update_parameters_returns_a_new_dict_and_leaves_the_input_alone(data):
    X, Y, parameters = data
    AL, caches = ref.L_model_forward(X, parameters)
    grads = ref.L_model_backward(AL, Y, caches)
    before = {k: v.copy() for k, v in parameters.items()}
    read_only = dict(zip(parameters, frozen(*parameters.values())))
    new = course.update_parameters(read_only, grads, 0.1)
    assert new is not read_only
    for key in parameters:
        assert np.array_equal(parameters[key], before[key])
        assert new[key] is not read_only[key]
    same_tree(new, ref.update_parameters(parameters, grads, 0.1))


def test_inputs_are_never_modified(data):
    X, Y, parameters = data
    X_ro, Y_ro = frozen(X, Y)
    params_ro = dict(zip(parameters, frozen(*parameters.values())))
    AL, caches = course.L_model_forward(np.asfortranarray(X_ro), params_ro)
    AL_ro, = frozen(AL)
    grads = course.L_model_backward(AL_ro, Y_ro, caches)
    AL_ref, caches_ref = ref.L_model_forward(X, parameters)
    close(grads["dW1"], ref.L_model_backward(AL_ref, Y, caches_ref)["dW1"])
    assert np.array_equal(X_ro, X)


# --- models and predict ------------------------------------------------------------------------

COST_LINE = re.compile(r"^Cost after iteration (\d+): (\S+)$")


def parse(text):
    return [(int(m.group(1)), float(m.group(2)))
            for m in map(COST_LINE.match, text.splitlines()) if m]


def toy_data():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((6, 60))
    Y = (X[0:1] * X[1:2] + 0.3 * X[2:3] > 0).astype(np.int64)
    return X, Y


@pytest.mark.parametrize("model, dims", [("two_layer_model", (6, 5, 1)),
                                         ("L_layer_model", [6, 5, 3, 1])])
@pytest.mark.parametrize("print_cost", [False, True])
def test_models_record_and_print_like_the_course(model, dims, print_cost, capsys):
    X, Y = toy_data()
    result = getattr(course, model)(X, Y, dims, learning_rate=0.05, num_iterations=250,
                                    print_cost=print_cost)
    printed = parse(capsys.readouterr().out)
    ref_parameters, ref_costs = ref.L_layer_model(X, Y, dims, learning_rate=0.05,
                                                  num_iterations=250, print_cost=print_cost)
    ref_printed = parse(capsys.readouterr().out)
    # the last iteration prints even with print_cost=False (operator precedence in the course)
    expected_its = [0, 100, 200, 249] if print_cost else [249]
    assert [i for i, _ in printed] == [i for i, _ in ref_printed] == expected_its
    np.testing.assert_allclose([c for _, c in printed], [c for _, c in ref_printed], rtol=RTOL)
    assert type(result) is tuple and len(result) == 2
    parameters, costs = result
    assert type(costs) is list and len(costs) == 3
    assert all(type(c) is np.ndarray and c.shape == () for c in costs)
    np.testing.assert_allclose(np.array(costs, float), np.array(ref_costs, float), rtol=RTOL)
    same_tree(parameters, ref_parameters, "parameters")  # rtol 1e-10 after 250 iterations


def test_models_seed_the_global_rng_like_the_course():
    X, Y = toy_data()
    course.L_layer_model(X, Y, [6, 3, 1], num_iterations=1)
    after = _next_draw()
    ref.L_layer_model(X, Y, [6, 3, 1], num_iterations=1)
    assert after == _next_draw()


def test_predict_prints_the_course_accuracy(data, capsys):
    X, Y, parameters = data
    p = course.predict(X, Y, parameters)
    out = capsys.readouterr().out
    AL, _ = ref.L_model_forward(X, parameters)
    expected = np.where(AL > 0.5, 1.0, 0.0)
    assert type(p) is np.ndarray and p.dtype == np.float64 and p.shape == (1, M)
    assert np.array_equal(p, expected)
    assert out == "Accuracy: " + str(np.sum((expected == Y) / M)) + "\n"
    course.predict(X, Y.ravel().tolist(), parameters)  # y may be a list
    assert capsys.readouterr().out == out


def test_load_data_names_the_missing_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"datasets.*train_catvnoncat\.h5"):
        course.load_data()
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        course.load_data(tmp_path / "elsewhere")


# --- week 3 ------------------------------------------------------------------------------------

def test_load_planar_dataset_is_the_course_flower():
    from fastbackprop.datasets import planar_flower
    X, Y = planar.load_planar_dataset()
    after = _next_draw()
    np.random.seed(1)
    np.random.randn(4 * 200)  # the course draws 2 × (200 angles + 200 radii)
    assert after == _next_draw()
    assert X.shape == (2, 400) and X.dtype == np.float64 and Y.shape == (1, 400)
    assert Y.dtype == np.uint8
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    X2, Y2 = planar_flower()
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)


def test_planar_functions_match_the_course():
    X, Y = planar.load_planar_dataset()
    assert planar.layer_sizes(X, Y) == (2, 4, 1)
    np.random.seed(2)
    parameters = planar.initialize_parameters(2, 4, 1)
    np.random.seed(2)
    assert np.array_equal(parameters["W1"], np.random.randn(4, 2) * 0.01)
    assert np.array_equal(parameters["W2"], np.random.randn(1, 4) * 0.01)
    parameters = {k: v * 300 for k, v in parameters.items()}  # away from the linear regime
    parameters["b1"] = np.arange(4.0).reshape(4, 1) / 10
    A2, cache = planar.forward_propagation(X, parameters)
    A2_ref, cache_ref = ref.planar_forward_propagation(X, parameters)
    close(A2, A2_ref, "A2")
    same_tree(cache, cache_ref, "cache")
    cost = planar.compute_cost(A2, Y)
    assert type(cost) is float
    assert cost == pytest.approx(ref.planar_compute_cost(A2_ref, Y), rel=RTOL)
    for labels in (Y, Y.astype(bool)):  # week-3 tests may pass boolean labels
        grads = planar.backward_propagation(parameters, cache, X, labels)
        same_tree(grads, ref.planar_backward_propagation(parameters, cache_ref, X, Y), "grads")
    before = {k: v.copy() for k, v in parameters.items()}
    new = planar.update_parameters(parameters, grads)
    same_tree(new, ref.planar_update_parameters(parameters, grads), "update")
    assert all(np.array_equal(parameters[k], before[k]) for k in parameters)
    prediction = planar.predict(parameters, X)
    assert prediction.dtype == np.bool_ and prediction.shape == (1, 400)
    assert np.array_equal(prediction, A2_ref > 0.5)


def test_nn_model_prints_and_trains_like_the_course(capsys):
    X, Y = planar.load_planar_dataset()
    parameters = planar.nn_model(X, Y, 4, num_iterations=2001, print_cost=True)
    out = capsys.readouterr().out
    ref_parameters = ref.planar_nn_model(X, Y, 4, num_iterations=2001, print_cost=True)
    assert out == capsys.readouterr().out  # "%f" lines at 0, 1000, 2000
    assert len(out.splitlines()) == 3
    assert list(parameters) == ["W1", "b1", "W2", "b2"]
    # tanh layers drift with summation order over thousands of iterations: a looser bound here
    for key in ref_parameters:
        np.testing.assert_allclose(parameters[key], ref_parameters[key], rtol=1e-7, atol=1e-9)
    planar.nn_model(X, Y, 4, num_iterations=50)
    assert capsys.readouterr().out == ""
