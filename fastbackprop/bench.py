"""`fastbackprop bench`: fastbackprop, the NumPy baseline and the frameworks, side by side.

For every configuration of ``fastbackprop.configs.CONFIGS`` (each dtype it lists), or a network
of the user's own (``configs.custom``, ``--layer-dims``), and every system of
``fastbackprop._peers.SYSTEMS`` that is installed (and can train that network), from the same X,
Y and initial parameters:

1. Agreement: each system trains ``AGREEMENT_ITERATIONS`` iterations from the common start and its
   parameters are compared with the NumPy baseline's computed in float64 from that same start
   (largest |difference| over the largest |reference value|, per array, the worst array
   reported). Above ``TOLERANCE`` the system is flagged in the table and the command exits with
   status 1. This first call also pays for JIT compilation / tracing, so it is never timed.
   Minibatch configurations (f, g, h: Adam, an iteration is an epoch) check a few steps: the
   iterations run on the first ``agreement_examples(config)`` examples (two full batches and a
   partial one); the NumPy baseline and fastbackprop take the same shuffles and are held to
   ``TOLERANCE_MINIBATCH`` in ``relative_norm_deviation``, the frameworks (their own shuffles)
   only to lowering that slice's cost. The timed systems are then made afresh from the common
   start on all the examples.
2. One untimed chunk per system, then ``repeats`` rounds in which every system trains one chunk
   of ``Config.bench_iterations`` iterations (a user's network: as many as take the NumPy
   baseline about ``CHUNK_S``), the order rotating from round to round, with a pause after each
   chunk so that no system pays for the spinning threads of the one before.
3. Reported: the median time per iteration (and per minibatch step: an epoch's time over its
   steps, the unit of the minibatch configurations' tables), the ratio NumPy time / system
   time, GFLOP/s from ``configs.flops_per_iteration`` and the percentage of the machine's peak.
4. The peak is measured, not assumed: the GFLOP/s NumPy's BLAS reaches on a large square matmul
   (``PEAK_N``³, best of three) at the start of the run. With it each configuration gets a
   *ceiling*: the speed-up over NumPy of a system that ran the iteration's GEMM flops at that
   rate and did nothing else. A target above the ceiling is out of reach on this machine.
   Each configuration measures the peak again after its timing: a machine whose speed changed
   during the run (shared hosts have slow phases) makes that ceiling unreliable, and the table
   marks it (``PEAK_DRIFT``). The ratios are taken within the configuration's own alternating
   chunks and stand either way.

Each configuration runs in a fresh interpreter (``python -m fastbackprop.bench --worker``), so
thread pools, allocator state and JIT caches of one configuration cannot leak into the next.
Timing runs on a shared machine belong under a lock: ``flock /tmp/fastbackprop-bench.lock
fastbackprop bench``.
"""
import dataclasses
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata

from .configs import CALIBRATE, CONFIGS, Config, flops_per_iteration

# The peak is measured in every run (``gemm_gflops``): a nominal figure is wrong as soon as the CPU
# changes (see docs/performance.md, "The bench's peak: measured in every run").
PEAK_N = 2048
"""Size n of the n³ matmul that stands for the peak: large enough to run at the BLAS's best."""
PEAK_DRIFT = 0.15
"""A peak measured after a configuration this far (relative) from the run's: its ceiling is
marked unreliable."""

# float32 is compared with the float64 truth, not with the float32 baseline, whose own rounding
# would flag correct peers (see docs/performance.md, "Agreement: float32 against float64").
TOLERANCE = {"float64": 1e-8, "float32": 1e-2}
"""Largest deviation, per dtype, of a system's parameters after ``AGREEMENT_ITERATIONS`` from
the NumPy baseline's run in float64 from the same start (relative to the largest entry of each
array). Peers sum in other orders, so float64 is a little looser than the kernel tests' 1e-10."""
AGREEMENT_ITERATIONS = 5
"""Iterations of the agreement check (also each system's untimed first call)."""
# Adam's first steps move each weight by about ±lr whatever its gradient's size, so a weight
# whose gradient nearly cancels lands on either side by a rounding's sign: one weight of 10⁵
# differs by ~lr and the largest-entry measure of TOLERANCE sees 4e-4 on config f (see
# docs/performance.md, "Minibatch Adam configurations"); a norm over each array does not.
TOLERANCE_MINIBATCH = {"float64": 1e-8, "float32": 1e-4}
"""Largest ``relative_norm_deviation``, per dtype, of the NumPy baseline's and fastbackprop's
parameters on a minibatch configuration (same shuffles) from the float64 baseline's."""

REPEATS = 7
"""Timed chunks per system; the median is reported."""
PAUSE_S = 0.2
"""Seconds of pause after every chunk: OpenBLAS workers spin about 0.1 s before they sleep."""
CHUNK_S = 0.15
"""Seconds of a calibrated chunk (``configs.custom``) for the NumPy baseline."""
QUICK = dict(repeats=2, pause=0.0, agreement_iterations=2, max_m=256, iterations_divisor=100,
             peak_n=256, chunk_s=0.005)
"""The settings of a ``quick`` smoke run."""

DTYPE_SHORT = {"float64": "f64", "float32": "f32"}
"""Dtype names as the tables abbreviate them."""
OPTIMIZER_NAMES = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
"""Optimizer names as the tables write them."""


# -- selection -----------------------------------------------------------------------------------

def _select_configs(configs):
    """(Config, dtype) pairs from names ("a,c"), ``Config`` objects (``configs.custom``) or a
    list mixing both; default every registered configuration."""
    if configs is None:
        items = list(CONFIGS)
    else:
        items = [configs] if isinstance(configs, (str, Config)) else list(configs)
    chosen = []
    for item in items:
        chosen += [item] if isinstance(item, Config) else [n for n in item.split(",") if n]
    unknown = [n for n in chosen if not isinstance(n, Config) and n not in CONFIGS]
    if unknown or not chosen:
        raise ValueError(f"--configs: unknown configuration {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(CONFIGS)}")
    chosen = [CONFIGS[c] if isinstance(c, str) else c for c in chosen]
    names = [c.name for c in chosen]
    if len(set(names)) != len(names):
        raise ValueError(f"configurations need distinct names, got {', '.join(names)}")
    return [(c, dtype) for c in chosen for dtype in c.dtypes]


def _select_systems(systems):
    """System classes in table order; the NumPy baseline is always measured (it is the
    reference of every ratio and of the agreement check). Names or classes."""
    from ._peers import SYSTEMS
    if systems is None:
        chosen = list(SYSTEMS.values())
    else:
        items = [systems] if isinstance(systems, str) else list(systems)
        chosen = []
        for item in items:
            for name in (item.split(",") if isinstance(item, str) else [item]):
                if isinstance(name, str):
                    if not name:
                        continue
                    if name not in SYSTEMS:
                        raise ValueError(f"--systems: unknown system {name!r}; choose from "
                                         f"{', '.join(SYSTEMS)}")
                    name = SYSTEMS[name]
                if name not in chosen:
                    chosen.append(name)
    if SYSTEMS["numpy"] not in chosen:
        chosen.insert(0, SYSTEMS["numpy"])
    return chosen


# -- one configuration, in the current process ---------------------------------------------------

def max_relative_deviation(parameters, reference):
    """max over arrays of max|p - ref| / max|ref| (absolute where the reference is all zero).

    Parameters
    ----------
    parameters : dict of array_like
        A system's parameters, with at least the keys of ``reference``.
    reference : dict of array_like
        The reference parameters (the NumPy baseline's in float64).

    Returns
    -------
    float
        The worst array's deviation; inf if a shape differs or a value is NaN or inf.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.bench import max_relative_deviation
    >>> reference = {"W1": np.array([[1.0, -2.0]]), "b1": np.zeros((1, 1))}
    >>> close = {"W1": np.array([[1.0, -1.9]]), "b1": np.zeros((1, 1))}
    >>> round(max_relative_deviation(close, reference), 6)
    0.05
    >>> max_relative_deviation({"W1": np.full((1, 2), np.nan), "b1": np.zeros((1, 1))},
    ...                        reference)
    inf
    """
    import numpy as np
    worst = 0.0
    for key, ref in reference.items():
        ref = np.asarray(ref, np.float64)
        p = np.asarray(parameters[key], np.float64)
        if p.shape != ref.shape:
            return float("inf")
        if not np.isfinite(p).all():
            return float("inf")  # NaN or inf is never agreement
        scale = float(np.max(np.abs(ref))) or 1.0
        worst = max(worst, float(np.max(np.abs(p - ref))) / scale)
    return worst


def relative_norm_deviation(parameters, reference):
    """max over arrays of ‖p - ref‖ / ‖ref‖ (Frobenius norms; absolute where the reference is
    all zero): the agreement measure of the minibatch (Adam) configurations.

    Parameters
    ----------
    parameters : dict of array_like
        A system's parameters, with at least the keys of ``reference``.
    reference : dict of array_like
        The reference parameters (the NumPy baseline's in float64).

    Returns
    -------
    float
        The worst array's deviation; inf if a shape differs or a value is NaN or inf.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.bench import relative_norm_deviation
    >>> reference = {"W1": np.ones((100, 100))}
    >>> one_off = {"W1": reference["W1"].copy()}
    >>> one_off["W1"][0, 0] += 0.01  # a single entry: 1e-2 of the largest, 1e-4 of the norm
    >>> round(relative_norm_deviation(one_off, reference), 6)
    0.0001
    """
    import numpy as np
    worst = 0.0
    for key, ref in reference.items():
        ref = np.asarray(ref, np.float64)
        p = np.asarray(parameters[key], np.float64)
        if p.shape != ref.shape or not np.isfinite(p).all():
            return float("inf")
        scale = float(np.linalg.norm(ref)) or 1.0
        worst = max(worst, float(np.linalg.norm(p - ref)) / scale)
    return worst


def agreement_examples(config):
    """Examples the agreement check trains on: all m full-batch; on minibatches the first two
    and a half batches (two full steps and a partial one per epoch), or m if fewer.

    Parameters
    ----------
    config : fastbackprop.configs.Config
        The configuration.

    Returns
    -------
    int
        The example count.

    Examples
    --------
    >>> from fastbackprop.bench import agreement_examples
    >>> from fastbackprop.configs import CONFIGS
    >>> agreement_examples(CONFIGS["a"]), agreement_examples(CONFIGS["f"])
    (400, 320)
    """
    if config.batch_size is None:
        return config.m
    return min(config.m, 2 * config.batch_size + config.batch_size // 2)


def _cost(config, X, Y, parameters):
    """The head's data cost of ``parameters`` on X, Y by the baseline's formula, in float64."""
    import numpy as np
    from . import baseline
    parameters = {key: np.asarray(value, np.float64) for key, value in parameters.items()}
    if not all(np.isfinite(value).all() for value in parameters.values()):
        return float("inf")
    _, caches = baseline.L_model_forward(np.asarray(X, np.float64), parameters,
                                         config.hidden_activation, config.output)
    return baseline.compute_cost(caches[-1][1], np.asarray(Y, np.float64), config.output)


def calibrated_iterations(trainer, seconds):
    """How many iterations of ``trainer`` take about ``seconds`` (at least 1): counts growing
    fourfold until one run takes a quarter of that, then scaled.

    Parameters
    ----------
    trainer : object
        Anything with ``train(n)`` running n iterations (a system of ``fastbackprop._peers``).
    seconds : float
        The wanted duration.

    Returns
    -------
    int
        The iteration count, >= 1 (counts stop growing at 2²⁰).

    Examples
    --------
    >>> import time
    >>> from fastbackprop.bench import calibrated_iterations
    >>> class Sleeper:
    ...     def train(self, n):
    ...         time.sleep(0.001 * n)
    >>> 1 <= calibrated_iterations(Sleeper(), 0.02) <= 20  # 1 ms per iteration: about 20
    True
    """
    n = 1
    while True:
        t0 = time.perf_counter()
        trainer.train(n)
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds / 4 or n >= 1 << 20:
            return max(1, round(n * seconds / max(elapsed, 1e-9)))
        n *= 4


def measure(config, dtype, systems, *, iterations=None, repeats=REPEATS, pause=PAUSE_S,
            agreement_iterations=AGREEMENT_ITERATIONS, seed=0, peak_gflops=None, peak_n=PEAK_N,
            chunk_s=CHUNK_S):
    """Time ``systems`` (classes, the first one the NumPy baseline) on one configuration here,
    in this process. ``peak_gflops`` ({dtype: GFLOP/s}) is measured here when not given; the
    peak is measured again after the timing (``peak_gflops_after``, on a ``peak_n``³ matmul).
    Chunks of ``iterations``, else the configuration's ``bench_iterations``, else (CALIBRATE)
    as many as take the NumPy baseline about ``chunk_s``.
    Returns the configuration's entry of the JSON report.

    The protocol is the module's: an agreement check that is also the untimed first call, an
    untimed chunk per system, then ``repeats`` rounds of one chunk per system, the order
    rotating, with ``pause`` seconds after each chunk. On a minibatch configuration the
    agreement check runs on the first ``agreement_examples(config)`` examples and the timed
    systems are made afresh on all of them; times are also given per step.

    Parameters
    ----------
    config : fastbackprop.configs.Config
        The network, data and learning rate.
    dtype : {"float64", "float32"}
        The dtype to run.
    systems : list of type
        System classes of ``fastbackprop._peers`` (or alike), the NumPy baseline first. A
        system that is missing, cannot train the network or fails is skipped, with the reason.
    iterations : int or None, default None
        Iterations per timed chunk.
    repeats : int, default REPEATS
        Timed chunks per system.
    pause : float, default PAUSE_S
        Seconds of sleep after each chunk.
    agreement_iterations : int, default AGREEMENT_ITERATIONS
        Iterations of the agreement check.
    seed : int, default 0
        Seed of the configuration's data and starting parameters.
    peak_gflops : dict or None, default None
        The run's peak, {dtype: GFLOP/s}.
    peak_n : int, default PEAK_N
        Size of the matmul that measures the peak.
    chunk_s : float, default CHUNK_S
        Seconds of a calibrated chunk.

    Returns
    -------
    dict
        The configuration's entry: its description (with ``unit``: "iteration", or "step" on
        minibatches, and ``steps_per_iteration``), ``systems`` (per system: first-call time,
        ``check`` ("max_rel", "norm_rel" or "loss"), its deviation (None for "loss") and
        ``agrees``, every chunk's ms per iteration, the median ``ms_per_iteration`` and
        ``ms_per_step``, ``ratio_to_numpy``, ``gflops``, ``percent_of_peak``; on minibatches
        ``loss_after``, the agreement slice's cost after the check), ``skipped``, the peak
        before and after, the ceiling and the environment.

    Raises
    ------
    ValueError
        If the first system is not the NumPy baseline.

    Examples
    --------
    >>> from fastbackprop._peers import SYSTEMS
    >>> from fastbackprop.bench import measure
    >>> from fastbackprop.configs import CONFIGS
    >>> entry = measure(CONFIGS["a"], "float64", [SYSTEMS["numpy"], SYSTEMS["fastbackprop"]],
    ...                 iterations=10, repeats=1, pause=0.0, peak_n=64)
    >>> entry["systems"]["fastbackprop"]["agrees"]
    True
    >>> len(entry["systems"]["numpy"]["chunks_ms_per_iteration"])
    1
    """
    import numpy as np
    iterations = iterations or config.bench_iterations
    peak = (peak_gflops or gemm_gflops(peak_n, dtypes=(dtype,)))[dtype]
    X, Y = config.data(dtype, seed)
    start = config.parameters(dtype, seed)
    flops = flops_per_iteration(config.layer_dims, config.m)
    minibatch = config.batch_size is not None
    steps = config.steps_per_iteration()
    entry = dict(config=config.name, title=config.title, layer_dims=list(config.layer_dims),
                 m=config.m, hidden_activation=config.hidden_activation,
                 learning_rate=config.learning_rate, dtype=dtype, output=config.output,
                 optimizer=config.optimizer, batch_size=config.batch_size,
                 unit="step" if minibatch else "iteration", steps_per_iteration=steps,
                 flops_per_iteration=flops, flops_per_step=flops / steps,
                 iterations_per_chunk=iterations, repeats=repeats,
                 agreement_iterations=agreement_iterations, systems={}, skipped={})

    # the agreement data: all of it, or on minibatches the first few batches (a few steps)
    Xa, Ya = X, Y
    if minibatch:
        m_agree = agreement_examples(config)
        Xa, Ya = np.ascontiguousarray(X[:, :m_agree]), np.ascontiguousarray(Y[:, :m_agree])
        entry.update(beta1=config.beta1, beta2=config.beta2, epsilon=config.epsilon,
                     agreement_examples=m_agree,
                     agreement_steps=agreement_iterations * -(-m_agree // config.batch_size))
    # the reference: the NumPy baseline in float64 (float32 data and start promoted exactly)
    from ._peers import NumPyBaseline
    truth = NumPyBaseline(config, "float64", Xa.astype("float64"), Ya.astype("float64"),
                          {key: value.astype("float64") for key, value in start.items()})
    truth.train(agreement_iterations)
    reference = truth.parameters()
    if minibatch:
        loss_start = _cost(config, Xa, Ya, start)
        entry.update(loss_start=loss_start, loss_reference=_cost(config, Xa, Ya, reference))

    live = {}
    if systems[0].name != "numpy":
        raise ValueError("the NumPy baseline must be the first system: it is the reference")
    for system in systems:
        reason = system.missing() or getattr(system, "unsupported", lambda config: None)(config)
        if reason:
            entry["skipped"][system.name] = reason
            continue
        try:
            t0 = time.perf_counter()
            trainer = system(config, dtype, Xa, Ya, start)
            trainer.train(agreement_iterations)
            first_call_s = time.perf_counter() - t0
            parameters = trainer.parameters()
            if minibatch:  # the timed one: from the common start again, on all the examples
                trainer = None  # (the agreement one freed first: a system may copy X)
                trainer = system(config, dtype, X, Y, start)
        except Exception as exc:  # a broken peer is reported, not fatal
            if system.name == "numpy":
                raise
            entry["skipped"][system.name] = f"failed: {type(exc).__name__}: {exc}"
            continue
        result = dict(label=system.label, first_call_s=first_call_s)
        if not minibatch:
            deviation = max_relative_deviation(parameters, reference)
            result.update(check="max_rel", max_rel_deviation=deviation,
                          agrees=deviation <= TOLERANCE[dtype])
        else:
            loss_after = _cost(config, Xa, Ya, parameters)
            result.update(loss_after=loss_after)
            if getattr(system, "same_shuffles", False):
                deviation = relative_norm_deviation(parameters, reference)
                result.update(check="norm_rel", max_rel_deviation=deviation,
                              agrees=deviation <= TOLERANCE_MINIBATCH[dtype])
            else:  # its own shuffles: its parameters are not the baseline's, its cost falls
                result.update(check="loss", max_rel_deviation=None,
                              agrees=bool(np.isfinite(loss_after) and loss_after < loss_start))
        result["chunks_ms_per_iteration"] = []
        live[system.name] = trainer
        entry["systems"][system.name] = result

    if iterations == CALIBRATE:
        iterations = calibrated_iterations(live["numpy"], chunk_s)
        entry["iterations_per_chunk"] = iterations
    # untimed chunk at the timed length, then rounds with the order rotating
    names = list(live)
    for name in names:
        live[name].train(iterations)
        time.sleep(pause)
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            live[name].train(iterations)
            elapsed = time.perf_counter() - t0
            entry["systems"][name]["chunks_ms_per_iteration"].append(1e3 * elapsed / iterations)
            time.sleep(pause)

    numpy_ms = statistics.median(entry["systems"]["numpy"]["chunks_ms_per_iteration"])
    for result in entry["systems"].values():
        ms = statistics.median(result["chunks_ms_per_iteration"])
        gflops = flops / (ms * 1e-3) / 1e9
        result.update(ms_per_iteration=ms, ms_per_step=ms / steps, ratio_to_numpy=numpy_ms / ms,
                      gflops=gflops, percent_of_peak=100 * gflops / peak)
    # the GEMM flops alone at the peak: no system can take less (``ceiling`` in the table)
    floor_ms = flops / (peak * 1e9) * 1e3
    entry.update(peak_gflops=peak, floor_ms=floor_ms, floor_ms_per_step=floor_ms / steps,
                 ceiling_ratio=numpy_ms / floor_ms)
    # the same probe again: if the machine's speed changed since the run's start, the ceiling
    # (and % of peak) compare this configuration's times with a peak it never ran at
    time.sleep(pause)
    after = gemm_gflops(peak_n, dtypes=(dtype,))[dtype]
    entry.update(peak_gflops_after=after, peak_drift=after / peak - 1)
    entry["environment"] = environment()
    return entry


# -- the environment, for the footnote -----------------------------------------------------------

def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _owner(path):
    # ".../site-packages/numpy.libs/libscipy_openblas64_….so" -> "numpy"
    parts = path.replace("\\", "/").split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return parts[parts.index(marker) + 1].split(".")[0]
    return os.path.basename(path)


def environment():
    """Versions, and the BLAS / OpenMP libraries loaded in this process (threadpoolctl).

    Returns
    -------
    dict
        ``versions`` ({distribution: version or None}, Python's included) and ``libraries``
        (per library: ``api``, ``version``, ``threads``, ``owner``, the package that ships it).

    Examples
    --------
    >>> from fastbackprop.bench import environment
    >>> env = environment()
    >>> sorted(env)
    ['libraries', 'versions']
    >>> env["versions"]["numpy"] is not None
    True
    """
    from threadpoolctl import threadpool_info
    versions = {"python": platform.python_version()}
    for dist in ("fastbackprop", "numpy", "scipy", "numba", "threadpoolctl", "torch", "jax",
                 "jaxlib", "scikit-learn"):
        versions[dist] = _version(dist)
    libraries = [dict(api=lib.get("internal_api"), version=lib.get("version"),
                      threads=lib.get("num_threads"), owner=_owner(lib.get("filepath", "")))
                 for lib in threadpool_info()]
    torch = sys.modules.get("torch")  # statically linked MKL: invisible to threadpoolctl
    if torch is not None:
        libraries.append(dict(api="mkl" if torch.backends.mkl.is_available() else "torch",
                              version=None, threads=torch.get_num_threads(), owner="torch"))
    return dict(versions=versions, libraries=libraries)


def hardware():
    """The CPU model, its logical and usable CPU counts, AVX-512, and the platform.

    Returns
    -------
    dict
        ``cpu``, ``logical_cpus``, ``usable_cpus`` (None where the affinity is unknown),
        ``avx512`` (bool, from /proc/cpuinfo's flags) and ``system``.

    Examples
    --------
    >>> from fastbackprop.bench import hardware
    >>> sorted(hardware())
    ['avx512', 'cpu', 'logical_cpus', 'system', 'usable_cpus']
    """
    cpu, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    cpu = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return dict(cpu=cpu, logical_cpus=os.cpu_count(), usable_cpus=usable,
                avx512="avx512f" in flags, system=platform.platform())


def gemm_gflops(n=PEAK_N, repeats=3, dtypes=("float32", "float64")):
    """What NumPy's BLAS reaches on an n×n×n matmul here, per dtype (best of ``repeats``): the
    bench's peak.

    Parameters
    ----------
    n : int, default PEAK_N
        The matrices' size.
    repeats : int, default 3
        Timed matmuls per dtype (after an untimed one); the fastest counts.
    dtypes : tuple of str, default ("float32", "float64")
        The dtypes to measure.

    Returns
    -------
    dict
        {dtype: GFLOP/s}, counting 2·n³ flops per matmul.

    Examples
    --------
    >>> from fastbackprop.bench import gemm_gflops
    >>> peak = gemm_gflops(64, repeats=1, dtypes=("float64",))
    >>> list(peak), peak["float64"] > 0
    (['float64'], True)
    """
    import numpy as np
    out = {}
    for dtype in dtypes:
        A = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
        C = np.empty_like(A)
        np.matmul(A, A, out=C)
        best = min(_timed(lambda: np.matmul(A, A, out=C)) for _ in range(repeats))
        out[dtype] = 2 * n ** 3 / best / 1e9
    return out


def _timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def _load():
    # the 1-minute load average: above the core count, other processes shared the CPUs
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _git_commit():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", here, "status", "--porcelain", "--untracked-files=no",
                                "--", "fastbackprop", "kernels"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.strip() + ("+local changes" if dirty.stdout.strip() else "")


# -- the whole run -------------------------------------------------------------------------------

def run(configs=None, systems=None, quick=False, repeats=None, json_path=None,
        markdown_path=None, isolate=True, command=None, out=sys.stdout):
    """Measure, print the tables, write JSON / Markdown if asked; returns the report (a dict,
    the JSON). ``report["ok"]`` is False when a system disagrees with the baseline or a
    configuration failed.

    What ``fastbackprop bench`` runs. Time it alone on a shared machine: ``flock
    /tmp/fastbackprop-bench.lock fastbackprop bench``.

    Parameters
    ----------
    configs : str, Config, list or None, default None
        Configuration names ("a,c" or ["a", "c"]), ``Config`` objects (``configs.custom``) or
        a list mixing both; None: every registered configuration. Each runs in every dtype it
        lists.
    systems : str, list or None, default None
        System names ("numpy,fastbackprop") or classes; None: all installed. The NumPy
        baseline is always included.
    quick : bool, default False
        A smoke run in seconds (m capped at 256, short chunks, two rounds, no pauses, a small
        peak matmul): checks, not benchmarks.
    repeats : int or None, default None
        Timed chunks per system; None: ``REPEATS``, or 2 when ``quick``.
    json_path : str or None, default None
        Write the full report here as JSON.
    markdown_path : str or None, default None
        Write the tables and footnote here.
    isolate : bool, default True
        One subprocess per configuration; system classes given directly need
        ``isolate=False``.
    command : str or None, default None
        The command line quoted in the footnote.
    out : file-like, default sys.stdout
        Where the Markdown tables are written.

    Returns
    -------
    dict
        The report: the run's settings, hardware, peak, versions and libraries, ``results``
        (one entry per configuration and dtype, see ``measure``), ``disagreements``,
        ``errors`` and ``ok``.

    Raises
    ------
    ValueError
        If a configuration or system name is unknown, configuration names repeat,
        ``repeats`` is below 1, or ``isolate`` is True with system classes outside
        ``fastbackprop._peers``.

    Examples
    --------
    >>> import io
    >>> from fastbackprop.bench import run
    >>> report = run(configs="a", systems="numpy,fastbackprop", quick=True, isolate=False,
    ...              out=io.StringIO())
    >>> report["ok"], [entry["config"] for entry in report["results"]]
    (True, ['a'])
    """
    from ._peers import SYSTEMS
    selected = _select_configs(configs)
    chosen = _select_systems(systems)
    skipped = {s.name: s.missing() for s in chosen if s.missing()}
    chosen = [s for s in chosen if s.name not in skipped]
    repeats = repeats or (QUICK["repeats"] if quick else REPEATS)
    peak_n = QUICK["peak_n"] if quick else PEAK_N
    if repeats < 1:
        raise ValueError(f"--repeats must be at least 1, got {repeats}")
    if isolate and any(SYSTEMS.get(s.name) is not s for s in chosen):
        raise ValueError("system classes outside fastbackprop._peers need isolate=False")

    report = dict(
        command=command or "fastbackprop bench (Python API)",
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        quick=quick, commit=_git_commit(), hardware=hardware(),
        protocol=dict(repeats=repeats, pause_s=0.0 if quick else PAUSE_S,
                      agreement_iterations=(QUICK["agreement_iterations"] if quick
                                            else AGREEMENT_ITERATIONS),
                      tolerance=TOLERANCE, minibatch_tolerance=TOLERANCE_MINIBATCH,
                      statistic="median", isolated=isolate),
        peak_n=peak_n, peak_gflops=gemm_gflops(peak_n),
        systems=[s.name for s in chosen], skipped=skipped, load_average=_load(), results=[])
    if not quick:
        time.sleep(PAUSE_S)  # let the peak probe's threads go to sleep

    for config, dtype in selected:
        spec = dict(config=config.name, dtype=dtype, systems=[s.name for s in chosen],
                    repeats=repeats, quick=quick, peak_gflops=report["peak_gflops"],
                    peak_n=peak_n)
        if CONFIGS.get(config.name) != config:  # the user's own: sent to the worker whole
            spec["config_fields"] = dataclasses.asdict(config)
        print(f"  {config.name} {config.title} {dtype} …", file=sys.stderr, flush=True)
        try:
            entry = _run_worker(spec) if isolate else _measure_spec(spec, chosen)
        except Exception as exc:
            entry = dict(config=config.name, title=config.title, dtype=dtype,
                         error=f"{type(exc).__name__}: {exc}", systems={}, skipped={})
        report["results"].append(entry)

    environments = [e.pop("environment") for e in report["results"] if "environment" in e]
    report["load_average"] = [report["load_average"], _load()]
    report["versions"] = environments[-1]["versions"] if environments else environment()["versions"]
    libraries = []
    for env in environments:
        for lib in env["libraries"]:
            if lib not in libraries:
                libraries.append(lib)
    report["libraries"] = libraries
    report["disagreements"] = [f"{e['config']} {e['dtype']} {name}" for e in report["results"]
                               for name, r in e["systems"].items() if not r["agrees"]]
    report["errors"] = [f"{e['config']} {e['dtype']}: {e['error']}" for e in report["results"]
                        if e.get("error")]
    report["ok"] = not report["disagreements"] and not report["errors"]

    text = markdown(report)
    out.write(text)
    if json_path:
        _write(json_path, json.dumps(report, indent=1) + "\n")
    if markdown_path:
        _write(markdown_path, text)
    return report


def _quick_config(config):
    iterations = config.bench_iterations
    if iterations != CALIBRATE:
        iterations = max(1, iterations // QUICK["iterations_divisor"])
    return dataclasses.replace(config, m=min(config.m, QUICK["max_m"]),
                               bench_iterations=iterations)


def _measure_spec(spec, systems):
    fields = spec.get("config_fields")
    if fields:
        config = Config(**dict(fields, layer_dims=tuple(fields["layer_dims"]),
                               dtypes=tuple(fields["dtypes"])))
    else:
        config = CONFIGS[spec["config"]]
    options = dict(repeats=spec["repeats"], peak_gflops=spec.get("peak_gflops"),
                   peak_n=spec.get("peak_n", PEAK_N))
    if spec["quick"]:
        config = _quick_config(config)
        options.update(pause=QUICK["pause"], agreement_iterations=QUICK["agreement_iterations"],
                       chunk_s=QUICK["chunk_s"])
    return measure(config, spec["dtype"], systems, **options)


def _run_worker(spec):
    with tempfile.TemporaryDirectory(prefix="fastbackprop-bench-") as folder:
        result_path = os.path.join(folder, "result.json")
        done = subprocess.run([sys.executable, "-m", "fastbackprop.bench", "--worker",
                               json.dumps(spec), result_path],
                              capture_output=True, text=True)
        if done.returncode != 0 or not os.path.exists(result_path):
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise RuntimeError(f"worker exited with status {done.returncode}: "
                               f"{lines[-1] if lines else 'no output'}")
        with open(result_path) as f:
            return json.load(f)


def _write(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# -- tables --------------------------------------------------------------------------------------

def _ms(x):
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _ratio(x):
    return f"{x:.0f}x" if x >= 100 else f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def _minibatch(entry):
    return entry.get("unit") == "step"


def _unit_ms(entry, result):
    """A system's median ms per iteration, or per step on a minibatch configuration."""
    return result["ms_per_iteration"] / entry.get("steps_per_iteration", 1)


def _check_cell(entry, result):
    """The detail table's agreement cell: the deviation, or the cost before and after."""
    check = result.get("check", "max_rel")
    if check == "loss":
        return f"cost {entry['loss_start']:.4g} → {result['loss_after']:.4g}"
    text = f"{result['max_rel_deviation']:.1e}"
    return text + " (norm)" if check == "norm_rel" else text


def _row_name(entry):
    name = f"{entry['config']} {entry['title']} {DTYPE_SHORT.get(entry['dtype'], entry['dtype'])}"
    registered = CONFIGS.get(entry["config"])
    if registered and entry.get("m", registered.m) != registered.m:
        name += f" (m={entry['m']})"
    return name


def markdown(report):
    """The ratio table, the detail table and the footnote, as Markdown.

    Parameters
    ----------
    report : dict
        A report of ``run`` (or its JSON, read back).

    Returns
    -------
    str
        The Markdown text ``run`` prints.
    """
    from ._peers import SYSTEMS
    labels = {}  # column order: the registry's, then any system given by class
    for n in SYSTEMS:
        for e in report["results"]:
            if n in e["systems"]:
                labels[n] = e["systems"][n]["label"]
    for e in report["results"]:
        for n, r in e["systems"].items():
            labels.setdefault(n, r["label"])
    names = list(labels)
    drifted = False
    lines = ["| config | " + " | ".join(labels[n] for n in names) + " | ceiling |",
             "|---|" + "---|" * (len(names) + 1)]
    flagged = False
    for e in report["results"]:
        if e.get("error"):
            lines.append(f"| {_row_name(e)} | " + " | ".join(["error"] * len(names)) + " | |")
            continue
        measured = [n for n in names if n in e["systems"] and e["systems"][n]["agrees"]]
        fastest = min(measured, key=lambda n: e["systems"][n]["ms_per_iteration"], default=None)
        cells = []
        for n in names:
            r = e["systems"].get(n)
            if r is None:
                cells.append("—")
                continue
            cell = _ms(_unit_ms(e, r))
            if n != "numpy":
                cell += f" ({r['ratio_to_numpy']:.2f}x)"
            if n == fastest and len(measured) > 1:
                cell = f"**{cell}**"
            if not r["agrees"]:
                cell += " ✗"
                flagged = True
            cells.append(cell)
        ceiling = e.get("ceiling_ratio")
        mark = _drifted(report, e)
        drifted = drifted or mark
        cells.append("—" if ceiling is None else _ratio(ceiling) + (" (?)" if mark else ""))
        lines.append(f"| {_row_name(e)} | " + " | ".join(cells) + " |")
    protocol = report["protocol"]
    minibatch = [e for e in report["results"] if _minibatch(e)]
    names_mb = ", ".join(dict.fromkeys(e["config"] for e in minibatch))
    full_batch = "Milliseconds per full-batch training iteration (forward, cost, backward, update)"
    steps = ("minibatch step (forward, cost, backward, Adam update; each system in its own loop, "
             "shuffling every epoch; a chunk of whole epochs over its steps)")
    if not minibatch:
        per = full_batch
    elif len(minibatch) == len(report["results"]):
        per = f"Milliseconds per {steps}"
    else:
        per = f"{full_batch}; for the minibatch configurations ({names_mb}) per {steps}"
    lines += ["", per + ", median of " + f"{protocol['repeats']} timed chunks per system; in "
              "brackets the speed-up over the NumPy baseline (NumPy time / system time); fastest "
              "in bold." + (" ✗: parameters disagree with the baseline's after "
                            f"{protocol['agreement_iterations']} iterations"
                            + (" (on minibatches: the baseline's parameters, or for a framework "
                               "a falling cost)" if minibatch else "")
                            + " — not a valid timing." if flagged else "")
              + " Ceiling: the speed-up over NumPy of a system that ran the iteration's GEMM "
              "flops at the peak measured in this run (footnote) and did nothing else. Only GEMMs "
              "faster than the BLAS's own large matmul would go past it."
              + (" (?): the machine's speed changed during the run (the peak measured after "
                 f"that configuration differs from the run's by more than {PEAK_DRIFT:.0%}, "
                 "footnote), so that ceiling and its % of peak are unreliable; the ratios, "
                 "taken within the configuration's alternating chunks, stand." if drifted
                 else "")]
    shapes = {}  # each configuration once, as it ran (quick runs cap m)
    for e in report["results"]:
        if "layer_dims" in e and e["config"] not in shapes:
            registered = CONFIGS.get(e["config"])
            name = f"{e['config']} {registered.title}" if registered else e["config"]
            shapes[e["config"]] = (f"{name} {'-'.join(map(str, e['layer_dims']))}, "
                                   f"m = {e['m']}, {e['hidden_activation']}")
            if _minibatch(e):
                optimizer = OPTIMIZER_NAMES.get(e["optimizer"], e["optimizer"])
                shapes[e["config"]] += (f", {e['output']} head, {optimizer} in batches of "
                                        f"{e['batch_size']} ({e['steps_per_iteration']} steps "
                                        f"per epoch)")
    shapes = "; ".join(shapes.values())
    lines += ["", f"Configurations (layer sizes, examples, hidden activation; "
              f"`fastbackprop/configs.py`): {shapes}."]
    if report["quick"]:
        lines += ["", "**Quick smoke run** (m ≤ 256, short chunks): the numbers are not "
                  "benchmarks."]

    unit = "ms / iteration" + (" or step" if minibatch else "")
    lines += ["", f"| config | system | {unit} | vs NumPy | GFLOP/s | % of peak | "
              "max rel. deviation | agrees |", "|---|---|---|---|---|---|---|---|"]
    for e in report["results"]:
        if e.get("error"):
            lines.append(f"| {_row_name(e)} | — | error: {e['error']} | | | | | |")
            continue
        for n, r in e["systems"].items():
            lines.append(f"| {_row_name(e)} | {r['label']} | {_ms(_unit_ms(e, r))} | "
                         f"{r['ratio_to_numpy']:.2f}x | {r['gflops']:.1f} | "
                         f"{r['percent_of_peak']:.1f} | {_check_cell(e, r)} | "
                         f"{'yes' if r['agrees'] else '**NO**'} |")
    lines += ["", footnote(report), ""]
    skipped = dict(report["skipped"])
    for e in report["results"]:
        for name, reason in e.get("skipped", {}).items():
            skipped.setdefault(name, f"{reason} ({e['config']} {e['dtype']})")
    for name, reason in skipped.items():
        lines.append(f"Skipped {name}: {reason}.  ")
    for problem in report["disagreements"]:
        lines.append(f"**Disagrees with the NumPy baseline:** {problem}.  ")
    for problem in report["errors"]:
        lines.append(f"**Failed:** {problem}.  ")
    return "\n".join(lines).rstrip() + "\n"


def _drifted(report, entry):
    # not in quick runs: their small probe matmul is itself noisy, and nothing there is a benchmark
    return not report["quick"] and abs(entry.get("peak_drift", 0.0)) > PEAK_DRIFT


def _peaks_after(report):
    """The peak measured after each configuration, as footnote text."""
    parts = [f"{e['config']} {DTYPE_SHORT.get(e['dtype'], e['dtype'])} "
             f"{e['peak_gflops_after']:.0f}" + (" (?)" if _drifted(report, e) else "")
             for e in report["results"] if "peak_gflops_after" in e]
    if not parts:
        return ""
    return ("; measured again after each configuration, in GFLOP/s of that configuration's "
            "dtype: " + ", ".join(parts))


def footnote(report):
    """The tables' footnote: machine, versions, BLAS, protocol, peak, load and agreement rule.

    Parameters
    ----------
    report : dict
        A report of ``run``.

    Returns
    -------
    str
        One paragraph of Markdown.
    """
    hw, v, protocol = report["hardware"], report["versions"], report["protocol"]
    blas = "; ".join(f"{lib['owner']}: {lib['api']} {lib['version'] or ''} "
                     f"({lib['threads']} threads)".replace("  ", " ")
                     for lib in report["libraries"] if lib["api"] in ("openblas", "mkl", "blis"))
    names = [("Python", "python"), ("NumPy", "numpy"), ("SciPy", "scipy"), ("numba", "numba"),
             ("PyTorch", "torch"), ("JAX", "jax"), ("jaxlib", "jaxlib"),
             ("scikit-learn", "scikit-learn"), ("threadpoolctl", "threadpoolctl")]
    versions = ", ".join(f"{label} {v[key]}" for label, key in names if v.get(key))
    text = (f"Measured {report['date']} on {hw['cpu']} ({hw['usable_cpus']} usable of "
            f"{hw['logical_cpus']} logical CPUs, AVX-512 {'yes' if hw['avx512'] else 'no'}; "
            f"{hw['system']}); fastbackprop {v.get('fastbackprop')}"
            + (f" at commit {report['commit']}" if report.get("commit") else "")
            + f"; {versions}. BLAS loaded: {blas or 'unknown'}. "
            f"Each configuration in its own process; systems alternate chunk by chunk "
            f"({protocol['pause_s']} s pause after each), order rotating; JIT compilation and "
            f"tracing excluded (first call, untimed). GFLOP/s counts the GEMM flops of one "
            f"iteration (2·n·k·m per product); the peak (for % of peak and the ceiling) is "
            f"measured at the start of the run: NumPy's BLAS reached "
            f"{report['peak_gflops']['float32']:.0f} (float32) and "
            f"{report['peak_gflops']['float64']:.0f} (float64) GFLOP/s on a "
            f"{report['peak_n']}³ matmul, best of 3" + _peaks_after(report))
    cores = hw["usable_cpus"] or hw["logical_cpus"] or 1
    loads = [x for x in report.get("load_average") or [] if x is not None]
    if loads:
        text += f". Load average (1 min) at start and end: {' and '.join(map(str, loads))}"
        if max(loads) > cores + 0.5:
            text += (f" — more than the {cores} cores: other processes were running, the "
                     f"times are noisy")
    text += "."
    minibatch = [e for e in report["results"] if _minibatch(e)]
    if len(minibatch) < len(report["results"]) or not report["results"]:
        text += (f" Agreement: parameters after {protocol['agreement_iterations']} iterations "
                 f"within {TOLERANCE['float64']:g} (float64) / {TOLERANCE['float32']:g} "
                 f"(float32) of the NumPy baseline's computed in float64 from the same start, "
                 f"relative to each array's largest entry (so the float32 NumPy row shows "
                 f"float32's own rounding). scikit-learn's MLPClassifier takes the same step "
                 f"(mean cross-entropy, gradient / m) but also computes the loss and the "
                 f"weights' squared norm every iteration, as it always does.")
    if minibatch:
        names = ", ".join(dict.fromkeys(e["config"] for e in minibatch))
        tolerance = protocol.get("minibatch_tolerance", TOLERANCE_MINIBATCH)
        e = minibatch[0]
        text += (f" Minibatch configurations ({names}): Adam (lr {e['learning_rate']:g}, betas "
                 f"{e['beta1']:g}/{e['beta2']:g}, eps {e['epsilon']:g}), an iteration is an epoch; their GFLOP/s and ceiling "
                 f"count each step's GEMM flops (2·n·k·b per product). Their check runs the "
                 f"{protocol['agreement_iterations']} epochs on the first two and a half batches "
                 f"of examples (a few steps): the NumPy baseline and fastbackprop take the same "
                 f"shuffles and agree with the float64 baseline within "
                 f"{tolerance['float32']:g} (float32) of each array's norm (‖Δ‖/‖ref‖, "
                 f"\"(norm)\"); PyTorch, JAX and scikit-learn shuffle their own way and must "
                 f"lower that slice's cost (\"cost before → after\"). Their loops: "
                 f"fastbackprop `model.fit(X, Y, num_iterations=1, batch_size=b, "
                 f"optimizer=\"adam\")` per epoch; NumPy `baseline.train_minibatch`; PyTorch "
                 f"nn.Sequential, torch.optim.Adam, randperm indexing; JAX a jitted optax.adam "
                 f"step per batch; scikit-learn MLPClassifier / MLPRegressor(solver=\"adam\") "
                 f"`partial_fit` per epoch.")
    text += f" Command: `{report['command']}`."
    return text


# -- the worker process --------------------------------------------------------------------------

def _worker(argv):
    spec, result_path = json.loads(argv[0]), argv[1]
    from ._peers import SYSTEMS
    entry = _measure_spec(spec, [SYSTEMS[name] for name in spec["systems"]])
    with open(result_path, "w") as f:
        json.dump(entry, f)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2:])
    else:
        sys.exit("usage: fastbackprop bench [options] (this module's --worker is internal)")
