"""fastbackprop.baseline's output heads, L2, dropout, momentum and Adam, checked on their own:
central differences, hand-computed steps, the hash against a pure-Python copy of its spec, and the
default path against the code it replaced. NumPy only, float64, small shapes."""
import math

import numpy as np
import pytest

from fastbackprop import baseline

DIMS = [3, 5, 4, 3]
M = 7
EPS = 1e-6
OUTPUTS = ["sigmoid", "softmax", "identity"]


def _parameters(rng, dims=DIMS, scale=0.5):
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.normal(0, scale, (dims[l], dims[l - 1]))
        parameters[f"b{l}"] = rng.normal(0, 0.1, (dims[l], 1))
    return parameters


def _one_hot(labels, C):
    Y = np.zeros((C, labels.size))
    Y[labels, np.arange(labels.size)] = 1
    return Y


def _targets(rng, output, C=DIMS[-1], m=M):
    if output == "sigmoid":
        return (rng.random((C, m)) > 0.5).astype(np.float64)
    if output == "softmax":
        return _one_hot(rng.integers(0, C, m), C)
    return rng.normal(0, 1, (C, m))


def _data(seed, output, dims=DIMS, m=M):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 1, (dims[0], m))
    return X, _targets(rng, output, dims[-1], m), _parameters(rng, dims)


# -- the dropout hash ----------------------------------------------------------------------------

_MASK64 = 2**64 - 1
_G = 0x9E3779B97F4A7C15


def _mix_int(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _keep_int(seed, step, layer, unit, example, keep_prob):
    """The spec, in Python integers (exact, wrapping by masking): an independent copy."""
    layer_key = _mix_int(_mix_int(_mix_int((seed + _G) & _MASK64) ^ ((step + _G) & _MASK64))
                         ^ ((layer + _G) & _MASK64))
    unit_key = _mix_int(layer_key ^ ((unit + _G) & _MASK64))
    u = _mix_int(unit_key ^ ((example + _G) & _MASK64))
    return (u >> 11) < math.floor(keep_prob * 2**53)


@pytest.mark.parametrize("seed, step, layer, keep_prob", [
    (0, 0, 1, 0.5), (1, 0, 1, 0.8), (0, 1, 2, 0.8), (12345, 678, 3, 0.3),
    (2**63 - 1, 2**63 - 1, 7, 0.9), (2**40 + 3, 2**62, 1, 1e-3)])
def test_dropout_mask_follows_the_spec_exactly(seed, step, layer, keep_prob):
    n, m = 6, 9
    with np.errstate(all="raise"):  # wrapping uint64 arithmetic must not warn
        D = baseline.dropout_mask(seed, step, layer, n, m, keep_prob)
    assert D.dtype == bool and D.shape == (n, m)
    expected = [[_keep_int(seed, step, layer, i, j, keep_prob) for j in range(m)]
                for i in range(n)]
    np.testing.assert_array_equal(D, expected)
    # numpy integers are keys too, and the mask is a pure function of them
    np.testing.assert_array_equal(
        baseline.dropout_mask(np.int64(seed % 2**62), np.uint64(step), np.int32(layer), n, m,
                              keep_prob),
        baseline.dropout_mask(seed % 2**62, step, layer, n, m, keep_prob))


@pytest.mark.parametrize("keep_prob", [0.1, 0.5, 0.8, 0.95])
def test_dropout_keeps_a_keep_prob_fraction(keep_prob):
    n, m = 200, 500
    D = baseline.dropout_mask(3, 11, 2, n, m, keep_prob)
    sigma = math.sqrt(keep_prob * (1 - keep_prob) / (n * m))
    assert abs(D.mean() - keep_prob) < 5 * sigma
    # every unit and every example alike: no row or column far off the binomial's spread
    for fractions, count in ((D.mean(axis=1), m), (D.mean(axis=0), n)):
        spread = math.sqrt(keep_prob * (1 - keep_prob) / count)
        assert np.all(np.abs(fractions - keep_prob) < 6 * spread)


def test_keep_prob_one_keeps_everything():
    assert baseline.dropout_mask(5, 7, 1, 30, 40, 1.0).all()


def test_dropout_masks_differ_across_seed_step_layer():
    n, m, p = 100, 300, 0.5
    reference = baseline.dropout_mask(1, 2, 3, n, m, p)
    others = [baseline.dropout_mask(0, 2, 3, n, m, p), baseline.dropout_mask(1, 3, 3, n, m, p),
              baseline.dropout_mask(1, 2, 4, n, m, p), baseline.dropout_mask(2, 1, 3, n, m, p),
              baseline.dropout_mask(1, 3, 2, n, m, p)]
    for D in others:
        # independent masks agree on a fraction p² + (1 - p)² of the entries
        agreement = np.mean(D == reference)
        assert abs(agreement - 0.5) < 5 * math.sqrt(0.25 / (n * m))
    # and the units of one mask (rows) differ from each other
    assert len({row.tobytes() for row in reference}) == n


@pytest.mark.parametrize("kwargs", [dict(keep_prob=0.0), dict(keep_prob=1.5),
                                    dict(keep_prob=float("nan")), dict(seed=-1),
                                    dict(step=2**63), dict(layer=0)])
def test_dropout_mask_refuses_bad_arguments(kwargs):
    arguments = dict(seed=0, step=0, layer=1, n=2, m=3, keep_prob=0.5) | kwargs
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        baseline.dropout_mask(**arguments)


# -- forward, heads and costs --------------------------------------------------------------------

def test_softmax_columns_are_distributions_and_its_cost_is_minus_mean_log_p():
    X, Y, parameters = _data(0, "softmax")
    AL, caches = baseline.L_model_forward(X, parameters, "tanh", "softmax")
    assert np.all(AL > 0)
    np.testing.assert_allclose(AL.sum(axis=0), 1, rtol=1e-15)
    labels = Y.argmax(axis=0)
    expected = -np.mean(np.log(AL[labels, np.arange(M)]))
    assert baseline.compute_cost(caches[-1][1], Y, "softmax") == pytest.approx(expected,
                                                                               rel=1e-12)
    assert baseline.predict_proba(X, parameters, "tanh", "softmax") == pytest.approx(AL)


def test_softmax_is_stable_at_saturated_logits():
    ZL = np.array([[1000.0, -1000.0, 0.0], [0.0, 1000.0, -800.0], [-1000.0, 999.0, 800.0]])
    Y = _one_hot(np.array([1, 2, 2]), 3)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        A = baseline.softmax(ZL)
        cost = baseline.compute_cost(ZL, Y, "softmax")
    np.testing.assert_allclose(A.sum(axis=0), 1, rtol=1e-15)
    # column 0: log p_1 = -1000; column 1: log p_2 = -1 - log(1 + e^-1) (to e^-2000);
    # column 2: log p_2 = -log(1 + e^-800 + e^-1600) = 0 in float64
    expected = (1000 + 1 + math.log1p(math.exp(-1)) + 0) / 3
    assert cost == pytest.approx(expected, rel=1e-15)
    np.testing.assert_allclose(baseline.log_softmax(np.array([[3.0], [1.0]])),
                               np.log(baseline.softmax(np.array([[3.0], [1.0]]))), rtol=1e-15)


def test_identity_and_sigmoid_costs():
    rng = np.random.default_rng(1)
    ZL, Y = rng.normal(0, 3, (3, M)), rng.normal(0, 1, (3, M))
    assert baseline.compute_cost(ZL, Y, "identity") == pytest.approx(
        np.sum((ZL - Y) ** 2) / (2 * M), rel=1e-15)
    Y01 = (Y > 0).astype(float)
    A = baseline.sigmoid(ZL)
    bce = -np.sum(Y01 * np.log(A) + (1 - Y01) * np.log(1 - A)) / M
    assert baseline.compute_cost(ZL, Y01, "sigmoid") == pytest.approx(bce, rel=1e-12)
    # the positional, old-style call is the sigmoid head
    assert baseline.compute_cost(ZL, Y01) == baseline.compute_cost(ZL, Y01, "sigmoid")


@pytest.mark.parametrize("output", OUTPUTS)
def test_l2_cost_adds_lambda_over_2m_times_the_squared_weights(output):
    X, Y, parameters = _data(2, output)
    _, caches = baseline.L_model_forward(X, parameters, "relu", output)
    ZL = caches[-1][1]
    squares = sum(np.sum(parameters[f"W{l}"] ** 2) for l in range(1, len(DIMS)))
    assert baseline.compute_cost_with_regularization(ZL, Y, parameters, 0.7, output) == \
        pytest.approx(baseline.compute_cost(ZL, Y, output) + 0.7 / (2 * M) * squares, rel=1e-15)
    assert baseline.compute_cost_with_regularization(ZL, Y, parameters, 0.0, output) == \
        baseline.compute_cost(ZL, Y, output)


def test_dropout_forward_scales_the_kept_hidden_units_and_never_the_output():
    X, Y, parameters = _data(3, "sigmoid")
    keep_prob = 0.6
    AL, caches = baseline.L_model_forward(X, parameters, "relu", "sigmoid", keep_prob, seed=4,
                                          step=9)
    for l in range(1, len(DIMS) - 1):
        _, Z, D = caches[l - 1]
        np.testing.assert_array_equal(D, baseline.dropout_mask(4, 9, l, DIMS[l], M, keep_prob))
        A_l = caches[l][0][0]  # what layer l + 1 saw
        np.testing.assert_array_equal(A_l, np.maximum(0, Z) * D / keep_prob)
    assert caches[-1][2] is None
    np.testing.assert_array_equal(AL, baseline.sigmoid(caches[-1][1]))
    # inference never drops
    np.testing.assert_array_equal(baseline.predict_proba(X, parameters, "relu"),
                                  baseline.L_model_forward(X, parameters, "relu")[0])


def test_names_are_validated():
    X, Y, parameters = _data(0, "sigmoid")
    with pytest.raises(ValueError, match="output"):
        baseline.L_model_forward(X, parameters, "relu", "tanh")
    with pytest.raises(ValueError, match="output"):
        baseline.compute_cost(Y, Y, "softmx")
    with pytest.raises(ValueError, match="output"):
        baseline.train(X, Y, parameters, num_iterations=1, output="relu")
    with pytest.raises(ValueError, match="optimizer"):
        baseline.train(X, Y, parameters, num_iterations=1, optimizer="sgd")
    with pytest.raises(ValueError, match="optimizer"):
        baseline.train_minibatch(X, Y, parameters, num_epochs=1, optimizer="Adam")
    with pytest.raises(ValueError, match="keep_prob"):
        baseline.train(X, Y, parameters, num_iterations=1, keep_prob=0)
    with pytest.raises(ValueError, match="lambd"):
        baseline.train(X, Y, parameters, num_iterations=1, lambd=-1)
    # backward with a keep_prob its caches were not made with
    AL, caches = baseline.L_model_forward(X, parameters, "relu")
    with pytest.raises(ValueError, match="keep_prob"):
        baseline.L_model_backward(AL, Y, caches, "relu", keep_prob=0.5)


# -- gradients against central differences -------------------------------------------------------

def _cost(X, Y, parameters, activation, output, lambd, keep_prob, seed, step):
    _, caches = baseline.L_model_forward(X, parameters, activation, output, keep_prob, seed, step)
    return baseline.compute_cost_with_regularization(caches[-1][1], Y, parameters, lambd, output)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("keep_prob", [1.0, 0.6])
@pytest.mark.parametrize("lambd", [0.0, 0.7])
@pytest.mark.parametrize("output", OUTPUTS)
def test_gradients_match_central_differences(output, lambd, keep_prob, activation):
    """At a fixed (seed, step) the masks are fixed, so the cost is a smooth function of the
    parameters (away from ReLU's kink) and its gradient is L_model_backward's."""
    X, Y, parameters = _data(10, output)
    seed, step = 5, 3
    AL, caches = baseline.L_model_forward(X, parameters, activation, output, keep_prob, seed,
                                          step)
    if activation == "relu":  # a central difference across the kink would be meaningless
        assert min(np.abs(cache[1]).min() for cache in caches[:-1]) > 10 * EPS
    if keep_prob < 1:  # the masks do drop something
        assert not all(cache[2].all() for cache in caches[:-1])
    grads = baseline.L_model_backward(AL, Y, caches, activation, output, lambd, keep_prob,
                                      parameters)
    for key, value in parameters.items():
        numeric = np.empty_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + EPS
            plus = _cost(X, Y, parameters, activation, output, lambd, keep_prob, seed, step)
            value[index] = saved - EPS
            minus = _cost(X, Y, parameters, activation, output, lambd, keep_prob, seed, step)
            value[index] = saved
            numeric[index] = (plus - minus) / (2 * EPS)
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-6, atol=1e-9,
                                   err_msg=key)


def test_l2_gradient_uses_the_given_parameters_or_the_caches():
    X, Y, parameters = _data(11, "identity")
    AL, caches = baseline.L_model_forward(X, parameters, "tanh", "identity")
    plain = baseline.L_model_backward(AL, Y, caches, "tanh", "identity")
    with_l2 = baseline.L_model_backward(AL, Y, caches, "tanh", "identity", lambd=0.7)
    given = baseline.L_model_backward(AL, Y, caches, "tanh", "identity", 0.7, 1.0, parameters)
    for l in range(1, len(DIMS)):
        np.testing.assert_array_equal(with_l2[f"dW{l}"], given[f"dW{l}"])
        np.testing.assert_allclose(with_l2[f"dW{l}"] - plain[f"dW{l}"],
                                   0.7 / M * parameters[f"W{l}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(with_l2[f"db{l}"], plain[f"db{l}"])  # biases are not


# -- optimizers, one parameter at a time ---------------------------------------------------------

def _one_weight_net(w, b):
    """[1, 1] with the identity head: Z = w x + b, J = Σ (Z - y)² / (2m)."""
    return {"W1": np.array([[w]]), "b1": np.array([[b]])}


def _grad_by_hand(w, b, x, y):
    r = [w * xi + b - yi for xi, yi in zip(x, y)]
    return sum(ri * xi for ri, xi in zip(r, x)) / len(x), sum(r) / len(x)


def test_momentum_step_by_hand():
    grads = {"dW1": np.array([[0.3]]), "db1": np.array([[-2.0]])}
    v = {"dW1": np.array([[0.1]]), "db1": np.array([[0.0]])}
    parameters, v_new = baseline.update_parameters_with_momentum(_one_weight_net(1.0, 0.5), grads,
                                                                 v, 0.9, 0.1)
    assert v_new["dW1"][0, 0] == pytest.approx(0.9 * 0.1 + 0.1 * 0.3, rel=1e-15)
    assert v_new["db1"][0, 0] == pytest.approx(0.1 * -2.0, rel=1e-15)
    assert parameters["W1"][0, 0] == pytest.approx(1.0 - 0.1 * 0.12, rel=1e-15)
    assert parameters["b1"][0, 0] == pytest.approx(0.5 + 0.1 * 0.2, rel=1e-15)
    assert v["dW1"][0, 0] == 0.1  # the inputs are left alone


def test_adam_step_by_hand():
    g, theta, lr = 0.3, 1.0, 0.1
    grads = {"dW1": np.array([[g]]), "db1": np.array([[0.0]])}
    v, s = baseline.initialize_adam(_one_weight_net(theta, 0.0))
    # t = 1 from zeros: v̂ = g and ŝ = g², so the step is α g / (|g| + ε)
    parameters, v1, s1 = baseline.update_parameters_with_adam(_one_weight_net(theta, 0.0), grads,
                                                              v, s, 1, lr)
    assert parameters["W1"][0, 0] == pytest.approx(theta - lr * g / (g + 1e-8), rel=1e-15)
    assert parameters["b1"][0, 0] == 0.0
    # a later step, t = 3, from given moments
    v = {"dW1": np.array([[0.05]]), "db1": np.array([[0.0]])}
    s = {"dW1": np.array([[0.002]]), "db1": np.array([[0.0]])}
    parameters, v3, s3 = baseline.update_parameters_with_adam(_one_weight_net(theta, 0.0), grads,
                                                              v, s, 3, lr, 0.8, 0.99, 1e-6)
    v_t = 0.8 * 0.05 + 0.2 * g
    s_t = 0.99 * 0.002 + 0.01 * g * g
    step = lr * (v_t / (1 - 0.8**3)) / (math.sqrt(s_t / (1 - 0.99**3)) + 1e-6)
    assert v3["dW1"][0, 0] == pytest.approx(v_t, rel=1e-15)
    assert s3["dW1"][0, 0] == pytest.approx(s_t, rel=1e-15)
    assert parameters["W1"][0, 0] == pytest.approx(theta - step, rel=1e-14)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_training_steps_by_hand(optimizer):
    """train on a one-weight net: three steps continuing from step0 = 4, against a hand loop."""
    x, y = [0.5, -1.0, 2.0], [1.0, 0.0, 2.5]
    lr, beta, beta1, beta2, epsilon, step0 = 0.05, 0.8, 0.7, 0.95, 1e-7, 4
    w, b = 0.3, -0.2
    vw = vb = sw = sb = 0.0
    for t in range(step0 + 1, step0 + 4):
        gw, gb = _grad_by_hand(w, b, x, y)
        if optimizer == "momentum":
            vw, vb = beta * vw + (1 - beta) * gw, beta * vb + (1 - beta) * gb
            w, b = w - lr * vw, b - lr * vb
        else:
            vw, vb = beta1 * vw + (1 - beta1) * gw, beta1 * vb + (1 - beta1) * gb
            sw, sb = beta2 * sw + (1 - beta2) * gw**2, beta2 * sb + (1 - beta2) * gb**2
            w -= lr * (vw / (1 - beta1**t)) / (math.sqrt(sw / (1 - beta2**t)) + epsilon)
            b -= lr * (vb / (1 - beta1**t)) / (math.sqrt(sb / (1 - beta2**t)) + epsilon)
    parameters, _, state = baseline.train(
        np.array([x]), np.array([y]), _one_weight_net(0.3, -0.2), "identity", lr, 3, 0,
        output="identity", optimizer=optimizer, beta=beta, beta1=beta1, beta2=beta2,
        epsilon=epsilon, step0=step0, return_state=True)
    assert parameters["W1"][0, 0] == pytest.approx(w, rel=1e-13)
    assert parameters["b1"][0, 0] == pytest.approx(b, rel=1e-13)
    assert state["step"] == step0 + 3
    assert state["v"]["dW1"][0, 0] == pytest.approx(vw, rel=1e-13)
    assert ("s" in state) == (optimizer == "adam")


# -- the training loops --------------------------------------------------------------------------

def _old_train(X, Y, parameters, activation, learning_rate, num_iterations, record_every):
    """The baseline's train before heads, L2, dropout and optimizers, inlined."""
    L = len(parameters) // 2
    costs = []
    for i in range(num_iterations):
        parameters, cost = _old_step(X, Y, parameters, activation, learning_rate, L)
        if record_every and i % record_every == 0:
            costs.append((i, cost))
    return parameters, costs


def _old_step(X, Y, parameters, activation, learning_rate, L):
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = np.dot(W, A) + b
        caches.append(((A, W, b), Z))
        A = baseline.activation_forward(Z, activation) if l < L else baseline.sigmoid(Z)
    m = Y.shape[1]
    ZL = caches[-1][1]
    cost = float(np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))) / m)
    grads = {}
    dZ = A - Y.reshape(A.shape)
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l < L:
            dZ = baseline.activation_backward(grads[f"dA{l}"], Z, activation)
        m = A_prev.shape[1]
        grads[f"dW{l}"] = 1 / m * np.dot(dZ, A_prev.T)
        grads[f"db{l}"] = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        grads[f"dA{l - 1}"] = np.dot(W.T, dZ)
    parameters = {key: value.copy() for key, value in parameters.items()}
    for l in range(1, L + 1):
        parameters[f"W{l}"] -= learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] -= learning_rate * grads[f"db{l}"]
    return parameters, cost


def _old_train_minibatch(X, Y, parameters, activation, learning_rate, num_epochs, batch_size,
                         permutation, record_every):
    L = len(parameters) // 2
    m = X.shape[1]
    costs = []
    for epoch in range(num_epochs):
        order = np.arange(m) if permutation is None else permutation(epoch)
        X_shuffled, Y_shuffled = X[:, order], Y[:, order]
        cost_total = 0.0
        for start in range(0, m, batch_size):
            Y_batch = Y_shuffled[:, start:start + batch_size]
            parameters, cost = _old_step(X_shuffled[:, start:start + batch_size], Y_batch,
                                         parameters, activation, learning_rate, L)
            cost_total += cost * Y_batch.shape[1]
        if record_every and epoch % record_every == 0:
            costs.append((epoch, cost_total / m))
    return parameters, costs


def _assert_same_bits(actual, expected):
    assert actual.keys() == expected.keys()
    for key in expected:
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)
        assert actual[key].dtype == expected[key].dtype


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_defaults_train_as_before_bit_for_bit(activation, dtype):
    rng = np.random.default_rng(20)
    dims = [4, 6, 3, 1]
    X = rng.normal(0, 1, (4, 23)).astype(dtype)
    Y = (rng.random((1, 23)) > 0.5).astype(dtype)
    start = {key: value.astype(dtype) for key, value in _parameters(rng, dims).items()}
    expected, expected_costs = _old_train(X, Y, start, activation, 0.1, 25, 3)
    parameters, costs = baseline.train(X, Y, start, activation, 0.1, 25, 3)
    _assert_same_bits(parameters, expected)
    assert costs == expected_costs
    # the defaults spelled out, and with the state returned
    parameters, costs, state = baseline.train(
        X, Y, start, activation, 0.1, 25, 3, output="sigmoid", optimizer="gd", lambd=0.0,
        keep_prob=1.0, seed=0, step0=0, state=None, return_state=True)
    _assert_same_bits(parameters, expected)
    assert costs == expected_costs and state == {"step": 25}

    permutations = [rng.permutation(23) for _ in range(4)]
    expected, expected_costs = _old_train_minibatch(X, Y, start, activation, 0.1, 4, 5,
                                                    permutations.__getitem__, 1)
    parameters, costs = baseline.train_minibatch(X, Y, start, activation, 0.1, 4, 5,
                                                 permutations.__getitem__, 1)
    _assert_same_bits(parameters, expected)
    assert costs == expected_costs
    _, _, state = baseline.train_minibatch(X, Y, start, activation, 0.1, 4, 5,
                                           permutations.__getitem__, 1, return_state=True)
    assert state == {"step": 4 * 5}


def test_recorded_cost_is_the_dropped_out_regularised_cost_before_the_update():
    X, Y, start = _data(30, "softmax")
    options = dict(output="softmax", optimizer="adam", lambd=0.7, keep_prob=0.6, seed=8)
    _, costs = baseline.train(X, Y, start, "relu", 0.05, 2, 1, step0=3, **options)
    after_one, _ = baseline.train(X, Y, start, "relu", 0.05, 1, 0, step0=3, **options)
    for (i, cost), parameters in zip(costs, [start, after_one]):
        assert cost == _cost(X, Y, parameters, "relu", "softmax", 0.7, 0.6, 8, 3 + i)
    # one batch per epoch: the epoch's cost is that batch's
    _, costs = baseline.train_minibatch(X, Y, start, "relu", 0.05, 1, M, record_every=1,
                                        step0=3, **options)
    assert costs[0][1] == pytest.approx(_cost(X, Y, start, "relu", "softmax", 0.7, 0.6, 8, 3),
                                        rel=1e-15)


def test_minibatch_epoch_cost_weighs_batches_by_size_and_steps_count_batches():
    X, Y, start = _data(31, "identity")
    options = dict(output="identity", optimizer="momentum", lambd=0.7, keep_prob=0.6, seed=2)
    parameters, total, state = start, 0.0, None
    for k, (lo, hi) in enumerate([(0, 3), (3, 6), (6, 7)]):  # batches of 3, 3 and 1
        total += _cost(X[:, lo:hi], Y[:, lo:hi], parameters, "tanh", "identity", 0.7, 0.6, 2,
                       10 + k) * (hi - lo)
        parameters, _, state = baseline.train(X[:, lo:hi], Y[:, lo:hi], parameters, "tanh", 0.1,
                                              1, 0, step0=10 + k, state=state, return_state=True,
                                              **options)
    result, costs, end = baseline.train_minibatch(X, Y, start, "tanh", 0.1, 1, 3, record_every=1,
                                                  step0=10, return_state=True, **options)
    assert costs[0][1] == pytest.approx(total / M, rel=1e-14)
    assert end["step"] == 13
    _assert_same_bits(result, parameters)


@pytest.mark.parametrize("output", OUTPUTS)
def test_continuing_in_two_calls_equals_one_call(output):
    """adam + dropout + L2 + minibatches: the step counter and the moments carry over exactly."""
    X, Y, start = _data(40, output, m=11)
    rng = np.random.default_rng(41)
    permutations = [rng.permutation(11) for _ in range(5)]
    options = dict(output=output, optimizer="adam", lambd=0.3, keep_prob=0.7, seed=9,
                   return_state=True)
    whole, costs, state = baseline.train_minibatch(X, Y, start, "relu", 0.01, 5, 4,
                                                   permutations.__getitem__, 1, **options)
    first, costs1, middle = baseline.train_minibatch(X, Y, start, "relu", 0.01, 2, 4,
                                                     permutations.__getitem__, 1, **options)
    assert middle["step"] == 2 * 3
    second, costs2, end = baseline.train_minibatch(
        X, Y, first, "relu", 0.01, 3, 4, lambda epoch: permutations[epoch + 2], 1,
        step0=middle["step"], state=middle, **options)
    _assert_same_bits(second, whole)
    assert [c for _, c in costs1 + costs2] == [c for _, c in costs]
    assert end["step"] == state["step"] == 5 * 3
    _assert_same_bits(end["v"], state["v"])
    _assert_same_bits(end["s"], state["s"])

    # full batch, momentum: the same
    options["optimizer"] = "momentum"
    whole, costs, _ = baseline.train(X, Y, start, "tanh", 0.1, 6, 1, **options)
    first, costs1, middle = baseline.train(X, Y, start, "tanh", 0.1, 2, 1, **options)
    second, costs2, _ = baseline.train(X, Y, first, "tanh", 0.1, 4, 1, step0=middle["step"],
                                       state=middle, **options)
    _assert_same_bits(second, whole)
    assert [c for _, c in costs1 + costs2] == [c for _, c in costs]


def test_state_passed_in_is_not_modified():
    X, Y, start = _data(50, "sigmoid")
    _, _, state = baseline.train(X, Y, start, "relu", 0.1, 2, 0, optimizer="adam",
                                 return_state=True)
    saved = {key: {k: a.copy() for k, a in state[key].items()} for key in ("v", "s")}
    saved_start = {key: value.copy() for key, value in start.items()}
    baseline.train(X, Y, start, "relu", 0.1, 2, 0, optimizer="adam", step0=2, state=state)
    for key in ("v", "s"):
        _assert_same_bits(state[key], saved[key])
    _assert_same_bits(start, saved_start)
    assert state["step"] == 2


@pytest.mark.parametrize("output", OUTPUTS)
def test_every_head_and_optimizer_learns(output):
    """A sanity check of the whole: the cost falls."""
    X, Y, start = _data(60, output, m=40)
    for optimizer, lr in (("gd", 0.3), ("momentum", 0.3), ("adam", 0.01)):
        _, costs = baseline.train(X, Y, start, "tanh", lr, 200, 199, output=output,
                                  optimizer=optimizer, lambd=0.01)
        assert costs[1][1] < 0.9 * costs[0][1], optimizer
