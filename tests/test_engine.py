"""The native training engine against the Python step on the numpy backend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from helpers import assert_parity

import mlpcore as mc

OPTIMIZERS: dict[str, Callable[[], mc.optim.Optimizer]] = {
    "sgd": lambda: mc.SGD(0.05),
    "momentum": lambda: mc.Momentum(0.02),
    "nesterov": lambda: mc.Momentum(0.02, nesterov=True),
    "adam": lambda: mc.Adam(0.01),
}


def _data(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    centres = np.array([[2.0, 0.0, 1.0], [-2.0, 0.0, 0.0], [0.0, 2.5, -1.0]])
    return centres[labels] + rng.standard_normal((n, 3)) * 0.7, labels


def _net(
    backend: str,
    dtype: str = "float64",
    loss: str = "cross_entropy",
    out: str = "softmax",
    hidden: str = "relu",
    n_out: int = 3,
) -> mc.Network:
    return mc.Network(
        [mc.Dense(3, 8, hidden), mc.Dense(8, 6, "tanh"), mc.Dense(6, n_out, out)],
        loss=loss,
        dtype=dtype,
        backend=backend,
        seed=7,
    )


def _run(backend: str, opt: str, **kw: object) -> tuple[mc.Network, mc.History]:
    X, y = _data()
    target = kw.pop("target", y)
    net = _net(backend, **kw)  # type: ignore[arg-type]
    history = net.fit(X, target, epochs=3, batch_size=16, optimizer=OPTIMIZERS[opt]())
    return net, history


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_engine_run_matches_the_numpy_step(opt: str, dtype: str) -> None:
    (native, h_native), (ref, h_ref) = (
        _run(b, opt, dtype=dtype) for b in ("native", "numpy")
    )
    assert h_native.accuracy == h_ref.accuracy
    tol = 1e-6 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(h_native.loss, h_ref.loss, rtol=tol)
    for a, b in zip(native.layers, ref.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=0, atol=tol)
        np.testing.assert_allclose(a.b, b.b, rtol=0, atol=tol)


@pytest.mark.parametrize("hidden", ["softmax", "sigmoid"])
def test_engine_hidden_activations_match_the_numpy_step(hidden: str) -> None:
    """A hidden softmax needs whole rows, so the engine applies it (and its
    derivative) after the product instead of in the product's epilogue; a sigmoid takes
    the epilogue. Both must train as the numpy step does."""
    (native, h_native), (ref, h_ref) = (
        _run(b, "sgd", hidden=hidden) for b in ("native", "numpy")
    )
    np.testing.assert_allclose(h_native.loss, h_ref.loss, rtol=1e-9)
    assert not np.allclose(native.layers[0].W, _net("numpy", hidden=hidden).layers[0].W)
    for a, b in zip(native.layers, ref.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=0, atol=1e-10)
        np.testing.assert_allclose(a.b, b.b, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    ("loss", "out", "n_out", "make_target"),
    [
        ("binary_cross_entropy", "sigmoid", 1, lambda y: (y == 1).astype(float)),
        ("quadratic", "linear", 2, lambda y: np.stack([y, -y], axis=1) * 0.5),
        ("mse", "tanh", 3, lambda y: np.eye(3)[y]),
        ("cross_entropy", "softmax", 3, lambda y: np.eye(3)[y]),  # one-hot targets
    ],
)
def test_engine_other_losses_match(
    loss: str, out: str, n_out: int, make_target: Callable
) -> None:
    _, y = _data()
    runs = [
        _run(
            b,
            "adam",
            loss=loss,
            out=out,
            n_out=n_out,
            target=make_target(y),
            hidden="leaky_relu",
        )
        for b in ("native", "numpy")
    ]
    (native, h_native), (ref, h_ref) = runs
    assert h_native.accuracy == h_ref.accuracy
    np.testing.assert_allclose(h_native.loss, h_ref.loss, rtol=1e-9)
    for a, b in zip(native.layers, ref.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=0, atol=1e-9)


def test_engine_updates_the_layers_arrays_in_place_and_sees_reassignment() -> None:
    X, y = _data()
    net, ref = _net("native"), _net("numpy")
    W0 = net.layers[0].W
    net.fit(X, y, epochs=1, batch_size=30, optimizer=mc.SGD(0.1))
    assert net.layers[0].W is W0  # updated in place, same array
    new = np.full_like(W0, 0.01)
    net.layers[0].W = new.copy()
    ref.layers[0].W = new.copy()
    for layer_n, layer_r in zip(net.layers[1:], ref.layers[1:], strict=True):
        layer_r.W, layer_r.b = layer_n.W.copy(), layer_n.b.copy()
    ref.layers[0].b = net.layers[0].b.copy()
    net.rng = np.random.default_rng(1)
    ref.rng = np.random.default_rng(1)
    net.fit(X, y, epochs=1, batch_size=30, optimizer=mc.SGD(0.1))
    ref.fit(X, y, epochs=1, batch_size=30, optimizer=mc.SGD(0.1))
    for a, b in zip(net.layers, ref.layers, strict=True):
        assert_parity(a.W, b.W, np.float64)


def test_engine_forward_matches_and_takes_strided_inputs(
    rng: np.random.Generator,
) -> None:
    net = _net("native")
    X = rng.standard_normal((40, 6))[:, ::2]  # strided view, no copy
    expected = _net("numpy").forward(np.ascontiguousarray(X))
    assert_parity(net.forward(X), expected, np.float64)
    assert_parity(net.forward(np.asfortranarray(X)), expected, np.float64)
    assert_parity(net.forward(X[:1]), expected[:1], np.float64)
    big = rng.standard_normal((2500, 3))  # more rows than the inference chunk
    assert_parity(net.forward(big), _net("numpy").forward(big), np.float64)
    net.layers[2].W = np.zeros((6, 3))  # reassignment is seen by the next call
    np.testing.assert_allclose(net.forward(X[:2]), 1 / 3)


def test_engine_divergence_keeps_last_finite_weights() -> None:
    X = np.random.default_rng(0).standard_normal((32, 2)) * 10
    y = X @ np.array([[3.0], [-2.0]])
    net = mc.Network([mc.Dense(2, 4, "relu"), mc.Dense(4, 1)], loss="quadratic", seed=0)
    rec = mc.Recorder()
    with pytest.raises(mc.DivergenceError, match="diverged at epoch") as info:
        net.fit(X, y, epochs=200, batch_size=32, optimizer=mc.SGD(lr=1.0), record=rec)
    assert info.value.step == 1
    assert all(np.isfinite(layer.W).all() for layer in net.layers)
    assert (
        rec.first_nonfinite is not None and rec.first_nonfinite[0] == info.value.epoch
    )


def test_record_matches_the_numpy_step() -> None:
    X, y = _data()
    recs = []
    for backend in ("native", "numpy"):
        rec = mc.Recorder()
        _net(backend).fit(
            X, y, epochs=2, batch_size=16, optimizer=mc.SGD(0.05), record=rec
        )
        recs.append(rec)
    assert len(recs[0].loss) == 2 * 6 and len(recs[0].grad_norms[0]) == 6
    np.testing.assert_allclose(recs[0].loss, recs[1].loss, rtol=1e-9)
    np.testing.assert_allclose(recs[0].grad_norms, recs[1].grad_norms, rtol=1e-9)
    assert recs[0].first_nonfinite is None


def test_custom_optimizer_runs_the_python_step() -> None:
    class Halved(mc.SGD):
        def _update(self, net, param, grad, state):  # type: ignore[no-untyped-def]
            super()._update(net, param, grad * 0.5, state)

    X, y = _data()
    a, b = _net("native"), _net("native")
    a.fit(X, y, epochs=1, optimizer=Halved(0.1), shuffle=False)
    b.fit(X, y, epochs=1, optimizer=mc.SGD(0.05), shuffle=False)
    assert_parity(a.layers[0].W, b.layers[0].W, np.float64)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_engine_gives_the_bits_of_the_python_step_on_native_kernels(dtype: str) -> None:
    """The engine's fused update (W - lr A^T D in one product), its bias gradients (the
    column sums of D as a product with a vector of ones) and its output layer are the
    per-layer native kernels' step bit for bit; a subclassed optimizer takes that
    Python step. 90 rows at batch 16: a ragged last batch."""

    class PythonStep(mc.SGD):
        def _update(self, net, param, grad, state):  # type: ignore[no-untyped-def]
            super()._update(net, param, grad, state)

    X, y = _data()
    engine, python = _net("native", dtype=dtype), _net("native", dtype=dtype)
    engine.fit(X, y, epochs=2, batch_size=16, optimizer=mc.SGD(0.1), shuffle=False)
    python.fit(X, y, epochs=2, batch_size=16, optimizer=PythonStep(0.1), shuffle=False)
    for a, b in zip(engine.layers, python.layers, strict=True):
        assert np.array_equal(a.W, b.W)
        assert np.array_equal(a.b, b.b)
        assert not np.array_equal(a.b, np.zeros_like(a.b))  # the biases trained


def test_interrupt_on_the_engine_path_stops_after_a_whole_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import signal

    import mlpcore._source as source_module

    make_source = source_module.make_source
    fills: list[int] = []

    class Interrupting:
        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def fill(self, start: int, stop: int) -> int:
            fills.append(start)
            if len(fills) == 3:
                os.kill(os.getpid(), signal.SIGINT)
            return self.inner.fill(start, stop)  # type: ignore[attr-defined, no-any-return]

    def interrupting_source(*args: object) -> tuple[object, float]:
        source, bound = make_source(*args)
        return Interrupting(source), bound

    monkeypatch.setattr(source_module, "make_source", interrupting_source)
    X, y = _data()
    net, ref = _net("native"), _net("numpy")
    opt = mc.SGD(0.1)
    history = net.fit(X, y, epochs=5, batch_size=10, optimizer=opt, shuffle=False)
    assert history.interrupted and history.epochs == 0 and opt.steps == 3
    for start in (0, 10, 20):  # the same three whole steps by hand, on numpy
        _, grads = ref.gradients(X[start : start + 10], y[start : start + 10])
        mc.SGD(0.1).step(ref, grads)
    for a, b in zip(net.layers, ref.layers, strict=True):
        assert_parity(a.W, b.W, np.float64)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_engine_batch_of_one_matches(opt: str) -> None:
    X, y = _data(20)
    nets = []
    for backend in ("native", "numpy"):
        net = _net(backend)
        net.fit(X, y, epochs=2, batch_size=1, optimizer=OPTIMIZERS[opt]())
        nets.append(net)
    for a, b in zip(*(n.layers for n in nets), strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.b, b.b, rtol=0, atol=1e-9)
