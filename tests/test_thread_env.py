"""The native pool's default thread count from the environment, read at import:
MLPCORE_NUM_THREADS, else OMP_NUM_THREADS, else the CPUs the process may use."""

from __future__ import annotations

import os
import subprocess
import sys

import joblib
import pytest

import mlpcore as mc

SCRIPT = "import mlpcore; print(mlpcore.get_num_threads())"


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _import_with(**variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MLPCORE_NUM_THREADS", "OMP_NUM_THREADS")
    }
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, _cpus()),
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": " 1 "}, 1),
        ({"OMP_NUM_THREADS": "5,2"}, 5),  # OpenMP's nested list: the outer level
        ({"OMP_NUM_THREADS": ""}, _cpus()),  # empty means unset
        ({"MLPCORE_NUM_THREADS": "2", "OMP_NUM_THREADS": "7"}, 2),
        ({"MLPCORE_NUM_THREADS": "", "OMP_NUM_THREADS": "7"}, 7),
    ],
)
def test_default_thread_count(variables: dict[str, str], expected: int) -> None:
    result = _import_with(**variables)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == expected
    assert "Warning" not in result.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-2", ",3"])
def test_a_bad_omp_value_warns_and_is_ignored(value: str) -> None:
    result = _import_with(OMP_NUM_THREADS=value)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == _cpus()
    assert (
        f"RuntimeWarning: OMP_NUM_THREADS: expected an integer >= 1 (or an OpenMP list "
        f"like '4,2'), got {value!r}; ignored" in result.stderr
    )


def test_a_bad_mlpcore_value_fails_the_import() -> None:
    # mlpcore's own variable: a typo must not silently fall back
    result = _import_with(MLPCORE_NUM_THREADS="two", OMP_NUM_THREADS="1")
    assert result.returncode == 1
    assert (
        "ValidationError: MLPCORE_NUM_THREADS: expected an integer >= 1, got 'two'"
        in result.stderr
    )


def test_joblib_workers_get_a_share_of_the_cores() -> None:
    # joblib's process workers start with OMP_NUM_THREADS = cores // n_jobs (unless it
    # is set already), so each worker's pool takes its share instead of every core
    expected = os.environ.get("OMP_NUM_THREADS") or str(max(joblib.cpu_count() // 2, 1))
    if os.environ.get("MLPCORE_NUM_THREADS"):
        expected = os.environ["MLPCORE_NUM_THREADS"]
    counts = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(mc.get_num_threads)() for _ in range(2)
    )
    assert counts == [int(expected)] * 2
