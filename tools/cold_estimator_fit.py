"""Cold import + first fit (and first score) of a fastbackprop.sklearn estimator.

Usage (an empty numba cache each run, one process each; under the bench lock):
    NUMBA_CACHE_DIR=$(mktemp -d) python tools/cold_estimator_fit.py DATASET SOLVER
DATASET and SOLVER as in tools/sklearn_compare.py (e.g. ``breast_cancer adam``; ``diabetes``
takes the regressor), with scikit-learn's defaults and random_state=0. ``--source DIR`` imports
fastbackprop from another checkout, as tools/cold_fit.py does. docs/performance.md, "Compiling on
two cores", has the measurements.
"""
import os
import sys
import time
import warnings

t0 = time.perf_counter()
if "--source" in sys.argv:
    i = sys.argv.index("--source")
    source = sys.argv[i + 1]
    del sys.argv[i:i + 2]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, os.path.abspath(source))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from fastbackprop import sklearn as fb  # noqa: E402
from sklearn_compare import DATASETS, split  # noqa: E402

name, solver = sys.argv[1:3]
X_train, X_test, y_train, y_test = split(name)
estimator = (fb.MLPClassifier if DATASETS[name][1] == "classifier" else fb.MLPRegressor)(
    solver=solver, random_state=0)
t1 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    estimator.fit(X_train, y_train)
t2 = time.perf_counter()
estimator.score(X_test, y_test)
t3 = time.perf_counter()
print(f"{name} {solver}: import {t1 - t0:.2f} s, first fit {t2 - t1:.2f} s, "
      f"first score {t3 - t2:.2f} s")
