"""The training loop: minibatches, shuffling, history, divergence and Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_finite, check_int, describe
from .errors import DivergenceError, DTypeError, ValidationError
from .optim import SGD, Optimizer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .network import Network

__all__ = ["History", "fit"]


@dataclass
class History:
    """Per-epoch metrics of a :meth:`Network.fit` run.

    ``loss``/``accuracy`` are the sample-weighted means over the epoch's minibatches
    (as Keras reports them); ``val_loss``/``val_accuracy`` are computed on the
    validation data after each epoch. Accuracy lists stay empty for regression.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    #: wall-clock seconds of each epoch
    epoch_time: list[float] = field(default_factory=list)
    #: True when Ctrl-C ended the run early (after a whole step)
    interrupted: bool = False

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.loss)

    @property
    def history(self) -> dict[str, list[float]]:
        """The non-empty metric lists by name, like ``keras.callbacks.History.history``."""
        names = ("loss", "accuracy", "val_loss", "val_accuracy")
        return {name: getattr(self, name) for name in names if getattr(self, name)}

    def plot(self, path: str | Path | None = None) -> Figure:
        """Draw loss (and accuracy) per epoch, train and validation (needs matplotlib);
        see :func:`mlpcore.plotting.plot_history`."""
        from .plotting import plot_history

        return plot_history(self, path)


@contextmanager
def _deferred_interrupt() -> Iterator[list[bool]]:
    """Turn Ctrl-C into a flag checked between steps, so no update is left half done.

    Only the main thread can install signal handlers; elsewhere this does nothing.
    """
    flag = [False]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: object) -> None:
        flag[0] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def fit(
    net: Network,
    X: object,
    y: object,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    optimizer: Optimizer | None = None,
    shuffle: bool = True,
    validation_data: tuple[object, object] | None = None,
    verbose: bool = False,
) -> History:
    """Train ``net`` on (X, y) by minibatch gradient descent.

    Parameters
    ----------
    X : array_like (n_samples, n_in)
    y : array_like
        Targets: (n_samples, n_out), (n_samples,) for one output, or integer labels
        (n_samples,) for cross_entropy.
    epochs : int
        Passes over the data.
    batch_size : int
        Samples per step (the last batch of an epoch may be smaller).
    optimizer : Optimizer, optional
        Defaults to ``SGD(lr=0.01)``. Its state persists across calls.
    shuffle : bool
        Reshuffle every epoch with the network's seeded generator.
    validation_data : (X_val, y_val), optional
        Evaluated after every epoch.
    verbose : bool
        Show a tqdm progress bar with the running metrics.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When a loss or gradient becomes NaN/Inf. The failing step is not applied,
        so the network keeps its last finite weights.
    """
    from .network import count_correct

    if optimizer is None:
        optimizer = SGD(lr=0.01)
    elif not isinstance(optimizer, Optimizer):
        raise DTypeError(
            f"optimizer: expected an mlpcore optimizer, got {describe(optimizer)}"
        )
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    x = net._inputs(X)
    check_finite(x, "X")
    t = net._targets(y, x.shape[0])
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValidationError(
                f"validation_data: expected a pair (X_val, y_val), got {describe(validation_data)}"
            )
        x_val = net._inputs(validation_data[0], "validation_data[0]")
        check_finite(x_val, "validation_data[0]")
        validation = (
            x_val,
            net._targets(validation_data[1], x_val.shape[0], "validation_data[1]"),
        )

    n = x.shape[0]
    per_row = net.n_out if net.loss == "binary_cross_entropy" else 1
    steps_per_epoch = -(-n // batch_size)
    history = History()
    bar = _progress(verbose, epochs * steps_per_epoch)
    # Overflow to Inf/NaN is reported once, as a DivergenceError, not as warnings.
    with (
        _deferred_interrupt() as interrupted,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            order = net.rng.permutation(n) if shuffle else np.arange(n)
            loss_sum, correct = 0.0, 0
            for step, start in enumerate(range(0, n, batch_size), start=1):
                rows = order[start : start + batch_size]
                xb, tb = x[rows], t[rows]
                loss, grads, output = net._backprop(xb, tb)
                _check_step(net, xb, loss, grads, epoch, step, history)
                optimizer.apply(net, grads)
                loss_sum += loss * len(rows)
                if net.is_classifier:
                    correct += count_correct(net.loss, output, tb)
                if bar is not None:
                    bar.update(1)
                if interrupted[0]:
                    history.interrupted = True
                    break
            if history.interrupted:
                break
            history.loss.append(loss_sum / n)
            if net.is_classifier:
                history.accuracy.append(correct / (n * per_row))
            if validation is not None:
                scores = net.evaluate(*validation)
                history.val_loss.append(scores["loss"])
                if "accuracy" in scores:
                    history.val_accuracy.append(scores["accuracy"])
            history.epoch_time.append(time.perf_counter() - started)
            if bar is not None:
                bar.set_postfix({"epoch": f"{epoch}/{epochs}", **_summary(history)})
    if bar is not None:
        bar.close()
    return history


def _check_step(
    net: Network,
    x: Any,
    loss: float,
    grads: list[Any],
    epoch: int,
    step: int,
    history: History,
) -> None:
    """Refuse a step whose loss or gradients are not finite (before it is applied)."""
    # one sum per array: NaN/Inf anywhere makes the sum non-finite
    finite_grads = all(np.isfinite(g.W.sum()) and np.isfinite(g.b.sum()) for g in grads)
    if np.isfinite(loss) and finite_grads:
        return
    layer, where = _first_non_finite(net, x, grads)
    raise DivergenceError(
        f"training diverged at epoch {epoch}, step {step}: the loss is {loss}; "
        f"first non-finite values: {where}. The network keeps its last finite weights "
        "(try a smaller learning rate)",
        epoch=epoch,
        step=step,
        layer=layer,
        history=history,
    )


def _first_non_finite(net: Network, x: Any, grads: list[Any]) -> tuple[int, str]:
    """Where NaN/Inf first shows: layer by layer forward, then backward (rare path)."""
    for i, (layer, trace) in enumerate(zip(net.layers, net._forward(x))):
        for name, values in (
            ("W", layer.W),
            ("b", layer.b),
            ("z", trace.z),
            ("a", trace.a),
        ):
            if not np.isfinite(values).all():
                return i, f"layers[{i}].{name}"
    last = len(net.layers) - 1
    for i in range(last, -1, -1):
        if not (np.isfinite(grads[i].W).all() and np.isfinite(grads[i].b).all()):
            return i, f"the gradient of layers[{i}]"
    return last, "the loss"


def _summary(history: History) -> dict[str, str]:
    return {name: f"{values[-1]:.4f}" for name, values in history.history.items()}


def _progress(verbose: bool, total: int) -> Any:
    if not verbose:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="step", dynamic_ncols=True)
