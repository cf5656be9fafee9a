#!/usr/bin/env bash
# The kernel tests again with numba's bounds checking on (NUMBA_BOUNDSCHECK=1): an out-of-range
# index inside any @njit kernel raises IndexError here instead of silently reading or writing
# the wrong memory. The bounds-checked machine code goes to its own cache folder so it never
# mixes with the normal on-disk cache (kernels/__pycache__).
# Every kernel against its .py_func, the trainers included (the property tests' model fits run
# unchecked in the main suite: compiling them twice would cost CI minutes).
# Run by .ci/run from the repository root inside its virtual environment; a couple of minutes.
set -euo pipefail
export NUMBA_BOUNDSCHECK=1
export NUMBA_CACHE_DIR="${TMPDIR:-/tmp}/fastbackprop-boundscheck-cache"
mkdir -p "$NUMBA_CACHE_DIR"

# the switch really is on: a deliberate out-of-range read must raise
python - <<'PY'
import numba
import numpy as np

assert numba.config.BOUNDSCHECK, "NUMBA_BOUNDSCHECK is not in effect"

@numba.njit
def read(a, i):
    return a[i]

try:
    read(np.zeros(3), 3)
except IndexError:
    print("bounds checking is on")
else:
    raise SystemExit("NUMBA_BOUNDSCHECK=1 did not catch an out-of-range index")
PY

# (tests/test_kernels.py's per-layer kernels are among them: every kernel has a case in
# test_properties.py, so running that file too only compiled its float32 twins again, ~40 s)
python -m pytest -q -p no:cacheprovider \
    "tests/test_properties.py::test_kernel_matches_its_python_function"
