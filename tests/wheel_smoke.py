"""Smoke test of an installed mlpcore (run by cibuildwheel on every wheel).

Not collected by pytest (no ``test_`` prefix): it needs nothing but the package and
its runtime dependencies, so it runs in a bare virtual environment::

    python tests/wheel_smoke.py
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import numpy as np

import mlpcore as mc
from mlpcore.datasets import Standardizer, train_test_split


def main() -> None:
    print(mc.info())
    X, y = mc.load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    net = mc.Network(
        [mc.Dense(64, 32, "relu"), mc.Dense(32, 10, "softmax")],
        loss="cross_entropy",
        dtype="float64",
        seed=0,
    )
    net.fit(X_train, y_train, epochs=5, optimizer=mc.Adam(5e-3))
    accuracy = net.evaluate(X_test, y_test)["accuracy"]
    assert accuracy > 0.9, accuracy
    reference = net.copy()
    reference.backend = "numpy"
    np.testing.assert_allclose(
        net.forward(X_test), reference.forward(X_test), rtol=1e-10
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "digits.safetensors"
        net.save(path)
        np.testing.assert_array_equal(
            mc.load(path).forward(X_test), net.forward(X_test)
        )
    clone = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(clone.forward(X_test), net.forward(X_test))
    print(f"smoke ok: test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
