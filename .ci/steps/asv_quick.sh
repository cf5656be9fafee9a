#!/usr/bin/env bash
# asv_benchmarks must not rot: every benchmark imports and has the right signatures (asv check),
# and one small point of every benchmark runs once (asv run --quick); any error fails CI.
# Runs inside the venv the README's test command made, from the repository root. It judges no
# timing: CI machines are shared and noisy.
set -euo pipefail

python -m pip install --quiet "asv>=0.6"

cd asv_benchmarks
asv machine --yes --machine ci >/dev/null
asv check --python=same

# One parameter point per benchmark, matched on asv's "name(param, ...)" (about a minute here).
points=(
    --bench "'float64', 'a1', 'tanh'\)$"         # forward and backward kernels, their ratios
    --bench "'float64', 'a1'\)$"                 # the update kernel
    --bench "'a planar', 'float64'\)$"           # full iteration, fit, their ratios
    --bench "'e minibatch step'\)$"              # the course drop-in
    --bench "'h digits-shaped softmax'\)$"       # minibatch Adam epochs (bench_adam), the smallest
    --bench "'warm', 'float64', 'planar'\)$"     # import + first fit from the numba cache
    --bench "'planar m=2048'\)$"                 # fit across sizes (the trainer choice)
)
log=$(mktemp)
status=0
# (no lock taken here: whoever runs .ci/run on a shared machine wraps all of it in
# `flock /tmp/fastbackprop-bench.lock`, and a second flock inside would wait forever)
asv run --python=same --quick --show-stderr --machine ci "${points[@]}" 2>&1 | tee "$log" \
    || status=$?
# a failed benchmark is reported as "failed" in its line or in its table
if [ "$status" -ne 0 ] || grep -qE '(^|[[:space:](])failed([[:space:])]|$)' "$log"; then
    echo "asv quick smoke: a benchmark failed (exit status $status)" >&2
    exit 1
fi
echo "asv quick smoke: every selected benchmark ran"
