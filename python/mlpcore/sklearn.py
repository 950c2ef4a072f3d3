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

from typing import Any

import numpy as np
from numpy.typing import NDArray

try:
    from sklearn.base import ClassifierMixin, RegressorMixin
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "mlpcore.sklearn needs scikit-learn >= 1.6: pip install 'mlpcore[sklearn]'"
    ) from exc
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import unique_labels

from ._sklearn_base import ACTIVATION_ALIASES as ACTIVATION_ALIASES
from ._sklearn_base import _BaseMLP

__all__ = ["MLPClassifier", "MLPRegressor"]


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
        return self._predict_encoded(self._check_X(X))

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
