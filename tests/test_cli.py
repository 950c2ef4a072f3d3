"""The command line: train end to end, info."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mlpcore as mc
from mlpcore.cli import main


def test_train_learns_and_saves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "digits.safetensors"
    status = main(["train", "--epochs", "5", "--quiet", "--save", str(model)])
    out = capsys.readouterr().out
    assert status == 0
    accuracy = float(out.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.9  # chance is 0.1
    assert "samples/s" in out
    net = mc.load(model)
    assert [layer.n_out for layer in net.layers] == [64, 10]


def test_default_train_reaches_095() -> None:
    # the README's main job, as a user runs it (module entry point, all defaults)
    result = subprocess.run(
        [sys.executable, "-m", "mlpcore", "train", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    accuracy = float(result.stdout.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.95


def test_train_options(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "train",
            "--epochs",
            "2",
            "--quiet",
            "--hidden",
            "32",
            "16",
            "--activation",
            "tanh",
            "--optimizer",
            "nesterov",
            "--backend",
            "numpy",
            "--dtype",
            "float64",
            "--batch-size",
            "64",
            "--lr",
            "0.05",
            "--threads",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "64-32-16-10" in out and "numpy" in out and "float64" in out
    accuracy = float(out.split("test accuracy ")[1].split()[0])
    assert accuracy > 0.5


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--epochs", "0"])
    assert exit_info.value.code == 2
    assert "expected an integer >= 1" in capsys.readouterr().err


def test_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert mc.__version__ in out
    assert f"threads     {mc.get_num_threads()}" in out
    assert "kernels" in out and np.__version__ in out
