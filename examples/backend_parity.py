"""The same network on the C++ kernels ("native") and on the NumPy reference.

Every kernel has a NumPy twin; results agree within 1e-12 (float64), normwise.
Run: python examples/backend_parity.py
"""

import numpy as np

import mlpcore as mc

rng = np.random.default_rng(0)
X, y = rng.normal(size=(100, 20)), rng.integers(0, 5, size=100)
net = mc.Network(
    [mc.Dense(20, 32, "tanh"), mc.Dense(32, 5, "softmax")],
    loss="cross_entropy",
    dtype="float64",
    seed=0,
)


def run(backend: str) -> tuple[np.ndarray, float, list[mc.Gradient]]:
    net.backend = backend
    loss, grads = net.gradients(X, y)
    return net.forward(X), loss, grads


out_n, loss_n, grads_n = run("native")
out_p, loss_p, grads_p = run("numpy")


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


errors = [relative(out_n, out_p), abs(loss_n - loss_p) / abs(loss_p)]
errors += [relative(gn.W, gp.W) for gn, gp in zip(grads_n, grads_p)]
print(f"loss native {loss_n:.15f}")
print(f"loss numpy  {loss_p:.15f}")
print(f"largest normwise relative difference: {max(errors):.1e}")
assert max(errors) <= 1e-12
print("native and numpy agree within 1e-12")
