"""The kernel contract (DESIGN.md §2): what every backend's kernels compute.

``Kernels`` is the *unchecked* interface. Its callers have already validated the
arguments: arrays are 2-D (1-D for biases and labels, 1-D or 2-D for optimizer
state), share one float dtype (float32 or float64), have consistent non-zero shapes,
and in-place/output arrays are writeable and do not overlap the inputs. Label arrays
are int64 with values in range. The checked, public face of a backend is
:class:`mlpcore.backends.Backend`, which validates and then calls these.

Shapes: ``x`` (n_samples, n_in), ``W`` (n_in, n_out), ``b`` (n_out,),
``z``/``a``/``grad_a`` (n_samples, n_out); ``n`` below is n_samples.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating[Any]]
Labels = NDArray[np.int64]


class Kernels(Protocol):
    """The functions a backend implements; the NumPy twin is the reference."""

    name: str

    def gemm(
        self,
        a: Array,
        b: Array,
        out: Array,
        trans_a: bool,
        trans_b: bool,
        alpha: float,
        beta: float,
    ) -> None:
        """``out ← alpha·op(a)·op(b) + beta·out``; ``out`` is not read when beta == 0."""

    def dense_forward(
        self, x: Array, W: Array, b: Array, activation: str
    ) -> tuple[Array, Array]:
        """``z = x @ W + b``, ``a = f(z)``; both new arrays."""

    def dense_backward(
        self,
        x: Array,
        W: Array,
        z: Array,
        a: Array,
        grad_a: Array,
        activation: str,
        need_grad_x: bool,
    ) -> tuple[Array | None, Array, Array]:
        """``δ = grad_a ⊙ f'(z)``; returns ``(δ Wᵀ or None, xᵀ δ, Σ_rows δ)``."""

    def activation_forward(self, name: str, z: Array) -> Array:
        """``f(z)``, element-wise (softmax: row-wise)."""

    def activation_backward(
        self, name: str, z: Array, a: Array, grad_a: Array
    ) -> Array:
        """``grad_a ⊙ f'(z)`` (softmax: its Jacobian-vector product)."""

    def loss(self, name: str, y_pred: Array, y_true: Array | Labels) -> float:
        """The cost of the batch."""

    def loss_grad(self, name: str, y_pred: Array, y_true: Array | Labels) -> Array:
        """``∂C/∂y_pred``."""

    def output_grad(
        self, activation: str, loss: str, z: Array, a: Array, y_true: Array | Labels
    ) -> Array:
        """``∂C/∂z`` of the output layer, fused where it simplifies to ``(a − y)/n``."""

    def sgd_step(self, param: Array, grad: Array, lr: float) -> None:
        """``param ← param − lr·grad``."""

    def momentum_step(
        self,
        param: Array,
        grad: Array,
        velocity: Array,
        lr: float,
        momentum: float,
        nesterov: bool,
    ) -> None:
        """``v ← μv + g``; ``param ← param − lr·(g + μv)`` (Nesterov) or ``− lr·v``."""

    def adam_step(
        self,
        param: Array,
        grad: Array,
        m: Array,
        v: Array,
        lr: float,
        beta1: float,
        beta2: float,
        eps: float,
        step: int,
    ) -> None:
        """Adam with bias correction; ``step`` counts from 1."""
