"""The native backend: the kernel contract mapped onto the C++ extension ``_core``.

No math here. ``_core`` re-checks what C++ relies on (dtypes, shapes, strides,
bounds), so even a call that bypasses the checked :class:`Backend` cannot read or
write out of bounds.
"""

from __future__ import annotations

from .. import _core
from ._contract import Array, Labels

__all__ = ["NativeKernels"]


class NativeKernels:
    """The C++ implementation of :class:`~mlpcore.backends._contract.Kernels`."""

    name = "native"

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
        _core.gemm(a, b, out, trans_a, trans_b, alpha, beta)

    def dense_forward(
        self, x: Array, W: Array, b: Array, activation: str
    ) -> tuple[Array, Array]:
        return _core.dense_forward(x, W, b, activation)

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
        return _core.dense_backward(x, W, z, a, grad_a, activation, need_grad_x)

    def activation_forward(self, name: str, z: Array) -> Array:
        return _core.activation_forward(name, z)

    def activation_backward(
        self, name: str, z: Array, a: Array, grad_a: Array
    ) -> Array:
        return _core.activation_backward(name, z, a, grad_a)

    def loss(self, name: str, y_pred: Array, y_true: Array | Labels) -> float:
        return _core.loss(name, y_pred, y_true)

    def loss_grad(self, name: str, y_pred: Array, y_true: Array | Labels) -> Array:
        return _core.loss_grad(name, y_pred, y_true)

    def output_grad(
        self, activation: str, loss: str, z: Array, a: Array, y_true: Array | Labels
    ) -> Array:
        return _core.output_grad(activation, loss, z, a, y_true)

    def sgd_step(self, param: Array, grad: Array, lr: float) -> None:
        _core.sgd_step(param, grad, lr)

    def momentum_step(
        self,
        param: Array,
        grad: Array,
        velocity: Array,
        lr: float,
        momentum: float,
        nesterov: bool,
    ) -> None:
        _core.momentum_step(param, grad, velocity, lr, momentum, nesterov)

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
        _core.adam_step(param, grad, m, v, lr, beta1, beta2, eps, step)
