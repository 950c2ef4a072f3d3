"""make_spiral, make_moons, make_xor: shapes, seeds, and the geometry they promise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mlpcore as mc
from mlpcore.datasets import make_moons, make_spiral, make_xor

MAKERS: list[Callable[..., Any]] = [make_spiral, make_moons, make_xor]


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_dtypes_and_seeds(make: Callable[..., Any]) -> None:
    X, y = make(101, seed=4)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    X2, y2 = make(101, seed=4)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(101, seed=5)[0], X)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # classes (xor: corners) take turns


def test_spiral_geometry() -> None:
    X, y = make_spiral(30, n_classes=3, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [10, 10, 10]
    for k in range(3):
        arm = X[y == k]
        r = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(r)
        np.testing.assert_allclose(r[order], np.linspace(0, 1, 10), atol=1e-12)
        # t = 4 (k + r), and X = r (sin t, cos t)
        t = 4 * (k + r[order])
        expected = np.column_stack([r[order] * np.sin(t), r[order] * np.cos(t)])
        np.testing.assert_allclose(arm[order], expected, atol=1e-12)
    assert np.bincount(make_spiral(7, n_classes=3)[1]).tolist() == [3, 2, 2]


def test_moons_geometry() -> None:
    X, y = make_moons(50, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert len(upper) == 25 and len(lower) == 25
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(
        np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12
    )
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_xor_truth_table() -> None:
    X, y = make_xor(4, noise=0.0)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    X, y = make_xor(400, noise=0.1, seed=0)
    corners = np.round(X)
    assert (y == (corners[:, 0] != corners[:, 1])).mean() > 0.99
    assert np.bincount(y).tolist() == [200, 200]


def test_no_line_separates_xor_but_a_hidden_layer_does() -> None:
    X, y = make_xor(4, noise=0.0)
    net = mc.Network(
        [mc.Dense(2, 4, "tanh"), mc.Dense(4, 1, "sigmoid")],
        loss="binary_cross_entropy",
        dtype="float64",
        seed=1,
    )
    net.fit(X, y, epochs=300, batch_size=4, optimizer=mc.Adam(0.05))
    assert net.evaluate(X, y)["accuracy"] == 1.0


def test_bad_arguments() -> None:
    with pytest.raises(mc.ValidationError, match="n_samples: expected an integer >= 1"):
        make_spiral(0)
    with pytest.raises(mc.ValidationError, match="n_classes: expected an integer >= 2"):
        make_spiral(10, n_classes=1)
    with pytest.raises(
        mc.ValidationError, match="noise: expected a finite number >= 0"
    ):
        make_moons(10, noise=-0.1)
    with pytest.raises(mc.ValidationError, match="n_samples: expected an integer >= 2"):
        make_moons(1)
    with pytest.raises(mc.DTypeError, match="n_samples: expected an integer"):
        make_xor(3.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("make", MAKERS)
def test_bad_seed(make: Callable[..., Any]) -> None:
    with pytest.raises(mc.ValidationError, match="seed: expected an integer >= 0"):
        make(10, seed=-1)
    with pytest.raises(mc.DTypeError, match="seed: expected an integer"):
        make(10, seed="0")
