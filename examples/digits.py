"""Classify the bundled 8×8 handwritten digits with a 64-64-10 network.

Run: python examples/digits.py
"""

import mlpcore as mc
from mlpcore.datasets import Standardizer, train_test_split

X, y = mc.load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
scaler = Standardizer().fit(X_train)  # statistics of the training part only
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

net = mc.Network(
    [mc.Dense(64, 64, "relu"), mc.Dense(64, 10, "softmax")],
    loss="cross_entropy",
    seed=0,
)
history = net.fit(
    X_train,
    y_train,
    epochs=15,
    batch_size=32,
    optimizer=mc.Adam(5e-3),
    validation_data=(X_test, y_test),
)
accuracy = net.evaluate(X_test, y_test)["accuracy"]
print(f"{len(X_train)} training images, {len(X_test)} test images")
print(f"test accuracy {accuracy:.3f}")
print(
    "first test digits:",
    net.predict(X_test[:10]).tolist(),
    "true:",
    y_test[:10].tolist(),
)
assert accuracy >= 0.95
