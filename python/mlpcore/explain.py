"""One forward (and backward) pass, written out step by step in the lecture's notation.

:meth:`Network.explain` returns an :class:`Explanation`: every intermediate array of
one pass — ``zˡ``, ``aˡ``, the cost ``C``, ``δˡ = ∂C/∂zˡ``, ``∂C/∂Wˡ``, ``∂C/∂bˡ`` and
the weights after one gradient-descent step ``w ← w − γ∇C`` — as plain NumPy arrays,
plus a text that prints each one beside its formula. The arrays come from the
network's own backend kernels, the same ones :meth:`Network.gradients` and
:meth:`Network.fit` run, so what a learner reads is what training computes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._validation import check_finite, check_positive

if TYPE_CHECKING:
    from .network import Gradient, Network

__all__ = ["Explanation", "LayerExplanation", "explain"]

Array = NDArray[np.floating[Any]]

#: γ used when ``explain`` is given targets but no learning rate (SGD's default)
DEFAULT_LR = 0.01

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

#: the cost formulas, in the lecture's notation (n = samples, N = all entries)
COST_FORMULAS = {
    "quadratic": "½ Σ (ŷ − y)²",
    "mse": "(1/N) Σ (ŷ − y)²",
    "binary_cross_entropy": "−(1/n) Σ (y ln ŷ + (1 − y) ln(1 − ŷ))",
    "cross_entropy": "−(1/n) Σ Σₖ yₖ ln ŷₖ",
}

#: δᴸ = ∂C/∂zᴸ of the output layer, where the chain rule simplifies
_FUSED_DELTA = {
    ("sigmoid", "binary_cross_entropy"): "(ŷ − y) / n",
    ("softmax", "cross_entropy"): "(ŷ − y) / n",
}
_LOSS_GRADIENT = {
    "quadratic": "(ŷ − y)",
    "mse": "2 (ŷ − y) / N",
    "binary_cross_entropy": "∂C/∂ŷ",
    "cross_entropy": "∂C/∂ŷ",
}


def sup(index: int | str) -> str:
    """``index`` in superscript digits: ``sup(12) == "¹²"``."""
    return str(index).translate(_SUPERSCRIPTS)


def format_number(value: float) -> str:
    """A number as printed by explanations and the lecture: 6 significant digits,
    integers without a decimal point (``163``, ``0.999994``, ``-1.5e-07``)."""
    text = f"{float(value):.6g}"
    return "0" if text == "-0" else text


#: longer vectors and taller matrices are summarised with "…", as NumPy does
_MAX_ITEMS, _EDGE = 10, 3


def _cells(values: NDArray[np.float64]) -> list[str]:
    if values.size <= _MAX_ITEMS:
        return [format_number(v) for v in values]
    return (
        [format_number(v) for v in values[:_EDGE]]
        + ["…"]
        + [format_number(v) for v in values[-_EDGE:]]
    )


def format_array(array: object, *, row: bool = True) -> str:
    """An array as printed by explanations: ``[15, 23, 18, 13]``.

    A batch of one sample, shape (1, n), prints as the vector ``[…]`` when ``row``;
    a matrix prints one row per line with aligned columns. Vectors longer than 10
    and matrices taller than 10 are summarised with ``…``.
    """
    values = np.asarray(array, dtype=np.float64)
    if row and values.ndim == 2 and values.shape[0] == 1:
        values = values[0]
    if values.ndim == 0:
        return format_number(float(values))
    if values.ndim == 1:
        return "[" + ", ".join(_cells(values)) + "]"
    picked: list[NDArray[np.float64] | None] = list(values)
    if len(picked) > _MAX_ITEMS:
        picked = [*picked[:_EDGE], None, *picked[-_EDGE:]]
    rows = [None if r is None else _cells(r) for r in picked]
    width = max((len(c) for r in rows if r is not None for c in r), default=1)
    lines = [
        " ⋮" if r is None else "[" + ", ".join(c.rjust(width) for c in r) + "]"
        for r in rows
    ]
    return "[" + ",\n ".join(lines) + "]"


def equation(left: str, array: object, *, row: bool = True) -> str:
    """``left = value`` with a matrix's later rows aligned under its first."""
    text = format_array(array, row=row)
    pad = " " * (len(left) + 3)
    return f"{left} = " + text.replace("\n", "\n" + pad)


# eq=False: the fields are arrays, which do not compare to a single bool
@dataclass(frozen=True, eq=False)
class LayerExplanation:
    """Layer ``l`` (1-based, as in the lecture) of one explained pass.

    Shapes for a batch of n samples through ``Dense(n_in, n_out)``: ``inputs``
    (n, n_in) — ``x`` for the first layer, ``aˡ⁻¹`` after; ``W`` (n_in, n_out) and
    ``b`` (n_out,) as they were before any step; ``z = inputs W + b`` and
    ``a = f(z)`` (n, n_out). With targets: ``delta = ∂C/∂z`` (n, n_out),
    ``grad_W = inputsᵀ δ`` (n_in, n_out), ``grad_b = Σₙ δ`` (n_out,), and
    ``W_new = W − γ grad_W``, ``b_new = b − γ grad_b``; otherwise these are None.
    """

    index: int
    activation: str
    inputs: Array
    W: Array
    b: Array
    z: Array
    a: Array
    delta: Array | None = None
    grad_W: Array | None = None
    grad_b: Array | None = None
    W_new: Array | None = None
    b_new: Array | None = None


@dataclass(frozen=True, eq=False)
class Explanation:
    """One pass through a network, every intermediate value kept.

    Attributes
    ----------
    x : ndarray (n, n_in)
        The input batch, in the network's dtype.
    layers : tuple of LayerExplanation
        First layer first.
    output : ndarray (n, n_out)
        ``ŷ = aᴸ``.
    loss : str
        The network's cost function.
    y : ndarray or None
        The targets as the kernels take them ((n, n_out) floats, or (n,) labels).
    cost : float or None
        ``C(ŷ, y)``.
    lr : float or None
        The learning rate γ of the step shown.
    applied : bool
        Whether the step was written into the network.
    """

    x: Array
    layers: tuple[LayerExplanation, ...]
    output: Array
    loss: str
    y: NDArray[Any] | None = None
    cost: float | None = None
    lr: float | None = None
    applied: bool = False

    @property
    def grads(self) -> list[Gradient]:
        """``∂C/∂W``, ``∂C/∂b`` per layer, like :meth:`Network.gradients` returns."""
        from .network import Gradient

        if self.y is None:
            return []
        return [Gradient(lay.grad_W, lay.grad_b) for lay in self.layers]  # type: ignore[arg-type]

    # -- rendering --------------------------------------------------------------

    def sections(self) -> list[tuple[str, list[str]]]:
        """The account as ``(heading, lines)`` pairs, each line ``formula = value``."""
        n_layers = len(self.layers)
        n = self.x.shape[0]
        samples = "1 sample" if n == 1 else f"{n} samples"
        forward = [f"{samples}, {self.x.shape[1]} inputs", equation("x", self.x)]
        for lay in self.layers:
            k = sup(lay.index)
            source = "xᵀ" if lay.index == 1 else f"a{sup(lay.index - 1)}ᵀ"
            forward += [
                f"layer {lay.index}: Dense({lay.W.shape[0]} → {lay.W.shape[1]}, "
                f"{lay.activation})",
                equation(f"W{k}", lay.W, row=False),
                equation(f"b{k}", lay.b),
                equation(f"z{k} = {source}W{k} + b{k}", lay.z),
                equation(f"a{k} = {lay.activation}(z{k})", lay.a),
            ]
        forward.append(equation(f"ŷ = a{sup(n_layers)}", self.output))
        out: list[tuple[str, list[str]]] = [("Forward pass", forward)]
        if self.y is None:
            return out

        formula = COST_FORMULAS.get(self.loss, "C(ŷ, y)")
        cost = [
            equation("y", self.y),
            f"C = {formula} = {format_number(self.cost or 0)}",
        ]
        out.append((f"Cost ({self.loss})", cost))
        backward = []
        for lay in reversed(self.layers):
            k = sup(lay.index)
            if lay.index == n_layers:
                rule = _FUSED_DELTA.get((lay.activation, self.loss)) or (
                    f"{_LOSS_GRADIENT.get(self.loss, '∂C/∂ŷ')} ⊙ {lay.activation}'(z{k})"
                )
                backward.append(equation(f"δᴸ = δ{k} = ∂C/∂z{k} = {rule}", lay.delta))
            else:
                up = sup(lay.index + 1)
                rule = f"(δ{up} W{up}ᵀ) ⊙ {lay.activation}'(z{k})"
                backward.append(equation(f"δ{k} = ∂C/∂z{k} = {rule}", lay.delta))
            # x is a column and zˡ, aˡ, δˡ are rows in the lecture's z = xᵀW + b
            source = "x" if lay.index == 1 else f"a{sup(lay.index - 1)}ᵀ"
            total = "" if n == 1 else "Σₙ "
            backward += [
                equation(f"∂C/∂W{k} = {total}{source} δ{k}", lay.grad_W, row=False),
                equation(f"∂C/∂b{k} = {total}δ{k}", lay.grad_b),
            ]
        out.append(("Backward pass (chain rule)", backward))

        step = []
        for lay in self.layers:
            k = sup(lay.index)
            step += [
                equation(f"W{k} ← W{k} − γ ∂C/∂W{k}", lay.W_new, row=False),
                equation(f"b{k} ← b{k} − γ ∂C/∂b{k}", lay.b_new),
            ]
        step.append(
            "(written into the network)"
            if self.applied
            else "(not applied: the network is unchanged; explain(..., apply=True) "
            "writes it)"
        )
        gamma = format_number(self.lr or 0)
        out.append((f"One gradient-descent step w ← w − γ∇C, γ = {gamma}", step))
        return out

    def __str__(self) -> str:
        parts = []
        for heading, lines in self.sections():
            parts.append(heading)
            parts += ["  " + line.replace("\n", "\n  ") for line in lines]
        return "\n".join(parts)

    def _repr_markdown_(self) -> str:
        parts = []
        for heading, lines in self.sections():
            parts += [f"**{heading}**", "", "```text", *lines, "```", ""]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Explanation(\n{self}\n)"


def explain(
    net: Network,
    x: object,
    y: object = None,
    lr: float | None = None,
    *,
    apply: bool = False,
) -> Explanation:
    """Write out one pass of ``net`` on ``x``; see :meth:`Network.explain`."""
    kernels = net.backend.kernels
    inputs = net._inputs(x, "x")
    check_finite(inputs, "x")
    traces = net._forward(inputs)
    sources = [inputs] + [trace.a for trace in traces[:-1]]
    layers = net.layers
    # the forward pass, with W and b as they are before any step
    forward = [
        LayerExplanation(
            i + 1, layer.activation, src, layer.W.copy(), layer.b.copy(), t.z, t.a
        )
        for i, (layer, src, t) in enumerate(zip(layers, sources, traces))
    ]
    output = traces[-1]
    if y is None:
        return Explanation(inputs, tuple(forward), output.a, net.loss)

    gamma = DEFAULT_LR if lr is None else check_positive(lr, "lr")
    targets = net._targets(y, inputs.shape[0])
    cost = kernels.loss(net.loss, output.a, targets)
    # δᴸ = ∂C/∂zᴸ, then δˡ⁻¹ = (δˡ Wˡᵀ) ⊙ f'(zˡ⁻¹): the layer's backward runs as
    # "linear" because δ already holds f'; the activation is applied one layer down.
    # (Network._backprop fuses the two and so never holds δ, which is shown here.)
    delta = kernels.output_grad(
        layers[-1].activation, net.loss, output.z, output.a, targets
    )
    found: list[LayerExplanation] = []
    for i in range(len(layers) - 1, -1, -1):
        step = forward[i]
        grad_x, grad_W, grad_b = kernels.dense_backward(
            step.inputs, step.W, step.z, step.a, delta, "linear", i > 0
        )
        W_new, b_new = step.W.copy(), step.b.copy()
        kernels.sgd_step(W_new, grad_W, gamma)  # the very update SGD applies
        kernels.sgd_step(b_new, grad_b, gamma)
        found.append(
            replace(
                step,
                delta=delta,
                grad_W=grad_W,
                grad_b=grad_b,
                W_new=W_new,
                b_new=b_new,
            )
        )
        if grad_x is not None:
            below = forward[i - 1]
            delta = kernels.activation_backward(
                below.activation, below.z, below.a, grad_x
            )
    found.reverse()
    if apply:
        for layer, step in zip(layers, found):
            layer.W[...] = step.W_new
            layer.b[...] = step.b_new
    return Explanation(
        inputs, tuple(found), output.a, net.loss, targets, cost, gamma, bool(apply)
    )
