"""Types: mypy --strict passes on the package and on a typed user, and the
hand-written _core.pyi agrees with the compiled module (stubtest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd
    )


def test_core_stub_matches_the_compiled_module(tmp_path: Path) -> None:
    allowlist = HERE / "stubtest_allowlist.txt"
    result = _run(
        "mypy.stubtest", "mlpcore._core", "--allowlist", str(allowlist), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_typed_example_passes_strict_mypy(tmp_path: Path) -> None:
    # a user's view: the *installed* package's annotations (py.typed, _core.pyi);
    # the package itself is checked by `mypy` with pyproject's config in .ci/run
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n")
    result = _run(
        "mypy",
        "--config-file",
        str(config),
        "--cache-dir",
        str(tmp_path / "cache"),
        str(HERE / "typing_example.py"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_typed_example_runs() -> None:
    namespace: dict[str, object] = {}
    code = (HERE / "typing_example.py").read_text()
    exec(compile(code, "typing_example.py", "exec"), namespace)
    train = namespace["train_digits"]
    assert callable(train)
    _net, accuracy = train(2)
    assert accuracy > 0.8
