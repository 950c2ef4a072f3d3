"""mlpcore's GEMM against numpy.matmul (OpenBLAS), same process, same thread count.

    python bench/gemm.py [--threads 1 2] [--rounds 5] [--quick]

For every shape, dtype and thread count the two libraries are timed in alternating
rounds (NumPy's loop, then mlpcore's, ``--rounds`` times; each loop sized to >= the
minimum time after a warm-up); the table shows the median GFLOP/s of each, the median
of the per-round ratios native/NumPy (time_numpy / time_native: > 1 means mlpcore is
faster) and mlpcore's percentage of the FMA peak measured by the extension's probe
on the same thread count. Shapes: squares 64…2048 and the 784-256-128-10 MLP's
forward (x·W), weight-gradient (xᵀ·δ) and input-gradient (δ·Wᵀ) products at batch
1/32/128/512, float32 and float64; plus the per-call time of a 4×4 product.
Writes bench/results/gemm.json. OpenBLAS's thread count is set through threadpoolctl
(the `bench` extra); its idle workers spin after a call, which is why the libraries
are never mixed inside one timing loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from _harness import pin_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--quick", action="store_true", help="fewer shapes, shorter timing")
parser.add_argument(
    "--filter", default="", help="only shapes whose label contains this"
)
args = parser.parse_args()
pin_threads(max(args.threads))

import mlpcore as mc
import numpy as np
from _harness import cool_down, core_share, environment, print_table, write_json
from mlpcore import _core
from threadpoolctl import threadpool_limits

MIN_TIME = 0.01 if args.quick else 0.03
RNG = np.random.default_rng(0)


def shapes() -> list[tuple[str, int, int, int, bool, bool]]:
    """(label, m, n, k, trans_a, trans_b) of op(a) (m×k) · op(b) (k×n)."""
    squares = [64, 256, 1024] if args.quick else [64, 128, 256, 512, 1024, 2048]
    rows = [(f"square {n}", n, n, n, False, False) for n in squares]
    batches = [1, 32, 512] if args.quick else [1, 32, 128, 512]
    for batch in batches:
        for n_in, n_out in ((784, 256), (256, 128), (128, 10)):
            rows.append(
                (f"fwd b{batch} {n_in}x{n_out}", batch, n_out, n_in, False, False)
            )
            rows.append(
                (f"dW  b{batch} {n_in}x{n_out}", n_in, n_out, batch, True, False)
            )
            rows.append(
                (f"dX  b{batch} {n_in}x{n_out}", batch, n_in, n_out, False, True)
            )
    return [r for r in rows if args.filter in r[0]]


def loop_time(fn: object, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / loops


def calibrate(fn: object) -> int:
    fn()  # type: ignore[operator]
    loops = 1
    while loop_time(fn, loops) * loops < MIN_TIME:
        loops *= 2
    return loops


Calls = tuple[Callable[[], object], Callable[[], object]]


def product(
    m: int, n: int, k: int, ta: bool, tb: bool, dtype: type[np.floating[Any]]
) -> Calls:
    """NumPy's and mlpcore's call of op(a) · op(b) on freshly allocated operands."""
    a = RNG.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    b = RNG.standard_normal((n, k) if tb else (k, n)).astype(dtype)
    out_np, out_mc = np.empty((m, n), dtype), np.empty((m, n), dtype)
    op_a, op_b = (a.T if ta else a), (b.T if tb else b)
    backend = mc.get_backend("native").kernels
    return (
        lambda: np.matmul(op_a, op_b, out=out_np),
        lambda: backend.gemm(a, b, out_mc, ta, tb, 1.0, 0.0),
    )


def compare(make: Callable[[], Calls]) -> tuple[float, float, float]:
    """Median seconds per call of each, and the median per-round ratio.

    Every round allocates its operands anew (the same ones for both libraries): the
    speed of a product that reads a matrix in place moves by up to +-20 % with the
    physical pages the matrix gets, so one allocation would bias the whole run.
    """
    np_fn, mc_fn = make()
    n_np = calibrate(np_fn)
    cool_down(mc.get_num_threads())
    n_mc = calibrate(mc_fn)
    t_np, t_mc, ratios = [], [], []
    for _ in range(args.rounds):
        np_fn, mc_fn = make()
        np_fn()  # first touch of the new pages
        mc_fn()
        cool_down(mc.get_num_threads())
        a = loop_time(np_fn, n_np)
        cool_down(mc.get_num_threads())
        b = loop_time(mc_fn, n_mc)
        t_np.append(a)
        t_mc.append(b)
        ratios.append(a / b)
    return statistics.median(t_np), statistics.median(t_mc), statistics.median(ratios)


def main() -> None:
    env = environment()
    peaks = {
        (dt, t): _core.fma_peak_gflops(dt, t)
        for dt in ("float32", "float64")
        for t in args.threads
    }
    print(
        f"kernels {env['kernels']}; numpy {env['numpy']}; FMA peak (GFLOP/s): "
        + ", ".join(f"{dt} {t}t {p:.0f}" for (dt, t), p in peaks.items())
    )
    results = []
    shares: dict[str, list[float]] = {}
    for threads in args.threads:
        mc.set_num_threads(threads)
        shares[f"{threads}t"] = [core_share(threads)]
        with threadpool_limits(limits=threads, user_api="blas"):
            t_np, t_mc, ratio = compare(
                partial(product, 4, 4, 4, False, False, np.float64)
            )
            print(
                f"{threads}t per-call 4x4 float64: numpy {t_np * 1e6:.2f} µs, "
                f"native {t_mc * 1e6:.2f} µs (ratio {ratio:.2f})"
            )
            results.append(
                {
                    "shape": "call 4x4",
                    "dtype": "float64",
                    "threads": threads,
                    "m": 4,
                    "n": 4,
                    "k": 4,
                    "numpy_us": t_np * 1e6,
                    "native_us": t_mc * 1e6,
                    "ratio": ratio,
                    "numpy_gflops": 128 / t_np / 1e9,
                    "native_gflops": 128 / t_mc / 1e9,
                    "peak_pct": 0.0,
                }
            )
            for dtype in (np.float32, np.float64):
                name = np.dtype(dtype).name
                for label, m, n, k, ta, tb in shapes():
                    t_np, t_mc, ratio = compare(
                        partial(product, m, n, k, ta, tb, dtype)
                    )
                    flops = 2.0 * m * n * k
                    results.append(
                        {
                            "shape": label,
                            "dtype": name,
                            "threads": threads,
                            "m": m,
                            "n": n,
                            "k": k,
                            "numpy_gflops": flops / t_np / 1e9,
                            "native_gflops": flops / t_mc / 1e9,
                            "ratio": ratio,
                            "peak_pct": 100
                            * flops
                            / t_mc
                            / 1e9
                            / peaks[(name, threads)],
                            "numpy_us": t_np * 1e6,
                            "native_us": t_mc * 1e6,
                        }
                    )
                    r = results[-1]
                    print(
                        f"  {threads}t {name} {label:22s} np {r['numpy_gflops']:6.1f} "
                        f"mc {r['native_gflops']:6.1f}  x{ratio:.2f}",
                        file=sys.stderr,
                    )
        shares[f"{threads}t"].append(core_share(threads))
    for key, (before, after) in shares.items():
        if key != "1t":
            print(
                f"{key}: share of whole cores before / after: {before:.2f} / {after:.2f}"
            )
    print_table(
        results,
        [
            ("shape", "shape", ""),
            ("dtype", "dtype", ""),
            ("threads", "thr", "d"),
            ("numpy_gflops", "NumPy GF/s", ".1f"),
            ("native_gflops", "native GF/s", ".1f"),
            ("ratio", "native/NumPy", ".2f"),
            ("peak_pct", "% peak", ".0f"),
            ("native_us", "native µs", ".1f"),
        ],
    )
    payload = {
        "environment": env,
        "fma_peak_gflops": {f"{d} {t}t": p for (d, t), p in peaks.items()},
        "core_share_before_after": shares,
        "results": results,
    }
    path = write_json("gemm", payload)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
