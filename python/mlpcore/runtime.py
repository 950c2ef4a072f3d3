"""Threads, CPU features and version: what the native core runs with."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

import numpy as np

from . import _core
from ._validation import check_int
from .errors import ValidationError

__all__ = ["RuntimeInfo", "get_num_threads", "info", "set_num_threads"]

ENV_THREADS = "MLPCORE_NUM_THREADS"


def set_num_threads(n: int) -> None:
    """Use ``n`` >= 1 threads in the native kernels (default: the cores available)."""
    _core.set_num_threads(check_int(n, "n"))


def get_num_threads() -> int:
    """The number of threads the native kernels use."""
    return int(_core.get_num_threads())


def _apply_environment() -> None:
    """Honour ``MLPCORE_NUM_THREADS`` at import."""
    value = os.environ.get(ENV_THREADS)
    if value is None or value == "":
        return
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValidationError(f"{ENV_THREADS}: expected an integer >= 1, got {value!r}")
    _core.set_num_threads(threads)


@dataclass(frozen=True)
class RuntimeInfo:
    """What :func:`info` reports; ``str()`` gives the ``mlpcore info`` text."""

    version: str
    kernel_isa: str
    threads: int
    cpu_features: dict[str, bool]
    numpy_version: str
    python_version: str
    machine: str

    def __str__(self) -> str:
        features = " ".join(
            name for name, present in self.cpu_features.items() if present
        )
        return "\n".join(
            [
                f"mlpcore     {self.version}",
                f"kernels     {self.kernel_isa}",
                f"threads     {self.threads}",
                f"cpu         {self.machine}: {features or '(no SIMD features detected)'}",
                f"numpy       {self.numpy_version}",
                f"python      {self.python_version}",
                "backends    native (C++), numpy (reference)",
            ]
        )


def info() -> RuntimeInfo:
    """Version, chosen kernels, thread count and CPU features of this installation."""
    return RuntimeInfo(
        version=str(_core.__version__),
        kernel_isa=str(_core.kernel_isa()),
        threads=get_num_threads(),
        cpu_features=dict(_core.cpu_features()),
        numpy_version=np.__version__,
        python_version=platform.python_version(),
        machine=platform.machine(),
    )


_apply_environment()
