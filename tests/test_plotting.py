"""Pictures: each call writes a readable, non-blank image; curves hold the right values."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from PIL import Image

import mlpcore as mc
from mlpcore import plotting
from mlpcore.cli import main
from mlpcore.datasets import make_moons
from mlpcore.lecture import gradient_descent_costs


def assert_image(path: Path, min_bytes: int = 5_000) -> np.ndarray:
    """The file exists, is not tiny, reads back as an image, and is not one colour."""
    assert path.stat().st_size >= min_bytes
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] >= 100 and pixels.shape[1] >= 100
    assert np.ptp(pixels[..., :3]) > 0
    return pixels


def test_activations(tmp_path: Path) -> None:
    path = tmp_path / "activations.png"
    figure = plotting.plot_activations(path)
    assert_image(path)
    axes = figure.axes
    assert [ax.get_title() for ax in axes] == ["linear", "sigmoid", "tanh", "relu"]
    z = np.linspace(-4, 4, 401)
    f, slope = axes[1].lines[0], axes[1].lines[1]
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(f.get_xdata(), z)
    np.testing.assert_allclose(f.get_ydata(), s, rtol=1e-12)
    np.testing.assert_allclose(slope.get_ydata(), s * (1 - s), rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(axes[3].lines[1].get_ydata(), (z > 0).astype(float))
    np.testing.assert_allclose(
        axes[2].lines[1].get_ydata(), 1 - np.tanh(z) ** 2, atol=1e-15
    )


def test_learning_rates(tmp_path: Path) -> None:
    path = tmp_path / "rates.svg"
    figure = plotting.plot_learning_rates(
        path, learning_rates=[0.01, 0.1], iterations=20
    )
    assert path.stat().st_size > 5_000 and path.read_text().lstrip().startswith("<?xml")
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["γ = 0.01 (slow)", "γ = 0.1 (diverges)"]
    # the plotted costs are plain gradient descent's, computed here independently
    A = np.array([[1, 2, 1], [2, 1, 1], [0, 1, 1], [1, 0, 1], [2, 2, 1.0]])
    y = np.array([0.5, 3.5, -0.5, 2.5, 2.5])
    w, costs = np.array([3.0, 4.0, 1.0]), []
    for _ in range(21):
        costs.append(0.5 * np.sum((A @ w - y) ** 2))
        w -= 0.1 * A.T @ (A @ w - y)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), costs, rtol=1e-12)
    png = tmp_path / "rates.png"
    plotting.plot_learning_rates(png)
    assert_image(png)
    np.testing.assert_allclose(
        gradient_descent_costs(0.1, 20, "numpy"), costs, rtol=1e-12
    )


def test_decision_boundary_of_a_trained_network(tmp_path: Path) -> None:
    X, y = make_moons(100, noise=0.1, seed=1)
    net = mc.Network(
        [mc.Dense(2, 8, "tanh"), mc.Dense(8, 1, "sigmoid")],
        loss="binary_cross_entropy",
        seed=0,
    )
    net.fit(X, y, epochs=5, batch_size=16, optimizer=mc.Adam(0.02))
    path = tmp_path / "boundary.png"
    figure = plotting.plot_decision_boundary(net, X, y, path, title="moons")
    assert_image(path)
    ax = figure.axes[0]
    assert ax.get_title() == "moons"
    # the points are the data, coloured by label; the black line is where ŷ = ½
    points = ax.collections[-1]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), y)
    boundary = np.concatenate([p.vertices for p in ax.collections[1].get_paths()])
    assert len(boundary) > 10
    np.testing.assert_allclose(net.forward(boundary)[:, 0], 0.5, atol=1e-3)
    with pytest.raises(mc.ValidationError, match="X: expected 2 input features"):
        plotting.plot_decision_boundary(
            mc.Network([mc.Dense(3, 1)]), np.ones((4, 3)), y[:4]
        )


@pytest.mark.parametrize("dataset", ["moons", "spiral"])
def test_boundary_snapshots(tmp_path: Path, dataset: str) -> None:
    path = tmp_path / f"{dataset}.png"
    figure = plotting.plot_decision_boundary_training(
        path, dataset=dataset, snapshots=[0, 3, 40]
    )
    assert_image(path)
    titles = [ax.get_title() for ax in figure.axes]
    assert [t.split(":")[0] for t in titles] == ["epoch 0", "epoch 3", "epoch 40"]
    accuracies = [float(t.split()[-1]) for t in titles]
    assert accuracies[-1] > accuracies[0] and accuracies[-1] >= 0.85


def test_boundary_gif(tmp_path: Path) -> None:
    path = tmp_path / "moons.gif"
    plotting.plot_decision_boundary_training(path, snapshots=[0, 2, 10])
    assert path.stat().st_size > 5_000
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 3 and gif.is_animated
    assert matplotlib.image.imread(path).ndim == 3


def test_boundary_bad_arguments() -> None:
    with pytest.raises(mc.ValidationError, match="dataset: expected one of"):
        plotting.plot_decision_boundary_training(dataset="circles")
    with pytest.raises(mc.ValidationError, match="snapshots: expected increasing"):
        plotting.plot_decision_boundary_training(snapshots=[5, 1])


def test_history_plot(tmp_path: Path) -> None:
    X, y = make_moons(80, noise=0.1, seed=0)
    net = mc.Network(
        [mc.Dense(2, 8, "tanh"), mc.Dense(8, 2, "softmax")],
        loss="cross_entropy",
        seed=0,
    )
    history = net.fit(X, y, epochs=4, validation_data=(X[:20], y[:20]))
    path = tmp_path / "history.png"
    figure = history.plot(path)
    assert_image(path)
    loss_ax, accuracy_ax = figure.axes
    assert [line.get_label() for line in loss_ax.lines] == [
        "train loss",
        "validation loss",
    ]
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), history.loss)
    np.testing.assert_array_equal(
        accuracy_ax.lines[1].get_ydata(), history.val_accuracy
    )
    # regression: one panel, no validation
    regression = mc.Network([mc.Dense(2, 1)], loss="quadratic", seed=0)
    assert len(regression.fit(X, y.astype(float), epochs=2).plot().axes) == 1
    with pytest.raises(mc.ValidationError, match="at least one completed epoch"):
        mc.History().plot()
    with pytest.raises(mc.DTypeError, match="history: expected an mlpcore History"):
        plotting.plot_history({"loss": [1.0]})  # type: ignore[arg-type]


def test_train_plot_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "curves.png"
    assert main(["train", "--epochs", "2", "--quiet", "--plot", str(path)]) == 0
    assert f"curves drawn to {path}" in capsys.readouterr().out
    assert_image(path)


def test_lecture_plot_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # every slide with a picture writes FILE-slideN.png; the others write nothing
    assert main(["lecture", "--plot", str(tmp_path / "all.png")]) == 0
    out = capsys.readouterr().out
    for number in (2, 5, 9):
        path = tmp_path / f"all-slide{number}.png"
        assert f"picture: {path}" in out
        assert_image(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "all-slide2.png",
        "all-slide5.png",
        "all-slide9.png",
    ]
    one = tmp_path / "rates.png"
    assert main(["lecture", "--slide", "5", "--plot", str(one)]) == 0
    assert f"picture: {one}" in capsys.readouterr().out
    assert_image(one)


def test_bad_paths_fail_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(
        mc.ValidationError, match=r"path: expected a picture file \(.*\.png"
    ):
        plotting.plot_activations(tmp_path / "act.xyz")
    with pytest.raises(
        mc.ValidationError, match="path: expected a file in an existing"
    ):
        plotting.plot_learning_rates(tmp_path / "missing" / "rates.png")
    assert main(["train", "--quiet", "--plot", str(tmp_path / "c.xyz")]) == 2
    captured = capsys.readouterr()
    assert "mlpcore: error: path: expected a picture file" in captured.err
    assert "test accuracy" not in captured.out  # refused before training
    assert main(["lecture", "--slide", "2", "--plot", str(tmp_path / "a.xyz")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a None entry in sys.modules makes the import fail, as on a machine without it
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'mlpcore\[plot\]'"):
        plotting.plot_activations()
    assert main(["lecture", "--slide", "2", "--plot", str(tmp_path / "a.png")]) == 2
    assert "mlpcore[plot]" in capsys.readouterr().err
