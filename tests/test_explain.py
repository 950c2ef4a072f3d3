"""Network.explain: every field and every printed number against independent values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import assert_parity
from printed_numbers import printed_numbers, unmatched

import mlpcore as mc

W1 = np.array([[4, 3, 1, 1], [1, 4, 4, 3], [3, 4, 3, 2]], dtype=np.float64)
W2 = np.array([[4], [2], [1], [3]], dtype=np.float64)
X = np.array([[1.0, 2.0, 3.0]])


def lecture_net(backend: str, dtype: Any = "float64") -> mc.Network:
    return mc.Network(
        # copies: a float64 layer keeps (shares) a float64 array it is given
        [mc.Dense(3, 4, W=W1.copy()), mc.Dense(4, 1, W=W2.copy())],
        loss="quadratic",
        dtype=dtype,
        backend=backend,
    )


def known_values(e: mc.Explanation) -> list[Any]:
    """Every array of an explanation, plus the shapes and indices its text names."""
    values: list[Any] = [e.x, e.output, e.y, e.cost, e.lr, e.x.shape]
    for lay in e.layers:
        values += [lay.index, lay.W.shape, lay.W, lay.b, lay.z, lay.a]
        values += [lay.delta, lay.grad_W, lay.grad_b, lay.W_new, lay.b_new]
    return values


def test_lecture_network_by_hand(backend_name: str, dtype: Any) -> None:
    # z¹ = xᵀW¹ = (15, 23, 18, 13), ŷ = 163; y = 150: C = ½ 13² = 84.5, δ² = 13,
    # ∂C/∂W² = a¹ᵀ 13, δ¹ = 13 w²ᵀ, ∂C/∂W¹ = x δ¹, step with γ = 1/1024 (exact)
    net = lecture_net(backend_name, dtype)
    gamma = 2.0**-10
    e = net.explain(X, [[150]], lr=gamma)
    hidden, output = e.layers
    z1 = np.array([[15, 23, 18, 13]])
    assert hidden.z.tolist() == z1.tolist() and hidden.a.tolist() == z1.tolist()
    assert output.z.tolist() == [[163]] and e.output.tolist() == [[163]]
    assert e.cost == 84.5 and e.loss == "quadratic" and e.lr == gamma
    assert output.delta.tolist() == [[13]]
    assert output.grad_W.tolist() == (13 * z1.T).tolist()
    assert output.grad_b.tolist() == [13]
    delta1 = 13 * W2.T
    assert hidden.delta.tolist() == delta1.tolist()
    assert hidden.grad_W.tolist() == (X.T @ delta1).tolist()
    assert hidden.grad_b.tolist() == delta1[0].tolist()
    assert hidden.W_new.tolist() == (W1 - gamma * X.T @ delta1).tolist()
    assert output.W_new.tolist() == (W2 - gamma * 13 * z1.T).tolist()
    assert output.b_new.tolist() == [-13 * gamma]
    assert all(a.dtype == dtype for a in (hidden.z, hidden.delta, output.W_new))
    # not applied: the network keeps its weights
    assert net.layers[0].W.tolist() == W1.tolist()


def test_text_shows_the_lecture_notation() -> None:
    e = lecture_net("native").explain(X, [[150]], lr=1e-3)
    text = str(e)
    for line in (
        "z¹ = xᵀW¹ + b¹ = [15, 23, 18, 13]",
        "a¹ = linear(z¹) = [15, 23, 18, 13]",
        "z² = a¹ᵀW² + b² = [163]",
        "ŷ = a² = [163]",
        "C = ½ Σ (ŷ − y)² = 84.5",
        "δᴸ = δ² = ∂C/∂z² = (ŷ − y) ⊙ linear'(z²) = [13]",
        "δ¹ = ∂C/∂z¹ = (δ² W²ᵀ) ⊙ linear'(z¹) = [52, 26, 13, 39]",
        "∂C/∂b¹ = δ¹ = [52, 26, 13, 39]",
        "b¹ ← b¹ − γ ∂C/∂b¹ = [-0.052, -0.026, -0.013, -0.039]",
        "w ← w − γ∇C, γ = 0.001",
        "not applied",
    ):
        assert line in text, line
    assert "∂C/∂W¹ = x δ¹ = [[ 52,  26,  13,  39],\n" in text
    assert unmatched(text, known_values(e)) == []
    markdown = e._repr_markdown_()
    assert "**Forward pass**" in markdown and "C = ½ Σ (ŷ − y)² = 84.5" in markdown
    assert printed_numbers(markdown) == printed_numbers(text)


def test_forward_only() -> None:
    e = lecture_net("numpy").explain(X)
    assert e.y is None and e.cost is None and e.grads == []
    assert all(lay.delta is None and lay.W_new is None for lay in e.layers)
    text = str(e)
    assert "ŷ = a² = [163]" in text and "Cost" not in text and "δ" not in text


def _reference(net: mc.Network, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Forward and backward in plain NumPy, written from the formulas."""
    f = {
        "relu": lambda z: np.maximum(z, 0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "linear": lambda z: z,
    }
    slope = {
        "relu": lambda z, a: (z > 0).astype(float),
        "tanh": lambda z, a: 1 - a * a,
        "sigmoid": lambda z, a: a * (1 - a),
        "linear": lambda z, a: np.ones_like(z),
    }
    inputs, zs, as_ = [x], [], []
    for layer in net.layers:
        z = inputs[-1] @ layer.W.astype(float) + layer.b.astype(float)
        zs.append(z)
        as_.append(f[layer.activation](z))
        inputs.append(as_[-1])
    last = net.layers[-1].activation
    delta = (as_[-1] - y) * slope[last](zs[-1], as_[-1])  # quadratic: ∂C/∂ŷ = ŷ − y
    deltas = [delta]
    for i in range(len(net.layers) - 1, 0, -1):
        below = net.layers[i - 1].activation
        delta = (delta @ net.layers[i].W.T) * slope[below](zs[i - 1], as_[i - 1])
        deltas.insert(0, delta)
    return {
        "z": zs,
        "a": as_,
        "delta": deltas,
        "grad_W": [inputs[i].T @ d for i, d in enumerate(deltas)],
        "cost": 0.5 * np.sum((as_[-1] - y) ** 2),
    }


def test_deep_network_against_numpy_formulas_and_gradients(
    backend_name: str, dtype: Any, rng: np.random.Generator
) -> None:
    layers = [
        mc.Dense(5, 7, "relu"),
        mc.Dense(7, 6, "tanh"),
        mc.Dense(6, 4, "sigmoid"),
        mc.Dense(4, 2, "linear"),
    ]
    net = mc.Network(
        layers, loss="quadratic", dtype=dtype, backend=backend_name, seed=3
    )
    for layer in net.layers:
        layer.b = rng.normal(size=layer.n_out)
    x, y = rng.normal(size=(6, 5)), rng.normal(size=(6, 2))
    e = net.explain(x, y, lr=0.1)
    ref = _reference(net, x.astype(dtype).astype(float), y.astype(dtype).astype(float))
    factor = 100.0  # the reference runs in float64 from the same inputs
    for i, lay in enumerate(e.layers):
        assert lay.index == i + 1
        assert_parity(lay.z, ref["z"][i], dtype, factor)
        assert_parity(lay.a, ref["a"][i], dtype, factor)
        assert_parity(lay.delta, ref["delta"][i], dtype, factor)
        assert_parity(lay.grad_W, ref["grad_W"][i], dtype, factor)
        assert_parity(lay.grad_b, ref["delta"][i].sum(axis=0), dtype, factor)
        W_step = lay.W.astype(float) - 0.1 * lay.grad_W.astype(float)
        assert_parity(lay.W_new, W_step, dtype, factor)
    assert np.isclose(e.cost, ref["cost"], rtol=1e-4 if dtype == np.float32 else 1e-12)
    # the same numbers training uses: net.gradients on the same backend, bit for bit
    loss, grads = net.gradients(x, y)
    assert e.cost == loss
    for g, mine in zip(grads, e.grads):
        np.testing.assert_array_equal(mine.W, g.W)
        np.testing.assert_array_equal(mine.b, g.b)
    assert unmatched(str(e), known_values(e)) == []


@pytest.mark.parametrize(
    ("last", "loss"),
    [
        ("softmax", "cross_entropy"),
        ("sigmoid", "binary_cross_entropy"),
        ("tanh", "mse"),
    ],
)
def test_gradients_match_finite_differences(
    backend_name: str, last: str, loss: str, rng: np.random.Generator
) -> None:
    net = mc.Network(
        [mc.Dense(3, 5, "tanh"), mc.Dense(5, 3, last)],
        loss=loss,
        dtype="float64",
        backend=backend_name,
        seed=1,
    )
    x = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 2]) if loss == "cross_entropy" else rng.uniform(size=(4, 3))
    e = net.explain(x, y)
    assert e.lr == 0.01  # the default γ, SGD's
    eps = 1e-6
    for lay, layer in zip(e.layers, net.layers):
        numeric = np.empty_like(layer.W)
        for index in np.ndindex(layer.W.shape):
            saved = layer.W[index]
            layer.W[index] = saved + eps
            plus = net.evaluate(x, y)["loss"]
            layer.W[index] = saved - eps
            minus = net.evaluate(x, y)["loss"]
            layer.W[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(lay.grad_W, numeric, rtol=1e-6, atol=1e-9)
    # δᴸ fused where the chain rule simplifies: (ŷ − y) / n
    if loss == "cross_entropy":
        expected = (e.output - np.eye(3)[y]) / 4
        np.testing.assert_allclose(e.layers[-1].delta, expected, rtol=1e-12)
        assert "δᴸ = δ² = ∂C/∂z² = (ŷ − y) / n" in str(e)
    assert unmatched(str(e), known_values(e)) == []


def test_apply_writes_the_sgd_step(backend_name: str, dtype: Any) -> None:
    x, y = [[0.5, -1.0, 2.0]], [[3.0]]
    net, twin = lecture_net(backend_name, dtype), lecture_net(backend_name, dtype)
    W_before = net.layers[0].W
    e = net.explain(x, y, lr=0.01, apply=True)
    assert e.applied and "(written into the network)" in str(e)
    assert net.layers[0].W is W_before  # updated in place, like an optimizer
    _, grads = twin.gradients(x, y)
    mc.SGD(lr=0.01).step(twin, grads)
    for mine, theirs, step in zip(net.layers, twin.layers, e.layers):
        np.testing.assert_array_equal(mine.W, theirs.W)
        np.testing.assert_array_equal(mine.b, theirs.b)
        np.testing.assert_array_equal(step.W_new, theirs.W)


def test_large_arrays_are_summarised() -> None:
    net = mc.Network(
        [mc.Dense(64, 32, "relu"), mc.Dense(32, 10, "softmax")],
        loss="cross_entropy",
        seed=0,
    )
    x, y = mc.load_digits()
    e = net.explain(x[:20], y[:20])
    text = str(e)
    assert "…" in text and "⋮" in text
    assert len(text.splitlines()) < 200
    assert e.layers[0].grad_W.shape == (64, 32)
    assert unmatched(text, known_values(e)) == []


def test_bad_input() -> None:
    net = lecture_net("numpy")
    with pytest.raises(mc.ValidationError, match="lr: expected a finite number > 0"):
        net.explain(X, [[1.0]], lr=0)
    with pytest.raises(mc.ValidationError, match=r"x: expected shape \(n, 3\)"):
        net.explain([[1.0, 2.0]])
    with pytest.raises(mc.ValidationError, match="x: expected finite values"):
        net.explain([[1.0, np.nan, 2.0]])
    with pytest.raises(mc.ValidationError, match="y: expected 1 rows like X"):
        net.explain(X, [[1.0], [2.0]])


def test_readme_excerpt_is_what_explain_prints() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    block = readme.split(">>> print(net.explain([[1, 2, 3]], [[150]], lr=1e-3))")[1]
    excerpt = block.split("```")[0].splitlines()[1:]
    text = str(lecture_net("native").explain(X, [[150]], lr=1e-3)).splitlines()
    shown = [line for line in excerpt if line.strip() not in ("", "...")]
    assert len(shown) >= 10
    for line in shown:
        assert line in text, line
