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

    ``test_size`` is the fraction of samples held out, in (0, 1); at least one
    sample lands on each side.
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
    """Scale features to zero mean and unit variance, with statistics from ``fit``.

    Constant features (zero variance) are centred and left unscaled.
    """

    def fit(self, X: object) -> Standardizer:
        data = as_array(X, "X", 2).astype(np.float64)
        self.mean_ = data.mean(axis=0)
        scale = data.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, X: object) -> NDArray[np.float64]:
        data = as_array(X, "X", 2).astype(np.float64)
        return (data - self.mean_) / self.scale_

    def fit_transform(self, X: object) -> NDArray[np.float64]:
        return self.fit(X).transform(X)
