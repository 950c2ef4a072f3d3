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

threadpoolctl is optional: without it (or with a version lacking ``register``)
this module does nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register"]

_registered = False


def _controller_class() -> type[Any] | None:
    try:
        import threadpoolctl
    except ImportError:
        return None
    base = getattr(threadpoolctl, "LibController", None)
    if base is None or not hasattr(threadpoolctl, "register"):
        return None

    class MlpcoreController(base):  # type: ignore[misc, valid-type]
        """threadpoolctl controller of the native GEMM thread pool."""

        user_api = "mlpcore"
        internal_api = "mlpcore"
        filename_prefixes = ("_core",)
        check_symbols = ("mlpcore_get_num_threads", "mlpcore_set_num_threads")

        def get_num_threads(self) -> int:
            function = getattr(self.dynlib, "mlpcore_get_num_threads", None)
            return 1 if function is None else int(function())

        def set_num_threads(self, num_threads: int) -> None:
            function = getattr(self.dynlib, "mlpcore_set_num_threads", None)
            if function is not None:
                function(int(num_threads))

        def get_version(self) -> str | None:
            from . import _core

            return str(_core.__version__)

    return MlpcoreController


def register() -> None:
    """Register the mlpcore controller with threadpoolctl, once, if it is installed."""
    global _registered
    if _registered:
        return
    controller = _controller_class()
    if controller is not None:
        import threadpoolctl

        threadpoolctl.register(controller)
    _registered = True
