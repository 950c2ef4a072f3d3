"""Threads: concurrent predictions and training give the serial results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import mlpcore as mc


def _net(seed: int) -> mc.Network:
    return mc.Network(
        [mc.Dense(20, 64, "relu"), mc.Dense(64, 5, "softmax")],
        loss="cross_entropy",
        dtype="float64",
        seed=seed,
    )


def _data(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 20)), rng.integers(0, 5, size=n)


def test_parallel_predictions_on_one_network_match_serial() -> None:
    net = _net(0)
    inputs = [_data(seed)[0] for seed in range(8)]
    serial = [net.forward(x) for x in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(5):
            parallel = list(pool.map(net.forward, inputs))
            for got, want in zip(parallel, serial):
                np.testing.assert_array_equal(got, want)


def test_training_one_network_while_another_predicts() -> None:
    X, y = _data(1)
    reference = _net(2)
    reference.fit(X, y, epochs=3, batch_size=16, optimizer=mc.Adam(0.01))

    trained, watched = _net(2), _net(3)
    probe = _data(4)[0]
    expected = watched.forward(probe)
    mismatches: list[int] = []
    stop = threading.Event()

    def predict_until_stopped() -> None:
        while not stop.is_set():
            if not np.array_equal(watched.forward(probe), expected):
                mismatches.append(1)

    thread = threading.Thread(target=predict_until_stopped)
    thread.start()
    try:
        trained.fit(X, y, epochs=3, batch_size=16, optimizer=mc.Adam(0.01))
    finally:
        stop.set()
        thread.join()
    assert not mismatches
    for a, b in zip(trained.layers, reference.layers):
        np.testing.assert_array_equal(a.W, b.W)


def test_parallel_gradients_on_one_network_match_serial() -> None:
    net = _net(5)
    batches = [_data(seed, 32) for seed in range(6)]
    serial = [net.gradients(x, y) for x, y in batches]
    with ThreadPoolExecutor(max_workers=3) as pool:
        parallel = list(pool.map(lambda b: net.gradients(*b), batches))
    for (loss_p, grads_p), (loss_s, grads_s) in zip(parallel, serial):
        assert loss_p == loss_s
        for gp, gs in zip(grads_p, grads_s):
            np.testing.assert_array_equal(gp.W, gs.W)


def test_a_second_concurrent_fit_on_one_network_is_refused() -> None:
    X, y = _data(6, n=64)
    net = _net(7)
    optimizer = mc.SGD(0.05)
    started, release = threading.Event(), threading.Event()
    apply = optimizer.apply

    def slow_apply(*args: object) -> None:  # holds the first fit inside its loop
        started.set()
        release.wait(timeout=10)
        apply(*args)  # type: ignore[arg-type]

    optimizer.apply = slow_apply  # type: ignore[method-assign]
    first = threading.Thread(
        target=lambda: net.fit(X, y, epochs=1, batch_size=64, optimizer=optimizer)
    )
    first.start()
    try:
        assert started.wait(timeout=10)
        with pytest.raises(mc.TrainingInProgressError, match="net: expected a network"):
            net.fit(X, y, epochs=1, optimizer=mc.SGD(0.05))
        before = net.forward(X[:4])  # predicting meanwhile works
        assert before.shape == (4, 5)
    finally:
        release.set()
        first.join()
    history = net.fit(X, y, epochs=1, batch_size=64, optimizer=mc.SGD(0.05))
    assert history.epochs == 1  # the lock is released afterwards
