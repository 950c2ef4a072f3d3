"""scikit-learn estimators: sklearn's own checks, its MLP as the oracle, and the
meta-estimators (Pipeline, GridSearchCV in processes, cross_val_score)."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn import neural_network
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlpcore.sklearn import MLPClassifier, MLPRegressor

# short max_iter runs in these tests stop before sklearn's convergence criterion
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks(
    [
        MLPClassifier(max_iter=100, random_state=0),
        MLPRegressor(max_iter=100, random_state=0),
    ]
)
def test_sklearn_check_estimator(estimator: Any, check: Callable[[Any], None]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _one_sgd_step_against_sklearn(
    ours: Any, theirs: Any, X: np.ndarray, y: np.ndarray, **partial: Any
) -> None:
    """Initialise sklearn's estimator, copy its weights into ours, take one more
    full-batch SGD step on both: the weights must agree (sklearn is the oracle)."""
    theirs.partial_fit(X, y, **partial)
    ours.partial_fit(X, y, **partial)
    for layer, W, b in zip(ours.network_.layers, theirs.coefs_, theirs.intercepts_):
        layer.W, layer.b = W.copy(), b.copy()  # copies: Dense keeps usable arrays
    theirs.partial_fit(X, y)
    ours.partial_fit(X, y)
    for W, W_ref in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    ):
        np.testing.assert_allclose(W, W_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_[-1], theirs.loss_curve_[-1], rtol=1e-10)


SGD_STEP = {
    "solver": "sgd",
    "momentum": 0.0,
    "learning_rate_init": 0.1,
    "shuffle": False,
    "batch_size": 50,
    "alpha": 0.3,
}


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_step_and_l2_match_sklearn(activation: str, n_classes: int) -> None:
    X, y = make_classification(
        50, 6, n_informative=4, n_classes=n_classes, random_state=0
    )
    params = {**SGD_STEP, "hidden_layer_sizes": (5, 4), "activation": activation}
    _one_sgd_step_against_sklearn(
        MLPClassifier(**params),
        neural_network.MLPClassifier(**params),
        X,
        y,
        classes=np.unique(y),
    )


@pytest.mark.parametrize("n_targets", [1, 3])
def test_regressor_step_and_l2_match_sklearn(n_targets: int) -> None:
    X, y = make_regression(50, 6, n_targets=n_targets, random_state=0)
    params = {**SGD_STEP, "hidden_layer_sizes": (5,), "learning_rate_init": 1e-4}
    _one_sgd_step_against_sklearn(
        MLPRegressor(**params), neural_network.MLPRegressor(**params), X, y / 100
    )


def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_digits_accuracy_like_sklearn(dtype: str) -> None:
    # sklearn's own MLPClassifier scores 0.971-0.982 here (random_state 0-2)
    X_train, X_test, y_train, y_test = _digits()
    clf = MLPClassifier(hidden_layer_sizes=(64,), random_state=0, dtype=dtype)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.96
    assert clf.n_iter_ < 200 and clf.loss_curve_[-1] < 0.02
    assert clf.network_.dtype == np.dtype(dtype)


def test_string_labels_and_probabilities() -> None:
    X, y = make_classification(120, 5, n_informative=3, n_classes=3, random_state=1)
    names = np.array(["cat", "dog", "emu"])[y]
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=400, random_state=0)
    clf.fit(X, names)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, names) > 0.8  # chance: 1/3
    binary = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    binary.fit(X, np.where(y == 0, "yes", "no"))
    p = binary.predict_proba(X)
    assert p.shape == (120, 2)
    np.testing.assert_allclose(p[:, 1], binary.network_.forward(X)[:, 0])


def test_partial_fit_needs_classes_and_continues() -> None:
    X, y = make_classification(80, 4, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2


def test_warm_start_continues_from_the_fitted_weights() -> None:
    X, y = make_regression(60, 4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(max_iter=5, warm_start=True, random_state=0).fit(X, y)
        W = reg.coefs_[0].copy()
        reg.fit(X, y)
    assert reg.n_iter_ == 10
    assert not np.array_equal(W, reg.coefs_[0])
    fresh = MLPRegressor(max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fresh.fit(X, y)
    np.testing.assert_array_equal(fresh.loss_curve_, reg.loss_curve_[:5])


def test_early_stopping_keeps_the_best_validation_weights() -> None:
    X_train, X_test, y_train, y_test = _digits()
    clf = MLPClassifier(
        hidden_layer_sizes=(32,),
        early_stopping=True,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X_train, y_train)
    assert clf.validation_scores_ is not None
    assert clf.n_iter_ == len(clf.validation_scores_) < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.score(X_test, y_test) > 0.85  # sklearn's own: 0.93 (seeds 0, 1)


@pytest.mark.parametrize(
    "solver",
    [
        {"solver": "adam"},
        {"solver": "sgd", "momentum": 0.9},
        {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False},
        {"solver": "sgd", "momentum": 0.0},
    ],
    ids=["adam", "nesterov", "momentum", "sgd"],
)
def test_pickle_round_trip_continues_training_identically(
    solver: dict[str, Any],
) -> None:
    X, y = make_classification(100, 5, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, **solver)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    assert repr(clone._optimizer) == repr(clf._optimizer)
    assert clone._optimizer.steps == clf._optimizer.steps > 0
    for _ in range(2):  # the moments and the shuffling state travel too
        clf.partial_fit(X, y)
        clone.partial_fit(X, y)
    for a, b in zip(clone.coefs_ + clone.intercepts_, clf.coefs_ + clf.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert clone.loss_curve_ == clf.loss_curve_


def test_pipeline_grid_search_in_processes_equals_serial() -> None:
    X, y = make_classification(150, 6, n_informative=4, random_state=0)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=60, random_state=0))
    grid = {
        "mlpclassifier__hidden_layer_sizes": [(4,), (12,)],
        "mlpclassifier__alpha": [1e-4, 1.0],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(pipe, grid, cv=3).fit(X, y)
        parallel = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            parallel.cv_results_[key], serial.cv_results_[key]
        )
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_array_equal(parallel.predict_proba(X), serial.predict_proba(X))


def test_cross_val_score_regressor() -> None:
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    reg = make_pipeline(
        StandardScaler(),
        MLPRegressor(
            hidden_layer_sizes=(32,),
            learning_rate_init=0.01,
            max_iter=500,
            random_state=0,
        ),
    )
    scores = cross_val_score(reg, X, y / y.std(), cv=3)
    assert scores.min() > 0.9  # R²


def test_bad_parameters_raise_sklearn_errors() -> None:
    X, y = make_classification(20, 3, n_informative=2, n_redundant=0, random_state=0)
    with pytest.raises(ValueError, match="solver"):
        MLPClassifier(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
