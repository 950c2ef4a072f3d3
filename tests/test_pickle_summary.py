"""Pickling networks by value (the bytes save writes) and Network.summary()."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import mlpcore as mc
from mlpcore.io import from_bytes, to_bytes


def _net(dtype: str = "float32", backend: str = "native") -> mc.Network:
    return mc.Network(
        [mc.Dense(5, 7, "leaky_relu"), mc.Dense(7, 3, "softmax")],
        loss="cross_entropy",
        dtype=dtype,
        backend=backend,
        seed=3,
    )


@pytest.mark.parametrize("backend", ["native", "numpy"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pickle_is_by_value_and_continues_the_run(dtype: str, backend: str) -> None:
    net = _net(dtype, backend)
    X = np.random.default_rng(0).standard_normal((40, 5))
    y = np.arange(40) % 3
    clone = pickle.loads(pickle.dumps(net))
    assert clone.backend.name == backend and clone.dtype == net.dtype
    for a, b in zip(net.layers, clone.layers):
        assert np.array_equal(a.W, b.W) and a.W is not b.W
    # the shuffling generator travels too: one more epoch gives identical weights
    net.fit(X, y, epochs=1, batch_size=8)
    clone.fit(X, y, epochs=1, batch_size=8)
    for a, b in zip(net.layers, clone.layers):
        np.testing.assert_array_equal(a.W, b.W)


def test_pickle_carries_the_save_format(tmp_path: object) -> None:
    net = _net()
    state = net.__getstate__()
    assert state["model"] == to_bytes(net)
    same = from_bytes(state["model"])
    np.testing.assert_array_equal(same.layers[1].b, net.layers[1].b)
    with pytest.raises(mc.ModelFormatError, match="<bytes>: too short"):
        from_bytes(b"abc")


def test_summary_counts_parameters() -> None:
    net = mc.Network(
        [mc.Dense(64, 32, "relu"), mc.Dense(32, 10, "softmax")],
        loss="cross_entropy",
        dtype="float64",
    )
    printed: list[str] = []
    text = net.summary(print_fn=printed.append)
    assert printed == [text]
    lines = text.splitlines()
    assert "Dense(64 → 32)" in lines[4] and "(None, 32)" in lines[4]
    assert lines[4].split()[-2:] == ["relu", "2,080"]  # 64·32 + 32
    assert lines[5].split()[-2:] == ["softmax", "330"]  # 32·10 + 10
    assert "Input shape: (None, 64)" in text
    assert "Total params: 2,410 (18.83 KB)" in text  # 2410 · 8 bytes
    assert net.summary(print_fn=None) == text
