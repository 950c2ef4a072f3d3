"""`mlpcore train --data`: tables from CSV/.npy/.npz, task inference, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mlpcore as mc
from mlpcore.cli import main
from mlpcore.datasets import load_table
from mlpcore.datasets.tabular import infer_task


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    lines = [",".join(header)] + [",".join(map(str, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def _blobs(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    centres = np.array([[0, 0, 0], [4, 0, 0], [0, 4, 0]])
    return centres[labels] + rng.standard_normal((n, 3)), labels


def test_csv_with_text_labels_trains_a_classifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, labels = _blobs()
    names = np.array(["setosa", "versicolor", "virginica"])[labels]
    path = tmp_path / "flowers.csv"
    rows = [[*np.round(x, 6), name, i] for i, (x, name) in enumerate(zip(X, names))]
    _write_csv(path, ["a", "b", "c", "species", "id"], rows)
    table = load_table(path, "species")
    np.testing.assert_allclose(table.X[:, :3], np.round(X, 6))
    assert table.feature_names == ["a", "b", "c", "id"] and table.y[0] == names[0]
    model = tmp_path / "m.safetensors"
    argv = ["train", "--data", str(path), "--target", "species", "--quiet"]
    assert main([*argv, "--epochs", "20", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "classification of 'species'" in out
    assert float(out.split("test accuracy ")[1].split()[0]) >= 0.9  # blobs ~4σ apart
    assert mc.load(model).n_out == 3


def test_npz_regression_recovers_a_linear_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 4))
    y = 100 + X @ np.array([3.0, -2.0, 0.5, 1.0]) + 0.1 * rng.standard_normal(400)
    path = tmp_path / "lin.npz"
    np.savez(path, X=X, y=y)
    assert main(["train", "--data", str(path), "--quiet", "--epochs", "30"]) == 0
    out = capsys.readouterr().out
    assert "regression of 'y'" in out
    assert float(out.split("test r2 ")[1].split()[0]) > 0.95


def test_npy_target_index_and_explicit_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, labels = _blobs(200)
    path = tmp_path / "blobs.npy"
    np.save(path, np.column_stack([labels, X]))
    table = load_table(path, "0")
    np.testing.assert_array_equal(table.y, labels)
    np.testing.assert_array_equal(table.X, X)
    argv = ["train", "--data", str(path), "--target", "0", "--quiet", "--epochs", "3"]
    assert main([*argv, "--task", "regression"]) == 0
    assert "regression of 'column 0'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (np.array(["a", "b"]), "classification"),
        (np.array([0.0, 1.0, 2.0, 1.0]), "classification"),
        (np.array([True, False]), "classification"),
        (np.arange(50.0), "regression"),
        (np.array([0.5, 1.0, 2.0]), "regression"),
    ],
)
def test_task_inference(values: np.ndarray, task: str) -> None:
    assert infer_task(values) == task


def test_bad_tables_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.csv"
    _write_csv(path, ["x", "y"], [[1, 2], ["", 3], [4, 5]])
    with pytest.raises(mc.ValidationError, match="no empty cells, got one in row 3"):
        load_table(path)
    _write_csv(path, ["x", "y"], [[1, 2], ["one", 3], [4, 5]])
    with pytest.raises(mc.ValidationError, match="numeric feature columns"):
        load_table(path)
    _write_csv(path, ["x", "y"], [[1, 2], [3, 4], [4, 5]])
    with pytest.raises(
        mc.ValidationError, match=r"target: expected one of the columns"
    ):
        load_table(path, "z")
    with pytest.raises(
        mc.ValidationError, match=r"expected a \.csv, \.npy or \.npz file"
    ):
        load_table(tmp_path / "t.parquet")
    assert main(["train", "--data", str(path), "--target", "nope"]) == 2
    assert "target: expected one of the columns" in capsys.readouterr().err
    assert main(["train", "--target", "y"]) == 2
