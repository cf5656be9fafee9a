"""fastbackprop.sklearn against scikit-learn's own MLPClassifier / MLPRegressor: test scores and
fit times on scikit-learn's bundled datasets, as docs/sklearn.md reports them.

Each dataset is standardised (the scaler fitted on the training part) and split 75/25
(random_state=0). Both estimators get the same parameters (scikit-learn's defaults,
random_state=0, the solver of the row); each pair is fitted once to warm up (numba's compile or
cache load, scikit-learn's imports), then ``--repeats`` times alternately, with a pause after
every fit (``PAUSE``), and the median fit time of each is reported. Run under the bench lock:

    flock /tmp/fastbackprop-bench.lock python tools/sklearn_compare.py --markdown
"""
import argparse
import statistics
import time
import warnings

from sklearn import datasets
from sklearn import neural_network as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from fastbackprop import sklearn as fb

DATASETS = {
    "digits": (datasets.load_digits, "classifier"),
    "breast_cancer": (datasets.load_breast_cancer, "classifier"),
    "wine": (datasets.load_wine, "classifier"),
    "iris": (datasets.load_iris, "classifier"),
    "diabetes": (datasets.load_diabetes, "regressor"),
}
SOLVERS = ("adam", "sgd", "lbfgs")
TARGET = {"adam": 5.0, "sgd": 5.0, "lbfgs": 2.0}  # issue 21's speed-ups
SCORE_TOL = {"classifier": 0.02, "regressor": 0.05}  # accuracy, R²


def split(name):
    X, y = DATASETS[name][0](return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


PAUSE = 0.2  # s after each fit: a BLAS's worker threads spin for a while after its last call
# (OpenBLAS about 0.1 s), and on two cores the next fit, of either system, would share them with
# those spinners (the bench pauses alike: docs/sklearn.md, "Speed")


def fit_time(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    elapsed = time.perf_counter() - start
    time.sleep(PAUSE)
    return elapsed


def compare(name, solver, repeats):
    kind = DATASETS[name][1]
    X_train, X_test, y_train, y_test = split(name)
    ours_cls, theirs_cls = ((fb.MLPClassifier, sk.MLPClassifier) if kind == "classifier"
                            else (fb.MLPRegressor, sk.MLPRegressor))
    params = dict(solver=solver, random_state=0)
    if kind == "regressor" and solver != "lbfgs":
        params["max_iter"] = 1000  # diabetes' targets (25-346) need more than 200 epochs
    ours, theirs = ours_cls(**params), theirs_cls(**params)
    fit_time(ours, X_train, y_train)  # warm-up: compile or cache load, imports
    fit_time(theirs, X_train, y_train)
    times = {"ours": [], "theirs": []}
    for _ in range(repeats):  # alternately, so a slow phase of the machine hits both
        times["ours"].append(fit_time(ours, X_train, y_train))
        times["theirs"].append(fit_time(theirs, X_train, y_train))
    t_ours, t_theirs = (statistics.median(times[k]) for k in ("ours", "theirs"))
    s_ours, s_theirs = ours.score(X_test, y_test), theirs.score(X_test, y_test)
    return dict(dataset=name, solver=solver, kind=kind, n_train=len(y_train),
                score_ours=s_ours, score_theirs=s_theirs, iter_ours=ours.n_iter_,
                iter_theirs=theirs.n_iter_, t_ours=t_ours, t_theirs=t_theirs,
                speedup=t_theirs / t_ours,
                score_ok=abs(s_ours - s_theirs) <= SCORE_TOL[kind],
                speed_ok=t_theirs / t_ours >= TARGET[solver])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS))
    parser.add_argument("--solvers", nargs="*", default=list(SOLVERS))
    parser.add_argument("--markdown", action="store_true", help="print the docs' table")
    args = parser.parse_args()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name in args.datasets:
            for solver in args.solvers:
                row = compare(name, solver, args.repeats)
                rows.append(row)
                if not args.markdown:
                    print(row, flush=True)
    if args.markdown:
        print("| dataset | solver | n train | score fastbackprop | score scikit-learn | "
              "epochs (ours / theirs) | fit fastbackprop | fit scikit-learn | speed-up |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            metric = "acc" if r["kind"] == "classifier" else "R²"
            print(f"| {r['dataset']} | {r['solver']} | {r['n_train']} | "
                  f"{metric} {r['score_ours']:.4f} | {r['score_theirs']:.4f} | "
                  f"{r['iter_ours']} / {r['iter_theirs']} | {r['t_ours'] * 1e3:.1f} ms | "
                  f"{r['t_theirs'] * 1e3:.1f} ms | {r['speedup']:.1f}x"
                  f"{'' if r['speed_ok'] else ' (below target)'}"
                  f"{'' if r['score_ok'] else ' (score outside tolerance)'} |")
    failed = [r for r in rows if not (r["score_ok"] and r["speed_ok"])]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
