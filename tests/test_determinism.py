"""Bit-identical results for any thread count, from concurrent Python threads, and
in a forked child (the persistent pool is rebuilt there)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import mlpcore as mc

NATIVE = mc.get_backend("native")


@pytest.fixture
def restore_threads() -> Iterator[None]:
    saved = mc.get_num_threads()
    yield
    mc.set_num_threads(saved)


def products(dtype: Any) -> list[Callable[[], np.ndarray]]:
    """GEMMs large enough to be split over threads, along M and along N."""
    rng = np.random.default_rng(5)
    cases = []
    for m, n, k, ta, tb in [
        (300, 200, 100, False, False),
        (64, 700, 300, True, False),
        (513, 10, 800, False, True),
        (7, 900, 700, True, True),
    ]:
        a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
        b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
        cases.append(
            lambda a=a, b=b, ta=ta, tb=tb: NATIVE.gemm(a, b, trans_a=ta, trans_b=tb)
        )
    x = rng.standard_normal((96, 784)).astype(dtype)
    w = rng.standard_normal((784, 256)).astype(dtype) / 28
    bias = rng.standard_normal(256).astype(dtype)
    for act in ("relu", "sigmoid", "softmax"):
        cases.append(lambda act=act: np.stack(NATIVE.dense_forward(x, w, bias, act)))
    z, a_ = NATIVE.dense_forward(x, w, bias, "tanh")
    ga = rng.standard_normal(z.shape).astype(dtype)

    def backward() -> np.ndarray:
        gx, gw, gb = NATIVE.dense_backward(x, w, z, a_, ga, "tanh")
        return np.concatenate([gx.ravel(), gw.ravel(), gb])

    cases.append(backward)
    # Batch 1: the matrix-vector kernels (split over the output features when large).
    x1 = x[:1]
    cases.append(lambda: NATIVE.gemm(x1, w))
    cases.append(lambda: NATIVE.gemm(ga[:1], w, trans_b=True))
    return cases


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_bits_for_1_2_3_threads(dtype: Any, restore_threads: None) -> None:
    results = {}
    for threads in (1, 2, 3):
        mc.set_num_threads(threads)
        results[threads] = [f() for f in products(dtype)]
    for threads in (2, 3):
        for x, y in zip(results[1], results[threads], strict=True):
            assert np.array_equal(x, y)


@pytest.mark.parametrize(
    ("optimizer", "batch"),
    [("sgd", 512), ("adam", 512), ("sgd", 4), ("adam", 5), ("sgd", 32), ("adam", 24)],
)
def test_training_same_bits_for_1_2_3_threads(
    optimizer: str, batch: int, restore_threads: None
) -> None:
    """Whole fits on the engine - its products split over threads, with the bias,
    activation and activation derivative applied to each block on whichever pool
    thread computed it; steps of <= 4 rows kept on the calling thread - keep the
    bits of one thread. At batch 24-32 the hidden layers' forward products are split
    over K (W's rows), each thread continuing the chains of the one before; the
    predictions of the trained networks are compared too."""
    rng = np.random.default_rng(3)
    # At batch 5 the first layer's products (800 x 160 x 5 multiply-adds) are split.
    rows, n_in = (1024, 40) if batch > 64 else (160, 800)
    X = rng.standard_normal((rows, n_in)).astype(np.float32)
    y = rng.integers(0, 10, rows)
    weights = {}
    for threads in (1, 2, 3):
        mc.set_num_threads(threads)
        net = mc.Network(
            [
                mc.Dense(n_in, 160, "relu"),
                mc.Dense(160, 130, "tanh"),
                mc.Dense(130, 10, "softmax"),
            ],
            loss="cross_entropy",
            dtype="float32",
            backend="native",
            seed=0,
        )
        opt = mc.SGD(lr=0.05) if optimizer == "sgd" else mc.Adam(lr=1e-3)
        initial = net.layers[0].W.copy()
        net.fit(X, y, epochs=2, batch_size=batch, optimizer=opt)
        assert not np.array_equal(net.layers[0].W, initial)  # it trained
        weights[threads] = [
            p.copy() for layer in net.layers for p in (layer.W, layer.b)
        ] + [net.forward(X[:batch])]
    for threads in (2, 3):
        for a, b in zip(weights[1], weights[threads], strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("sizes", "output", "loss"),
    [
        ((30, 24, 3), "sigmoid", "binary_cross_entropy"),
        ((30, 24, 5), "linear", "mse"),
        ((30, 24, 4), "tanh", "quadratic"),
        ((30, 6), "softmax", "cross_entropy"),
    ],
)
def test_output_layer_split_over_rows_keeps_the_bits(
    sizes: tuple[int, ...], output: str, loss: str, restore_threads: None
) -> None:
    """On 2+ threads the engine runs the output layer (its product, activation, fused
    loss gradient and the input gradient below) split over the batch's rows; each
    block's gradient is still divided by the whole batch. Float targets, a network
    of one layer, and a ragged last batch (100 rows at batch 40: its 20 rows are
    split too) included."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((100, sizes[0])).astype(np.float64)
    n_out = sizes[-1]
    if loss == "cross_entropy":
        y: np.ndarray = rng.integers(0, n_out, 100)
    elif loss == "binary_cross_entropy":
        y = (rng.random((100, n_out)) < 0.5).astype(np.float64)
    else:
        y = rng.standard_normal((100, n_out))
    weights = {}
    for threads in (1, 2, 3):
        mc.set_num_threads(threads)
        hidden = [mc.Dense(a, b, "relu") for a, b in itertools.pairwise(sizes[:-1])]
        net = mc.Network(
            [*hidden, mc.Dense(sizes[-2], n_out, output)],
            loss=loss,
            dtype="float64",
            backend="native",
            seed=2,
        )
        initial = net.layers[-1].W.copy()
        history = net.fit(X, y, epochs=2, batch_size=40, optimizer=mc.SGD(lr=0.1))
        assert not np.array_equal(net.layers[-1].W, initial)  # it trained
        weights[threads] = (
            [p.copy() for layer in net.layers for p in (layer.W, layer.b)],
            history.history["loss"],
        )
    for threads in (2, 3):
        for a, b in zip(weights[1][0], weights[threads][0], strict=True):
            assert np.array_equal(a, b)
        assert weights[1][1] == weights[threads][1]


def test_concurrent_python_threads(restore_threads: None) -> None:
    mc.set_num_threads(2)
    cases = products(np.float32) + products(np.float64)
    expected = [f() for f in cases]

    def run(i: int) -> bool:
        return all(
            np.array_equal(cases[j](), expected[j])
            for j in range(i % len(cases), len(cases))
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(run, range(12)))


def test_forked_child_computes_correctly() -> None:
    script = textwrap.dedent(
        """
        import os
        import numpy as np
        import mlpcore as mc

        mc.set_num_threads(2)
        be = mc.get_backend("native")
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal((400, 300)), rng.standard_normal((300, 200))
        before = be.gemm(a, b)  # starts the pool in the parent
        pid = os.fork()
        if pid == 0:
            ok = np.array_equal(be.gemm(a, b), before)
            ok = ok and np.allclose(before, a @ b, rtol=1e-12, atol=1e-10)
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        assert np.array_equal(be.gemm(a, b), before)
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("features", [1, 5, 10, 33, 70, 256, 784])
@pytest.mark.parametrize("step", [1, 2])
def test_one_row_gets_the_bits_it_gets_in_a_batch(
    dtype: Any, features: int, step: int
) -> None:
    """x W for a single row runs the matrix-vector kernels, a batch the tile kernels;
    both are one multiply-add chain per element, so the bits agree - also with strided
    rows, alpha, beta and a strided output."""
    rng = np.random.default_rng(features)
    k = 301
    w = rng.standard_normal((k, features)).astype(dtype)
    x = rng.standard_normal((4, step * k)).astype(dtype)[:, ::step]
    batch = NATIVE.gemm(x, w)
    for i in range(len(x)):
        assert np.array_equal(NATIVE.gemm(x[i : i + 1], w), batch[i : i + 1])
    for step in (1, 2):  # C written in place / through a scratch column
        start = rng.standard_normal((4, step * features)).astype(dtype)
        want = start.copy()
        NATIVE.gemm(x, w, alpha=0.5, beta=2.0, out=want[:, ::step])
        for i in range(len(x)):
            got = start[i : i + 1].copy()
            NATIVE.gemm(x[i : i + 1], w, alpha=0.5, beta=2.0, out=got[:, ::step])
            assert np.array_equal(got, want[i : i + 1])


#: lanes of the batch-1 input gradient's dot products (gemm.hpp): 8 float32, 4 float64
DOT_LANES = {np.float32: 8, np.float64: 4}
VECTOR_ISA = mc.info(measure_peak=False).kernel_isa != "generic"


@pytest.mark.skipif(not VECTOR_ISA, reason="generic kernels run the tiles' order")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_sample_input_gradient_sums_in_fixed_lanes(dtype: Any) -> None:
    """d W^T for one sample (gemm.hpp): lane l sums p = l, l + L, ... in order, then
    the lanes add pairwise. The values make any other order give another result."""
    lanes = DOT_LANES[dtype]
    big = dtype(2.0 ** (np.finfo(dtype).nmant + 1))  # 2^24 / 2^53: big + 1 == big
    # One chain over p: big absorbs the ones, then cancels: 0. The lanes: lane 0 holds
    # big - big = 0, the others a one each: lanes - 1.
    interleaved = np.zeros(2 * lanes + 3, dtype)
    interleaved[0], interleaved[1:lanes], interleaved[lanes] = big, 1, -big
    # Lanes added pairwise: (big + 1) + (1 - big) = 1 for float64's (l0 + l1) + (l2 +
    # l3); ((big + 1) + 2) + ((1 - big) + 2) = 5 for float32's eight. Left to right: 0
    # and 3.
    pairwise = np.array(
        [big, 1, 1, -big] if lanes == 4 else [big, 1, 1, 1, -big, 1, 1, 1], dtype
    )
    for row, want in ((interleaved, lanes - 1), (pairwise, 1 if lanes == 4 else 5)):
        w = np.stack([row, 2 * row, np.zeros_like(row)])  # W: 3 inputs x k outputs
        got = NATIVE.gemm(np.ones((1, len(row)), dtype), w, trans_b=True)
        assert got.tolist() == [[want, 2 * want, 0]]
    # A 1 x 1 result sums in lanes whatever the strides of its one row (here a
    # column's transpose, both strides one element), as does a single column of C.
    column = interleaved[:, None].copy()
    ones = np.ones((len(interleaved), 1), dtype)
    assert NATIVE.gemm(column.T, ones).tolist() == [[lanes - 1]]
    assert NATIVE.gemm(np.stack([interleaved, -interleaved]), ones).tolist() == [
        [lanes - 1],
        [1 - lanes],
    ]
    # A tail of k % lanes values, loaded masked: its empty lanes add nothing.
    tail = np.zeros(lanes + 1, dtype)
    tail[0], tail[1], tail[lanes] = big, 1, -big
    got = NATIVE.gemm(np.ones((1, lanes + 1), dtype), tail[None, :], trans_b=True)
    assert got.tolist() == [[1]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("features", [1, 5, 10, 33, 70, 256, 784])
def test_one_sample_input_gradient_alpha_beta_and_strides(
    dtype: Any, features: int
) -> None:
    """d W^T for one sample: its sums s are those of a contiguous call for any row
    stride of W (rows padded) and any stride of d, then alpha * s + beta * C rounded
    as the tiles round it; and s is within the rounding of the exact product."""
    rng = np.random.default_rng(features)
    k = 301
    w = rng.standard_normal((features, k + 3)).astype(dtype)[:, :k]
    d = rng.standard_normal((1, 2 * k)).astype(dtype)[:, ::2]
    s = NATIVE.gemm(np.ascontiguousarray(d), np.ascontiguousarray(w), trans_b=True)
    exact = d.astype(np.float64) @ w.T.astype(np.float64)
    terms = np.abs(d.astype(np.float64)) @ np.abs(w.T.astype(np.float64))
    assert np.all(np.abs(s - exact) <= 2 * k * np.finfo(dtype).eps * terms)
    assert np.array_equal(NATIVE.gemm(d, w, trans_b=True), s)
    for step in (1, 2):  # C written in place / through a scratch column
        start = rng.standard_normal((1, step * features)).astype(dtype)
        got = start.copy()
        NATIVE.gemm(d, w, trans_b=True, alpha=0.5, beta=2.0, out=got[:, ::step])
        want = dtype(0.5) * s + dtype(2.0) * start[:, ::step]
        assert np.array_equal(got[:, ::step], want)
