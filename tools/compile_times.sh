#!/bin/sh
# Cold (empty numba cache) and cached import + first fit, per dtype and trainer.
# Usage: flock /tmp/fastbackprop-bench.lock sh tools/compile_times.sh [python]
PY=${1:-python}
DIR=$(mktemp -d)
for dtype in float64 float32; do
  for m in 200 2000; do
    for run in cold cached; do
      [ $run = cold ] && rm -rf "$DIR"/*
      NUMBA_CACHE_DIR="$DIR" $PY -c "
import time; t = time.perf_counter()
import numpy as np
from fastbackprop import Model
X = np.random.default_rng(0).standard_normal((20, $m)).astype('$dtype')
Y = (X[:1] > 0).astype('$dtype')
Model([20, 16, 8, 1], 'relu', dtype='$dtype', seed=0).fit(X, Y, num_iterations=3)
print('$dtype m=$m $run: import + first fit %.2f s' % (time.perf_counter() - t))"
    done
  done
done
rm -rf "$DIR"
