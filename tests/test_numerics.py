"""Numerics: saturated outputs stay finite and exact without a warning; float32 stays float32 (and
float64 input to a float32 model is converted once); same seed and inputs give the same bits."""
import warnings

import numpy as np
import pytest

import fastbackprop._trainers as trainers_module  # the trainers call the kernels
from fastbackprop import Model, baseline

from conftest import ACTIVATIONS, DTYPES, classification_data


class _strict:
    """Every floating-point warning is an error, from NumPy or from Python's warnings."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("error")
        self._errstate = np.errstate(all="raise")
        self._errstate.__enter__()

    def __exit__(self, *exc):
        self._errstate.__exit__(*exc)
        self._warnings.__exit__(*exc)


def _identity_net(dtype):
    """[1, 1, 1] identity net with W = 1, b = 0: the output logit is x itself."""
    return Model.from_parameters({"W1": np.ones((1, 1)), "b1": np.zeros((1, 1)),
                                  "W2": np.ones((1, 1)), "b2": np.zeros((1, 1))},
                                 hidden_activation="identity", dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_saturated_logits_are_finite_exact_and_silent(dtype):
    X = np.array([[800.0, -800.0, 799.0, -799.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    model = _identity_net(dtype)
    with _strict():
        proba = model.predict_proba(X)
        cost = model.cost(X, Y)
        model.fit(X, Y, learning_rate=1e-3, num_iterations=1, record_every=1)
    # sigmoid(±800) is exactly 1 / 0 in both dtypes; the two wrong answers cost 800 each
    np.testing.assert_array_equal(proba, np.array([[1.0, 0.0, 1.0, 0.0]], dtype))
    assert cost == pytest.approx(400.0, rel=1e-12)
    assert model.costs == [(0, cost)]
    # exact gradients: dZ2 = A - Y = [1, -1, 0, 0], so dW2 = dW1 = (800 + 800) / 4 = 400, db = 0
    expected = np.array([1 - 1e-3 * 400, 0, 1 - 1e-3 * 400, 0], dtype)
    np.testing.assert_allclose(model._theta, expected, rtol=1e-6 if dtype == "float32" else 1e-15)
    assert model._theta[1] == 0 and model._theta[3] == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_cost_over_the_whole_logit_range_matches_a_stable_reference(dtype):
    z = np.linspace(-800, 800, 321)
    X = np.concatenate([z, z])[None, :]
    Y = np.concatenate([np.zeros_like(z), np.ones_like(z)])[None, :]
    model = _identity_net(dtype)
    with _strict():
        cost = model.cost(X, Y)
        proba = model.predict_proba(X)
    x = X.astype(dtype).astype(np.float64)
    reference = np.mean(np.logaddexp(0, x) - x * Y)  # softplus(z) - z·y, stable in NumPy
    assert cost == pytest.approx(reference, rel=1e-12)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    sigmoid = np.exp(-np.logaddexp(0, -x))  # exp(-softplus(-x)), stable in NumPy
    np.testing.assert_allclose(proba, sigmoid, rtol=1e-6 if dtype == "float32" else 1e-13,
                               atol=np.finfo(dtype).tiny)  # below it: subnormals, few bits


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_saturated_hidden_layers_train_without_warnings(activation, dtype, rng):
    """Inputs in the thousands saturate every hidden unit: training stays finite and silent."""
    X = rng.standard_normal((4, 30)) * 3000
    Y = (rng.random((1, 30)) > 0.5).astype(float)
    model = Model([4, 6, 1], activation, dtype=dtype, seed=0)
    with _strict():
        model.fit(X, Y, learning_rate=1e-6, num_iterations=20, record_every=5)
        proba = model.predict_proba(X)
        cost = model.cost(X, Y)
    assert np.all(np.isfinite(model._theta)) and np.all(np.isfinite(proba))
    assert np.isfinite(cost) and all(np.isfinite(c) for _, c in model.costs)


def test_saturated_gradients_agree_with_the_baseline_formula():
    """Large logits through a real net: our gradient = the baseline's dZ_L = A_L - Y route."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 12)) * 200
    Y = (rng.random((1, 12)) > 0.5).astype(float)
    model = Model([3, 5, 1], "relu", seed=1)
    start = model.parameters
    with _strict():
        model.fit(X, Y, learning_rate=1e-4, num_iterations=3, record_every=1)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        parameters, _ = baseline.train(X, Y, start, "relu", 1e-4, 3, record_every=1)
    for key, value in parameters.items():
        np.testing.assert_allclose(model.parameters[key], value, rtol=1e-10,
                                   atol=1e-10 * np.max(np.abs(value)), err_msg=key)


# -- float32 end to end; float64 input converted once ------------------------------------------

class _Spy:
    """kernels.network, recording the arrays every call of its trainers (train_steps*) gets."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __getattr__(self, name):
        kernel = getattr(self.real, name)
        if not name.startswith("train_steps"):
            return kernel

        def spy(theta, dims, X, Y, *rest):
            self.calls.append((X, Y, theta))
            return kernel(theta, dims, X, Y, *rest)
        return spy


@pytest.mark.parametrize("given", ["float64", "float64 fortran", "int64", "float32 readonly"])
def test_float32_model_converts_input_once_and_stays_float32(given, rng, monkeypatch):
    X, Y = classification_data(rng, 3, 40)
    if given == "float64 fortran":
        X = np.asfortranarray(X)
    elif given == "int64":
        X = np.rint(X * 3).astype(np.int64)
    elif given == "float32 readonly":
        X = X.astype(np.float32)
        X.flags.writeable = False
    spy = _Spy(trainers_module.network)
    monkeypatch.setattr(trainers_module, "network", spy)
    model = Model([3, 4, 1], "tanh", dtype="float32", seed=0)
    model.fit(X, Y, learning_rate=0.1, num_iterations=300, record_every=7)
    assert len(spy.calls) > 5  # many compiled chunks …
    first_X, first_Y, _ = spy.calls[0]
    for X_in, Y_in, theta in spy.calls:  # … all given the one converted copy
        assert X_in is first_X and Y_in is first_Y
        assert theta is model._theta
    for arr in (first_X, first_Y, model._theta):
        assert arr.dtype == np.float32 and arr.flags.c_contiguous and arr.flags.writeable
    assert first_X is not X
    np.testing.assert_array_equal(first_X, np.asarray(X).astype(np.float32))
    # everything the model hands back is float32 too
    assert model.predict_proba(X).dtype == np.float32
    assert model.predict(X).dtype == np.float32
    assert model._trainer.ws.acts.dtype == np.float32
    assert all(v.dtype == np.float32 for v in model.parameters.values())
    assert isinstance(model.cost(X, Y), float)


def test_model_format_input_is_passed_without_a_copy(rng, monkeypatch):
    X, Y = classification_data(rng, 3, 40)
    spy = _Spy(trainers_module.network)
    monkeypatch.setattr(trainers_module, "network", spy)
    Model([3, 4, 1], seed=0).fit(X, Y, num_iterations=20)
    assert spy.calls and all(X_in is X and Y_in is Y for X_in, Y_in, _ in spy.calls)


def test_compiled_signatures_never_mix_dtypes(rng):
    """After float32 and float64 models saw inputs of every kind, each compiled signature of the
    trainers (every ``train_steps*`` kernel: theta, dims, X, Y, …) has one dtype for theta, X
    and Y: no float64 data ever reached a float32 model's kernels."""
    import importlib
    import pkgutil

    import fastbackprop.kernels as K
    X, Y = classification_data(rng, 3, 10)
    for dtype in DTYPES:
        for Xv in (X, X.astype(np.float32), np.asfortranarray(X), X.astype(int)):
            Model([3, 2, 1], dtype=dtype, seed=0).fit(Xv, Y, num_iterations=2)
    trainers = [getattr(module, name) for module in
                (importlib.import_module(f"{K.__name__}.{info.name}")
                 for info in pkgutil.iter_modules(K.__path__))
                for name in dir(module) if name.startswith("train_steps")]
    seen = set()
    for trainer in trainers:
        for signature in trainer.signatures:
            dtypes = {str(signature[i].dtype) for i in (0, 2, 3)}
            assert len(dtypes) == 1, (trainer, signature)
            seen |= dtypes
    assert seen >= {"float32", "float64"}  # the trainers fit used were among those checked


# -- determinism -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_same_seed_and_inputs_give_identical_bits(dtype, rng):
    X, Y = classification_data(rng, 5, 60)

    def train(record_every):
        model = Model([5, 7, 4, 1], "leaky_relu", dtype=dtype, seed=11)
        model.fit(X, Y, learning_rate=0.05, num_iterations=120, record_every=record_every)
        return model

    a, b = train(10), train(10)
    np.testing.assert_array_equal(a._theta, b._theta)
    assert a.costs == b.costs
    # how the iterations are split into compiled chunks changes nothing
    for other in (train(1), train(0), train(7)):
        np.testing.assert_array_equal(other._theta, a._theta)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # and a different seed does give a different model (the comparison above means something)
    assert not np.array_equal(Model([5, 7, 4, 1], "leaky_relu", dtype=dtype, seed=12)._theta,
                              Model([5, 7, 4, 1], "leaky_relu", dtype=dtype, seed=11)._theta)


def test_predictions_do_not_depend_on_the_batch(rng):
    """predict_proba of a subset or a permutation of the columns = those columns of the full one
    (sklearn's check_methods_subset_invariance / sample_order_invariance, atol 1e-9)."""
    X, Y = classification_data(rng, 4, 50)
    model = Model([4, 6, 1], "tanh", seed=0).fit(X, Y, learning_rate=0.5, num_iterations=30)
    full = model.predict_proba(X)
    order = rng.permutation(50)
    np.testing.assert_allclose(model.predict_proba(X[:, order]), full[:, order], rtol=0,
                               atol=1e-12)
    for subset in (slice(0, 1), slice(3, 17), slice(10, 50, 3)):
        np.testing.assert_allclose(model.predict_proba(X[:, subset]), full[:, subset], rtol=0,
                                   atol=1e-12)
