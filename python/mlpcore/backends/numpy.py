"""The NumPy twin: every kernel as short, readable NumPy — the reference.

The native backend must agree with these bodies (DESIGN.md §4), so the operation
order here is the documented one: change one, change both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._contract import Array, Labels

__all__ = ["NumpyKernels"]


def _eps(array: Array) -> Any:
    return np.finfo(array.dtype).eps


def _activation_forward(name: str, z: Array) -> Array:
    if name == "linear":
        return z.copy()
    if name == "sigmoid":
        e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, z * 0.01)
    if name == "softmax":
        with np.errstate(over="ignore"):  # z − max may reach −inf: exp gives 0, fine
            e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise AssertionError(f"unknown activation {name!r}")


def _activation_backward(name: str, z: Array, a: Array, grad_a: Array) -> Array:
    if name == "linear":
        return grad_a.copy()
    if name == "sigmoid":
        return grad_a * (a * (1 - a))
    if name == "tanh":
        return grad_a * (1 - a * a)
    if name == "relu":
        return np.where(z > 0, grad_a, 0)
    if name == "leaky_relu":
        return np.where(z > 0, grad_a, grad_a * 0.01)
    if name == "softmax":
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))
    raise AssertionError(f"unknown activation {name!r}")


def _is_labels(y_true: Array | Labels) -> bool:
    return y_true.ndim == 1


def _loss(name: str, p: Array, y: Array | Labels) -> float:
    n = p.shape[0]
    if name == "quadratic":
        d = p - y
        return 0.5 * float(np.sum(d * d, dtype=np.float64))
    if name == "mse":
        d = p - y
        return float(np.sum(d * d, dtype=np.float64)) / p.size
    if name == "binary_cross_entropy":
        q = np.clip(p, _eps(p), 1 - _eps(p))
        terms = y * np.log(q) + (1 - y) * np.log(1 - q)
        return -float(np.sum(terms, dtype=np.float64)) / n
    if name == "cross_entropy":
        if _is_labels(y):
            picked = np.maximum(p[np.arange(n), y], _eps(p))
            return -float(np.sum(np.log(picked), dtype=np.float64)) / n
        q = np.maximum(p, _eps(p))
        return -float(np.sum(y * np.log(q), dtype=np.float64)) / n
    raise AssertionError(f"unknown loss {name!r}")


def _loss_grad(name: str, p: Array, y: Array | Labels) -> Array:
    n = p.shape[0]
    if name == "quadratic":
        return p - y
    if name == "mse":
        return 2 * (p - y) / p.size
    if name == "binary_cross_entropy":
        q = np.clip(p, _eps(p), 1 - _eps(p))
        return (q - y) / (q * (1 - q)) / n
    if name == "cross_entropy":
        if _is_labels(y):
            rows = np.arange(n)
            grad = np.zeros_like(p)
            grad[rows, y] = -1 / np.maximum(p[rows, y], _eps(p)) / n
            return grad
        return -y / np.maximum(p, _eps(p)) / n
    raise AssertionError(f"unknown loss {name!r}")


class NumpyKernels:
    """Reference implementation of :class:`~mlpcore.backends._contract.Kernels`."""

    name = "numpy"

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
        op_a = a.T if trans_a else a
        op_b = b.T if trans_b else b
        if op_a.shape[1] == 1:
            # A rank-1 product (batch of one in backprop) leaves BLAS in NumPy's
            # matmul and runs ~100x slower; outer() is the same arithmetic.
            product = np.multiply.outer(op_a[:, 0], op_b[0])
        else:
            product = op_a @ op_b
        scale = out.dtype.type(alpha)
        if beta == 0:
            np.multiply(product, scale, out=out)
        else:
            out[...] = product * scale + out * out.dtype.type(beta)

    def dense_forward(
        self, x: Array, W: Array, b: Array, activation: str
    ) -> tuple[Array, Array]:
        z = x @ W + b
        return z, _activation_forward(activation, z)

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
        delta = _activation_backward(activation, z, a, grad_a)
        grad_W = np.empty_like(W, order="C")
        self.gemm(x, delta, grad_W, True, False, 1.0, 0.0)
        grad_b = delta.sum(axis=0)
        grad_x = None
        if need_grad_x:
            grad_x = np.empty((x.shape[0], W.shape[0]), dtype=W.dtype)
            self.gemm(delta, W, grad_x, False, True, 1.0, 0.0)
        return grad_x, grad_W, grad_b

    def activation_forward(self, name: str, z: Array) -> Array:
        return _activation_forward(name, z)

    def activation_backward(
        self, name: str, z: Array, a: Array, grad_a: Array
    ) -> Array:
        return _activation_backward(name, z, a, grad_a)

    def loss(self, name: str, y_pred: Array, y_true: Array | Labels) -> float:
        return _loss(name, y_pred, y_true)

    def loss_grad(self, name: str, y_pred: Array, y_true: Array | Labels) -> Array:
        return _loss_grad(name, y_pred, y_true)

    def output_grad(
        self, activation: str, loss: str, z: Array, a: Array, y_true: Array | Labels
    ) -> Array:
        n = a.shape[0]
        if (activation, loss) == ("softmax", "cross_entropy"):
            if _is_labels(y_true):
                delta = a.copy()
                delta[np.arange(n), y_true] -= 1
                return delta / n
            return (a - y_true) / n
        if (activation, loss) == ("sigmoid", "binary_cross_entropy"):
            return (a - y_true) / n
        return _activation_backward(activation, z, a, _loss_grad(loss, a, y_true))

    def sgd_step(self, param: Array, grad: Array, lr: float) -> None:
        param -= lr * grad

    def momentum_step(
        self,
        param: Array,
        grad: Array,
        velocity: Array,
        lr: float,
        momentum: float,
        nesterov: bool,
    ) -> None:
        velocity *= momentum
        velocity += grad
        if nesterov:
            param -= lr * (grad + momentum * velocity)
        else:
            param -= lr * velocity

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
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        correction1 = 1 - beta1**step
        correction2 = 1 - beta2**step
        param -= lr * (m / correction1) / (np.sqrt(v / correction2) + eps)
