"""Checks the training data once and picks its minibatch source (Cython or NumPy).

Nothing here copies X: it is validated in place (finiteness in bounded chunks) and
handed to the data source, which converts one batch at a time. Targets are small
(one row per sample, n_out values) and are encoded once by ``Network._targets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._validation import as_array, check_shape, describe
from .errors import DTypeError, ValidationError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["make_source"]

#: rows per chunk of the finiteness scan (bounds its temporary)
_SCAN_ROWS = 4096


def _is_sparse(X: object) -> bool:
    return hasattr(X, "tocsr") and hasattr(X, "nnz")


def _native_bound(x: np.ndarray) -> float | None:
    """max |x| in one pass on the kernels' threads (inf on NaN/Inf), or None for an
    array the core cannot read in place (e.g. byte-swapped, or a structured field's
    unaligned view): the core's own argument checks decide, not a copy of them."""
    try:
        return float(_core.max_abs(x))
    except (TypeError, ValueError):
        return None


def _numpy_bound(x: np.ndarray) -> float:
    """max |x| by NumPy, a chunk of rows at a time (inf on NaN/Inf)."""
    bound = 0.0
    for start in range(0, x.shape[0], _SCAN_ROWS):
        chunk = x[start : start + _SCAN_ROWS]
        # NaN propagates through max/min and Inf shows as one: no mask needed
        high, low = float(chunk.max()), float(chunk.min())
        if not (np.isfinite(high) and np.isfinite(low)):
            return float("inf")
        bound = max(bound, high, -low)
    return bound


def check_data(net: Network, X: object, name: str = "X") -> tuple[Any, float]:
    """``X`` validated for ``net`` — an ndarray as given (no copy) or a CSR matrix —
    and a bound on its magnitudes (one scan without temporaries beyond a chunk's
    reduction; the engine's divergence proof uses it instead of scanning each batch)."""
    if _is_sparse(X):
        x: Any = X.tocsr()  # type: ignore[attr-defined]
        if x.ndim != 2 or x.shape[1] != net.n_in or x.shape[0] == 0:
            raise ValidationError(
                f"{name}: expected shape (n, {net.n_in}) (n_samples, n_in), got {x.shape}"
            )
        if x.data.dtype.kind not in "biuf":
            raise DTypeError(
                f"{name}: expected numeric values, got dtype {x.data.dtype}"
            )
        if x.data.dtype != net.dtype:  # one conversion of the stored values
            x = x.astype(net.dtype)
        if x.indices.dtype != x.indptr.dtype:
            x.indices = x.indices.astype(x.indptr.dtype)
        if not np.isfinite(x.data).all():
            raise ValidationError(
                f"{name}: expected finite values, got NaN or Inf entries"
            )
        bound = float(np.abs(x.data).max()) if x.nnz else 0.0
        return x, bound
    x = as_array(X, name, 2)
    check_shape(x, name, (None, net.n_in), "(n_samples, n_in)")
    if x.dtype.kind == "b":
        return x, 1.0
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        return x, float(max(-int(info.min), int(info.max)))
    native = _native_bound(x) if net.backend.name == "native" else None
    bound = _numpy_bound(x) if native is None else native
    if not np.isfinite(bound):
        bad = sum(
            int(np.size(c) - np.count_nonzero(np.isfinite(c)))
            for c in (x[s : s + _SCAN_ROWS] for s in range(0, len(x), _SCAN_ROWS))
        )
        raise ValidationError(
            f"{name}: expected finite values, got {bad} NaN or Inf entries"
        )
    if bound > float(np.finfo(net.dtype).max):
        raise ValidationError(
            f"{name}: expected values within the range of {net.dtype}, "
            f"got magnitudes up to {bound:.3g}"
        )
    return x, bound


def make_source(
    net: Network, X: object, y: object, batch_size: int
) -> tuple[Any, float]:
    """A data source over (X, y) with batch buffers of ``batch_size`` rows — the
    Cython ``Dataset`` on the native backend when it reads X's dtype, else the NumPy
    twin — and a bound on X's magnitudes (see :func:`check_data`)."""
    x, bound = check_data(net, X)
    t = net._targets(y, x.shape[0])
    rows = min(batch_size, x.shape[0])
    if net.backend.name == "native":
        from ._dataset import Dataset

        try:
            return Dataset(x, t, net.dtype, rows), bound
        except TypeError:
            pass  # a dtype the Cython loops do not read: the NumPy twin does
    from ._dataset_py import NumpyDataset

    if not isinstance(x, np.ndarray) and not _is_sparse(x):
        raise DTypeError(f"X: expected an array, got {describe(X)}")
    return NumpyDataset(x, t, net.dtype, rows), bound
