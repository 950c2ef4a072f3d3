"""scikit-learn estimators on mlpcore: :class:`MLPClassifier` and :class:`MLPRegressor`.

They take scikit-learn's ``MLPClassifier``/``MLPRegressor`` parameters with the same
meaning, so existing code, ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``
work unchanged; the training runs on mlpcore's kernels (``backend="native"``, or
the NumPy reference with ``backend="numpy"``). Needs scikit-learn ≥ 1.6
(``pip install 'mlpcore[sklearn]'``).

The objective of one minibatch of ``n_b`` samples is scikit-learn's::

    C = L(ŷ, y) + (alpha / (2 n_b)) Σ_layers ‖W‖²          (biases not penalised)

with ``L`` the mean cross-entropy (softmax output for several classes, one sigmoid
output for two, sigmoid outputs for multi-label indicator targets) or, for
regression, ``(1 / n_b) Σ_samples ½ ‖ŷ − y‖²``. So the L2 term adds
``(alpha / n_b) · W`` to each weight gradient, exactly as in scikit-learn.
``loss_curve_`` records scikit-learn's loss values (for regression the squared
error is averaged over outputs too, as scikit-learn reports it).

Differences from scikit-learn: only the constant learning rate; Adam divides by
``√v̂ + ε`` (bias-corrected, as in the paper) where scikit-learn uses ``√v + ε``
with a corrected step size — the two differ only through ``ε``.
"""

from __future__ import annotations

import copy
import itertools
import warnings
import weakref
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

try:
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        RegressorMixin,
        is_classifier,
    )
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "mlpcore.sklearn needs scikit-learn >= 1.6: pip install 'mlpcore[sklearn]'"
    ) from exc
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .layers import Dense
from .network import Network
from .optim import SGD, Adam, Momentum, Optimizer

__all__ = ["MLPClassifier", "MLPRegressor"]

#: scikit-learn's activation names, and mlpcore's own, to mlpcore's
ACTIVATION_ALIASES = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "linear": "linear",
    "sigmoid": "sigmoid",
    "leaky_relu": "leaky_relu",
}


class _BaseMLP(BaseEstimator, metaclass=ABCMeta):
    """Shared fitting machinery; see :class:`MLPClassifier` for the parameters."""

    #: the weights of the best validation score so far (early stopping)
    _best_weights: list[tuple[NDArray[Any], NDArray[Any]]] | None = None

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 - sklearn's API
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATION_ALIASES))],
        "solver": [StrOptions({"sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "dtype": [StrOptions({"float32", "float64"})],
        "backend": [StrOptions({"native", "numpy"})],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate_init: float = 0.001,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        dtype: str = "float64",
        backend: str = "native",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
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
        self.dtype = dtype
        self.backend = backend

    # -- hooks the two estimators fill in ---------------------------------------

    @abstractmethod
    def _output_layer(self, n_out: int) -> tuple[str, str]:
        """(output activation, mlpcore loss) for ``n_out`` outputs."""

    @abstractmethod
    def _encode_targets(self, y: NDArray[Any], *, first: bool) -> NDArray[Any]:
        """``y`` as the network's training targets, shape (n_samples, n_out)."""

    @abstractmethod
    def _decode(self, targets: NDArray[Any]) -> NDArray[Any]:
        """Training targets back to ``y``'s form (labels for classifiers)."""

    @abstractmethod
    def _validation_score(self, X: NDArray[Any], y: NDArray[Any]) -> float:
        """The early-stopping score: accuracy or R²."""

    # -- fitting ----------------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            return [int(sizes)]
        out = [int(s) for s in sizes]
        if any(s < 1 for s in out):
            raise ValueError(
                f"hidden_layer_sizes: expected positive sizes, got {sizes!r}"
            )
        return out

    def _build(self, n_in: int, n_out: int, seed: int) -> None:
        activation = ACTIVATION_ALIASES[self.activation]
        sizes = [n_in, *self._hidden_sizes()]
        layers = [Dense(a, b, activation) for a, b in itertools.pairwise(sizes)]
        out_activation, loss = self._output_layer(n_out)
        # scikit-learn's Glorot-uniform initialisation (factor 2 for sigmoid units)
        layers.append(Dense(sizes[-1], n_out, out_activation))
        self.network_ = Network(
            layers, loss=loss, dtype=self.dtype, backend=self.backend, seed=None
        )
        rng = np.random.default_rng(seed)
        for layer in self.network_.layers:
            factor = 2.0 if layer.activation == "sigmoid" else 6.0
            bound = np.sqrt(factor / (layer.n_in + layer.n_out))
            layer.W = rng.uniform(-bound, bound, (layer.n_in, layer.n_out))
            layer.b = rng.uniform(-bound, bound, layer.n_out)
        self.out_activation_ = (
            "logistic"
            if out_activation == "sigmoid"
            else ("softmax" if out_activation == "softmax" else "identity")
        )
        self._optimizer = self._make_optimizer()
        self._rng = np.random.default_rng(seed + 1)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_: list[float] = []
        self.best_loss_: float | None = np.inf
        self._no_improvement_count = 0
        self._best_weights = None
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _make_optimizer(self) -> Optimizer:
        lr = float(self.learning_rate_init)
        if self.solver == "adam":
            return Adam(lr, self.beta_1, self.beta_2, self.epsilon)
        if self.momentum > 0:
            return Momentum(lr, min(self.momentum, 1 - 1e-12), self.nesterovs_momentum)
        return SGD(lr)

    def _fit(self, X: Any, y: Any, *, incremental: bool) -> _BaseMLP:
        first = not ((self.warm_start or incremental) and hasattr(self, "network_"))
        X, y = validate_data(
            self,
            X,
            y,
            reset=first,
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=not is_classifier(self),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        X = X.astype(self.dtype, copy=False)
        targets = self._encode_targets(y, first=first)
        if first:
            seed = int(check_random_state(self.random_state).randint(2**31 - 1))
            self._build(X.shape[1], targets.shape[1], seed)
        net = self.network_
        X_val = y_val = None
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            stratify = y if is_classifier(self) and y.ndim == 1 else None
            split_seed = int(self._rng.integers(2**31 - 1))
            X, X_val, targets, y_val = train_test_split(
                X,
                targets,
                test_size=self.validation_fraction,
                random_state=split_seed,
                stratify=stratify,
            )
            if is_classifier(self):
                y_val = self._decode(y_val)
        n = X.shape[0]
        batch = min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)
        epochs = 1 if incremental else self.max_iter
        for _ in range(epochs):
            order = self._rng.permutation(n) if self.shuffle else np.arange(n)
            loss_sum = 0.0
            for start in range(0, n, batch):
                rows = order[start : start + batch]
                loss_sum += self._step(X[rows], targets[rows]) * len(rows)
            self.n_iter_ += 1
            loss = loss_sum / n
            self.loss_curve_.append(loss)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
            if incremental:
                continue
            if self._converged(loss, X_val, y_val):
                break
        else:
            if not incremental and self.max_iter > 0:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        if early_stopping and self._best_weights is not None:
            for layer, (W, b) in zip(net.layers, self._best_weights):
                layer.W, layer.b = W, b
        return self

    def _step(self, xb: NDArray[Any], tb: NDArray[Any]) -> float:
        """One minibatch step; returns scikit-learn's regularised batch loss."""
        net = self.network_
        loss, grads, _ = net._backprop(xb, tb)
        if not np.isfinite(loss):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed."
            )
        n_b = xb.shape[0]
        if net.loss == "quadratic":
            # mlpcore's quadratic is a sum over samples; scikit-learn takes the mean
            for g in grads:
                g.W[...] /= n_b
                g.b[...] /= n_b
            loss /= n_b * net.n_out
        penalty = 0.0
        if self.alpha:
            for layer, g in zip(net.layers, grads):
                g.W[...] += (self.alpha / n_b) * layer.W
                penalty += float(np.dot(layer.W.ravel(), layer.W.ravel()))
        self._optimizer.apply(net, grads)
        self.t_ += n_b
        return float(loss + 0.5 * self.alpha * penalty / n_b)

    def _converged(
        self, loss: float, X_val: NDArray[Any] | None, y_val: NDArray[Any] | None
    ) -> bool:
        """scikit-learn's stopping rule: ``n_iter_no_change`` epochs without an
        improvement by more than ``tol`` of the training loss (or of the validation
        score, with early stopping)."""
        if X_val is not None and y_val is not None:
            score = self._validation_score(X_val, y_val)
            assert self.validation_scores_ is not None
            assert self.best_validation_score_ is not None
            self.validation_scores_.append(score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = [
                    (layer.W.copy(), layer.b.copy()) for layer in self.network_.layers
                ]
        else:
            assert self.best_loss_ is not None
            if loss > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, loss)
        if self._no_improvement_count > self.n_iter_no_change:
            self._no_improvement_count = 0
            return True
        return False

    def _forward(self, X: Any) -> NDArray[Any]:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.network_.forward(X.astype(self.dtype, copy=False))

    # -- persistence and export ---------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Pickle by value: the network through :meth:`Network.__getstate__` (the
        bytes ``save`` writes) and the optimizer's moments per layer index."""
        state = dict(super().__getstate__())
        optimizer = state.pop("_optimizer", None)
        if optimizer is not None:
            layers = self.network_.layers
            moments = [optimizer._state.get(layer) for layer in layers]
            shell: Optimizer = copy.copy(optimizer)
            shell._state = None  # type: ignore[assignment]
            state["_optimizer"] = (shell, moments)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        saved = state.pop("_optimizer", None)
        super().__setstate__(state)
        if saved is not None:
            optimizer, moments = saved
            optimizer._state = weakref.WeakKeyDictionary()
            for layer, moment in zip(self.network_.layers, moments):
                if moment is not None:
                    optimizer._state[layer] = moment
            self._optimizer = optimizer

    def to_onnx(self, path: Any, *, opset: int = 17) -> None:
        """Write the fitted network's forward pass (the scores, or
        ``predict_proba``'s positive-class column for binary problems) to ONNX."""
        check_is_fitted(self, "network_")
        self.network_.to_onnx(path, opset=opset)

    @property
    def coefs_(self) -> list[NDArray[Any]]:
        """The weight matrices, (n_in, n_out) each, as in scikit-learn."""
        check_is_fitted(self, "network_")
        return [layer.W for layer in self.network_.layers]

    @property
    def intercepts_(self) -> list[NDArray[Any]]:
        """The bias vectors, as in scikit-learn."""
        check_is_fitted(self, "network_")
        return [layer.b for layer in self.network_.layers]

    @property
    def n_layers_(self) -> int:
        """Layers including input and output, as scikit-learn counts them."""
        check_is_fitted(self, "network_")
        return len(self.network_.layers) + 1

    @property
    def n_outputs_(self) -> int:
        check_is_fitted(self, "network_")
        return self.network_.n_out


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier with scikit-learn's interface.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default (100,)
        Units of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu"}
        Hidden activation ("sigmoid"/"linear" are accepted as aliases).
    solver : {"adam", "sgd"}
        ``"sgd"`` uses ``momentum`` (Nesterov's form with ``nesterovs_momentum``).
    alpha : float
        L2 strength: adds ``(alpha / n_b) · W`` to each weight gradient of a
        minibatch of ``n_b`` samples (scikit-learn's definition, see module doc).
    batch_size : int or "auto"
        ``"auto"`` is ``min(200, n_samples)``.
    learning_rate_init, max_iter, shuffle, random_state, tol, verbose, warm_start,
    momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1,
    beta_2, epsilon, n_iter_no_change
        As in :class:`sklearn.neural_network.MLPClassifier`.
    dtype : {"float64", "float32"}
        Precision of the network.
    backend : {"native", "numpy"}
        Where the kernels run.

    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit`` (any type: integers, strings, ...).
    loss_curve_ : list of float
        The mean regularised loss of each epoch.
    n_iter_ : int
        Epochs run. ``n_features_in_``, ``network_`` (the :class:`Network`),
        ``coefs_``, ``intercepts_``, ``validation_scores_``, ``best_loss_`` too.
    """

    def _output_layer(self, n_out: int) -> tuple[str, str]:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax", "cross_entropy"
        return "sigmoid", "binary_cross_entropy"

    def _encode_targets(self, y: NDArray[Any], *, first: bool) -> NDArray[Any]:
        if first and not getattr(self, "_classes_fixed", False):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        elif not set(unique_labels(y)) <= set(self.classes_):
            raise ValueError(
                f"y: expected labels among {list(self.classes_)}, got "
                f"{sorted(set(unique_labels(y)) - set(self.classes_))}"
            )
        self._classes_fixed = False
        targets = self._label_binarizer.transform(y)
        return np.asarray(targets, dtype=self.dtype)

    def _decode(self, targets: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(self._label_binarizer.inverse_transform(targets))

    def _validation_score(self, X: NDArray[Any], y: NDArray[Any]) -> float:
        return float(accuracy_score(y, self._predict_encoded(X)))

    def _predict_encoded(self, X: NDArray[Any]) -> NDArray[Any]:
        scores = self.network_.forward(X)
        if self.out_activation_ == "logistic":
            return self._decode((scores > 0.5).astype(int))
        return self._decode(scores)

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,) or a
        label-indicator matrix (n_samples, n_classes) for multi-label problems."""
        self._validate_params()
        self._classes_fixed = False
        self._fit(X, y, incremental=False)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch over (X, y). The first call needs ``classes`` (all labels)."""
        if not hasattr(self, "network_"):
            self._validate_params()
            if classes is None:
                raise ValueError(
                    "classes: expected the list of all labels on the first call to "
                    "partial_fit, got None"
                )
            self._label_binarizer = LabelBinarizer().fit(np.asarray(classes))
            self.classes_ = self._label_binarizer.classes_
            self._classes_fixed = True
        elif classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes: expected {list(self.classes_)} as on the first call, "
                f"got {list(np.unique(classes))}"
            )
        self._fit(X, y, incremental=True)
        return self

    def predict(self, X: Any) -> NDArray[Any]:
        """Labels of the rows of ``X``: shape (n_samples,) (or an indicator matrix)."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self._predict_encoded(X.astype(self.dtype, copy=False))

    def predict_proba(self, X: Any) -> NDArray[Any]:
        """Class probabilities, (n_samples, n_classes), columns in ``classes_`` order."""
        scores = self._forward(X)
        if self.out_activation_ == "logistic" and scores.shape[1] == 1:
            return np.hstack([1 - scores, scores])
        return scores

    def predict_log_proba(self, X: Any) -> NDArray[Any]:
        """``log(predict_proba(X))``."""
        with np.errstate(divide="ignore"):
            log_proba: NDArray[Any] = np.log(self.predict_proba(X))
        return log_proba

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor with scikit-learn's interface.

    Identity output, squared error. The parameters and attributes are those of
    :class:`MLPClassifier` (without ``classes_``); ``y`` may be (n_samples,) or
    (n_samples, n_outputs).
    """

    def _output_layer(self, n_out: int) -> tuple[str, str]:
        return "linear", "quadratic"

    def _encode_targets(self, y: NDArray[Any], *, first: bool) -> NDArray[Any]:
        targets = np.asarray(y, dtype=self.dtype)
        return targets.reshape(len(targets), -1)

    def _decode(self, targets: NDArray[Any]) -> NDArray[Any]:
        return targets

    def _validation_score(self, X: NDArray[Any], y: NDArray[Any]) -> float:
        return float(r2_score(y, self.network_.forward(X)))

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train on ``X`` (n_samples, n_features) and targets ``y``."""
        self._validate_params()
        self._fit(X, y, incremental=False)
        return self

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """One epoch over (X, y), continuing from the current weights."""
        if not hasattr(self, "network_"):
            self._validate_params()
        self._fit(X, y, incremental=True)
        return self

    def predict(self, X: Any) -> NDArray[Any]:
        """Predictions, (n_samples,) for one output, else (n_samples, n_outputs)."""
        out = self._forward(X)
        return out[:, 0] if out.shape[1] == 1 else out
