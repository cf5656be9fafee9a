"""fastbackprop.sklearn against scikit-learn: its estimator checks, and the same numbers as its own
MLPClassifier/MLPRegressor where both define them (same initialisation, same stopping rule, same
optimizer forms). Every feature test would fail if the feature were ignored."""
import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import neural_network as sk  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from fastbackprop.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# check_estimator's two estimators, as scikit-learn's own test suite configures its MLPs
# (sklearn/utils/_test_common/instance_generator.py: max_iter=100). No check is expected to fail.
EXPECTED_FAILED_CHECKS = {}


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_check_estimator(Estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = check_estimator(Estimator(max_iter=100), on_fail=None,
                                  expected_failed_checks=EXPECTED_FAILED_CHECKS)
    failed = [(r["check_name"], repr(r["exception"])[:300]) for r in results
              if r["status"] == "failed"]
    assert not failed
    assert sum(r["status"] == "passed" for r in results) > 50


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _both(params, X, y, fit=lambda est, X, y: est.fit(X, y)):
    out = []
    for Estimator in (MLPClassifier, sk.MLPClassifier) if y.dtype.kind != "f" else \
            (MLPRegressor, sk.MLPRegressor):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            out.append(fit(Estimator(**params), X, y))
    return out


def _same(ours, theirs, rtol=1e-6):
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        # Adam's ε sits on √s there, on √ŝ here: the weights agree to about 1e-6
        np.testing.assert_allclose(a, b, rtol=rtol * 100, atol=rtol * 10)


# Adam adds ε to √ŝ here and to √s there (its rate absorbs the bias correction): early steps of
# parameters with tiny gradients differ by ε/√s, which moves the loss curve by about 1e-5
ADAM_RTOL = 1e-4
SMALL = dict(hidden_layer_sizes=(16,), random_state=0, max_iter=60)


@pytest.mark.parametrize("params", [
    dict(solver="adam", alpha=0.01),
    dict(solver="sgd", learning_rate_init=0.1),                          # Nesterov
    dict(solver="sgd", learning_rate_init=0.1, nesterovs_momentum=False),
    dict(solver="sgd", learning_rate_init=0.3, learning_rate="invscaling", power_t=0.3),
    dict(solver="sgd", learning_rate_init=0.5, learning_rate="adaptive", tol=0.05,
         n_iter_no_change=2),
    dict(solver="adam", activation="logistic", tol=1e-2),  # stops on the training loss rule
])
def test_stochastic_solvers_give_scikit_learns_numbers(params):
    """Full batches (150 examples < 200): the same initial weights, steps and stopping epoch."""
    X, y = _iris()
    ours, theirs = _both(dict(SMALL, **params), X, y)
    _same(ours, theirs, rtol=ADAM_RTOL if params["solver"] == "adam" else 1e-6)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-6)


def test_lbfgs_gives_scikit_learns_numbers_and_weights_repeat_examples():
    X, y = _iris()
    w = np.random.default_rng(0).integers(1, 4, len(y))
    fit = lambda est, X, y: est.fit(X, y, sample_weight=w)  # noqa: E731
    ours, theirs = _both(dict(SMALL, solver="lbfgs", alpha=0.1), X, y, fit)
    assert ours.n_iter_ == theirs.n_iter_ and ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-4, atol=1e-6)
    repeat = np.repeat(np.arange(len(y)), w)
    repeated = MLPClassifier(**SMALL, solver="lbfgs", alpha=0.1).fit(X[repeat], y[repeat])
    np.testing.assert_allclose(ours.coefs_[0], repeated.coefs_[0], rtol=1e-4, atol=1e-6)
    unweighted = MLPClassifier(**SMALL, solver="lbfgs", alpha=0.1).fit(X, y)
    assert not np.allclose(ours.coefs_[0], unweighted.coefs_[0], atol=1e-3)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_weighted_minibatches_give_scikit_learns_numbers(solver):
    """Batches in order (shuffle=False, 4 batches of 40, the last of 30), weighted: each batch
    normalised by its weight sum, as scikit-learn's, step for step, with its L2 term."""
    X, y = _iris()
    w = np.random.default_rng(1).uniform(0.2, 3.0, len(y))
    fit = lambda est, X, y: est.fit(X, y, sample_weight=w)  # noqa: E731
    params = dict(SMALL, solver=solver, batch_size=40, shuffle=False, alpha=0.05, max_iter=20,
                  learning_rate_init=0.05 if solver == "sgd" else 0.001)  # Adam: see ADAM_RTOL
    ours, theirs = _both(params, X, y, fit)
    _same(ours, theirs, rtol=ADAM_RTOL if solver == "adam" else 1e-6)


def test_minibatch_sample_weight_and_class_weight_are_used():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    minority = np.flatnonzero(y == 0)[:20]  # an imbalanced set: 20 against 357
    keep = np.concatenate([minority, np.flatnonzero(y == 1)])
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=30, batch_size=64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(**params).fit(X, y)
        balanced = MLPClassifier(**params, class_weight="balanced").fit(X, y)
        weights = np.where(y == 0, len(y) / (2 * 20), len(y) / (2 * (len(y) - 20)))
        by_sample = MLPClassifier(**params).fit(X, y, sample_weight=weights)
        by_dict = MLPClassifier(**params, class_weight={0: weights[0], 1: weights[-1]}).fit(X,
                                                                                          y)
    recall = lambda est: np.mean(est.predict(X[y == 0]) == 0)  # noqa: E731
    assert recall(balanced) > recall(plain)
    for other in (by_sample, by_dict):
        np.testing.assert_allclose(other.coefs_[0], balanced.coefs_[0], rtol=1e-12)
    assert not np.allclose(plain.coefs_[0], balanced.coefs_[0], atol=1e-3)


def test_early_stopping_gives_scikit_learns_split_scores_and_best_weights():
    """Binary targets: scikit-learn stratifies these too, so the splits are the same."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:300]
    y = y[:300]
    params = dict(hidden_layer_sizes=(16,), random_state=0, max_iter=300, early_stopping=True,
                  learning_rate_init=0.01, batch_size=300, validation_fraction=0.2)
    ours, theirs = _both(params, X, y)
    assert ours.n_iter_ < 300
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    assert ours.best_validation_score_ == theirs.best_validation_score_
    assert ours.best_loss_ is None and theirs.best_loss_ is None
    _same(ours, theirs, rtol=ADAM_RTOL)  # the weights of the best epoch, restored


def test_partial_fit_and_warm_start_continue_as_scikit_learns_do():
    X, y = _iris()
    params = dict(SMALL, solver="sgd", learning_rate_init=0.1, learning_rate="invscaling")

    def partial(est, X, y):
        for _ in range(4):
            est.partial_fit(X, y, classes=np.unique(y))
        return est
    ours, theirs = _both(params, X, y, partial)
    _same(ours, theirs)
    assert ours.n_iter_ == 1 and len(ours.loss_curve_) == 4  # n_iter_: the last call's epochs

    def warm(est, X, y):
        est.set_params(max_iter=5, warm_start=True)
        return est.fit(X, y).fit(X, y)
    ours, theirs = _both(dict(SMALL, solver="adam"), X, y, warm)
    _same(ours, theirs, rtol=ADAM_RTOL)
    assert len(ours.loss_curve_) == 10
    cold = MLPClassifier(**dict(SMALL, max_iter=5)).fit(X, y).fit(X, y)
    assert len(cold.loss_curve_) == 5
    assert not np.allclose(cold.coefs_[0], ours.coefs_[0], atol=1e-4)


def test_targets_of_every_kind():
    X, y = _iris()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier(**SMALL, solver="lbfgs").fit(X, names)
    assert clf.out_activation_ == "softmax" and list(clf.classes_) == list(names[[0, 50, 100]])
    assert clf.predict(X).dtype == names.dtype and clf.score(X, names) > 0.95
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(P))
    multilabel = np.stack([y == 0, y == 2], axis=1).astype(int)
    ours, theirs = _both(dict(SMALL, max_iter=20), X, multilabel)
    assert ours.out_activation_ == "logistic" and ours.predict(X).shape == (150, 2)
    _same(ours, theirs, rtol=ADAM_RTOL)
    targets = np.stack([X[:, 0] * 2 + X[:, 1], X[:, 2] ** 2], axis=1)
    ours, theirs = _both(dict(SMALL, solver="lbfgs", max_iter=50), X, targets)
    assert ours.predict(X).shape == (150, 2) and ours.score(X, targets) > 0.9
    assert ours.score(X, targets) == pytest.approx(theirs.score(X, targets), abs=0.02)


def test_float32_stays_float32():
    X, y = _iris()
    clf = MLPClassifier(**SMALL).fit(X.astype(np.float32), y)
    assert clf.coefs_[0].dtype == np.float32 and clf.predict_proba(X).dtype == np.float32
    assert MLPClassifier(**SMALL, dtype="float32").fit(X, y).coefs_[0].dtype == np.float32


@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_pipeline_clone_pickle_and_grid_search_in_two_processes():
    X, y = _iris()
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**dict(SMALL, solver="lbfgs")))
    grid = {"mlpclassifier__alpha": [1e-4, 1.0], "mlpclassifier__hidden_layer_sizes": [(4,),
                                                                                       (8,)]}
    serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    parallel = GridSearchCV(clone(pipe), grid, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(serial.cv_results_["mean_test_score"],
                                  parallel.cv_results_["mean_test_score"])
    assert serial.best_params_ == parallel.best_params_
    best = pickle.loads(pickle.dumps(serial.best_estimator_))
    np.testing.assert_array_equal(best.predict_proba(X), serial.predict_proba(X))


def test_bad_parameters_are_named():
    X, y = _iris()
    with pytest.raises(ValueError, match="'solver' parameter"):
        MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(AttributeError):
        MLPRegressor(solver="lbfgs").partial_fit
    clf = MLPClassifier(**SMALL).fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    with pytest.raises(ValueError, match="same classes"):
        clf.set_params(warm_start=True).fit(X[y < 2], y[y < 2])
    for a, b in zip(before, clf.coefs_):
        np.testing.assert_array_equal(a, b)


def test_parameter_names_are_each_classs_own_and_set_params_is_validated_again():
    """The constructor's parameter names are read once per class (a cache): each estimator, and
    a subclass with a parameter of its own, still gets its own names, and a parameter changed
    by set_params after a fit is validated at the next fit."""
    import inspect

    class Wider(MLPClassifier):
        def __init__(self, width=3, **kwargs):
            super().__init__(**kwargs)
            self.width = width

    for Estimator in (MLPClassifier, MLPRegressor):
        expected = sorted(p for p in inspect.signature(Estimator.__init__).parameters
                          if p != "self")
        assert Estimator()._get_param_names() == expected
        assert sorted(Estimator().get_params()) == expected
    assert "width" not in MLPClassifier().get_params()
    X, y = _iris()
    clf = MLPClassifier(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        clf.set_params(alpha=-1.0).fit(X, y)
    assert Wider._get_param_names() == ["width"]  # scikit-learn's rule: named ones only
