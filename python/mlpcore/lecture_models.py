"""The lecture's networks, data and gradient descent, shared by the slides, the
pictures and the examples (see :mod:`mlpcore.lecture`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .layers import Dense
from .network import Network
from .optim import SGD

__all__ = [
    "BOUNDARY_EPOCHS",
    "GD_ITERATIONS",
    "LEARNING_RATES",
    "LECTURE_W1",
    "LECTURE_W2",
    "LECTURE_X",
    "LECTURE_Y",
    "LINEAR_B",
    "LINEAR_W",
    "LINEAR_X",
    "LINEAR_Y",
    "boundary_network",
    "descent_verdict",
    "gradient_descent_costs",
    "lecture_network",
    "linear_model",
]

#: the 3-4-1 network of the forward-propagation slide (x = (1, 2, 3) gives 163)
LECTURE_W1 = ((4, 3, 1, 1), (1, 4, 4, 3), (3, 4, 3, 2))
LECTURE_W2 = ((4,), (2,), (1,), (3,))
LECTURE_X = (1, 2, 3)
#: a target for the 3-4-1 network's output, to show a cost and a backward pass
LECTURE_Y = 150

#: the perceptron slide's weights, the starting point of the linear model
LINEAR_W = (3.0, 4.0)
LINEAR_B = 1.0
#: data for the backpropagation slide's linear model ŷ = w₁x₁ + w₂x₂ + b: the
#: targets lie on the line y = 2x₁ − x₂ + ½, so gradient descent can reach C = 0
LINEAR_X = ((1.0, 2.0), (2.0, 1.0), (0.0, 1.0), (1.0, 0.0), (2.0, 2.0))
LINEAR_Y = (0.5, 3.5, -0.5, 2.5, 2.5)
#: learning rates that descend slowly, converge, and diverge on that model (the
#: largest curvature of ½ Σ (ŷ − y)² there is 22.19, so γ > 2/22.19 ≈ 0.09 diverges)
LEARNING_RATES = (0.005, 0.05, 0.1)
GD_ITERATIONS = 50


#: epochs of the decision-boundary slide
BOUNDARY_EPOCHS = 60

Array = NDArray[np.float64]


def lecture_network(backend: str = "native", dtype: str = "float64") -> Network:
    """The forward-propagation slide's 3-4-1 network, linear activations, no biases.

    ``z¹ = xᵀW¹`` with ``W¹`` (3, 4), ``ŷ = a¹ᵀw²`` with ``w²`` (4, 1); for
    ``x = (1, 2, 3)`` it gives ``z¹ = (15, 23, 18, 13)`` and ``ŷ = 163``.
    """
    return Network(
        [Dense(3, 4, "linear", W=LECTURE_W1), Dense(4, 1, "linear", W=LECTURE_W2)],
        loss="quadratic",
        dtype=dtype,
        backend=backend,
    )


def linear_model(
    backend: str = "native", w: tuple[float, float] = LINEAR_W, b: float = LINEAR_B
) -> Network:
    """The backpropagation slide's model ``ŷ = w₁x₁ + w₂x₂ + b`` (float64, quadratic
    cost ``C = ½ Σ (ŷ − y)²``), starting at the perceptron slide's weights."""
    layer = Dense(2, 1, "linear", W=[[w[0]], [w[1]]], b=[b])
    return Network([layer], loss="quadratic", dtype="float64", backend=backend)


def gradient_descent_costs(
    lr: float, iterations: int = GD_ITERATIONS, backend: str = "native"
) -> Array:
    """``C(w(i))`` for ``i = 0 … iterations`` of ``w(i) = w(i−1) − γ ∇C(w(i−1))``.

    Full-batch gradient descent (:class:`~mlpcore.SGD` with ``lr = γ``) on
    :func:`linear_model` over ``LINEAR_X``, ``LINEAR_Y``.

    Returns
    -------
    ndarray (iterations + 1,)
        The cost before each step, and after the last one.
    """
    net = linear_model(backend)
    optimizer = SGD(lr)
    costs = []
    for _ in range(iterations):
        loss, grads = net.gradients(LINEAR_X, LINEAR_Y)
        costs.append(loss)
        optimizer.step(net, grads)
    costs.append(net.evaluate(LINEAR_X, LINEAR_Y)["loss"])
    return np.array(costs)


def descent_verdict(costs: Sequence[float] | Array) -> str:
    """``"diverges"`` if the cost grew, ``"converges"`` if it fell by more than a
    factor 1000, ``"slow"`` otherwise."""
    first, last = costs[0], costs[-1]
    if not last <= first:  # also NaN
        return "diverges"
    return "converges" if last < 1e-3 * first else "slow"


def boundary_network(backend: str = "native", n_out: int = 1) -> Network:
    """The small network of the decision-boundary picture: 2-16-16-n_out, tanh.

    One sigmoid output with binary cross-entropy, or ``n_out >= 2`` softmax outputs
    with cross-entropy; float64, seeded (seed 0).
    """
    if n_out == 1:
        last, loss = Dense(16, 1, "sigmoid"), "binary_cross_entropy"
    else:
        last, loss = Dense(16, n_out, "softmax"), "cross_entropy"
    return Network(
        [Dense(2, 16, "tanh"), Dense(16, 16, "tanh"), last],
        loss=loss,
        dtype="float64",
        backend=backend,
        seed=0,
    )
