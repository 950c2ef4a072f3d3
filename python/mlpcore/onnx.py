"""Export a network's forward pass to ONNX (needs the ``onnx`` package).

The graph has one input ``X`` of shape ``(N, n_in)`` (``N`` symbolic) and one
output ``Y`` of shape ``(N, n_out)``, in the network's dtype (float32 or float64).
Each dense layer becomes ``Gemm(h, W, b)`` — ``z = h W + b`` with ``W`` stored as
an initializer of shape (n_in, n_out), exactly the layer's values — followed by
its activation:

========== =============================
mlpcore    ONNX operator
========== =============================
linear     Identity
sigmoid    Sigmoid
tanh       Tanh
relu       Relu
leaky_relu LeakyRelu (alpha = 0.01)
softmax    Softmax (axis = -1)
========== =============================

ONNX attributes are float32, so LeakyRelu's ``alpha`` cannot hold 0.01 in double
precision; float64 networks express leaky_relu as ``PRelu(z, slope)`` with a
float64 slope initializer of 0.01 instead (the same function, exactly).

onnxruntime runs the result with the same outputs as ``Network.forward`` (within
1e-5 in float32 and 1e-12 in float64; tests/test_onnx.py checks it).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_int
from .errors import ValidationError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["ONNX_OPERATORS", "to_onnx", "to_onnx_model"]

#: The ONNX operator and attributes of each activation.
ONNX_OPERATORS: MappingProxyType[str, tuple[str, dict[str, Any]]] = MappingProxyType(
    {
        "linear": ("Identity", {}),
        "sigmoid": ("Sigmoid", {}),
        "tanh": ("Tanh", {}),
        "relu": ("Relu", {}),
        "leaky_relu": ("LeakyRelu", {"alpha": 0.01}),
        "softmax": ("Softmax", {"axis": -1}),
    }
)

#: Softmax over axis -1 alone (not the flattened trailing axes) needs opset ≥ 13.
MIN_OPSET = 13


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            "ONNX export needs the onnx package: pip install 'mlpcore[onnx]'"
        ) from exc
    return onnx


def to_onnx_model(net: Network, *, opset: int = 17, name: str = "mlpcore") -> Any:
    """The network as an ``onnx.ModelProto`` (checked with ``onnx.checker``).

    Parameters
    ----------
    net : Network
    opset : int
        The default-domain opset to declare, ≥ 13.
    name : str
        The graph's name.
    """
    onnx = _import_onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    opset = check_int(opset, "opset")
    if opset < MIN_OPSET:
        raise ValidationError(f"opset: expected an integer >= {MIN_OPSET}, got {opset}")
    elem = helper.np_dtype_to_tensor_dtype(net.dtype)
    nodes, initializers = [], []
    current = "X"
    for i, layer in enumerate(net.layers):
        w, b, z, a = f"W{i}", f"b{i}", f"z{i}", f"a{i}"
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(layer.W), w))
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(layer.b), b))
        nodes.append(helper.make_node("Gemm", [current, w, b], [z], name=f"dense{i}"))
        op, attrs = ONNX_OPERATORS[layer.activation]
        out = "Y" if i == len(net.layers) - 1 else a
        inputs = [z]
        if op == "LeakyRelu" and net.dtype == np.float64:
            slope = np.array([attrs["alpha"]], dtype=net.dtype)
            op, attrs = "PRelu", {}
            initializers.append(numpy_helper.from_array(slope, f"slope{i}"))
            inputs.append(f"slope{i}")
        nodes.append(
            helper.make_node(op, inputs, [out], name=f"{op.lower()}{i}", **attrs)
        )
        current = out
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("X", elem, ["N", net.n_in])],
        [helper.make_tensor_value_info("Y", elem, ["N", net.n_out])],
        initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="mlpcore",
    )
    # the IR version the declared opset came with, so older runtimes accept the file
    model.ir_version = min(model.ir_version, _ir_version(onnx, opset))
    onnx.checker.check_model(model)
    return model


def _ir_version(onnx: Any, opset: int) -> int:
    for entry in onnx.helper.VERSION_TABLE:
        if entry[2] == opset:
            return int(entry[1])
    return int(onnx.IR_VERSION)


def to_onnx(net: Network, path: str | os.PathLike[str], *, opset: int = 17) -> None:
    """Write ``net``'s forward pass to ``path`` (conventionally ``*.onnx``).

    Run it with onnxruntime::

        session = onnxruntime.InferenceSession(path)
        (y,) = session.run(None, {"X": X.astype(net.dtype)})
    """
    model = to_onnx_model(net, opset=opset)
    Path(path).write_bytes(model.SerializeToString())
