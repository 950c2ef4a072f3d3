"""The data path's whole-array passes on the thread pool (csrc/src/rows.cpp): the
magnitude scan fit runs over X, and the row gather behind the Cython data source.
Oracles: NumPy's ``abs().max()`` and fancy indexing; every thread count, every kernel
set this CPU runs."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import mlpcore as mc
from mlpcore import _core
from mlpcore._dataset import Dataset

THREADS = [1, 2, 3]
#: rows x cols large enough for the scan's parallel path (>= 2 x 2^18 elements)
LARGE = (1031, 784)


@pytest.fixture
def restore_threads() -> Iterator[None]:
    saved = mc.get_num_threads()
    yield
    mc.set_num_threads(saved)


def _layouts(base: np.ndarray) -> dict[str, np.ndarray]:
    wide = np.repeat(base, 2, axis=1)
    padded = np.zeros((base.shape[0], base.shape[1] + 3), base.dtype)
    padded[:, : base.shape[1]] = base
    return {
        "C": base,
        "F": np.asfortranarray(base),
        "column stride 2": wide[:, ::2],
        "row stride padded": padded[:, : base.shape[1]],
        "reversed": base[::-1, ::-1],
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1), (1, 37), (53, 1), (17, 29), LARGE])
def test_max_abs_is_numpys(
    dtype: type, shape: tuple[int, int], rng: np.random.Generator, restore_threads: None
) -> None:
    base = (rng.standard_normal(shape) * 1e3).astype(dtype)
    base.flat[rng.integers(base.size)] = -7e4  # a negative extreme
    for name, x in _layouts(base).items():
        want = float(np.abs(x).max())
        for threads in THREADS:
            mc.set_num_threads(threads)
            assert _core.max_abs(x) == want, (name, threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_abs_edge_values(dtype: type, restore_threads: None) -> None:
    info = np.finfo(dtype)
    cases = {
        "zeros and -0.0": ([0.0, -0.0], 0.0),
        "subnormal": ([0.0, -info.smallest_subnormal], float(info.smallest_subnormal)),
        "largest finite": ([1.0, -info.max], float(info.max)),
    }
    for name, (values, want) in cases.items():
        x = np.zeros(LARGE, dtype)
        x[-1, -len(values) :] = values
        for threads in THREADS:
            mc.set_num_threads(threads)
            assert _core.max_abs(x) == want, (name, threads)
            assert _core.max_abs(x[-1:]) == want, (name, threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -np.nan])
def test_max_abs_is_inf_for_any_nan_or_inf(
    dtype: type, bad: float, rng: np.random.Generator, restore_threads: None
) -> None:
    rows, cols = LARGE
    # first, last, and around the row blocks two or three threads scan
    for i, j in [(0, 0), (rows - 1, cols - 1), (rows // 2, 5), (rows // 3, cols - 1)]:
        base = rng.standard_normal(LARGE).astype(dtype)
        base[i, j] = bad
        for name, x in _layouts(base).items():
            for threads in THREADS:
                mc.set_num_threads(threads)
                assert _core.max_abs(x) == np.inf, (name, threads, i, j)


def test_max_abs_rejects_what_it_cannot_read() -> None:
    with pytest.raises(TypeError, match="x: expected"):
        _core.max_abs(np.ones((3, 3), dtype=np.int32))
    with pytest.raises(ValueError, match="x: expected"):
        _core.max_abs(np.ones(3))


@pytest.mark.parametrize("src", ["float32", "float64"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch", [5, 40, 512])
def test_gather_is_fancy_indexing(
    src: str, dtype: str, batch: int, rng: np.random.Generator, restore_threads: None
) -> None:
    # contiguous float rows take the pooled gather (split from 64 KiB a batch), which
    # converts between float32 and float64 as astype does
    base = (rng.standard_normal((700, 301)) * 1e3).astype(src)
    labels = rng.integers(0, 4, size=700)
    orders = [rng.permutation(700), rng.integers(0, 700, 700)]  # the second repeats
    raw = np.zeros(base.nbytes + base.itemsize, np.uint8)
    unaligned = np.ndarray(base.shape, base.dtype, raw, offset=base.itemsize // 2)
    unaligned[...] = base
    layouts = {**_layouts(base), "unaligned": unaligned}
    for (name, X), order in itertools.product(layouts.items(), orders):
        for threads in THREADS:
            mc.set_num_threads(threads)
            source = Dataset(X, labels, dtype, batch)
            source.set_order(order)
            for start in range(0, len(order), batch):
                m = source.fill(start, start + batch)
                rows = order[start : start + m]
                assert source.x_batch.dtype == np.dtype(dtype)
                np.testing.assert_array_equal(
                    source.x_batch[:m],
                    X[rows].astype(dtype),
                    err_msg=f"{name} {threads}",
                )
                np.testing.assert_array_equal(source.y_batch[:m], labels[rows])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_both_backends_check_data_alike(
    bad: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The native backend bounds X with the core's scan where the core can read X,
    NumPy's chunked max/min otherwise (byte-swapped values, a structured field's
    unaligned view); both give the same bound and the same error."""
    from mlpcore import _source

    scanned: list[bool] = []
    scan = _core.max_abs

    def spy(x: np.ndarray) -> float:
        try:
            result = scan(x)
        except (TypeError, ValueError):
            scanned.append(False)
            raise
        scanned.append(True)
        return result

    monkeypatch.setattr(_source._core, "max_abs", spy)
    X = np.linspace(-3, 2, 4 * 6).reshape(4, 6)
    record = np.zeros(4, dtype=[("tag", "u1"), ("x", "f8", (6,))])
    record["x"] = X
    # name: (X as laid out, whether the core reads it in place)
    layouts = {
        "C float64": (X, True),
        "float32": (X.astype(np.float32), True),
        "strided": (X[::-1, ::2].repeat(2, axis=1), True),
        "byte-swapped": (X.astype(X.dtype.newbyteorder()), False),
        "structured field": (record["x"], False),
    }
    for backend in ("native", "numpy"):
        net = mc.Network([mc.Dense(6, 2)], backend=backend, seed=0)
        for name, (x, core_reads) in layouts.items():
            scanned.clear()
            assert _source.check_data(net, x)[1] == 3.0, (backend, name)
            want = [core_reads] if backend == "native" else []
            assert scanned == want, (backend, name)
        Y = X.copy()
        Y[1, 2] = Y[3, 0] = bad
        for y in (Y, Y.astype(Y.dtype.newbyteorder())):
            with pytest.raises(
                mc.ValidationError, match="X: expected finite values, got 2 NaN or Inf"
            ):
                _source.check_data(net, y)


def test_under_each_isa() -> None:
    """This module's other tests again with each kernel set forced (the scan's row
    loop is compiled per ISA)."""
    for isa in mc.info(measure_peak=False).available_isas:
        env = dict(os.environ, MLPCORE_ISA=isa)
        env.pop("MLPCORE_NUM_THREADS", None)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-k",
                "not under_each_isa",
                str(Path(__file__)),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, (isa, result.stdout[-3000:])
        assert " passed" in result.stdout
