"""Assertions shared by the tests (importable: pytest puts tests/ on the path)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: normwise relative tolerance of native against numpy (DESIGN.md §4)
PARITY_RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


def normwise_error(actual: Any, expected: Any) -> float:
    """‖actual − expected‖ / max(‖expected‖, tiny): DESIGN.md §4's parity measure."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = max(float(np.linalg.norm(expected)), 1e-300)
    return float(np.linalg.norm(actual - expected)) / scale


def assert_parity(actual: Any, expected: Any, dtype: Any, factor: float = 1.0) -> None:
    tol = PARITY_RTOL[np.dtype(dtype)] * factor
    err = normwise_error(actual, expected)
    assert err <= tol, f"normwise relative error {err:.3e} > {tol:.1e}"
