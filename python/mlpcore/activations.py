"""The activation functions mlpcore knows: names, formulas and properties.

The bodies live in the backends (C++ in ``native``, NumPy in ``numpy``); this module
is the registry both share. A new activation is one row here, one in the C++ enum,
one in the NumPy twin, and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["ACTIVATIONS", "ActivationInfo", "activation_names"]


@dataclass(frozen=True)
class ActivationInfo:
    """What an activation computes and how a layer using it is initialised."""

    name: str
    formula: str
    derivative: str
    output_range: tuple[float, float]
    default_init: str


_ROWS = [
    ActivationInfo(
        "linear",
        "f(z) = z",
        "f'(z) = 1",
        (float("-inf"), float("inf")),
        "glorot_uniform",
    ),
    ActivationInfo(
        "sigmoid",
        "f(z) = 1 / (1 + exp(-z))",
        "f'(z) = f(z) (1 - f(z))",
        (0.0, 1.0),
        "glorot_uniform",
    ),
    ActivationInfo(
        "tanh",
        "f(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))",
        "f'(z) = 1 - f(z)^2",
        (-1.0, 1.0),
        "glorot_uniform",
    ),
    ActivationInfo(
        "relu",
        "f(z) = max(0, z)",
        "f'(z) = 1 if z > 0 else 0",
        (0.0, float("inf")),
        "he_normal",
    ),
    ActivationInfo(
        "leaky_relu",
        "f(z) = z if z > 0 else 0.01 z",
        "f'(z) = 1 if z > 0 else 0.01",
        (float("-inf"), float("inf")),
        "he_normal",
    ),
    ActivationInfo(
        "softmax",
        "f(z)_k = exp(z_k) / sum_j exp(z_j)  (row-wise)",
        "grad_z = a * (grad_a - sum_k grad_a_k a_k)  (Jacobian-vector product)",
        (0.0, 1.0),
        "glorot_uniform",
    ),
]

ACTIVATIONS = MappingProxyType({row.name: row for row in _ROWS})


def activation_names() -> tuple[str, ...]:
    """The names accepted wherever an activation is asked for."""
    return tuple(ACTIVATIONS)
