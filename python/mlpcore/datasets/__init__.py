"""Datasets bundled with mlpcore, synthetic 2-D problems, and preprocessing."""

from __future__ import annotations

from .digits import load_digits
from .preprocessing import Standardizer, train_test_split
from .synthetic import make_moons, make_spiral, make_xor
from .tabular import load_table

__all__ = [
    "Standardizer",
    "load_digits",
    "load_table",
    "make_moons",
    "make_spiral",
    "make_xor",
    "train_test_split",
]
