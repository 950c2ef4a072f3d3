"""Property-based robustness: random shapes, strides, dtypes and values thrown at every
public kernel. Each call must either return what the NumPy twin returns or raise the
documented exception (ValidationError / DTypeError) — identically on both backends —
and never crash, hang or raise anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mlpcore as mc

NATIVE = mc.get_backend("native")
NUMPY = mc.get_backend("numpy")
DOCUMENTED = (mc.ValidationError, mc.DTypeError)

dtypes = st.sampled_from(
    [
        np.float32,
        np.float64,
        np.float64,
        np.float32,
        np.int64,
        np.int8,
        np.bool_,
        np.float16,
        np.complex128,
        np.uint16,
    ]
)
names_act = st.sampled_from([*mc.ACTIVATIONS, "gelu", ""])
names_loss = st.sampled_from([*mc.LOSSES, "hinge"])


@st.composite
def arrays(draw: st.DrawFn, max_dims: int = 3) -> np.ndarray:
    """Arrays of any small shape (including empty), dtype and layout, with NaN/Inf."""
    dtype = draw(dtypes)
    shape = draw(
        hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=5)
    )
    if np.dtype(dtype).kind in "fc":
        elements = st.floats(-1e3, 1e3, width=16) | st.sampled_from(
            [0.0, np.nan, np.inf, -np.inf, 6e4]
        )
        array = draw(hnp.arrays(dtype, shape, elements=elements))
    else:
        array = draw(hnp.arrays(dtype, shape))
    layout = draw(st.sampled_from(["c", "f", "reversed", "strided"]))
    if layout == "f":
        array = np.asfortranarray(array)
    elif layout == "reversed" and array.ndim:
        array = array[::-1]
    elif layout == "strided" and array.ndim:
        array = np.repeat(array, 2, axis=0)[::2]
    return array


def outcome(call: Callable[[mc.Backend], Any], backend: mc.Backend) -> Any:
    try:
        with np.errstate(all="ignore"):
            return call(backend)
    except DOCUMENTED as exc:
        return exc


def check_both(call: Callable[[mc.Backend], Any]) -> None:
    """Both backends: the same documented exception, or results that agree."""
    got, want = outcome(call, NATIVE), outcome(call, NUMPY)
    if isinstance(want, Exception) or isinstance(got, Exception):
        assert type(got) is type(want), (got, want)
        assert str(got) == str(want)
        return
    for g, w in zip(_flatten(got), _flatten(want)):
        if w is None:
            assert g is None
            continue
        g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
        assert g.shape == w.shape
        finite = np.isfinite(w) & np.isfinite(g)
        # where the reference is NaN/Inf the native result may differ in kind
        # (e.g. NaN vs Inf from different operation orders); finite values must agree
        np.testing.assert_allclose(g[finite], w[finite], rtol=2e-3, atol=1e-2)


def _flatten(value: Any) -> list[Any]:
    return list(value) if isinstance(value, tuple) else [value]


settings.register_profile(
    "robustness",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
robust = settings.get_profile("robustness")


@robust
@given(
    a=arrays(),
    b=arrays(),
    ta=st.booleans(),
    tb=st.booleans(),
    beta=st.sampled_from([0.0, 1.0]),
    with_out=st.booleans(),
    seed=st.integers(0, 9),
)
def test_gemm_fuzz(
    a: np.ndarray,
    b: np.ndarray,
    ta: bool,
    tb: bool,
    beta: float,
    with_out: bool,
    seed: int,
) -> None:
    def call(be: mc.Backend) -> Any:
        out = None
        if with_out and a.ndim == 2 and b.ndim == 2:
            m = a.shape[1] if ta else a.shape[0]
            n = b.shape[0] if tb else b.shape[1]
            kind = a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)
            out = np.random.default_rng(seed).standard_normal((m, n)).astype(kind)
        return be.gemm(
            a, b, trans_a=ta, trans_b=tb, beta=beta if out is not None else 0.0, out=out
        )

    check_both(call)


@robust
@given(x=arrays(), W=arrays(), b=arrays(max_dims=2), activation=names_act)
def test_dense_forward_fuzz(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> None:
    check_both(lambda be: be.dense_forward(x, W, b, activation))


@robust
@given(data=st.data(), activation=names_act, need=st.booleans())
def test_dense_backward_fuzz(data: st.DataObject, activation: str, need: bool) -> None:
    args = [data.draw(arrays()) for _ in range(5)]
    check_both(lambda be: be.dense_backward(*args, activation, need_grad_x=need))


@robust
@given(z=arrays(), name=names_act, grad=arrays())
def test_activation_fuzz(z: np.ndarray, name: str, grad: np.ndarray) -> None:
    check_both(lambda be: be.activation_forward(name, z))
    check_both(lambda be: be.activation_backward(name, z, z, grad))


@robust
@given(p=arrays(), y=arrays(), name=names_loss, activation=names_act)
def test_loss_fuzz(p: np.ndarray, y: np.ndarray, name: str, activation: str) -> None:
    check_both(lambda be: be.loss(name, p, y))
    check_both(lambda be: be.loss_grad(name, p, y))
    check_both(lambda be: be.output_grad(activation, name, p, p, y))


@robust
@given(
    p=arrays(max_dims=2),
    g=arrays(max_dims=2),
    lr=st.sampled_from([0.1, 0.0, -1.0]),
    step=st.sampled_from([1, 0, 5]),
)
def test_optimizer_step_fuzz(
    p: np.ndarray, g: np.ndarray, lr: float, step: int
) -> None:
    def run(kind: str) -> Callable[[mc.Backend], Any]:
        def call(be: mc.Backend) -> Any:
            param = p.copy() if isinstance(p, np.ndarray) else p
            state = [np.zeros_like(param) for _ in range(2)]
            if kind == "sgd":
                be.sgd_step(param, g, lr=lr)
            elif kind == "momentum":
                be.momentum_step(param, g, state[0], lr=lr, nesterov=True)
            else:
                be.adam_step(param, g, state[0], state[1], lr=lr, step=step)
            return param

        return call

    for kind in ("sgd", "momentum", "adam"):
        check_both(run(kind))


@robust
@given(X=arrays(), y=arrays(max_dims=2), loss=st.sampled_from(["cross_entropy", "mse"]))
def test_network_entry_points_fuzz(X: np.ndarray, y: np.ndarray, loss: str) -> None:
    """Network calls on random input: the native network and its numpy-backend copy
    raise the same documented exception or return the same values."""
    out = "softmax" if loss == "cross_entropy" else "linear"
    native = mc.Network([mc.Dense(3, 2, out)], loss=loss, dtype="float64", seed=0)
    reference = native.copy()
    reference.backend = "numpy"

    def results(net: mc.Network) -> list[Any]:
        calls = (
            lambda: net.forward(X),
            lambda: net.gradients(X, y),
            lambda: net.evaluate(X, y),
            lambda: net.predict(X),
        )
        found = []
        for call in calls:
            try:
                with np.errstate(all="ignore"):
                    found.append(call())
            except DOCUMENTED as exc:
                found.append(exc)
        return found

    for got, want in zip(results(native), results(reference)):
        if isinstance(want, Exception) or isinstance(got, Exception):
            assert type(got) is type(want) and str(got) == str(want)
        elif isinstance(want, dict):
            assert got.keys() == want.keys()
            for key in want:
                np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12)
        elif isinstance(want, tuple):  # (loss, grads)
            np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)
            for g, w in zip(got[1], want[1]):
                np.testing.assert_allclose(g.W, w.W, rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(g.b, w.b, rtol=1e-9, atol=1e-12)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


CORE_CALLS: list[tuple[str, int]] = [
    ("gemm", 3),
    ("dense_forward", 3),
    ("dense_backward", 5),
    ("activation_forward", 1),
    ("activation_backward", 3),
    ("loss", 2),
    ("loss_grad", 2),
    ("output_grad", 3),
    ("sgd_step", 2),
    ("momentum_step", 3),
    ("adam_step", 4),
]


@robust
@given(
    data=st.data(),
    call=st.sampled_from(CORE_CALLS),
    name=names_act,
    loss_name=names_loss,
    flag=st.booleans(),
)
def test_core_checks_even_when_called_directly(
    data: st.DataObject, call: tuple[str, int], name: str, loss_name: str, flag: bool
) -> None:
    """The extension re-checks what C++ relies on: bypassing the Python layer with
    random arrays gives a result or TypeError/ValueError, never a crash (run under
    the sanitizer build in CI, any out-of-bounds access would be reported)."""
    from mlpcore import _core

    function, n_arrays = call
    arrays_ = [data.draw(arrays()) for _ in range(n_arrays)]
    if function == "gemm":
        args: list[Any] = [
            *arrays_,
            flag,
            not flag,
            1.0,
            data.draw(st.sampled_from([0.0, 1.0])),
        ]
    elif function == "dense_forward":
        args = [*arrays_, name]
    elif function == "dense_backward":
        args = [*arrays_, name, flag]
    elif function.startswith("activation"):
        args = [name, *arrays_]
    elif function in ("loss", "loss_grad"):
        args = [loss_name, *arrays_]
    elif function == "output_grad":
        args = [name, loss_name, *arrays_]
    elif function == "sgd_step":
        args = [*arrays_, 0.1]
    elif function == "momentum_step":
        args = [*arrays_, 0.1, 0.9, flag]
    else:
        args = [*arrays_, 0.1, 0.9, 0.999, 1e-8, data.draw(st.sampled_from([1, 0, 7]))]
    try:
        getattr(_core, function)(*args)
    except (TypeError, ValueError):
        pass
