"""Splitting and scaling, enough for the bundled data and the CLI."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import as_array, check_fraction, check_seed
from ..errors import ValidationError

__all__ = ["Standardizer", "train_test_split"]


def train_test_split(
    X: object, y: object, *, test_size: float = 0.25, seed: int = 0
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """A seeded random split into ``(X_train, X_test, y_train, y_test)``.

    ``n_test = round(test_size · n)`` rows (at least one on each side) chosen by
    ``numpy.random.default_rng(seed).permutation(n)``.

    Parameters
    ----------
    X : array_like (n_samples, n_features)
    y : array_like (n_samples,) or (n_samples, n_outputs)
    test_size : float
        The fraction of samples held out, in (0, 1).
    seed : int

    Returns
    -------
    X_train : ndarray (n_samples − n_test, n_features)
    X_test : ndarray (n_test, n_features)
    y_train, y_test : ndarray
        The matching rows of ``y``.
    """
    X_ = as_array(X, "X", 2)
    y_ = as_array(y, "y", (1, 2))
    if len(y_) != len(X_):
        raise ValidationError(f"y: expected {len(X_)} rows like X, got {len(y_)}")
    fraction = check_fraction(test_size, "test_size")
    if fraction == 0:
        raise ValidationError(
            f"test_size: expected a number in (0, 1), got {test_size!r}"
        )
    n = len(X_)
    n_test = min(max(round(fraction * n), 1), n - 1)
    order = np.random.default_rng(check_seed(seed)).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X_[train], X_[test], y_[train], y_[test]


class Standardizer:
    """Scale features to zero mean and unit variance, with statistics from ``fit``:
    ``x' = (x − μ) / σ`` per feature.

    Constant features (zero variance) are centred and left unscaled (σ taken as 1).

    Attributes
    ----------
    mean_ : ndarray (n_features,)
        μ, the per-feature mean of the data given to :meth:`fit`.
    scale_ : ndarray (n_features,)
        σ, the per-feature standard deviation (1 where it is 0).
    """

    def fit(self, X: object) -> Standardizer:
        """Learn ``μ`` and ``σ`` of ``X`` (n_samples, n_features); returns ``self``."""
        data = as_array(X, "X", 2).astype(np.float64)
        self.mean_ = data.mean(axis=0)
        scale = data.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, X: object) -> NDArray[np.float64]:
        """``(X − μ) / σ`` for ``X`` (n_samples, n_features), as float64."""
        data = as_array(X, "X", 2).astype(np.float64)
        scaled: NDArray[np.float64] = (data - self.mean_) / self.scale_
        return scaled

    def fit_transform(self, X: object) -> NDArray[np.float64]:
        """:meth:`fit` on ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)
