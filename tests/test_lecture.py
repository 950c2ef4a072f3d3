"""The lecture's worked numbers (../shared/lecture), exactly, on both backends and dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np

import mlpcore as mc

LECTURE_W1 = [[4, 3, 1, 1], [1, 4, 4, 3], [3, 4, 3, 2]]
LECTURE_W2 = [[4], [2], [1], [3]]


def test_perceptron_gives_12_not_the_slides_15(backend_name: str, dtype: Any) -> None:
    # x = (1, 2), w = (3, 4), b = 1: 1*3 + 2*4 + 1 = 12 (the slide prints 15, a slip)
    layer = mc.Dense(2, 1, "linear", W=[[3], [4]], b=[1])
    net = mc.Network([layer], loss="quadratic", dtype=dtype, backend=backend_name)
    output = net.forward([[1, 2]])
    assert output.dtype == dtype
    assert output.tolist() == [[12.0]]


def test_perceptron_with_sigmoid(backend_name: str) -> None:
    layer = mc.Dense(2, 1, "sigmoid", W=[[3], [4]], b=[1])
    net = mc.Network([layer], loss="quadratic", dtype="float64", backend=backend_name)
    assert np.isclose(net.forward([[1, 2]])[0, 0], 1 / (1 + np.exp(-12.0)), rtol=1e-15)


def test_three_four_one_network_gives_163(backend_name: str, dtype: Any) -> None:
    net = mc.Network(
        [
            mc.Dense(3, 4, "linear", W=LECTURE_W1),
            mc.Dense(4, 1, "linear", W=LECTURE_W2),
        ],
        loss="quadratic",
        dtype=dtype,
        backend=backend_name,
    )
    hidden, output = net.trace([[1, 2, 3]])
    assert hidden.z.tolist() == [[15, 23, 18, 13]]
    assert hidden.a.tolist() == [[15, 23, 18, 13]]
    assert output.z.tolist() == [[163]]
    assert net.forward([[1, 2, 3]]).tolist() == [[163]]


def test_activations_on_sample_inputs(backend_name: str) -> None:
    backend = mc.get_backend(backend_name)
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert backend.activation_forward("linear", z).tolist() == z.tolist()
    assert backend.activation_forward("relu", z).tolist() == [0, 0, 0, 0.5, 2]
    np.testing.assert_allclose(
        backend.activation_forward("sigmoid", z), 1 / (1 + np.exp(-z)), rtol=1e-15
    )
    e_pos, e_neg = np.exp(z), np.exp(-z)
    np.testing.assert_allclose(
        backend.activation_forward("tanh", z),
        (e_pos - e_neg) / (e_pos + e_neg),
        rtol=1e-14,
        atol=1e-16,
    )


def test_costs_match_the_slide_formulas(backend_name: str) -> None:
    backend = mc.get_backend(backend_name)
    y_hat = np.array([0.9, 0.2, 0.6])
    y = np.array([1.0, 0.0, 1.0])
    assert np.isclose(
        backend.loss("quadratic", y_hat, y), 0.5 * (0.01 + 0.04 + 0.16), rtol=1e-15
    )
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3
    assert np.isclose(
        backend.loss("binary_cross_entropy", y_hat, y), expected, rtol=1e-15
    )


def _linear_model(backend_name: str, dtype: Any) -> mc.Network:
    layer = mc.Dense(2, 1, "linear", W=[[0.5], [-1.0]], b=[0.25])
    return mc.Network([layer], loss="quadratic", dtype=dtype, backend=backend_name)


def test_backprop_slide_partial_derivatives(backend_name: str) -> None:
    # C = Σ (w1 x1 + w2 x2 + b − y)²: ∂C/∂w1 = 2 Σ x1 (ŷ − y), ... mlpcore's
    # "quadratic" carries the ½, so its gradient is exactly half the slide's.
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]])
    y = np.array([1.0, -2.0, 0.5])
    net = _linear_model(backend_name, "float64")
    residual = X @ np.array([0.5, -1.0]) + 0.25 - y
    slide = {
        "w1": 2 * np.sum(X[:, 0] * residual),
        "w2": 2 * np.sum(X[:, 1] * residual),
        "b": 2 * np.sum(residual),
    }
    loss, grads = net.gradients(X, y)
    assert np.isclose(loss, 0.5 * np.sum(residual**2), rtol=1e-15)
    np.testing.assert_allclose(
        2 * grads[0].W[:, 0], [slide["w1"], slide["w2"]], rtol=1e-14
    )
    np.testing.assert_allclose(2 * grads[0].b, [slide["b"]], rtol=1e-14)
    assert mc.gradient_check(net, X, y) < 1e-8


def test_one_gradient_descent_step_is_w_minus_gamma_grad(
    backend_name: str, dtype: Any
) -> None:
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([1.0, -2.0])
    net = _linear_model(backend_name, dtype)
    W0, b0 = net.layers[0].W.copy(), net.layers[0].b.copy()
    _, grads = net.gradients(X, y)
    gamma = 0.125
    mc.SGD(lr=gamma).step(net, grads)
    np.testing.assert_array_equal(net.layers[0].W, W0 - dtype.type(gamma) * grads[0].W)
    np.testing.assert_array_equal(net.layers[0].b, b0 - dtype.type(gamma) * grads[0].b)
