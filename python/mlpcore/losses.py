"""The cost functions mlpcore knows: names, formulas and which outputs they fit.

``n`` is the number of samples in the batch. The bodies live in the backends.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["LOSSES", "LossInfo", "loss_names"]


@dataclass(frozen=True)
class LossInfo:
    """What a loss computes and which output activations it can follow."""

    name: str
    formula: str
    gradient: str
    classification: bool
    #: output activations this loss accepts; ``None`` means any
    output_activations: frozenset[str] | None


_ROWS = [
    LossInfo(
        "quadratic",
        "C = 1/2 sum (y_pred - y)^2",
        "dC/dy_pred = y_pred - y",
        False,
        None,
    ),
    LossInfo(
        "mse",
        "C = mean (y_pred - y)^2 over all samples and outputs",
        "dC/dy_pred = 2 (y_pred - y) / size",
        False,
        None,
    ),
    LossInfo(
        "binary_cross_entropy",
        "C = -(1/n) sum (y ln y_pred + (1 - y) ln(1 - y_pred))",
        "dC/dy_pred = (y_pred - y) / (y_pred (1 - y_pred)) / n",
        True,
        frozenset({"sigmoid"}),
    ),
    LossInfo(
        "cross_entropy",
        "C = -(1/n) sum_i sum_k y_ik ln y_pred_ik",
        "dC/dy_pred = -y / y_pred / n",
        True,
        frozenset({"softmax"}),
    ),
]

LOSSES = MappingProxyType({row.name: row for row in _ROWS})


def loss_names() -> tuple[str, ...]:
    """The names accepted wherever a loss is asked for."""
    return tuple(LOSSES)
