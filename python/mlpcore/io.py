"""Save and load networks as safetensors files: weights plus JSON metadata, no pickle.

Layout: tensors ``layers.<i>.W`` and ``layers.<i>.b``; the header's ``__metadata__``
holds ``{"mlpcore": <json>}`` with the format name and version, the layer sizes and
activations, the loss and the dtype. A checkpoint saved with its optimizer adds the
optimizer's kind, hyper-parameters and step count to the metadata, its state arrays as
``optimizer.<i>.<state>.W``/``.b``, and the shuffling generator's state, so training
resumes exactly (:func:`load_optimizer`). Saving writes a temporary file in the target's
directory, fsyncs it and renames it over the target, so an interrupted save never
destroys the previous file.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load as _st_load
from safetensors.numpy import save as _st_save

from ._validation import describe
from .errors import ModelFormatError, ValidationError
from .layers import Dense
from .network import Network
from .optim import SGD, Adam, Momentum, Optimizer

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "from_bytes",
    "load",
    "load_optimizer",
    "optimizer_from_bytes",
    "save",
    "to_bytes",
]

FORMAT_NAME = "mlpcore.network"
FORMAT_VERSION = 1


def save(
    net: Network, path: str | os.PathLike[str], *, optimizer: Optimizer | None = None
) -> None:
    """Write ``net`` to ``path`` (conventionally ``*.safetensors``), atomically.

    With ``optimizer`` (an :class:`SGD`, :class:`Momentum` or :class:`Adam` that has
    trained ``net``), its state and the network's shuffling state are saved too:
    ``mc.load(path)`` plus :func:`load_optimizer` then continue the run exactly.
    """
    _atomic_write(Path(path), to_bytes(net, optimizer=optimizer))


def to_bytes(net: Network, *, optimizer: Optimizer | None = None) -> bytes:
    """The safetensors bytes that :func:`save` writes (also what pickling carries)."""
    meta = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "loss": net.loss,
        "dtype": str(net.dtype),
        "layers": [
            {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "activation": layer.activation,
                "init": layer.init,
            }
            for layer in net.layers
        ],
    }
    tensors: dict[str, np.ndarray[Any, Any]] = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layers.{i}.W"] = np.ascontiguousarray(layer.W)
        tensors[f"layers.{i}.b"] = np.ascontiguousarray(layer.b)
    if optimizer is not None:
        meta["optimizer"] = _optimizer_meta(optimizer)
        meta["rng"] = net.rng.bit_generator.state
        for i, layer in enumerate(net.layers):
            for name, (state_W, state_b) in optimizer._layer_state(layer).items():
                tensors[f"optimizer.{i}.{name}.W"] = np.ascontiguousarray(state_W)
                tensors[f"optimizer.{i}.{name}.b"] = np.ascontiguousarray(state_b)
    return bytes(_st_save(tensors, metadata={"mlpcore": json.dumps(meta)}))


def _atomic_write(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories can't be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path: str | os.PathLike[str], *, backend: str = "native") -> Network:
    """Read a network written by :meth:`Network.save`.

    Raises
    ------
    ModelFormatError
        If the file is truncated, corrupted, not an mlpcore model, of an unknown
        version, or its tensors disagree with its metadata.
    FileNotFoundError
        If ``path`` does not exist.
    """
    return from_bytes(Path(path).read_bytes(), backend=backend, source=path)


def from_bytes(
    data: bytes, *, backend: str = "native", source: object = "<bytes>"
) -> Network:
    """The network encoded in ``data`` (from :func:`to_bytes` or a saved file).

    ``source`` names the data in error messages (the path, for :func:`load`).

    Raises
    ------
    ModelFormatError
        As :func:`load`.
    """
    path = source
    meta, tensors = _decode(data, path)
    try:
        dtype = np.dtype(meta["dtype"])
        specs = meta["layers"]
        expected = {f"layers.{i}.{p}" for i in range(len(specs)) for p in "Wb"}
        expected |= _optimizer_tensor_names(meta, len(specs))
        if set(tensors) != expected:
            raise ModelFormatError(
                f"{path}: expected tensors {sorted(expected)}, got {sorted(tensors)}"
            )
        layers = []
        for i, spec in enumerate(specs):
            W, b = tensors[f"layers.{i}.W"], tensors[f"layers.{i}.b"]
            shapes = ((spec["n_in"], spec["n_out"]), (spec["n_out"],))
            if (W.shape, b.shape) != shapes or W.dtype != dtype or b.dtype != dtype:
                raise ModelFormatError(
                    f"{path}: layer {i} expected W {shapes[0]}, b {shapes[1]} of {dtype}, "
                    f"got W {W.shape} {W.dtype}, b {b.shape} {b.dtype}"
                )
            layers.append(
                Dense(
                    spec["n_in"],
                    spec["n_out"],
                    spec["activation"],
                    init=spec.get("init", "auto"),
                    W=W,
                    b=b,
                )
            )
        net = Network(layers, loss=meta["loss"], dtype=dtype, backend=backend)
        if "rng" in meta:
            net.rng.bit_generator.state = meta["rng"]
        return net
    except ModelFormatError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFormatError(f"{path}: inconsistent model metadata ({exc})") from exc


def _decode(
    data: bytes, path: object
) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """The checked mlpcore metadata and the tensors of a saved model."""
    meta = _read_metadata(data, path)
    try:
        tensors = _st_load(data)
    except Exception as exc:  # safetensors raises its own error types
        raise ModelFormatError(f"{path}: corrupted safetensors data ({exc})") from exc
    return meta, tensors


def _read_metadata(data: bytes, path: object) -> dict[str, Any]:
    """The mlpcore metadata from a safetensors header, checked for format and version."""
    if len(data) < 8:
        raise ModelFormatError(
            f"{path}: too short to be a safetensors file ({len(data)} bytes)"
        )
    (header_size,) = struct.unpack("<Q", data[:8])
    if header_size > len(data) - 8:
        raise ModelFormatError(
            f"{path}: truncated (header of {header_size} bytes announced)"
        )
    try:
        header = json.loads(data[8 : 8 + header_size])
        meta = json.loads(header["__metadata__"]["mlpcore"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFormatError(f"{path}: not an mlpcore model file ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path}: not an mlpcore model file")
    if meta.get("version") != FORMAT_VERSION:
        raise ModelFormatError(
            f"{path}: expected format version {FORMAT_VERSION}, got {meta.get('version')!r}"
        )
    return meta


_OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Adam": Adam,
}


def _optimizer_meta(optimizer: Optimizer) -> dict[str, Any]:
    kind = type(optimizer).__name__
    if _OPTIMIZERS.get(kind) is not type(optimizer):
        raise ValidationError(
            f"optimizer: expected an SGD, Momentum or Adam to save, got {describe(optimizer)}"
        )
    hyper = {k: v for k, v in vars(optimizer).items() if not k.startswith("_")}
    steps = hyper.pop("steps")
    return {
        "kind": kind,
        "hyper": hyper,
        "steps": steps,
        "state": optimizer.state_names,
    }


def _optimizer_tensor_names(meta: dict[str, Any], n_layers: int) -> set[str]:
    if "optimizer" not in meta:
        return set()
    names = meta["optimizer"]["state"]
    return {
        f"optimizer.{i}.{name}.{p}"
        for i in range(n_layers)
        for name in names
        for p in "Wb"
    }


def load_optimizer(path: str | os.PathLike[str], net: Network) -> Optimizer:
    """The optimizer saved with ``save(..., optimizer=...)`` at ``path``, its state
    attached to ``net`` (the network loaded from the same file), ready to resume.

    Raises
    ------
    ModelFormatError
        If the file holds no optimizer state, or it does not fit ``net``.
    """
    return optimizer_from_bytes(Path(path).read_bytes(), net, source=path)


def optimizer_from_bytes(
    data: bytes, net: Network, *, source: object = "<bytes>"
) -> Optimizer:
    """The optimizer encoded in ``data`` (from ``to_bytes(net, optimizer=...)`` or a
    saved file), its state attached to ``net`` (decoded from the same ``data``).

    ``source`` names the data in error messages (the path, for :func:`load_optimizer`).

    Raises
    ------
    ModelFormatError
        As :func:`load_optimizer`.
    """
    path = source
    meta, tensors = _decode(data, path)
    if "optimizer" not in meta:
        raise ModelFormatError(f"{path}: no optimizer state was saved with this model")
    try:
        spec = meta["optimizer"]
        optimizer = _OPTIMIZERS[spec["kind"]](**spec["hyper"])
        optimizer.steps = int(spec["steps"])
        for i, layer in enumerate(net.layers):
            state = optimizer._layer_state(layer)
            for name, (state_W, state_b) in state.items():
                for target, key in ((state_W, "W"), (state_b, "b")):
                    saved = tensors[f"optimizer.{i}.{name}.{key}"]
                    if saved.shape != target.shape or saved.dtype != target.dtype:
                        raise ModelFormatError(
                            f"{path}: optimizer state {name} of layer {i} expected "
                            f"{target.shape} {target.dtype}, got {saved.shape} {saved.dtype}"
                        )
                    target[...] = saved
        return optimizer
    except ModelFormatError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFormatError(f"{path}: inconsistent optimizer state ({exc})") from exc
