"""Repeated calls leave the process's memory flat (no leak in the bindings)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

import mlpcore as mc

statm = Path("/proc/self/statm")
pytestmark = [
    pytest.mark.skipif(not statm.exists(), reason="needs /proc (Linux)"),
    # AddressSanitizer quarantines freed memory, so RSS grows by design there
    pytest.mark.skipif(bool(os.environ.get("MLPCORE_SANITIZED")), reason="under ASan"),
]


def _rss_bytes() -> int:
    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _growth(work: object, rounds: int) -> int:
    """RSS growth over the second half of ``rounds`` calls (the first half warms up)."""
    assert callable(work)
    for _ in range(rounds // 2):
        work()
    gc.collect()
    before = _rss_bytes()
    for _ in range(rounds // 2):
        work()
    gc.collect()
    return _rss_bytes() - before


@pytest.mark.parametrize("backend", ["native", "numpy"])
def test_forward_calls_do_not_leak(backend: str) -> None:
    net = mc.Network(
        [mc.Dense(64, 64, "relu"), mc.Dense(64, 10, "softmax")],
        loss="cross_entropy",
        backend=backend,
        seed=0,
    )
    x = np.random.default_rng(0).standard_normal((32, 64)).astype(np.float32)
    # 5,000 calls keep ~10 MB of outputs moving: a leak of one output per call shows
    assert _growth(lambda: net.forward(x), 10_000) < 2 * 2**20


def test_fits_do_not_leak() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((256, 16)), rng.integers(0, 3, size=256)

    def fit() -> None:
        net = mc.Network(
            [mc.Dense(16, 32, "tanh"), mc.Dense(32, 3, "softmax")],
            loss="cross_entropy",
            seed=0,
        )
        net.fit(X, y, epochs=1, batch_size=32, optimizer=mc.Adam(0.01))

    assert _growth(fit, 100) < 2 * 2**20
