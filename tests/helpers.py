"""Assertions shared by the tests (importable: pytest puts tests/ on the path)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: normwise relative tolerance of native against numpy (DESIGN.md §4)
PARITY_RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


def _norm(x: Any) -> float:
    return float(np.linalg.norm(np.asarray(x, dtype=np.float64)))


def normwise_error(actual: Any, expected: Any) -> float:
    """‖actual − expected‖ / max(‖expected‖, tiny): DESIGN.md §4's parity measure."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    return _norm(actual - expected) / max(_norm(expected), 1e-300)


def assert_parity(
    actual: Any, expected: Any, dtype: Any, factor: float = 1.0, terms: Any = None
) -> None:
    """DESIGN.md §4's normwise bound. ``terms``: for a result that is a sum, the sum
    of its terms' absolute values. A sum's rounding error is bounded by the size of its
    terms, not of its result, so where they cancel (8 terms of size ~1 summing to 3e-3)
    the tolerance grows by ‖terms‖ / ‖expected‖."""
    tol = PARITY_RTOL[np.dtype(dtype)] * factor
    if terms is not None:
        tol *= max(1.0, _norm(terms) / max(_norm(expected), 1e-300))
    err = normwise_error(actual, expected)
    assert err <= tol, f"normwise relative error {err:.3e} > {tol:.1e}"
