"""The native training engine bound to a Network: whole steps and forward passes in
one C++ call each.

The engine works on the layers' own ``W``/``b`` arrays (no copies): every
``engine_for`` call re-checks them in C++ (a pointer comparison per array), rebinds
when a layer's array object changed (``layer.W = ...``) and rebuilds the engine when
the network's structure changed, so ``Network.layers`` stays the single source of
truth. Optimizer state arrays stay in the Python optimizer (``Optimizer._state``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _core
from .optim import SGD, Adam, Momentum, Optimizer

if TYPE_CHECKING:
    from .network import Network

__all__ = ["NativeEngine", "engine_for", "optimizer_kind"]


class NativeEngine:
    """A ``_core.Engine`` plus the bookkeeping that keeps it bound to ``net``."""

    def __init__(self, net: Network) -> None:
        self.dtype = net.dtype
        self.loss = net.loss
        self.core = _core.Engine(
            str(net.dtype),
            [net.n_in, *(layer.n_out for layer in net.layers)],
            [layer.activation for layer in net.layers],
            net.loss,
        )
        self._capacity = 0

    def prepare(
        self, net: Network, optimizer: Optimizer, kind: str, batch: int
    ) -> None:
        """Bind the optimizer's state and size the workspace (after ``engine_for``)."""
        states = [
            array
            for layer in net.layers
            for pair in optimizer._layer_state(layer).values()
            for array in pair
        ]
        self.core.set_optimizer(
            kind,
            optimizer.lr,
            float(getattr(optimizer, "momentum", 0.0)),
            bool(getattr(optimizer, "nesterov", False)),
            float(getattr(optimizer, "beta1", 0.9)),
            float(getattr(optimizer, "beta2", 0.999)),
            float(getattr(optimizer, "eps", 1e-8)),
            states,
        )
        if batch != self._capacity:
            self.core.reserve(batch)
            self._capacity = batch


def engine_for(net: Network) -> NativeEngine:
    """The network's engine bound to its layers' current arrays; rebuilt when the
    layers' count, sizes, activations, the dtype or the loss changed."""
    engine: NativeEngine | None = net.__dict__.get("_native_engine")
    if (
        engine is None
        or engine.dtype != net.dtype
        or engine.loss != net.loss
        or not engine.core.sync(net.layers)
    ):
        engine = NativeEngine(net)
        net.__dict__["_native_engine"] = engine
        if not engine.core.sync(net.layers):  # a layer's arrays do not fit it
            engine.core.bind([p for layer in net.layers for p in (layer.W, layer.b)])
    return engine


_KINDS = {SGD: "sgd", Momentum: "momentum", Adam: "adam"}


def optimizer_kind(optimizer: Optimizer) -> str | None:
    """The engine's name for a stock optimizer; None for subclasses or instances whose
    update was replaced (they run the Python step, which calls their code)."""
    kind = _KINDS.get(type(optimizer))
    if kind is None or "apply" in vars(optimizer) or "_update" in vars(optimizer):
        return None
    return kind
