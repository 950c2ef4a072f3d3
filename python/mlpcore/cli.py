"""The command line: ``mlpcore train``, ``mlpcore info``, ``mlpcore lecture``."""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import runtime
from .activations import activation_names
from .backends import BACKEND_NAMES
from .datasets import Standardizer, load_digits, train_test_split
from .datasets.tabular import infer_task, load_table
from .errors import MlpcoreError, ValidationError
from .layers import Dense
from .network import Network
from .optim import SGD, Adam, Momentum, Optimizer
from .training import History

__all__ = ["main"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.005}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlpcore", description="Dense neural networks on a fast C++ core."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train a network on the bundled 8x8 digits and report test accuracy",
    )
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[64],
        metavar="N",
        help="hidden layer sizes (default: 64)",
    )
    train.add_argument(
        "--activation",
        choices=activation_names(),
        default="relu",
        help="hidden activation (default: relu)",
    )
    train.add_argument("--epochs", type=_positive_int, default=30)
    train.add_argument("--batch-size", type=_positive_int, default=32)
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument(
        "--lr",
        type=float,
        default=None,
        help="learning rate (default: "
        + ", ".join(f"{k} {v}" for k, v in DEFAULT_LR.items())
        + ")",
    )
    train.add_argument("--backend", choices=BACKEND_NAMES, default="native")
    train.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--test-size",
        type=float,
        default=0.25,
        help="held-out fraction (default: 0.25)",
    )
    train.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="native kernel threads (default: all available cores)",
    )
    train.add_argument(
        "--save",
        metavar="PATH",
        default=None,
        help="write the trained model to PATH (.safetensors)",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument(
        "--plot",
        metavar="FILE",
        default=None,
        help="draw the loss and accuracy curves to FILE (.png, .svg, ...; needs matplotlib)",
    )
    train.add_argument(
        "--data",
        metavar="FILE",
        default=None,
        help="train on your own table instead of the digits: .csv with a header row, "
        ".npy (2-D array) or .npz (arrays X and y)",
    )
    train.add_argument(
        "--target",
        metavar="COLUMN",
        default=None,
        help="with --data: the target column's name (.csv), index (.npy) or key "
        "(.npz); default: the last column (or y)",
    )
    train.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
        default="auto",
        help="with --data: classification for text/boolean targets or integers with "
        "at most 20 values, regression otherwise (default: auto)",
    )

    commands.add_parser("info", help="version, kernels, threads and CPU features")
    _add_lecture_parser(commands)
    return parser


def _add_lecture_parser(commands: argparse._SubParsersAction[Any]) -> None:
    from .lecture import slide_count

    lecture = commands.add_parser(
        "lecture",
        help="walk through the lecture's examples, each result beside its formula",
    )
    lecture.add_argument(
        "--slide",
        type=int,
        choices=range(1, slide_count() + 1),
        metavar="N",
        default=None,
        help=f"show only slide N (1-{slide_count()})",
    )
    lecture.add_argument(
        "--plot",
        metavar="FILE",
        default=None,
        help="write the slide's picture to FILE (without --slide: every picture, "
        "as FILE-slideN.png etc.; .gif animates slide 9; needs matplotlib)",
    )
    lecture.add_argument("--backend", choices=BACKEND_NAMES, default="native")


def lecture(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .lecture import slides

    if args.plot is not None:
        from .plotting import check_picture_path

        check_picture_path(args.plot)
    chosen = slides(None if args.slide is None else [args.slide], backend=args.backend)
    for slide in chosen:
        print(slide)
        if args.plot is None:
            continue
        target = Path(args.plot)
        if args.slide is None:
            target = target.with_name(
                f"{target.stem}-slide{slide.number}{target.suffix}"
            )
        if slide.draw is None:
            if args.slide is not None:
                print(f"(slide {slide.number} has no picture; nothing written)")
            continue
        slide.draw(target)
        print(f"  picture: {target}")
    print()
    return 0


def _optimizer(name: str, lr: float | None) -> Optimizer:
    rate = DEFAULT_LR[name] if lr is None else lr
    if name == "sgd":
        return SGD(rate)
    if name == "adam":
        return Adam(rate)
    return Momentum(rate, momentum=0.9, nesterov=name == "nesterov")


def _split_scaled(
    X: Any, y: Any, args: argparse.Namespace
) -> tuple[Any, Any, Any, Any]:
    """A seeded train/test split with inputs standardised by the training statistics."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, seed=args.seed
    )
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _network(
    sizes: list[int], output: str, loss: str, args: argparse.Namespace
) -> Network:
    """Hidden layers with ``args.activation``, then an ``output`` layer."""
    layers = [
        Dense(n_in, n_out, args.activation)
        for n_in, n_out in itertools.pairwise(sizes[:-1])
    ]
    layers.append(Dense(sizes[-2], sizes[-1], output))
    return Network(
        layers, loss=loss, dtype=args.dtype, backend=args.backend, seed=args.seed
    )


def _save_and_plot(net: Network, history: History, args: argparse.Namespace) -> None:
    if args.save:
        net.save(args.save)
        print(f"saved to {args.save}")
    if args.plot:
        history.plot(args.plot)
        print(f"curves drawn to {args.plot}")


def _fit(
    net: Network,
    args: argparse.Namespace,
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[History, float]:
    """``net.fit`` with the command line's epochs, batch size and verbosity; returns
    the history and the wall-clock seconds."""
    started = time.perf_counter()
    history = net.fit(
        X,
        y,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=optimizer,
        validation_data=validation,
        verbose=not args.quiet,
    )
    return history, time.perf_counter() - started


def train(args: argparse.Namespace) -> int:
    if args.plot:
        from .plotting import check_picture_path

        check_picture_path(args.plot)  # fail before training, not after
    if args.threads is not None:
        runtime.set_num_threads(args.threads)
    if args.data is not None:
        return train_table(args)
    if args.target is not None or args.task != "auto":
        raise ValidationError(
            "--target/--task: expected --data FILE with them, got none"
        )
    X, y = load_digits()
    X_train, X_test, y_train, y_test = _split_scaled(X, y, args)
    sizes = [X.shape[1], *args.hidden, 10]
    net = _network(sizes, "softmax", "cross_entropy", args)
    optimizer = _optimizer(args.optimizer, args.lr)
    print(
        f"digits: {len(X_train)} train / {len(X_test)} test samples, "
        f"network {'-'.join(map(str, sizes))} ({args.activation}, softmax), "
        f"{optimizer!r}, backend {args.backend}, {args.dtype}, "
        f"{runtime.get_num_threads()} thread(s)"
    )

    history, elapsed = _fit(net, args, optimizer, X_train, y_train, (X_test, y_test))
    train_seconds = sum(history.epoch_time)
    scores = net.evaluate(X_test, y_test)
    samples = history.epochs * len(X_train)
    print(f"test accuracy {scores['accuracy']:.4f}  (loss {scores['loss']:.4f})")
    print(
        f"train accuracy {history.accuracy[-1]:.4f} after {history.epochs} epochs"
        + ("  [interrupted]" if history.interrupted else "")
    )
    print(f"time {elapsed:.2f} s, {samples / max(train_seconds, 1e-9):,.0f} samples/s")
    _save_and_plot(net, history, args)
    return 0


def train_table(args: argparse.Namespace) -> int:
    """``mlpcore train --data FILE``: a seeded train/test split, inputs standardised
    with the training statistics (and, for regression, the target too)."""
    table = load_table(args.data, args.target)
    task = infer_task(table.y) if args.task == "auto" else args.task
    if task == "classification":
        classes, y = np.unique(table.y, return_inverse=True)
        if len(classes) < 2:
            raise ValidationError(
                f"target: expected at least 2 classes, got {len(classes)} ({classes[0]!r})"
            )
        out_activation, loss, n_out = "softmax", "cross_entropy", len(classes)
    else:
        try:
            y = np.asarray(table.y, dtype=np.float64)
        except ValueError as exc:
            raise ValidationError(
                f"target: expected numbers for regression, got {table.y[:3]!r}..."
            ) from exc
        out_activation, loss, n_out = "linear", "mse", 1
    X_train, X_test, y_train, y_test = _split_scaled(table.X, y, args)
    if task == "regression":
        y_mean, y_scale = float(y_train.mean()), float(y_train.std()) or 1.0
        y_train = (y_train - y_mean) / y_scale
    sizes = [table.X.shape[1], *args.hidden, n_out]
    net = _network(sizes, out_activation, loss, args)
    optimizer = _optimizer(args.optimizer, args.lr)
    print(
        f"{args.data}: {task} of {table.target_name!r} from {table.X.shape[1]} "
        f"feature(s), {len(X_train)} train / {len(X_test)} test samples, "
        f"network {'-'.join(map(str, sizes))}, {optimizer!r}, backend {args.backend}, "
        f"{args.dtype}"
    )
    validation = (X_test, y_test) if task == "classification" else None
    history, elapsed = _fit(net, args, optimizer, X_train, y_train, validation)
    if task == "classification":
        scores = net.evaluate(X_test, y_test)
        print(f"test accuracy {scores['accuracy']:.4f}  (loss {scores['loss']:.4f})")
    else:
        predicted = net.forward(X_test)[:, 0] * y_scale + y_mean
        residual = float(np.sum((predicted - y_test) ** 2))
        total = float(np.sum((y_test - y_test.mean()) ** 2)) or 1.0
        rmse = (residual / len(y_test)) ** 0.5
        print(f"test r2 {1 - residual / total:.4f}  (rmse {rmse:.4g})")
    print(f"time {elapsed:.2f} s, {history.epochs} epochs")
    _save_and_plot(net, history, args)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return train(args)
        if args.command == "lecture":
            return lecture(args)
        print(runtime.info())
        return 0
    except MlpcoreError as exc:
        print(f"mlpcore: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional extra (matplotlib for --plot) is missing
        print(f"mlpcore: error: {exc}", file=sys.stderr)
        return 2
