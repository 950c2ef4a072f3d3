"""The bundled 8×8 handwritten digits (UCI ML, CC BY 4.0)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["load_digits"]


def load_digits() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The 1,797 digit images of the UCI "Optical Recognition of Handwritten Digits"
    set (Alpaydin & Kaynak, 1998; CC BY 4.0), as shipped with scikit-learn.

    Returns
    -------
    X : ndarray (1797, 64), float64
        Pixel intensities 0..16, each row an 8×8 image flattened row by row.
    y : ndarray (1797,), int64
        The digit, 0..9.
    """
    source = resources.files("mlpcore.datasets").joinpath("digits.npz")
    with source.open("rb") as handle, np.load(handle) as archive:
        images: NDArray[Any] = archive["images"]
        target: NDArray[Any] = archive["target"]
    return images.reshape(len(images), -1).astype(np.float64), target.astype(np.int64)
