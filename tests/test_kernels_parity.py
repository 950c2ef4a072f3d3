"""Every kernel of the contract: native against the NumPy twin (DESIGN.md §4).

Hypothesis draws shapes (1×1, odd sizes, k = 1, sizes past the block sizes) and
layouts (C order, Fortran order, strided and negatively strided views).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import assert_parity
from hypothesis import given, settings
from hypothesis import strategies as st

import mlpcore as mc

NATIVE = mc.get_backend("native")
NUMPY = mc.get_backend("numpy")
ACTIVATIONS = tuple(mc.ACTIVATIONS)
LAYOUTS = ("c", "f", "strided", "reversed")
dtypes = st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)])
sizes = st.one_of(st.integers(1, 9), st.sampled_from([16, 31, 33, 64, 65, 127, 300]))


def arrange(array: np.ndarray, layout: str) -> np.ndarray:
    """The same values in another memory layout."""
    if layout == "f":
        return np.asfortranarray(array)
    if layout == "strided":
        big = np.zeros((array.shape[0] * 2, array.shape[1] * 3), dtype=array.dtype)
        big[::2, ::3] = array
        return big[::2, ::3]
    if layout == "reversed":
        return np.ascontiguousarray(array[::-1, ::-1])[::-1, ::-1]
    return np.ascontiguousarray(array)


def random(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: Any, scale: float = 1.0
) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(dtype)


@settings(max_examples=60, deadline=None)
@given(
    m=sizes,
    n=sizes,
    k=sizes,
    dtype=dtypes,
    trans_a=st.booleans(),
    trans_b=st.booleans(),
    layout_a=st.sampled_from(LAYOUTS),
    layout_b=st.sampled_from(LAYOUTS),
    alpha=st.sampled_from([1.0, -0.5, 2.0]),
    beta=st.sampled_from([0.0, 1.0, 0.25]),
    seed=st.integers(0, 2**16),
)
def test_gemm(
    m: int,
    n: int,
    k: int,
    dtype: Any,
    trans_a: bool,
    trans_b: bool,
    layout_a: str,
    layout_b: str,
    alpha: float,
    beta: float,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    a = arrange(random(rng, (k, m) if trans_a else (m, k), dtype), layout_a)
    b = arrange(random(rng, (n, k) if trans_b else (k, n), dtype), layout_b)
    c0 = random(rng, (m, n), dtype)
    results = []
    for backend in (NATIVE, NUMPY):
        out = c0.copy()
        returned = backend.gemm(
            a, b, trans_a=trans_a, trans_b=trans_b, alpha=alpha, beta=beta, out=out
        )
        assert returned is out
        results.append(out)
    op_a = (a.T if trans_a else a).astype(np.float64)
    op_b = (b.T if trans_b else b).astype(np.float64)
    exact = alpha * (op_a @ op_b) + beta * c0.astype(np.float64)
    # float32 against the float64 product: the forward error bound of a K-term dot
    bound = (
        2
        * k
        * np.finfo(dtype).eps
        * (abs(alpha) * (np.abs(op_a) @ np.abs(op_b)) + abs(beta) * np.abs(c0))
    )
    assert np.all(np.abs(results[0] - exact) <= bound + np.finfo(dtype).tiny)
    assert_parity(results[0], results[1], dtype, factor=max(1.0, np.sqrt(k) / 4))


def test_gemm_beta_zero_ignores_nan_in_out(backend_name: str) -> None:
    backend = mc.get_backend(backend_name)
    a, b = np.ones((3, 4)), np.ones((4, 5))
    out = np.full((3, 5), np.nan)
    backend.gemm(a, b, out=out)
    assert np.array_equal(out, np.full((3, 5), 4.0))


def test_gemm_allocates_when_out_is_none(backend_name: str) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = mc.get_backend(backend_name).gemm(a, a, trans_b=True)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, a @ a.T)


def test_gemm_accepts_integer_operands(backend_name: str) -> None:
    a = np.arange(6).reshape(2, 3)
    result = mc.get_backend(backend_name).gemm(a, a.T)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, (a @ a.T).astype(np.float64))


@settings(max_examples=40, deadline=None)
@given(
    n=sizes,
    n_in=sizes,
    n_out=sizes,
    dtype=dtypes,
    activation=st.sampled_from(ACTIVATIONS),
    layout=st.sampled_from(LAYOUTS),
    need_grad_x=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_dense_forward_backward(
    n: int,
    n_in: int,
    n_out: int,
    dtype: Any,
    activation: str,
    layout: str,
    need_grad_x: bool,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    x = arrange(random(rng, (n, n_in), dtype), layout)
    W = arrange(random(rng, (n_in, n_out), dtype, 1 / np.sqrt(n_in)), layout)
    b = random(rng, (n_out,), dtype)[::-1]
    (z, a), (z_ref, a_ref) = (
        be.dense_forward(x, W, b, activation) for be in (NATIVE, NUMPY)
    )
    assert z.dtype == a.dtype == dtype and z.shape == a.shape == (n, n_out)
    factor = max(1.0, np.sqrt(n_in) / 4)
    # z is a sum of n_in products and the bias: the terms' sizes bound its rounding
    # error, and the activations (Lipschitz <= 1) pass it on - a relu keeping only a
    # z that cancelled to 1e-3 from terms of size 1 carries that error relative to 1.
    x64, W64 = np.abs(x.astype(np.float64)), np.abs(W.astype(np.float64))
    z_terms = x64 @ W64 + np.abs(b.astype(np.float64))
    assert_parity(z, z_ref, dtype, factor, terms=z_terms)
    assert_parity(a, a_ref, dtype, factor, terms=z_terms)
    grad_a = arrange(random(rng, (n, n_out), dtype), layout)
    got = NATIVE.dense_backward(
        x, W, z_ref, a_ref, grad_a, activation, need_grad_x=need_grad_x
    )
    want = NUMPY.dense_backward(
        x, W, z_ref, a_ref, grad_a, activation, need_grad_x=need_grad_x
    )
    assert (got[0] is None) == (not need_grad_x) == (want[0] is None)
    # Each gradient is a sum over the batch or the outputs; its terms' sizes bound its
    # rounding error (see assert_parity).
    gz = np.abs(
        NUMPY.activation_backward(
            activation, *(v.astype(np.float64) for v in (z_ref, a_ref, grad_a))
        )
    )
    term_sizes = (gz @ W64.T, x64.T @ gz, gz.sum(axis=0))
    for g, w, terms in zip(got, want, term_sizes, strict=True):
        if w is not None:
            assert g is not None and g.dtype == dtype
            assert_parity(g, w, dtype, max(factor, np.sqrt(n) / 4), terms=terms)


@settings(max_examples=40, deadline=None)
@given(
    n=sizes,
    k=sizes,
    dtype=dtypes,
    activation=st.sampled_from(ACTIVATIONS),
    scale=st.sampled_from([1.0, 30.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_activations(
    n: int, k: int, dtype: Any, activation: str, scale: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    z = random(rng, (n, k), dtype, scale)
    a, a_ref = (
        NATIVE.activation_forward(activation, z),
        NUMPY.activation_forward(activation, z),
    )
    assert np.all(np.isfinite(a))
    assert_parity(a, a_ref, dtype)
    grad_a = random(rng, (n, k), dtype)
    # softmax's a * (g - sum(a g)) cancels where a is nearly one-hot: its error is
    # bounded by a * (|g| + sum |a g|), not by the result (Hypothesis found float64,
    # scale 30: both backends ~1e-10 from the exact value, the result ~1e-9)
    terms = (
        np.abs(a_ref) * (np.abs(grad_a) + np.abs(a_ref * grad_a).sum(1, keepdims=True))
        if activation == "softmax"
        else None
    )
    assert_parity(
        NATIVE.activation_backward(activation, z, a_ref, grad_a),
        NUMPY.activation_backward(activation, z, a_ref, grad_a),
        dtype,
        4.0,
        terms=terms,
    )


@pytest.mark.parametrize("activation", ["sigmoid", "softmax", "tanh"])
def test_saturating_activations_are_stable(backend_name: str, activation: str) -> None:
    z = np.array([[-1e308, -800.0, 0.0, 800.0, 1e308]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = mc.get_backend(backend_name).activation_forward(activation, z)
    assert np.all(np.isfinite(a))
    if activation == "softmax":
        assert np.isclose(a.sum(), 1.0)


LOSS_CASES = [
    ("quadratic", "linear"),
    ("mse", "tanh"),
    ("binary_cross_entropy", "sigmoid"),
    ("cross_entropy", "softmax"),
]


@settings(max_examples=40, deadline=None)
@given(
    n=sizes,
    k=st.integers(2, 12),
    dtype=dtypes,
    case=st.sampled_from(LOSS_CASES),
    labels=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_losses_and_output_grad(
    n: int, k: int, dtype: Any, case: tuple[str, str], labels: bool, seed: int
) -> None:
    loss, activation = case
    rng = np.random.default_rng(seed)
    z = random(rng, (n, k), dtype, 3.0)
    a = NUMPY.activation_forward(activation, z)
    if loss == "cross_entropy":
        classes = rng.integers(0, k, size=n)
        y: np.ndarray = classes if labels else np.eye(k, dtype=dtype)[classes]
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(n, k)).astype(dtype)
    else:
        y = random(rng, (n, k), dtype)
    value, value_ref = NATIVE.loss(loss, a, y), NUMPY.loss(loss, a, y)
    assert isinstance(value, float)
    assert abs(value - value_ref) <= 1e-5 * max(abs(value_ref), 1e-3) + (
        1e-12 if dtype == np.float64 else 1e-6
    )
    assert_parity(NATIVE.loss_grad(loss, a, y), NUMPY.loss_grad(loss, a, y), dtype)
    assert_parity(
        NATIVE.output_grad(activation, loss, z, a, y),
        NUMPY.output_grad(activation, loss, z, a, y),
        dtype,
        4.0,
    )


def test_fused_output_grads_are_a_minus_y_over_n(backend_name: str) -> None:
    backend = mc.get_backend(backend_name)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 3))
    a = backend.activation_forward("softmax", z)
    labels = np.array([0, 2, 1, 1, 0])
    expected = (a - np.eye(3)[labels]) / 5
    np.testing.assert_allclose(
        backend.output_grad("softmax", "cross_entropy", z, a, labels),
        expected,
        rtol=1e-14,
        atol=1e-17,
    )
    s = backend.activation_forward("sigmoid", z)
    y = (z > 0).astype(float)
    np.testing.assert_allclose(
        backend.output_grad("sigmoid", "binary_cross_entropy", z, s, y),
        (s - y) / 5,
        rtol=1e-14,
        atol=1e-17,
    )


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_cross_entropies_stay_finite_at_zero_and_one(
    backend_name: str, loss: str
) -> None:
    backend = mc.get_backend(backend_name)
    p = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = backend.loss(loss, p, y)
        grad = backend.loss_grad(loss, p, y)
    assert np.isfinite(value) and value > 10
    assert np.all(np.isfinite(grad))


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from([(7,), (3, 5), (33, 2)]),
    dtype=dtypes,
    nesterov=st.booleans(),
    transposed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_optimizer_steps(
    shape: tuple[int, ...], dtype: Any, nesterov: bool, transposed: bool, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    base = [random(rng, shape, dtype) for _ in range(3)]
    base.append(np.abs(random(rng, shape, dtype)))  # Adam's v is non-negative
    results = []
    for backend in (NATIVE, NUMPY):
        p, g, m, v = (arr.T.copy().T if transposed else arr.copy() for arr in base)
        vel = m.copy()
        p2 = p.copy()
        p3 = p.copy()
        backend.sgd_step(p, g, lr=0.1)
        backend.momentum_step(p2, g, vel, lr=0.05, momentum=0.9, nesterov=nesterov)
        backend.adam_step(p3, g, m, v, lr=1e-3, step=3)
        results.append((p, p2, vel, p3, m, v))
    for got, want in zip(*results, strict=False):
        assert_parity(got, want, dtype)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimizer_steps_give_contiguous_and_strided_rows_the_same_bits(
    dtype: Any, nesterov: bool
) -> None:
    """Contiguous rows run the ISA's vectorized loops, strided ones the same rules
    element by element: identical results, ragged vector tails included."""
    rng = np.random.default_rng(4)
    base = [rng.standard_normal((5, 37)).astype(dtype) for _ in range(3)]
    base.append(np.abs(rng.standard_normal((5, 37))).astype(dtype))

    def steps(layout: Any) -> list[np.ndarray]:
        p, g, m, v = (layout(a) for a in base)
        p2, vel, p3 = layout(base[0]), layout(base[2]), layout(base[0])
        NATIVE.sgd_step(p, g, lr=0.1)
        NATIVE.momentum_step(p2, g, vel, lr=0.05, momentum=0.9, nesterov=nesterov)
        NATIVE.adam_step(p3, g, m, v, lr=1e-3, step=3)
        return [np.array(x) for x in (p, p2, vel, p3, m, v)]

    contiguous = steps(lambda a: a.copy())
    strided = steps(lambda a: np.repeat(a, 2, axis=1)[:, ::2])  # every other column
    initial = [base[0], base[0], base[2], base[0], base[2], base[3]]
    for x, y, before in zip(contiguous, strided, initial, strict=True):
        assert not np.array_equal(x, before)  # every array was updated
        assert np.array_equal(x, y)
