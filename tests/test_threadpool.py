"""threadpoolctl sees and limits mlpcore's native pool (through its C entry points)."""

from __future__ import annotations

import numpy as np
import threadpoolctl

import mlpcore as mc


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
