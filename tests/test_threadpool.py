"""threadpoolctl sees and limits mlpcore's native pool (through its C entry points)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import threadpoolctl

import mlpcore as mc
from mlpcore._blas import blas_threads_capped

# imported before any test records BLAS counts: scikit-learn loads SciPy, whose
# own OpenBLAS then shows among the BLAS libraries too
from mlpcore.sklearn import MLPClassifier


def _mlpcore_entries() -> list[dict[str, object]]:
    return [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "mlpcore"]


def test_pool_is_listed_with_its_thread_count() -> None:
    (entry,) = _mlpcore_entries()
    assert entry["internal_api"] == "mlpcore"
    assert entry["num_threads"] == mc.get_num_threads()
    assert entry["version"] == mc.__version__
    assert str(entry["filepath"]).endswith(tuple([".so", ".pyd", ".dylib"]))


def test_threadpool_limits_limits_and_restores() -> None:
    before = mc.get_num_threads()
    mc.set_num_threads(2)
    try:
        with threadpoolctl.threadpool_limits(1):
            assert mc.get_num_threads() == 1
            assert _mlpcore_entries()[0]["num_threads"] == 1
        assert mc.get_num_threads() == 2
        with threadpoolctl.threadpool_limits(1, user_api="mlpcore"):
            assert mc.get_num_threads() == 1
        with threadpoolctl.threadpool_limits(1, user_api="blas"):
            assert mc.get_num_threads() == 2  # other libraries' limits leave it alone
    finally:
        mc.set_num_threads(before)


def test_results_do_not_depend_on_the_limit() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((300, 200)), rng.standard_normal((200, 250))
    kernels = mc.get_backend("native")
    full = kernels.gemm(a, b)
    with threadpoolctl.threadpool_limits(1):
        one = kernels.gemm(a, b)
    np.testing.assert_array_equal(one, full)
    assert np.linalg.norm(full - a @ b) <= 1e-12 * np.linalg.norm(a @ b)


# -- the numpy backend's fit caps the BLAS threads --------------------------------------


def _blas_threads() -> list[int]:
    return [
        int(i["num_threads"])
        for i in threadpoolctl.threadpool_info()
        if i["user_api"] == "blas"
    ]


def _needs_blas() -> None:
    if not _blas_threads():
        pytest.skip("NumPy's BLAS is not visible to threadpoolctl")


class _Probe(mc.SGD):
    """SGD that notes the BLAS thread counts at every step (and can fail on one)."""

    def __init__(self, fail_at: int = 0) -> None:
        super().__init__(lr=0.05)
        self.seen: list[list[int]] = []
        self.fail_at = fail_at

    def apply(self, net: mc.Network, grads: Any) -> None:
        self.seen.append(_blas_threads())
        if len(self.seen) == self.fail_at:
            raise KeyboardInterrupt
        super().apply(net, grads)


def _fit(backend: str, optimizer: mc.Optimizer) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    net = mc.Network(
        [mc.Dense(4, 8, "tanh"), mc.Dense(8, 2, "softmax")],
        loss="cross_entropy",
        backend=backend,
        seed=0,
    )
    net.fit(X, y, epochs=2, batch_size=16, optimizer=optimizer)


@pytest.fixture
def two_threads() -> Iterator[list[int]]:
    """mlpcore at 2 threads, BLAS at up to 2 (fewer on a 1-core machine): the counts
    every BLAS library has before a fit."""
    before = mc.get_num_threads()
    mc.set_num_threads(2)
    try:
        with threadpoolctl.threadpool_limits(2, user_api="blas"):
            yield _blas_threads()
    finally:
        mc.set_num_threads(before)


def test_numpy_fit_caps_blas_at_get_num_threads(two_threads: list[int]) -> None:
    _needs_blas()
    mc.set_num_threads(1)
    probe = _Probe()
    _fit("numpy", probe)
    assert len(probe.seen) == 8  # 2 epochs x 4 steps
    assert all(counts == [1] * len(two_threads) for counts in probe.seen)
    assert _blas_threads() == two_threads
    assert mc.get_num_threads() == 1


def test_blas_counts_come_back_after_an_interrupt(two_threads: list[int]) -> None:
    _needs_blas()
    mc.set_num_threads(1)
    probe = _Probe(fail_at=3)
    with pytest.raises(KeyboardInterrupt):
        _fit("numpy", probe)
    assert probe.seen[-1] == [1] * len(two_threads)
    assert _blas_threads() == two_threads


def test_the_cap_never_raises_blas_threads(two_threads: list[int]) -> None:
    _needs_blas()
    probe = _Probe()
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert mc.get_num_threads() == 2
        _fit("numpy", probe)
        assert _blas_threads() == [1] * len(two_threads)
    assert all(counts == [1] * len(two_threads) for counts in probe.seen)


def test_native_fit_leaves_blas_alone(two_threads: list[int]) -> None:
    _needs_blas()
    mc.set_num_threads(1)
    probe = _Probe()  # a subclass: the Python step runs and calls apply
    _fit("native", probe)
    assert probe.seen == [two_threads] * 8


def test_overlapping_caps_restore_at_the_last_exit(two_threads: list[int]) -> None:
    _needs_blas()
    first, second = blas_threads_capped(1), blas_threads_capped(1)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the other fit still runs: keep the cap
    assert _blas_threads() == [1] * len(two_threads)
    second.__exit__(None, None, None)
    assert _blas_threads() == two_threads


def test_numpy_estimator_fit_caps_blas_too(two_threads: list[int]) -> None:
    _needs_blas()
    seen: list[list[int]] = []

    class Probe(MLPClassifier):
        def _step(self, xb: Any, tb: Any) -> float:
            seen.append(_blas_threads())
            return float(super()._step(xb, tb))

    mc.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    Probe((4,), backend="numpy", batch_size=20, max_iter=2, random_state=0).partial_fit(
        X, y, classes=[0, 1]
    )
    assert seen == [[1] * len(two_threads)] * 3
    assert _blas_threads() == two_threads
