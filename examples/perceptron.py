"""The perceptron ŷ = σ(wᵀx + b) of the lecture, with x = (1, 2), w = (3, 4), b = 1.

The slide prints 15; the arithmetic is 1·3 + 2·4 + 1 = 12, and so is mlpcore's answer.
Run: python examples/perceptron.py
"""

import numpy as np

import mlpcore as mc

x = [[1, 2]]
nets = {}
for activation in ("linear", "sigmoid"):
    layer = mc.Dense(2, 1, activation, W=[[3], [4]], b=[1])
    nets[activation] = mc.Network([layer], loss="quadratic", dtype="float64")
    y_hat = nets[activation].forward(x)[0, 0]
    print(f"{activation:>7}: ŷ = σ(wᵀx + b) = {y_hat:.6g}")

assert nets["linear"].forward(x)[0, 0] == 12
assert nets["sigmoid"].forward(x)[0, 0] == 1 / (1 + np.exp(-12.0))
print("the slide's 15 is a slip: 1*3 + 2*4 + 1 =", 1 * 3 + 2 * 4 + 1)

# every intermediate value, in the lecture's notation: with a target y = 10 the
# cost is ½ (12 − 10)² = 2, δ = ŷ − y = 2, ∂C/∂w = x δ = (2, 4), ∂C/∂b = 2
print(nets["linear"].explain(x, [[10]], lr=0.1))
