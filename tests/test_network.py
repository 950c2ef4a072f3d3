"""The Network API: forward, trace, predict, evaluate, weights as NumPy arrays."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_parity

import mlpcore as mc


def _net(backend: str = "native", dtype: str = "float64", seed: int = 0) -> mc.Network:
    return mc.Network(
        [mc.Dense(4, 8, "relu"), mc.Dense(8, 3, "softmax")],
        loss="cross_entropy",
        dtype=dtype,
        backend=backend,
        seed=seed,
    )


def test_forward_is_the_chain_of_layers(backend_name: str) -> None:
    net = _net(backend_name)
    X = np.random.default_rng(0).standard_normal((5, 4))
    W1, b1, W2, b2 = (
        net.layers[0].W,
        net.layers[0].b,
        net.layers[1].W,
        net.layers[1].b,
    )
    hidden = np.maximum(X @ W1 + b1, 0)
    logits = hidden @ W2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)
    trace = net.trace(X)
    assert len(trace) == 2
    np.testing.assert_allclose(trace[0].z, X @ W1 + b1, rtol=1e-12)
    np.testing.assert_allclose(trace[0].a, hidden, rtol=1e-12)
    np.testing.assert_allclose(trace[1].z, logits, rtol=1e-12)
    np.testing.assert_array_equal(net.predict(X), expected.argmax(axis=1))


def test_seed_reproduces_the_network() -> None:
    a, b, c = _net(seed=7), _net(seed=7), _net(seed=8)
    for la, lb, lc in zip(a.layers, b.layers, c.layers, strict=False):
        np.testing.assert_array_equal(la.W, lb.W)
        assert not np.array_equal(la.W, lc.W)


def test_initialisation_follows_the_documented_scales() -> None:
    relu = mc.Dense(400, 300, "relu", seed=0)
    assert relu.W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He normal
    tanh = mc.Dense(400, 300, "tanh", seed=0)
    limit = np.sqrt(6 / 700)  # Glorot uniform
    assert np.abs(tanh.W).max() <= limit
    assert tanh.W.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    assert np.array_equal(relu.b, np.zeros(300))


def test_weights_are_assignable_numpy_arrays(backend_name: str) -> None:
    net = _net(backend_name)
    X = np.ones((2, 4))
    net.layers[0].W = np.zeros((4, 8), dtype=np.int64)  # converted to float64
    assert net.layers[0].W.dtype == np.float64
    net.layers[1].b = [1.0, 2.0, 3.0]
    logits = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(net.forward(X)[0], np.exp(logits) / np.exp(logits).sum())
    net.layers[1].b[:] = 0.0  # in-place edits are seen too
    np.testing.assert_allclose(net.forward(X), np.full((2, 3), 1 / 3))


def test_switching_backends_gives_the_same_results(dtype: np.dtype) -> None:
    net = _net(dtype=str(dtype))
    X = np.random.default_rng(1).standard_normal((9, 4))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    out_native = net.forward(X)
    loss_native, grads_native = net.gradients(X, y)
    net.backend = "numpy"
    assert net.backend.name == "numpy"
    assert_parity(out_native, net.forward(X), dtype)
    loss_numpy, grads_numpy = net.gradients(X, y)
    assert loss_native == pytest.approx(
        loss_numpy, rel=1e-5 if dtype == np.float32 else 1e-12
    )
    for gn, gp in zip(grads_native, grads_numpy, strict=False):
        assert_parity(gn.W, gp.W, dtype)
        assert_parity(gn.b, gp.b, dtype)


def test_evaluate_reports_loss_and_accuracy(backend_name: str) -> None:
    net = _net(backend_name)
    X = np.random.default_rng(2).standard_normal((20, 4))
    probs = net.forward(X)
    y = probs.argmax(axis=1)
    y[:5] = (y[:5] + 1) % 3
    scores = net.evaluate(X, y)
    assert scores["accuracy"] == pytest.approx(15 / 20)
    expected = -np.mean(np.log(probs[np.arange(20), y]))
    assert scores["loss"] == pytest.approx(expected, rel=1e-12)


def test_evaluate_in_chunks_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    import mlpcore.network as network_module

    net = mc.Network([mc.Dense(3, 2)], loss="quadratic", dtype="float64", seed=0)
    X = np.random.default_rng(3).standard_normal((25, 3))
    y = np.random.default_rng(4).standard_normal((25, 2))
    whole = net.evaluate(X, y)["loss"]
    monkeypatch.setattr(network_module, "_EVAL_CHUNK", 4)
    assert net.evaluate(X, y)["loss"] == pytest.approx(whole, rel=1e-13)
    assert whole == pytest.approx(0.5 * np.sum((net.forward(X) - y) ** 2), rel=1e-13)


def test_regression_and_binary_classification(backend_name: str) -> None:
    X = np.random.default_rng(5).standard_normal((10, 2))
    reg = mc.Network(
        [mc.Dense(2, 1)], loss="mse", dtype="float64", backend=backend_name, seed=0
    )
    y = X.sum(axis=1)  # 1-D targets are accepted for one output
    assert reg.evaluate(X, y)["loss"] == pytest.approx(
        np.mean((reg.forward(X)[:, 0] - y) ** 2), rel=1e-12
    )
    assert "accuracy" not in reg.evaluate(X, y)
    clf = mc.Network(
        [mc.Dense(2, 1, "sigmoid")],
        loss="binary_cross_entropy",
        dtype="float64",
        backend=backend_name,
        seed=0,
    )
    labels = (X[:, 0] > 0).astype(int)
    predicted = clf.predict(X)
    assert predicted.shape == (10,)
    assert clf.evaluate(X, labels)["accuracy"] == pytest.approx(
        np.mean(predicted == labels)
    )


def test_non_contiguous_and_integer_inputs(backend_name: str) -> None:
    net = _net(backend_name)
    X = np.random.default_rng(6).standard_normal((8, 4))
    expected = net.forward(X)
    np.testing.assert_allclose(net.forward(np.asfortranarray(X)), expected, rtol=1e-14)
    big = np.zeros((16, 8))
    big[::2, ::2] = X
    np.testing.assert_allclose(net.forward(big[::2, ::2]), expected, rtol=1e-14)
    np.testing.assert_allclose(net.forward(X[::-1])[::-1], expected, rtol=1e-14)
    ints = np.arange(8).reshape(2, 4)
    np.testing.assert_allclose(net.forward(ints), net.forward(ints.astype(float)))
