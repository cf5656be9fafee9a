#!/bin/sh
# Cold (empty numba cache) and cached import + first fit (3 iterations), per dtype, for the
# README's table: the serial and the blocked trainer on [20, 16, 8, 1], the cat net's shapes
# (blocked, narrow first layer) and config e's net in minibatches of 64 (serial + shuffle).
# Usage: flock /tmp/fastbackprop-bench.lock sh tools/compile_times.sh [python]
PY=${1:-python}
DIR=$(mktemp -d)
for dtype in float64 float32; do
  for net in "serial [20,16,8,1] 200 None" "blocked [20,16,8,1] 2000 None" \
             "cat [12288,20,7,5,1] 209 None" "minibatch [784,256,128,1] 6400 64"; do
    set -- $net
    for run in cold cached; do
      [ $run = cold ] && rm -rf "$DIR"/*
      NUMBA_CACHE_DIR="$DIR" $PY -c "
import time; t = time.perf_counter()
import numpy as np
from fastbackprop import Model
dims = $2
X = np.random.default_rng(0).standard_normal((dims[0], $3)).astype('$dtype')
Y = (X[:1] > 0).astype('$dtype')
Model(dims, 'relu', dtype='$dtype', seed=0).fit(X, Y, num_iterations=3, batch_size=$4)
print('$dtype $1 $2 m=$3 $run: import + first fit %.2f s' % (time.perf_counter() - t))"
    done
  done
done
rm -rf "$DIR"
