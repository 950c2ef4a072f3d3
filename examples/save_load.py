"""Save a trained network and load it back: the same predictions, bit for bit.

Files are safetensors (weights + JSON metadata, no pickle), written atomically.
Run: python examples/save_load.py
"""

import tempfile
from pathlib import Path

import numpy as np

import mlpcore as mc
from mlpcore.datasets import make_moons

X, y = make_moons(200, noise=0.1, seed=0)
net = mc.Network(
    [mc.Dense(2, 16, "tanh"), mc.Dense(16, 1, "sigmoid")],
    loss="binary_cross_entropy",
    seed=0,
)
net.fit(X, y, epochs=30, batch_size=16, optimizer=mc.Adam(0.02))

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "moons.safetensors"
    net.save(path)
    print(f"saved {path.name}: {path.stat().st_size} bytes")
    same = mc.load(path)

print("loaded:", same)
identical = np.array_equal(same.forward(X), net.forward(X))
print("predictions identical:", identical)
print(f"accuracy {same.evaluate(X, y)['accuracy']:.3f}")
assert identical
