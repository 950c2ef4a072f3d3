"""The Cython data source against its NumPy twin, and fit on every kind of input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mlpcore as mc
from mlpcore._dataset import Dataset
from mlpcore._dataset_py import NumpyDataset

SOURCE_DTYPES = [
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
]


def _batches(source: object, order: np.ndarray, batch: int) -> list[np.ndarray]:
    source.set_order(order)  # type: ignore[attr-defined]
    out = []
    for start in range(0, len(order), batch):
        m = source.fill(start, start + batch)  # type: ignore[attr-defined]
        out.append(
            (source.x_batch[:m].copy(), source.y_batch[:m].copy())  # type: ignore[attr-defined]
        )
    return out


def _layouts(base: np.ndarray) -> dict[str, np.ndarray]:
    wide = np.repeat(base, 2, axis=1)
    return {
        "C": base,
        "F": np.asfortranarray(base),
        "strided": wide[:, ::2],
        "reversed": base[::-1][::-1, ::-1][:, ::-1],
    }


@pytest.mark.parametrize("src", SOURCE_DTYPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cython_source_matches_numpy_twin(
    src: str, dtype: str, rng: np.random.Generator
) -> None:
    base = (rng.standard_normal((23, 5)) * 50).astype(src)
    labels = rng.integers(0, 4, size=23)
    order = rng.permutation(23)
    for name, X in _layouts(base).items():
        got = _batches(Dataset(X, labels, dtype, 7), order, 7)
        want = _batches(NumpyDataset(X, labels, dtype, 7), order, 7)
        for (gx, gy), (wx, wy) in zip(got, want, strict=True):
            assert gx.dtype == np.dtype(dtype), name
            np.testing.assert_array_equal(gx, wx, err_msg=name)
            np.testing.assert_array_equal(gy, wy, err_msg=name)
        # the oracle: plain fancy indexing of the whole array
        np.testing.assert_array_equal(
            np.concatenate([g[0] for g in got]), X[order].astype(dtype)
        )


def test_float_targets_and_csr(rng: np.random.Generator) -> None:
    sparse = pytest.importorskip("scipy.sparse")
    dense = rng.standard_normal((30, 6)) * (rng.random((30, 6)) < 0.3)
    targets = rng.random((30, 2))
    order = rng.permutation(30)
    for idx in (np.int32, np.int64):
        X = sparse.csr_matrix(dense)
        X.indices, X.indptr = X.indices.astype(idx), X.indptr.astype(idx)
        got = _batches(Dataset(X, targets, "float64", 8), order, 8)
        want = _batches(NumpyDataset(X, targets, "float64", 8), order, 8)
        for (gx, gy), (wx, wy) in zip(got, want, strict=True):
            np.testing.assert_array_equal(gx, wx)
            np.testing.assert_array_equal(gy, wy)
        np.testing.assert_array_equal(np.concatenate([g[0] for g in got]), dense[order])


def _fit(X: object, y: np.ndarray, backend: str = "native") -> mc.Network:
    net = mc.Network(
        [mc.Dense(6, 5, "relu"), mc.Dense(5, 3, "softmax")],
        loss="cross_entropy",
        dtype="float32",
        backend=backend,
        seed=3,
    )
    net.fit(X, y, epochs=2, batch_size=8, optimizer=mc.Adam(0.01))
    return net


def test_fit_takes_any_input_without_converting_it(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    base = rng.integers(-3, 4, size=(40, 6)).astype(np.float64)
    y = rng.integers(0, 3, size=40)
    expected = _fit(base.astype(np.float32), y).layers[0].W
    mm = np.lib.format.open_memmap(
        tmp_path / "x.npy", mode="w+", dtype=np.int16, shape=(40, 6)
    )
    mm[:] = base
    inputs = {
        **_layouts(base),
        "int16 memmap": mm,
        "float16": base.astype(np.float16),
    }
    try:  # scipy is optional: sparse inputs are tested where it is installed
        from scipy import sparse

        inputs.update(csr=sparse.csr_matrix(base), csc=sparse.csc_matrix(base))
    except ImportError:
        pass
    for name, X in inputs.items():
        for backend in ("native", "numpy"):
            W = _fit(X, y, backend).layers[0].W
            np.testing.assert_allclose(
                W, expected, rtol=0, atol=1e-5, err_msg=f"{name} {backend}"
            )


def test_fit_rejects_non_finite_and_badly_shaped_data() -> None:
    X = np.ones((10, 6))
    X[7, 2] = np.nan
    with pytest.raises(
        mc.ValidationError, match="X: expected finite values, got 1 NaN"
    ):
        _fit(X, np.zeros(10, dtype=int))
    with pytest.raises(mc.ValidationError, match=r"X: expected shape \(n, 6\)"):
        _fit(np.ones((10, 5)), np.zeros(10, dtype=int))


def test_fit_rejects_values_beyond_the_model_dtype() -> None:
    X = np.ones((10, 6))
    X[3, 1] = -1e39  # finite in float64, Inf once converted to the float32 model
    with pytest.raises(mc.ValidationError, match="range of float32, got magnitudes"):
        _fit(X, np.zeros(10, dtype=int))
