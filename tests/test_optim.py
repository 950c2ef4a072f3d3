"""Optimizers against hand-computed updates, both backends and dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import mlpcore as mc


def _net(backend: str, dtype: Any) -> tuple[mc.Network, list[mc.Gradient]]:
    net = mc.Network(
        [mc.Dense(2, 2, W=[[1.0, -2.0], [0.5, 3.0]], b=[0.1, -0.2])],
        loss="quadratic",
        dtype=dtype,
        backend=backend,
    )
    grads = [
        mc.Gradient(
            np.array([[0.5, -1.0], [2.0, 0.25]], dtype=dtype),
            np.array([1.0, -0.5], dtype=dtype),
        )
    ]
    return net, grads


def test_sgd_is_w_minus_lr_grad(backend_name: str, dtype: Any) -> None:
    net, grads = _net(backend_name, dtype)
    W0 = net.layers[0].W.copy()
    mc.SGD(lr=0.5).step(net, grads)
    np.testing.assert_array_equal(net.layers[0].W, W0 - dtype.type(0.5) * grads[0].W)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_two_steps_by_hand(
    backend_name: str, dtype: Any, nesterov: bool
) -> None:
    net, grads = _net(backend_name, dtype)
    w = net.layers[0].W.astype(np.float64)
    g = grads[0].W.astype(np.float64)
    opt = mc.Momentum(lr=0.1, momentum=0.9, nesterov=nesterov)
    v = np.zeros_like(w)
    for _ in range(2):
        opt.step(net, grads)
        v = 0.9 * v + g
        w = w - 0.1 * (g + 0.9 * v if nesterov else v)
    np.testing.assert_allclose(
        net.layers[0].W, w, rtol=1e-6 if dtype == np.float32 else 1e-15
    )


def test_adam_three_steps_by_hand(backend_name: str, dtype: Any) -> None:
    net, grads = _net(backend_name, dtype)
    b = net.layers[0].b.astype(np.float64)
    g = grads[0].b.astype(np.float64)
    opt = mc.Adam(lr=0.01)
    m = v = np.zeros_like(b)
    for t in range(1, 4):
        opt.step(net, grads)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        b = b - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    assert opt.steps == 3
    np.testing.assert_allclose(
        net.layers[0].b, b, rtol=1e-6 if dtype == np.float32 else 1e-14
    )


def test_first_adam_step_moves_each_weight_by_lr(backend_name: str) -> None:
    net, grads = _net(backend_name, "float64")
    W0 = net.layers[0].W.copy()
    mc.Adam(lr=0.01).step(net, grads)
    np.testing.assert_allclose(
        net.layers[0].W, W0 - 0.01 * np.sign(grads[0].W), rtol=1e-9
    )


def test_state_is_renewed_when_a_layer_is_resized() -> None:
    net, grads = _net("native", "float64")
    opt = mc.Momentum(lr=0.1)
    opt.step(net, grads)
    net2 = mc.Network(
        [mc.Dense(2, 1, W=[[1.0], [1.0]])], loss="quadratic", dtype="float64"
    )
    g2 = [mc.Gradient(np.array([[1.0], [2.0]]), np.array([1.0]))]
    opt.step(net2, g2)  # a different layer: fresh zero velocity, so v = g
    np.testing.assert_allclose(net2.layers[0].W, [[0.9], [0.8]])


def test_step_rejects_mismatched_gradients() -> None:
    net, grads = _net("native", "float64")
    with pytest.raises(mc.ValidationError, match="grads: expected 1"):
        mc.SGD().step(net, grads * 2)
    bad = [mc.Gradient(np.zeros((3, 2)), grads[0].b)]
    with pytest.raises(
        mc.ValidationError, match=r"grads\[0\].W: expected shape \(2, 2\)"
    ):
        mc.SGD().step(net, bad)
    with pytest.raises(mc.DTypeError, match=r"grads\[0\].b"):
        mc.SGD().step(net, [mc.Gradient(grads[0].W, grads[0].b.astype(np.float32))])
