"""The ``fastbackprop`` command: ``train`` (built-in flower data by default) and ``predict``.

A user mistake (bad option, missing or malformed file, wrong shapes) ends with one line on stderr
and exit status 2, never a traceback.
"""
import argparse
import sys
import time
import zipfile

import numpy as np

from . import _validate, baseline, configs, datasets
from .kernels import minibatch
from .model import Model

FLOWER = dict(hidden=[4], activation="tanh", learning_rate=1.2, iterations=10000)
FILE = dict(hidden=[20, 7, 5], activation="relu", learning_rate=0.0075, iterations=2500)


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

    train = sub.add_parser("train", help="train a model (on the built-in planar flower by "
                                         "default) and compare with the NumPy baseline")
    train.add_argument("--data", help=".npz with X (n_x, m) and Y (1, m), or the course's .h5")
    train.add_argument("--layer-dims", type=_int_list, help="e.g. 2,4,1 (first = features, "
                       "last = 1); default n_x,4,1 on the flower, n_x,20,7,5,1 on a file")
    train.add_argument("--activation", help="hidden activation: relu, leaky_relu, tanh, "
                       "sigmoid, identity (default tanh on the flower, relu on a file)")
    train.add_argument("--learning-rate", type=float, help="default 1.2 on the flower, "
                       "0.0075 on a file")
    train.add_argument("--iterations", type=int, help="default 10000 on the flower, 2500 on "
                       "a file")
    train.add_argument("--batch-size", type=int, help="minibatches of this many examples, "
                       "shuffled each iteration (default: full batch)")
    train.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    train.add_argument("--seed", type=int, default=3, help="initialisation seed (default 3)")
    train.add_argument("--save", help="write the trained model to this .npz")
    train.add_argument("--no-baseline", action="store_true",
                       help="skip the NumPy baseline run and the speed-up")
    train.add_argument("--quiet", action="store_true", help="no cost lines")

    predict = sub.add_parser("predict", help="predict 0/1 labels with a saved model")
    predict.add_argument("model", help="a model file written by `fastbackprop train --save`")
    predict.add_argument("data", help=".npz with X (n_x, m), or the course's .h5")
    predict.add_argument("-o", "--output", help="write here instead of stdout (.npy gives the "
                         "(1, m) array; anything else a CSV of label,probability per example)")

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
                       "a,b,c,d,e; with --layer-dims, none unless named)")
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


def train(args):
    defaults = FILE if args.data else FLOWER
    if args.data:
        X, Y = _load_data(args.data)
        source = args.data
    else:
        X, Y = datasets.planar_flower()
        source = "the planar flower (400 points, built in)"
    X = np.asarray(X)
    if X.ndim != 2:
        raise UsageError(f"--data: X must be 2-D (features, examples), got shape {X.shape}")
    layer_dims = args.layer_dims or [X.shape[0], *defaults["hidden"], 1]
    activation = args.activation or defaults["activation"]
    learning_rate = defaults["learning_rate"] if args.learning_rate is None \
        else args.learning_rate
    iterations = defaults["iterations"] if args.iterations is None else args.iterations
    learning_rate = _option(_validate.learning_rate, learning_rate, "--learning-rate",
                            "learning_rate")
    iterations = _option(_validate.count, iterations, "--iterations", "num_iterations")
    _option(_validate.seed, args.seed, "--seed", "seed")
    batch_size = args.batch_size
    if batch_size is not None:
        batch_size = _option(lambda v, name: _validate.count(v, name, minimum=1), batch_size,
                             "--batch-size", "batch_size")

    model = Model(layer_dims, hidden_activation=activation, dtype=args.dtype, seed=args.seed)
    start_parameters = model.parameters
    batches = "" if batch_size is None else f" of minibatches of {batch_size}"
    print(f"Training {model} on {source}: {iterations} iterations{batches}, learning rate "
          f"{learning_rate}")
    every = max(1, iterations // 10)

    # the first call compiles the kernels (or loads them from numba's on-disk cache)
    warm = Model.from_parameters(start_parameters, activation, args.dtype)
    start = time.perf_counter()
    warm.fit(X, Y, learning_rate=learning_rate, num_iterations=1, batch_size=batch_size)
    compile_s = time.perf_counter() - start

    start = time.perf_counter()
    try:
        model.fit(X, Y, learning_rate=learning_rate, num_iterations=iterations,
                  record_every=every, print_cost=not args.quiet, batch_size=batch_size)
    except KeyboardInterrupt:  # the model is consistent (see Model.fit): keep what was trained
        if args.save:
            model.save(args.save)
            print(f"fastbackprop train: stopped after {model.iterations} iterations; the model "
                  f"so far is saved to {args.save}", file=sys.stderr)
        raise
    fast_s = time.perf_counter() - start
    accuracy = float(np.mean(model.predict(X) == np.asarray(Y)))
    print(f"fastbackprop: final cost {model.cost(X, Y):.6f}, training accuracy "
          f"{100 * accuracy:.1f} %, {fast_s:.3f} s ({1e3 * fast_s / max(iterations, 1):.4f} ms "
          f"per iteration; first call, compiling or loading the kernels: {compile_s:.2f} s)")

    if not args.no_baseline:
        Xb = np.ascontiguousarray(X, dtype=model.dtype)
        Yb = np.ascontiguousarray(Y, dtype=model.dtype)
        start = time.perf_counter()
        if batch_size is None or batch_size >= Xb.shape[1]:
            parameters, _ = baseline.train(Xb, Yb, start_parameters, activation, learning_rate,
                                           iterations, record_every=every)
        else:  # the same shuffles as the model's
            parameters, _ = baseline.train_minibatch(
                Xb, Yb, start_parameters, activation, learning_rate, iterations, batch_size,
                lambda epoch: minibatch.permutation_of(model._shuffle_seed, epoch, Xb.shape[1]),
                record_every=every)
        numpy_s = time.perf_counter() - start
        ZL = baseline.L_model_forward(Xb, parameters, activation)[1][-1][1]
        print(f"NumPy baseline: final cost {baseline.compute_cost(ZL, Yb):.6f}, {numpy_s:.3f} s "
              f"({1e3 * numpy_s / max(iterations, 1):.4f} ms per iteration)")
        print(f"Speed-up over the NumPy baseline: {numpy_s / fast_s:.1f}x")
    if args.save:
        model.save(args.save)
        print(f"Model saved to {args.save}")


def predict(args):
    model = Model.load(args.model)
    X, _ = _load_data(args.data, labels_required=False)
    proba = model.predict_proba(X)
    labels = (proba > 0.5).astype(np.int64)
    if args.output and args.output.endswith(".npy"):
        np.save(args.output, labels)
        return
    lines = "".join(f"{y},{p:.6g}\n" for y, p in zip(labels[0], proba[0]))
    if args.output:
        with open(args.output, "w") as f:
            f.write("label,probability\n" + lines)
    else:
        sys.stdout.write("label,probability\n" + lines)


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
        _option(_validate.layer_dims, args.layer_dims, "--layer-dims", "layer_dims"),
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
