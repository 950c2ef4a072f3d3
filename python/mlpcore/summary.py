"""``Network.summary()``: a Keras-like table of a network's layers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .network import Network

__all__ = ["summary"]


def summary(net: Network) -> str:
    """The table :meth:`Network.summary` prints.

    One row per layer: its index, ``Dense(n_in → n_out)``, the output shape
    ``(None, n_out)`` (``None`` = any batch size), the activation and the number of
    parameters ``n_in·n_out + n_out``; then the input shape, the totals (count and
    bytes in the network's dtype), the loss, dtype and backend.
    """
    header = ("#", "Layer (type)", "Output shape", "Activation", "Params")
    rows = [
        (
            str(i),
            f"Dense({layer.n_in} → {layer.n_out})",
            f"(None, {layer.n_out})",
            layer.activation,
            f"{layer.n_params:,}",
        )
        for i, layer in enumerate(net.layers)
    ]
    widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        left = [cell.ljust(w) for cell, w in zip(cells[:-1], widths[:-1], strict=True)]
        return "  ".join([*left, cells[-1].rjust(widths[-1])]).rstrip()

    rule_width = sum(widths) + 2 * (len(widths) - 1)
    total = sum(layer.n_params for layer in net.layers)
    size = total * net.dtype.itemsize
    lines = [
        f'Network: {len(net.layers)} dense layer(s), loss "{net.loss}", '
        f"{net.dtype}, backend {net.backend.name}",
        "=" * rule_width,
        line(header),
        "-" * rule_width,
        *(line(row) for row in rows),
        "=" * rule_width,
        f"Input shape: (None, {net.n_in})",
        f"Total params: {total:,} ({_bytes(size)})",
        f"Trainable params: {total:,}",
    ]
    return "\n".join(lines)


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024**2:
        return f"{n / 1024:.2f} KB"
    return f"{n / 1024**2:.2f} MB"
