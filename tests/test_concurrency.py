"""fit from several Python threads at once, after fork, and under multiprocessing's spawn.

Each scenario runs in a subprocess: numba's ``workqueue`` threading layer *aborts the process*
when parallel kernels are called from two threads at once, and a fork-unsafe layer hangs the
child, so a failure must show up as a failed test (exit status, timeout), not a dead test run.
The thread scenarios run once with numba's default layer and once forced to ``workqueue``.
Every result must be bitwise equal to the same training done sequentially.
(NUMBA_NUM_THREADS / BLAS thread-count determinism is tests/test_threads.py's.)
"""
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    import multiprocessing
    import os
    import sys
    import threading

    import numpy as np

    from fastbackprop import Model

    DIMS = [6, 24, 12, 1]
    ITERATIONS = 100
    # a few examples (the serial trainer around the BLAS) and many (where fit may hand the cores
    # to numba's parallel kernels: the case the workqueue layer aborts on)
    SIZES = (300, 1500)


    def data(m):
        rng = np.random.default_rng(7)
        X = rng.standard_normal((6, m))
        return X, (X[:1] * X[1:2] > 0).astype(np.float64)


    def fit(seed, model=None, iterations=ITERATIONS, m=SIZES[0]):
        X, Y = data(m)
        model = model or Model(DIMS, "tanh", seed=seed)
        return model.fit(X, Y, learning_rate=0.1, num_iterations=iterations, record_every=50)


    def result(seed, m=SIZES[0]):
        model = fit(seed, m=m)
        return model._theta.tobytes(), model.costs, model.iterations


    def run_threads(target, n):
        barrier = threading.Barrier(n)
        errors = []

        def work(i):
            try:
                barrier.wait()
                target(i)
            except BaseException as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors


    def threads_different_models():
        jobs = [(seed, m) for m in SIZES for seed in (1, 2)]
        sequential = {job: result(*job) for job in jobs}
        got = {}
        run_threads(lambda i: got.__setitem__(jobs[i], result(*jobs[i])), len(jobs))
        for job in jobs:
            assert got[job] == sequential[job], f"{job}: concurrent fit differs from sequential"


    def threads_same_model():
        n = 4
        X, _ = data(SIZES[0])
        reference = Model(DIMS, "tanh", seed=5)
        between_fits = [reference.predict_proba(X).tobytes()]
        for i in range(n):
            fit(None, reference, 60, SIZES[1])
            between_fits.append(reference.predict_proba(X).tobytes())
        shared = Model(DIMS, "tanh", seed=5)
        seen = []

        def target(i):
            if i == n:  # a reader while the others train
                for _ in range(50):
                    seen.append(shared.predict_proba(X).tobytes())
            else:
                fit(None, shared, 60, SIZES[1])

        run_threads(target, n + 1)
        assert shared.iterations == n * 60
        assert shared._theta.tobytes() == reference._theta.tobytes(), "same-object fits differ"
        assert shared.costs == reference.costs
        # predictions never come from parameters torn mid-fit: each is one of those between fits
        assert all(p in between_fits for p in seen), "predict_proba saw a half-trained model"


    def _child_fit(seed):
        return result(seed, SIZES[1])


    def pool(method):
        seeds = [1, 2]
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(2) as p:
            got = p.map(_child_fit, seeds)
        for s, g in zip(seeds, got):
            assert g == result(s, SIZES[1]), f"{method} worker result differs for seed {s}"


    def fork():
        expected = result(1, SIZES[1])  # numba (and any thread pool) started before the fork
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                ok = result(1, SIZES[1]) == expected and result(2, SIZES[0]) is not None
                os.write(w, b"ok" if ok else b"differs")
            finally:
                os._exit(0)
        os.close(w)
        answer = os.read(r, 100)
        _, status = os.waitpid(pid, 0)
        assert status == 0 and answer == b"ok", (status, answer)
        pool("fork")


    if __name__ == "__main__":
        {"threads": lambda: (threads_different_models(), threads_same_model()),
         "fork": fork,
         "spawn": lambda: pool("spawn")}[sys.argv[1]]()
        print("OK")
''')


# GNU OpenMP (numba's "omp" layer on Linux without TBB) kills a forked child that touches it
# ("fork() called from a process already using GNU OpenMP"); fastbackprop._threads therefore asks
# numba for a fork-safe layer unless the user chose one. The fork test checks that choice.


def _run(tmp_path, mode, **env):
    script = tmp_path / "scenario.py"
    script.write_text(SCRIPT)
    environ = dict(os.environ, **env)
    done = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True,
                          timeout=300, env=environ, cwd=tmp_path)
    assert done.returncode == 0, (f"exit status {done.returncode} (negative = killed by that "
                                  f"signal, -6 = abort)\n{done.stdout}\n{done.stderr}")
    assert done.stdout.startswith("OK"), done.stdout + done.stderr


@pytest.mark.parametrize("layer", ["default", "workqueue"])
def test_fit_from_several_threads_at_once(layer, tmp_path):
    env = {} if layer == "default" else {"NUMBA_THREADING_LAYER": layer}
    _run(tmp_path, "threads", **env)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
@pytest.mark.parametrize("layer", ["default", "workqueue"])
def test_fit_after_fork(layer, tmp_path):
    """workqueue: the documented workaround for the GNU OpenMP fork issue must really work."""
    env = {} if layer == "default" else {"NUMBA_THREADING_LAYER": layer}
    _run(tmp_path, "fork", **env)


def test_fit_under_multiprocessing_spawn(tmp_path):
    _run(tmp_path, "spawn")
