"""`mlpcore lecture`: every number each slide prints, against hand values, plain NumPy
and finite differences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from printed_numbers import unmatched

from mlpcore.cli import main
from mlpcore.lecture import Slide, slide_count, slides

# the backprop slide's linear model: data on y = 2x₁ − x₂ + ½, start w = (3, 4), b = 1
A = np.array([[1, 2, 1], [2, 1, 1], [0, 1, 1], [1, 0, 1], [2, 2, 1]], dtype=np.float64)
Y = np.array([0.5, 3.5, -0.5, 2.5, 2.5])
START = np.array([3.0, 4.0, 1.0])


def half_squares(params: np.ndarray) -> float:
    return 0.5 * float(np.sum((A @ params - Y) ** 2))


def descend(lr: float, steps: int) -> list[float]:
    """Plain gradient descent on ½ Σ (ŷ − y)², written out: ∇C = Aᵀ(Aw − y)."""
    w, costs = START.copy(), []
    for _ in range(steps + 1):
        costs.append(half_squares(w))
        w = w - lr * A.T @ (A @ w - Y)
    return costs


def sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


def oracle(number: int) -> dict[str, Any]:
    """What slide ``number`` must show, computed here from the formulas."""
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    if number == 1:
        return {"x": [1, 2], "w": [3, 4], "b": 1, "linear": 12, "sigmoid": sigmoid(12)}
    if number == 2:
        s, t = sigmoid(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
        return {
            "z": z,
            "linear": z,
            "linear'": np.ones(5),
            "sigmoid": s,
            "sigmoid'": s * (1 - s),
            "tanh": t,
            "tanh'": 1 - t * t,
            "relu": np.maximum(z, 0),
            "relu'": (z > 0).astype(float),
        }
    if number == 3:
        W1 = np.array([[4, 3, 1, 1], [1, 4, 4, 3], [3, 4, 3, 2]])
        w2 = np.array([4, 2, 1, 3])
        z1 = np.array([1, 2, 3]) @ W1
        return {
            "x": [1, 2, 3],
            "W1": W1,
            "w2": w2,
            "z1": z1,
            "a1": z1,
            "z2": [z1 @ w2],
            "y_hat": 163,
        }
    if number == 4:
        y_hat, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])
        cross = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
        return {
            "y_hat": y_hat,
            "y": y,
            "quadratic": 0.5 * (0.01 + 0.04 + 0.16),
            "cross_entropy": cross,
        }
    if number == 5:
        expected: dict[str, Any] = {"w": [3, 4], "b": 1, "X": A[:, :2], "Y": Y}
        verdicts = {0.005: "slow", 0.05: "converges", 0.1: "diverges"}
        for lr, verdict in verdicts.items():
            costs = descend(lr, 50)
            expected[f"gamma={lr}"] = lr
            expected[f"cost0@{lr}"] = costs[0]
            expected[f"cost10@{lr}"] = costs[10]
            expected[f"cost50@{lr}"] = costs[50]
            expected[f"verdict@{lr}"] = verdict
        assert descend(0.05, 50)[-1] < 1e-3 * descend(0.05, 50)[0]
        return expected
    if number == 6:
        residual = A @ START - Y
        slide = 2 * A.T @ residual  # the slide's 2 Σ x(ŷ − y), with x₃ = 1 for b
        return {
            "residual": residual,
            "C_slide": float(np.sum(residual**2)),
            "C_mlpcore": half_squares(START),
            "slide": slide,
            "mlpcore": slide / 2,
            "twice_mlpcore": slide,
            "finite_differences": slide,
        }
    if number == 7:
        z1 = np.array([15.0, 23, 18, 13])
        delta1 = 13 * np.array([4.0, 2, 1, 3])
        grad_W1 = np.outer([1, 2, 3], delta1)
        return {
            "x": [1, 2, 3],
            "y": 150,
            "y_hat": 163,
            "C": 84.5,
            "delta2": [13],
            "grad_W2": 13 * z1,
            "delta1": delta1,
            "grad_W1": grad_W1,
            "gradients_W1": grad_W1,
        }
    if number == 8:
        grad = A.T @ (A @ START - Y)
        new = START - 0.05 * grad
        return {
            "gamma": 0.05,
            "w_old": START,
            "grad": grad,
            "w_new": new,
            "C_before": half_squares(START),
            "C_after": half_squares(new),
        }
    return {"epochs": 60}


#: numbers a slide's text uses as labels, not results (network sizes, "15" the slip)
LABELS = {1: [15, 3, 8, 1, 2, 4], 5: [0, 10, 50, 2, 1], 6: [1e-6, 2], 7: [3, 4, 1, 150],
          8: [5], 9: [200, 0.15, 2, 16, 1]}  # fmt: skip


def check_slide(slide: Slide) -> None:
    expected = oracle(slide.number)
    for name, value in expected.items():
        got = slide.results[name]
        if isinstance(value, str):
            assert got == value, (slide.number, name)
        else:
            np.testing.assert_allclose(
                np.asarray(got, dtype=np.float64).ravel(),
                np.asarray(value, dtype=np.float64).ravel(),
                rtol=1e-6 if name == "finite_differences" else 1e-12,
                err_msg=f"slide {slide.number}: {name}",
            )
    body = "\n".join(slide.lines)
    known = [*slide.results.values(), *LABELS.get(slide.number, [])]
    assert unmatched(body, known) == [], (
        f"slide {slide.number} prints unchecked numbers"
    )


@pytest.fixture(scope="module")
def native_slides() -> list[Slide]:
    return slides()


def test_every_slide_against_its_oracle(native_slides: list[Slide]) -> None:
    assert [s.number for s in native_slides] == list(range(1, slide_count() + 1))
    for slide in native_slides:
        check_slide(slide)


def test_numpy_backend_slides_agree(native_slides: list[Slide]) -> None:
    for mine, theirs in zip(slides(backend="numpy"), native_slides):
        check_slide(mine)
        assert mine.lines == theirs.lines or mine.number in (6, 7)  # gradient_check


def test_gradient_checks_and_boundary(native_slides: list[Slide]) -> None:
    assert native_slides[5].results["gradient_check"] < 1e-6
    assert native_slides[6].results["gradient_check"] < 1e-6
    boundary = native_slides[8].results
    assert boundary["accuracy"] >= 0.95 > boundary["first"]
    assert f"{boundary['accuracy']:.3f}" in "\n".join(native_slides[8].lines)


def test_slide_texts_say_what_the_issue_asks(native_slides: list[Slide]) -> None:
    text = "\n".join(str(s) for s in native_slides)
    assert "= 1×3 + 2×4 + 1 = 12" in text and "the slide prints 15" in text
    assert "z¹ = xᵀW¹ = [15, 23, 18, 13]" in text and "ŷ = linear(z²) = 163" in text
    assert "2 Σ x₁(ŷ − y), 2 Σ x₂(ŷ − y), 2 Σ (ŷ − y) = [106, 122, 77]" in text
    assert "→ slow" in text and "→ converges" in text and "→ diverges" in text


def test_cli_walks_all_slides(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lecture"]) == 0
    out = capsys.readouterr().out
    titles = [line for line in out.splitlines() if line.startswith("Slide ")]
    assert titles == [
        f"Slide {s.number}: {s.title}" for s in slides([1, 2, 3, 4, 5, 6, 7, 8, 9])
    ]


def test_cli_one_slide(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lecture", "--slide", "3", "--backend", "numpy"]) == 0
    out = capsys.readouterr().out
    assert "Slide 3: Forward propagation" in out and "ŷ = linear(z²) = 163" in out
    assert "Slide 4" not in out and "Slide 2" not in out
    with pytest.raises(SystemExit) as exit_info:
        main(["lecture", "--slide", str(slide_count() + 1)])
    assert exit_info.value.code == 2


def test_cli_slide_without_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "none.png"
    assert main(["lecture", "--slide", "1", "--plot", str(target)]) == 0
    assert "has no picture" in capsys.readouterr().out
    assert not target.exists()
