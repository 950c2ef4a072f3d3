"""Make mlpcore's native thread pool visible to threadpoolctl.

threadpoolctl (≥ 3.5) walks the shared libraries loaded in the process and hands
each one whose file name matches a registered controller's prefix to that
controller. mlpcore's extension ``_core.<abi>.so`` exports two plain C functions,
``mlpcore_get_num_threads`` and ``mlpcore_set_num_threads`` (csrc/bindings/
register_runtime.cpp), which the controller calls through ctypes; other
libraries named ``_core`` lack them and are skipped. After :func:`register`,
``threadpoolctl.threadpool_info()`` lists mlpcore with ``user_api="mlpcore"`` and
``threadpool_limits(1)`` (or ``threadpool_limits(1, user_api="mlpcore")``)
limits its GEMM threads like BLAS and OpenMP threads.

threadpoolctl (≥ 3.5, a dependency) also caps the BLAS threads while the numpy
backend trains (:mod:`mlpcore._blas`).
"""

from __future__ import annotations

from typing import Any

import threadpoolctl

__all__ = ["register"]

_registered = False


class MlpcoreController(threadpoolctl.LibController):  # type: ignore[misc]
    """threadpoolctl controller of the native GEMM thread pool."""

    user_api = "mlpcore"
    internal_api = "mlpcore"
    filename_prefixes = ("_core",)
    check_symbols = ("mlpcore_get_num_threads", "mlpcore_set_num_threads")

    def get_num_threads(self) -> int:
        function: Any = getattr(self.dynlib, "mlpcore_get_num_threads", None)
        return 1 if function is None else int(function())

    def set_num_threads(self, num_threads: int) -> None:
        function: Any = getattr(self.dynlib, "mlpcore_set_num_threads", None)
        if function is not None:
            function(int(num_threads))

    def get_version(self) -> str | None:
        from . import _core

        return str(_core.__version__)


def register() -> None:
    """Register the mlpcore controller with threadpoolctl, once."""
    global _registered
    if not _registered:
        threadpoolctl.register(MlpcoreController)
        _registered = True
