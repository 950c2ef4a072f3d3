"""Threads, CPU features and version: what the native core runs with."""

from __future__ import annotations

import os
import platform
import warnings
from dataclasses import dataclass

import numpy as np

from . import _core, _threadpool
from ._validation import check_int
from .errors import ValidationError

__all__ = [
    "RuntimeInfo",
    "fma_peak_gflops",
    "get_num_threads",
    "info",
    "set_num_threads",
]

ENV_THREADS = "MLPCORE_NUM_THREADS"
#: the OpenMP variable PyTorch, OpenBLAS and MKL follow, and joblib sets in its workers;
#: the native pool's default when MLPCORE_NUM_THREADS is not set
ENV_OMP_THREADS = "OMP_NUM_THREADS"
#: forces a kernel set (generic | avx2 | avx512); read once by the extension at import,
#: which raises ValueError naming the sets available when the value is unknown or
#: unusable on this CPU
ENV_ISA = "MLPCORE_ISA"


def set_num_threads(n: int) -> None:
    """Use ``n`` >= 1 threads in the native kernels (default: see :func:`get_num_threads`)."""
    _core.set_num_threads(check_int(n, "n"))


def get_num_threads() -> int:
    """The number of threads the native kernels use (and, during a numpy-backend fit,
    the most BLAS threads allowed).

    The default, read at import: ``MLPCORE_NUM_THREADS``, else ``OMP_NUM_THREADS``,
    else the CPUs this process may run on.
    """
    return int(_core.get_num_threads())


def _apply_environment() -> None:
    """Honour ``MLPCORE_NUM_THREADS``, else ``OMP_NUM_THREADS``, at import.

    A bad ``MLPCORE_NUM_THREADS`` is mlpcore's own setting and fails the import. A bad
    ``OMP_NUM_THREADS`` belongs to every OpenMP program in the environment, so it only
    warns and is ignored, as libgomp and OpenBLAS do; its OpenMP list form for nested
    levels (``"4,2"``) counts by its first, outermost entry.
    """
    value = os.environ.get(ENV_THREADS)
    if value:
        threads = _positive_int(value)
        if threads is None:
            raise ValidationError(
                f"{ENV_THREADS}: expected an integer >= 1, got {value!r}"
            )
        _core.set_num_threads(threads)
        return
    value = os.environ.get(ENV_OMP_THREADS)
    if value:
        threads = _positive_int(value.split(",")[0])
        if threads is None:
            warnings.warn(
                f"{ENV_OMP_THREADS}: expected an integer >= 1 (or an OpenMP list like "
                f"'4,2'), got {value!r}; ignored, mlpcore uses one thread per CPU",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        _core.set_num_threads(threads)


def _positive_int(text: str) -> int | None:
    try:
        threads = int(text.strip())
    except ValueError:
        return None
    return threads if threads >= 1 else None


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
    available_isas: tuple[str, ...] = ()
    #: measured multiply-add peak of the selected kernels on ``threads`` threads,
    #: GFLOP/s, {"float32": ..., "float64": ...}
    fma_peak_gflops: dict[str, float] | None = None

    def __str__(self) -> str:
        features = " ".join(
            name for name, present in self.cpu_features.items() if present
        )
        return "\n".join(
            [
                f"mlpcore     {self.version}",
                f"kernels     {self.kernel_isa} (available: "
                f"{', '.join(self.available_isas)}; force with {ENV_ISA})",
                f"threads     {self.threads}",
                f"cpu         {self.machine}: {features or '(no SIMD features detected)'}",
                *(
                    [
                        f"FMA peak    {self.fma_peak_gflops['float32']:.0f} GFLOP/s "
                        f"float32, {self.fma_peak_gflops['float64']:.0f} float64 "
                        f"({self.threads} threads, measured)"
                    ]
                    if self.fma_peak_gflops
                    else []
                ),
                f"numpy       {self.numpy_version}",
                f"python      {self.python_version}",
                "backends    native (C++), numpy (reference)",
            ]
        )


def fma_peak_gflops(dtype: str = "float32", threads: int | None = None) -> float:
    """Measured multiply-add throughput of the selected kernels, GFLOP/s.

    Runs independent FMA chains on vector registers on ``threads`` threads (default:
    :func:`get_num_threads`) for about 0.1 s: the ceiling any GEMM can reach here.
    """
    if dtype not in ("float32", "float64"):
        raise ValidationError(f"dtype: expected 'float32' or 'float64', got {dtype!r}")
    n = get_num_threads() if threads is None else check_int(threads, "threads")
    if not 1 <= n <= 256:
        raise ValidationError(f"threads: expected an integer in [1, 256], got {n}")
    return float(_core.fma_peak_gflops(dtype, n))


def info(measure_peak: bool = True) -> RuntimeInfo:
    """Version, chosen kernels, thread count, CPU features and (when ``measure_peak``)
    the measured FMA peak of this installation."""
    threads = get_num_threads()
    return RuntimeInfo(
        version=str(_core.__version__),
        kernel_isa=str(_core.kernel_isa()),
        threads=threads,
        cpu_features=dict(_core.cpu_features()),
        numpy_version=np.__version__,
        python_version=platform.python_version(),
        machine=platform.machine(),
        available_isas=tuple(str(_core.available_isas()).split(", ")),
        fma_peak_gflops=(
            {dt: fma_peak_gflops(dt, threads) for dt in ("float32", "float64")}
            if measure_peak
            else None
        ),
    )


_apply_environment()
_threadpool.register()
