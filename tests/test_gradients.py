"""Backpropagation against central finite differences, every allowed pairing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import mlpcore as mc

PAIRINGS = [
    (act, loss)
    for act, loss in itertools.product(mc.ACTIVATIONS, mc.LOSSES)
    if mc.LOSSES[loss].output_activations is None
    or act in mc.LOSSES[loss].output_activations
]


def test_pairings_cover_every_activation_and_loss() -> None:
    assert {a for a, _ in PAIRINGS} == set(mc.ACTIVATIONS)
    assert {loss for _, loss in PAIRINGS} == set(mc.LOSSES)
    assert len(PAIRINGS) == 14


def _problem(
    output: str, loss: str, hidden: str, seed: int = 0
) -> tuple[mc.Network, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n, n_out = 6, 3
    X = rng.standard_normal((n, 4))
    if loss == "cross_entropy":
        y = rng.integers(0, n_out, size=n)
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(n, n_out)).astype(float)
    else:
        y = rng.standard_normal((n, n_out))
    net = mc.Network(
        [mc.Dense(4, 5, hidden), mc.Dense(5, 5, hidden), mc.Dense(5, n_out, output)],
        loss=loss,
        dtype="float64",
        seed=seed,
    )
    for layer in net.layers:  # non-zero biases exercise ∂C/∂b properly
        layer.b = rng.standard_normal(layer.n_out) * 0.1
    return net, X, y


@pytest.mark.parametrize(("output", "loss"), PAIRINGS)
def test_gradient_check_every_pairing(
    backend_name: str, output: str, loss: str
) -> None:
    net, X, y = _problem(output, loss, hidden="tanh")
    net.backend = backend_name
    assert mc.gradient_check(net, X, y) < 1e-6


@pytest.mark.parametrize("hidden", list(mc.ACTIVATIONS))
def test_gradient_check_every_hidden_activation(backend_name: str, hidden: str) -> None:
    net, X, y = _problem("softmax", "cross_entropy", hidden=hidden, seed=1)
    net.backend = backend_name
    assert mc.gradient_check(net, X, y) < 1e-6


def test_one_hot_targets_give_the_same_gradients_as_labels(backend_name: str) -> None:
    net, X, labels = _problem("softmax", "cross_entropy", hidden="relu")
    net.backend = backend_name
    loss_l, grads_l = net.gradients(X, labels)
    loss_h, grads_h = net.gradients(X, np.eye(3)[labels])
    assert np.isclose(loss_l, loss_h, rtol=1e-14)
    for gl, gh in zip(grads_l, grads_h, strict=False):
        np.testing.assert_allclose(gl.W, gh.W, rtol=1e-13, atol=1e-15)


def test_gradient_check_detects_a_wrong_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the checker itself must be able to fail: corrupt the backward pass
    net, X, y = _problem("linear", "mse", hidden="tanh")
    net.backend = "numpy"
    kernels = net.backend.kernels
    original = kernels.dense_backward

    def wrong(*args: object) -> tuple[object, ...]:
        grad_x, grad_W, grad_b = original(*args)  # type: ignore[arg-type]
        return grad_x, grad_W * 1.01, grad_b

    monkeypatch.setattr(kernels, "dense_backward", wrong)
    assert mc.gradient_check(net, X, y) > 1e-3


def test_gradient_check_of_a_float32_network_runs_in_float64() -> None:
    net, X, y = _problem("softmax", "cross_entropy", hidden="relu")
    net32 = net.copy(dtype="float32")
    assert net32.dtype == np.float32
    assert mc.gradient_check(net32, X.astype(np.float32), y) < 1e-6
    assert net32.dtype == np.float32
