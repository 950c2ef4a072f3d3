"""Optimizers: how a gradient becomes a weight update.

Each optimizer keeps its state (velocities, moments) per layer and applies the
update in place through the network's backend, so ``layers[i].W`` stays the same
NumPy array throughout training.
"""

from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._validation import check_fraction, check_positive, check_shape, describe
from .errors import DTypeError, ValidationError
from .layers import Dense

if TYPE_CHECKING:
    from .network import Gradient, Network

__all__ = ["SGD", "Adam", "Momentum", "Optimizer"]

Array = NDArray[np.floating[Any]]


class Optimizer(ABC):
    """Base class: validates gradients, then applies :meth:`_update` per parameter."""

    #: names of the per-parameter state arrays the optimizer keeps
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = check_positive(lr, "lr")
        self.steps = 0
        self._state: weakref.WeakKeyDictionary[Dense, dict[str, list[Array]]] = (
            weakref.WeakKeyDictionary()
        )

    def step(self, net: Network, grads: Sequence[Gradient]) -> None:
        """Update every layer of ``net`` in place from ``grads`` (from ``net.gradients``).

        Raises
        ------
        ValidationError
            If ``grads`` does not have one (W, b) pair per layer with matching shapes.
        """
        if not isinstance(grads, Sequence) or len(grads) != len(net.layers):
            raise ValidationError(
                f"grads: expected {len(net.layers)} (W, b) gradients, one per layer, "
                f"got {describe(grads)}"
            )
        for i, (layer, grad) in enumerate(zip(net.layers, grads, strict=False)):
            for name, param, g in (("W", layer.W, grad[0]), ("b", layer.b, grad[1])):
                if not isinstance(g, np.ndarray) or g.dtype != param.dtype:
                    raise DTypeError(
                        f"grads[{i}].{name}: expected an ndarray of dtype {param.dtype}, "
                        f"got {describe(g)}"
                    )
                check_shape(
                    g, f"grads[{i}].{name}", param.shape, f"like layers[{i}].{name}"
                )
        self.apply(net, grads)

    def apply(self, net: Network, grads: Sequence[Gradient]) -> None:
        """:meth:`step` without the checks, for callers that made the gradients."""
        self.steps += 1
        for layer, grad in zip(net.layers, grads, strict=False):
            state = self._layer_state(layer)
            for k, (param, g) in enumerate(((layer.W, grad.W), (layer.b, grad.b))):
                self._update(net, param, g, [s[k] for s in state.values()])

    def _layer_state(self, layer: Dense) -> dict[str, list[Array]]:
        """Zero-initialised state for ``layer``, renewed if its parameters changed shape."""
        state = self._state.get(layer)
        params = (layer.W, layer.b)
        if state is None or any(
            s[k].shape != p.shape or s[k].dtype != p.dtype
            for s in state.values()
            for k, p in enumerate(params)
        ):
            state = {
                name: [np.zeros_like(p) for p in params] for name in self.state_names
            }
            self._state[layer] = state
        return state

    @abstractmethod
    def _update(
        self, net: Network, param: Array, grad: Array, state: list[Array]
    ) -> None:
        """Update ``param`` in place from ``grad`` and this parameter's ``state``."""

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor's arguments: ``type(self)(**opt.hyperparameters())`` makes
        an optimizer with the same settings (and fresh state)."""
        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and k != "steps"
        }

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({params})"


class SGD(Optimizer):
    """Plain gradient descent, the lecture's ``w(i) = w(i−1) − γ ∇C(w(i−1))``.

    Parameters
    ----------
    lr : float
        The learning rate γ > 0.
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _update(
        self, net: Network, param: Array, grad: Array, state: list[Array]
    ) -> None:
        net.backend.kernels.sgd_step(param, grad, self.lr)


class Momentum(Optimizer):
    """Gradient descent with momentum (PyTorch's convention)::

        v ← μ v + ∇C;   w ← w − γ v            (classical)
                         w ← w − γ (∇C + μ v)   (nesterov=True)

    Parameters
    ----------
    lr : float
        The learning rate γ > 0.
    momentum : float
        μ in [0, 1).
    nesterov : bool
        Use Nesterov's look-ahead form.
    """

    state_names = ("velocity",)

    def __init__(
        self, lr: float = 0.01, momentum: float = 0.9, nesterov: bool = False
    ) -> None:
        super().__init__(lr)
        self.momentum = check_fraction(momentum, "momentum")
        self.nesterov = bool(nesterov)

    def _update(
        self, net: Network, param: Array, grad: Array, state: list[Array]
    ) -> None:
        net.backend.kernels.momentum_step(
            param, grad, state[0], self.lr, self.momentum, self.nesterov
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, at step t = 1, 2, ...::

        m ← β1 m + (1 − β1) ∇C;   v ← β2 v + (1 − β2) (∇C)²
        w ← w − γ (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)

    Parameters
    ----------
    lr : float
        γ > 0.
    beta1, beta2 : float
        Decay rates of the first and second moments, in [0, 1).
    eps : float
        ε > 0, guards the division.
    """

    state_names = ("m", "v")

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(lr)
        self.beta1 = check_fraction(beta1, "beta1")
        self.beta2 = check_fraction(beta2, "beta2")
        self.eps = check_positive(eps, "eps")

    def _update(
        self, net: Network, param: Array, grad: Array, state: list[Array]
    ) -> None:
        net.backend.kernels.adam_step(
            param,
            grad,
            state[0],
            state[1],
            self.lr,
            self.beta1,
            self.beta2,
            self.eps,
            self.steps,
        )
