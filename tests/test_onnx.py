"""ONNX export: onnxruntime's outputs against Network.forward (the oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import mlpcore as mc
from mlpcore.sklearn import MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TOLERANCE = {"float32": 1e-5, "float64": 1e-12}


def _run(path: Path, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"X": X})
    return np.asarray(y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_activation_matches_forward(tmp_path: Path, dtype: str) -> None:
    hidden = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]
    layers = [mc.Dense(6, 8, hidden[0])]
    layers += [mc.Dense(8, 8, name) for name in hidden[1:]]
    layers.append(mc.Dense(8, 4, "softmax"))
    net = mc.Network(layers, loss="cross_entropy", dtype=dtype, seed=7)
    path = tmp_path / "net.onnx"
    net.to_onnx(path)
    # large inputs reach both sides of relu/leaky_relu and saturate sigmoid/tanh
    X = (np.random.default_rng(0).standard_normal((33, 6)) * 4).astype(dtype)
    got, want = _run(path, X), net.forward(X)
    assert got.dtype == np.dtype(dtype) and got.shape == (33, 4)
    np.testing.assert_allclose(got, want, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    ops = [node.op_type for node in onnx.load(str(path)).graph.node]
    assert ops.count("Gemm") == 6 and "Softmax" in ops
    assert ("LeakyRelu" in ops) == (dtype == "float32")


@pytest.mark.parametrize("activation", ["sigmoid", "linear"])
def test_regression_and_binary_outputs(tmp_path: Path, activation: str) -> None:
    loss = "binary_cross_entropy" if activation == "sigmoid" else "mse"
    net = mc.Network(
        [mc.Dense(3, 5, "tanh"), mc.Dense(5, 2, activation)],
        loss=loss,
        dtype="float64",
        seed=1,
    )
    net.to_onnx(tmp_path / "m.onnx", opset=13)
    X = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(_run(tmp_path / "m.onnx", X), net.forward(X), rtol=1e-12)


def test_estimator_exports_its_network(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((60, 4))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 60)]
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, y)
    clf.to_onnx(tmp_path / "clf.onnx")
    np.testing.assert_allclose(
        _run(tmp_path / "clf.onnx", X), clf.predict_proba(X), rtol=1e-12, atol=1e-12
    )


def test_old_opset_is_refused(tmp_path: Path) -> None:
    net = mc.Network([mc.Dense(2, 2, "softmax")], loss="cross_entropy")
    with pytest.raises(mc.ValidationError, match="opset: expected an integer >= 13"):
        net.to_onnx(tmp_path / "m.onnx", opset=11)
