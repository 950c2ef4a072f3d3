"""Backends: the same kernel functions with two bodies, ``native`` (C++) and
``numpy`` (the reference twin)."""

from __future__ import annotations

from ._checked import Backend
from ._contract import Kernels

__all__ = ["BACKEND_NAMES", "Backend", "Kernels", "get_backend"]

BACKEND_NAMES = ("native", "numpy")
_instances: dict[str, Backend] = {}


def get_backend(name: str | Backend = "native") -> Backend:
    """The backend called ``name`` (``"native"`` or ``"numpy"``); a Backend passes through."""
    if isinstance(name, Backend):
        return name
    if name not in _instances:
        if name == "native":
            from .native import NativeKernels

            _instances[name] = Backend(NativeKernels())
        elif name == "numpy":
            from .numpy import NumpyKernels

            _instances[name] = Backend(NumpyKernels())
        else:
            from .._validation import check_choice

            check_choice(name, "backend", BACKEND_NAMES)
    return _instances[name]
