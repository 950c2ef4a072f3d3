"""Network: a stack of dense layers with a cost, trained by backpropagation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._engine import engine_for
from ._validation import (
    as_array,
    check_choice,
    check_dtype,
    check_finite,
    check_labels,
    check_seed,
    check_shape,
    describe,
)
from .backends import Backend, get_backend
from .errors import DTypeError, ValidationError
from .layers import Dense
from .losses import LOSSES, loss_names

if TYPE_CHECKING:
    from .explain import Explanation
    from .optim import Optimizer
    from .training import History, Recorder

__all__ = ["Gradient", "LayerTrace", "Network"]

Array = NDArray[np.floating[Any]]
#: rows per chunk when evaluating large inputs (bounds temporary memory)
_EVAL_CHUNK = 8192


class LayerTrace(NamedTuple):
    """One layer's pre-activation ``z = x W + b`` and activation ``a = f(z)``."""

    z: Array
    a: Array


class Gradient(NamedTuple):
    """``∂C/∂W`` (n_in, n_out) and ``∂C/∂b`` (n_out,) of one layer."""

    W: Array
    b: Array


class Network:
    """A feed-forward network of :class:`~mlpcore.Dense` layers and a cost.

    Parameters
    ----------
    layers : sequence of Dense
        Consecutive layers must fit: ``layers[i].n_out == layers[i + 1].n_in``.
    loss : str
        ``"quadratic"`` (½ Σ (ŷ − y)², the lecture's), ``"mse"``,
        ``"binary_cross_entropy"`` (after a sigmoid output) or ``"cross_entropy"``
        (after a softmax output; targets one-hot or integer labels).
    dtype : {"float32", "float64"}
        Precision of parameters and computation.
    backend : {"native", "numpy"}
        Where the kernels run; may be switched at any time (``net.backend = ...``).
    seed : int, optional
        With a seed, the weights of every layer not given explicit ``W`` are drawn
        from ``numpy.random.default_rng(seed)``, and the same generator shuffles
        minibatches in :meth:`fit`: one seed reproduces a whole run.
    """

    def __init__(
        self,
        layers: Sequence[Dense],
        *,
        loss: str = "mse",
        dtype: str | np.dtype[Any] = "float32",
        backend: str | Backend = "native",
        seed: int | None = None,
    ) -> None:
        if isinstance(layers, Dense) or not isinstance(layers, Sequence) or not layers:
            raise ValidationError(
                f"layers: expected a non-empty list of Dense layers, got {describe(layers)}"
            )
        for i, layer in enumerate(layers):
            if not isinstance(layer, Dense):
                raise DTypeError(
                    f"layers[{i}]: expected a Dense layer, got {describe(layer)}"
                )
            if i and layer.n_in != layers[i - 1].n_out:
                raise ValidationError(
                    f"layers[{i}]: expected n_in = {layers[i - 1].n_out} to match the "
                    f"n_out of layers[{i - 1}], got n_in = {layer.n_in}"
                )
        self.layers = list(layers)
        self.loss = check_choice(loss, "loss", loss_names())
        allowed = LOSSES[self.loss].output_activations
        last = self.layers[-1]
        if allowed is not None and last.activation not in allowed:
            raise ValidationError(
                f"layers[-1]: expected a {' or '.join(sorted(allowed))} output for loss "
                f"{self.loss!r}, got activation {last.activation!r}"
            )
        if self.loss == "cross_entropy" and last.n_out < 2:
            raise ValidationError(
                "layers[-1]: expected n_out >= 2 classes for cross_entropy, got 1 "
                "(use a sigmoid output with binary_cross_entropy)"
            )
        self.dtype = check_dtype(dtype)
        self.backend = backend  # type: ignore[assignment, unused-ignore]
        self.seed = check_seed(seed)
        self.rng = np.random.default_rng(self.seed)
        for layer in self.layers:
            if seed is not None and not layer.weights_given:
                layer.initialize(self.rng)
            layer.dtype = self.dtype

    # -- properties -------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        """The backend the kernels run on; assign ``"native"`` or ``"numpy"``."""
        return self._backend

    @backend.setter
    def backend(self, value: str | Backend) -> None:
        self._backend = get_backend(value)

    @property
    def n_in(self) -> int:
        """Number of input features."""
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """Number of outputs."""
        return self.layers[-1].n_out

    @property
    def is_classifier(self) -> bool:
        """True for the cross-entropy losses: accuracy is reported, predict gives labels."""
        return LOSSES[self.loss].classification

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return (
            f"Network([\n  {inner}],\n  loss={self.loss!r}, dtype={str(self.dtype)!r}, "
            f"backend={self.backend.name!r})"
        )

    # -- input checks -----------------------------------------------------------

    def _inputs(self, X: object, name: str = "X") -> Array:
        x = as_array(X, name, 2)
        check_shape(x, name, (None, self.n_in), "(n_samples, n_in)")
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        elif any(s % x.itemsize for s in x.strides):
            x = np.ascontiguousarray(x)
        return x

    def _targets(
        self, y: object, n_samples: int, name: str = "y"
    ) -> Array | NDArray[np.int64]:
        """``y`` in the form the kernels take: int64 labels (cross_entropy) or floats
        of shape (n_samples, n_out)."""
        t = as_array(y, name, (1, 2))
        if t.shape[0] != n_samples:
            raise ValidationError(
                f"{name}: expected {n_samples} rows like X, got shape {t.shape}"
            )
        if self.loss == "cross_entropy" and t.ndim == 1:
            return check_labels(t, name, self.n_out)
        if t.ndim == 1 and self.n_out == 1:
            t = t.reshape(-1, 1)
        check_shape(t, name, (n_samples, self.n_out), "(n_samples, n_out)")
        t = np.ascontiguousarray(t, dtype=self.dtype)
        check_finite(t, name)
        if LOSSES[self.loss].classification and (t.min() < 0 or t.max() > 1):
            raise ValidationError(
                f"{name}: expected targets in [0, 1] for {self.loss}, "
                f"got values in [{t.min()}, {t.max()}]"
            )
        return t

    # -- forward ----------------------------------------------------------------

    def _forward(self, x: Array) -> list[LayerTrace]:
        kernels = self.backend.kernels
        traces = []
        for layer in self.layers:
            z, x = kernels.dense_forward(x, layer.W, layer.b, layer.activation)
            traces.append(LayerTrace(z, x))
        return traces

    def forward(self, X: object) -> Array:
        """The network's output ``ŷ = aᴸ`` by forward propagation.

        ``a⁰ = X``, then for each layer ``zˡ = aˡ⁻¹ Wˡ + bˡ`` and ``aˡ = fˡ(zˡ)``
        (the lecture's ``ŷ = σ(wᵀx + b)``, one row per sample).

        Parameters
        ----------
        X : array_like (n_samples, n_in)

        Returns
        -------
        ndarray (n_samples, n_out)
            In the network's dtype.
        """
        if self._backend.name == "native":
            # one C++ call for all layers when X is already a ready float array
            output = engine_for(self).core.forward(X)
            if output is not None:
                return output
        return self._forward(self._inputs(X))[-1].a

    __call__ = forward

    def trace(self, X: object) -> list[LayerTrace]:
        """Every layer's ``zˡ = aˡ⁻¹ Wˡ + bˡ`` and ``aˡ = fˡ(zˡ)`` for ``X`` (``a⁰ = X``).

        Parameters
        ----------
        X : array_like (n_samples, n_in)

        Returns
        -------
        list of LayerTrace
            First layer first; ``trace[l].z`` and ``trace[l].a`` are
            (n_samples, layers[l].n_out). :meth:`explain` prints them with formulas.
        """
        return self._forward(self._inputs(X))

    def predict(self, X: object) -> NDArray[Any]:
        """Predictions for ``X`` (n_samples, n_in).

        Returns
        -------
        ndarray
            cross_entropy: labels ``argmaxₖ ŷₖ``, (n_samples,) int64;
            binary_cross_entropy: ``[ŷ > ½]`` as 0/1 int64, (n_samples,) for one
            output, else (n_samples, n_out); other losses: ``ŷ`` itself
            (n_samples, n_out), as :meth:`forward`.
        """
        output = self.forward(X)
        if self.loss == "cross_entropy":
            labels: NDArray[np.intp] = output.argmax(axis=1)
            return labels
        if self.loss == "binary_cross_entropy":
            labels = (output > 0.5).astype(np.int64)
            return labels[:, 0] if self.n_out == 1 else labels
        return output

    # -- backward ---------------------------------------------------------------

    def _backprop(
        self, x: Array, y: Array | NDArray[np.int64]
    ) -> tuple[float, list[Gradient], Array]:
        """Loss, every layer's gradient and the output, for validated ``x`` and ``y``."""
        kernels = self.backend.kernels
        traces = self._forward(x)
        output = traces[-1]
        last = self.layers[-1]
        loss = kernels.loss(self.loss, output.a, y)
        # δᴸ = ∂C/∂zᴸ is fused for the output layer, so the layer itself is then
        # differentiated as linear (its f' is already inside δᴸ).
        grad = kernels.output_grad(last.activation, self.loss, output.z, output.a, y)
        grads: list[Gradient] = []
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            inputs = traces[i - 1].a if i else x
            activation = "linear" if i == len(self.layers) - 1 else layer.activation
            grad_x, grad_W, grad_b = kernels.dense_backward(
                inputs, layer.W, traces[i].z, traces[i].a, grad, activation, i > 0
            )
            grads.append(Gradient(grad_W, grad_b))
            if grad_x is not None:
                grad = grad_x
        grads.reverse()
        return loss, grads, output.a

    def gradients(self, X: object, y: object) -> tuple[float, list[Gradient]]:
        """The cost on (X, y) and ``∂C/∂W``, ``∂C/∂b`` of every layer, by backpropagation.

        With ``δᴸ = ∂C/∂zᴸ`` and ``δˡ = (δˡ⁺¹ Wˡ⁺¹ᵀ) ⊙ f'(zˡ)`` (the chain rule):
        ``∂C/∂Wˡ = aˡ⁻¹ᵀ δˡ`` and ``∂C/∂bˡ = Σₙ δˡ`` (``a⁰ = X``).

        Parameters
        ----------
        X : array_like (n_samples, n_in)
        y : array_like
            (n_samples, n_out) targets, (n_samples,) for one output, or integer
            labels (n_samples,) for cross_entropy.

        Returns
        -------
        loss : float
        grads : list of Gradient
            ``grads[i].W`` has ``layers[i].W``'s shape, ``grads[i].b`` ``layers[i].b``'s.
        """
        x = self._inputs(X)
        check_finite(x, "X")
        loss, grads, _ = self._backprop(x, self._targets(y, x.shape[0]))
        return loss, grads

    def explain(
        self,
        x: object,
        y: object = None,
        lr: float | None = None,
        *,
        apply: bool = False,
    ) -> Explanation:
        """One pass on ``x`` written out step by step in the lecture's notation.

        Forward: ``zˡ = aˡ⁻¹ᵀWˡ + bˡ`` and ``aˡ = f(zˡ)`` for every layer (``a⁰ = x``).
        With targets ``y`` also the cost ``C``, the backward pass
        ``δᴸ = ∂C/∂zᴸ``, ``δˡ = (δˡ⁺¹ Wˡ⁺¹ᵀ) ⊙ f'(zˡ)``, ``∂C/∂Wˡ = aˡ⁻¹ᵀ δˡ``,
        ``∂C/∂bˡ = Σₙ δˡ``, and one gradient-descent step ``w ← w − γ∇C``.

        Parameters
        ----------
        x : array_like (n_samples, n_in)
        y : array_like, optional
            Targets as for :meth:`gradients`.
        lr : float, optional
            The learning rate γ of the step shown (default 0.01).
        apply : bool
            Write the step into the layers' ``W`` and ``b`` (default: leave them).

        Returns
        -------
        Explanation
            Prints as text (``print(net.explain(x))``) or Markdown in a notebook;
            its fields are the arrays themselves.
        """
        from .explain import explain

        return explain(self, x, y, lr, apply=apply)

    # -- evaluation -------------------------------------------------------------

    def evaluate(self, X: object, y: object) -> dict[str, float]:
        """The cost on (X, y), and the accuracy for classifiers.

        ``loss`` is ``C(ŷ, y)`` of the network's loss over the whole set (e.g.
        ``½ Σ (ŷ − y)²`` for quadratic, ``−(1/n) Σ Σₖ yₖ ln ŷₖ`` for
        cross_entropy); ``accuracy`` is the fraction of correct predictions as
        :meth:`predict` makes them (per output for binary_cross_entropy). Large
        inputs are processed in chunks; the loss equals the loss of the whole set.

        Parameters
        ----------
        X : array_like (n_samples, n_in)
        y : array_like
            Targets as for :meth:`gradients`.

        Returns
        -------
        dict
            ``{"loss": float}``, plus ``"accuracy": float`` for classifiers.
        """
        x = self._inputs(X)
        check_finite(x, "X")
        t = self._targets(y, x.shape[0])
        n = x.shape[0]
        loss, correct = 0.0, 0
        for start in range(0, n, _EVAL_CHUNK):
            rows = slice(start, start + _EVAL_CHUNK)
            output = self._forward(x[rows])[-1].a
            chunk_loss = self.backend.kernels.loss(self.loss, output, t[rows])
            # quadratic is a sum over samples, the others are means over samples
            weight = 1.0 if self.loss == "quadratic" else output.shape[0] / n
            loss += chunk_loss * weight
            if self.is_classifier:
                correct += count_correct(self.loss, output, t[rows])
        result = {"loss": loss}
        if self.is_classifier:
            # binary cross-entropy scores every output (multi-label), argmax one per row
            result["accuracy"] = accuracy(self.loss, correct, n, self.n_out)
        return result

    # -- training and persistence -----------------------------------------------

    def fit(
        self,
        X: object,
        y: object,
        *,
        epochs: int = 10,
        batch_size: int = 32,
        optimizer: Optimizer | None = None,
        shuffle: bool = True,
        validation_data: tuple[object, object] | None = None,
        verbose: bool = False,
        record: Recorder | None = None,
    ) -> History:
        """Train by minibatch gradient descent; see :func:`mlpcore.training.fit`."""
        from .training import fit

        return fit(
            self,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            shuffle=shuffle,
            validation_data=validation_data,
            verbose=verbose,
            record=record,
        )

    def save(self, path: str | Path, *, optimizer: Optimizer | None = None) -> None:
        """Write the network to a safetensors file, atomically; see :func:`mlpcore.load`.

        With ``optimizer``, its state is saved too (a checkpoint): resume with
        ``net = mc.load(path)`` and ``opt = mc.load_optimizer(path, net)``.
        """
        from .io import save

        save(self, path, optimizer=optimizer)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle by value: the bytes :meth:`save` writes, the backend's name and the
        shuffling generator's state (so a seeded run continues identically)."""
        from .io import to_bytes

        return {
            "model": to_bytes(self),
            "backend": self.backend.name,
            "seed": self.seed,
            "rng": self.rng.bit_generator.state,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        from .io import from_bytes

        net = from_bytes(state["model"], backend=state["backend"], source="pickle")
        self.__dict__.update(net.__dict__)
        self.seed = state["seed"]
        self.rng.bit_generator.state = state["rng"]

    def summary(self, *, print_fn: Callable[[str], object] | None = print) -> str:
        """A Keras-like table of layers, output shapes, activations and parameter
        counts; printed with ``print_fn`` (None: not printed) and returned."""
        from .summary import summary

        text = summary(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def to_onnx(self, path: str | Path, *, opset: int = 17) -> None:
        """Write the forward pass as an ONNX model; see :func:`mlpcore.onnx.to_onnx`."""
        from .onnx import to_onnx

        to_onnx(self, path, opset=opset)

    def copy(self, *, dtype: str | np.dtype[Any] | None = None) -> Network:
        """An independent copy (optionally in another dtype) on the same backend."""
        layers = [
            Dense(
                layer.n_in,
                layer.n_out,
                layer.activation,
                init=layer.init,
                W=layer.W.copy(),
                b=layer.b.copy(),
            )
            for layer in self.layers
        ]
        return Network(
            layers,
            loss=self.loss,
            dtype=dtype or self.dtype,
            backend=self.backend,
            seed=None,
        )


def count_correct(loss: str, output: Array, y: Array | NDArray[np.int64]) -> int:
    """Correct predictions in a batch: argmax for cross_entropy (labels or one-hot
    targets), per-output thresholds at 0.5 for binary_cross_entropy."""
    if loss == "cross_entropy":
        labels = y if y.ndim == 1 else y.argmax(axis=1)
        return int(np.count_nonzero(output.argmax(axis=1) == labels))
    return int(np.count_nonzero((output > 0.5) == (y > 0.5)))


def accuracy(loss: str, correct: int, n_samples: int, n_out: int) -> float:
    """``correct`` (from :func:`count_correct`) as a fraction: binary cross-entropy
    scores every output of a sample (multi-label), cross-entropy one per sample."""
    scored = n_samples * (n_out if loss == "binary_cross_entropy" else 1)
    return correct / scored
