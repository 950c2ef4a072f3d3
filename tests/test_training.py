"""fit: learning, reproducibility, history, validation, parity across backends."""

from __future__ import annotations

import numpy as np
import pytest

import mlpcore as mc
from mlpcore.datasets import Standardizer, load_digits, train_test_split


def _blobs(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    return centres[labels] + rng.standard_normal((n, 2)) * 0.5, labels


def _net(seed: int = 0, backend: str = "native", dtype: str = "float64") -> mc.Network:
    return mc.Network(
        [mc.Dense(2, 16, "tanh"), mc.Dense(16, 3, "softmax")],
        loss="cross_entropy",
        dtype=dtype,
        backend=backend,
        seed=seed,
    )


def test_fit_learns_and_records_history(backend_name: str) -> None:
    X, y = _blobs()
    Xv, yv = _blobs(60, seed=1)
    net = _net(backend=backend_name)
    history = net.fit(
        X,
        y,
        epochs=15,
        batch_size=16,
        optimizer=mc.Adam(0.02),
        validation_data=(Xv, yv),
    )
    assert history.epochs == 15
    assert (
        len(history.accuracy)
        == len(history.val_loss)
        == len(history.val_accuracy)
        == 15
    )
    assert history.loss[-1] < history.loss[0] / 3
    assert history.val_accuracy[-1] >= 0.95
    assert history.val_loss[-1] == pytest.approx(net.evaluate(Xv, yv)["loss"])
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_same_seed_same_run_different_seed_different_run() -> None:
    X, y = _blobs()
    runs = []
    for seed in (3, 3, 4):
        net = _net(seed=seed)
        history = net.fit(X, y, epochs=3, batch_size=10, optimizer=mc.SGD(0.1))
        runs.append((history.loss, net.layers[0].W.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][1], runs[2][1])


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: mc.SGD(0.05),
        lambda: mc.Momentum(0.02, nesterov=True),
        lambda: mc.Adam(0.01),
    ],
)
def test_backends_agree_over_a_training_run(optimizer: object) -> None:
    X, y = _blobs()
    results = []
    for backend in ("native", "numpy"):
        net = _net(seed=5, backend=backend)
        history = net.fit(X, y, epochs=4, batch_size=8, optimizer=optimizer())  # type: ignore[operator]
        results.append((net, history))
    (net_a, hist_a), (net_b, hist_b) = results
    assert hist_a.accuracy == hist_b.accuracy
    for la, lb in zip(net_a.layers, net_b.layers, strict=False):
        np.testing.assert_allclose(la.W, lb.W, rtol=0, atol=1e-6)
        np.testing.assert_allclose(la.b, lb.b, rtol=0, atol=1e-6)


def test_divergence_stops_with_the_last_finite_weights() -> None:
    X = np.random.default_rng(0).standard_normal((32, 2)) * 10
    y = X @ np.array([[3.0], [-2.0]])
    net = mc.Network([mc.Dense(2, 1)], loss="quadratic", dtype="float64", seed=0)
    with pytest.raises(mc.DivergenceError, match="diverged at epoch") as info:
        net.fit(X, y, epochs=200, batch_size=32, optimizer=mc.SGD(lr=1.0))
    assert info.value.epoch >= 1 and info.value.step == 1
    assert np.all(np.isfinite(net.layers[0].W)) and np.all(np.isfinite(net.layers[0].b))
    history = info.value.history
    assert isinstance(history, mc.History) and history.epochs == info.value.epoch - 1


@pytest.mark.parametrize("backend", ["native", "numpy"])
def test_divergence_names_the_first_non_finite_layer(backend: str) -> None:
    # finite weights whose second layer overflows float32: z of layers[1] is Inf
    net = mc.Network(
        [mc.Dense(2, 3, "relu"), mc.Dense(3, 2, "linear"), mc.Dense(2, 1)],
        loss="mse",
        dtype="float32",
        backend=backend,
        seed=0,
    )
    net.layers[0].W = np.full((2, 3), 1e20)
    net.layers[1].W = np.full((3, 2), 1e20)
    X = np.ones((4, 2))
    with pytest.raises(mc.DivergenceError, match=r"layers\[1\]\.z") as info:
        net.fit(X, np.zeros(4), epochs=1, batch_size=4)
    assert info.value.layer == 1 and (info.value.epoch, info.value.step) == (1, 1)
    assert net.layers[1].W[0, 0] == np.float32(1e20)  # the failing step was not applied


def test_interrupt_stops_after_a_whole_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    X, y = _blobs()
    net = _net()
    optimizer = mc.SGD(0.1)
    calls = []
    apply = optimizer.apply

    def apply_then_interrupt(*args: object) -> None:
        apply(*args)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(optimizer, "apply", apply_then_interrupt)
    before = signal.getsignal(signal.SIGINT)
    history = net.fit(X, y, epochs=5, batch_size=10, optimizer=optimizer)
    assert history.interrupted and history.epochs == 0 and len(calls) == 3
    assert signal.getsignal(signal.SIGINT) is before


def test_digits_reach_high_accuracy(backend_name: str) -> None:
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert set(np.unique(y)) == set(range(10)) and X.max() == 16
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    scaler = Standardizer().fit(X_train)
    net = mc.Network(
        [mc.Dense(64, 64, "relu"), mc.Dense(64, 10, "softmax")],
        loss="cross_entropy",
        dtype="float32",
        backend=backend_name,
        seed=0,
    )
    net.fit(scaler.transform(X_train), y_train, epochs=10, optimizer=mc.Adam(0.005))
    assert net.evaluate(scaler.transform(X_test), y_test)["accuracy"] >= 0.95


def test_verbose_shows_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = _blobs(40)
    _net().fit(X, y, epochs=2, batch_size=10, verbose=True)
    err = capsys.readouterr().err
    assert "8/8" in err and "epoch=2/2" in err and "loss=" in err
