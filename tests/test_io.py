"""save/load: bit-exact round trips, atomic writes, and every broken file refused."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save as st_save

import mlpcore as mc
from mlpcore.io import from_bytes, optimizer_from_bytes, to_bytes


def _net(dtype: str = "float32") -> mc.Network:
    return mc.Network(
        [mc.Dense(5, 7, "leaky_relu"), mc.Dense(7, 4, "softmax")],
        loss="cross_entropy",
        dtype=dtype,
        seed=3,
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_bit_exact(tmp_path: Path, dtype: str) -> None:
    net = _net(dtype)
    path = tmp_path / "model.safetensors"
    net.save(path)
    loaded = mc.load(path)
    assert loaded.loss == net.loss and loaded.dtype == net.dtype
    assert [(layer.n_in, layer.n_out, layer.activation) for layer in loaded.layers] == [
        (5, 7, "leaky_relu"),
        (7, 4, "softmax"),
    ]
    for a, b in zip(net.layers, loaded.layers, strict=False):
        assert a.W.dtype == b.W.dtype and np.array_equal(a.W, b.W)
        assert np.array_equal(a.b, b.b)
    X = np.random.default_rng(0).standard_normal((6, 5))
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    loaded.layers[0].W += 1  # loaded weights are writeable, independent arrays
    assert not np.array_equal(loaded.layers[0].W, net.layers[0].W)


def test_failed_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.safetensors"
    _net().save(path)
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        mc.Network([mc.Dense(5, 2)], loss="mse", seed=1).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


def _write_with_meta(path: Path, meta: object, tensors: dict[str, np.ndarray]) -> None:
    path.write_bytes(st_save(tensors, metadata={"mlpcore": json.dumps(meta)}))


def test_broken_files_raise_model_format_error(tmp_path: Path) -> None:
    good = tmp_path / "good.safetensors"
    _net().save(good)
    data = good.read_bytes()
    header_size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_size])
    meta = json.loads(header["__metadata__"]["mlpcore"])
    tensors = mc.load(good)
    weights = {
        f"layers.{i}.{p}": getattr(layer, p)
        for i, layer in enumerate(tensors.layers)
        for p in "Wb"
    }

    cases: dict[str, tuple[bytes | None, str]] = {
        "empty": (b"", "too short"),
        "truncated": (data[: len(data) // 2], "corrupted|truncated"),
        "header_truncated": (data[:20], "truncated"),
        "foreign": (b"PK\x03\x04" + b"\0" * 100, "truncated|not an mlpcore"),
        "garbage_header": (struct.pack("<Q", 4) + b"{{{{", "not an mlpcore"),
    }
    for name, (content, pattern) in cases.items():
        path = tmp_path / f"{name}.safetensors"
        assert content is not None
        path.write_bytes(content)
        with pytest.raises(mc.ModelFormatError, match=pattern):
            mc.load(path)

    variants = {
        "version": ({**meta, "version": 99}, weights, "version"),
        "format": ({**meta, "format": "other"}, weights, "not an mlpcore"),
        "missing": (
            meta,
            {k: v for k, v in weights.items() if k != "layers.1.b"},
            "expected tensors",
        ),
        "extra": (
            meta,
            {**weights, "layers.2.W": np.zeros((1, 1), np.float32)},
            "expected tensors",
        ),
        "shape": (
            meta,
            {**weights, "layers.0.W": np.zeros((5, 6), np.float32)},
            "layer 0 expected",
        ),
        "dtype": (
            meta,
            {**weights, "layers.1.b": np.zeros(4, np.float64)},
            "layer 1 expected",
        ),
        "activation": (
            {
                **meta,
                "layers": [
                    {**meta["layers"][0], "activation": "gelu"},
                    meta["layers"][1],
                ],
            },
            weights,
            "metadata",
        ),
        "no_layers": (
            {k: v for k, v in meta.items() if k != "layers"},
            weights,
            "metadata",
        ),
    }
    for name, (variant_meta, variant_tensors, pattern) in variants.items():
        path = tmp_path / f"{name}.safetensors"
        _write_with_meta(path, variant_meta, variant_tensors)
        with pytest.raises(mc.ModelFormatError, match=pattern):
            mc.load(path)

    plain = tmp_path / "plain.safetensors"
    plain.write_bytes(st_save(weights))
    with pytest.raises(mc.ModelFormatError, match="not an mlpcore"):
        mc.load(plain)


def test_model_format_error_is_a_value_error() -> None:
    assert issubclass(mc.ModelFormatError, ValueError)


@pytest.mark.parametrize("backend", ["native", "numpy"])
@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: mc.SGD(0.05),
        lambda: mc.Momentum(0.02, nesterov=True),
        lambda: mc.Adam(0.01),
    ],
)
def test_checkpoint_with_optimizer_resumes_exactly(
    tmp_path: Path, backend: str, make_optimizer: Any
) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((96, 5)), rng.integers(0, 4, size=96)
    net = _net("float64")
    net.backend = backend
    optimizer = make_optimizer()
    net.fit(X, y, epochs=2, batch_size=16, optimizer=optimizer)
    path = tmp_path / "checkpoint.safetensors"
    net.save(path, optimizer=optimizer)

    net.fit(X, y, epochs=2, batch_size=16, optimizer=optimizer)  # the uninterrupted run
    resumed = mc.load(path, backend=backend)
    resumed_optimizer = mc.load_optimizer(path, resumed)
    assert type(resumed_optimizer) is type(optimizer)
    assert resumed_optimizer.steps == 12
    resumed.fit(X, y, epochs=2, batch_size=16, optimizer=resumed_optimizer)
    for a, b in zip(net.layers, resumed.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)


def test_optimizer_state_errors(tmp_path: Path) -> None:
    net = _net()
    path = tmp_path / "plain.safetensors"
    net.save(path)
    with pytest.raises(mc.ModelFormatError, match="no optimizer state"):
        mc.load_optimizer(path, net)

    class Custom(mc.SGD):
        pass

    with pytest.raises(mc.ValidationError, match="optimizer: expected an SGD"):
        net.save(path, optimizer=Custom())
    net.save(path, optimizer=mc.Adam())
    other = mc.Network([mc.Dense(5, 3, "relu"), mc.Dense(3, 4, "softmax")], seed=0)
    with pytest.raises(mc.ModelFormatError, match="optimizer state m of layer 0"):
        mc.load_optimizer(path, other)


def test_optimizer_from_bytes_equals_the_file_route(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 4, size=40)
    net, optimizer = _net("float64"), mc.Adam(0.01)
    net.fit(X, y, epochs=1, batch_size=8, optimizer=optimizer)
    data = to_bytes(net, optimizer=optimizer)
    path = tmp_path / "checkpoint.safetensors"
    net.save(path, optimizer=optimizer)
    assert path.read_bytes() == data
    decoded = from_bytes(data)
    restored = optimizer_from_bytes(data, decoded)
    assert (restored.steps, repr(restored)) == (5, repr(optimizer))
    for layer, original in zip(decoded.layers, net.layers):
        mine, theirs = restored._layer_state(layer), optimizer._layer_state(original)
        for name in ("m", "v"):
            for a, b in zip(mine[name], theirs[name]):
                np.testing.assert_array_equal(a, b)
    with pytest.raises(
        mc.ModelFormatError, match=r"^<bytes>: no optimizer state was saved"
    ):
        optimizer_from_bytes(to_bytes(net), net)
