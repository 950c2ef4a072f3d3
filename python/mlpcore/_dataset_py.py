"""The NumPy twin of the Cython data source ``_dataset.Dataset``: same interface,
same batches, plain NumPy fancy indexing (one batch-sized temporary per fill)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["NumpyDataset"]


class NumpyDataset:
    """Rows of X and targets t, gathered batch by batch into ``x_batch``/``y_batch``.

    Accepts everything ``_dataset.Dataset`` accepts, plus any other numeric dtype
    (float16, byte-swapped arrays) and any SciPy sparse format with row indexing.
    """

    def __init__(self, X: Any, t: NDArray[Any], dtype: Any, batch_size: int) -> None:
        self.X = X
        self.t = t
        self._n = X.shape[0]
        self.x_batch = np.empty((batch_size, X.shape[1]), dtype=dtype)
        shape = (batch_size,) if t.ndim == 1 else (batch_size, t.shape[1])
        self.y_batch = np.empty(shape, dtype=t.dtype)
        self.set_order(np.arange(self._n, dtype=np.int64))

    def set_order(self, order: NDArray[np.integer[Any]]) -> None:
        """Use ``order`` (a permutation of the rows) for the following fills."""
        self._order = np.asarray(order, dtype=np.int64)

    def fill(self, start: int, stop: int) -> int:
        """Copy rows order[start:stop] into the batch buffers; return their number."""
        rows = self._order[start:stop]
        m = len(rows)
        if m <= 0 or m > self.x_batch.shape[0]:
            raise ValueError("fill: rows outside the batch buffers")
        batch = self.X[rows]
        self.x_batch[:m] = batch.toarray() if hasattr(batch, "toarray") else batch
        self.y_batch[:m] = self.t[rows]
        return m
