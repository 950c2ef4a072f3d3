"""A typed user of mlpcore: checked by ``mypy --strict`` in tests/test_typing.py.

Not collected by pytest (no ``test_`` prefix); it also runs as a script.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import mlpcore as mc
from mlpcore.datasets import Standardizer, train_test_split


def train_digits(epochs: int = 2) -> tuple[mc.Network, float]:
    X, y = mc.load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    scaler: Standardizer = Standardizer().fit(X_train)
    net = mc.Network(
        [mc.Dense(64, 32, "relu"), mc.Dense(32, 10, "softmax")],
        loss="cross_entropy",
        dtype="float32",
        seed=0,
    )
    history: mc.History = net.fit(
        scaler.transform(X_train), y_train, epochs=epochs, optimizer=mc.Adam(5e-3)
    )
    losses: list[float] = history.loss
    scores: dict[str, float] = net.evaluate(scaler.transform(X_test), y_test)
    assert len(losses) == epochs
    return net, scores["accuracy"]


def inspect(net: mc.Network, X: NDArray[np.floating[Any]]) -> int:
    out: NDArray[np.floating[Any]] = net.forward(X)
    traces: list[mc.LayerTrace] = net.trace(X)
    loss, grads = net.gradients(X, np.zeros(len(X), dtype=np.int64))
    mc.SGD(lr=0.1).step(net, grads)
    text: str = net.summary(print_fn=None)
    threads: int = mc.get_num_threads()
    return len(out) + len(traces) + int(loss >= 0) + len(text) + threads


if __name__ == "__main__":
    trained, accuracy = train_digits()
    print(accuracy, inspect(trained, np.ones((2, 64), dtype=np.float32)))
