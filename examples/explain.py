"""Every intermediate value of one forward and backward pass, in the lecture's notation.

The 3-4-1 network of the lecture, x = (1, 2, 3), target 150: z¹, a¹, ŷ = 163, the
cost, δ, ∂C/∂W and one gradient-descent step w ← w − γ∇C.
Run: python examples/explain.py
"""

import mlpcore as mc

net = mc.Network(
    [
        mc.Dense(3, 4, W=[[4, 3, 1, 1], [1, 4, 4, 3], [3, 4, 3, 2]]),
        mc.Dense(4, 1, W=[[4], [2], [1], [3]]),
    ],
    loss="quadratic",
    dtype="float64",
)
explanation = net.explain([[1, 2, 3]], [[150]], lr=1e-3)
print(explanation)

# the fields are the arrays themselves
print("z¹ =", explanation.layers[0].z.tolist(), " ŷ =", explanation.output.tolist())
