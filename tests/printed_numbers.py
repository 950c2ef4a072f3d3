"""Find every number a text prints and match it against independently computed values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

# ASCII digits only: the superscript layer indices (¹, ²) are not numbers here
_NUMBER = re.compile(r"(?<![\w.])-?[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?(?![\w.])")


def printed_numbers(text: str) -> list[str]:
    """The numbers in ``text``, as printed."""
    return _NUMBER.findall(text)


def flatten(values: Iterable[Any]) -> np.ndarray:
    """Every float inside ``values`` (scalars and arrays of any shape)."""
    parts = [
        np.asarray(v, dtype=np.float64).ravel()
        for v in values
        if not isinstance(v, str) and v is not None
    ]
    return np.concatenate(parts) if parts else np.empty(0)


def unmatched(text: str, known: Iterable[Any]) -> list[str]:
    """The numbers ``text`` prints that equal none of ``known`` rounded as printed
    (within half a unit of the last digit shown)."""
    values = flatten(known)
    missing = []
    for token in printed_numbers(text):
        mantissa, _, exponent = token.partition("e")
        decimals = len(mantissa.partition(".")[2])
        half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        tolerance = half_unit * (1 + 1e-9) + 1e-12 * np.abs(values)
        if not (np.abs(values - float(token)) <= tolerance).any():
            missing.append(token)
    return missing
