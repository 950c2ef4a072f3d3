"""Pictures of what the lecture describes, each from one call (needs matplotlib).

Every function draws on a new :class:`matplotlib.figure.Figure` with the Agg
canvas — no display, no pyplot state — writes it to ``path`` when one is given
(the format follows the suffix: .png, .svg, .pdf, ...) and returns the figure, which
a notebook shows inline. Install with ``pip install "mlpcore[plot]"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ._validation import as_array, check_choice, describe
from .backends import get_backend
from .errors import DTypeError, ValidationError
from .lecture_models import (
    GD_ITERATIONS,
    LEARNING_RATES,
    boundary_network,
    descent_verdict,
    gradient_descent_costs,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .network import Network
    from .training import History

__all__ = [
    "check_picture_path",
    "plot_activations",
    "plot_decision_boundary",
    "plot_decision_boundary_training",
    "plot_history",
    "plot_learning_rates",
]

LECTURE_ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")
DATASETS = ("moons", "spiral", "xor")


def _new_figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "mlpcore's pictures need matplotlib: pip install 'mlpcore[plot]' "
            f"(or pip install matplotlib). Original error: {exc}"
        ) from exc
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: renders to files without a display
    return figure


def check_picture_path(path: str | Path | None) -> Path | None:
    """``path`` as a Path, checked before any work: a picture format matplotlib
    writes (by suffix; none means PNG) in an existing directory.

    Raises
    ------
    ImportError
        matplotlib is not installed (with the command that installs it).
    ValidationError
        Unknown suffix, or a directory that does not exist.
    """
    if path is None:
        return None
    if not isinstance(path, (str, Path)):
        raise DTypeError(f"path: expected a file name, got {describe(path)}")
    target = Path(path)
    _new_figure(1, 1)  # imports matplotlib, or explains how to install it
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    formats = FigureCanvasAgg.get_supported_filetypes()
    suffix = target.suffix.lower().lstrip(".")
    if suffix and suffix not in formats:
        raise ValidationError(
            f"path: expected a picture file ({', '.join('.' + f for f in sorted(formats))}),"
            f" got {str(path)!r}"
        )
    if not target.parent.is_dir():
        raise ValidationError(
            f"path: expected a file in an existing directory, got {str(path)!r}"
        )
    return target


def _finish(figure: Figure, path: Path | None) -> Figure:
    if path is not None:
        figure.savefig(path, dpi=100)
    return figure


def plot_activations(
    path: str | Path | None = None,
    *,
    names: Sequence[str] = LECTURE_ACTIVATIONS,
    z_range: tuple[float, float] = (-4.0, 4.0),
    backend: str = "numpy",
) -> Figure:
    """The lecture's activations ``f(z)`` and their derivatives ``f'(z)``, side by side.

    linear ``f(z) = z``, sigmoid ``1 / (1 + e⁻ᶻ)``, tanh
    ``(eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ)`` and relu ``max(0, z)``; the derivatives are the
    backend's ``activation_backward(name, z, f(z), 1)``, exactly what backpropagation
    multiplies by.

    Parameters
    ----------
    path : str or Path, optional
        Where to write the picture.
    names : sequence of str
        Activations to draw, one panel each.
    z_range : (float, float)
        The interval of ``z`` (401 points).
    backend : {"numpy", "native"}
        Whose kernels compute the curves.

    Returns
    -------
    matplotlib.figure.Figure
    """
    target = check_picture_path(path)
    kernels = get_backend(backend)
    z = np.linspace(float(z_range[0]), float(z_range[1]), 401)
    figure = _new_figure(3.2 * len(names), 3.2)
    axes = figure.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        a = kernels.activation_forward(name, z)
        slope = kernels.activation_backward(name, z, a, np.ones_like(z))
        ax.plot(z, a, label="f(z)", linewidth=2)
        ax.plot(z, slope, label="f'(z)", linestyle="--")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(name)
        ax.set_xlabel("z")
        ax.legend(loc="upper left")
    return _finish(figure, target)


def plot_learning_rates(
    path: str | Path | None = None,
    *,
    learning_rates: Sequence[float] = LEARNING_RATES,
    iterations: int = GD_ITERATIONS,
    backend: str = "native",
) -> Figure:
    """Cost against iteration of gradient descent ``w(i) = w(i−1) − γ ∇C(w(i−1))``
    on the lecture's linear model, one line per learning rate γ.

    The model and data are :func:`mlpcore.lecture.gradient_descent_costs`'; the
    default rates descend slowly (0.005), converge (0.05) and diverge (0.1). The
    cost axis is logarithmic, so all three fit.

    Returns
    -------
    matplotlib.figure.Figure
    """
    target = check_picture_path(path)
    figure = _new_figure(6.4, 4.0)
    ax = figure.subplots()
    for lr in learning_rates:
        costs = gradient_descent_costs(lr, iterations, backend)
        label = f"γ = {lr:g} ({descent_verdict(costs)})"
        ax.semilogy(np.arange(len(costs)), costs, marker=".", label=label)
    ax.set_xlabel("iteration i")
    ax.set_ylabel("C(w(i)) = ½ Σ (ŷ − y)²")
    ax.set_title("Gradient descent on ŷ = w₁x₁ + w₂x₂ + b: the learning rate γ")
    ax.legend()
    return _finish(figure, target)


def _grid(
    X: NDArray[Any], resolution: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * (high - low) + 1e-9
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    return np.meshgrid(xs, ys)


def plot_decision_boundary(
    net: Network,
    X: object,
    y: object,
    path: str | Path | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 100,
) -> Figure:
    """Where a 2-input classifier ``net`` puts each class, with the data on top.

    The plane around ``X`` is sampled on a ``resolution × resolution`` grid and
    coloured by ``net.forward``: the probability ``ŷ`` of class 1 for one sigmoid
    output (the boundary is the contour ``ŷ = ½``), the ``argmax`` class for a
    softmax output.

    Parameters
    ----------
    net : Network
        With ``n_in == 2``.
    X : array_like (n_samples, 2)
    y : array_like (n_samples,)
        Integer class labels, for the colours of the points.
    path : str or Path, optional
    ax : matplotlib Axes, optional
        Draw into it (its figure is returned) instead of a new figure.
    title : str, optional
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    target = check_picture_path(path)
    points = as_array(X, "X", 2).astype(np.float64)
    labels = as_array(y, "y", 1)
    if net.n_in != 2 or points.shape[1] != 2:
        raise ValidationError(
            f"X: expected 2 input features for a picture of the plane, got "
            f"{points.shape[1]} (network n_in = {net.n_in})"
        )
    if ax is None:
        figure = _new_figure(4.0, 4.0)
        ax = figure.subplots()
    else:
        figure = ax.get_figure()  # type: ignore[assignment]
    gx, gy = _grid(points, resolution)
    out = net.forward(np.column_stack([gx.ravel(), gy.ravel()])).astype(np.float64)
    if out.shape[1] == 1:
        surface = out[:, 0].reshape(gx.shape)
        ax.contourf(
            gx, gy, surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6
        )
        ax.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1.5)
    else:
        classes = out.argmax(axis=1).reshape(gx.shape)
        levels = np.arange(out.shape[1] + 1) - 0.5
        ax.contourf(gx, gy, classes, levels=levels, cmap="viridis", alpha=0.4)
    ax.scatter(
        points[:, 0], points[:, 1], c=labels, cmap="viridis", s=12, edgecolors="k"
    )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return _finish(figure, target)


def _dataset(name: str) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from .datasets import make_moons, make_spiral, make_xor

    if name == "moons":
        return make_moons(200, noise=0.15, seed=0)
    if name == "spiral":
        return make_spiral(300, n_classes=3, noise=0.2, seed=0)
    return make_xor(200, noise=0.15, seed=0)


def plot_decision_boundary_training(
    path: str | Path | None = None,
    *,
    dataset: str = "moons",
    snapshots: Sequence[int] | None = None,
    backend: str = "native",
) -> Figure:
    """The decision boundary of a small network at several moments of its training.

    Trains :func:`mlpcore.lecture.boundary_network` (2-16-16-k, tanh, Adam γ = 0.02,
    minibatches of 16, seed 0) on the dataset and draws the boundary after each
    epoch count in ``snapshots``. With a ``.gif`` path the snapshots become the
    frames of an animated GIF (Pillow, which matplotlib already requires); other
    suffixes get one panel per snapshot.

    Parameters
    ----------
    path : str or Path, optional
    dataset : {"moons", "spiral", "xor"}
        ``make_moons(200, noise=0.15)``, ``make_spiral(300, n_classes=3)`` or
        ``make_xor(200, noise=0.15)``, all with seed 0.
    snapshots : sequence of int, optional
        Increasing epoch counts (default 0, 5, 20, 60 — 0, 10, 50, 200 for the
        spiral).
    backend : {"native", "numpy"}

    Returns
    -------
    matplotlib.figure.Figure
        The panels (also for a GIF path).
    """
    from .optim import Adam

    target = check_picture_path(path)
    name = check_choice(dataset, "dataset", DATASETS)
    X, y = _dataset(name)
    default = (0, 10, 50, 200) if name == "spiral" else (0, 5, 20, 60)
    epochs = list(default if snapshots is None else snapshots)
    if (
        not epochs
        or any(not isinstance(e, (int, np.integer)) or e < 0 for e in epochs)
        or epochs != sorted(epochs)
    ):
        raise ValidationError(
            f"snapshots: expected increasing epoch counts >= 0, got {describe(snapshots)}"
        )
    n_classes = int(y.max()) + 1
    net = boundary_network(backend, n_out=1 if n_classes == 2 else n_classes)
    optimizer = Adam(0.02)
    figure = _new_figure(3.2 * len(epochs), 3.4)
    axes = figure.subplots(1, len(epochs), squeeze=False)[0]
    frames = []
    done = 0
    for ax, epoch in zip(axes, epochs):
        if epoch > done:
            net.fit(X, y, epochs=epoch - done, batch_size=16, optimizer=optimizer)
            done = epoch
        accuracy = net.evaluate(X, y)["accuracy"]
        title = f"epoch {epoch}: accuracy {accuracy:.2f}"
        plot_decision_boundary(net, X, y, ax=ax, title=title)
        if target is not None and target.suffix.lower() == ".gif":
            frame = _new_figure(4.0, 4.0)
            plot_decision_boundary(net, X, y, ax=frame.subplots(), title=title)
            frames.append(_render(frame))
    figure.suptitle(f"A 2-16-16 tanh network learning {name}")
    if frames:
        frames[0].save(
            target,
            save_all=True,
            append_images=frames[1:],
            duration=800,
            loop=0,
        )
        return figure
    return _finish(figure, target)


def _render(figure: Figure) -> Any:
    """A figure as a Pillow image (one GIF frame)."""
    from PIL import Image

    figure.canvas.draw()
    rgba = np.asarray(figure.canvas.buffer_rgba())  # type: ignore[attr-defined]
    return Image.fromarray(rgba[..., :3].copy())


def plot_history(history: History, path: str | Path | None = None) -> Figure:
    """Training curves of a :meth:`Network.fit` run: loss, and accuracy for
    classifiers, per epoch, training and validation.

    Parameters
    ----------
    history : History
    path : str or Path, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import MaxNLocator

    from .training import History

    target = check_picture_path(path)
    if not isinstance(history, History):
        raise DTypeError(
            f"history: expected an mlpcore History, got {describe(history)}"
        )
    if not history.loss:
        raise ValidationError(
            "history: expected at least one completed epoch, got none"
        )
    panels = [("loss", history.loss, history.val_loss)]
    if history.accuracy:
        panels.append(("accuracy", history.accuracy, history.val_accuracy))
    figure = _new_figure(4.4 * len(panels), 3.4)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, train, validation) in zip(axes, panels):
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, marker=".", label=f"train {name}")
        if validation:
            ax.plot(
                epochs[: len(validation)],
                validation,
                marker=".",
                label=f"validation {name}",
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.legend()
    return _finish(figure, target)
