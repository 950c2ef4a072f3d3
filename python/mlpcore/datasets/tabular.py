"""A user's own table for ``mlpcore train --data``: CSV, .npy or .npz.

Formats
-------
``.csv``
    A header row of column names, then one sample per row, comma-separated. Every
    column except the target must be numeric; the target may hold numbers or
    labels (any text). Empty cells are refused.
``.npy``
    One 2-D numeric array, a sample per row; the target is a column *index*
    (``--target 3``, negative counts from the end), the last column by default.
``.npz``
    Arrays ``X`` (n_samples, n_features) and ``y`` (n_samples,) — the keys
    :data:`NPZ_KEYS`; ``target`` names another key for ``y`` if given.

The task is classification when the target is text or boolean, or integer-valued
with at most :data:`MAX_CLASSES` distinct values; regression otherwise.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError

__all__ = ["MAX_CLASSES", "NPZ_KEYS", "Table", "infer_task", "load_table"]

#: keys of the features and the target in an .npz file
NPZ_KEYS = ("X", "y")
#: an integer-valued target with more distinct values than this is regression
MAX_CLASSES = 20


@dataclass(frozen=True)
class Table:
    """Features, target and names read by :func:`load_table`."""

    X: NDArray[np.float64]
    y: NDArray[Any]
    feature_names: list[str]
    target_name: str


def load_table(path: str | os.PathLike[str], target: str | None = None) -> Table:
    """Read a table; see the module docstring for the formats.

    Parameters
    ----------
    path : path to a ``.csv``, ``.npy`` or ``.npz`` file
    target : str, optional
        The target column's name (CSV), index (.npy) or key (.npz); by default the
        last column (CSV, .npy) or ``"y"`` (.npz).

    Raises
    ------
    ValidationError
        Unknown extension or target, non-numeric features, empty cells, ragged rows.
    FileNotFoundError
        If ``path`` does not exist.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return _load_csv(file, target)
    if suffix == ".npy":
        return _load_npy(file, target)
    if suffix == ".npz":
        return _load_npz(file, target)
    raise ValidationError(
        f"data: expected a .csv, .npy or .npz file, got {str(file)!r}"
    )


def _load_csv(file: Path, target: str | None) -> Table:
    with file.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if len(rows) < 3:
        raise ValidationError(
            f"data: expected a header and at least two rows in {file}, got {len(rows)} line(s)"
        )
    header = [name.strip() for name in rows[0]]
    name = header[-1] if target is None else target
    if name not in header:
        raise ValidationError(
            f"target: expected one of the columns {header}, got {name!r}"
        )
    column = header.index(name)
    cells = np.array(rows[1:], dtype=object)
    if cells.ndim != 2 or cells.shape[1] != len(header):
        lengths = sorted({len(row) for row in rows[1:]})
        raise ValidationError(
            f"data: expected {len(header)} cells in every row of {file}, got {lengths}"
        )
    cells = np.vectorize(str.strip, otypes=[object])(cells)
    if (cells == "").any():
        row, col = np.argwhere(cells == "")[0]
        raise ValidationError(
            f"data: expected no empty cells, got one in row {row + 2}, "
            f"column {header[col]!r} of {file}"
        )
    features = [i for i in range(len(header)) if i != column]
    try:
        X = cells[:, features].astype(np.float64)
    except ValueError as exc:
        raise ValidationError(
            f"data: expected numeric feature columns in {file}, got {exc}"
        ) from exc
    y = cells[:, column].astype(str)
    try:  # numeric targets as numbers, labels as text
        y = y.astype(np.float64)
    except ValueError:
        pass
    return Table(X, y, [header[i] for i in features], name)


def _load_npy(file: Path, target: str | None) -> Table:
    data = np.load(file, allow_pickle=False)
    if data.ndim != 2 or data.shape[1] < 2 or data.dtype.kind not in "biuf":
        raise ValidationError(
            f"data: expected a 2-D numeric array with >= 2 columns in {file}, "
            f"got shape {data.shape} and dtype {data.dtype}"
        )
    try:
        column = -1 if target is None else int(target)
        column = range(data.shape[1])[column]
    except (ValueError, IndexError) as exc:
        raise ValidationError(
            f"target: expected a column index in [-{data.shape[1]}, {data.shape[1]}) "
            f"for an .npy file, got {target!r}"
        ) from exc
    features = [i for i in range(data.shape[1]) if i != column]
    names = [f"column {i}" for i in features]
    return Table(
        data[:, features].astype(np.float64), data[:, column], names, f"column {column}"
    )


def _load_npz(file: Path, target: str | None) -> Table:
    x_key, y_key = NPZ_KEYS[0], NPZ_KEYS[1] if target is None else target
    with np.load(file, allow_pickle=False) as archive:
        missing = [k for k in (x_key, y_key) if k not in archive.files]
        if missing:
            raise ValidationError(
                f"data: expected arrays {[x_key, y_key]} in {file}, got {archive.files}"
            )
        X, y = archive[x_key], archive[y_key]
    if X.ndim != 2 or X.dtype.kind not in "biuf" or y.ndim != 1 or len(y) != len(X):
        raise ValidationError(
            f"data: expected {x_key} (n_samples, n_features) numeric and {y_key} "
            f"(n_samples,) in {file}, got shapes {X.shape} and {y.shape}"
        )
    names = [f"x{i}" for i in range(X.shape[1])]
    return Table(X.astype(np.float64), y, names, y_key)


def infer_task(y: NDArray[Any]) -> str:
    """``"classification"`` for text/boolean targets and integer-valued ones with
    at most :data:`MAX_CLASSES` distinct values, ``"regression"`` otherwise."""
    if y.dtype.kind in "OUSb":
        return "classification"
    values = np.asarray(y, dtype=np.float64)
    integral = bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))
    if integral and len(np.unique(values)) <= MAX_CLASSES:
        return "classification"
    return "regression"
