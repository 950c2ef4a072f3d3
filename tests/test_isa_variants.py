"""Every kernel set this CPU can run, forced through MLPCORE_ISA in a subprocess:
the whole GEMM grid against the reference, AVX2 and AVX-512 bit for bit, a clear
error for an unusable value, and no AVX instruction in the generic object."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mlpcore as mc

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
AVAILABLE = mc.info(measure_peak=False).available_isas


def run_with_isa(isa: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MLPCORE_ISA=isa, PYTHONPATH=str(TESTS))
    env.pop("MLPCORE_NUM_THREADS", None)
    return subprocess.run(
        [sys.executable, str(TESTS / "gemm_cases.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def grid_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[subprocess.CompletedProcess[str], Path]]:
    """The grid run under one ISA, done once per module (the bit-for-bit comparison
    reuses the fingerprints saved by the grid runs instead of running them again)."""
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Path]] = {}

    def run(isa: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        if isa not in runs:
            path = tmp_path_factory.mktemp(isa) / f"{isa}.npz"
            runs[isa] = (run_with_isa(isa, str(path)), path)
        return runs[isa]

    return run


@pytest.mark.parametrize("isa", ["generic", "avx2", "avx512"])
def test_grid_under_each_isa(isa: str, grid_run: Callable[..., Any]) -> None:
    if isa not in AVAILABLE:
        pytest.skip(f"{isa} kernels are not usable on this CPU")
    result, _ = grid_run(isa)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == isa


def test_avx2_and_avx512_agree_bit_for_bit(grid_run: Callable[..., Any]) -> None:
    if not {"avx2", "avx512"} <= set(AVAILABLE):
        pytest.skip("needs both AVX2 and AVX-512 kernels on this CPU")
    outputs = []
    for isa in ("avx2", "avx512"):
        result, path = grid_run(isa)
        assert result.returncode == 0, result.stderr[-3000:]
        with np.load(path) as data:
            outputs.append([data[k] for k in sorted(data.files)])
    for x, y in zip(*outputs, strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("value", ["bogus", "avx512"])
def test_unusable_isa_fails_the_import_clearly(value: str) -> None:
    if value in AVAILABLE:
        pytest.skip(f"{value} is usable here")
    env = dict(os.environ, MLPCORE_ISA=value)
    result = subprocess.run(
        [sys.executable, "-c", "import mlpcore"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MLPCORE_ISA: expected one of the kernel sets available" in result.stderr
    assert f"got '{value}'" in result.stderr


def _kernel_object(name: str) -> Path:
    found = sorted(ROOT.glob(f"build/*/CMakeFiles/*/csrc/src/kernels/{name}.cpp.o"))
    if not found or shutil.which("objdump") is None:
        pytest.skip(f"objdump or the built {name}.cpp.o is not available")
    return found[-1]


def _disassembly(obj: Path) -> str:
    return subprocess.run(
        ["objdump", "-d", str(obj)], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 registers"
)
def test_generic_object_holds_no_avx_registers() -> None:
    text = _disassembly(_kernel_object("generic"))
    assert "%xmm" in text  # the disassembly is real: baseline SSE2 vector code
    offending = [ln for ln in text.splitlines() if "%ymm" in ln or "%zmm" in ln]
    assert not offending, offending[:5]


def test_avx2_object_uses_ymm_fma() -> None:
    # The check above can see wide registers: the AVX2 object must show them.
    text = _disassembly(_kernel_object("avx2"))
    assert "%ymm" in text and "vfmadd" in text
    assert "%zmm" not in text
