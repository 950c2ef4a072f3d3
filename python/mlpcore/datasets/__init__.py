"""Datasets bundled with mlpcore, and the preprocessing the CLI uses."""

from __future__ import annotations

from .digits import load_digits
from .preprocessing import Standardizer, train_test_split

__all__ = ["Standardizer", "load_digits", "train_test_split"]
