"""Small synthetic 2-D problems that a straight line cannot separate.

Each generator is seeded (the same ``seed`` gives the same points), returns float64
inputs ``X`` of shape (n_samples, 2) and int64 labels ``y`` of shape (n_samples,), and
is small enough to train on in well under a second — for pictures of decision
boundaries and for the examples.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._validation import check_int, check_positive, check_seed

__all__ = ["make_moons", "make_spiral", "make_xor"]

Dataset = tuple[NDArray[np.float64], NDArray[np.int64]]


def make_spiral(
    n_samples: int = 300,
    *,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int | None = 0,
) -> Dataset:
    """Interleaved spiral arms, one per class (the CS231n spiral).

    Arm ``k`` holds ``m`` points ``j = 0, …, m − 1`` at radius ``r_j = j / (m − 1)``
    and angle ``t_j = 4 (k + r_j) + noise · ε_j`` (ε standard normal)::

        X_j = r_j (sin t_j, cos t_j),   y_j = k

    Parameters
    ----------
    n_samples : int
        Total number of points, shared as evenly as possible between the arms
        (the first ``n_samples % n_classes`` arms get one more).
    n_classes : int
        Number of arms (classes), >= 2.
    noise : float
        Standard deviation of the angle noise, in radians (>= 0).
    seed : int or None
        Seeds ``numpy.random.default_rng``; the points are returned shuffled.

    Returns
    -------
    X : ndarray (n_samples, 2), float64
        Inside the unit disc.
    y : ndarray (n_samples,), int64
        The arm, ``0 … n_classes − 1``.
    """
    n_samples = check_int(n_samples, "n_samples")
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = np.random.default_rng(check_seed(seed))
    sizes = [
        n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)
    ]
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)  # one point: r = 0
        t = 4.0 * (k + r) + noise * rng.standard_normal(m)
        X[start : start + m] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[start : start + m] = k
        start += m
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_moons(
    n_samples: int = 200, *, noise: float = 0.1, seed: int | None = 0
) -> Dataset:
    """Two interleaving half circles (scikit-learn's ``make_moons`` shapes).

    With ``θ`` evenly spaced in ``[0, π]``, class 0 lies on ``(cos θ, sin θ)`` and
    class 1 on ``(1 − cos θ, 1/2 − sin θ)``; Gaussian noise of standard deviation
    ``noise`` is added to every coordinate.

    Parameters
    ----------
    n_samples : int
        Total number of points (>= 2); class 0 gets ``ceil(n_samples / 2)``.
    noise : float
        Standard deviation of the added noise (>= 0).
    seed : int or None
        Seeds ``numpy.random.default_rng``; the points are returned shuffled.

    Returns
    -------
    X : ndarray (n_samples, 2), float64
    y : ndarray (n_samples,), int64
        0 (upper moon) or 1 (lower moon).
    """
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = np.random.default_rng(check_seed(seed))
    n_upper = n_samples - n_samples // 2
    n_lower = n_samples // 2
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate(
        [
            np.column_stack([np.cos(upper), np.sin(upper)]),
            np.column_stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)]),
        ]
    )
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_xor(
    n_samples: int = 200, *, noise: float = 0.1, seed: int | None = 0
) -> Dataset:
    """The XOR problem: the four corners of the unit square, labelled ``x₁ XOR x₂``.

    Sample ``i`` sits at corner ``c = ((i // 2) % 2, i % 2)`` plus Gaussian noise of
    standard deviation ``noise``; its label is ``c₁ XOR c₂``. So
    ``make_xor(4, noise=0)`` is exactly the truth table
    ``(0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0`` — the classic problem a single layer
    (one line) cannot solve and two layers can.

    Parameters
    ----------
    n_samples : int
        Number of points; the corners take turns, so each gets about a quarter.
    noise : float
        Standard deviation of the noise around each corner (>= 0).
    seed : int or None
        Seeds ``numpy.random.default_rng`` (the noise).

    Returns
    -------
    X : ndarray (n_samples, 2), float64
    y : ndarray (n_samples,), int64
        0 or 1.
    """
    n_samples = check_int(n_samples, "n_samples")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = np.random.default_rng(check_seed(seed))
    i = np.arange(n_samples)
    corners = np.column_stack([(i // 2) % 2, i % 2]).astype(np.float64)
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return corners + noise * rng.standard_normal(corners.shape), y
