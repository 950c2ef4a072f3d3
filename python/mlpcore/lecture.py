"""The lecture, slide by slide: every worked example computed by mlpcore.

``mlpcore lecture`` prints these slides; each :class:`Slide` keeps the numbers it
prints in ``results`` (so the tests check every one of them against an independent
computation) and, where the slide has a picture, a function that draws it.

The lecture is "Introduction to Neural Networks" (F. Barzideh, UiS, 2021), kept in
``shared/lecture/``. Its one slip: for x = (1, 2), w = (3, 4), b = 1 the perceptron
slide prints 15, but 1·3 + 2·4 + 1 = 12.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .backends import get_backend
from .explain import equation, format_array, format_number
from .gradcheck import gradient_check
from .layers import Dense
from .lecture_models import (
    BOUNDARY_EPOCHS,
    GD_ITERATIONS,
    LEARNING_RATES,
    LECTURE_W1,
    LECTURE_W2,
    LECTURE_X,
    LECTURE_Y,
    LINEAR_B,
    LINEAR_W,
    LINEAR_X,
    LINEAR_Y,
    boundary_network,
    descent_verdict,
    gradient_descent_costs,
    lecture_network,
    linear_model,
)
from .network import Network
from .optim import SGD, Adam

# the models are re-exported: ``mlpcore.lecture`` is the one place a learner looks
__all__ = [
    "LEARNING_RATES",
    "LECTURE_W1",
    "LECTURE_W2",
    "LINEAR_B",
    "LINEAR_W",
    "LINEAR_X",
    "LINEAR_Y",
    "SAMPLE_Z",
    "Slide",
    "boundary_network",
    "descent_verdict",
    "gradient_descent_costs",
    "lecture_network",
    "linear_model",
    "slide_count",
    "slides",
]

#: sample inputs for the activation slide
SAMPLE_Z = (-2.0, -1.0, 0.0, 1.0, 2.0)
#: the cost slide's predictions and targets
COST_Y_HAT = (0.9, 0.2, 0.6)
COST_Y = (1.0, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class Slide:
    """One slide: its text, every number it prints, and optionally a picture.

    ``results`` maps a name to each value the text shows (inputs included), as
    floats or float64 arrays; ``draw(path)`` writes the slide's picture.
    """

    number: int
    title: str
    lines: tuple[str, ...]
    results: Mapping[str, Any] = field(default_factory=dict)
    draw: Callable[[str | Path], Any] | None = None

    def __str__(self) -> str:
        rule = "─" * 72
        body = "\n".join("  " + line.replace("\n", "\n  ") for line in self.lines)
        return f"{rule}\nSlide {self.number}: {self.title}\n{rule}\n{body}"


def _f(value: Any) -> str:
    array = np.asarray(value)
    return format_number(float(array)) if array.ndim == 0 else format_array(array)


# -- the slides, in the lecture's order -----------------------------------------


def _perceptron(backend: str) -> Slide:
    x, w, b = (1.0, 2.0), LINEAR_W, LINEAR_B
    linear = float(linear_model(backend).forward([x])[0, 0])
    layer = Dense(2, 1, "sigmoid", W=[[w[0]], [w[1]]], b=[b])
    net = Network([layer], loss="quadratic", dtype="float64", backend=backend)
    sigmoid = float(net.forward([x])[0, 0])
    r = {
        "x": np.array(x),
        "w": np.array(w),
        "b": b,
        "linear": linear,
        "sigmoid": sigmoid,
    }
    lines = (
        "ŷ = σ(wᵀx + b) = σ(Σ wᵢxᵢ + b)",
        f"x = {_f(r['x'])},  w = {_f(r['w'])},  b = {_f(b)}",
        f"linear σ:   ŷ = w₁x₁ + w₂x₂ + b = 1×3 + 2×4 + 1 = {_f(linear)}",
        "            (the slide prints 15, an arithmetic slip: 3 + 8 + 1 = 12)",
        f"sigmoid σ:  ŷ = 1 / (1 + e^−(wᵀx + b)) = σ(12) = {_f(sigmoid)}",
    )
    return Slide(1, "The perceptron", lines, r)


def _activations(backend: str) -> Slide:
    from .activations import ACTIVATIONS

    kernels = get_backend(backend)
    z = np.array(SAMPLE_Z)
    r: dict[str, Any] = {"z": z}
    lines = [f"z = {_f(z)}"]
    for name in ("linear", "sigmoid", "tanh", "relu"):
        a = kernels.activation_forward(name, z)
        slope = kernels.activation_backward(name, z, a, np.ones_like(z))
        r[name], r[name + "'"] = a, slope
        info = ACTIVATIONS[name]
        lines += [
            f"{name}:  {info.formula}",
            f"    f(z)  = {_f(a)}",
            f"    f'(z) = {_f(slope)}   ({info.derivative})",
        ]

    def draw(path: str | Path) -> Any:
        from .plotting import plot_activations

        return plot_activations(path, backend=backend)

    return Slide(2, "Activation functions", tuple(lines), r, draw)


def _forward(backend: str) -> Slide:
    net = lecture_network(backend)
    explanation = net.explain([LECTURE_X])
    hidden, output = explanation.layers
    r = {
        "x": np.array(LECTURE_X, dtype=np.float64),
        "W1": np.array(LECTURE_W1, dtype=np.float64),
        "w2": np.array(LECTURE_W2, dtype=np.float64)[:, 0],
        "z1": hidden.z[0],
        "a1": hidden.a[0],
        "z2": output.z[0],
        "y_hat": float(explanation.output[0, 0]),
    }
    lines = (
        "the 3-4-1 network, linear activations, no biases:",
        f"x = {_f(r['x'])},  w² = {_f(r['w2'])}",
        equation("W¹", r["W1"]),
        f"z¹ = xᵀW¹ = {_f(r['z1'])}",
        f"a¹ = linear(z¹) = {_f(r['a1'])}",
        f"z² = a¹ᵀw² = {_f(r['z2'])}",
        f"ŷ = linear(z²) = {_f(r['y_hat'])}",
    )
    return Slide(3, "Forward propagation", lines, r)


def _costs(backend: str) -> Slide:
    kernels = get_backend(backend)
    y_hat, y = np.array(COST_Y_HAT), np.array(COST_Y)
    quadratic = kernels.loss("quadratic", y_hat, y)
    cross = kernels.loss("binary_cross_entropy", y_hat, y)
    r = {"y_hat": y_hat, "y": y, "quadratic": quadratic, "cross_entropy": cross}
    lines = (
        f"ŷ = {_f(y_hat)},  y = {_f(y)}",
        f"quadratic:      C = ½ Σᵢ (ŷᵢ − yᵢ)² = {_f(quadratic)}",
        f"cross-entropy:  C = −(1/n) Σᵢ (yᵢ ln ŷᵢ + (1 − yᵢ) ln(1 − ŷᵢ)) = {_f(cross)}",
        "(mlpcore: loss='quadratic' and loss='binary_cross_entropy')",
    )
    return Slide(4, "Cost functions", lines, r)


def _gradient_descent(backend: str) -> Slide:
    r: dict[str, Any] = {"w": np.array(LINEAR_W), "b": LINEAR_B}
    lines = [
        "w(i) = w(i−1) − γ ∇C(w(i−1))   on ŷ = w₁x₁ + w₂x₂ + b,  C = ½ Σ (ŷ − y)²",
        equation("data: x", np.array(LINEAR_X), row=False),
        f"      y = {_f(np.array(LINEAR_Y))}   (on the line y = 2x₁ − x₂ + ½)",
        f"start: w = {_f(r['w'])},  b = {_f(LINEAR_B)}",
    ]
    r["X"], r["Y"] = np.array(LINEAR_X), np.array(LINEAR_Y)
    for lr in LEARNING_RATES:
        costs = gradient_descent_costs(lr, GD_ITERATIONS, backend)
        first, last = costs[0], costs[-1]
        verdict = descent_verdict(costs)
        r[f"gamma={lr}"] = lr
        r[f"cost0@{lr}"], r[f"cost10@{lr}"], r[f"cost50@{lr}"] = first, costs[10], last
        r[f"verdict@{lr}"] = verdict
        lines.append(
            f"γ = {_f(lr)}:  C(w(0)) = {_f(first)},  C(w(10)) = {_f(costs[10])},  "
            f"C(w(50)) = {_f(last)}  → {verdict}"
        )

    def draw(path: str | Path) -> Any:
        from .plotting import plot_learning_rates

        return plot_learning_rates(path, backend=backend)

    return Slide(5, "Gradient descent and the learning rate", tuple(lines), r, draw)


def _slide_cost(w1: float, w2: float, b: float) -> float:
    """The backprop slide's cost ``Σ (w₁x₁ + w₂x₂ + b − y)²`` (no ½)."""
    X, y = np.array(LINEAR_X), np.array(LINEAR_Y)
    return float(np.sum((w1 * X[:, 0] + w2 * X[:, 1] + b - y) ** 2))


def _backprop(backend: str) -> Slide:
    X, y = np.array(LINEAR_X), np.array(LINEAR_Y)
    (w1, w2), b = LINEAR_W, LINEAR_B
    residual = w1 * X[:, 0] + w2 * X[:, 1] + b - y
    slide = np.array(
        [
            2 * np.sum(X[:, 0] * residual),
            2 * np.sum(X[:, 1] * residual),
            2 * np.sum(residual),
        ]
    )
    net = linear_model(backend)
    loss, grads = net.gradients(X, y)
    ours = np.array([grads[0].W[0, 0], grads[0].W[1, 0], grads[0].b[0]])
    eps = 1e-6
    params = np.array([w1, w2, b])
    numeric = np.array(
        [
            (_slide_cost(*(params + eps * e)) - _slide_cost(*(params - eps * e)))
            / (2 * eps)
            for e in np.eye(3)
        ]
    )
    check = gradient_check(net, X, y)
    r = {
        "residual": residual,
        "C_slide": _slide_cost(w1, w2, b),
        "C_mlpcore": loss,
        "slide": slide,
        "mlpcore": ours,
        "twice_mlpcore": 2 * ours,
        "finite_differences": numeric,
        "gradient_check": check,
    }
    lines = (
        "C(w₁, w₂, b) = Σ (ŷ − y)² = Σ (w₁x₁ + w₂x₂ + b − y)²   (data and w as slide 5)",
        f"ŷ − y = {_f(residual)},  C = {_f(r['C_slide'])}",
        "the slide's derivatives (∂C/∂w₁, ∂C/∂w₂, ∂C/∂b):",
        "  2 Σ x₁(ŷ − y), 2 Σ x₂(ŷ − y), 2 Σ (ŷ − y) = " + _f(slide),
        "  central finite differences of C, ε = 1e-6  = " + _f(numeric),
        "mlpcore's quadratic cost carries a ½:  C = ½ Σ (ŷ − y)² = " + _f(loss),
        "  net.gradients(x, y):  ∂C/∂w₁, ∂C/∂w₂, ∂C/∂b = " + _f(ours),
        "  twice that, the slide's cost without the ½   = " + _f(2 * ours),
        f"mc.gradient_check(net, x, y) = {check:.1e}   (relative error vs finite differences)",
    )
    return Slide(6, "Backward propagation", lines, r)


def _chain_rule(backend: str) -> Slide:
    net = lecture_network(backend)
    explanation = net.explain([LECTURE_X], [[LECTURE_Y]], lr=1e-3)
    hidden, output = explanation.layers
    _, grads = net.gradients([LECTURE_X], [[LECTURE_Y]])
    check = gradient_check(net, [LECTURE_X], [[LECTURE_Y]])
    r = {
        "x": np.array(LECTURE_X, dtype=np.float64),
        "y": float(LECTURE_Y),
        "y_hat": float(explanation.output[0, 0]),
        "C": explanation.cost,
        "delta2": output.delta[0],  # type: ignore[index]
        "grad_W2": output.grad_W[:, 0],  # type: ignore[index]
        "delta1": hidden.delta[0],  # type: ignore[index]
        "grad_W1": hidden.grad_W,
        "gradients_W1": grads[0].W,
        "gradient_check": check,
    }
    lines = (
        "∂C/∂wᵢⱼ = ∂C/∂z · ∂z/∂kⱼ · ∂k/∂wᵢⱼ — on the 3-4-1 network (slide 3), y = 150:",
        f"ŷ = {_f(r['y_hat'])},  C = ½ (ŷ − y)² = {_f(r['C'])}",
        f"δ² = ∂C/∂z² = ŷ − y = {_f(r['delta2'])}",
        f"∂C/∂w² = a¹ᵀ δ² = {_f(r['grad_W2'])}",
        f"δ¹ = ∂C/∂z¹ = (δ² w²ᵀ) ⊙ linear'(z¹) = {_f(r['delta1'])}",
        equation("∂C/∂W¹ = x δ¹", r["grad_W1"]),
        f"net.gradients gives the same ∂C/∂W¹; mc.gradient_check = {check:.1e}",
        "every step at once: print(net.explain(x, y))",
    )
    return Slide(7, "The chain rule", lines, r)


def _one_step(backend: str) -> Slide:
    X, y = np.array(LINEAR_X), np.array(LINEAR_Y)
    net = linear_model(backend)
    gamma = LEARNING_RATES[1]
    before, grads = net.gradients(X, y)
    w_old = np.array([*net.layers[0].W[:, 0], net.layers[0].b[0]])
    grad = np.array([grads[0].W[0, 0], grads[0].W[1, 0], grads[0].b[0]])
    SGD(gamma).step(net, grads)
    w_new = np.array([*net.layers[0].W[:, 0], net.layers[0].b[0]])
    after = net.evaluate(X, y)["loss"]
    r = {
        "gamma": gamma,
        "w_old": w_old,
        "grad": grad,
        "w_new": w_new,
        "C_before": before,
        "C_after": after,
    }
    lines = (
        "w ← w − γ ∇C  on the linear model of slide 5, (w₁, w₂, b):",
        f"γ = {_f(gamma)}",
        f"w      = {_f(w_old)},  C = ½ Σ (ŷ − y)² = {_f(before)}",
        f"∇C     = {_f(grad)}",
        f"w − γ∇C = {_f(w_new)},  C = {_f(after)}",
        "(mc.SGD(lr=γ).step(net, grads) does exactly this, in place)",
    )
    return Slide(8, "One gradient-descent step", lines, r)


def _boundary(backend: str) -> Slide:
    from .datasets import make_moons

    X, y = make_moons(200, noise=0.15, seed=0)
    net = boundary_network(backend)
    history = net.fit(X, y, epochs=BOUNDARY_EPOCHS, batch_size=16, optimizer=Adam(0.02))
    accuracy = net.evaluate(X, y)["accuracy"]
    r = {"epochs": BOUNDARY_EPOCHS, "accuracy": accuracy, "first": history.accuracy[0]}
    lines = (
        "beyond the slides: a 2-16-16-1 tanh network learns a curved boundary",
        "on make_moons(200, noise=0.15), where one perceptron (a line) cannot.",
        f"training accuracy in epoch 1: {r['first']:.3f};  after {BOUNDARY_EPOCHS} epochs: "
        f"{accuracy:.3f}",
        "the picture (--plot FILE) shows the boundary at several epochs (.gif animates)",
    )

    def draw(path: str | Path) -> Any:
        from .plotting import plot_decision_boundary_training

        return plot_decision_boundary_training(path, dataset="moons", backend=backend)

    return Slide(9, "Learning a nonlinear boundary", lines, r, draw)


_SLIDES = (
    _perceptron,
    _activations,
    _forward,
    _costs,
    _gradient_descent,
    _backprop,
    _chain_rule,
    _one_step,
    _boundary,
)


def slides(
    numbers: Sequence[int] | None = None, backend: str = "native"
) -> list[Slide]:
    """The lecture's slides, computed on ``backend`` (all, or the given numbers 1–9)."""
    chosen = range(1, len(_SLIDES) + 1) if numbers is None else numbers
    return [_SLIDES[n - 1](backend) for n in chosen]


def slide_count() -> int:
    """How many slides :func:`slides` has."""
    return len(_SLIDES)
