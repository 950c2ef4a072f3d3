"""Watch a small network learn a curved boundary on the spiral (needs matplotlib).

Run: python examples/decision_boundary.py spiral.png   (or spiral.gif to animate)
"""

import sys

from mlpcore.plotting import plot_decision_boundary_training

path = sys.argv[1] if len(sys.argv) > 1 else "spiral.png"
figure = plot_decision_boundary_training(path, dataset="spiral")
for ax in figure.axes:
    print(ax.get_title())
print("drew", path)
