"""Check backpropagation against central finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validation import check_finite, check_int, check_positive
from .network import Network

__all__ = ["gradient_check"]


def gradient_check(
    net: Network,
    X: object,
    y: object,
    *,
    eps: float = 1e-6,
    max_entries: int = 256,
    seed: int = 0,
) -> float:
    """The largest relative error between ``net.gradients`` and finite differences.

    Works on a float64 copy of ``net`` (same backend), so float32 networks are
    checked without float32 rounding noise. For each parameter array it compares
    the analytic gradient ``g`` with central differences
    ``ĝ_j = (C(w + ε e_j) − C(w − ε e_j)) / (2ε)`` on up to ``max_entries``
    randomly chosen entries, and measures the normwise relative error
    ``‖g − ĝ‖ / max(‖g‖, ‖ĝ‖, 1e-12)``; it returns the maximum over all arrays.
    Correct backpropagation gives ~1e-9 or less (errors near 1e-6 or above mean a
    bug, or a relu kink within ε of an input).

    Parameters
    ----------
    net : Network
    X, y : array_like
        A (small) batch and its targets, as for :meth:`Network.gradients`.
    eps : float
        The step ε.
    max_entries : int
        Entries checked per parameter array (all of them if the array is smaller).
    seed : int
        Chooses the entries.
    """
    eps = check_positive(eps, "eps")
    max_entries = check_int(max_entries, "max_entries")
    copy = net.copy(dtype="float64")
    x = copy._inputs(X)
    check_finite(x, "X")
    t = copy._targets(y, x.shape[0])
    _, grads = copy.gradients(x, t)
    rng = np.random.default_rng(seed)

    def cost() -> float:
        output = copy._forward(x)[-1].a
        return copy.backend.kernels.loss(copy.loss, output, t)

    worst = 0.0
    for layer, grad in zip(copy.layers, grads, strict=False):
        for param, analytic in ((layer.W, grad.W), (layer.b, grad.b)):
            flat, g = param.reshape(-1), analytic.reshape(-1)
            chosen = np.arange(flat.size)
            if flat.size > max_entries:
                chosen = rng.choice(flat.size, size=max_entries, replace=False)
            numeric = np.empty(chosen.size)
            for j, index in enumerate(chosen):
                saved = flat[index]
                flat[index] = saved + eps
                plus = cost()
                flat[index] = saved - eps
                minus = cost()
                flat[index] = saved
                numeric[j] = (plus - minus) / (2 * eps)
            worst = max(worst, _relative_error(g[chosen], numeric))
    return worst


def _relative_error(a: NDArray[Any], b: NDArray[Any]) -> float:
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(a - b)) / scale
