"""Bad input: a named exception, the same type and text on both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mlpcore as mc

F64 = np.ones((3, 4))
F32 = np.ones((3, 4), dtype=np.float32)

# (description, call taking a backend, exception type, message pattern)
CASES: list[tuple[str, Callable[[mc.Backend], Any], type[Exception], str]] = [
    (
        "gemm inner sizes",
        lambda be: be.gemm(F64, F64),
        mc.ValidationError,
        r"b: expected op\(b\) with 4 rows",
    ),
    (
        "gemm 1-D",
        lambda be: be.gemm(np.ones(3), F64),
        mc.ValidationError,
        r"a: expected a 2-D array, got shape \(3,\)",
    ),
    (
        "gemm mixed dtypes",
        lambda be: be.gemm(F64, F32, trans_b=True),
        mc.DTypeError,
        "b: expected dtype float64 like a, got float32",
    ),
    (
        "gemm empty",
        lambda be: be.gemm(np.ones((0, 4)), F64.T),
        mc.ValidationError,
        "a: expected a non-empty array",
    ),
    (
        "gemm object",
        lambda be: be.gemm(np.array([["a"]], dtype=object), F64),
        mc.DTypeError,
        "a: expected a numeric",
    ),
    (
        "gemm out shape",
        lambda be: be.gemm(F64, F64.T, out=np.empty((4, 4))),
        mc.ValidationError,
        r"out: expected shape \(3, 3\)",
    ),
    (
        "gemm out dtype",
        lambda be: be.gemm(F64, F64.T, out=np.empty((3, 3), np.float32)),
        mc.DTypeError,
        "out: expected dtype float64",
    ),
    (
        "gemm out read-only",
        lambda be: be.gemm(F64, F64.T, out=np.broadcast_to(0.0, (3, 3))),
        mc.ValidationError,
        "out: expected a writeable array",
    ),
    (
        "gemm beta without out",
        lambda be: be.gemm(F64, F64.T, beta=1.0),
        mc.ValidationError,
        "beta: expected 0 when out is None",
    ),
    (
        "gemm alpha type",
        lambda be: be.gemm(F64, F64.T, alpha="2"),
        mc.DTypeError,
        "alpha: expected a real number",
    ),
    (
        "dense W rows",
        lambda be: be.dense_forward(F64, np.ones((3, 2)), np.ones(2), "relu"),
        mc.ValidationError,
        r"W: expected shape \(4, n\)",
    ),
    (
        "dense b size",
        lambda be: be.dense_forward(F64, np.ones((4, 2)), np.ones(3), "relu"),
        mc.ValidationError,
        r"b: expected shape \(2,\)",
    ),
    (
        "dense activation",
        lambda be: be.dense_forward(F64, np.ones((4, 2)), np.ones(2), "gelu"),
        mc.ValidationError,
        "activation: expected one of 'linear'",
    ),
    (
        "backward z shape",
        lambda be: be.dense_backward(
            F64,
            np.ones((4, 2)),
            np.ones((3, 3)),
            np.ones((3, 2)),
            np.ones((3, 2)),
            "relu",
        ),
        mc.ValidationError,
        r"z: expected shape \(3, 2\)",
    ),
    (
        "activation 3-D",
        lambda be: be.activation_forward("relu", np.ones((2, 2, 2))),
        mc.ValidationError,
        "z: expected a 1-D or 2-D array",
    ),
    (
        "loss name",
        lambda be: be.loss("hinge", F64, F64),
        mc.ValidationError,
        "name: expected one of 'quadratic'",
    ),
    (
        "loss shapes",
        lambda be: be.loss("mse", F64, np.ones((3, 3))),
        mc.ValidationError,
        r"y_true: expected shape \(3, 4\)",
    ),
    (
        "labels range",
        lambda be: be.loss("cross_entropy", F64 / 4, np.array([0, 4, 1])),
        mc.ValidationError,
        r"y_true: expected labels in \[0, 4\), got values in \[0, 4\]",
    ),
    (
        "labels non-integer",
        lambda be: be.loss("cross_entropy", F64 / 4, np.array([0, 1.5, 1])),
        mc.ValidationError,
        "y_true: expected integer class labels",
    ),
    (
        "output_grad pairing",
        lambda be: be.output_grad(
            "relu", "cross_entropy", F64, F64, np.array([0, 1, 2])
        ),
        mc.ValidationError,
        "activation: expected softmax before loss 'cross_entropy'",
    ),
    (
        "sgd lr",
        lambda be: be.sgd_step(F64.copy(), F64, lr=0.0),
        mc.ValidationError,
        "lr: expected a finite number > 0, got 0.0",
    ),
    (
        "sgd lr nan",
        lambda be: be.sgd_step(F64.copy(), F64, lr=float("nan")),
        mc.ValidationError,
        "lr: expected a finite number > 0",
    ),
    (
        "sgd list param",
        lambda be: be.sgd_step([1.0, 2.0], [1.0, 2.0], lr=0.1),
        mc.DTypeError,
        "param: expected a writeable numpy.ndarray",
    ),
    (
        "sgd grad shape",
        lambda be: be.sgd_step(F64.copy(), np.ones((4, 3)), lr=0.1),
        mc.ValidationError,
        r"grad: expected shape \(3, 4\)",
    ),
    (
        "momentum range",
        lambda be: be.momentum_step(F64.copy(), F64, F64.copy(), lr=0.1, momentum=1.0),
        mc.ValidationError,
        r"momentum: expected a number in \[0, 1\)",
    ),
    (
        "adam step",
        lambda be: be.adam_step(
            F64.copy(), F64, F64.copy(), F64.copy(), lr=0.1, step=0
        ),
        mc.ValidationError,
        "step: expected an integer >= 1, got 0",
    ),
    (
        "adam state dtype",
        lambda be: be.adam_step(
            F64.copy(), F64, F32.copy(), F64.copy(), lr=0.1, step=1
        ),
        mc.DTypeError,
        "m: expected dtype float64, got float32",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_kernel_errors_match_across_backends(
    call: Callable[[mc.Backend], Any], error: type[Exception], pattern: str
) -> None:
    messages = []
    for name in ("native", "numpy"):
        with pytest.raises(error, match=pattern) as info:
            call(mc.get_backend(name))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_out_overlapping_an_input_is_refused(backend_name: str) -> None:
    backend = mc.get_backend(backend_name)
    a = np.ones((4, 4))
    with pytest.raises(
        mc.ValidationError, match="out: expected memory separate from a"
    ):
        backend.gemm(a, np.eye(4), out=a)
    p = np.ones(5)
    with pytest.raises(
        mc.ValidationError, match="param: expected memory separate from grad"
    ):
        backend.sgd_step(p, p, lr=0.1)


def test_native_core_checks_even_without_the_python_layer() -> None:
    from mlpcore import _core

    a, b = np.ones((3, 4)), np.ones((5, 2))
    with pytest.raises(ValueError, match="b"):
        _core.gemm(a, b, np.empty((3, 2)), False, False, 1.0, 0.0)
    with pytest.raises(TypeError):
        _core.gemm(
            a, np.ones((4, 2), np.float32), np.empty((3, 2)), False, False, 1.0, 0.0
        )
    with pytest.raises(ValueError):
        _core.gemm(a, np.ones((4, 2)), np.empty((2, 2)), False, False, 1.0, 0.0)
    with pytest.raises(ValueError):
        _core.loss(
            "cross_entropy",
            np.full((2, 3), 0.3),
            np.array([0, 7]),
        )
    with pytest.raises(ValueError):
        _core.dense_forward(a, np.ones((4, 2)), np.ones(3), "relu")
    with pytest.raises(ValueError):
        _core.sgd_step(np.ones(3), np.ones(4), 0.1)
    with pytest.raises(ValueError):
        _core.activation_forward("gelu", a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_native_core_dtype_check_beyond_the_builtin_descriptors(dtype: Any) -> None:
    """The core accepts an array by its dtype's identity first; any other descriptor
    takes NumPy's comparison: an equal dtype carrying metadata computes, a byte-swapped
    one is refused (reading it natively would be silently wrong)."""
    from mlpcore import _core

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal((4, 2))
    b = b.astype(dtype)
    tagged = np.dtype(dtype, metadata={"unit": "m"})
    out = np.empty((3, 2), dtype)
    _core.gemm(a.astype(tagged), b.astype(tagged), out, False, False, 1.0, 0.0)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=1e-5)
    # as the dtype-defining first operand, as a later one, and as the output
    swapped = np.dtype(dtype).newbyteorder()
    for args in (
        (a.astype(swapped), b, out),
        (a, b.astype(swapped), out),
        (a, b, out.astype(swapped)),
    ):
        with pytest.raises(TypeError, match="dtype"):
            _core.gemm(*args, False, False, 1.0, 0.0)
    net = mc.Network([mc.Dense(4, 2, "relu")], dtype=np.dtype(dtype).name, seed=0)
    expected = net.forward(a)
    np.testing.assert_array_equal(net.forward(a.astype(tagged)), expected)
    np.testing.assert_array_equal(net.forward(a.astype(swapped)), expected)


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: mc.Network([]), "layers: expected a non-empty list"),
        (
            lambda: mc.Network([mc.Dense(2, 3), mc.Dense(4, 1)]),
            r"layers\[1\]: expected n_in = 3",
        ),
        (
            lambda: mc.Network([mc.Dense(2, 3, "relu")], loss="cross_entropy"),
            r"layers\[-1\]: expected a softmax output",
        ),
        (lambda: mc.Network([mc.Dense(2, 1)], loss="hinge"), "loss: expected one of"),
        (
            lambda: mc.Network([mc.Dense(2, 1)], dtype="float16"),
            "dtype: expected 'float32'",
        ),
        (
            lambda: mc.Network([mc.Dense(2, 1)], backend="cuda"),
            "backend: expected one of",
        ),
        (lambda: mc.Dense(0, 3), "n_in: expected an integer >= 1, got 0"),
        (lambda: mc.Dense(2, 3, W=np.ones((3, 2))), r"W: expected shape \(2, 3\)"),
        (lambda: mc.Dense(2, 3, init="orthogonal"), "init: expected one of"),
        (lambda: mc.SGD(lr=-1), "lr: expected a finite number > 0"),
        (lambda: mc.Adam(beta2=1.5), r"beta2: expected a number in \[0, 1\)"),
        (lambda: mc.set_num_threads(0), "n: expected an integer >= 1, got 0"),
        (
            lambda: mc.Network([mc.Dense(2, 1)], seed=-1),
            "seed: expected an integer >= 0",
        ),
        (lambda: mc.Dense(2, 1, seed="x"), "seed: expected an integer, got 'x'"),
    ],
)
def test_constructor_errors(build: Callable[[], Any], pattern: str) -> None:
    with pytest.raises((ValueError, TypeError), match=pattern):
        build()


def test_network_call_errors(backend_name: str) -> None:
    net = mc.Network(
        [mc.Dense(4, 3, "softmax")], loss="cross_entropy", backend=backend_name, seed=0
    )
    with pytest.raises(mc.ValidationError, match=r"X: expected shape \(n, 4\)"):
        net.forward(np.ones((2, 5)))
    with pytest.raises(mc.ValidationError, match="X: expected a 2-D array"):
        net.forward(np.ones(4))
    with pytest.raises(mc.ValidationError, match="X: expected a non-empty array"):
        net.forward(np.ones((0, 4)))
    with pytest.raises(mc.ValidationError, match="y: expected 2 rows like X"):
        net.gradients(np.ones((2, 4)), [0, 1, 2])
    with pytest.raises(mc.ValidationError, match=r"y: expected labels in \[0, 3\)"):
        net.fit(np.ones((2, 4)), [0, 3])
    with pytest.raises(
        mc.ValidationError, match="X: expected finite values, got 1 NaN"
    ):
        net.fit(np.array([[1, 2, 3, np.nan], [1, 2, 3, 4]]), [0, 1])
    with pytest.raises(
        mc.ValidationError, match="batch_size: expected an integer >= 1"
    ):
        net.fit(np.ones((2, 4)), [0, 1], batch_size=0)
    with pytest.raises(mc.DTypeError, match="optimizer: expected an mlpcore optimizer"):
        net.fit(np.ones((2, 4)), [0, 1], optimizer="adam")  # type: ignore[arg-type]
    with pytest.raises(mc.ValidationError, match="validation_data: expected a pair"):
        net.fit(np.ones((2, 4)), [0, 1], validation_data=np.ones((2, 4)))  # type: ignore[arg-type]
    with pytest.raises(mc.ValidationError, match=r"y: expected targets in \[0, 1\]"):
        bce = mc.Network([mc.Dense(4, 1, "sigmoid")], loss="binary_cross_entropy")
        bce.gradients(np.ones((2, 4)), [0.0, 2.0])


def test_loading_a_missing_file_is_file_not_found(tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError):
        mc.load(tmp_path / "absent.safetensors")
