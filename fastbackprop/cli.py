"""The ``fastbackprop`` command: ``train`` (on built-in data by default: the planar flower, or the
spiral with ``--output softmax``) and ``predict``.

A user mistake (bad option, missing or malformed file, wrong shapes) ends with one line on stderr
and exit status 2, never a traceback.
"""
import argparse
import math
import os
import sys
import time
import zipfile

import numpy as np

from . import _plot, _validate, baseline, configs, datasets
from .kernels import minibatch
from .model import Model

# Defaults by data source. The learning rate is gradient descent's and momentum's; Adam's default
# is ADAM_LEARNING_RATE everywhere.
FLOWER = dict(hidden=[4], activation="tanh", learning_rate=1.2, iterations=10000, optimizer="gd")
SPIRAL = dict(hidden=[100], activation="relu", learning_rate=1.0, iterations=1000,
              optimizer="adam")
FILE = dict(hidden=[20, 7, 5], activation="relu", learning_rate=0.0075, iterations=2500,
            optimizer="gd")
ADAM_LEARNING_RATE = 0.01
# the optimizers' own parameters: option, fit keyword, default, the optimizer it belongs to, and
# the interval of _validate.real (low, high, low_open, high_open), as Model.fit checks them
OPTIMIZER_OPTIONS = (
    ("--beta", "beta", 0.9, "momentum", (0.0, 1.0, False, True)),
    ("--beta1", "beta1", 0.9, "adam", (0.0, 1.0, False, True)),
    ("--beta2", "beta2", 0.999, "adam", (0.0, 1.0, False, True)),
    ("--epsilon", "epsilon", 1e-8, "adam", (0.0, math.inf, True, False)),
)


class UsageError(Exception):
    """A mistake of the user's: reported in one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (no usage block) and exit 2."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _load_data(path, labels_required=True):
    """datasets.load_file, with unreadable files (corrupt zip, truncated, pickled objects)
    reported as a user mistake naming the file."""
    try:
        return datasets.load_file(path, labels_required=labels_required)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        if path in str(exc):
            raise
        raise UsageError(f"{path}: not a readable data file ({type(exc).__name__}: "
                         f"{exc})") from None


def _option(check, value, option, name):
    """A model-level check, its error prefixed with the command-line option's name."""
    try:
        return check(value, name)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{option}: {exc}") from None


def _int_list(text):
    try:
        values = [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 2,4,1, "
                                         f"got {text!r}") from None
    return values


def build_parser():
    parser = _Parser(prog="fastbackprop", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model (on the built-in planar flower, or "
                           "the spiral with --output softmax, by default) and compare with the "
                           "NumPy baseline")
    train.add_argument("--data", help=".npz with X (n_x, m) and Y (n_L, m), or the course's "
                       ".h5; for softmax Y may be integer class labels (1, m) or (m,)")
    train.add_argument("--output", default="sigmoid", metavar="{sigmoid,softmax,identity}",
                       help="the output head: sigmoid (binary, default; the flower), softmax "
                       "(multi-class; the spiral), identity (regression; needs --data)")
    train.add_argument("--layer-dims", type=_int_list, help="e.g. 2,4,1 (first = features, "
                       "last = output units); default n_x,4,1 on the flower, n_x,100,3 on the "
                       "spiral, n_x,20,7,5,n_L on a file (n_L: Y's rows, or the classes)")
    train.add_argument("--activation", help="hidden activation: relu, leaky_relu, tanh, "
                       "sigmoid, identity (default tanh on the flower, relu otherwise)")
    train.add_argument("--optimizer", metavar="{gd,momentum,adam}", help="default adam on "
                       "the spiral, gd otherwise")
    train.add_argument("--learning-rate", type=float, help=f"default {ADAM_LEARNING_RATE} "
                       f"with adam; otherwise 1.2 on the flower, 1.0 on the spiral, 0.0075 on "
                       f"a file")
    train.add_argument("--iterations", type=int, help="default 10000 on the flower, 1000 on "
                       "the spiral, 2500 on a file")
    train.add_argument("--lambd", type=float, default=0.0, help="L2 regularisation, >= 0 "
                       "(default 0)")
    train.add_argument("--keep-prob", type=float, default=1.0, help="inverted dropout on the "
                       "hidden layers: the probability of keeping a unit, in (0, 1] (default "
                       "1: none)")
    for flag, _, default, owner, _ in OPTIMIZER_OPTIONS:
        train.add_argument(flag, type=float, help=f"{owner}'s {flag[2:]} (default {default}; "
                           f"only with --optimizer {owner})")
    train.add_argument("--batch-size", type=int, help="minibatches of this many examples, "
                       "shuffled each iteration (default: full batch)")
    train.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    train.add_argument("--seed", type=int, default=3, help="seed of the initialisation, the "
                       "minibatch shuffle and the dropout masks (default 3)")
    train.add_argument("--save", help="write the trained model to this .npz")
    train.add_argument("--plot", metavar="FILE", help="write a picture of the cost curve here "
                       "(.png, .svg or .pdf; needs matplotlib: pip install "
                       "\"fastbackprop[plot]\")")
    train.add_argument("--no-baseline", action="store_true",
                       help="skip the NumPy baseline run and the speed-up")
    train.add_argument("--quiet", action="store_true", help="no cost lines")

    predict = sub.add_parser("predict", help="predict with a saved model: labels and "
                             "probabilities (sigmoid, softmax), or the outputs (identity)")
    predict.add_argument("model", help="a model file written by `fastbackprop train --save`")
    predict.add_argument("data", help=".npz with X (n_x, m), or the course's .h5")
    predict.add_argument("-o", "--output", help="write here instead of stdout (.npy gives the "
                         "array of Model.predict: 0/1 labels (n_L, m), class indices (1, m) or "
                         "outputs (n_L, m); anything else a CSV, one line per example: "
                         "label,probability (softmax: label,probability_0,…; identity: "
                         "output)")

    bench = sub.add_parser(
        "bench", help="time fastbackprop against the NumPy baseline, PyTorch, JAX and "
        "scikit-learn on the benchmark configurations",
        description="Times every system on each configuration (its own process, systems "
        "alternating, medians) and checks their parameters against the NumPy baseline's. "
        "Prints ms per iteration, the speed-up over NumPy, GFLOP/s, % of the peak (NumPy's "
        "2048³ matmul, measured at the start of the run) and each configuration's ceiling: the "
        "speed-up of a system doing only the iteration's GEMM flops at that peak. Time it alone: "
        "flock /tmp/fastbackprop-bench.lock fastbackprop bench")
    bench.add_argument("--configs", help="comma-separated configuration names (default all: "
                       "a-h; with --layer-dims, none unless named)")
    own = bench.add_argument_group(
        "your own network", "time a network of your own instead (synthetic data of its shape, "
        "full-batch iterations of --examples examples)")
    own.add_argument("--layer-dims", type=_int_list, help="e.g. 784,256,128,1 (first = "
                     "features, last = 1)")
    own.add_argument("--examples", type=int, help="examples per iteration, m (needed with "
                     "--layer-dims)")
    own.add_argument("--activation", help="hidden activation: relu (default), leaky_relu, "
                     "tanh, sigmoid, identity")
    own.add_argument("--dtype", help="float64 (default), float32, or both: float64,float32")
    own.add_argument("--learning-rate", type=float, help="default 0.01")
    bench.add_argument("--systems", help="comma-separated: numpy, fastbackprop, torch, jax, "
                       "sklearn (default all installed; numpy is always measured)")
    bench.add_argument("--quick", action="store_true", help="smoke run in seconds (m <= 256, "
                       "short chunks, two rounds): checks, not benchmarks")
    bench.add_argument("--repeats", type=int, help="timed chunks per system (default 7, "
                       "quick 2)")
    bench.add_argument("--json", help="write the full report (every chunk, versions) here")
    bench.add_argument("--markdown", help="write the tables and footnote here (e.g. "
                       "docs/bench.md)")
    return parser


def _check_plot(path):
    """Before training: --plot can be written (matplotlib present, a known suffix, an existing
    folder), so a user without matplotlib does not wait for the training to find out."""
    if not _plot.available():
        raise UsageError(f"--plot: {_plot.MISSING}")
    if _plot.suffix(path) not in _plot.FORMATS:
        raise UsageError(f"--plot: {path}: give a file name ending in "
                         f"{', '.join('.' + f for f in _plot.FORMATS)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"--plot: {path}: no such folder {folder}")


def _output_units(Y, output):
    """The default number of output units for a data file's Y: its rows, or for softmax class
    labels (1, m) or (m,) the number of classes (largest label + 1, at least 2). A Y the model
    would refuse gives some number here: fit then reports what is wrong with Y."""
    Y = np.asarray(Y)
    if output == "softmax" and (Y.ndim == 1 or (Y.ndim == 2 and Y.shape[0] == 1)):
        if Y.size and Y.dtype.kind in "biuf" and np.isfinite(Y).all():
            return max(2, int(Y.max()) + 1)
        return 2
    return Y.shape[0] if Y.ndim == 2 and Y.shape[0] >= 1 else 1


def _engine_options(args, optimizer):
    """The fit keywords of --optimizer, its parameters, --lambd and --keep-prob, checked."""
    engine = dict(optimizer=optimizer)
    for flag, keyword, default, owner, interval in OPTIMIZER_OPTIONS:
        value = getattr(args, keyword)
        if value is not None and optimizer != owner:
            raise UsageError(f"{flag} is {owner}'s: give --optimizer {owner} too (the optimizer "
                             f"is {optimizer})")
        low, high, low_open, high_open = interval
        engine[keyword] = _option(lambda v, name: _validate.real(v, name, low, high, low_open,
                                                                 high_open),
                                  default if value is None else value, flag, keyword)
    engine["lambd"] = _option(lambda v, name: _validate.real(v, name, 0.0, math.inf),
                              args.lambd, "--lambd", "lambd")
    engine["keep_prob"] = _option(lambda v, name: _validate.real(v, name, 0.0, 1.0,
                                                                 low_open=True),
                                  args.keep_prob, "--keep-prob", "keep_prob")
    return engine


def _quality(model, X, Yt):
    """The summary's measure of the fit on the training data: accuracy for a classifier, R² and
    MSE for a regression, as (text, values). Yt: the targets as the model reads them (one-hot for
    softmax)."""
    if model.output == "identity":
        outputs = model.predict(X).astype(np.float64)
        Yt = Yt.astype(np.float64)
        mse = float(np.mean((outputs - Yt) ** 2))
        total = float(np.sum((Yt - Yt.mean(axis=1, keepdims=True)) ** 2))
        r2 = 1.0 - float(np.sum((outputs - Yt) ** 2)) / total if total > 0 else float("nan")
        return f"training R^2 {r2:.4f}, MSE {mse:.6g}", {"r2": r2, "mse": mse}
    if model.output == "softmax":
        accuracy = float(np.mean(model.predict(X)[0] == Yt.argmax(axis=0)))
    else:
        accuracy = float(np.mean(model.predict(X) == Yt))
    return f"training accuracy {100 * accuracy:.1f} %", {"accuracy": accuracy}


def train(args):
    """``fastbackprop train``: prints its lines and returns a summary (a dict: ``model``,
    ``cost``, ``accuracy`` or ``r2`` and ``mse``, and ``baseline_cost`` unless
    ``--no-baseline``), for the tests."""
    # the options, before any data is read or anything is compiled
    output = _option(lambda v, name: _validate.output(v, [1, 2], name), args.output,
                     "--output", "output")  # the name only: the units are checked below
    if args.plot:
        _check_plot(args.plot)
    if args.data:
        defaults = FILE
    elif output == "identity":
        raise UsageError("--output identity: give --data (the built-in data sets are "
                         "classification ones; a regression needs your targets)")
    else:
        defaults = SPIRAL if output == "softmax" else FLOWER
    optimizer = _option(_validate.optimizer, args.optimizer or defaults["optimizer"],
                        "--optimizer", "optimizer")
    engine = _engine_options(args, optimizer)
    if args.learning_rate is not None:
        learning_rate = args.learning_rate
    else:
        learning_rate = ADAM_LEARNING_RATE if optimizer == "adam" else defaults["learning_rate"]
    learning_rate = _option(_validate.learning_rate, learning_rate, "--learning-rate",
                            "learning_rate")
    iterations = defaults["iterations"] if args.iterations is None else args.iterations
    iterations = _option(_validate.count, iterations, "--iterations", "num_iterations")
    if args.plot and iterations == 0:
        raise UsageError("--plot: --iterations 0 records no costs to plot")
    seed = _option(_validate.seed, args.seed, "--seed", "seed")
    if seed >= 2 ** 63:
        raise UsageError(f"--seed: seed must be below 2**63, got {seed}")
    batch_size = args.batch_size
    if batch_size is not None:
        batch_size = _option(lambda v, name: _validate.count(v, name, minimum=1), batch_size,
                             "--batch-size", "batch_size")

    if args.data:
        X, Y = _load_data(args.data)
        source = args.data
    elif output == "softmax":
        X, Y = datasets.spiral()
        source = "the spiral (300 points, 3 classes, built in)"
    else:
        X, Y = datasets.planar_flower()
        source = "the planar flower (400 points, built in)"
    X = np.asarray(X)
    if X.ndim != 2:
        raise UsageError(f"--data: X must be 2-D (features, examples), got shape {X.shape}")
    n_out = _output_units(Y, output) if args.data else (3 if output == "softmax" else 1)
    layer_dims = args.layer_dims or [X.shape[0], *defaults["hidden"], n_out]
    layer_dims = _option(_validate.layer_dims, layer_dims, "--layer-dims", "layer_dims")
    _option(lambda v, name: _validate.output(v, layer_dims, name), output, "--output", "output")
    activation = args.activation or defaults["activation"]

    model = Model(layer_dims, hidden_activation=activation, output=output, dtype=args.dtype,
                  seed=seed)
    start_parameters = model.parameters
    # the targets as the model and the baseline read them (softmax labels made one-hot); a Y
    # that does not fit the model is reported here, as fit would
    Xt = _validate.features(X, layer_dims[0], model.dtype)
    Yt = _validate.targets(Y, Xt.shape[1], model.dtype, output, layer_dims[-1])
    batches = "" if batch_size is None else f" of minibatches of {batch_size}"
    extras = "".join(f", {keyword} {engine[keyword]}" for keyword, default in
                     (("lambd", 0.0), ("keep_prob", 1.0)) if engine[keyword] != default)
    print(f"Training {model} on {source}: {iterations} iterations{batches}, {optimizer}, "
          f"learning rate {learning_rate}{extras}")
    every = max(1, iterations // 10)
    fit_options = dict(engine, learning_rate=learning_rate, batch_size=batch_size, seed=seed)

    # the first call compiles the kernels (or loads them from numba's on-disk cache)
    warm = Model.from_parameters(start_parameters, activation, args.dtype, output)
    start = time.perf_counter()
    warm.fit(X, Y, num_iterations=1, **fit_options)
    compile_s = time.perf_counter() - start

    start = time.perf_counter()
    try:
        model.fit(X, Y, num_iterations=iterations, record_every=every,
                  print_cost=not args.quiet, **fit_options)
    except KeyboardInterrupt:  # the model is consistent (see Model.fit): keep what was trained
        if args.save:
            model.save(args.save)
            print(f"fastbackprop train: stopped after {model.iterations} iterations; the model "
                  f"so far is saved to {args.save}", file=sys.stderr)
        raise
    fast_s = time.perf_counter() - start
    cost = model.cost(X, Y)
    quality, summary = _quality(model, Xt, Yt)
    summary.update(model=model, cost=cost)
    print(f"fastbackprop: final cost {cost:.6f}, {quality}, {fast_s:.3f} s "
          f"({1e3 * fast_s / max(iterations, 1):.4f} ms per iteration; first call, compiling or "
          f"loading the kernels: {compile_s:.2f} s)")

    if not args.no_baseline:
        # the same start, data, options, shuffles (permutation_of the fit's seed) and dropout
        # masks (keyed on the same seed)
        options = dict(engine, output=output, seed=seed, record_every=every)
        start = time.perf_counter()
        if batch_size is None or batch_size >= Xt.shape[1]:
            parameters, _ = baseline.train(Xt, Yt, start_parameters, activation, learning_rate,
                                           iterations, **options)
        else:
            parameters, _ = baseline.train_minibatch(
                Xt, Yt, start_parameters, activation, learning_rate, iterations, batch_size,
                lambda epoch: minibatch.permutation_of(seed, epoch, Xt.shape[1]), **options)
        numpy_s = time.perf_counter() - start
        ZL = baseline.L_model_forward(Xt, parameters, activation, output)[1][-1][1]
        summary["baseline_cost"] = float(baseline.compute_cost(ZL, Yt, output))
        print(f"NumPy baseline: final cost {summary['baseline_cost']:.6f}, {numpy_s:.3f} s "
              f"({1e3 * numpy_s / max(iterations, 1):.4f} ms per iteration)")
        print(f"Speed-up over the NumPy baseline: {numpy_s / fast_s:.1f}x")
    if args.save:
        model.save(args.save)
        print(f"Model saved to {args.save}")
    if args.plot:
        _plot.save(model.plot_costs(), args.plot)
        print(f"Cost curve written to {args.plot}")
    return summary


def _csv(model, X):
    """predict's CSV: a header and one line per example."""
    def columns(name, n):
        return [name] if n == 1 else [f"{name}_{i}" for i in range(n)]

    n_L = model.layer_dims[-1]
    if model.output == "identity":
        header, values = columns("output", n_L), [model.predict(X)]
    elif model.output == "softmax":
        header = ["label"] + columns("probability", n_L)
        values = [model.predict(X), model.predict_proba(X)]
    else:
        proba = model.predict_proba(X)
        header = columns("label", n_L) + columns("probability", n_L)
        values = [(proba > 0.5).astype(np.int64), proba]
    rows = np.concatenate([np.asarray(v, np.float64) for v in values], axis=0).T
    n_labels = 0 if model.output == "identity" else values[0].shape[0]
    lines = "".join(",".join([str(int(v)) for v in row[:n_labels]]
                             + [f"{v:.6g}" for v in row[n_labels:]]) + "\n" for row in rows)
    return ",".join(header) + "\n" + lines


def predict(args):
    model = Model.load(args.model)
    X, _ = _load_data(args.data, labels_required=False)
    if args.output and args.output.endswith(".npy"):
        labels = model.predict(X)
        if model.output == "sigmoid":
            labels = labels.astype(np.int64)
        np.save(args.output, labels)
        return
    text = _csv(model, X)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def _bench_layer_dims(value, name):
    """layer_dims of a bench network: the bench's peers all train one sigmoid output unit."""
    dims = _validate.layer_dims(value, name)
    if dims[-1] != 1:
        raise ValueError(f"{name} must end in 1 (one sigmoid output for binary labels), "
                         f"got {dims}")
    return dims


def _own_network(args):
    """The configuration of ``bench --layer-dims …``, or None."""
    own = {"--examples": args.examples, "--activation": args.activation,
           "--dtype": args.dtype, "--learning-rate": args.learning_rate}
    if args.layer_dims is None:
        given = [flag for flag, value in own.items() if value is not None]
        if given:
            raise UsageError(f"{given[0]} describes your own network: give --layer-dims too")
        return None
    if args.examples is None:
        raise UsageError("--layer-dims needs --examples (the examples per iteration, m)")
    dtypes = [d for d in (args.dtype or "float64").split(",") if d]
    return configs.custom(
        _option(_bench_layer_dims, args.layer_dims, "--layer-dims", "layer_dims"),
        _option(lambda v, name: _validate.count(v, name, minimum=1), args.examples,
                "--examples", "the number of examples"),
        _option(_validate.activation, args.activation or "relu", "--activation", "activation"),
        _option(_validate.learning_rate, 0.01 if args.learning_rate is None
                else args.learning_rate, "--learning-rate", "learning rate"),
        [_option(_validate.dtype, d, "--dtype", "dtype").name for d in dtypes or [None]])


def bench(args):
    from . import bench as benchmark
    own = _own_network(args)
    selected = ([args.configs] if args.configs else []) + ([own] if own else [])
    options = [("--configs", args.configs), ("--layer-dims", args.layer_dims and ",".join(
        map(str, args.layer_dims))), ("--examples", args.examples),
        ("--activation", args.activation), ("--dtype", args.dtype),
        ("--learning-rate", args.learning_rate), ("--systems", args.systems),
        ("--repeats", args.repeats), ("--json", args.json), ("--markdown", args.markdown)]
    command = " ".join(["fastbackprop bench"] + (["--quick"] if args.quick else [])
                       + [f"{flag} {value}" for flag, value in options if value is not None])
    report = benchmark.run(configs=selected or None, systems=args.systems, quick=args.quick,
                           repeats=args.repeats, json_path=args.json,
                           markdown_path=args.markdown, command=command)
    if not report["ok"]:
        print("fastbackprop bench: a system disagreed with the NumPy baseline or a "
              "configuration failed (see above)", file=sys.stderr)
        raise SystemExit(1)


def main(argv=None):
    """Run the ``fastbackprop`` command; returns its exit status.

    Parameters
    ----------
    argv : list of str or None, default None
        The arguments after the program name; None: ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success; 2 for a user mistake (bad option, missing or malformed file, wrong
        shapes, out of memory), reported in one line on stderr; 130 after Ctrl-C. ``bench``
        raises SystemExit(1) when a system disagrees with the NumPy baseline or a
        configuration fails.
    """
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"fastbackprop: error: {exc}", file=sys.stderr)
        return 2
    try:
        {"train": train, "predict": predict, "bench": bench}[args.command](args)
    except (UsageError, ValueError, TypeError, OSError, ImportError) as exc:
        message = " ".join(str(exc).split())  # one line, whatever the exception held
        print(f"fastbackprop {args.command}: error: {message}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"fastbackprop {args.command}: error: not enough memory (are --layer-dims or "
              f"the data too large?)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"fastbackprop {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
