"""Cap the BLAS threads while the numpy backend trains.

The numpy backend runs its products through NumPy's ``@``, i.e. OpenBLAS (or MKL,
Accelerate) and that library's own thread pool, which by default has one thread per
core. An MLP's GEMMs are small, so those threads mostly wait for each other, badly so
when other work shares the cores. During a fit the BLAS libraries are therefore held
to at most :func:`mlpcore.get_num_threads` threads: the one thread setting mlpcore
has (``MLPCORE_NUM_THREADS``, ``OMP_NUM_THREADS``, ``set_num_threads``,
``threadpool_limits``) governs both backends.

It is a cap, not a setting: a library already running fewer threads (say under
``OPENBLAS_NUM_THREADS=1``) keeps its count. The counts are process-wide, so
overlapping fits in several threads share one limit: the first to start applies it
and the last to finish restores the original counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["blas_threads_capped", "training_threads"]

_lock = threading.Lock()
_active = 0
_limiter: Any = None


@contextmanager
def blas_threads_capped(threads: int) -> Iterator[None]:
    """Hold every loaded BLAS library to at most ``threads`` threads inside the block.

    The original counts come back when the outermost of overlapping blocks exits,
    whether it ends normally or by an exception (KeyboardInterrupt included).
    """
    global _active, _limiter
    with _lock:
        if _active == 0:
            _limiter = _cap(threads)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


@contextmanager
def training_threads(backend: str) -> Iterator[None]:
    """Around a training loop on ``backend`` (a name): on ``"numpy"``, BLAS held to
    at most :func:`mlpcore.get_num_threads` threads; on ``"native"``, which calls no
    BLAS, nothing."""
    if backend != "numpy":
        yield
        return
    from .runtime import get_num_threads

    with blas_threads_capped(get_num_threads()):
        yield


def _cap(threads: int) -> Any:
    """Limit the BLAS libraries running more than ``threads`` threads; None if none do."""
    controller = ThreadpoolController()
    above = [
        lib["filepath"]
        for lib in controller.info()
        if lib["user_api"] == "blas" and lib["num_threads"] > threads
    ]
    if not above:
        return None
    return controller.select(filepath=above).limit(limits=threads)
