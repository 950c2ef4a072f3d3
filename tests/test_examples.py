"""Every script in examples/ runs, exits 0 and prints what it claims."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: script -> regular expressions its output must match (each with its claim)
CLAIMS = {
    "perceptron.py": [
        r" linear: ŷ = σ\(wᵀx \+ b\) = 12\n",
        r"sigmoid: ŷ = σ\(wᵀx \+ b\) = 0\.999994\n",
        r"C = ½ Σ \(ŷ − y\)² = 2\n",
        r"∂C/∂b¹ = δ¹ = \[2\]",
    ],
    "xor.py": [
        r"targets \[0, 1, 1, 0\]",
        r"one layer  \(a line\):       accuracy 0\.(50|75) ",
        r"two layers \(2-4-1, tanh\):  accuracy 1\.00 ",
    ],
    "learning_rate.py": [
        r"γ = 0\.005 .* slow\n",
        r"γ = 0\.05 .* converges\n",
        r"γ = 0\.1 .* diverges\n",
        r"drew .*rates\.png",
    ],
    "digits.py": [
        r"1348 training images, 449 test images",
        r"test accuracy 0\.9[5-9]\d",
    ],
    "backend_parity.py": [r"native and numpy agree within 1e-12"],
    "save_load.py": [r"predictions identical: True", r"accuracy 0\.9\d\d"],
    "explain.py": [r"z¹ = xᵀW¹ \+ b¹ = \[15, 23, 18, 13\]", r"ŷ = \[\[163\.0\]\]"],
    "decision_boundary.py": [r"epoch 200: accuracy 0\.9\d", r"drew .*spiral\.png"],
}
ARGUMENTS = {"learning_rate.py": ["rates.png"], "decision_boundary.py": ["spiral.png"]}


def test_every_example_is_tested() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CLAIMS)


@pytest.mark.parametrize("script", sorted(CLAIMS))
def test_example(script: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *ARGUMENTS.get(script, [])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for claim in CLAIMS[script]:
        assert re.search(claim, result.stdout), (claim, result.stdout)
    for picture in ARGUMENTS.get(script, []):
        assert (tmp_path / picture).stat().st_size > 5_000
        assert matplotlib.image.imread(tmp_path / picture).ndim == 3
