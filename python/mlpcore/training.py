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

from ._blas import training_threads
from ._validation import check_finite, check_int, describe
from .errors import (
    DivergenceError,
    DTypeError,
    TrainingInProgressError,
    ValidationError,
)
from .optim import SGD, Optimizer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .network import Network

__all__ = ["History", "Recorder", "fit"]


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
def _exclusive_training(net: Network) -> Iterator[None]:
    """One ``fit`` at a time per network: a second, concurrent one is refused rather
    than interleaving its updates with the first's."""
    lock: threading.Lock = net.__dict__.setdefault("_training_lock", threading.Lock())
    if not lock.acquire(blocking=False):
        raise TrainingInProgressError(
            "net: expected a network no other thread is training, got one whose fit "
            "is running (predicting from other threads meanwhile is fine)"
        )
    try:
        yield
    finally:
        lock.release()


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


@dataclass
class Recorder:
    """Per-step introspection of a :meth:`Network.fit` run (``fit(..., record=rec)``).

    Recording forms every gradient explicitly (the engine's fused SGD/momentum update
    is skipped), so it costs a little speed; without a recorder nothing is recorded.
    """

    #: loss of every applied step, in order
    loss: list[float] = field(default_factory=list)
    #: per step: (‖∂C/∂W₀‖, ‖∂C/∂b₀‖, ‖∂C/∂W₁‖, ...) Frobenius norms
    grad_norms: list[tuple[float, ...]] = field(default_factory=list)
    #: (epoch, step, "activation" | "loss" | "gradient", layer index or -1) of the first
    #: NaN/Inf seen, else None
    first_nonfinite: tuple[int, int, str, int] | None = None

    def _note(self, epoch: int, step: int, what: str, layer: int) -> None:
        if self.first_nonfinite is None:
            self.first_nonfinite = (epoch, step, what, layer)


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
    record: Recorder | None = None,
) -> History:
    """Train ``net`` on (X, y) by minibatch gradient descent.

    On the native backend with a stock :class:`SGD`, :class:`Momentum` or
    :class:`Adam`, every step is one call into the C++ training engine (forward,
    loss, backward and update, GIL released, no allocation), fed by the Cython data
    source; otherwise the Python step runs the backend's kernels one by one.

    Parameters
    ----------
    X : array_like (n_samples, n_in) or scipy.sparse matrix
        Used as given (any numeric dtype, order, strides, ``np.memmap``); each batch
        is converted to the network's dtype on its own, the whole set never is.
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
    record : Recorder, optional
        Filled with per-step losses, gradient norms and the first NaN/Inf.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When a loss or gradient becomes NaN/Inf. The failing step is not applied,
        so the network keeps its last finite weights.
    """
    from ._engine import engine_for, optimizer_kind
    from ._source import make_source
    from .network import accuracy, count_correct

    if optimizer is None:
        optimizer = SGD(lr=0.01)
    elif not isinstance(optimizer, Optimizer):
        raise DTypeError(
            f"optimizer: expected an mlpcore optimizer, got {describe(optimizer)}"
        )
    if record is not None and not isinstance(record, Recorder):
        raise DTypeError(
            f"record: expected an mlpcore Recorder, got {describe(record)}"
        )
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    source, x_bound = make_source(net, X, y, batch_size)
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

    n = source.X.shape[0]
    steps_per_epoch = -(-n // batch_size)
    xb, yb = source.x_batch, source.y_batch
    kind = optimizer_kind(optimizer) if net.backend.name == "native" else None
    engine = engine_for(net) if kind is not None else None
    history = History()
    bar = _progress(verbose, epochs * steps_per_epoch)
    # Overflow to Inf/NaN is reported once, as a DivergenceError, not as warnings.
    with (
        _exclusive_training(net),
        training_threads(net.backend.name),
        _deferred_interrupt() as interrupted,
        np.errstate(over="ignore", invalid="ignore"),
    ):
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            if shuffle:
                source.set_order(net.rng.permutation(n))
            loss_sum, correct = 0.0, 0
            if engine is not None:
                # fit runs no user code between steps: binding once per epoch keeps
                # the engine on the layers' current arrays
                engine = engine_for(net)
                engine.prepare(net, optimizer, kind, xb.shape[0])  # type: ignore[arg-type]
                engine.core.set_input_bound(x_bound)
                engine.core.reset_epoch()
                step_fn = engine.core.step
            for step, start in enumerate(range(0, n, batch_size), start=1):
                m = source.fill(start, start + batch_size)
                if engine is not None:
                    status = step_fn(xb, yb, m, optimizer.steps + 1, record is not None)
                    if record is not None:
                        _record_engine(record, engine.core, status, epoch, step)
                    if status:
                        # nothing was applied: redo the step on the checked path,
                        # which locates the first non-finite value and raises
                        _engine_diverged(
                            net, xb[:m], yb[:m], engine.core, epoch, step, history
                        )
                    optimizer.steps += 1
                else:
                    x_step, t_step = xb[:m], yb[:m]
                    loss, grads, output = net._backprop(x_step, t_step)
                    if record is not None:
                        _record_python(record, net, x_step, loss, grads, epoch, step)
                    _check_step(net, x_step, loss, grads, epoch, step, history)
                    optimizer.apply(net, grads)
                    loss_sum += loss * m
                    if net.is_classifier:
                        correct += count_correct(net.loss, output, t_step)
                if bar is not None:
                    bar.update(1)
                if interrupted[0]:
                    history.interrupted = True
                    break
            if history.interrupted:
                break
            if engine is not None:
                loss_sum, correct = engine.core.loss_sum, engine.core.correct
            history.loss.append(loss_sum / n)
            if net.is_classifier:
                history.accuracy.append(accuracy(net.loss, correct, n, net.n_out))
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


def _record_engine(
    record: Recorder, core: Any, status: int, epoch: int, step: int
) -> None:
    if core.nonfinite_activation >= 0:
        record._note(epoch, step, "activation", core.nonfinite_activation)
    if status == 1:
        record._note(epoch, step, "loss", -1)
        return
    if status == 2:
        record._note(epoch, step, "gradient", core.bad_layer)
        return
    record.loss.append(core.last_loss)
    record.grad_norms.append(tuple(core.grad_norms))


def _record_python(
    record: Recorder,
    net: Network,
    x: Any,
    loss: float,
    grads: list[Any],
    epoch: int,
    step: int,
) -> None:
    for i, trace in enumerate(net._forward(x)):
        if not np.isfinite(trace.a).all():
            record._note(epoch, step, "activation", i)
            break
    if not np.isfinite(loss):
        record._note(epoch, step, "loss", -1)
        return
    norms: list[float] = []
    for i, grad in enumerate(grads):
        if not (np.isfinite(grad.W).all() and np.isfinite(grad.b).all()):
            record._note(epoch, step, "gradient", i)
            return
        norms += [float(np.linalg.norm(grad.W)), float(np.linalg.norm(grad.b))]
    record.loss.append(float(loss))
    record.grad_norms.append(tuple(norms))


def _engine_diverged(
    net: Network,
    x: Any,
    t: Any,
    core: Any,
    epoch: int,
    step: int,
    history: History,
) -> None:
    """Raise the DivergenceError of a step the engine refused (it applied nothing)."""
    loss, grads, _ = net._backprop(x, t)
    _check_step(net, x, loss, grads, epoch, step, history)
    # the Python step found it finite (a rounding edge): report the engine's finding
    layer = core.bad_layer if core.bad_layer >= 0 else len(net.layers) - 1
    raise DivergenceError(
        f"training diverged at epoch {epoch}, step {step}: the loss is {core.last_loss}; "
        f"first non-finite values: the gradient of layers[{layer}]. The network keeps "
        "its last finite weights (try a smaller learning rate)",
        epoch=epoch,
        step=step,
        layer=layer,
        history=history,
    )


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
