"""The blocked GEMM on the selected kernels: every tile edge, transpose, layout,
alpha/beta against a higher-precision reference (tests/gemm_cases.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gemm_cases import check, grid

import mlpcore as mc


def _id(case: dict[str, Any]) -> str:
    return (
        f"{np.dtype(case['dtype']).name}-{case['m']}x{case['n']}x{case['k']}"
        f"-t{int(case.get('trans_a', 0))}{int(case.get('trans_b', 0))}"
        f"-a{case.get('alpha', 1.0)}b{case.get('beta', 0.0)}"
        f"-{case.get('layout_a', 'C')}{case.get('layout_b', 'C')}"
        f"{case.get('layout_c', 'C')}"
    )


CASES = list(grid())


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_gemm_against_reference(case: dict[str, Any]) -> None:
    check(**case)


def test_gemm_strided_out_leaves_gaps_untouched() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((20, 300)), rng.standard_normal((300, 9))
    big = np.full((40, 27), 7.0)
    mc.get_backend("native").gemm(a, b, out=big[::2, ::3], beta=0.0)
    np.testing.assert_allclose(big[::2, ::3], a @ b, rtol=1e-12, atol=1e-12)
    mask = np.ones_like(big, dtype=bool)
    mask[::2, ::3] = False
    assert np.all(big[mask] == 7.0)


@pytest.mark.parametrize("which", ["a", "b"])
def test_gemm_refuses_out_overlapping_an_operand(which: str) -> None:
    buf = np.ones((8, 8))
    a, b = buf[:4, :4], np.ones((4, 4))
    if which == "b":
        a, b = b, buf[:4, :4]
    with pytest.raises(mc.ValidationError, match="out"):
        mc.get_backend("native").gemm(a, b, out=buf[2:6, 2:6])


def test_kernel_isa_is_reported() -> None:
    info = mc.info(measure_peak=False)
    assert info.kernel_isa in info.available_isas
    assert "generic" in info.available_isas


def test_fma_peak_is_measured() -> None:
    from mlpcore.runtime import fma_peak_gflops

    # The probe must report a plausible positive rate for both dtypes (their order is
    # not asserted: on a shared host a single short probe can invert it).
    f32, f64 = fma_peak_gflops("float32", 1), fma_peak_gflops("float64", 1)
    assert 0.1 < f64 and 0.1 < f32
    with pytest.raises(mc.ValidationError, match="dtype"):
        fma_peak_gflops("int8", 1)
