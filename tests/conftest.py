"""Shared fixtures: both backends, both dtypes, tolerances of DESIGN.md §4."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import mlpcore as mc

BACKENDS = ("native", "numpy")
DTYPES = (np.float32, np.float64)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [line for line in str(mc.info()).splitlines()]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> Any:
    return np.dtype(request.param)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
