"""GEMM cases shared by test_gemm.py and the per-ISA subprocess runs.

Every case is checked against an independent reference: the product of the operands
in higher precision (float64 for float32 inputs, np.longdouble for float64 inputs),
with KERNELS.md §2.7's elementwise forward-error bound
``|C - R| <= 2 K u (|alpha| |op(A)| |op(B)| + |beta| |C0|)`` (plus one u |R| for the
final rounding and the alpha/beta epilogue).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

#: operand layouts: how an (r, c) operand is laid out in memory
LAYOUTS = ("C", "F", "strided", "negative", "offset")


def arrange(x: np.ndarray, layout: str) -> np.ndarray:
    """The same values as ``x`` in another memory layout (a view where possible)."""
    if layout == "C":
        return np.ascontiguousarray(x)
    if layout == "F":
        return np.asfortranarray(x)
    r, c = x.shape
    if layout == "strided":
        big = np.zeros((2 * r + 1, 3 * c + 2), x.dtype)
        big[1::2, 2::3] = x
        return big[1::2, 2::3]
    if layout == "negative":
        big = np.ascontiguousarray(x[::-1, ::-1])
        return big[::-1, ::-1]
    if layout == "offset":
        big = np.zeros((r + 1, c + 3), x.dtype)
        big[1:, 3:] = x
        return big[1:, 3:]
    raise ValueError(layout)


def reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    wide = np.float64 if a.dtype == np.float32 else np.longdouble
    return a.astype(wide) @ b.astype(wide)


def check(
    m: int,
    n: int,
    k: int,
    dtype: Any,
    trans_a: bool = False,
    trans_b: bool = False,
    alpha: float = 1.0,
    beta: float = 0.0,
    layout_a: str = "C",
    layout_b: str = "C",
    layout_c: str = "C",
    seed: int = 0,
) -> np.ndarray:
    """Run one product through ``_core.gemm`` and assert the error bound; returns C."""
    from mlpcore import _core

    rng = np.random.default_rng(seed)
    a0 = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    b0 = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    a, b = arrange(a0, layout_a), arrange(b0, layout_b)
    out = arrange(c0.copy(), layout_c)
    if beta == 0.0:
        out[...] = np.nan  # beta == 0 must never read C
    _core.gemm(a, b, out, trans_a, trans_b, alpha, beta)
    op_a, op_b = (a0.T if trans_a else a0), (b0.T if trans_b else b0)
    exact = alpha * reference(op_a, op_b) + beta * c0.astype(np.longdouble)
    u = float(np.finfo(dtype).eps) / 2
    scale = abs(alpha) * (np.abs(op_a).astype(np.float64) @ np.abs(op_b)) + abs(
        beta
    ) * np.abs(c0)
    bound = 2 * max(k, 1) * u * scale + 2 * u * np.abs(exact.astype(np.float64))
    err = np.abs(out.astype(np.longdouble) - exact).astype(np.float64)
    assert np.all(np.isfinite(out)), (m, n, k, trans_a, trans_b)
    worst = float(np.max(err - bound)) if err.size else 0.0
    assert worst <= float(np.finfo(dtype).tiny), (
        f"gemm {m}x{n}x{k} {np.dtype(dtype).name} ta={trans_a} tb={trans_b} "
        f"alpha={alpha} beta={beta} layouts={layout_a},{layout_b},{layout_c}: "
        f"error exceeds the bound by {worst:.3e}"
    )
    return np.ascontiguousarray(out)


def grid(quick: bool = False) -> Iterator[dict[str, Any]]:
    """Sizes around every register tile and cache block of every ISA (MR 4..32,
    NR 4 and 6, KC 256/384, MC 96..384), all transposes, alpha/beta, layouts."""
    trans = [(False, False), (False, True), (True, False), (True, True)]
    ms = range(1, 34) if not quick else [1, 2, 7, 8, 9, 15, 16, 17, 31, 33]
    for dtype in (np.float32, np.float64):
        for i, m in enumerate(ms):
            ta, tb = trans[i % 4]
            yield dict(m=m, n=7, k=5, dtype=dtype, trans_a=ta, trans_b=tb)
            yield dict(m=7, n=m, k=3, dtype=dtype, trans_a=tb, trans_b=ta)
        for i, k in enumerate([1, 2, 255, 256, 257, 383, 384, 385, 769]):
            ta, tb = trans[i % 4]
            yield dict(m=19, n=13, k=k, dtype=dtype, trans_a=ta, trans_b=tb)
        for m, n, k in [(145, 127, 385), (97, 70, 300), (40, 65, 257), (385, 9, 64)]:
            for ta, tb in trans:
                yield dict(m=m, n=n, k=k, dtype=dtype, trans_a=ta, trans_b=tb)
        # z = x W shapes: x stored along K is packed through the ISA's register
        # transpose, into micro-panels of every width a batch m spreads to (near-equal
        # widths up to NR = 4 or 6), with K tails shorter than a vector.
        for m in [*range(1, 15), 31, 32, 33, 65]:
            for k in (5, 8, 29):
                yield dict(m=m, n=40, k=k, dtype=dtype)
        # ... weights read in place up to 128 columns (AVX-512 panels), ragged rows
        for m in (65, 100, 128):
            yield dict(m=m, n=70, k=300, dtype=dtype)
        # ... and weights whose rows are 1 or 2 KiB apart (packed from 32 rows of x on,
        # read in place below).
        for row_bytes in (1024, 2048):
            for m in (31, 32, 40, 64):
                n = row_bytes // np.dtype(dtype).itemsize
                yield dict(m=m, n=n, k=37, dtype=dtype)
        # Batch-1 forwards: y held in 1..16 registers (AVX-512) up to 256 float32 / 128
        # float64 outputs, streamed passes beyond, masked last vectors.
        for n in (1, 10, 16, 17, 127, 128, 129, 255, 256, 257, 300):
            yield dict(m=1, n=n, k=300 if n % 2 else 37, dtype=dtype)
        yield dict(m=1, n=256, k=784, dtype=dtype, alpha=0.5, beta=0.25)
        # Batch-1 input gradients d W^T: dot products over W's rows, 8 rows per block
        # (ragged last blocks), K tails shorter than a vector; W strided along K, d
        # strided and a strided output (copied / written through their strides), and
        # the single-column products that take the same kernel (a layer of one output,
        # a 1 x 1 result).
        for n in (1, 7, 8, 9, 17, 130):
            for k in (1, 3, 8, 13, 301):
                yield dict(m=1, n=n, k=k, dtype=dtype, trans_b=True)
        for layout in LAYOUTS[1:]:
            yield dict(
                m=1,
                n=37,
                k=29,
                dtype=dtype,
                trans_b=True,
                alpha=-2.0,
                beta=0.5,
                layout_a=layout,
                layout_b=layout,
                layout_c=layout,
            )
            yield dict(m=19, n=1, k=29, dtype=dtype, layout_a=layout, beta=1.0)
        # A short side on the vector dimension of a row-major C (10 classes): computed
        # unswapped, tiles stored through the strided edge path, also with partial
        # sums over K chunks and beta.
        for n in (3, 10, 20, 40):
            for (m, k, beta), (ta, tb) in zip(
                [(32, 128, 0.0), (512, 385, 0.0), (96, 600, 0.5), (64, 257, 1.0)],
                trans,
                strict=True,
            ):
                yield dict(
                    m=m, n=n, k=k, dtype=dtype, trans_a=ta, trans_b=tb, beta=beta
                )
        # (k = 1: the rank-1 kernel over C^T, a masked last vector of its 33 rows)
        for alpha, beta in [(2.0, 0.0), (-0.5, 1.0), (1.0, 0.25), (0.0, 2.0)]:
            for m, n, k in [(33, 20, 7), (70, 130, 600), (20, 33, 1)]:
                yield dict(m=m, n=n, k=k, dtype=dtype, alpha=alpha, beta=beta)
        for j, layout in enumerate(LAYOUTS):
            for ta, tb in trans:
                yield dict(
                    m=37,
                    n=29,
                    k=300,
                    dtype=dtype,
                    trans_a=ta,
                    trans_b=tb,
                    beta=0.5 if j % 2 else 0.0,
                    layout_a=layout,
                    layout_b=LAYOUTS[(j + 1) % len(LAYOUTS)],
                    layout_c=LAYOUTS[(j + 2) % len(LAYOUTS)],
                )


#: products whose bits are compared between ISA paths (AVX2 vs AVX-512)
FINGERPRINT = [
    (np.float32, 145, 127, 785, False, False),
    (np.float32, 33, 64, 300, True, False),
    (np.float64, 97, 70, 600, False, True),
    (np.float64, 10, 128, 257, True, True),
    # 40 columns: the AVX2 path computes C^T, the AVX-512 path (MR = 32) C itself
    (np.float32, 200, 40, 300, False, False),
    (np.float32, 512, 10, 385, True, False),
    # ragged vector sides in each of the AVX-512 edge tiles' forms (a half vector, one,
    # one and a half, two) - AVX2 runs whole vectors there - and the 10-class forward
    # that both compute as C^T from batch 48 on
    *[(np.float64, 20, 32 + r, 300, False, False) for r in (3, 7, 11, 14)],
    *[(np.float32, 20, 64 + r, 300, False, True) for r in (5, 13, 21, 29)],
    (np.float64, 128, 10, 128, False, False),
    # batch-1 input gradients: the dot products' lanes and their masked K tails
    (np.float32, 1, 300, 301, False, True),
    (np.float64, 1, 129, 259, False, True),
]


def optimizer_steps(dtype: Any) -> list[np.ndarray]:
    """One SGD, heavy-ball, Nesterov and Adam step on 1003 values (vector tails
    included)."""
    from mlpcore import _core

    rng = np.random.default_rng(11)
    p, g, m = (rng.standard_normal((1, 1003)).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal((1, 1003))).astype(dtype)
    out = []
    for nesterov in (False, True):
        p2, vel = p.copy(), m.copy()
        _core.momentum_step(p2, g, vel, lr=0.05, momentum=0.9, nesterov=nesterov)
        out += [p2, vel]
    p3 = p.copy()
    _core.adam_step(p3, g, m, v, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, step=3)
    _core.sgd_step(p, g, lr=0.1)
    return [p, *out, p3, m, v]


def fingerprint() -> list[np.ndarray]:
    return (
        [
            check(m, n, k, dt, trans_a=ta, trans_b=tb, seed=7)
            for dt, m, n, k, ta, tb in FINGERPRINT
        ]
        + optimizer_steps(np.float32)
        + optimizer_steps(np.float64)
    )


def main(save: str | None = None) -> None:
    """Subprocess entry: the whole grid under the ISA forced by MLPCORE_ISA."""
    from mlpcore import _core

    for threads in (1, 2):
        _core.set_num_threads(threads)
        for case in grid(quick=threads > 1):
            check(**case)
    if save:
        np.savez(save, *fingerprint())
    print(_core.kernel_isa())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
