#!/usr/bin/env bash
# Build the extension with AddressSanitizer + UndefinedBehaviorSanitizer and run the
# whole test suite under it, in a throw-away virtual environment.
#
#   bash scripts/sanitize.sh [pytest args...]
#
# Any sanitizer report fails the run (halt_on_error). Leak detection is off: CPython
# keeps many allocations alive until exit by design, which LeakSanitizer would report.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${SANITIZE_VENV:-.venv-sanitize}
python3 -m venv "$venv"
# shellcheck disable=SC1091
source "$venv/bin/activate"
python -m pip install --quiet --upgrade pip

flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
  python -m pip install --quiet ".[test]" \
    -Ccmake.build-type=RelWithDebInfo -Cbuild-dir=build/sanitize

# The interpreter is not instrumented, so the ASan runtime must be loaded first.
asan_runtime=$(${CXX:-g++} -print-file-name=libasan.so)
ubsan_runtime=$(${CXX:-g++} -print-file-name=libubsan.so)
export LD_PRELOAD="$asan_runtime $ubsan_runtime"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# tests that measure the process's memory skip themselves (ASan's quarantine grows it)
export MLPCORE_SANITIZED=1
# Hypothesis's deadline would trip on the slower instrumented build.
python -m pytest -q -p no:cacheprovider "$@"
echo "sanitizers: no reports"
