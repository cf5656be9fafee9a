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
2. One untimed chunk per system, then ``repeats`` rounds in which every system trains one chunk
   of ``Config.bench_iterations`` iterations (a user's network: as many as take the NumPy
   baseline about ``CHUNK_S``), the order rotating from round to round, with a pause after each
   chunk so that no system pays for the spinning threads of the one before.
3. Reported: the median time per iteration, the ratio NumPy time / system time, GFLOP/s from
   ``configs.flops_per_iteration`` and the percentage of the machine's peak.
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
# changes. The notes' Intel machine has two 512-bit FMA units per core (about 390 GFLOP/s float32
# on 2 cores); this AMD EPYC (Zen 4) runs AVX-512 on two 256-bit units, and its BLAS reaches
# about 200 float32 / 105 float64 on a 2048³ matmul: a constant of 390 halved every percentage.
PEAK_N = 2048        # the matmul that stands for the peak: large enough to run at the BLAS's best
PEAK_DRIFT = 0.15    # a peak measured after a configuration this far from the run's: ceiling void

# Parameters after a few iterations from the same start must agree with the NumPy baseline run in
# float64 to this (relative to the largest entry of each array). Peers sum in other orders, so
# float64 is a little looser than the kernel tests' 1e-10. float32 is compared with the float64
# truth, not with the float32 baseline, whose own rounding is up to 3.5e-3 on config d: its
# first-layer db is a sum over 2048 examples that mostly cancels, and the float32 peers that sum
# in another order land on the other side of it.
TOLERANCE = {"float64": 1e-8, "float32": 1e-2}
AGREEMENT_ITERATIONS = 5

REPEATS = 7          # timed chunks per system; the median is reported
PAUSE_S = 0.2        # after every chunk: OpenBLAS workers spin ~0.1 s before they sleep
CHUNK_S = 0.15       # a calibrated chunk (``configs.custom``): this long for the NumPy baseline
QUICK = dict(repeats=2, pause=0.0, agreement_iterations=2, max_m=256, iterations_divisor=100,
             peak_n=256, chunk_s=0.005)

DTYPE_SHORT = {"float64": "f64", "float32": "f32"}


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
    """max over arrays of max|p - ref| / max|ref| (absolute where the reference is all zero)."""
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


def calibrated_iterations(trainer, seconds):
    """How many iterations of ``trainer`` take about ``seconds`` (at least 1): counts growing
    fourfold until one run takes a quarter of that, then scaled."""
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
    Returns the configuration's entry of the JSON report."""
    iterations = iterations or config.bench_iterations
    peak = (peak_gflops or gemm_gflops(peak_n, dtypes=(dtype,)))[dtype]
    X, Y = config.data(dtype, seed)
    start = config.parameters(dtype, seed)
    flops = flops_per_iteration(config.layer_dims, config.m)
    entry = dict(config=config.name, title=config.title, layer_dims=list(config.layer_dims),
                 m=config.m, hidden_activation=config.hidden_activation,
                 learning_rate=config.learning_rate, dtype=dtype, flops_per_iteration=flops,
                 iterations_per_chunk=iterations, repeats=repeats,
                 agreement_iterations=agreement_iterations, systems={}, skipped={})

    # the reference: the NumPy baseline in float64 (float32 data and start promoted exactly)
    from ._peers import NumPyBaseline
    truth = NumPyBaseline(config, "float64", X.astype("float64"), Y.astype("float64"),
                          {key: value.astype("float64") for key, value in start.items()})
    truth.train(agreement_iterations)
    reference = truth.parameters()

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
            trainer = system(config, dtype, X, Y, start)
            trainer.train(agreement_iterations)
            first_call_s = time.perf_counter() - t0
            parameters = trainer.parameters()
        except Exception as exc:  # a broken peer is reported, not fatal
            if system.name == "numpy":
                raise
            entry["skipped"][system.name] = f"failed: {type(exc).__name__}: {exc}"
            continue
        deviation = max_relative_deviation(parameters, reference)
        live[system.name] = trainer
        entry["systems"][system.name] = dict(
            label=system.label, first_call_s=first_call_s, max_rel_deviation=deviation,
            agrees=deviation <= TOLERANCE[dtype], chunks_ms_per_iteration=[])

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
        result.update(ms_per_iteration=ms, ratio_to_numpy=numpy_ms / ms, gflops=gflops,
                      percent_of_peak=100 * gflops / peak)
    # the GEMM flops alone at the peak: no system can take less (``ceiling`` in the table)
    floor_ms = flops / (peak * 1e9) * 1e3
    entry.update(peak_gflops=peak, floor_ms=floor_ms, ceiling_ratio=numpy_ms / floor_ms)
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
    """Versions, and the BLAS / OpenMP libraries loaded in this process (threadpoolctl)."""
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
    bench's peak."""
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

    ``configs``: names ("a,c" or ["a", "c"]), default all; ``systems``: names or system classes,
    default all installed (the NumPy baseline is always included); ``quick``: a smoke run in
    seconds (m capped at 256, short chunks, two rounds, no pauses); ``isolate``: one subprocess
    per configuration (system classes given directly need ``isolate=False``)."""
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
                      tolerance=TOLERANCE, statistic="median", isolated=isolate),
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


def _row_name(entry):
    name = f"{entry['config']} {entry['title']} {DTYPE_SHORT.get(entry['dtype'], entry['dtype'])}"
    registered = CONFIGS.get(entry["config"])
    if registered and entry.get("m", registered.m) != registered.m:
        name += f" (m={entry['m']})"
    return name


def markdown(report):
    """The ratio table, the detail table and the footnote, as Markdown."""
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
            cell = _ms(r["ms_per_iteration"])
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
    lines += ["", "Milliseconds per full-batch training iteration (forward, cost, backward, "
              "update), median of " + f"{protocol['repeats']} timed chunks per system; in "
              "brackets the speed-up over the NumPy baseline (NumPy time / system time); fastest "
              "in bold." + (" ✗: parameters disagree with the baseline's after "
                            f"{protocol['agreement_iterations']} iterations — not a valid "
                            "timing." if flagged else "")
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
    shapes = "; ".join(shapes.values())
    lines += ["", f"Configurations (layer sizes, examples, hidden activation; "
              f"`fastbackprop/configs.py`): {shapes}."]
    if report["quick"]:
        lines += ["", "**Quick smoke run** (m ≤ 256, short chunks): the numbers are not "
                  "benchmarks."]

    lines += ["", "| config | system | ms / iteration | vs NumPy | GFLOP/s | % of peak | "
              "max rel. deviation | agrees |", "|---|---|---|---|---|---|---|---|"]
    for e in report["results"]:
        if e.get("error"):
            lines.append(f"| {_row_name(e)} | — | error: {e['error']} | | | | | |")
            continue
        for n, r in e["systems"].items():
            lines.append(f"| {_row_name(e)} | {r['label']} | {_ms(r['ms_per_iteration'])} | "
                         f"{r['ratio_to_numpy']:.2f}x | {r['gflops']:.1f} | "
                         f"{r['percent_of_peak']:.1f} | {r['max_rel_deviation']:.1e} | "
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
    text += (f". Agreement: parameters after {protocol['agreement_iterations']} iterations "
             f"within {TOLERANCE['float64']:g} (float64) / {TOLERANCE['float32']:g} (float32) "
             f"of the NumPy baseline's computed in float64 from the same start, relative to "
             f"each array's largest entry (so the float32 NumPy row shows float32's own "
             f"rounding). scikit-learn's "
             f"MLPClassifier takes the same step (mean cross-entropy, gradient / m) but also "
             f"computes the loss and the weights' squared norm every iteration, as it always "
             f"does. Command: `{report['command']}`.")
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
