"""Dense layers: ``z = x W + b``, ``a = f(z)`` with ``W`` of shape (n_in, n_out)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validation import (
    as_array,
    check_choice,
    check_dtype,
    check_int,
    check_seed,
    check_shape,
)
from .activations import ACTIVATIONS, activation_names

__all__ = ["INITIALIZERS", "Dense"]

Initializer = Callable[[np.random.Generator, int, int], NDArray[np.float64]]


def _he_normal(rng: np.random.Generator, n_in: int, n_out: int) -> NDArray[np.float64]:
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def _he_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> NDArray[np.float64]:
    limit = np.sqrt(6.0 / n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _glorot_uniform(
    rng: np.random.Generator, n_in: int, n_out: int
) -> NDArray[np.float64]:
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _glorot_normal(
    rng: np.random.Generator, n_in: int, n_out: int
) -> NDArray[np.float64]:
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def _zeros(rng: np.random.Generator, n_in: int, n_out: int) -> NDArray[np.float64]:
    return np.zeros((n_in, n_out))


#: Weight initialisers by name. "auto" picks He for relu/leaky_relu, Glorot otherwise.
INITIALIZERS: MappingProxyType[str, Initializer] = MappingProxyType(
    {
        "he_normal": _he_normal,
        "he_uniform": _he_uniform,
        "glorot_uniform": _glorot_uniform,
        "glorot_normal": _glorot_normal,
        "zeros": _zeros,
    }
)


class Dense:
    """A fully connected layer: ``z = x W + b``, ``a = f(z)``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes; ``W`` has shape (n_in, n_out), ``b`` (n_out,).
    activation : str
        ``"linear"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"`` or
        ``"softmax"``.
    init : str
        How ``W`` starts (``b`` starts at zero):

        - ``"he_normal"``: ``W ~ N(0, 2 / n_in)`` — keeps the variance of relu
          activations constant from layer to layer (He et al., 2015);
        - ``"he_uniform"``: ``W ~ U(−√(6 / n_in), √(6 / n_in))``;
        - ``"glorot_uniform"``: ``W ~ U(−√(6 / (n_in + n_out)), √(6 / (n_in + n_out)))``
          (Glorot & Bengio, 2010), suited to linear, sigmoid, tanh and softmax;
        - ``"glorot_normal"``: ``W ~ N(0, 2 / (n_in + n_out))``;
        - ``"zeros"``;
        - ``"auto"`` (default): he_normal for relu and leaky_relu, glorot_uniform
          otherwise.
    W, b : array_like, optional
        Given weights (e.g. the lecture's); they are kept through network
        construction instead of being initialised.
    seed : int, optional
        Seeds this layer's own initialisation. A :class:`~mlpcore.Network` built
        with a ``seed`` re-initialises every layer not given ``W`` from its own
        generator, so the whole network is reproducible from one number.

    Attributes
    ----------
    W : ndarray (n_in, n_out) and b : ndarray (n_out,)
        Plain NumPy arrays, read and assigned freely; an assigned (or given)
        array is checked for shape and converted to the layer's dtype. One that
        already has that dtype and is C-contiguous and writeable is used as is,
        not copied (NumPy's usual sharing): pass ``W.copy()`` to build two
        networks from one array without them sharing weights.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str = "linear",
        *,
        init: str = "auto",
        W: object = None,
        b: object = None,
        seed: int | None = None,
    ) -> None:
        self.n_in = check_int(n_in, "n_in")
        self.n_out = check_int(n_out, "n_out")
        self.activation = check_choice(activation, "activation", activation_names())
        self.init = check_choice(init, "init", ("auto", *INITIALIZERS))
        self._dtype: np.dtype[Any] = np.dtype(np.float64)
        self.weights_given = W is not None
        self.initialize(np.random.default_rng(check_seed(seed)))
        if W is not None:
            self.W = W  # type: ignore[assignment, unused-ignore]
        if b is not None:
            self.b = b  # type: ignore[assignment, unused-ignore]

    # -- parameters -------------------------------------------------------------

    @property
    def W(self) -> NDArray[np.floating[Any]]:
        """The weights, shape (n_in, n_out)."""
        return self._W

    @W.setter
    def W(self, value: object) -> None:
        array = as_array(value, "W", 2)
        check_shape(array, "W", (self.n_in, self.n_out), "(n_in, n_out)")
        self._W = self._own(array)

    @property
    def b(self) -> NDArray[np.floating[Any]]:
        """The biases, shape (n_out,)."""
        return self._b

    @b.setter
    def b(self, value: object) -> None:
        array = as_array(value, "b", 1)
        check_shape(array, "b", (self.n_out,), "(n_out,)")
        self._b = self._own(array)

    def _own(self, array: NDArray[Any]) -> NDArray[np.floating[Any]]:
        """Keep ``array`` itself when it is already usable in place, else a copy."""
        usable = (
            array.dtype == self._dtype
            and array.flags.c_contiguous
            and array.flags.writeable
        )
        return array if usable else np.array(array, dtype=self._dtype, order="C")

    @property
    def dtype(self) -> np.dtype[Any]:
        """The parameters' dtype; assigning converts ``W`` and ``b``."""
        return self._dtype

    @dtype.setter
    def dtype(self, value: object) -> None:
        self._dtype = check_dtype(value)
        self._W = self._own(self._W)
        self._b = self._own(self._b)

    @property
    def n_params(self) -> int:
        """Number of trainable parameters."""
        return self.n_in * self.n_out + self.n_out

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw ``W`` from the layer's initialiser and set ``b`` to zero."""
        name = (
            ACTIVATIONS[self.activation].default_init
            if self.init == "auto"
            else self.init
        )
        self._W = INITIALIZERS[name](rng, self.n_in, self.n_out).astype(self._dtype)
        self._b = np.zeros(self.n_out, dtype=self._dtype)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"
