#!/usr/bin/env bash
# asv_benchmarks must not rot: every benchmark imports and has the right signatures, checked by
# asv itself (asv check). One small point of every benchmark runs in the test suite
# (tests/test_asv_benchmarks.py, in one process: asv's process per benchmark cost CI two
# minutes). Runs inside the venv the README's test command made, from the repository root. It
# judges no timing: CI machines are shared and noisy.
set -euo pipefail

python -m pip install --quiet "asv>=0.6"

cd asv_benchmarks
asv machine --yes --machine ci >/dev/null
asv check --python=same
