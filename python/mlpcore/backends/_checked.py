"""The public face of a backend: validate every argument, then call the kernels.

Both backends share this class, so they accept the same arguments, apply the same
defaults and raise the same exceptions with the same messages (DESIGN.md §2, §5).
Validation converts once where needed: integer and bool arrays to the call's float
dtype, odd byte strides to a contiguous copy; views, Fortran order and negative
strides pass through untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import (
    as_array,
    check_choice,
    check_fraction,
    check_int,
    check_labels,
    check_positive,
    check_shape,
    common_dtype,
    describe,
    to_dtype,
)
from ..activations import activation_names
from ..errors import DTypeError, ValidationError
from ..losses import LOSSES, loss_names
from ._contract import Array, Kernels, Labels

__all__ = ["Backend"]


def _check_real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise DTypeError(f"{name}: expected a real number, got {describe(value)}")
    return float(value)


def _check_writeable(
    array: object, name: str, dtype: np.dtype[Any] | None = None
) -> Array:
    """An array the kernel writes into: it must already be a float ndarray."""
    if not isinstance(array, np.ndarray):
        raise DTypeError(
            f"{name}: expected a writeable numpy.ndarray, got {describe(array)}"
        )
    if array.dtype not in (np.float32, np.float64):
        raise DTypeError(
            f"{name}: expected dtype float32 or float64, got {array.dtype}"
        )
    if dtype is not None and array.dtype != dtype:
        raise DTypeError(f"{name}: expected dtype {dtype}, got {array.dtype}")
    if not array.flags.writeable:
        raise ValidationError(
            f"{name}: expected a writeable array, got a read-only one"
        )
    if array.size == 0:
        raise ValidationError(
            f"{name}: expected a non-empty array, got shape {array.shape}"
        )
    if any(s % array.itemsize for s in array.strides):
        raise ValidationError(
            f"{name}: expected strides that are whole elements, got {array.strides}"
        )
    return array


def _check_no_overlap(
    target: Array, name: str, *others: tuple[str, NDArray[Any]]
) -> None:
    for other_name, other in others:
        if np.may_share_memory(target, other):
            raise ValidationError(
                f"{name}: expected memory separate from {other_name}, got an overlapping array"
            )


class Backend:
    """A backend's kernels behind argument checks: ``mlpcore.get_backend(name)``.

    Every method validates its arguments and raises
    :class:`~mlpcore.errors.ValidationError` (a ``ValueError``) or
    :class:`~mlpcore.errors.DTypeError` (a ``TypeError``) naming the argument,
    before any kernel runs. ``kernels`` is the unchecked interface the network
    uses after validating its inputs once.
    """

    def __init__(self, kernels: Kernels) -> None:
        self.kernels = kernels

    @property
    def name(self) -> str:
        """``"native"`` or ``"numpy"``."""
        return self.kernels.name

    def __repr__(self) -> str:
        return f"<mlpcore backend {self.name!r}>"

    # -- products ---------------------------------------------------------------

    def gemm(
        self,
        a: object,
        b: object,
        *,
        trans_a: bool = False,
        trans_b: bool = False,
        alpha: float = 1.0,
        beta: float = 0.0,
        out: Array | None = None,
    ) -> Array:
        """General matrix product ``alpha·op(a)·op(b) + beta·out``.

        Parameters
        ----------
        a, b : array_like, 2-D
            ``op(a)`` is ``a.T`` if ``trans_a`` else ``a``, of shape (m, k);
            ``op(b)`` likewise, of shape (k, n). Any strides are accepted.
        alpha, beta : float
            Scales. With ``beta == 0`` the previous content of ``out`` is ignored
            (even NaN). A non-zero ``beta`` needs ``out``.
        out : ndarray of shape (m, n), optional
            Written in place and returned; must not overlap ``a`` or ``b``.

        Returns
        -------
        ndarray of shape (m, n)
        """
        a_ = as_array(a, "a", 2)
        b_ = as_array(b, "b", 2)
        alpha_ = _check_real(alpha, "alpha")
        beta_ = _check_real(beta, "beta")
        named = [("a", a_), ("b", b_)]
        if out is not None:
            named.append(("out", _check_writeable(out, "out")))
        dtype = common_dtype(named)
        a_, b_ = to_dtype(a_, dtype), to_dtype(b_, dtype)
        m, k = a_.shape[::-1] if trans_a else a_.shape
        kb, n = b_.shape[::-1] if trans_b else b_.shape
        if kb != k:
            raise ValidationError(
                f"b: expected op(b) with {k} rows to match the {k} columns of op(a), "
                f"got op(b) of shape ({kb}, {n})"
            )
        if out is None:
            if beta_ != 0:
                raise ValidationError(
                    f"beta: expected 0 when out is None, got {beta!r}"
                )
            out = np.empty((m, n), dtype=dtype)
        else:
            check_shape(out, "out", (m, n), "(rows of op(a), columns of op(b))")
            _check_no_overlap(out, "out", ("a", a_), ("b", b_))
        self.kernels.gemm(a_, b_, out, bool(trans_a), bool(trans_b), alpha_, beta_)
        return out

    # -- layers -----------------------------------------------------------------

    def dense_forward(
        self, x: object, W: object, b: object, activation: str
    ) -> tuple[Array, Array]:
        """One dense layer forward: ``z = x @ W + b``, ``a = f(z)``.

        Shapes: ``x`` (n_samples, n_in), ``W`` (n_in, n_out), ``b`` (n_out,);
        returns ``(z, a)``, each (n_samples, n_out).
        """
        x_, W_, b_ = as_array(x, "x", 2), as_array(W, "W", 2), as_array(b, "b", 1)
        check_choice(activation, "activation", activation_names())
        dtype = common_dtype([("x", x_), ("W", W_), ("b", b_)])
        check_shape(
            W_, "W", (x_.shape[1], None), "(n_in, n_out) with n_in = x's columns"
        )
        check_shape(b_, "b", (W_.shape[1],), "(n_out,) with n_out = W's columns")
        return self.kernels.dense_forward(
            to_dtype(x_, dtype), to_dtype(W_, dtype), to_dtype(b_, dtype), activation
        )

    def dense_backward(
        self,
        x: object,
        W: object,
        z: object,
        a: object,
        grad_a: object,
        activation: str,
        *,
        need_grad_x: bool = True,
    ) -> tuple[Array | None, Array, Array]:
        """One dense layer backward by the chain rule.

        With ``δ = ∂C/∂z = grad_a ⊙ f'(z)``: returns ``(∂C/∂x, ∂C/∂W, ∂C/∂b) =
        (δ Wᵀ, xᵀ δ, Σ_rows δ)``; ``∂C/∂x`` is ``None`` unless ``need_grad_x``.
        Shapes: ``x`` (n, n_in), ``W`` (n_in, n_out), ``z``/``a``/``grad_a`` (n, n_out).
        """
        arrays = {
            "x": as_array(x, "x", 2),
            "W": as_array(W, "W", 2),
            "z": as_array(z, "z", 2),
            "a": as_array(a, "a", 2),
            "grad_a": as_array(grad_a, "grad_a", 2),
        }
        check_choice(activation, "activation", activation_names())
        dtype = common_dtype(arrays.items())
        n, n_in = arrays["x"].shape
        check_shape(
            arrays["W"], "W", (n_in, None), "(n_in, n_out) with n_in = x's columns"
        )
        for name in ("z", "a", "grad_a"):
            check_shape(
                arrays[name], name, (n, arrays["W"].shape[1]), "(n_samples, n_out)"
            )
        c = {k: to_dtype(v, dtype) for k, v in arrays.items()}
        return self.kernels.dense_backward(
            c["x"], c["W"], c["z"], c["a"], c["grad_a"], activation, bool(need_grad_x)
        )

    # -- activations ------------------------------------------------------------

    def activation_forward(self, name: str, z: object) -> Array:
        """``f(z)`` for a 1-D or 2-D ``z``, elementwise (softmax normalises each row).

        linear ``z``; sigmoid ``1 / (1 + e⁻ᶻ)``; tanh ``(eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ)``;
        relu ``max(0, z)``; leaky_relu ``z`` or ``0.01 z``; softmax
        ``e^{z_k} / Σⱼ e^{z_j}`` per row (``mlpcore.ACTIVATIONS[name].formula``).
        Returns an array of ``z``'s shape.
        """
        check_choice(name, "name", activation_names())
        z_ = as_array(z, "z", (1, 2))
        dtype = common_dtype([("z", z_)])
        result = self.kernels.activation_forward(
            name, to_dtype(np.atleast_2d(z_), dtype)
        )
        return result.reshape(z_.shape)

    def activation_backward(
        self, name: str, z: object, a: object, grad_a: object
    ) -> Array:
        """``grad_a ⊙ f'(z)`` for 1-D or 2-D arrays of one shape (softmax: the JVP).

        ``f'`` is 1 (linear), ``a (1 − a)`` (sigmoid), ``1 − a²`` (tanh),
        ``[z > 0]`` (relu); ``a = f(z)`` is passed in so it is not recomputed.
        """
        check_choice(name, "name", activation_names())
        z_ = as_array(z, "z", (1, 2))
        a_, g_ = as_array(a, "a", (1, 2)), as_array(grad_a, "grad_a", (1, 2))
        check_shape(a_, "a", z_.shape, "like z")
        check_shape(g_, "grad_a", z_.shape, "like z")
        dtype = common_dtype([("z", z_), ("a", a_), ("grad_a", g_)])
        z2, a2, g2 = (to_dtype(np.atleast_2d(v), dtype) for v in (z_, a_, g_))
        return self.kernels.activation_backward(name, z2, a2, g2).reshape(z_.shape)

    # -- losses -----------------------------------------------------------------

    def _loss_operands(
        self, name: str, y_pred: object, y_true: object
    ) -> tuple[Array, Array | Labels, tuple[int, ...]]:
        check_choice(name, "name", loss_names())
        p = as_array(y_pred, "y_pred", (1, 2))
        y = as_array(y_true, "y_true", (1, 2))
        shape = p.shape
        if p.ndim == 1:
            p = p.reshape(-1, 1)
        dtype = common_dtype([("y_pred", p)] + ([("y_true", y)] if y.ndim == 2 else []))
        p = to_dtype(p, dtype)
        if y.ndim == 1 and name == "cross_entropy" and p.shape[1] > 1:
            check_shape(y, "y_true", (p.shape[0],), "(n_samples,) of class labels")
            return p, check_labels(y, "y_true", p.shape[1]), shape
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        check_shape(y, "y_true", p.shape, "like y_pred")
        if y.dtype.kind == "f" and y.dtype != dtype:
            raise DTypeError(
                f"y_true: expected dtype {dtype} like y_pred, got {y.dtype}"
            )
        return p, to_dtype(y, dtype), shape

    def loss(self, name: str, y_pred: object, y_true: object) -> float:
        """The cost ``C(y_pred, y_true)`` as a Python float.

        quadratic ``½ Σ (ŷ − y)²``; mse ``(1/N) Σ (ŷ − y)²`` over all N entries;
        binary_cross_entropy ``−(1/n) Σ (y ln ŷ + (1 − y) ln(1 − ŷ))``;
        cross_entropy ``−(1/n) Σ Σₖ yₖ ln ŷₖ`` (n samples).

        ``y_pred`` is (n_samples, n_outputs), or 1-D for one output. For
        ``cross_entropy``, ``y_true`` is one-hot (n_samples, n_classes) or integer
        labels (n_samples,); otherwise it has ``y_pred``'s shape.
        """
        p, y, _ = self._loss_operands(name, y_pred, y_true)
        return self.kernels.loss(name, p, y)

    def loss_grad(self, name: str, y_pred: object, y_true: object) -> Array:
        """``∂C/∂y_pred``, shaped like ``y_pred``: quadratic ``ŷ − y``, mse
        ``2 (ŷ − y) / N``, binary_cross_entropy ``(ŷ − y) / (ŷ (1 − ŷ)) / n``,
        cross_entropy ``−y / ŷ / n``."""
        p, y, shape = self._loss_operands(name, y_pred, y_true)
        return self.kernels.loss_grad(name, p, y).reshape(shape)

    def output_grad(
        self, activation: str, loss: str, z: object, a: object, y_true: object
    ) -> Array:
        """``∂C/∂z`` of the output layer (n_samples, n_out).

        Fused where the chain rule simplifies: softmax + cross_entropy and
        sigmoid + binary_cross_entropy both give ``(a − y)/n``.
        """
        check_choice(activation, "activation", activation_names())
        allowed = LOSSES[check_choice(loss, "loss", loss_names())].output_activations
        if allowed is not None and activation not in allowed:
            raise ValidationError(
                f"activation: expected {' or '.join(sorted(allowed))} before loss "
                f"{loss!r}, got {activation!r}"
            )
        z_ = as_array(z, "z", 2)
        p, y, _ = self._loss_operands(loss, a, y_true)
        check_shape(z_, "z", p.shape, "like a")
        z_ = to_dtype(z_, common_dtype([("a", p), ("z", z_)]))
        return self.kernels.output_grad(activation, loss, z_, p, y)

    # -- optimizer steps --------------------------------------------------------

    def _step_operands(
        self, param: object, grad: object, *state: tuple[str, object]
    ) -> tuple[Array, Array, list[Array]]:
        p = _check_writeable(param, "param")
        if p.ndim not in (1, 2):
            raise ValidationError(
                f"param: expected a 1-D or 2-D array, got shape {p.shape}"
            )
        g = as_array(grad, "grad", p.ndim)
        check_shape(g, "grad", p.shape, "like param")
        common_dtype([("param", p), ("grad", g)])
        _check_no_overlap(p, "param", ("grad", g))
        checked: list[tuple[str, NDArray[Any]]] = [("param", p), ("grad", g)]
        for name, value in state:
            s = _check_writeable(value, name, p.dtype)
            check_shape(s, name, p.shape, "like param")
            _check_no_overlap(s, name, *checked)
            checked.append((name, s))
        arrays = [s for _, s in checked[2:]]
        return p, to_dtype(g, p.dtype), arrays

    def sgd_step(self, param: Array, grad: object, *, lr: float) -> None:
        """In place: ``param ← param − lr·grad`` (the lecture's gradient descent)."""
        p, g, _ = self._step_operands(param, grad)
        self.kernels.sgd_step(p, g, check_positive(lr, "lr"))

    def momentum_step(
        self,
        param: Array,
        grad: object,
        velocity: Array,
        *,
        lr: float,
        momentum: float = 0.9,
        nesterov: bool = False,
    ) -> None:
        """In place: ``v ← μv + g``; ``param ← param − lr·v``, or with Nesterov
        ``param ← param − lr·(g + μv)`` (PyTorch's convention)."""
        p, g, (v,) = self._step_operands(param, grad, ("velocity", velocity))
        self.kernels.momentum_step(
            p,
            g,
            v,
            check_positive(lr, "lr"),
            check_fraction(momentum, "momentum"),
            bool(nesterov),
        )

    def adam_step(
        self,
        param: Array,
        grad: object,
        m: Array,
        v: Array,
        *,
        lr: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        step: int,
    ) -> None:
        """In place, Adam (Kingma & Ba) with bias correction at ``step`` t ≥ 1::

        m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
        param ← param − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + eps)
        """
        p, g, (m_, v_) = self._step_operands(param, grad, ("m", m), ("v", v))
        self.kernels.adam_step(
            p,
            g,
            m_,
            v_,
            check_positive(lr, "lr"),
            check_fraction(beta1, "beta1"),
            check_fraction(beta2, "beta2"),
            check_positive(eps, "eps"),
            check_int(step, "step"),
        )
