from typing import Any

import numpy as np
from numpy.typing import NDArray

KINDS: tuple[str, ...]

class Dataset:
    x_batch: NDArray[np.floating[Any]]
    y_batch: NDArray[Any]
    X: Any
    t: NDArray[Any]
    def __init__(
        self, X: Any, t: NDArray[Any], dtype: Any, batch_size: int
    ) -> None: ...
    def set_order(self, order: NDArray[np.integer[Any]]) -> None: ...
    def fill(self, start: int, stop: int) -> int: ...
