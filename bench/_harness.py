"""Benchmark plumbing: thread pinning, timing by medians, tables, JSON.

Import this module *before* numpy: ``pin_threads`` must set the BLAS thread
variables before OpenBLAS starts.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MLPCORE_NUM_THREADS",
)


def pin_threads(n: int) -> None:
    """Give every library ``n`` threads (call before importing numpy)."""
    for name in THREAD_VARS:
        os.environ[name] = str(n)


def cool_down(threads: int, seconds: float = 0.15) -> None:
    """Let the previous library's idle workers stop spinning before the next loop.

    OpenBLAS workers spin for OPENBLAS_THREAD_TIMEOUT (2^28 cycles, ~75 ms here) after
    each call, and OpenMP runtimes (PyTorch's) spin similarly; they would steal the
    second core from whichever loop runs next (OpenMathLib/OpenBLAS#5171), so 2-thread
    ratios would measure the spinning, not the code. Nothing to wait for at one thread.
    """
    if threads > 1:
        time.sleep(seconds)


def time_call(
    fn: Callable[[], object], *, min_time: float = 0.05, repeats: int = 7
) -> float:
    """Median seconds per call: warm up, size the inner loop to >= ``min_time``,
    take the median over ``repeats`` repetitions."""
    fn()
    loops, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
        loops *= 2 if elapsed == 0 else max(2, int(min_time / elapsed * 1.2))
    samples = [elapsed / loops]
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


def core_share(threads: int, pairs: int = 5) -> float:
    """The share of ``threads`` whole cores the process gets right now: the median of
    FMA probe(threads) / (threads x probe(1)) over alternated pairs (1.0: every core
    free; about 0.5 at 2 threads: another tenant holds the second core). Printed before
    and after a multi-threaded run, so its ratios can be read against the host's load.
    """
    from mlpcore import _core

    if threads <= 1:
        return 1.0
    shares = []
    for _ in range(pairs):
        one = _core.fma_peak_gflops("float32", 1)
        shares.append(_core.fma_peak_gflops("float32", threads) / (threads * one))
    return statistics.median(shares)


def environment() -> dict[str, Any]:
    """What the numbers were measured with."""
    import mlpcore
    import numpy as np

    info = mlpcore.info(measure_peak=False)
    return {
        "mlpcore": info.version,
        "kernels": info.kernel_isa,
        "mlpcore_threads": info.threads,
        "numpy": np.__version__,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_features": [k for k, v in info.cpu_features.items() if v],
    }


def print_table(
    rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]
) -> None:
    """``columns``: (key, header, format spec)."""
    widths = [max(len(h), *(len(format(r[k], f)) for r in rows)) for k, h, f in columns]
    print("  ".join(h.rjust(w) for (_, h, _), w in zip(columns, widths, strict=False)))
    for row in rows:
        print(
            "  ".join(
                format(row[k], f).rjust(w)
                for (k, _, f), w in zip(columns, widths, strict=False)
            )
        )


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` and return its path."""
    out = Path(__file__).parent / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(payload, indent=2))
    return out
