# mypy: disallow-subclassing-any=False
"""The fitting machinery shared by :mod:`mlpcore.sklearn`'s two estimators:
parameters and their constraints, network construction, the epoch loop with
scikit-learn's stopping rule and L2 term, pickling and the fitted attributes.
(scikit-learn ships no type information, hence the mypy setting above.)
"""

from __future__ import annotations

import itertools
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._blas import training_threads
from .io import from_bytes, optimizer_from_bytes, to_bytes
from .layers import Dense
from .network import Network
from .optim import SGD, Adam, Momentum, Optimizer

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
#: scikit-learn's ``out_activation_`` name of each mlpcore output activation
_SKLEARN_OUTPUT = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity"}


class _BaseMLP(BaseEstimator, metaclass=ABCMeta):
    """Shared fitting machinery; see :class:`mlpcore.sklearn.MLPClassifier` for the
    parameters."""

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
        layers.append(Dense(sizes[-1], n_out, out_activation))
        self.network_ = Network(
            layers, loss=loss, dtype=self.dtype, backend=self.backend, seed=None
        )
        # scikit-learn's Glorot-uniform initialisation (factor 2 for sigmoid units)
        rng = np.random.default_rng(seed)
        for layer in self.network_.layers:
            factor = 2.0 if layer.activation == "sigmoid" else 6.0
            bound = np.sqrt(factor / (layer.n_in + layer.n_out))
            layer.W = rng.uniform(-bound, bound, (layer.n_in, layer.n_out))
            layer.b = rng.uniform(-bound, bound, layer.n_out)
        self.out_activation_ = _SKLEARN_OUTPUT[out_activation]
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
        # on the numpy backend, BLAS runs at most get_num_threads() threads meanwhile
        with training_threads(net.backend.name):
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
                if not incremental:
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

    def _check_X(self, X: Any) -> NDArray[Any]:
        """``X`` validated against the fitted estimator, in the network's dtype."""
        check_is_fitted(self, "network_")
        checked: NDArray[Any] = validate_data(
            self, X, reset=False, dtype=(np.float64, np.float32)
        )
        return checked.astype(self.dtype, copy=False)

    def _forward(self, X: Any) -> NDArray[Any]:
        X = self._check_X(X)  # first: it raises NotFittedError before network_
        return self.network_.forward(X)

    # -- persistence and export ---------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Pickle by value: the network and the optimizer's state as the checkpoint
        bytes ``save(path, optimizer=...)`` writes (:func:`mlpcore.io.to_bytes`)."""
        state = dict(super().__getstate__())
        optimizer = state.pop("_optimizer", None)
        if optimizer is not None:
            net = state.pop("network_")
            state["_checkpoint"] = (
                to_bytes(net, optimizer=optimizer),
                net.backend.name,
            )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        checkpoint = state.pop("_checkpoint", None)
        super().__setstate__(state)
        if checkpoint is not None:
            data, backend = checkpoint
            self.network_ = from_bytes(data, backend=backend, source="pickle")
            self._optimizer = optimizer_from_bytes(data, self.network_, source="pickle")

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
