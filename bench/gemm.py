"""mlpcore's GEMM against numpy.matmul (OpenBLAS), same process, same thread count.

    python bench/gemm.py [--threads 1] [--quick]

Prints GFLOP/s and the ratio native/NumPy for square products and the MLP's own
shapes (forward x·W, weight gradient xᵀ·δ, input gradient δ·Wᵀ), float32 and
float64; writes bench/results/gemm-<threads>t.json. Each library is timed in its
own loop (OpenBLAS workers spin after a call and would steal the other core).
"""

from __future__ import annotations

import argparse
import sys

from _harness import pin_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--quick", action="store_true", help="fewer shapes, shorter timing")
args = parser.parse_args()
pin_threads(args.threads)

import mlpcore as mc
import numpy as np
from _harness import environment, print_table, time_call, write_json

NATIVE = mc.get_backend("native")


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
    return rows


def main() -> None:
    env = environment()
    print(
        f"threads: mlpcore {mc.get_num_threads()}, OpenBLAS {args.threads}; "
        f"kernels {env['kernels']}; numpy {env['numpy']}"
    )
    results = []
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for label, m, n, k, ta, tb in shapes():
            a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
            b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
            out_np, out_mc = np.empty((m, n), dtype), np.empty((m, n), dtype)
            op_a, op_b = (a.T if ta else a), (b.T if tb else b)
            kernels = NATIVE.kernels
            t_np = time_call(
                lambda: np.matmul(op_a, op_b, out=out_np),
                min_time=0.02 if args.quick else 0.05,
            )
            t_mc = time_call(
                lambda: kernels.gemm(a, b, out_mc, ta, tb, 1.0, 0.0),
                min_time=0.02 if args.quick else 0.05,
            )
            flops = 2.0 * m * n * k
            results.append(
                {
                    "shape": label,
                    "dtype": np.dtype(dtype).name,
                    "m": m,
                    "n": n,
                    "k": k,
                    "numpy_gflops": flops / t_np / 1e9,
                    "native_gflops": flops / t_mc / 1e9,
                    "ratio": t_np / t_mc,
                    "numpy_us": t_np * 1e6,
                    "native_us": t_mc * 1e6,
                }
            )
    print_table(
        results,
        [
            ("shape", "shape", ""),
            ("dtype", "dtype", ""),
            ("numpy_gflops", "NumPy GF/s", ".1f"),
            ("native_gflops", "native GF/s", ".1f"),
            ("ratio", "native/NumPy", ".2f"),
            ("native_us", "native µs", ".1f"),
        ],
    )
    path = write_json(f"gemm-{args.threads}t", {"environment": env, "results": results})
    print(f"wrote {path}", file=sys.stderr)


main()
