"""The learning rate γ in w(i) = w(i−1) − γ ∇C(w(i−1)): too small, right, too large.

Gradient descent on the lecture's linear model ŷ = w₁x₁ + w₂x₂ + b, starting at the
perceptron's w = (3, 4), b = 1, with C = ½ Σ (ŷ − y)².
Run: python examples/learning_rate.py   (add a FILE.png argument to draw the curves)
"""

import sys

from mlpcore.lecture import descent_verdict, gradient_descent_costs

for lr in (0.005, 0.05, 0.1):
    costs = gradient_descent_costs(lr, iterations=50)
    print(
        f"γ = {lr:<5}  C(w(0)) = {costs[0]:9.4g}   C(w(50)) = {costs[-1]:9.4g}"
        f"   {descent_verdict(costs)}"
    )

if len(sys.argv) > 1:
    from mlpcore.plotting import plot_learning_rates

    plot_learning_rates(sys.argv[1])
    print("drew", sys.argv[1])
